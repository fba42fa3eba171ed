"""The archives in the browser (issue 19): the home page's list of the 34 drawn on the Leaflet map (no tile
server, no CSP violation), its markers links reached with Tab; an archive's page; its admin editing it;
laptop and phone, Vietnamese and English, axe-core clean."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from playwright.sync_api import expect

from tests.e2e.screens import LAPTOP, PHONE
from tests.e2e.sign_in import sign_in_as
from tests.e2e.test_admin_walk import _fits_and_passes_axe  # map points: test_accessibility's EQUIVALENT_TARGETS


@contextmanager
def _browsing(browser, viewport):
    context = browser.new_context(locale="vi-VN", viewport=viewport)
    try:
        yield context, context.new_page()
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_home_page_draws_the_34_archives_on_a_map_of_links(browser, portal_server, viewport, lang):
    with _browsing(browser, viewport) as (context, page):
        outside = []
        context.on("request", lambda request: outside.append(request.url)
                   if not request.url.startswith(portal_server.url) else None)
        page.goto(f"{portal_server.url}/?lang={lang}")
        expect(page.locator("#archive-list a")).to_have_count(34)
        if viewport is PHONE:  # too crowded for fingers: the list alone, no map
            page.wait_for_load_state("load")
            expect(page.locator("[data-archives-map]")).to_be_hidden()
            _fits_and_passes_axe(page, f"home-archives-{lang}", viewport)
            return
        markers = page.locator("#archives-map a.archive-marker-link")
        expect(markers).to_have_count(34)
        listed = page.locator("#archive-list a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert markers.evaluate_all("links => links.map(a => a.getAttribute('href'))") == listed  # one list, two views
        expect(page.locator("#archives-map path.province-outline")).to_have_count(34)
        assert outside == []  # no tile server, nothing fetched from elsewhere
        vinh_long = page.locator('#archives-map a[href="/archives/86"]')
        expect(vinh_long).to_have_attribute("aria-label", "Trung tâm Lưu trữ lịch sử tỉnh Vĩnh Long")
        first = markers.first
        first.focus()
        expect(first).to_be_focused()
        page.keyboard.press("Tab")
        expect(markers.nth(1)).to_be_focused()
        zoom_in = "Phóng to" if lang == "vi" else "Zoom in"
        expect(page.locator(".leaflet-control-zoom-in")).to_have_attribute("aria-label", zoom_in)
        _fits_and_passes_axe(page, f"home-archives-{lang}", viewport)
        vinh_long.focus()
        page.keyboard.press("Enter")
        page.wait_for_url("**/archives/86")
        expect(page.locator("h1")).to_have_text("Trung tâm Lưu trữ lịch sử tỉnh Vĩnh Long")
        expect(page.locator("[data-fonds]").first).to_be_visible()
        _fits_and_passes_axe(page, f"archive-{lang}", viewport)


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_archive_admin_fills_in_the_address_and_hours(browser, portal_server, harvested_app, viewport):
    with _browsing(browser, viewport) as (_context, page):
        sign_in_as(page, portal_server, harvested_app, f"admin46-{viewport['width']}@example.vn", "archive_admin",
                   "Quản trị Huế", province="46")
        page.goto(f"{portal_server.url}/archives/46")
        page.get_by_role("link", name="Sửa thông tin mô tả").click()
        _fits_and_passes_axe(page, "archive-edit", viewport)
        page.get_by_label("Thư điện tử").fill("khong-phai-thu")
        page.get_by_role("button", name="Lưu").click()
        expect(page.locator("#email-error")).to_have_text("Đây không phải là địa chỉ thư điện tử.")
        _fits_and_passes_axe(page, "archive-edit-error", viewport)
        page.get_by_label("Thư điện tử").fill("")
        page.get_by_label("Thời gian phục vụ").fill("Thứ Hai – Thứ Sáu, 7:30–17:00")
        page.get_by_role("button", name="Lưu").click()
        page.wait_for_url("**/archives/46")
        expect(page.locator('[data-field="opening_hours"]')).to_have_text("Thứ Hai – Thứ Sáu, 7:30–17:00")
        page.goto(f"{portal_server.url}/archives/86")
        expect(page.get_by_role("link", name="Sửa thông tin mô tả")).to_have_count(0)
