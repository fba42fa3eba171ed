"""Roles as data: what each role may do, and how an identity's permissions fail closed."""
from __future__ import annotations

import pytest

from portal.access.identity import ANONYMOUS, Identity, valid_province
from portal.access.roles import (
    DECIDE_OWN_PROVINCE_REQUESTS,
    MANAGE_ALL,
    MANAGE_OWN_PROVINCE_SOURCES,
    PROVINCE_BOUND,
    READ_ALL,
    READ_AUDIT,
    READ_OWN_PROVINCE,
    READ_PUBLIC,
    REQUEST_ACCESS,
    ROLE_PERMISSIONS,
    permissions_of,
)


def test_anonymous_may_only_read_public_records():
    assert ANONYMOUS.permissions == frozenset({READ_PUBLIC})


@pytest.mark.parametrize("role", sorted(ROLE_PERMISSIONS))
def test_every_role_may_read_what_the_public_may(role):
    assert READ_PUBLIC in permissions_of(frozenset({role}), "86")


def test_reader_may_request_access_but_not_read_a_province():
    permissions = permissions_of(frozenset({"reader"}), "86")

    assert REQUEST_ACCESS in permissions
    assert READ_OWN_PROVINCE not in permissions


def test_staff_with_a_province_read_it_and_decide_its_requests():
    permissions = permissions_of(frozenset({"staff"}), "86")

    assert {READ_OWN_PROVINCE, DECIDE_OWN_PROVINCE_REQUESTS} <= permissions
    assert MANAGE_OWN_PROVINCE_SOURCES not in permissions
    assert READ_ALL not in permissions


def test_archive_admin_may_also_manage_the_province_sources():
    assert MANAGE_OWN_PROVINCE_SOURCES in permissions_of(frozenset({"archive_admin"}), "86")


@pytest.mark.parametrize("province", [None, ""])
def test_province_bound_permissions_are_dropped_without_a_province(province):
    for role in ("staff", "archive_admin"):
        assert not permissions_of(frozenset({role}), province) & PROVINCE_BOUND


def test_national_admin_reads_and_manages_everything_even_without_a_province():
    permissions = permissions_of(frozenset({"national_admin"}), None)

    assert {READ_ALL, MANAGE_ALL, READ_AUDIT} <= permissions


def test_auditor_reads_the_audit_log_but_no_more_records_than_anonymous():
    permissions = permissions_of(frozenset({"auditor"}), "86")

    assert permissions == frozenset({READ_PUBLIC, READ_AUDIT})


@pytest.mark.parametrize("roles", [frozenset({"superuser"}), frozenset({"Staff"}), frozenset({""}), frozenset()])
def test_unknown_or_no_roles_give_only_anonymous_permissions(roles):
    assert permissions_of(roles, "86") == ANONYMOUS.permissions


def test_roles_add_up():
    permissions = permissions_of(frozenset({"auditor", "staff"}), "86")

    assert {READ_AUDIT, READ_OWN_PROVINCE} <= permissions


@pytest.mark.parametrize("province", ["99", "abc", "00", "-86", " "])
def test_identity_with_an_invalid_province_loses_province_bound_permissions(province):
    staff = Identity(roles=frozenset({"archive_admin"}), province=province)

    assert not staff.permissions & PROVINCE_BOUND
    assert not staff.can(READ_OWN_PROVINCE)
    assert staff.can(REQUEST_ACCESS)


@pytest.mark.parametrize(("code", "valid"), [("86", "86"), ("086", "86"), (" 86 ", "86"), ("1", "01"),
                                             ("99", None), ("abc", None), ("", None), (None, None)])
def test_valid_province_names_one_of_the_34_or_nothing(code, valid):
    assert valid_province(code) == valid
