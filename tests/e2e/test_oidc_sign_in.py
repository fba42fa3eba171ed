"""An official of Vĩnh Long signs in through the government SSO (the real Keycloak and its own login
page) and lands back on the portal as archive staff of Vĩnh Long, then signs out of both."""
from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import ServerThread, make_portal

SCREENSHOTS = os.path.join(os.path.dirname(__file__), "..", "..", "test-results")


@pytest.fixture(scope="module")
def sso_portal_server(tmp_path_factory, harvested_app, keycloak):
    # Reads the index the session harvested; a database and the SSO settings of its own.
    app = make_portal(tmp_path_factory, OPENSEARCH_INDEX_PREFIX=harvested_app.config["OPENSEARCH_INDEX_PREFIX"],
                      **keycloak.portal_settings())
    with ServerThread(app) as server:
        server.app = app
        yield server


def expected_labels(app) -> tuple[str, str]:
    from portal.labels import province_label, role_label

    with app.test_request_context("/", headers={"Accept-Language": "vi"}):
        return role_label("staff"), province_label("86")


def test_vinh_long_official_signs_in_with_government_sso(page, sso_portal_server, keycloak):
    role, province = expected_labels(sso_portal_server.app)
    page.goto(sso_portal_server.url + "/")
    page.locator("nav.account a[href^='/login']").click()
    page.locator("[data-sso-login]").click()

    # Keycloak's own login page, in Vietnamese.
    expect(page).to_have_url(re.compile("^" + re.escape(keycloak.issuer + "/")))
    page.fill("#username", "vinhlong.staff")
    page.fill("#password", keycloak.passwords["vinhlong.staff"])
    page.click("#kc-login")

    expect(page).to_have_url(sso_portal_server.url + "/")
    account = page.locator("[data-account]")
    expect(account).to_contain_text("Nguyễn Thị Lan")
    expect(account).to_contain_text(role)
    expect(account).to_contain_text(province)
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SCREENSHOTS, "oidc-signed-in-vinh-long.png"), full_page=True)

    account.click()
    expect(page.locator("[data-role]")).to_have_text(role)
    expect(page.locator("[data-province]")).to_contain_text(province)

    # Signing out ends the Keycloak session too: the next SSO sign-in asks for the password again.
    page.locator("nav.account button[type=submit]").click()
    expect(page).to_have_url(sso_portal_server.url + "/")
    expect(page.locator("[data-account]")).to_have_count(0)
    page.goto(sso_portal_server.url + "/auth/oidc/login")
    expect(page.locator("#kc-login")).to_be_visible()


@pytest.mark.parametrize(("name", "path"), [
    ("sso-refused", "/auth/oidc/callback?code=x&state=not-ours"),
    ("login-with-sso", "/login"),
])
def test_sso_pages_have_no_serious_accessibility_violations(page, sso_portal_server, name, path):
    from tests.e2e.test_accessibility import check_page

    check_page(page, sso_portal_server.url + path, name)
    if name == "sso-refused":
        expect(page.locator("[data-sso-error]")).to_be_visible()
