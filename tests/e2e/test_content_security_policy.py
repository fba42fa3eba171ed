"""The portal's Content-Security-Policy in Chromium: the main pages load with no violation and their
scripts still work (suggestions, the period histogram), and what the policy forbids is refused and
reported to the watcher of tests/e2e/conftest.py, which fails any test that meets a violation."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.sign_in import sign_in_as


def test_inline_script_and_foreign_images_are_refused_and_reported(page, portal_server, no_csp_violation):
    response = page.goto(portal_server.url + "/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.inlineRan = true";
        document.body.append(script);
        const image = new Image();
        image.src = "http://images.example.invalid/pixel.png";
        document.body.append(image);
    }""")
    page.wait_for_function("() => window.__cspViolations.length >= 2")
    assert page.evaluate("() => window.inlineRan") is None  # the inline script never ran
    reported = list(no_csp_violation.violations)
    assert any("script-src-elem blocked inline" in violation for violation in reported), reported
    assert any("img-src blocked http://images.example.invalid/pixel.png" in violation for violation in reported)
    no_csp_violation.violations.clear()  # the violations this test caused on purpose


def test_main_pages_load_without_violation_and_their_scripts_work(page, portal_server, harvested_app,
                                                                  no_csp_violation):
    # Search with results and facets; the histogram's bars take their heights from the stylesheet.
    page.goto(portal_server.url + "/search?q=quyet+dinh")
    assert page.evaluate("() => Array.isArray(window.__cspViolations)")  # the watcher is in the page
    expect(page.locator("ol.hits li.hit").first).to_be_visible()
    expect(page.locator("section.facet a[data-facet='holding_province']").first).to_be_visible()
    bars = page.locator(".histogram .bar")
    heights = {round(bars.nth(i).bounding_box()["height"]) for i in range(bars.count())}
    assert len(heights) > 1 and min(heights) >= 8 and max(heights) == 60

    # Suggestions as one types (static/suggest.js fetching /api/v1/suggest).
    page.locator("#q").fill("")
    page.locator("#q").press_sequentially("quyet di")
    expect(page.locator("#suggestions option").first).to_be_attached()

    # The period histogram (static/period.js): dragging across three bars searches their decades.
    page.locator(".histogram").scroll_into_view_if_needed()
    first, third = bars.nth(0).bounding_box(), bars.nth(2).bounding_box()
    low, high = bars.nth(0).get_attribute("data-from"), bars.nth(2).get_attribute("data-to")
    page.mouse.move(first["x"] + first["width"] / 2, first["y"] + first["height"] - 2)
    page.mouse.down()
    page.mouse.move(third["x"] + third["width"] / 2, third["y"] + third["height"] - 2, steps=5)
    page.mouse.up()
    expect(page).to_have_url(re.compile(rf"from={low}.*to={high}|to={high}.*from={low}"))

    # A record page, from a hit.
    page.goto(portal_server.url + "/search?q=quyet+dinh&level=item")
    title = page.locator("ol.hits li.hit h2 a").first.inner_text()
    page.locator("ol.hits li.hit h2 a").first.click()
    expect(page.locator("article.record h1")).to_have_text(title)

    # The advanced search.
    page.goto(portal_server.url + "/search?q=")
    page.locator("details.advanced summary").click()
    page.fill("#adv-title", "quyết định")
    page.locator("form.advanced-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"title=quy"))
    expect(page.locator("ol.hits li.hit").first).to_be_visible()

    # The sign-in page, then admin pages signed in (sign_in_as goes through /login).
    page.goto(portal_server.url + "/login")
    expect(page.locator("form.auth-form")).to_be_visible()
    sign_in_as(page, portal_server, harvested_app, "csp.admin@example.vn", "national_admin", "Phạm Văn Chính")
    page.goto(portal_server.url + "/admin/sources")
    expect(page.get_by_role("button", name="Thu thập ngay vinhlong")).to_be_visible()
    page.goto(portal_server.url + "/admin/harvests")
    expect(page.locator("tr[data-trend='vinhlong']")).to_be_visible()  # (its chart: tests/e2e/test_admin_walk.py)
    page.locator("details[data-work-menu] summary").click()  # the header's menu script runs under the policy
    expect(page.locator("[data-menu-entry='audit']")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("[data-menu-entry='audit']")).to_be_hidden()
    page.goto(portal_server.url + "/audit")
    expect(page.locator("main h1")).to_be_visible()

    page.evaluate("() => 0")  # one more round trip: every report sent so far has been taken in
    assert no_csp_violation.violations == []
