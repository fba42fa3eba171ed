"""Officials sign in through the real Keycloak (scripts/keycloak.sh, realm keycloak/archives-realm.json),
its HTML login form filled with `requests`: the claims give role and province, a wrong state or a
tampered or replayed nonce signs nobody in, and logout ends the Keycloak session too."""
from __future__ import annotations

import lxml.html
import pytest
import requests
from sqlalchemy import select

from tests.conftest import ServerThread, make_portal
from tests.keycloak import browser_like_session, keycloak_sign_in, query_of, submit_login_form, with_query


@pytest.fixture(scope="module")
def sso_portal(tmp_path_factory, keycloak):
    app = make_portal(tmp_path_factory, **keycloak.portal_settings())
    with ServerThread(app) as server:
        server.app = app
        yield server


@pytest.fixture()
def browser_session():
    with browser_like_session() as http:
        yield http


def local_user(app, username_email: str):
    from portal.auth.models import User
    from portal.database import get_db

    with app.app_context():
        return get_db().scalar(select(User).where(User.email == username_email))


def account_page(http, portal_url) -> requests.Response:
    return http.get(f"{portal_url}/account", allow_redirects=False, timeout=30)


def signed_in(http, portal_url) -> bool:
    return account_page(http, portal_url).status_code == 200


@pytest.mark.parametrize("username, email, roles, province", [
    ("vinhlong.staff", "lan.nguyen@vinhlong.archives.invalid", "staff", "86"),
    ("hue.admin", "minh.tran@hue.archives.invalid", "archive_admin", "46"),
    ("national.admin", "hung.le@archives.invalid", "national_admin", None),
    ("auditor", "ha.pham@inspection.invalid", "auditor", None),
    ("official.nogroup", "nam.vo@vinhlong.gov.invalid", "reader", "86"),
])
def test_official_signs_in_with_role_and_province_from_the_claims(
        sso_portal, keycloak, browser_session, username, email, roles, province):
    callback = keycloak_sign_in(browser_session, sso_portal.url, username, keycloak.passwords[username])
    landing = browser_session.get(callback, allow_redirects=False, timeout=30)
    assert landing.status_code == 302 and landing.headers["Location"] in ("/", f"{sso_portal.url}/")

    user = local_user(sso_portal.app, email)
    assert user is not None and user.oidc_subject and user.oidc_issuer == keycloak.issuer
    assert (user.roles, user.province) == (roles, province)
    assert user.last_login_at is not None and user.password_hash is None
    # The ID token kept for logout still leaves the session cookie well under browsers' 4 KB.
    assert all(len(cookie.value) < 3500 for cookie in browser_session.cookies if cookie.name == "session")

    page = account_page(browser_session, sso_portal.url)
    assert page.status_code == 200
    tree = lxml.html.fromstring(page.text)
    role_shown = tree.xpath("//*[@data-role]")[0].text_content()
    assert role_shown.strip()
    if province == "86":
        assert "Vĩnh Long" in tree.xpath("//*[@data-province]")[0].text_content()


def test_a_later_sign_in_updates_the_same_user(sso_portal, keycloak):
    from portal.auth.models import User
    from portal.database import get_db

    email = "lan.nguyen@vinhlong.archives.invalid"
    for _ in range(2):
        with browser_like_session() as http:
            callback = keycloak_sign_in(http, sso_portal.url, "vinhlong.staff", keycloak.passwords["vinhlong.staff"])
            assert http.get(callback, allow_redirects=False, timeout=30).status_code == 302
        # Between the two sign-ins the portal's copy drifts; the claims put it right again.
        with sso_portal.app.app_context():
            db = get_db()
            users = db.scalars(select(User).where(User.email == email)).all()
            assert len(users) == 1
            users[0].roles, users[0].province = "national_admin", "46"
            db.commit()
    user = local_user(sso_portal.app, email)
    assert (user.roles, user.province) == ("national_admin", "46")  # the drift after the last sign-in
    with browser_like_session() as http:
        callback = keycloak_sign_in(http, sso_portal.url, "vinhlong.staff", keycloak.passwords["vinhlong.staff"])
        http.get(callback, allow_redirects=False, timeout=30)
    user = local_user(sso_portal.app, email)
    assert (user.roles, user.province) == ("staff", "86")


