"""An auditor in the browser: signs in, filters the audit log, opens a row; axe-core finds no
serious or critical violation on the audit pages."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.sign_in import sign_in_as
from tests.e2e.test_accessibility import check_page


def test_auditor_filters_the_log_and_reads_a_row(page, portal_server, harvested_app):
    page.goto(f"{portal_server.url}/search?q=vinh+long")  # leaves a search row to find
    sign_in_as(page, portal_server, harvested_app, "thanh.tra@example.vn", "auditor", "Phạm Thị Thanh Tra")
    page.get_by_role("link", name="Nhật ký kiểm toán").click()
    check_page(page, page.url, "audit-log")
    page.select_option("select[name=action]", "search.query")
    page.get_by_role("button", name="Lọc").click()
    rows = page.locator("table.audit-rows tbody tr")
    # The action in words (issue 18); the code stays in the row's data and on its detail page.
    expect(rows.first).to_contain_text("Tìm kiếm")
    assert rows.count() == page.locator("table.audit-rows tbody td[data-action='search.query']").count() > 0
    rows.first.get_by_role("link").click()
    expect(page.locator("h1")).to_contain_text("Dòng nhật ký")
    expect(page.locator("pre.audit-details")).to_contain_text('"hits"')
    check_page(page, page.url, "audit-row")
