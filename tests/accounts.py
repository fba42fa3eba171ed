"""Test helpers for people: make a user of any role, sign a test client in as them."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from flask import Flask
from flask.testing import FlaskClient

TEST_PASSWORD = "mật khẩu thử nghiệm đủ dài"
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(page_html: str) -> str:
    match = _CSRF.search(page_html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def create_user(app: Flask, email: str, roles: str = "reader", province: str | None = None,
                password: str = TEST_PASSWORD, verified: bool = True, full_name: str | None = None):
    """A local account in the app's database (verified unless told otherwise); returns its id."""
    from portal.auth.models import User
    from portal.auth.passwords import hash_password

    with app.app_context():
        from portal.database import get_db

        db = get_db()
        user = User(email=email.lower(), full_name=full_name or email.split("@")[0], roles=roles,
                    province=province, password_hash=hash_password(password), active=True, failed_logins=0,
                    email_verified_at=datetime.now(timezone.utc) if verified else None)
        db.add(user)
        db.commit()
        return user.id


def sign_in(client: FlaskClient, email: str, password: str = TEST_PASSWORD, next_url: str | None = None):
    """Sign in through the real form, CSRF token and all; returns the POST's response."""
    page = client.get("/login")
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"csrf_token": csrf_token(page.text), "email": email, "password": password})


def signed_in_client(app: Flask, email: str, roles: str = "reader", province: str | None = None) -> FlaskClient:
    """A new test client signed in as a new user with these roles."""
    create_user(app, email, roles, province)
    client = app.test_client()
    response = sign_in(client, email)
    assert response.status_code == 302, response.text[:500]
    return client


def grant_file(app: Flask, user_id: int, file_id: str) -> None:
    """An active access grant of one Vĩnh Long file to the user, for 30 days, as staff of Vĩnh Long give it."""
    from portal.access.models import AccessGrant
    from portal.database import get_db

    granter = create_user(app, f"granter-{user_id}@example.vn", "staff", "86")
    with app.app_context():
        db = get_db()
        db.add(AccessGrant(user_id=user_id, scope="file", scope_record_id=file_id, scope_level="file",
                           scope_title="", holding_province="86", granted_by_id=granter,
                           expires_at=datetime.now(timezone.utc) + timedelta(days=30), state="active"))
        db.commit()


def sign_in_people(app: Flask, people, granted_file: str, tag: str) -> dict[str, FlaskClient]:
    """One test client per person of tests/permission_truth.py, signed in through /login (anonymous: not
    signed in); a person with grants holds a real access_grants row on `granted_file`."""
    signed_in = {}
    for number, person in enumerate(people):
        client = app.test_client()
        if person.name != "anonymous":
            email = f"{tag}-{number}@example.vn"
            user_id = create_user(app, email, " ".join(sorted(person.roles)), person.province)
            if person.grants:
                grant_file(app, user_id, granted_file)
            assert sign_in(client, email).status_code == 302
        signed_in[person.name] = client
    return signed_in
