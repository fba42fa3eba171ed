"""The access-request workflow (DESIGN §5): a reader asks, the holding archive decides.

    submitted ──approve──▶ approved   (creates an access grant)
        │  ──deny────▶ denied     (a reason is required)
        └──withdraw──▶ withdrawn  (by the reader)

Every change of state is one conditional UPDATE … WHERE state = 'submitted' AND version = the
version the person saw; when no row changes, someone else changed the request first and the
person is told so (`DecisionConflict`), so of two staff deciding at once exactly one decision
stands, and a withdrawal racing an approval loses or wins as a whole.

This module knows the database and the record as a dict from the index; not HTTP.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from urllib.parse import quote

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.access import clock, events, notifications
from portal.access.due_dates import VIETNAM, due_date, local_date
from portal.access.grants import may_decide_for
from portal.access.identity import Identity
from portal.access.kinds import kind_label  # noqa: F401  (the pages take it from here)
from portal.access.models import (APPROVED, DENIED, GRANT_ACTIVE, KIND_CONTENT, KIND_READING_ROOM,
                                  KIND_REPRODUCTION, PURPOSES, REQUEST_KINDS, SCOPE_FILE, SCOPE_FONDS,
                                  SCOPE_RECORD, SCOPES, SUBMITTED, WITHDRAWN, AccessGrant, AccessRequest,
                                  RequestComment)
from portal.access.roles import DECIDE_ALL_REQUESTS, REQUEST_ACCESS
from portal.personal_data.names import person_name
from schema.record import ACCESS_RESTRICTED

APPROVE, DENY, WITHDRAW = "approve", "deny", "withdraw"
# The state machine as data: (state, action) → new state. Nothing leaves a final state.
TRANSITIONS: dict[tuple[str, str], str] = {
    (SUBMITTED, APPROVE): APPROVED,
    (SUBMITTED, DENY): DENIED,
    (SUBMITTED, WITHDRAW): WITHDRAWN,
}
FINAL_STATES = frozenset({APPROVED, DENIED, WITHDRAWN})

DEFAULT_GRANT_DAYS = 90
MAX_GRANT_DAYS = 365
REQUESTABLE_CONTAINERS = ("file", "fonds")  # may be asked for as a whole when they hold restricted records
MAX_TEXT = 2000


class RequestProblem(Exception):
    """Input or a state that makes the action impossible; `message` is for the person."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class DecisionConflict(RequestProblem):
    """Someone else changed the request between the moment it was shown and the action."""


class InvalidTransition(DecisionConflict):
    """The request is in a final state already: someone decided or withdrew it first."""


class RequestNotFound(LookupError):
    """No such request, or one the identity may not know of (answered as 404)."""


def next_state(state: str, action: str) -> str:
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise InvalidTransition(_l("This request is already %(state)s.", state=state_label(state))) from None


STATE_LABELS = {SUBMITTED: _l("submitted"), APPROVED: _l("approved"), DENIED: _l("denied"),
                WITHDRAWN: _l("withdrawn")}
PURPOSE_LABELS = {"personal": _l("Personal"), "official": _l("Official duty"),
                  "special_official": _l("Special official duty")}
SCOPE_LABELS = {SCOPE_RECORD: _l("This record only"), SCOPE_FILE: _l("Its whole file"),
                SCOPE_FONDS: _l("Its whole fonds")}


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


@dataclass(frozen=True)
class Holdings:
    """What a record holds that a grant would open, as a reader who may not read it may be told:
    its own files and full text, and under a file or fonds the restricted records they cannot read
    (and how many of those have a file or a text)."""
    files: int = 0
    full_text: bool = False
    locked_inside: int = 0
    locked_with_copy: int = 0

    @property
    def has_digital_copy(self) -> bool:
        return bool(self.files or self.full_text or self.locked_with_copy)

    def kinds(self) -> tuple[str, ...]:
        """What may be asked for: the content when there is some to open, else a visit or a copy."""
        return (KIND_CONTENT,) if self.has_digital_copy else (KIND_READING_ROOM, KIND_REPRODUCTION)


@dataclass
class RequestDetails:
    purpose: str
    use_description: str
    research_topic: str = ""
    period_wanted: str = ""


