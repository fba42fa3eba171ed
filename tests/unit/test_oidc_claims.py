"""From an ID token's claims to roles and province: groups map to roles by configuration, unknown
groups give nothing, no mapped group gives `reader` and never more, a province that is not one of
the 34 is dropped (and then opens nothing), and a later sign-in brings role and province up to date."""
from __future__ import annotations

import pytest

from portal.access.identity import ANONYMOUS, identity_of_user
from portal.access.policy import content_filter, visible_filter
from portal.access.roles import READ_ALL, READ_AUDIT, READ_OWN_PROVINCE, REQUEST_ACCESS
from portal.auth.claims import (
    DEFAULT_GROUP_ROLES, ClaimMapping, ClaimMappingError, apply_claims, parse_group_roles,
    province_from_claims, read_official_claims, roles_from_claims,
)
from portal.auth.models import User

ISSUER = "http://127.0.0.1:8180/realms/archives"
MAPPING = ClaimMapping.from_config({})


def claims(groups=None, province=None, **extra) -> dict:
    token = {"iss": ISSUER, "sub": "f3a1c2d4", "name": "Nguyễn Thị Lan", "email": "Lan@VinhLong.invalid",
             "email_verified": True, **extra}
    if groups is not None:
        token["groups"] = groups
    if province is not None:
        token["province"] = province
    return token


def test_default_mapping_covers_the_shipped_realm_groups():
    assert parse_group_roles(DEFAULT_GROUP_ROLES) == {
        "/archives/staff": "staff", "/archives/archive-admin": "archive_admin",
        "/archives/national-admin": "national_admin", "/archives/auditor": "auditor"}


@pytest.mark.parametrize("groups, roles", [
    (["/archives/staff"], {"staff"}),
    (["/archives/archive-admin"], {"archive_admin"}),
    (["/archives/national-admin"], {"national_admin"}),
    (["/archives/auditor"], {"auditor"}),
    (["/archives/staff", "/archives/auditor"], {"staff", "auditor"}),
    ("/archives/staff", {"staff"}),  # a single group sent as a string
])
def test_groups_map_to_roles(groups, roles):
    assert roles_from_claims(claims(groups), MAPPING) == roles


@pytest.mark.parametrize("groups", [
    ["/agencies/provincial-office"],
    ["staff"],  # a bare name is not the configured path
    ["/archives/staff/extra"],
    ["/ARCHIVES/STAFF"],
    ["/archives/national-admin "],
    [],
    None,
    "",
    42,
    {"/archives/national-admin": True},  # not a list of names: nothing
    [["/archives/national-admin"]],
])
def test_unknown_or_malformed_groups_give_reader_and_nothing_more(groups):
    assert roles_from_claims(claims(groups), MAPPING) == {"reader"}


def test_unknown_groups_are_ignored_beside_known_ones():
    assert roles_from_claims(claims(["/agencies/provincial-office", "/archives/staff"]), MAPPING) == {"staff"}


def test_role_claim_and_mapping_come_from_configuration():
    mapping = ClaimMapping.from_config({
        "OIDC_ROLE_CLAIM": "roles", "OIDC_PROVINCE_CLAIM": "ma_tinh",
        "OIDC_GROUP_ROLES": "luu-tru-vien=staff, thanh-tra = auditor\n"})
    token = {"iss": ISSUER, "sub": "x", "roles": ["luu-tru-vien", "thanh-tra"], "ma_tinh": "46",
             "groups": ["/archives/national-admin"]}
    official = read_official_claims(token, mapping)
    assert official.roles == {"staff", "auditor"}
    assert official.province == "46"


@pytest.mark.parametrize("text", [
    "/archives/staff=superuser", "/archives/staff=anonymous", "/archives/staff", "=staff", "/archives/staff=",
])
def test_a_mapping_to_an_unknown_role_is_a_configuration_error(text):
    with pytest.raises(ClaimMappingError):
        parse_group_roles(text)


def test_a_group_name_may_contain_an_equals_sign():
    assert parse_group_roles("/a=b/staff=staff") == {"/a=b/staff": "staff"}


@pytest.mark.parametrize("value, province", [
    ("86", "86"), (86, "86"), ("086", "86"), (" 46 ", "46"), (["86"], "86"),
    (None, None), ("", None), ("99", None), ("abc", None), ("8.6", None), (True, None),
    (["86", "46"], None), ([], None), ({"code": "86"}, None), ("-86", None),
])
def test_province_claim_is_one_of_the_34_or_nothing(value, province):
    assert province_from_claims(claims(province=value), MAPPING) == province


