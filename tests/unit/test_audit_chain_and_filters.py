"""The audit log without a database: canonical JSON and hashes, walking a chain, the auditor
pages' filters, and who holds the audit permissions."""
from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from werkzeug.datastructures import MultiDict

from portal.access.identity import Identity
from portal.access.roles import PROVINCE_BOUND, READ_AUDIT, READ_OWN_PROVINCE_AUDIT, ROLE_PERMISSIONS
from portal.audit import actions
from portal.audit.chain import canonical_json, row_hash, utc_iso, verify_rows
from portal.audit.models import GENESIS_HASH
from portal.audit.reading import AuditFilterError, AuditFilters, parse_filters

T0 = datetime(2026, 11, 26, 3, 0, tzinfo=timezone.utc)


def _chain(count: int) -> list[SimpleNamespace]:
    rows, prev = [], GENESIS_HASH
    for number in range(1, count + 1):
        row = SimpleNamespace(id=number, occurred_at=T0 + timedelta(seconds=number), actor="anonymous",
                              actor_roles="", actor_province=None, ip="127.0.0.1", user_agent=None,
                              action=actions.SEARCH, target_id=None, target_province=None, outcome="allowed",
                              details=canonical_json({"q": "Huế", "n": number}), prev_hash=prev)
        row.hash = row_hash(row)
        rows.append(row)
        prev = row.hash
    return rows


def test_canonical_json_sorts_keys_without_whitespace():
    assert canonical_json({"b": 1, "a": {"d": [1, 2], "c": "Huế"}}) == '{"a":{"c":"Huế","d":[1,2]},"b":1}'


def test_times_are_hashed_as_utc_whatever_the_zone():
    hanoi = timezone(timedelta(hours=7))
    assert utc_iso(T0.astimezone(hanoi)) == utc_iso(T0) == utc_iso(T0.replace(tzinfo=None)) \
        == "2026-11-26T03:00:00.000000Z"


def test_hash_is_sha256_of_the_canonical_row_with_prev_hash():
    row = _chain(1)[0]
    expected_fields = {"id": 1, "occurred_at": "2026-11-26T03:00:01.000000Z", "actor": "anonymous",
                       "actor_roles": "", "actor_province": None, "ip": "127.0.0.1", "user_agent": None,
                       "action": "search.query", "target_id": None, "target_province": None,
                       "outcome": "allowed", "details": {"n": 1, "q": "Huế"}, "prev_hash": GENESIS_HASH}
    assert row.hash == hashlib.sha256(canonical_json(expected_fields).encode()).hexdigest()


def test_an_intact_chain_verifies():
    result = verify_rows(_chain(5))
    assert result.ok and result.rows_checked == 5 and (result.first_id, result.last_id) == (1, 5)


@pytest.mark.parametrize("field,value", [("details", '{"n":3,"q":"x"}'), ("actor", "someone"),
                                         ("outcome", "denied"), ("occurred_at", T0)])
def test_a_changed_field_names_its_row(field, value):
    rows = _chain(5)
    setattr(rows[2], field, value)
    assert str(verify_rows(rows).problem).startswith("row 3: content does not match")


def test_a_missing_row_names_the_gap():
    rows = _chain(5)
    del rows[1]
    assert str(verify_rows(rows).problem) == "row 3: gap before this row: row(s) 2 are missing (deleted?)"


def test_a_missing_first_row_is_a_gap_too():
    assert verify_rows(_chain(3)[1:]).problem.row_id == 2


def test_a_relinked_row_names_itself():
    rows = _chain(4)
    rows[2].prev_hash = "e" * 64
    rows[2].hash = row_hash(rows[2])
    assert str(verify_rows(rows).problem).startswith("row 3: prev_hash does not match")


def test_filters_parse_and_round_trip():
    filters = parse_filters(MultiDict({"start": "2026-01-01", "end": "2026-01-31", "actor": " 42 ",
                                       "action": "record.view", "province": "86", "outcome": "denied"}))
    assert filters == AuditFilters(start=date(2026, 1, 1), end=date(2026, 1, 31), actor="42",
                                   action="record.view", province="86", outcome="denied")
    assert parse_filters(MultiDict(filters.as_args())) == filters


@pytest.mark.parametrize("args,parameter", [({"start": "hôm qua"}, "start"), ({"outcome": "maybe"}, "outcome"),
                                            ({"start": "2026-02-01", "end": "2026-01-01"}, "end"),
                                            ({"target": "x" * 2000}, "target")])
def test_bad_filters_are_refused(args, parameter):
    with pytest.raises(AuditFilterError) as refused:
        parse_filters(MultiDict(args))
    assert refused.value.parameter == parameter


@pytest.mark.parametrize("role,sees_all,sees_own", [
    ("anonymous", False, False), ("reader", False, False), ("staff", False, False),
    ("archive_admin", False, True), ("national_admin", True, True), ("auditor", True, False)])
def test_audit_permissions_by_role(role, sees_all, sees_own):
    identity = Identity(user_id="1", roles=frozenset({role}), province="86")
    assert identity.can(READ_AUDIT) is sees_all
    assert identity.can(READ_OWN_PROVINCE_AUDIT) is sees_own


def test_own_province_audit_needs_a_province():
    assert READ_OWN_PROVINCE_AUDIT in PROVINCE_BOUND
    assert not Identity(user_id="1", roles=frozenset({"archive_admin"})).can(READ_OWN_PROVINCE_AUDIT)
    assert READ_OWN_PROVINCE_AUDIT in ROLE_PERMISSIONS["archive_admin"]


def test_every_action_name_is_unique_and_dotted():
    assert len(set(actions.ALL_ACTIONS)) == len(actions.ALL_ACTIONS)
    assert all("." in action for action in actions.ALL_ACTIONS)
