"""Local reader accounts on the real database (SQLite, and PostgreSQL where `make test` runs it):
registration and e-mail verification through a real SMTP sink, sign-in security, password reset."""
from __future__ import annotations

import re
from urllib.parse import unquote_plus
from datetime import datetime, timedelta, timezone

import pytest

from tests.accounts import TEST_PASSWORD, create_user, csrf_token, sign_in
from tests.conftest import make_portal

STRONG = "sông Cửu Long chín nhánh"


@pytest.fixture()
def portal(tmp_path_factory, database_url, mail_sink):
    return make_portal(tmp_path_factory, database_url=database_url, **mail_sink.settings)


def _register(client, address, password=STRONG, **changes):
    page = client.get("/register")
    form = {"csrf_token": csrf_token(page.text), "full_name": "Trần Thị Bình", "id_number": "079301001234",
            "email": address, "phone": "0912 345 678", "workplace": "Viện Sử học", "password": password,
            "confirm": password, "consent": "y"}
    form.update(changes)
    form = {name: value for name, value in form.items() if value is not None}  # None: the field left out
    return client.post("/register", data=form)


def _link_in(mail) -> str:
    return re.search(r"https?://\S+", mail.get_content()).group(0).split("localhost", 1)[1]


def test_reader_registers_confirms_the_email_from_the_sink_and_signs_in(portal, mail_sink):
    client = portal.test_client()
    assert _register(client, "Binh.Tran@example.vn").status_code == 200
    assert sign_in(client, "binh.tran@example.vn", STRONG).status_code == 403  # not confirmed yet
    mail = mail_sink.wait_for("binh.tran@example.vn")[-1]
    assert client.get(_link_in(mail)).status_code == 200
    response = sign_in(client, "BINH.TRAN@example.vn", STRONG)
    assert response.status_code == 302
    account = client.get("/account")
    assert account.status_code == 200 and "Trần Thị Bình" in account.text and "Viện Sử học" in account.text


def test_registering_a_taken_address_looks_the_same_and_tells_the_owner(portal, mail_sink):
    create_user(portal, "owner@example.vn")
    first = _register(portal.test_client(), "owner@example.vn")
    fresh = _register(portal.test_client(), "newcomer@example.vn")
    assert first.status_code == fresh.status_code == 200

    def main_part(response, address):
        return response.text.split("<main")[1].split("</main>")[0].replace(address, "ADDRESS")

    assert main_part(first, "owner@example.vn") == main_part(fresh, "newcomer@example.vn")
    assert "/password/forgot" in mail_sink.wait_for("owner@example.vn")[-1].get_content()


@pytest.mark.parametrize("changes, field", [
    ({"password": "short", "confirm": "short"}, "password"),
    ({"confirm": "something else entirely"}, "confirm"),
    ({"email": "not-an-address"}, "email"),
    ({"id_number": "12 34"}, "id_number"),
    ({"full_name": ""}, "full_name"),
    ({"consent": None}, "consent"),  # the consent box left unticked
])
def test_a_form_filled_wrong_says_which_field_and_stores_nothing(portal, changes, field):
    response = _register(portal.test_client(), "wrong@example.vn", **changes)
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.text
    with portal.app_context():
        from portal.auth.accounts import find_by_email
        from portal.database import get_db

        assert find_by_email(get_db(), "wrong@example.vn") is None


def test_a_post_without_csrf_token_is_refused_with_400(portal):
    create_user(portal, "csrf@example.vn")
    client = portal.test_client()
    assert client.post("/login", data={"email": "csrf@example.vn", "password": TEST_PASSWORD}).status_code == 400
    assert client.get("/account").status_code == 302  # not signed in
    assert sign_in(client, "csrf@example.vn").status_code == 302
    assert client.post("/logout").status_code == 400  # nor can a foreign page sign anyone out
    assert client.get("/account").status_code == 200
    assert client.post("/register", data={"email": "x@example.vn"}).status_code == 400


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example",
                                    "https:/evil.example", "javascript:alert(1)", "/%0d%0aSet-Cookie:x=y"])
def test_sign_in_does_not_follow_next_to_another_site(portal, target):
    create_user(portal, "next@example.vn")
    response = sign_in(portal.test_client(), "next@example.vn", next_url=target)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "evil" not in location and not location.startswith("javascript") and "\n" not in location


def test_sign_in_follows_next_within_the_portal(portal):
    create_user(portal, "local-next@example.vn")
    response = sign_in(portal.test_client(), "local-next@example.vn", next_url="/search?q=ngh%E1%BB%8B+quy%E1%BA%BFt")
    assert unquote_plus(response.headers["Location"]) == "/search?q=nghị quyết"


