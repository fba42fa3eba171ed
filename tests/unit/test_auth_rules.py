"""Small rules of sign-in: where `next` may lead, what a password must be, who holds grants."""
from __future__ import annotations

import pytest

from portal.access.identity import Identity
from portal.access.policy import can_read_content, content_filter
from portal.auth.passwords import hash_password, password_matches, password_problems
from portal.auth.safe_redirect import safe_next
from portal.auth.role_changes import assignable_roles, may_manage_users


@pytest.mark.parametrize("target", [None, "", "https://evil.example", "//evil.example", "/\\evil.example",
                                    "http:/evil.example", "javascript:alert(1)", "evil.example/path",
                                    "/ok\r\nLocation: https://evil.example", "/" + "a" * 3000])
def test_next_outside_the_portal_falls_back_home(target):
    assert safe_next(target) == "/"


@pytest.mark.parametrize("target", ["/", "/search?q=h%E1%BB%93+s%C6%A1", "/records/vinhlong:VL.UBND/ML01"])
def test_next_inside_the_portal_is_kept(target):
    assert safe_next(target) == target


def test_password_rules_name_each_problem():
    assert password_problems("sông Cửu Long chín nhánh") == []
    assert len(password_problems("short")) == 1
    assert password_problems("1234567890")  # on every guessing list
    assert password_problems("aaaaaaaaaaaaaa")  # four different characters at least
    assert password_problems("reader@example.vn", email="Reader@example.vn")


def test_password_hash_is_scrypt_and_checks_only_the_right_password():
    stored = hash_password("sông Cửu Long chín nhánh")
    assert stored.startswith("scrypt:")
    assert password_matches(stored, "sông Cửu Long chín nhánh")
    assert not password_matches(stored, "song Cuu Long chin nhanh")
    assert not password_matches(None, "anything")
    assert not password_matches(stored, "x" * 10_000)  # refused before hashing


@pytest.mark.parametrize("roles", [frozenset({"auditor"}), frozenset(), frozenset({"superuser"})])
def test_a_grant_opens_nothing_for_a_role_that_cannot_hold_one(roles):
    identity = Identity(user_id="7", roles=roles, granted_record_ids=frozenset({"vinhlong:VL.UBND/ML01/HS001"}))
    document = {"id": "vinhlong:VL.UBND/ML01/HS001/VB01", "access": "restricted", "holding_province": "86",
                "path": ["vinhlong:VL.UBND", "vinhlong:VL.UBND/ML01", "vinhlong:VL.UBND/ML01/HS001"]}
    assert not can_read_content(identity, document)
    assert "HS001" not in str(content_filter(identity))


def test_a_readers_grant_opens_what_is_under_it():
    identity = Identity(user_id="7", roles=frozenset({"reader"}),
                        granted_record_ids=frozenset({"vinhlong:VL.UBND/ML01/HS001"}))
    under = {"id": "vinhlong:VL.UBND/ML01/HS001/VB01", "access": "restricted", "holding_province": "86",
             "path": ["vinhlong:VL.UBND", "vinhlong:VL.UBND/ML01", "vinhlong:VL.UBND/ML01/HS001"]}
    beside = {**under, "id": "vinhlong:VL.UBND/ML01/HS002/VB01",
              "path": ["vinhlong:VL.UBND", "vinhlong:VL.UBND/ML01", "vinhlong:VL.UBND/ML01/HS002"]}
    assert can_read_content(identity, under) and not can_read_content(identity, beside)
    assert not can_read_content(identity, {**under, "access": "closed"})


@pytest.mark.parametrize("roles, province, expected", [
    ({"national_admin"}, None, ("reader", "staff", "archive_admin", "auditor", "national_admin")),
    ({"archive_admin"}, "86", ("reader", "staff")),
    ({"archive_admin"}, None, ()),  # an admin of no province manages nobody
    ({"staff"}, "86", ()),
    ({"reader"}, None, ()),
])
def test_who_may_give_which_roles(roles, province, expected):
    identity = Identity(user_id="1", roles=frozenset(roles), province=province)
    assert assignable_roles(identity) == expected
    assert may_manage_users(identity) == bool(expected)
