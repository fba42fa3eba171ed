"""The whole path of an access request in a browser: a reader asks from a restricted record's
page, the Vĩnh Long official signs in through Keycloak (its own login page) and approves with
scope "file", the reader reads the full text of every item of that file and still not of the
neighbouring file; after the expiry (the clock moved) nothing is open any more."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import Page, expect

from tests.access_requests import file_and_neighbour, restricted_files, unique_email
from tests.accounts import TEST_PASSWORD, create_user
from tests.conftest import ServerThread, make_portal

OFFICIAL = "vinhlong.staff"  # the Vĩnh Long staff member of keycloak/archives-realm.json (staff, province 86)


@pytest.fixture(scope="module")
def sso_portal(tmp_path_factory, harvested_app, keycloak, mail_sink):
    """The portal with government SSO: the session's harvested index, a database of its own."""
    app = make_portal(tmp_path_factory, OPENSEARCH_INDEX_PREFIX=harvested_app.config["OPENSEARCH_INDEX_PREFIX"],
                      **keycloak.portal_settings(), **mail_sink.settings)
    with ServerThread(app) as server:
        server.app = app
        yield server


def sign_in_as_official(page: Page, base_url: str, keycloak, username: str = OFFICIAL) -> None:
    """The official's sign-in step, in one place: through the government SSO button to
    Keycloak's own login page, and back to the staff queue."""
    page.goto(base_url + "/login?next=/staff/requests")
    page.locator("[data-sso-login]").click()
    expect(page).to_have_url(re.compile("^" + re.escape(keycloak.issuer + "/")))
    page.fill("#username", username)
    page.fill("#password", keycloak.passwords[username])
    page.click("#kc-login")
    expect(page).to_have_url(base_url + "/staff/requests")


def _sign_in_on_the_form(page: Page, email: str) -> None:
    page.fill("form.auth-form #email", email)
    page.fill("form.auth-form #password", TEST_PASSWORD)
    page.click("form.auth-form button[type=submit]")


@pytest.fixture(scope="module")
def secrets(sso_portal):
    return file_and_neighbour(restricted_files(sso_portal.app))


def test_reader_asks_official_approves_the_file_and_expiry_closes_it(browser, sso_portal, keycloak, secrets):
    granted_file, neighbour = secrets
    base, app = sso_portal.url, sso_portal.app
    reader_email = unique_email("e2e-reader")
    create_user(app, reader_email, full_name="Nguyễn Văn Đọc")
    item_id, item_token = next(iter(granted_file.items.items()))

    reader_context, staff_context = browser.new_context(locale="vi-VN"), browser.new_context(locale="vi-VN")
    try:
        reader = reader_context.new_page()
        # The reader, not signed in yet, asks from the record page and is brought back after sign-in.
        reader.goto(f"{base}/records/{item_id}")
        expect(reader.locator("section.fulltext")).to_have_count(0)
        reader.click("[data-ask-access]")
        _sign_in_on_the_form(reader, reader_email)
        expect(reader.locator("form.request-form")).to_be_visible()
        reader.select_option("#purpose", "personal")
        reader.fill("#use_description", "Viết luận văn về lịch sử hành chính tỉnh")
        reader.fill("#research_topic", "Tổ chức bộ máy chính quyền")
        reader.fill("#period_wanted", "1990–2000")
        reader.click("form.request-form button[type=submit]")
        expect(reader.locator("[data-state]")).to_have_attribute("data-state", "submitted")

        staff = staff_context.new_page()
        sign_in_as_official(staff, base, keycloak)
        request_id = reader.url.rsplit("/", 1)[1]
        staff.click(f"tr[data-request='{request_id}'] a")
        expect(staff.locator("h1")).to_contain_text(f"#{request_id}")
        # What the reader asked for (one item) is preselected; the whole file is the official's choice.
        expect(staff.locator("#approve-form input[name=scope][value=record]")).to_be_checked()
        expect(staff.locator("#approve-form input[name=scope][value=file]")).not_to_be_checked()
        staff.check("#approve-form input[name=scope][value=file]")
        staff.click("#approve-form button[type=submit]")
        expect(staff.locator("[data-state]")).to_have_attribute("data-state", "approved")

        for record_id, token in granted_file.items.items():
            reader.goto(f"{base}/records/{record_id}")
            expect(reader.locator("section.fulltext")).to_contain_text(token)
        for record_id, token in neighbour.items.items():
            reader.goto(f"{base}/records/{record_id}")
            expect(reader.locator("section.fulltext")).to_have_count(0)
            assert token not in reader.content()
        reader.goto(f"{base}/search?q={item_token}")
        expect(reader.locator("ol.hits")).to_contain_text(item_token)
        expect(reader.locator("[data-inbox] [data-unread]")).to_be_visible()

        later = datetime.now(timezone.utc) + timedelta(days=91)
        app.config["ACCESS_CLOCK"] = lambda: later
        try:
            for record_id, token in granted_file.items.items():
                reader.goto(f"{base}/records/{record_id}")
                expect(reader.locator("section.fulltext")).to_have_count(0)
                assert token not in reader.content()
            reader.goto(f"{base}/requests")
            expect(reader.locator("table.grants")).to_be_visible()
        finally:
            app.config.pop("ACCESS_CLOCK", None)
    finally:
        reader_context.close()
        staff_context.close()


def test_request_pages_have_no_serious_accessibility_violations(browser, sso_portal, keycloak, secrets):
    from tests.e2e.test_accessibility import check_page

    base = sso_portal.url
    reader_email = unique_email("axe-reader")
    create_user(sso_portal.app, reader_email)
    item_id = list(secrets[1].items)[0]
    reader_context, staff_context = browser.new_context(locale="vi-VN"), browser.new_context(locale="vi-VN")
    try:
        reader = reader_context.new_page()
        reader.goto(f"{base}/login")
        _sign_in_on_the_form(reader, reader_email)
        check_page(reader, f"{base}/requests/new?record={item_id}", "request-new")
        reader.click("form.request-form button[type=submit]")  # empty: the errors are shown accessibly
        expect(reader.locator(".field-error").first).to_be_visible()
        check_page(reader, reader.url, "request-new-errors")
        reader.select_option("#purpose", "official")
        reader.fill("#use_description", "Phục vụ công tác thanh tra")
        reader.click("form.request-form button[type=submit]")
        expect(reader.locator("[data-state]")).to_have_attribute("data-state", "submitted")
        request_id = reader.url.rsplit("/", 1)[1]
        check_page(reader, reader.url, "request-reader")
        check_page(reader, f"{base}/requests", "requests-list")

        staff = staff_context.new_page()
        sign_in_as_official(staff, base, keycloak)
        check_page(staff, f"{base}/staff/requests", "staff-queue")
        check_page(staff, f"{base}/staff/requests/{request_id}", "staff-request")
        check_page(staff, f"{base}/staff/grants", "staff-grants")
        check_page(staff, f"{base}/inbox", "inbox")
    finally:
        reader_context.close()
        staff_context.close()