# ---- asking ---------------------------------------------------------------------------------

def requestable_problem(identity: Identity, record: dict, *, restricted_inside: int = 0):
    """Why this record cannot be asked for (a message), or None when it can."""
    if record.get("access") == "closed":
        return _l("Closed records cannot be requested: they are open to no reader.")
    if record.get("access") == ACCESS_RESTRICTED:
        if record.get("content_visible"):
            return _l("You can already read this record.")
        return None
    if record.get("level") in REQUESTABLE_CONTAINERS and restricted_inside > 0:
        return None
    return _l("This record is public: you can read it without asking.")


def create_request(db: Session, identity: Identity, record: dict, details: RequestDetails, *,
                   restricted_inside: int = 0, kind: str = KIND_CONTENT,
                   holdings: Holdings | None = None) -> tuple[AccessRequest, list]:
    """Store a reader's request for a record (as fetched for them from the index) and tell the
    holding province's staff. Returns the request and the notices to mail after the commit.
    With `holdings`, the kind must fit them: no request for content a grant could not open."""
    if not identity.user_id or not identity.can(REQUEST_ACCESS):
        raise RequestProblem(_l("Sign in with a reader account to ask for access."))
    problem = requestable_problem(identity, record, restricted_inside=restricted_inside)
    if problem:
        raise RequestProblem(problem)
    if kind not in REQUEST_KINDS:
        raise RequestProblem(_l("Choose what you ask for."))
    if holdings is not None and kind not in holdings.kinds():
        raise RequestProblem(_l("This record has no digital copy to open: ask to consult it in the reading room "
                                "or for a copy.") if kind == KIND_CONTENT
                             else _l("This record can be read in the portal once access is given: ask for access."))
    purpose = (details.purpose or "").strip()
    if purpose not in PURPOSES:
        raise RequestProblem(_l("Choose the purpose of your request."))
    use = (details.use_description or "").strip()
    if not use:
        raise RequestProblem(_l("Say what you need the record for."))
    if len(use) > MAX_TEXT:
        raise RequestProblem(_l("Keep what you need it for under %(count)d characters.", count=MAX_TEXT))
    user_id = int(identity.user_id)
    if _open_request(db, user_id, record["id"]) is not None:
        raise RequestProblem(_l("You already have an open request for this record."))
    now = clock.now()
    access_request = AccessRequest(
        requester_id=user_id, record_id=record["id"], record_level=record.get("level") or "",
        record_title=record.get("title") or "", record_reference_code=record.get("reference_code"),
        record_path=list(record.get("path") or []), holding_province=record["holding_province"],
        kind=kind, purpose=purpose, use_description=use, research_topic=(details.research_topic or "").strip()[:500],
        period_wanted=(details.period_wanted or "").strip()[:255], state=SUBMITTED, submitted_at=now,
        due_on=due_date(now, conditional=True), version=1)
    db.add(access_request)
    try:
        db.flush()
    except IntegrityError:  # the same request a moment ago, from another tab
        db.rollback()
        raise RequestProblem(_l("You already have an open request for this record.")) from None
    from portal.auth.models import User

    reader = db.get(User, user_id)
    entries = [notifications.notify(db, staff.id, notifications.REQUEST_SUBMITTED, request_id=access_request.id,
                                    title=access_request.record_title, reader=_name(reader),
                                    due=access_request.due_on.isoformat(), request_kind=kind,
                                    link=f"/staff/requests/{access_request.id}")
               for staff in notifications.deciders_of(db, access_request.holding_province)]
    events.request_event(events.REQUEST_CREATE, target_id=access_request.record_id,
                         target_province=access_request.holding_province,
                         details={"request": access_request.id, "purpose": purpose, "kind": kind})
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise RequestProblem(_l("You already have an open request for this record.")) from None
    return access_request, entries


def _open_request(db: Session, user_id: int, record_id: str) -> AccessRequest | None:
    return db.scalar(select(AccessRequest).where(AccessRequest.requester_id == user_id,
                                                 AccessRequest.record_id == record_id,
                                                 AccessRequest.state == SUBMITTED))


