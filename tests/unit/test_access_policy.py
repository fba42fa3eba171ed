"""The permission policy: who may know a record exists (can_see / visible_filter) and who may read its
content (can_read_content / content_filter), for each kind of identity, and the two forms kept in step."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from flask import Flask

from portal.access.identity import ANONYMOUS, Identity
from portal.access.policy import (can_read_content, can_see, content_filter, opening_cutoff, opens_at,
                                  visible_filter)

PAST = "2001-09-02T00:00:00Z"
FUTURE = "2999-01-01T00:00:00Z"


def record(access: str, province: str = "86", local_id: str = "P01/ML01/HS001/VB01", **extra) -> dict:
    parts = local_id.split("/")
    source = {"86": "vinhlong", "46": "hue"}[province]
    path = [f"{source}:{'/'.join(parts[:depth])}" for depth in range(1, len(parts))]
    return {"id": f"{source}:{local_id}", "access": access, "holding_province": province, "path": path, **extra}


def identity(*roles: str, province: str | None = None, grants=()) -> Identity:
    return Identity(user_id="u1" if roles else None, roles=frozenset(roles), province=province,
                    granted_record_ids=frozenset(grants))


PUBLIC_OWN, RESTRICTED_OWN, CLOSED_OWN = (record(a, "86") for a in ("public", "restricted", "closed"))
PUBLIC_OTHER, RESTRICTED_OTHER, CLOSED_OTHER = (record(a, "46") for a in ("public", "restricted", "closed"))
CLOSED_OPENED = record("closed", "46", open_after=PAST)
CLOSED_OPENS_LATER = record("closed", "46", open_after=FUTURE)
CLOSED_BAD_DATE = record("closed", "46", open_after="khi nào được phép")
RESTRICTED_OPENED = record("restricted", "46", open_after=PAST)
GRANTED_FILE = "hue:P02/ML01/HS007"
RESTRICTED_UNDER_GRANT = record("restricted", "46", "P02/ML01/HS007/VB02")
CLOSED_UNDER_GRANT = record("closed", "46", "P02/ML01/HS007/VB03")
RESTRICTED_ELSEWHERE = record("restricted", "46", "P02/ML01/HS008/VB01")

ALL_RECORDS = {
    "public_own": PUBLIC_OWN, "restricted_own": RESTRICTED_OWN, "closed_own": CLOSED_OWN,
    "public_other": PUBLIC_OTHER, "restricted_other": RESTRICTED_OTHER, "closed_other": CLOSED_OTHER,
    "closed_opened": CLOSED_OPENED, "closed_opens_later": CLOSED_OPENS_LATER, "closed_bad_date": CLOSED_BAD_DATE,
    "restricted_opened": RESTRICTED_OPENED, "restricted_under_grant": RESTRICTED_UNDER_GRANT,
    "closed_under_grant": CLOSED_UNDER_GRANT, "restricted_elsewhere": RESTRICTED_ELSEWHERE,
}

READER = identity("reader")
READER_WITH_GRANT = identity("reader", grants=[GRANTED_FILE])
STAFF_86 = identity("staff", province="86")
ARCHIVE_ADMIN_86 = identity("archive_admin", province="86")
NATIONAL_ADMIN = identity("national_admin")

# Identities that must fall back to exactly what anonymous may do.
FAIL_CLOSED = {
    "unknown role": identity("superuser", province="86"),
    "empty roles with a province": identity(province="86"),
    "staff without a province": identity("staff"),
    "staff of province 99": identity("staff", province="99"),
    "staff of province abc": identity("staff", province="abc"),
    "archive admin of an empty province": identity("archive_admin", province=""),
    "auditor": identity("auditor", province="86"),
}

ALL_IDENTITIES = {
    "anonymous": ANONYMOUS, "reader": READER, "reader with grant": READER_WITH_GRANT, "staff 86": STAFF_86,
    "archive admin 86": ARCHIVE_ADMIN_86, "staff 086": identity("staff", province="086"),
    "national admin": NATIONAL_ADMIN, "national admin 99": identity("national_admin", province="99"),
    **FAIL_CLOSED,
}


def seen(who: Identity) -> set[str]:
    return {name for name, doc in ALL_RECORDS.items() if can_see(who, doc)}


def readable(who: Identity) -> set[str]:
    return {name for name, doc in ALL_RECORDS.items() if can_read_content(who, doc)}


ANONYMOUS_SEES = {"public_own", "restricted_own", "public_other", "restricted_other", "closed_opened",
                  "restricted_opened", "restricted_under_grant", "restricted_elsewhere"}
ANONYMOUS_READS = {"public_own", "public_other", "closed_opened", "restricted_opened"}


# --- anonymous and readers ----------------------------------------------------------------------------------------

def test_anonymous_sees_public_restricted_and_opened_records_only():
    assert seen(ANONYMOUS) == ANONYMOUS_SEES


def test_anonymous_reads_content_of_public_and_opened_records_only():
    assert readable(ANONYMOUS) == ANONYMOUS_READS


def test_closed_record_hidden_from_anonymous_until_its_open_after_date():
    assert not can_see(ANONYMOUS, CLOSED_OTHER)
    assert not can_see(ANONYMOUS, CLOSED_OPENS_LATER)
    assert can_see(ANONYMOUS, CLOSED_OPENED)
    assert can_read_content(ANONYMOUS, CLOSED_OPENED)


def test_unreadable_open_after_opens_nothing():
    assert not can_see(ANONYMOUS, CLOSED_BAD_DATE)
    assert not can_read_content(ANONYMOUS, CLOSED_BAD_DATE)


@pytest.mark.parametrize(("clock", "visible"), [
    ("2030-05-01T10:29:59", False), ("2030-05-01T10:45:00", False), ("2030-05-01T11:00:00", True)])
def test_a_record_opens_on_the_full_hour_after_its_open_after_in_the_query_and_the_check_alike(clock, visible):
    """The filter names the hour just past, so one search is one cacheable request for an hour."""
    app = Flask(__name__)
    app.config["ACCESS_CLOCK"] = lambda: datetime.fromisoformat(clock).replace(tzinfo=timezone.utc)
    doc = record("closed", open_after="2030-05-01T10:30:00Z")
    with app.app_context():
        assert can_see(ANONYMOUS, doc) is visible
        assert can_read_content(ANONYMOUS, doc) is visible
        assert matches(visible_filter(ANONYMOUS), doc) is visible
        assert opening_cutoff() == datetime.fromisoformat(clock[:13] + ":00:00+00:00")
        assert visible_filter(ANONYMOUS) == visible_filter(ANONYMOUS)  # the same body all the hour
    assert opens_at(datetime(2030, 5, 1, 10, 30, tzinfo=timezone.utc)) == datetime(2030, 5, 1, 11, tzinfo=timezone.utc)
    assert opens_at(datetime(2030, 5, 1, tzinfo=timezone.utc)) == datetime(2030, 5, 1, tzinfo=timezone.utc)


def test_open_after_without_a_time_zone_is_read_as_utc():
    assert can_see(ANONYMOUS, record("closed", open_after="2001-09-02"))
    assert not can_see(ANONYMOUS, record("closed", open_after="2999-01-01T00:00:00"))


def test_restricted_record_is_listed_but_its_content_is_kept_from_a_reader():
    assert can_see(READER, RESTRICTED_OTHER)
    assert not can_read_content(READER, RESTRICTED_OTHER)


def test_reader_sees_and_reads_what_anonymous_does():
    assert (seen(READER), readable(READER)) == (ANONYMOUS_SEES, ANONYMOUS_READS)


# --- grants -----------------------------------------------------------------------------------------------------

def test_grant_on_a_file_opens_the_restricted_items_under_it_through_their_path():
    assert GRANTED_FILE in RESTRICTED_UNDER_GRANT["path"]

    assert can_read_content(READER_WITH_GRANT, RESTRICTED_UNDER_GRANT)


def test_grant_on_the_record_itself_opens_it():
    who = identity("reader", grants=[RESTRICTED_ELSEWHERE["id"]])

    assert can_read_content(who, RESTRICTED_ELSEWHERE)


def test_grant_opens_nothing_outside_what_it_covers():
    assert not can_read_content(READER_WITH_GRANT, RESTRICTED_ELSEWHERE)
    assert not can_read_content(READER_WITH_GRANT, RESTRICTED_OWN)


def test_grant_never_opens_or_reveals_a_closed_record():
    assert not can_see(READER_WITH_GRANT, CLOSED_UNDER_GRANT)
    assert not can_read_content(READER_WITH_GRANT, CLOSED_UNDER_GRANT)


def test_reader_with_grant_reads_exactly_one_more_record_than_anonymous():
    assert readable(READER_WITH_GRANT) == ANONYMOUS_READS | {"restricted_under_grant"}
    assert seen(READER_WITH_GRANT) == ANONYMOUS_SEES


# --- staff of a province --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", [STAFF_86, ARCHIVE_ADMIN_86, identity("staff", province="086")],
                         ids=["staff", "archive admin", "staff with code 086"])
def test_staff_see_and_read_everything_their_province_holds(who):
    for doc in (PUBLIC_OWN, RESTRICTED_OWN, CLOSED_OWN):
        assert can_see(who, doc)
        assert can_read_content(who, doc)


def test_staff_do_not_see_closed_records_of_another_province():
    assert not can_see(STAFF_86, CLOSED_OTHER)
    assert not can_see(STAFF_86, CLOSED_OPENS_LATER)


def test_staff_read_only_what_anyone_may_read_in_another_province():
    assert readable(STAFF_86) - {"public_own", "restricted_own", "closed_own"} == ANONYMOUS_READS - {"public_own"}


def test_staff_filters_name_their_province():
    assert {"term": {"holding_province": "86"}} in visible_filter(STAFF_86)["bool"]["should"]
    assert {"term": {"holding_province": "86"}} in content_filter(STAFF_86)["bool"]["should"]


# --- national admin -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", [NATIONAL_ADMIN, identity("national_admin", province="99"),
                                 identity("national_admin", province="46")],
                         ids=["no province", "invalid province", "a province"])
def test_national_admin_sees_and_reads_every_record_of_every_province(who):
    assert seen(who) == set(ALL_RECORDS)
    assert readable(who) == set(ALL_RECORDS)
    assert visible_filter(who) == content_filter(who) == {"match_all": {}}


# --- failing closed -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", FAIL_CLOSED.values(), ids=FAIL_CLOSED.keys())
def test_identity_without_a_valid_role_and_province_sees_only_what_anonymous_sees(who):
    assert seen(who) == ANONYMOUS_SEES
    assert readable(who) == ANONYMOUS_READS


@pytest.mark.parametrize("who", FAIL_CLOSED.values(), ids=FAIL_CLOSED.keys())
def test_identity_without_a_valid_role_and_province_gets_the_anonymous_filters(who):
    assert visible_filter(who) == visible_filter(ANONYMOUS)
    assert content_filter(who) == content_filter(ANONYMOUS)


# --- the query and the Python check say the same -----------------------------------------------------------------

def _values(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _when(value) -> datetime | None:
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None  # OpenSearch would not have indexed the field at all
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def matches(query: dict, doc: dict) -> bool:
    """Evaluates the small part of the OpenSearch query language the policy uses against one document."""
    [(kind, argument)] = query.items()
    if kind == "match_all":
        return True
    if kind == "term":
        [(field, value)] = argument.items()
        return value in _values(doc.get(field))
    if kind == "terms":
        [(field, values)] = argument.items()
        return bool(set(values) & set(_values(doc.get(field))))
    if kind == "ids":
        return doc.get("id") in argument["values"]
    if kind == "range":
        [(field, bounds)] = argument.items()
        assert list(bounds) == ["lte"], f"range the test does not know: {bounds}"
        when = _when(doc.get(field)) if doc.get(field) else None
        return when is not None and when <= _when(bounds["lte"])
    if kind == "bool":
        required = _values(argument.get("must")) + _values(argument.get("filter"))
        should = _values(argument.get("should"))
        if not all(matches(q, doc) for q in required):
            return False
        if any(matches(q, doc) for q in _values(argument.get("must_not"))):
            return False
        needed = argument.get("minimum_should_match", 0 if required else 1 if should else 0)
        return sum(matches(q, doc) for q in should) >= needed
    raise AssertionError(f"query the test does not know: {kind}")


@pytest.mark.parametrize("who", ALL_IDENTITIES.values(), ids=ALL_IDENTITIES.keys())
def test_visible_filter_admits_exactly_the_records_can_see_allows(who):
    query = visible_filter(who)

    assert {name for name, doc in ALL_RECORDS.items() if matches(query, doc)} == seen(who)


@pytest.mark.parametrize("who", ALL_IDENTITIES.values(), ids=ALL_IDENTITIES.keys())
def test_content_filter_admits_exactly_the_records_can_read_content_allows(who):
    query = content_filter(who)

    assert {name for name, doc in ALL_RECORDS.items() if matches(query, doc)} == readable(who)


def test_reader_with_grant_content_filter_covers_the_grant_only_for_restricted_records():
    grant_clause = content_filter(READER_WITH_GRANT)["bool"]["should"][-1]

    assert grant_clause["bool"]["must"] == {"terms": {"access": ["restricted"]}}
    assert {"terms": {"path": [GRANTED_FILE]}} in grant_clause["bool"]["should"]
    assert {"ids": {"values": [GRANTED_FILE]}} in grant_clause["bool"]["should"]
