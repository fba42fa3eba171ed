"""The portal behind a reverse proxy (PROXY_FIX_HOPS): the client's address and scheme are the ones the
trusted proxy forwards, for the sign-in rate limit (counted in the Redis of scripts/redis.sh), the audit
rows, Flask-Login's session protection and the OpenID Connect redirect address sent to the real Keycloak;
without a trusted proxy, X-Forwarded-* headers a client writes change nothing."""
from __future__ import annotations

import requests

from portal.audit import actions
from tests.accounts import create_user, csrf_token, sign_in
from tests.audit_support import audit_rows
from tests.conftest import make_portal
from tests.keycloak import query_of


def forwarded(address: str, **more) -> dict:
    return {"X-Forwarded-For": address, **{f"X-Forwarded-{name.title()}": value for name, value in more.items()}}


def kept_address(app, address: str) -> str:
    """What the audit log keeps of an anonymous visitor's address (a keyed hash: portal/personal_data)."""
    from portal.personal_data.addresses import anonymous_address

    with app.app_context():
        return anonymous_address(address)


def failed_sign_in(client, headers: dict) -> int:
    page = client.get("/login", headers=headers)
    return client.post("/login", headers=headers, data={"csrf_token": csrf_token(page.text),
                                                          "email": "nobody@example.vn",
                                                          "password": "not the password"}).status_code


def test_behind_one_proxy_each_forwarded_client_has_its_own_sign_in_limit(tmp_path_factory):
    app = make_portal(tmp_path_factory, PROXY_FIX_HOPS=1, RATELIMIT_SIGN_IN="3 per minute")
    assert app.config["RATELIMIT_STORAGE_URI"].startswith("redis://")  # as in production (scripts/test.sh)
    first = forwarded("203.0.113.10")
    assert [failed_sign_in(app.test_client(), first) for _ in range(4)] == [401, 401, 401, 429]
    # Another client behind the same proxy (the same peer address) still has its three tries.
    second = forwarded("203.0.113.20")
    assert failed_sign_in(app.test_client(), second) == 401
    assert failed_sign_in(app.test_client(), first) == 429


def test_behind_one_proxy_the_address_the_proxy_appended_is_the_one_used(tmp_path_factory):
    """A client may send an X-Forwarded-For of its own; the proxy appends the address it saw, and only
    that last one is trusted: forging the first one neither escapes the limit nor lies in the audit log."""
    app = make_portal(tmp_path_factory, PROXY_FIX_HOPS=1, RATELIMIT_SIGN_IN="2 per minute")
    codes = [failed_sign_in(app.test_client(), forwarded(f"10.9.9.{n}, 198.51.100.7")) for n in range(3)]
    assert codes == [401, 401, 429]
    rows = audit_rows(app, actions.SIGN_IN_FAILED)
    assert [row.ip for row in rows] == [kept_address(app, "198.51.100.7")] * 2
    assert all(row.actor == "anonymous" for row in rows)


def test_behind_one_proxy_audit_rows_record_the_client_address(tmp_path_factory):
    app = make_portal(tmp_path_factory, PROXY_FIX_HOPS=1)
    create_user(app, "proxied@example.vn")
    client = app.test_client()
    headers = forwarded("192.0.2.44")
    page = client.get("/login", headers=headers)
    response = client.post("/login", headers=headers, data={"csrf_token": csrf_token(page.text),
                                                             "email": "proxied@example.vn",
                                                             "password": "mật khẩu thử nghiệm đủ dài"})
    assert response.status_code == 302
    client.get("/search?q=vinh+long", headers=headers)
    assert [row.ip for row in audit_rows(app, actions.SIGN_IN)] == ["192.0.2.44"]
    assert [row.ip for row in audit_rows(app, actions.SEARCH)] == ["192.0.2.44"]


def test_without_a_trusted_proxy_a_forged_forwarded_for_is_ignored(tmp_path_factory):
    app = make_portal(tmp_path_factory, RATELIMIT_SIGN_IN="3 per minute")
    assert app.config["PROXY_FIX_HOPS"] == 0
    codes = [failed_sign_in(app.test_client(), forwarded(f"203.0.113.{n}")) for n in range(1, 5)]
    assert codes == [401, 401, 401, 429]  # one peer, one count, whatever the header says
    rows = audit_rows(app, actions.SIGN_IN_FAILED)
    assert len(rows) == 3 and {row.ip for row in rows} == {kept_address(app, "127.0.0.1")}


def test_behind_one_proxy_a_session_moved_to_another_client_address_is_dropped(tmp_path_factory):
    app = make_portal(tmp_path_factory, PROXY_FIX_HOPS=1)
    create_user(app, "moving@example.vn")
    client = app.test_client()
    home = forwarded("192.0.2.10")
    page = client.get("/login", headers=home)
    client.post("/login", headers=home, data={"csrf_token": csrf_token(page.text), "email": "moving@example.vn",
                                              "password": "mật khẩu thử nghiệm đủ dài"})
    assert client.get("/account", headers=home).status_code == 200
    # The same cookie from another address ("strong" session protection): no longer signed in.
    assert client.get("/account", headers=forwarded("192.0.2.99")).status_code == 302
    assert client.get("/account", headers=home).status_code == 302


def test_without_a_trusted_proxy_a_forged_forwarded_for_does_not_end_the_session(tmp_path_factory):
    """Flask-Login's own session identifier reads the first X-Forwarded-For address, which a client writes
    (a thief replaying a cookie could claim the victim's address with it); the portal's reads the peer."""
    app = make_portal(tmp_path_factory)
    create_user(app, "steady@example.vn")
    client = app.test_client()
    assert sign_in(client, "steady@example.vn").status_code == 302
    assert client.get("/account", headers=forwarded("203.0.113.77")).status_code == 200
    assert client.get("/account").status_code == 200


def test_behind_an_https_proxy_keycloak_is_sent_an_https_redirect_address(tmp_path_factory, keycloak):
    app = make_portal(tmp_path_factory, PROXY_FIX_HOPS=1, **keycloak.portal_settings())
    client = app.test_client()
    behind_https = forwarded("192.0.2.5", proto="https", host="archives.example.vn")
    start = client.get("/auth/oidc/login", headers=behind_https)
    assert start.status_code == 302 and start.location.startswith(keycloak.issuer)
    assert query_of(start.location)["redirect_uri"] == "https://archives.example.vn/auth/oidc/callback"
    # Keycloak checks that address against the client's registered ones (the demo realm registers
    # only http loopback addresses): it refuses this one, and takes the plain one below.
    refused = requests.get(start.location, timeout=30)
    assert refused.status_code == 400 and "redirect_uri" in refused.text

    plain = client.get("/auth/oidc/login")
    assert query_of(plain.location)["redirect_uri"] == "http://localhost/auth/oidc/callback"
    login_page = requests.get(plain.location, timeout=30)
    assert login_page.status_code == 200 and 'id="kc-form-login"' in login_page.text


def test_without_a_trusted_proxy_a_forged_forwarded_proto_does_not_change_the_redirect_address(
        tmp_path_factory, keycloak):
    app = make_portal(tmp_path_factory, **keycloak.portal_settings())
    start = app.test_client().get("/auth/oidc/login", headers=forwarded("192.0.2.5", proto="https",
                                                                         host="evil.example"))
    assert query_of(start.location)["redirect_uri"] == "http://localhost/auth/oidc/callback"