def open_request_for(db: Session, identity: Identity, record_id: str) -> AccessRequest | None:
    if not identity.user_id:
        return None
    return _open_request(db, int(identity.user_id), record_id)


def _name(user) -> str:
    return person_name(user)


# ---- reading --------------------------------------------------------------------------------

def requests_of_reader(db: Session, user_id: int) -> list[AccessRequest]:
    return list(db.scalars(select(AccessRequest).where(AccessRequest.requester_id == user_id)
                           .order_by(AccessRequest.submitted_at.desc(), AccessRequest.id.desc())))


def own_request(db: Session, identity: Identity, request_id: int) -> AccessRequest:
    """A reader's own request; anyone else's is not found."""
    found = db.get(AccessRequest, request_id)
    if found is None or not identity.user_id or found.requester_id != int(identity.user_id):
        raise RequestNotFound(request_id)
    return found


def request_for_staff(db: Session, identity: Identity, request_id: int) -> AccessRequest:
    """A request the identity may decide; another province's is not found (not 403)."""
    found = db.get(AccessRequest, request_id)
    if found is None or not may_decide_for(identity, found.holding_province):
        raise RequestNotFound(request_id)
    return found


def staff_queue(db: Session, identity: Identity, *, only_open: bool = True,
                province: str | None = None) -> list[AccessRequest]:
    """The requests the identity decides, soonest due first."""
    query = select(AccessRequest)
    if identity.can(DECIDE_ALL_REQUESTS):
        if province:
            query = query.where(AccessRequest.holding_province == province)
    elif may_decide_for(identity, identity.province):
        query = query.where(AccessRequest.holding_province == identity.province)
    else:
        return []
    if only_open:
        query = query.where(AccessRequest.state == SUBMITTED)
    return list(db.scalars(query.order_by(AccessRequest.due_on, AccessRequest.id)))


# ---- changing -------------------------------------------------------------------------------