def test_authorization_request_uses_pkce_s256_state_and_nonce(sso_portal, browser_session):
    start = browser_session.get(f"{sso_portal.url}/auth/oidc/login", allow_redirects=False, timeout=30)
    query = query_of(start.headers["Location"])
    assert query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) >= 43
    assert len(query["state"]) >= 20 and len(query["nonce"]) >= 20
    assert "openid" in query["scope"].split()
    assert query["redirect_uri"] == f"{sso_portal.url}/auth/oidc/callback"
    assert query["ui_locales"] == "vi"  # Keycloak's login page in the portal's language


def test_wrong_state_is_refused(sso_portal, keycloak, browser_session):
    callback = keycloak_sign_in(browser_session, sso_portal.url, "vinhlong.staff", keycloak.passwords["vinhlong.staff"])
    refused = browser_session.get(with_query(callback, state="forged-state-value"), allow_redirects=False, timeout=30)
    assert refused.status_code == 400
    assert "data-sso-error" in refused.text
    assert not signed_in(browser_session, sso_portal.url)


def test_missing_state_is_refused(sso_portal, keycloak, browser_session):
    callback = keycloak_sign_in(browser_session, sso_portal.url, "vinhlong.staff", keycloak.passwords["vinhlong.staff"])
    code = query_of(callback)["code"]
    refused = browser_session.get(f"{sso_portal.url}/auth/oidc/callback?code={code}", allow_redirects=False,
                                  timeout=30)
    assert refused.status_code == 400
    assert not signed_in(browser_session, sso_portal.url)


def test_tampered_nonce_is_refused(sso_portal, keycloak, browser_session):
    callback = keycloak_sign_in(browser_session, sso_portal.url, "vinhlong.staff", keycloak.passwords["vinhlong.staff"],
                                tamper=lambda url: with_query(url, nonce="nonce-chosen-by-an-attacker"))
    refused = browser_session.get(callback, allow_redirects=False, timeout=30)
    assert refused.status_code == 401
    assert "data-sso-error" in refused.text
    assert not signed_in(browser_session, sso_portal.url)


def test_replayed_nonce_of_another_sign_in_is_refused(sso_portal, keycloak, browser_session):
    first = browser_session.get(f"{sso_portal.url}/auth/oidc/login", allow_redirects=False, timeout=30)
    earlier_nonce = query_of(first.headers["Location"])["nonce"]
    callback = keycloak_sign_in(browser_session, sso_portal.url, "vinhlong.staff", keycloak.passwords["vinhlong.staff"],
                                tamper=lambda url: with_query(url, nonce=earlier_nonce))
    refused = browser_session.get(callback, allow_redirects=False, timeout=30)
    assert refused.status_code == 401
    assert not signed_in(browser_session, sso_portal.url)


def test_replayed_callback_is_refused(sso_portal, keycloak, browser_session):
    callback = keycloak_sign_in(browser_session, sso_portal.url, "vinhlong.staff", keycloak.passwords["vinhlong.staff"])
    assert browser_session.get(callback, allow_redirects=False, timeout=30).status_code == 302
    # The same answer again, in the same browser and in another one: its state is spent.
    assert browser_session.get(callback, allow_redirects=False, timeout=30).status_code == 400
    with browser_like_session() as attacker:
        assert attacker.get(callback, allow_redirects=False, timeout=30).status_code == 400
        assert not signed_in(attacker, sso_portal.url)


def test_identity_provider_error_is_refused(sso_portal, browser_session):
    start = browser_session.get(f"{sso_portal.url}/auth/oidc/login", allow_redirects=False, timeout=30)
    state = query_of(start.headers["Location"])["state"]
    refused = browser_session.get(f"{sso_portal.url}/auth/oidc/callback?error=access_denied&state={state}",
                                  allow_redirects=False, timeout=30)
    assert refused.status_code == 400
    assert not signed_in(browser_session, sso_portal.url)


