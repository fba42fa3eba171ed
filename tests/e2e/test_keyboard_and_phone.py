"""The portal used with a keyboard only, on a phone, and in both languages."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from tests.e2e.screens import PHONE

from tests.e2e.test_accessibility import find_record_id

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"
MAX_TABS = 300

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {tag: el.tagName.toLowerCase(), id: el.id, classes: el.className, href: el.getAttribute('href'),
          text: (el.innerText || el.value || '').trim().slice(0, 80),
          outline: style.outlineStyle, outlineWidth: style.outlineWidth,
          inHit: !!el.closest('ol.hits li.hit h2')};
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def assert_focus_visible(element: dict) -> None:
    assert element["outline"] != "none" and element["outlineWidth"] != "0px", \
        f"no visible focus indicator on {element}"


def tab_until(page, matches, what: str) -> dict:
    """Press Tab until the focused element matches, checking each stop shows its focus."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        element = focused(page)
        if element["tag"] != "body":
            assert_focus_visible(element)
        if matches(element):
            return element
    raise AssertionError(f"{MAX_TABS} presses of Tab never reached {what}")


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


# --- keyboard -------------------------------------------------------------------------------

def test_first_tab_reaches_the_skip_link_which_moves_focus_to_main(page, portal_server):
    page.goto(portal_server.url + "/")
    page.keyboard.press("Tab")
    element = focused(page)
    assert "skip-link" in element["classes"], f"the first Tab stop is {element}, not the skip link"
    assert element["text"] == "Chuyển đến nội dung"
    assert_focus_visible(element)
    expect(page.locator("a.skip-link")).to_be_in_viewport()

    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"
    # The next Tab goes on from the content, not back to the header.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.getElementById('main').contains(document.activeElement)")


def test_search_and_open_a_record_with_the_keyboard_only(page, portal_server):
    page.goto(portal_server.url + "/")
    tab_until(page, lambda element: element["id"] == "q", "the search box")
    page.keyboard.type("hue")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=hue"))
    first_hit = page.locator("ol.hits li.hit h2 a").first
    expect(first_hit).to_be_visible()
    title = first_hit.inner_text().strip()

    element = tab_until(page, lambda element: element["inHit"], "the first result")
    assert element["href"] == first_hit.get_attribute("href"), "Tab reached a result before the first one"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("article.record h1")).to_have_text(title)


def test_choosing_a_sort_order_with_arrow_keys_does_not_reload_the_page(page, portal_server):
    page.goto(portal_server.url + "/search?q=hue")
    page.focus("#sort")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(500)
    assert "sort=" not in page.url
    assert focused(page)["id"] == "sort"


# --- phone ----------------------------------------------------------------------------------

def test_pages_fit_a_phone_without_sideways_scrolling(phone, portal_server):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.goto(portal_server.url + "/")
    assert no_horizontal_scroll(phone), "the home page scrolls sideways on a phone"
    phone.screenshot(path=str(SCREENSHOTS / "phone-home.png"), full_page=True)

    phone.goto(portal_server.url + "/search?q=vinh+long")
    assert no_horizontal_scroll(phone), "the results page scrolls sideways on a phone"
    phone.screenshot(path=str(SCREENSHOTS / "phone-results.png"))
    phone.screenshot(path=str(SCREENSHOTS / "phone-results-full.png"), full_page=True)

    phone.locator("ol.hits li.hit h2 a").first.click()
    expect(phone.locator("article.record h1")).to_be_visible()
    assert no_horizontal_scroll(phone), "the record page scrolls sideways on a phone"
    phone.screenshot(path=str(SCREENSHOTS / "phone-record.png"), full_page=True)


def test_record_page_with_files_and_full_text_fits_a_phone(phone, portal_server, harvested_app):
    record_id = find_record_id(harvested_app, {"term": {"access": "public"}},
                               {"term": {"files.text_extracted": True}}, {"exists": {"field": "content"}})
    phone.goto(f"{portal_server.url}/records/{record_id}?q=quyet+dinh")
    expect(phone.locator("section.files")).to_be_visible()
    expect(phone.locator("section.fulltext")).to_be_visible()
    assert no_horizontal_scroll(phone), "the record page scrolls sideways on a phone"
    phone.screenshot(path=str(SCREENSHOTS / "phone-record-files.png"), full_page=True)


def test_facets_are_still_reachable_on_a_phone(phone, portal_server):
    phone.goto(portal_server.url + "/search?q=vinh+long")
    phone.locator("button.filters-toggle").tap()  # on a phone the facets wait behind "Bộ lọc"
    facet = phone.locator('section.facet a[data-facet="level"]').first
    facet.scroll_into_view_if_needed()
    expect(facet).to_be_in_viewport()
    box = facet.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert box["height"] >= 24, "a facet is too small a target for a finger (WCAG 2.5.8)"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.locator("aside.facets").screenshot(path=str(SCREENSHOTS / "phone-facets.png"))
    key = facet.get_attribute("data-key")
    facet.tap()
    expect(phone).to_have_url(re.compile(rf"[?&]level={key}(&|$)"))
    assert no_horizontal_scroll(phone)


# --- language -------------------------------------------------------------------------------

def test_pages_are_in_vietnamese_by_default(browser, portal_server):
    for locale, accept_language in (("vi-VN", "vi-VN,vi;q=0.9"), ("fr-FR", "fr-FR,fr;q=0.9")):
        context = browser.new_context(locale=locale, extra_http_headers={"Accept-Language": accept_language})
        page = context.new_page()
        page.goto(portal_server.url + "/")
        expect(page.locator("html")).to_have_attribute("lang", "vi")
        expect(page.locator("h1")).to_contain_text("Tra cứu tài liệu")
        expect(page.locator(".search-bar button")).to_have_text("Tìm kiếm")
        expect(page.locator("a.skip-link")).to_have_text("Chuyển đến nội dung")
        context.close()


def test_accept_language_en_gives_english(browser, portal_server):
    context = browser.new_context(locale="en-GB", extra_http_headers={"Accept-Language": "en"})
    page = context.new_page()
    page.goto(portal_server.url + "/search?q=vinh+long")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1.result-count")).to_contain_text("records")
    expect(page.locator(".search-bar button")).to_have_text("Search")
    expect(page.locator("label[for=sort]")).to_have_text("Sort by")
    expect(page.locator("a.skip-link")).to_have_text("Skip to content")
    context.close()


def test_language_switch_keeps_the_current_search(page, portal_server):
    page.goto(portal_server.url + "/search?q=vinh+long&province=86")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.locator('nav.languages a[hreflang="en"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    asked = query_of(page.url)
    assert asked["q"] == ["vinh long"] and asked["province"] == ["86"] and asked["lang"] == ["en"]
    expect(page.locator("#q")).to_have_value("vinh long")
    expect(page.locator("h1.result-count")).to_contain_text("records")
    expect(page.locator('nav.languages [aria-current="true"]')).to_have_text("EN")

    # The choice is remembered on the next page, then switched back.
    page.goto(portal_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(portal_server.url + "/search?q=vinh+long&province=86&lang=en")
    page.locator('nav.languages a[hreflang="vi"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    asked = query_of(page.url)
    assert asked["q"] == ["vinh long"] and asked["province"] == ["86"] and asked["lang"] == ["vi"]
    expect(page.locator("h1.result-count")).to_contain_text("tài liệu")
