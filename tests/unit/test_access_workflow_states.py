"""The access-request state machine and the rules that need no database."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from portal.access.identity import Identity
from portal.access.models import APPROVED, DENIED, SUBMITTED, WITHDRAWN
from portal.access.workflow import (APPROVE, DENY, FINAL_STATES, TRANSITIONS, WITHDRAW, InvalidTransition,
                                    grant_end, next_state, requestable_problem, scope_options)

READER = Identity(user_id="1", roles=frozenset({"reader"}))


def test_a_submitted_request_can_be_approved_denied_or_withdrawn():
    assert next_state(SUBMITTED, APPROVE) == APPROVED
    assert next_state(SUBMITTED, DENY) == DENIED
    assert next_state(SUBMITTED, WITHDRAW) == WITHDRAWN


@pytest.mark.parametrize("state", sorted(FINAL_STATES))
@pytest.mark.parametrize("action", [APPROVE, DENY, WITHDRAW])
def test_nothing_leaves_a_final_state(state, action):
    with pytest.raises(InvalidTransition):
        next_state(state, action)


def test_every_transition_starts_from_submitted():
    assert {state for state, _action in TRANSITIONS} == {SUBMITTED}
    assert set(TRANSITIONS.values()) == FINAL_STATES


def test_restricted_record_is_requestable_unless_already_readable():
    record = {"id": "a:1", "level": "item", "access": "restricted", "content_visible": False}
    assert requestable_problem(READER, record) is None
    assert requestable_problem(READER, {**record, "content_visible": True}) is not None


def test_public_and_closed_records_are_not_requestable():
    assert requestable_problem(READER, {"id": "a:1", "level": "item", "access": "public"}) is not None
    assert requestable_problem(READER, {"id": "a:1", "level": "item", "access": "closed"}) is not None


def test_a_public_file_or_fonds_is_requestable_only_when_it_holds_restricted_records():
    fonds = {"id": "a:F", "level": "fonds", "access": "public", "content_visible": True}
    assert requestable_problem(READER, fonds, restricted_inside=0) is not None
    assert requestable_problem(READER, fonds, restricted_inside=3) is None
    series = {"id": "a:F/S", "level": "series", "access": "public", "content_visible": True}
    assert requestable_problem(READER, series, restricted_inside=3) is not None


def test_scope_options_are_the_record_its_file_and_its_fonds():
    fonds = {"id": "v:F", "level": "fonds", "title": "Phông", "holding_province": "86"}
    series = {"id": "v:F/S", "level": "series", "title": "Mục lục", "holding_province": "86"}
    file_ = {"id": "v:F/S/H", "level": "file", "title": "Hồ sơ", "holding_province": "86"}
    item = {"id": "v:F/S/H/1", "level": "item", "title": "Văn bản", "holding_province": "86"}
    options = scope_options(item, [fonds, series, file_])
    assert {scope: entry["id"] for scope, entry in options.items()} == {
        "record": item["id"], "file": file_["id"], "fonds": fonds["id"]}
    # A request for a file: "record" and "file" are the same record.
    options = scope_options(file_, [fonds, series])
    assert options["record"]["id"] == options["file"]["id"] == file_["id"]


def test_a_grant_is_open_through_its_whole_last_day_in_vietnam():
    end = grant_end(date(2026, 6, 30))
    assert end == datetime(2026, 6, 30, 17, 0, tzinfo=timezone.utc)


def test_what_may_be_asked_for_follows_what_a_grant_would_open():
    from portal.access.workflow import Holdings

    assert Holdings(files=2).kinds() == ("content",)
    assert Holdings(full_text=True).kinds() == ("content",)
    # A file whose own description is all it has, over restricted items with files: their content.
    assert Holdings(locked_inside=5, locked_with_copy=1).kinds() == ("content",)
    # Nothing digital, here or under it: a grant would open nothing, so a visit or a copy.
    assert Holdings().kinds() == ("reading_room", "reproduction")
    assert Holdings(locked_inside=5).kinds() == ("reading_room", "reproduction")