def test_wrong_password_stays_at_keycloak(sso_portal, keycloak, browser_session):
    start = browser_session.get(f"{sso_portal.url}/auth/oidc/login", allow_redirects=False, timeout=30)
    login_page = browser_session.get(start.headers["Location"], timeout=30)
    answer = submit_login_form(browser_session, login_page, "vinhlong.staff", "not-the-password")
    assert answer.status_code == 200 and "kc-form-login" in answer.text
    assert not signed_in(browser_session, sso_portal.url)


def test_logout_reaches_the_end_session_endpoint(sso_portal, keycloak, browser_session):
    callback = keycloak_sign_in(browser_session, sso_portal.url, "vinhlong.staff", keycloak.passwords["vinhlong.staff"])
    browser_session.get(callback, allow_redirects=False, timeout=30)
    page = account_page(browser_session, sso_portal.url)
    form = next(form for form in lxml.html.fromstring(page.text).forms
                if form.get("action", "").endswith("/auth/oidc/logout"))
    out = browser_session.post(f"{sso_portal.url}/auth/oidc/logout", data=dict(form.form_values()),
                               allow_redirects=False, timeout=30)
    assert out.status_code == 302
    end_session = requests.get(f"{keycloak.issuer}/.well-known/openid-configuration", timeout=10).json()[
        "end_session_endpoint"]
    assert out.headers["Location"].startswith(end_session + "?")
    logout_query = query_of(out.headers["Location"])
    assert logout_query["id_token_hint"].count(".") == 2
    assert logout_query["post_logout_redirect_uri"] == f"{sso_portal.url}/auth/oidc/logged-out"
    assert not signed_in(browser_session, sso_portal.url)  # signed out here already

    back = browser_session.get(out.headers["Location"], allow_redirects=False, timeout=30)
    assert back.status_code == 302, back.text[:500]
    assert back.headers["Location"].startswith(f"{sso_portal.url}/auth/oidc/logged-out?state=")
    home = browser_session.get(back.headers["Location"], allow_redirects=False, timeout=30)
    assert home.status_code == 302

    # The Keycloak session has ended too: signing in again shows its login form, not a silent sign-in.
    again = browser_session.get(f"{sso_portal.url}/auth/oidc/login", allow_redirects=False, timeout=30)
    at_keycloak = browser_session.get(again.headers["Location"], allow_redirects=False, timeout=30)
    assert at_keycloak.status_code == 200 and "kc-form-login" in at_keycloak.text


def test_an_official_is_never_linked_to_a_local_account_by_email(tmp_path_factory, keycloak):
    from tests.accounts import create_user

    app = make_portal(tmp_path_factory, **keycloak.portal_settings())
    email = "nam.vo@vinhlong.gov.invalid"
    local_id = create_user(app, email, roles="reader")
    with ServerThread(app) as server, browser_like_session() as http:
        callback = keycloak_sign_in(http, server.url, "official.nogroup", keycloak.passwords["official.nogroup"])
        assert http.get(callback, allow_redirects=False, timeout=30).status_code == 302
    from portal.auth.models import User
    from portal.database import get_db

    with app.app_context():
        official = get_db().scalar(select(User).where(User.oidc_subject.is_not(None)))
        local = get_db().get(User, local_id)
        assert official.id != local_id and official.email is None and official.roles == "reader"
        assert local.oidc_subject is None and local.email == email


def test_sso_not_configured_says_so(tmp_path_factory):
    app = make_portal(tmp_path_factory, OIDC_ISSUER="")
    client = app.test_client()
    answer = client.get("/auth/oidc/login")
    assert answer.status_code == 404 and "data-sso-error" in answer.text
    assert client.get("/auth/oidc/callback?code=x&state=y").status_code == 404
    assert "data-sso-login" not in client.get("/login").text


def test_identity_provider_unreachable_is_a_clear_error(tmp_path_factory):
    app = make_portal(tmp_path_factory, OIDC_ISSUER="http://127.0.0.1:9/realms/archives",
                      OIDC_CLIENT_ID="archives-portal", OIDC_CLIENT_SECRET="x")
    answer = app.test_client().get("/auth/oidc/login")
    assert answer.status_code == 503 and "data-sso-error" in answer.text
