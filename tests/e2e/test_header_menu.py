"""The header as each role meets it (issue 18): a menu of the work pages the person's permissions open,
one row at a laptop's 1366 px, usable on a phone and by keyboard; one button style across the pages."""
from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.screens import LAPTOP, PHONE
from tests.e2e.sign_in import sign_in_as
from tests.e2e.test_accessibility import check_page

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"

# What each role finds in the header, by data-menu-entry, and whether they fold into one menu.
ROLE_ENTRIES = {
    "reader": ([], None, False),
    "staff": (["requests", "grants", "harvests", "sources"], "86", True),
    "archive_admin": (["requests", "grants", "harvests", "sources", "users", "audit"], "86", True),
    "auditor": (["audit"], None, False),
    "national_admin": (["requests", "grants", "harvests", "sources", "users", "audit"], None, True),
}


def _signed_in(browser, portal_server, app, role: str, viewport=LAPTOP, name: str | None = None):
    context = browser.new_context(locale="vi-VN", viewport=viewport)
    page = context.new_page()
    _, province, _ = ROLE_ENTRIES[role]
    email = f"menu.{role}.{uuid.uuid4().hex[:8]}@example.vn"
    sign_in_as(page, portal_server, app, email, role, name or f"Người thử {role}", province=province)
    return context, page


def _entry_links(page):
    return page.locator("header.site-header [data-menu-entry]")


@pytest.mark.parametrize("role", list(ROLE_ENTRIES))
def test_the_header_offers_each_role_the_work_pages_it_may_open(browser, portal_server, harvested_app, role):
    expected, _, folded = ROLE_ENTRIES[role]
    context, page = _signed_in(browser, portal_server, harvested_app, role)
    try:
        menu = page.locator("details[data-work-menu]")
        expect(menu).to_have_count(1 if folded else 0)
        if folded:
            expect(_entry_links(page).first).to_be_hidden()  # folded until asked for
            menu.locator("summary").click()
        links = _entry_links(page)
        assert [links.nth(i).get_attribute("data-menu-entry") for i in range(links.count())] == expected
        for i in range(links.count()):
            expect(links.nth(i)).to_be_visible()
        # Every page offered opens for this person: the menu asks what the view asks.
        for href in [links.nth(i).get_attribute("href") for i in range(links.count())]:
            response = page.goto(portal_server.url + href)
            assert response.status == 200, f"{role}: {href} answered {response.status}"
            current = page.locator(f"header.site-header [data-menu-entry][href='{href}']")
            expect(current).to_have_attribute("aria-current", "page")
    finally:
        context.close()


def test_the_header_keeps_one_row_at_1366_px_with_every_role(browser, portal_server, harvested_app):
    """The longest header there is: a national admin with a long name and every work page."""
    context, page = _signed_in(browser, portal_server, harvested_app, "national_admin",
                               name="Nguyễn Thị Phương Thảo Quản Trị Viên")
    try:
        page.goto(portal_server.url + "/search?q=vinh+long")
        boxes = [page.locator(f"header.site-header > {part}").bounding_box()
                 for part in (".brand-block", ".main-nav", ".account", ".languages")]
        tops, bottoms = [box["y"] for box in boxes], [box["y"] + box["height"] for box in boxes]
        assert max(tops) < min(bottoms), f"the header wraps to a second row: {boxes}"
        page.locator("details[data-work-menu] summary").click()
        page.screenshot(path=str(SCREENSHOTS / "header-national-admin-1366.png"))
    finally:
        context.close()


def test_the_work_menu_works_by_keyboard_and_closes_on_escape_or_a_click_elsewhere(browser, portal_server,
                                                                                   harvested_app):
    context, page = _signed_in(browser, portal_server, harvested_app, "national_admin")
    try:
        summary = page.locator("details[data-work-menu] summary")
        summary.focus()
        page.keyboard.press("Enter")
        expect(page.locator("[data-menu-entry='sources']")).to_be_visible()
        page.keyboard.press("Tab")
        expect(page.locator("[data-menu-entry='requests']")).to_be_focused()
        page.keyboard.press("Escape")
        expect(page.locator("[data-menu-entry='sources']")).to_be_hidden()
        expect(summary).to_be_focused()
        summary.click()
        expect(page.locator("[data-menu-entry='sources']")).to_be_visible()
        page.locator("main").click()
        expect(page.locator("[data-menu-entry='sources']")).to_be_hidden()
    finally:
        context.close()


def test_signing_in_returns_once_the_menus_script_has_run_even_when_it_comes_late(browser, portal_server,
                                                                                   harvested_app, monkeypatch):
    """The header is drawn before its deferred script runs: a key pressed in between met a menu without its
    Escape handler, and a loaded CI run failed the test above so. sign_in_as waits for the page's scripts."""
    serve_static = harvested_app.view_functions["static"]

    def late_menu_script(filename, **kwargs):
        if filename == "menu.js":
            time.sleep(2)
        return serve_static(filename=filename, **kwargs)

    monkeypatch.setitem(harvested_app.view_functions, "static", late_menu_script)
    context, page = _signed_in(browser, portal_server, harvested_app, "national_admin")
    try:
        page.locator("details[data-work-menu] summary").focus()
        page.keyboard.press("Enter")
        expect(page.locator("[data-menu-entry='sources']")).to_be_visible()
        page.keyboard.press("Escape")
        expect(page.locator("[data-menu-entry='sources']")).to_be_hidden(timeout=3000)
    finally:
        context.close()


def test_the_header_and_its_menu_fit_a_phone(browser, portal_server, harvested_app):
    context, page = _signed_in(browser, portal_server, harvested_app, "national_admin", viewport=PHONE)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.locator("details[data-work-menu] summary").click()
        panel = page.locator("details[data-work-menu] .menu-panel").bounding_box()
        assert panel["x"] >= 0 and panel["x"] + panel["width"] <= PHONE["width"], panel
        page.locator("[data-menu-entry='harvests']").click()
        expect(page.locator("h1")).to_have_text("Các lượt thu thập")
        check_page(page, page.url, "header-phone-admin")
    finally:
        context.close()


def test_axe_finds_nothing_serious_in_the_header_of_each_role(browser, portal_server, harvested_app):
    for role in ("staff", "auditor"):
        context, page = _signed_in(browser, portal_server, harvested_app, role)
        try:
            if role == "staff":
                page.locator("details[data-work-menu] summary").click()  # axe sees the open menu too
            check_page(page, portal_server.url + "/", f"header-{role}")
        finally:
            context.close()


def _button_style(locator) -> dict:
    return locator.evaluate("""element => {
        const style = getComputedStyle(element);
        return {background: style.backgroundColor, color: style.color, radius: style.borderRadius,
                weight: style.fontWeight};
    }""")


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_the_readers_main_actions_share_one_button_style(browser, portal_server, viewport):
    """Sign in, register, search and the SSO link look alike: one primary style, not bare browser buttons."""
    context = browser.new_context(locale="vi-VN", viewport=viewport)
    page = context.new_page()
    try:
        page.goto(portal_server.url + "/search?q=vinh+long")
        search = _button_style(page.locator("form.search-bar button[type=submit]"))
        page.goto(portal_server.url + "/login")
        sign_in = _button_style(page.locator("form.auth-form button[type=submit]"))
        page.goto(portal_server.url + "/register")
        register = _button_style(page.locator("form.auth-form button[type=submit]"))
        assert search == sign_in == register, (search, sign_in, register)
        assert search["background"] == "rgb(26, 79, 139)" and search["color"] == "rgb(255, 255, 255)"
        assert search["radius"] == "4px"
    finally:
        context.close()
