"""The realm the project ships (keycloak/archives-realm.json) holds no secret, and gives the claims the
portal maps: every password and the client secret are placeholders that scripts/keycloak.sh fills
from the secrets it generates, and only an administrator may set an official's province."""
from __future__ import annotations

import json
import re
from pathlib import Path

from portal.auth.claims import DEFAULT_GROUP_ROLES, parse_group_roles

PROJECT = Path(__file__).resolve().parents[2]
REALM = json.loads((PROJECT / "keycloak" / "archives-realm.json").read_text(encoding="utf-8"))
PLACEHOLDER = re.compile(r"^\$\{([A-Z][A-Z0-9_]*)\}$")


def generated_secret_names() -> set[str]:
    script = (PROJECT / "scripts" / "keycloak.sh").read_text()
    block = re.search(r"SECRET_NAMES=\(([^)]*)\)", script).group(1)
    return set(block.split())


def portal_client() -> dict:
    return next(client for client in REALM["clients"] if client["clientId"] == "archives-portal")


def test_every_secret_is_a_placeholder_the_start_script_generates():
    names = generated_secret_names()
    secrets = [portal_client()["secret"]] + [credential["value"] for user in REALM["users"]
                                             for credential in user["credentials"]]
    for value in secrets:
        match = PLACEHOLDER.match(value)
        assert match and match.group(1) in names, value
    # And nothing else in the file looks like one that the script would not fill.
    used = set(re.findall(r"\$\{([^}]*)\}", json.dumps(REALM, ensure_ascii=False)))
    assert used <= names


def test_the_portal_client_is_confidential_with_pkce_s256_and_code_flow_only():
    client = portal_client()
    assert client["publicClient"] is False and client["standardFlowEnabled"] is True
    assert client["implicitFlowEnabled"] is False and client["directAccessGrantsEnabled"] is False
    assert client["attributes"]["pkce.code.challenge.method"] == "S256"
    assert all(uri.endswith("/auth/oidc/callback") for uri in client["redirectUris"])
    assert client["attributes"]["post.logout.redirect.uris"]


def test_groups_and_province_go_into_the_id_token():
    mappers = {mapper["name"]: mapper for mapper in portal_client()["protocolMappers"]}
    assert mappers["groups"]["config"]["claim.name"] == "groups"
    assert mappers["groups"]["config"]["full.path"] == "true"
    assert mappers["province"]["config"]["user.attribute"] == "province"
    assert all(mapper["config"]["id.token.claim"] == "true" for mapper in mappers.values())


def group_paths(groups, parent="") -> set[str]:
    paths = set()
    for group in groups:
        path = f"{parent}/{group['name']}"
        paths |= {path} | group_paths(group.get("subGroups", []), path)
    return paths


def test_demo_users_are_in_groups_the_realm_has_and_the_default_mapping_knows():
    paths = group_paths(REALM["groups"])
    mapped = set(parse_group_roles(DEFAULT_GROUP_ROLES))
    assert mapped <= paths
    users = {user["username"]: user for user in REALM["users"]}
    assert set(users) == {"vinhlong.staff", "hue.admin", "national.admin", "auditor", "official.nogroup"}
    for user in users.values():
        assert set(user["groups"]) <= paths
    assert users["vinhlong.staff"]["attributes"]["province"] == ["86"]
    assert users["hue.admin"]["attributes"]["province"] == ["46"]
    assert not set(users["official.nogroup"]["groups"]) & mapped


def test_only_an_administrator_may_set_a_province():
    provider = REALM["components"]["org.keycloak.userprofile.UserProfileProvider"][0]
    profile = json.loads(provider["config"]["kc.user.profile.config"][0])
    province = next(attribute for attribute in profile["attributes"] if attribute["name"] == "province")
    assert province["permissions"]["edit"] == ["admin"]
    assert profile["unmanagedAttributePolicy"] != "ENABLED"  # users may not add attributes of their own
