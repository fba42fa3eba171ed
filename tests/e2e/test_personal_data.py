"""In the browser: consent at registration (refused without the box ticked, with the message next to
it), and a reader's account page: their ID number, "Download my data" and "Delete my account";
axe-core finds no serious or critical violation on the pages on the way."""
from __future__ import annotations

import json
import re

from playwright.sync_api import expect

from tests.e2e.test_accessibility import check_page

PASSWORD = "ngàn năm văn hiến"


def _fill_registration(page, email: str) -> None:
    page.fill("#full_name", "Đỗ Thị Riêng")
    page.fill("#id_number", "079301007777")
    page.fill("#email", email)
    page.fill("#workplace", "Viện Nghiên cứu Hán Nôm")
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)


def test_registration_asks_for_consent_and_the_reader_downloads_then_deletes_their_data(
        page, portal_server, mail_sink, tmp_path):
    email = "do.thi.rieng@example.vn"
    check_page(page, f"{portal_server.url}/register", "register-consent")
    notice = page.locator("section.privacy-notice")
    expect(notice).to_contain_text("Nghị định 13/2023/NĐ-CP")
    consent = page.get_by_label("Tôi đã đọc thông báo trên")
    expect(consent).not_to_be_checked()

    _fill_registration(page, email)
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.locator("#consent-error")).to_contain_text("đồng ý")
    expect(page.locator("#consent")).to_have_attribute("aria-describedby", "consent-error")
    check_page(page, page.url, "register-consent-missing")  # the refused form, as the reader sees it

    _fill_registration(page, email)  # passwords are not sent back
    page.get_by_label("Tôi đã đọc thông báo trên").check()
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.get_by_role("status")).to_contain_text(email)
    link = re.search(r"https?://\S+/verify/\S+", mail_sink.wait_for(email)[-1].get_content()).group(0)
    page.goto(f"{portal_server.url}/verify/{link.rsplit('/verify/', 1)[1]}")
    page.goto(f"{portal_server.url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("form.auth-form").get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("[data-account]")).to_contain_text("Đỗ Thị Riêng")

    check_page(page, f"{portal_server.url}/account", "account-personal-data")
    expect(page.locator("[data-id-number]")).to_have_text("079301007777")
    expect(page.locator("[data-consent]")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải xuống dữ liệu của tôi").click()
    saved = tmp_path / "my-data.json"
    download_info.value.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["account"]["email"] == email and data["account"]["id_number"] == "079301007777"
    assert data["account"]["consent_at"] and data["access_requests"] == []

    page.get_by_label("Mật khẩu của bạn").fill("không phải mật khẩu")
    page.get_by_role("button", name="Xoá tài khoản của tôi").click()
    expect(page.locator("#password-error")).to_contain_text("Sai mật khẩu")
    page.get_by_label("Mật khẩu của bạn").fill(PASSWORD)
    page.get_by_role("button", name="Xoá tài khoản của tôi").click()
    expect(page.get_by_role("status")).to_contain_text("Tài khoản của bạn đã được xoá")
    expect(page.locator("[data-account]")).to_have_count(0)
    page.goto(f"{portal_server.url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("form.auth-form").get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_contain_text("Sai địa chỉ thư điện tử hoặc mật khẩu")


def test_privacy_notice_page_has_no_serious_accessibility_violations(page, portal_server):
    check_page(page, f"{portal_server.url}/privacy", "privacy-notice")
    expect(page.locator("h1")).to_have_text("Dữ liệu cá nhân")
