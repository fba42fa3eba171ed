"""`/admin/users`: archive admins make readers staff of their own province; national admins
give any role; nobody else, and nobody changes their own role or an official's."""
from __future__ import annotations

import pytest

from tests.accounts import create_user, csrf_token, signed_in_client
from tests.conftest import make_portal


@pytest.fixture()
def portal(tmp_path_factory, database_url):
    return make_portal(tmp_path_factory, database_url=database_url)


def _roles_of(app, user_id):
    with app.app_context():
        from portal.auth.models import User
        from portal.database import get_db

        user = get_db().get(User, user_id)
        return user.roles, user.province


def _set_role(client, user_id, role, province=""):
    page = client.get("/admin/users")
    return client.post(f"/admin/users/{user_id}/role",
                       data={"csrf_token": csrf_token(page.text), "role": role, "province": province})


def test_archive_admin_makes_a_reader_staff_of_their_own_province(portal):
    admin = signed_in_client(portal, "admin86@example.vn", "archive_admin", "86")
    reader = create_user(portal, "new-staff@example.vn")
    assert "new-staff@example.vn" in admin.get("/admin/users").text
    response = _set_role(admin, reader, "staff", "46")  # the province asked for is ignored: their own
    assert response.status_code == 303
    assert _roles_of(portal, reader) == ("staff", "86")
    # and the new staff member reads with it at once
    staff = portal.test_client()
    from tests.accounts import sign_in

    sign_in(staff, "new-staff@example.vn")
    assert "Vĩnh Long" in staff.get("/account").text


def test_archive_admin_cannot_touch_another_provinces_staff_or_give_admin_roles(portal):
    admin = signed_in_client(portal, "admin86b@example.vn", "archive_admin", "86")
    other = create_user(portal, "staff46@example.vn", "staff", "46")
    reader = create_user(portal, "reader-x@example.vn")
    assert "staff46@example.vn" not in admin.get("/admin/users").text
    _set_role(admin, other, "reader")
    assert _roles_of(portal, other) == ("staff", "46")
    _set_role(admin, reader, "archive_admin", "86")
    assert _roles_of(portal, reader) == ("reader", None)
    _set_role(admin, reader, "national_admin")
    assert _roles_of(portal, reader) == ("reader", None)


def test_national_admin_gives_any_role_in_any_province(portal):
    national = signed_in_client(portal, "national@example.vn", "national_admin")
    reader = create_user(portal, "promoted@example.vn")
    _set_role(national, reader, "archive_admin", "46")
    assert _roles_of(portal, reader) == ("archive_admin", "46")
    _set_role(national, reader, "staff", "")  # a staff role needs a province
    assert _roles_of(portal, reader) == ("archive_admin", "46")
    _set_role(national, reader, "auditor", "46")  # an auditor has no province
    assert _roles_of(portal, reader) == ("auditor", None)


def test_nobody_changes_their_own_role(portal):
    national = signed_in_client(portal, "self@example.vn", "national_admin")
    with portal.app_context():
        from portal.auth.accounts import find_by_email
        from portal.database import get_db

        me = find_by_email(get_db(), "self@example.vn").id
    _set_role(national, me, "reader")
    assert _roles_of(portal, me) == ("national_admin", None)


@pytest.mark.parametrize("roles, province", [("reader", None), ("staff", "86"), ("auditor", None),
                                             ("archive_admin", None)])
def test_others_may_not_manage_users(portal, roles, province):
    client = signed_in_client(portal, f"{roles}-{province}@example.vn", roles, province)
    assert client.get("/admin/users").status_code == 403
    victim = create_user(portal, f"victim-{roles}@example.vn")
    page = client.get("/")
    response = client.post(f"/admin/users/{victim}/role",
                           data={"csrf_token": csrf_token(page.text), "role": "national_admin"})
    assert response.status_code == 403
    assert _roles_of(portal, victim) == ("reader", None)


def test_anonymous_is_sent_to_sign_in(tmp_path_factory):
    app = make_portal(tmp_path_factory)
    response = app.test_client().get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_first_national_admin_is_made_from_the_command_line(portal, monkeypatch):
    runner = portal.test_cli_runner()
    monkeypatch.setenv("PORTAL_USER_PASSWORD", "sông Cửu Long chín nhánh")
    result = runner.invoke(args=["users", "add", "boss@example.vn", "--role", "national_admin"])
    assert result.exit_code == 0, result.output
    refused = runner.invoke(args=["users", "add", "staff@example.vn", "--role", "staff"])
    assert refused.exit_code != 0 and "--province" in refused.output
    monkeypatch.setenv("PORTAL_USER_PASSWORD", "short")
    weak = runner.invoke(args=["users", "add", "weak@example.vn"])
    assert weak.exit_code != 0
    from tests.accounts import sign_in

    client = portal.test_client()
    assert sign_in(client, "boss@example.vn", "sông Cửu Long chín nhánh").status_code == 302
    assert client.get("/admin/users").status_code == 200
    assert "boss@example.vn" in runner.invoke(args=["users", "list"]).output