def _change_state(db: Session, access_request: AccessRequest, action: str, expected_version: int,
                  **values) -> None:
    """The one conditional UPDATE every change of state goes through (not committed)."""
    new_state = next_state(access_request.state, action)
    result = db.execute(
        update(AccessRequest)
        .where(AccessRequest.id == access_request.id, AccessRequest.state == SUBMITTED,
               AccessRequest.version == expected_version)
        .values(state=new_state, version=AccessRequest.version + 1, **values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.rollback()
        db.refresh(access_request)
        if access_request.state != SUBMITTED:
            raise DecisionConflict(_l("Someone else changed this request first: it is now %(state)s. "
                                      "Nothing was changed by you.", state=state_label(access_request.state)))
        raise DecisionConflict(_l("This request changed since you opened it. Look at it again, then decide."))


def scope_options(record: dict, ancestors: list[dict]) -> dict[str, dict]:
    """What an approval may cover, from the record and its ancestors (root first) as the index
    gives them: the record, the file it is in (or is), and its fonds."""
    province = record.get("holding_province")
    options = {SCOPE_RECORD: _scope_entry(record, province)}
    chain = [*ancestors, record]
    for scope, level in ((SCOPE_FILE, "file"), (SCOPE_FONDS, "fonds")):
        found = next((entry for entry in reversed(chain) if entry.get("level") == level), None)
        if found is not None:
            options[scope] = _scope_entry(found, province)
    return options


def _scope_entry(record: dict, province: str | None) -> dict:
    # An ancestor is of the same source as the record, so of the same holding province.
    return {"id": record["id"], "level": record.get("level") or "", "title": record.get("title") or "",
            "reference_code": record.get("reference_code"),
            "holding_province": record.get("holding_province") or province}


def grant_end(expires_on: date) -> datetime:
    """A grant is open through the whole of its last day, in Việt Nam."""
    return datetime.combine(expires_on + timedelta(days=1), time(0), tzinfo=VIETNAM).astimezone(timezone.utc)


def default_expiry(now: datetime | None = None) -> date:
    return local_date(now or clock.now()) + timedelta(days=DEFAULT_GRANT_DAYS)


def approve(db: Session, identity: Identity, access_request: AccessRequest, *, expected_version: int,
            scope: str, options: dict[str, dict], expires_on: date | None, note: str = "") -> tuple[AccessGrant, list]:
    """Approve and create the grant, in one transaction. `options` comes from `scope_options`
    for this request's record; a scope outside them, or in another province, is refused."""
    if not may_decide_for(identity, access_request.holding_province):
        raise RequestNotFound(access_request.id)
    if (access_request.kind or KIND_CONTENT) != KIND_CONTENT:
        raise RequestProblem(_l("This request is not for access to the content: accept it with a note to the reader."))
    if scope not in SCOPES or scope not in options:
        raise RequestProblem(_l("Choose what the access covers: the record, its file or its fonds."))
    chosen = options[scope]
    allowed_ids = {access_request.record_id, *(access_request.record_path or [])}
    if chosen["id"] not in allowed_ids or chosen.get("holding_province") != access_request.holding_province \
            or not may_decide_for(identity, chosen.get("holding_province")):
        raise RequestProblem(_l("That scope is wider than you may give: choose the record, its file or its fonds."))
    now = clock.now()
    today = local_date(now)
    if expires_on is None:
        raise RequestProblem(_l("Give the last day of access."))
    if expires_on <= today:
        raise RequestProblem(_l("The last day of access must be after today."))
    if expires_on > today + timedelta(days=MAX_GRANT_DAYS):
        raise RequestProblem(_l("Access may be given for at most %(days)d days.", days=MAX_GRANT_DAYS))
    note = (note or "").strip()[:MAX_TEXT]
    _change_state(db, access_request, APPROVE, expected_version, decided_by_id=int(identity.user_id),
                  decided_at=now, decision_reason=note or None)
    grant = AccessGrant(user_id=access_request.requester_id, request_id=access_request.id, scope=scope,
                        scope_record_id=chosen["id"], scope_level=chosen["level"], scope_title=chosen["title"],
                        holding_province=access_request.holding_province, granted_by_id=int(identity.user_id),
                        granted_at=now, expires_at=grant_end(expires_on), state=GRANT_ACTIVE)
    db.add(grant)
    db.flush()
    entry = notifications.notify(db, access_request.requester_id, notifications.REQUEST_APPROVED,
                                 request_id=access_request.id, grant_id=grant.id,
                                 title=access_request.record_title, scope_title=chosen["title"],
                                 until=expires_on.isoformat(), note=note,
                                 # What the reader wants now is the record, not the request: the mail opens it.
                                 link=f"/records/{quote(access_request.record_id, safe=':/')}")
    events.request_event(events.REQUEST_CHANGE, target_id=access_request.record_id,
                         target_province=access_request.holding_province,
                         details={"request": access_request.id, "state": APPROVED})
    events.request_event(events.GRANT_CREATE, target_id=chosen["id"], target_province=access_request.holding_province,
                         details={"grant": grant.id, "request": access_request.id, "scope": scope,
                                  "user": access_request.requester_id, "expires_on": expires_on.isoformat()})
    db.commit()
    db.refresh(access_request)
    return grant, [entry]


def accept(db: Session, identity: Identity, access_request: AccessRequest, *, expected_version: int,
           note: str) -> list:
    """Approve a reading-room visit or a copy: no grant (nothing opens in the portal); the note tells the
    reader what happens next (when to come, how the copy is delivered), so it is required."""
    if not may_decide_for(identity, access_request.holding_province):
        raise RequestNotFound(access_request.id)
    if (access_request.kind or KIND_CONTENT) == KIND_CONTENT:
        raise RequestProblem(_l("Choose what the access covers: the record, its file or its fonds."))
    note = (note or "").strip()
    if not note:
        raise RequestProblem(_l("Tell the reader what happens next: when to come, or how the copy is delivered."))
    _change_state(db, access_request, APPROVE, expected_version, decided_by_id=int(identity.user_id),
                  decided_at=clock.now(), decision_reason=note[:MAX_TEXT])
    entry = notifications.notify(db, access_request.requester_id, notifications.REQUEST_APPROVED,
                                 request_id=access_request.id, title=access_request.record_title,
                                 request_kind=access_request.kind, note=note[:MAX_TEXT],
                                 link=f"/requests/{access_request.id}")
    events.request_event(events.REQUEST_CHANGE, target_id=access_request.record_id,
                         target_province=access_request.holding_province,
                         details={"request": access_request.id, "state": APPROVED, "kind": access_request.kind})
    db.commit()
    db.refresh(access_request)
    return [entry]


def deny(db: Session, identity: Identity, access_request: AccessRequest, *, expected_version: int,
         reason: str) -> list:
    if not may_decide_for(identity, access_request.holding_province):
        raise RequestNotFound(access_request.id)
    reason = (reason or "").strip()
    if not reason:
        raise RequestProblem(_l("Give the reason for the denial: the reader is told it."))
    now = clock.now()
    _change_state(db, access_request, DENY, expected_version, decided_by_id=int(identity.user_id),
                  decided_at=now, decision_reason=reason[:MAX_TEXT])
    entry = notifications.notify(db, access_request.requester_id, notifications.REQUEST_DENIED,
                                 request_id=access_request.id, title=access_request.record_title,
                                 reason=reason[:MAX_TEXT], link=f"/requests/{access_request.id}")
    events.request_event(events.REQUEST_CHANGE, target_id=access_request.record_id,
                         target_province=access_request.holding_province,
                         details={"request": access_request.id, "state": DENIED})
    db.commit()
    db.refresh(access_request)
    return [entry]


def withdraw(db: Session, identity: Identity, access_request: AccessRequest, *, expected_version: int) -> list:
    if not identity.user_id or access_request.requester_id != int(identity.user_id):
        raise RequestNotFound(access_request.id)
    _change_state(db, access_request, WITHDRAW, expected_version, decided_at=clock.now())
    from portal.auth.models import User

    reader = db.get(User, access_request.requester_id)
    entries = [notifications.notify(db, staff.id, notifications.REQUEST_WITHDRAWN, request_id=access_request.id,
                                    title=access_request.record_title, reader=_name(reader),
                                    link=f"/staff/requests/{access_request.id}")
               for staff in notifications.deciders_of(db, access_request.holding_province)]
    events.request_event(events.REQUEST_CHANGE, target_id=access_request.record_id,
                         target_province=access_request.holding_province,
                         details={"request": access_request.id, "state": WITHDRAWN})
    db.commit()
    db.refresh(access_request)
    return entries


def add_comment(db: Session, identity: Identity, access_request: AccessRequest, body: str) -> list:
    """A message in the thread, from the reader or from staff who decide it, before the decision."""
    is_requester = bool(identity.user_id) and access_request.requester_id == int(identity.user_id)
    is_staff = may_decide_for(identity, access_request.holding_province)
    if not (is_requester or is_staff):
        raise RequestNotFound(access_request.id)
    body = (body or "").strip()
    if not body:
        raise RequestProblem(_l("Write a message first."))
    if len(body) > MAX_TEXT:
        raise RequestProblem(_l("Keep the message under %(count)d characters.", count=MAX_TEXT))
    if access_request.state != SUBMITTED:
        raise RequestProblem(_l("This request is %(state)s: its thread is closed.",
                                state=state_label(access_request.state)))
    from portal.auth.models import User

    author = db.get(User, int(identity.user_id))
    by_staff = is_staff and not is_requester
    db.add(RequestComment(request_id=access_request.id, author_id=author.id, by_staff=by_staff, body=body,
                          created_at=clock.now()))
    if by_staff:
        recipients = [(access_request.requester_id, f"/requests/{access_request.id}")]
    else:
        recipients = [(staff.id, f"/staff/requests/{access_request.id}")
                      for staff in notifications.deciders_of(db, access_request.holding_province)]
    entries = [notifications.notify(db, user_id, notifications.COMMENT_ADDED, request_id=access_request.id,
                                    title=access_request.record_title, author=_name(author), body=body[:500],
                                    link=link)
               for user_id, link in recipients]
    events.request_event(events.REQUEST_CHANGE, target_id=access_request.record_id,
                         target_province=access_request.holding_province,
                         details={"request": access_request.id, "comment_by_staff": by_staff})
    db.commit()
    return entries
