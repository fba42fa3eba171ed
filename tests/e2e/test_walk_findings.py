"""What the walk through the portal found (issue 18), each as a reader meets it in the browser."""
from __future__ import annotations

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