@pytest.mark.parametrize("province", [None, "", "99", "abc", ["86", "46"]])
def test_staff_with_missing_or_invalid_province_keeps_the_role_but_sees_what_anonymous_sees(province):
    official = read_official_claims(claims(["/archives/staff"], province), MAPPING)
    assert official.roles == {"staff"} and official.province is None
    user = User(id=7, roles="", full_name="")
    apply_claims(user, official)
    identity = identity_of_user(user)
    assert READ_OWN_PROVINCE not in identity.permissions
    assert visible_filter(identity) == visible_filter(ANONYMOUS)
    assert content_filter(identity) == content_filter(ANONYMOUS)


def test_staff_of_vinh_long_reads_its_own_province():
    official = read_official_claims(claims(["/archives/staff"], "86"), MAPPING)
    user = User(id=7, roles="", full_name="")
    apply_claims(user, official)
    identity = identity_of_user(user)
    assert identity.roles == {"staff"} and identity.province == "86"
    assert READ_OWN_PROVINCE in identity.permissions and READ_ALL not in identity.permissions
    assert {"term": {"holding_province": "86"}} in visible_filter(identity)["bool"]["should"]


def test_an_official_without_mapped_groups_is_a_plain_reader():
    official = read_official_claims(claims(["/agencies/provincial-office"], "86"), MAPPING)
    user = User(id=8, roles="", full_name="")
    apply_claims(user, official)
    assert user.roles == "reader"
    identity = identity_of_user(user)
    assert identity.permissions == {"read_public", REQUEST_ACCESS}
    assert visible_filter(identity) == visible_filter(ANONYMOUS)


def test_national_admin_and_auditor():
    admin = read_official_claims(claims(["/archives/national-admin"]), MAPPING)
    auditor = read_official_claims(claims(["/archives/auditor"], "86"), MAPPING)
    assert READ_ALL in identity_of_user(_user_from(admin)).permissions
    auditor_identity = identity_of_user(_user_from(auditor))
    assert READ_AUDIT in auditor_identity.permissions and READ_OWN_PROVINCE not in auditor_identity.permissions
    assert visible_filter(auditor_identity) == visible_filter(ANONYMOUS)


def _user_from(official) -> User:
    user = User(id=9, roles="", full_name="")
    apply_claims(user, official)
    return user


def test_a_later_sign_in_updates_roles_and_province():
    user = _user_from(read_official_claims(claims(["/archives/archive-admin"], "46"), MAPPING))
    assert (user.roles, user.province) == ("archive_admin", "46")
    apply_claims(user, read_official_claims(claims(["/archives/staff"], "86"), MAPPING))
    assert (user.roles, user.province) == ("staff", "86")
    # Removed from every mapped group and from the province at the identity provider: a reader again.
    apply_claims(user, read_official_claims(claims([]), MAPPING))
    assert (user.roles, user.province) == ("reader", None)


def test_identity_fields_are_read_from_the_claims():
    official = read_official_claims(claims(["/archives/staff"], "86"), MAPPING)
    assert (official.issuer, official.subject) == (ISSUER, "f3a1c2d4")
    assert official.email == "lan@vinhlong.invalid"
    assert official.full_name == "Nguyễn Thị Lan"


@pytest.mark.parametrize("extra, full_name", [
    ({"name": "Minh Trần Văn", "family_name": "Trần Văn", "given_name": "Minh"}, "Trần Văn Minh"),
    ({"name": None, "family_name": "Trần Văn", "given_name": "Minh"}, "Trần Văn Minh"),
    ({"name": "Trần Văn Minh", "given_name": "Minh"}, "Trần Văn Minh"),
    ({"name": None, "given_name": "Minh"}, "Minh"),
    ({"name": None, "preferred_username": "hue.admin"}, "hue.admin"),
])
def test_name_in_vietnamese_order_family_name_first(extra, full_name):
    assert read_official_claims(claims(**extra), MAPPING).full_name == full_name


def test_an_unverified_email_is_not_kept():
    assert read_official_claims(claims(email_verified=False), MAPPING).email is None
    assert read_official_claims(claims(email="not-an-address"), MAPPING).email is None


@pytest.mark.parametrize("missing", ["iss", "sub"])
def test_claims_without_issuer_or_subject_are_refused(missing):
    token = claims(["/archives/staff"], "86")
    token[missing] = ""
    with pytest.raises(ValueError):
        read_official_claims(token, MAPPING)
