"""Officials' sign-in through OpenID Connect leaves audit rows too: the sign-in, the role the
identity provider's claims gave, a refused token, and the sign-out; on every database."""
from __future__ import annotations

import json

import pytest

from portal.audit import actions
from tests.accounts import csrf_token
from tests.audit_support import audit_rows, count_by_action, make_audit_table_read_only
from tests.conftest import make_portal
from test_oidc_token_validation import CLIENT_ID, provider, sign_in_through  # noqa: F401 - fixture


@pytest.fixture()
def portal(tmp_path_factory, provider, database_url):  # noqa: F811 - the fixture imported above
    provider.scenario = "good"
    app = make_portal(tmp_path_factory, database_url=database_url, OIDC_ISSUER=provider.url,
                      OIDC_CLIENT_ID=CLIENT_ID, OIDC_CLIENT_SECRET="test-secret")
    app.config["TEST_DATABASE_URL"] = database_url
    return app


def test_official_sign_in_records_the_role_change_then_the_sign_in(portal, provider):  # noqa: F811
    client = portal.test_client()
    assert sign_in_through(provider, client, "good").status_code == 302
    role_change, = audit_rows(portal, actions.ROLE_CHANGE)
    assert json.loads(role_change.details)["new_roles"] == "staff" and role_change.target_province == "86"
    sign_in, = audit_rows(portal, actions.SIGN_IN)
    # The official whose claims changed the role is the actor, never "anonymous" (issue 18).
    assert role_change.actor == sign_in.actor != "anonymous"
    assert role_change.target_id == f"user:{sign_in.actor}"
    assert json.loads(role_change.details)["by"] == "identity provider claims at sign-in"
    assert sign_in.roles == ["staff"] and sign_in.actor_province == "86"
    assert json.loads(sign_in.details)["method"] == "oidc"
    # A second sign-in with the same claims changes no role.
    client.post("/auth/oidc/logout", data={"csrf_token": csrf_token(client.get("/account").text)})
    assert sign_in_through(provider, client, "good").status_code == 302
    assert count_by_action(portal) == {actions.ROLE_CHANGE: 1, actions.SIGN_IN: 2, actions.SIGN_OUT: 1}


def test_refused_token_is_a_failed_sign_in(portal, provider):  # noqa: F811
    assert sign_in_through(provider, portal.test_client(), "expired").status_code == 401
    failed, = audit_rows(portal, actions.SIGN_IN_FAILED)
    assert failed.outcome == "denied" and json.loads(failed.details)["status"] == 401
    assert audit_rows(portal, actions.SIGN_IN) == []


def test_official_sign_in_that_cannot_be_recorded_signs_nobody_in(portal, provider):  # noqa: F811
    make_audit_table_read_only(portal.config["TEST_DATABASE_URL"])
    client = portal.test_client()
    assert sign_in_through(provider, client, "good").status_code == 503
    assert client.get("/account").status_code != 200