def test_the_session_is_new_at_sign_in(portal):
    create_user(portal, "fixation@example.vn")
    client = portal.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        session["planted_by_attacker"] = "x"
        before = dict(session)
    sign_in(client, "fixation@example.vn")
    with client.session_transaction() as session:
        after = dict(session)
    assert "planted_by_attacker" not in after
    assert after.get("sid") and after.get("sid") != before.get("sid")
    assert after.get("_user_id")


def test_session_cookie_flags(tmp_path_factory):
    app = make_portal(tmp_path_factory, SESSION_COOKIE_SECURE=True)
    create_user(app, "cookie@example.vn")
    response = sign_in(app.test_client(), "cookie@example.vn")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_ten_wrong_passwords_slow_the_account_down(portal):
    create_user(portal, "guessed@example.vn")
    client = portal.test_client()
    for _ in range(10):
        assert sign_in(client, "guessed@example.vn", "wrong password here").status_code == 401
    refused = sign_in(client, "guessed@example.vn")  # even the right password must wait now
    assert refused.status_code == 429
    assert client.get("/account").status_code == 302
    with portal.app_context():
        from portal.auth.accounts import find_by_email
        from portal.database import get_db

        user = find_by_email(get_db(), "guessed@example.vn")
        assert user.failed_logins == 10
        user.locked_until = datetime.now(timezone.utc) - timedelta(seconds=1)  # the wait is over
        get_db().commit()
    assert sign_in(client, "guessed@example.vn").status_code == 302


def test_sign_in_attempts_from_one_address_are_rate_limited(tmp_path_factory):
    app = make_portal(tmp_path_factory, RATELIMIT_SIGN_IN="3 per minute")
    client = app.test_client()
    codes = [sign_in(client, f"nobody{n}@example.vn", "wrong password here").status_code for n in range(4)]
    assert codes == [401, 401, 401, 429]


def test_password_reset_through_the_mailed_link_works_once(portal, mail_sink):
    create_user(portal, "forgetful@example.vn")
    client = portal.test_client()
    page = client.get("/password/forgot")
    client.post("/password/forgot", data={"csrf_token": csrf_token(page.text), "email": "forgetful@example.vn"})
    link = _link_in(mail_sink.wait_for("forgetful@example.vn")[-1])
    form = client.get(link)
    assert form.status_code == 200
    done = client.post(link, data={"csrf_token": csrf_token(form.text), "password": STRONG, "confirm": STRONG})
    assert done.status_code == 200
    assert sign_in(portal.test_client(), "forgetful@example.vn").status_code == 401  # the old password
    assert sign_in(portal.test_client(), "forgetful@example.vn", STRONG).status_code == 302
    assert client.get(link).status_code == 400  # used once, never again


def test_forgot_password_for_an_unknown_address_looks_the_same(portal, mail_sink):
    client = portal.test_client()
    page = client.get("/password/forgot")
    response = client.post("/password/forgot", data={"csrf_token": csrf_token(page.text),
                                                      "email": "nobody-here@example.vn"})
    assert response.status_code == 200 and "nobody-here@example.vn" in response.text
    assert mail_sink.to("nobody-here@example.vn") == []


def test_a_tampered_verification_link_is_refused(portal, mail_sink):
    _register(portal.test_client(), "tamper@example.vn")
    link = _link_in(mail_sink.wait_for("tamper@example.vn")[-1])
    assert portal.test_client().get(link[:-3] + "abc").status_code == 400


def test_a_deactivated_account_loses_its_session(portal):
    user_id = create_user(portal, "leaver@example.vn")
    client = portal.test_client()
    sign_in(client, "leaver@example.vn")
    assert client.get("/account").status_code == 200
    with portal.app_context():
        from portal.auth.models import User
        from portal.database import get_db

        get_db().get(User, user_id).active = False
        get_db().commit()
    assert client.get("/account").status_code == 302


def test_sign_out_ends_the_session(portal):
    create_user(portal, "out@example.vn")
    client = portal.test_client()
    sign_in(client, "out@example.vn")
    home = client.get("/")
    assert client.post("/logout", data={"csrf_token": csrf_token(home.text)}).status_code == 302
    assert client.get("/account").status_code == 302


def test_mail_server_down_loses_no_registration(tmp_path_factory):
    app = make_portal(tmp_path_factory, MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nothing listens there
    response = _register(app.test_client(), "unlucky@example.vn")
    assert response.status_code == 200 and 'role="alert"' in response.text
    with app.app_context():
        from portal.auth.accounts import find_by_email
        from portal.database import get_db

        assert find_by_email(get_db(), "unlucky@example.vn") is not None
