"""A national admin in the browser manages sources: the list with its buttons, the form with its
errors next to the fields, the full re-harvest's confirmation; axe-core finds no serious or
critical violation on any of them."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.sign_in import sign_in_as
from tests.e2e.test_accessibility import BLOCKING_IMPACTS, check_page, describe, run_axe


def check_shown_page(page, name: str) -> None:
    """axe-core on the page as it is now (a form re-shown after a POST cannot be loaded again by its URL)."""
    blocking = [v for v in run_axe(page) if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"serious or critical accessibility violations on {name}:\n" + \
        "\n".join(describe(violation) for violation in blocking)


def test_the_source_pages_and_their_forms_are_accessible(page, portal_server, harvested_app):
    sign_in_as(page, portal_server, harvested_app, "quan.tri@example.vn", "national_admin", "Nguyễn Văn Quản Trị")
    page.goto(f"{portal_server.url}/admin/sources")
    expect(page.get_by_role("button", name="Thu thập ngay vinhlong")).to_be_visible()
    check_page(page, page.url, "admin-sources")

    page.get_by_role("link", name="Thêm nguồn").click()
    check_page(page, page.url, "admin-source-new")
    page.get_by_label("Mã nguồn").fill("thu-nghiem")
    page.get_by_label("Địa chỉ", exact=True).fill("khong-phai-url")
    page.get_by_label("Lịch thu thập (không bắt buộc)").fill("thỉnh thoảng")
    page.get_by_role("button", name="Thêm nguồn này").click()
    expect(page.locator("#url-error")).to_contain_text("http://")
    expect(page.locator("#schedule-error")).to_contain_text("không phải là lịch thu thập")
    expect(page.get_by_label("Lịch thu thập (không bắt buộc)")).to_have_attribute("aria-invalid", "true")
    check_shown_page(page, "admin-source-new-errors")

    page.goto(f"{portal_server.url}/admin/sources/hue/edit")
    check_page(page, page.url, "admin-source-edit")

    page.goto(f"{portal_server.url}/admin/sources")
    page.get_by_role("link", name="Thu thập lại toàn bộ… cantho").click()
    page.get_by_role("button", name="Yêu cầu thu thập lại toàn bộ").click()
    expect(page.locator("#confirm-error")).to_be_visible()
    check_shown_page(page, "admin-source-full-run-unconfirmed")
