"""What the walk through the portal found (issue 18), each as a reader meets it in the browser."""
from __future__ import annotations

import re

from playwright.sync_api import expect


def test_a_record_reached_without_a_search_leaves_the_search_box_empty(page, portal_server):
    record_id = page.request.get(portal_server.url + "/api/v1/search?level=file&size=1").json()["hits"][0]["id"]
    page.goto(f"{portal_server.url}/records/{record_id}")  # a permalink, as shared or bookmarked
    expect(page.locator("article.record h1")).to_be_visible()
    expect(page.locator("#q")).to_have_value("")
    page.locator("#q").press("Enter")  # searching from there lists everything, not the word "None"
    expect(page.locator("#q")).to_have_value("")
    expect(page.locator("main")).not_to_contain_text("None")


def test_an_error_page_speaks_vietnamese_and_says_what_to_do(page, portal_server):
    page.goto(portal_server.url + "/logout")  # an address that takes only POST
    expect(page.locator("h1")).to_have_text("Không thực hiện được ở đây")
    expect(page.locator("main [role=alert]")).to_contain_text("Hãy quay lại trang trước")
    expect(page.locator("main")).not_to_contain_text("The method is not allowed")


def test_registering_brings_the_reader_back_to_the_record_after_confirming(page, portal_server, mail_sink):
    """The reader wanted a record, had no account: register (ID number typed as printed, with spaces),
    confirm the e-mail, sign in, and arrive where they were going."""
    found = page.request.get(portal_server.url + "/api/v1/search?access=restricted&level=file&size=1").json()
    record_id = found["hits"][0]["id"]
    page.goto(f"{portal_server.url}/records/{record_id}")
    page.click("[data-ask-access]")
    page.get_by_role("link", name="Đăng ký làm độc giả").click()
    email = "tran.van.quay.lai@example.vn"
    page.fill("#full_name", "Trần Văn Quay Lại")
    page.fill("#id_number", "079 203 004 512")
    page.fill("#email", email)
    page.fill("#workplace", "Trường Đại học Cần Thơ")
    page.fill("#password", "đường về nhà xa lắm")
    page.fill("#confirm", "đường về nhà xa lắm")
    page.locator("#consent").check()
    page.locator("form.auth-form button[type=submit]").click()
    expect(page.get_by_role("status")).to_contain_text(email)
    link = re.search(r"https?://\S+/verify/\S+", mail_sink.wait_for(email)[-1].get_content()).group(0)
    page.goto(f"{portal_server.url}/verify/{link.rsplit('/verify/', 1)[1]}")
    page.locator("main a.button").click()  # "Đăng nhập" under "E-mail confirmed"
    page.fill("#email", email)
    page.fill("#password", "đường về nhà xa lắm")
    page.locator("form.auth-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/requests/new\?record="))
    expect(page.locator("form.request-form")).to_be_visible()
    page.goto(f"{portal_server.url}/account")
    expect(page.locator("[data-id-number]")).to_have_text("079203004512")  # kept without the spaces typed
