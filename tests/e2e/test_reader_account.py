"""In the browser: a reader registers, confirms the e-mail from the SMTP sink, signs in and out."""
from __future__ import annotations

import re

from playwright.sync_api import expect


def test_reader_registers_confirms_and_signs_in(page, portal_server, mail_sink):
    page.goto(f"{portal_server.url}/")
    page.get_by_role("link", name="Đăng ký").first.click()
    page.fill("#full_name", "Lê Văn Sử")
    page.fill("#id_number", "079301009999")
    page.fill("#email", "le.van.su@example.vn")
    page.fill("#phone", "0912 345 678")
    page.fill("#workplace", "Trường Đại học Cần Thơ")
    page.fill("#password", "ngàn năm văn hiến")
    page.fill("#confirm", "ngàn năm văn hiến")
    page.get_by_label("Tôi đã đọc thông báo trên").check()  # explicit consent (Decree 13/2023)
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.get_by_role("status")).to_contain_text("le.van.su@example.vn")

    mail = mail_sink.wait_for("le.van.su@example.vn")[-1]
    link = re.search(r"https?://\S+/verify/\S+", mail.get_content()).group(0)
    page.goto(f"{portal_server.url}/verify/{link.rsplit('/verify/', 1)[1]}")
    expect(page.get_by_role("status")).to_contain_text("đã được xác nhận")

    page.get_by_role("link", name="Đăng nhập").last.click()
    page.fill("#email", "le.van.su@example.vn")
    page.fill("#password", "ngàn năm văn hiến")
    page.locator("form.auth-form").get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("[data-account]")).to_contain_text("Lê Văn Sử")
    expect(page.locator("[data-account]")).to_contain_text("Độc giả")

    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("status")).to_contain_text("Bạn đã đăng xuất")
    expect(page.locator("[data-account]")).to_have_count(0)


def test_a_wrong_password_says_so_and_keeps_the_form(page, portal_server):
    page.goto(f"{portal_server.url}/login")
    page.fill("#email", "nobody@example.vn")
    page.fill("#password", "không phải mật khẩu")
    page.locator("form.auth-form").get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_contain_text("Sai địa chỉ thư điện tử hoặc mật khẩu")
    expect(page.locator("#email")).to_have_value("nobody@example.vn")
