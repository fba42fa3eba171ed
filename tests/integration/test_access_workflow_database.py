"""The access workflow on the real database (every database `database_url` gives): exactly
one of two racing decisions stands, a withdrawal racing an approval wins or loses whole,
notices reach the inbox and the mail, and grants end at expiry, before and after the job."""
from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from tests.access_requests import unique_email
from tests.accounts import create_user
from tests.conftest import make_portal
from tests.databases import alembic

FONDS, SERIES, FILE = "vinhlong:VL.T", "vinhlong:VL.T/ML01", "vinhlong:VL.T/ML01/HS001"
ITEM = f"{FILE}/VB01"
ANCESTORS = [{"id": FONDS, "level": "fonds", "title": "Phông UBND"},
             {"id": SERIES, "level": "series", "title": "Mục lục 1"},
             {"id": FILE, "level": "file", "title": "Hồ sơ 1"}]


def _record(record_id: str = ITEM) -> dict:
    return {"id": record_id, "level": "item", "access": "restricted", "content_visible": False,
            "title": "Quyết định thử", "reference_code": "VL.T.ML01.HS001.01", "path": [FONDS, SERIES, FILE],
            "holding_province": "86"}


@pytest.fixture()
def portal(tmp_path_factory, database_url, mail_sink):
    app = make_portal(tmp_path_factory, database_url=database_url, **mail_sink.settings)
    app.people = {
        "reader": create_user(app, unique_email("reader")),
        "staff_a": create_user(app, unique_email("staff-a"), "staff", "86"),
        "staff_b": create_user(app, unique_email("staff-b"), "staff", "86"),
        "hue": create_user(app, unique_email("hue"), "staff", "46"),
    }
    return app


def _identity(app, who: str):
    from portal.access.identity import Identity
    from portal.auth.models import User
    from portal.database import get_db

    with app.app_context():
        user = get_db().get(User, app.people[who])
        return Identity(user_id=str(user.id), roles=user.role_set, province=user.province)


def _email(app, who: str) -> str:
    from portal.auth.models import User
    from portal.database import get_db

    with app.app_context():
        return get_db().get(User, app.people[who]).email


def _ask(app, record_id: str = ITEM) -> int:
    from portal.access import notifications, workflow
    from portal.database import get_db

    with app.test_request_context():
        access_request, entries = workflow.create_request(
            get_db(), _identity(app, "reader"), _record(record_id),
            workflow.RequestDetails("personal", "Viết luận văn", "Lịch sử", "1990–1995"))
        notifications.send_now(get_db(), entries)
        return access_request.id


def _approve(app, who: str, request_id: int, version: int = 1, scope: str = "file", options=None,
             expires_on: date | None = None):
    from portal.access import workflow
    from portal.access.models import AccessRequest
    from portal.database import get_db

    with app.test_request_context():
        db = get_db()
        access_request = db.get(AccessRequest, request_id)
        options = options or workflow.scope_options(_record(access_request.record_id), ANCESTORS)
        return workflow.approve(db, _identity(app, who), access_request, expected_version=version, scope=scope,
                                options=options, expires_on=expires_on or date.today() + timedelta(days=30))


def _race(*actions):
    """Run the actions at the same moment, each in its own thread; their outcomes in order."""
    from portal.access.workflow import DecisionConflict

    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        barrier.wait()
        try:
            action()
            outcomes[index] = "won"
        except DecisionConflict as conflict:
            outcomes[index] = ("lost", str(conflict.message))
        except Exception as error:  # noqa: BLE001 - reported to the test
            outcomes[index] = ("error", repr(error))

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def _state(app, request_id: int) -> tuple[str, int, int]:
    from portal.access.models import AccessGrant, AccessRequest
    from portal.database import get_db

    with app.app_context():
        db = get_db()
        found = db.get(AccessRequest, request_id)
        grants = db.scalar(select(func.count()).select_from(AccessGrant).where(AccessGrant.request_id == request_id))
        return found.state, found.version, grants


def test_two_staff_approving_at_once_one_decision_stands(portal):
    for round_ in range(4):
        request_id = _ask(portal, f"{ITEM}-{round_}")
        outcomes = _race(lambda: _approve(portal, "staff_a", request_id),
                         lambda: _approve(portal, "staff_b", request_id, scope="record"))
        assert sorted(o if o == "won" else o[0] for o in outcomes) == ["lost", "won"], outcomes
        assert _state(portal, request_id) == ("approved", 2, 1)


def test_approve_racing_deny_leaves_exactly_one_decision(portal):
    from portal.access import workflow
    from portal.access.models import AccessRequest
    from portal.database import get_db

    def deny(request_id):
        with portal.test_request_context():
            db = get_db()
            workflow.deny(db, _identity(portal, "staff_b"), db.get(AccessRequest, request_id), expected_version=1,
                          reason="Hồ sơ đang tu bổ")

    for round_ in range(3):
        request_id = _ask(portal, f"{ITEM}-d{round_}")
        outcomes = _race(lambda: _approve(portal, "staff_a", request_id), lambda: deny(request_id))
        assert outcomes.count("won") == 1, outcomes
        state, version, grants = _state(portal, request_id)
        assert version == 2 and grants == (1 if state == "approved" else 0)
        loser = next(o for o in outcomes if o != "won")
        assert loser[0] == "lost" and loser[1]


def test_withdrawal_racing_an_approval_wins_or_loses_whole(portal):
    from portal.access import workflow
    from portal.access.models import AccessRequest
    from portal.database import get_db

    def withdraw(request_id):
        with portal.test_request_context():
            db = get_db()
            workflow.withdraw(db, _identity(portal, "reader"), db.get(AccessRequest, request_id), expected_version=1)

    for round_ in range(3):
        request_id = _ask(portal, f"{ITEM}-w{round_}")
        outcomes = _race(lambda: withdraw(request_id), lambda: _approve(portal, "staff_a", request_id))
        assert outcomes.count("won") == 1, outcomes
        state, _version, grants = _state(portal, request_id)
        assert (state, grants) in {("withdrawn", 0), ("approved", 1)}


def test_the_same_request_twice_at_once_is_stored_once(portal):
    from portal.access.models import AccessRequest
    from portal.access.workflow import RequestProblem
    from portal.database import get_db

    results = []
    barrier = threading.Barrier(2)

    def ask():
        barrier.wait()
        try:
            results.append(_ask(portal, f"{ITEM}-twice"))
        except RequestProblem:
            results.append("refused")

    threads = [threading.Thread(target=ask) for _ in range(2)]
    [t.start() for t in threads]
    [t.join(30) for t in threads]
    assert results.count("refused") == 1
    with portal.app_context():
        assert get_db().scalar(select(func.count()).select_from(AccessRequest).where(
            AccessRequest.record_id == f"{ITEM}-twice", AccessRequest.requester_id == portal.people["reader"])) == 1


def test_scope_outside_the_request_path_or_province_is_refused(portal):
    from portal.access import workflow

    request_id = _ask(portal)
    elsewhere = workflow.scope_options(_record(), ANCESTORS)
    elsewhere["file"] = {**elsewhere["file"], "id": "vinhlong:VL.T/ML01/HS999"}
    with pytest.raises(workflow.RequestProblem):
        _approve(portal, "staff_a", request_id, options=elsewhere)
    other_fonds = workflow.scope_options(_record(), ANCESTORS)
    other_fonds["fonds"] = {**other_fonds["fonds"], "id": "hue:TTH.UBND", "holding_province": "46"}
    with pytest.raises(workflow.RequestProblem):
        _approve(portal, "staff_a", request_id, scope="fonds", options=other_fonds)
    with pytest.raises(workflow.RequestNotFound):
        _approve(portal, "hue", request_id)
    with pytest.raises(workflow.RequestProblem):
        _approve(portal, "staff_a", request_id, expires_on=date.today() + timedelta(days=400))
    assert _state(portal, request_id) == ("submitted", 1, 0)


def test_staff_are_mailed_a_new_request_and_the_reader_the_decision(portal, mail_sink):
    request_id = _ask(portal, f"{ITEM}-mail")
    for staff in ("staff_a", "staff_b"):
        assert "Quyết định thử" in str(mail_sink.wait_for(_email(portal, staff))[-1]["Subject"])
    assert not mail_sink.to(_email(portal, "hue"))
    _approve(portal, "staff_a", request_id)
    from portal.access import notifications

    with portal.test_request_context():
        from portal.access.models import Notification
        from portal.database import get_db

        db = get_db()
        entries = db.scalars(select(Notification).where(Notification.request_id == request_id,
                                                        Notification.user_id == portal.people["reader"])).all()
        notifications.send_now(db, list(entries))
    mail = mail_sink.wait_for(_email(portal, "reader"))[-1]
    assert "/records/vinhlong:" in mail.get_content()  # the record the reader may now read (issue 18)
    assert mail["Date"]


def test_a_mail_that_cannot_be_sent_leaves_the_decision_and_the_inbox_entry(portal):
    from portal.access.models import MAIL_FAILED, Notification
    from portal.database import get_db

    portal.config["MAIL_PORT"] = 1  # nothing listens there
    request_id = _ask(portal, f"{ITEM}-nomail")
    with portal.app_context():
        entries = get_db().scalars(select(Notification).where(Notification.request_id == request_id)).all()
        assert entries and {entry.mail_state for entry in entries} == {MAIL_FAILED}
    assert _state(portal, request_id) == ("submitted", 1, 0)


def test_grants_end_at_expiry_at_read_time_and_the_job_marks_them_and_warns_first(portal, mail_sink):
    from portal.access.grants import active_scope_ids
    from portal.access.models import AccessGrant, Notification
    from portal.database import get_db

    request_id = _ask(portal, f"{ITEM}-expiry")
    _approve(portal, "staff_a", request_id, expires_on=date.today() + timedelta(days=5))
    reader = portal.people["reader"]
    with portal.app_context():
        assert active_scope_ids(get_db(), reader) == {FILE}
        assert active_scope_ids(get_db(), reader, datetime.now(timezone.utc) + timedelta(days=7)) == frozenset()

    runner = portal.test_cli_runner()
    result = runner.invoke(args=["grants", "expire"])
    assert result.exit_code == 0 and "holder(s) told their grant ends soon" in result.output, result.output
    assert "Hồ sơ 1" in mail_sink.wait_for(_email(portal, "reader"), count=1)[-1].get_content()
    with portal.app_context():
        assert get_db().scalar(select(AccessGrant.state).where(AccessGrant.request_id == request_id)) == "active"
    assert runner.invoke(args=["grants", "expire"]).exit_code == 0  # warns once: counted below

    portal.config["ACCESS_CLOCK"] = lambda: datetime.now(timezone.utc) + timedelta(days=8)
    try:
        with portal.app_context():
            assert active_scope_ids(get_db(), reader) == frozenset()  # before the job runs
            assert get_db().scalar(select(AccessGrant.state).where(AccessGrant.request_id == request_id)) == "active"
        assert "marked expired" in runner.invoke(args=["grants", "expire"]).output
    finally:
        portal.config.pop("ACCESS_CLOCK")
    with portal.app_context():
        db = get_db()
        assert db.scalar(select(AccessGrant.state).where(AccessGrant.request_id == request_id)) == "expired"
        assert db.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == reader, Notification.kind == "grant_expiring")) == 1
        assert active_scope_ids(db, reader) == frozenset()


def test_revoked_grant_opens_nothing_and_only_own_province_staff_may_revoke(portal):
    from portal.access import grants
    from portal.database import get_db

    request_id = _ask(portal, f"{ITEM}-revoke")
    grant, _entries = _approve(portal, "staff_a", request_id, scope="fonds")
    with portal.test_request_context():
        db = get_db()
        assert grants.active_scope_ids(db, portal.people["reader"]) == {FONDS}
        with pytest.raises(grants.GrantNotFound):
            grants.revoke(db, _identity(portal, "hue"), grant.id)
        grants.revoke(db, _identity(portal, "staff_b"), grant.id, "Hết thời hạn nghiên cứu")
        assert grants.active_scope_ids(db, portal.people["reader"]) == frozenset()
        with pytest.raises(grants.GrantAlreadyEnded):
            grants.revoke(db, _identity(portal, "staff_a"), grant.id)


def test_current_identity_carries_the_active_grants_read_once_a_request(portal, monkeypatch):
    from flask_login import login_user
    from sqlalchemy.exc import OperationalError

    from portal.access import grants
    from portal.access.identity import current_identity
    from portal.auth.models import User
    from portal.database import get_db

    _approve(portal, "staff_a", _ask(portal, f"{ITEM}-identity"), scope="file")
    reader = portal.people["reader"]
    with portal.test_request_context():
        login_user(get_db().get(User, reader))
        identity = current_identity()
        assert identity.granted_record_ids == {FILE}
        assert current_identity() is identity  # cached on g: one query a request

    def broken(*_args, **_kwargs):
        raise OperationalError("SELECT", {}, Exception("database gone"))

    monkeypatch.setattr(grants, "active_scope_ids", broken)
    with portal.test_request_context():
        login_user(get_db().get(User, reader))
        identity = current_identity()
        assert identity.user_id == str(reader) and identity.granted_record_ids == frozenset()  # fail closed


def test_each_change_writes_one_audit_row_in_its_own_transaction(portal):
    """Asking, approving (the decision and the grant) and revoking each leave their rows, and the
    chain stays whole; the rows commit with the change (portal.access.events)."""
    from portal.access import grants
    from portal.access.models import AccessGrant
    from portal.database import get_db
    from tests.audit_support import count_by_action

    before = count_by_action(portal)
    request_id = _ask(portal)
    _approve(portal, "staff_a", request_id)
    with portal.test_request_context():
        grant_id = get_db().scalar(select(AccessGrant.id).where(AccessGrant.request_id == request_id))
        grants.revoke(get_db(), _identity(portal, "staff_a"), grant_id, "Hết nhu cầu")
    after = count_by_action(portal)
    added = {action: after.get(action, 0) - before.get(action, 0) for action in after}
    assert added.get("request.create") == 1
    assert added.get("request.change") == 1  # the approval
    assert added.get("grant.create") == 1
    assert added.get("grant.revoke") == 1
    assert portal.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


def test_a_decision_whose_audit_row_cannot_be_written_does_not_happen(portal, database_url):
    from portal.audit.log import AuditUnavailable
    from tests.audit_support import make_audit_table_read_only

    request_id = _ask(portal)
    make_audit_table_read_only(database_url)
    with pytest.raises(AuditUnavailable):
        _approve(portal, "staff_a", request_id)
    assert _state(portal, request_id) == ("submitted", 1, 0)  # no decision, no grant


def test_a_notice_whose_page_died_before_mailing_is_sent_by_the_command_once_it_is_old_enough(portal, mail_sink):
    from portal.access import notifications
    from portal.access.models import Notification
    from portal.database import get_db

    now = datetime.now(timezone.utc)
    with portal.app_context():
        db = get_db()
        old, young = (notifications.notify(db, portal.people["reader"], notifications.REQUEST_DENIED,
                                           title=title, reason="Hồ sơ đang tu bổ") for title in ("Cũ", "Mới"))
        old.created_at, young.created_at = now - timedelta(minutes=30), now - timedelta(minutes=2)
        db.commit()  # both pending: the process that served their pages died before mailing
        ids = old.id, young.id

    result = portal.test_cli_runner().invoke(args=["notices", "send", "--pending-minutes", "10"])

    assert result.exit_code == 0 and result.output.startswith("1 mailed"), result.output
    assert "Cũ" in str(mail_sink.wait_for(_email(portal, "reader"))[-1]["Subject"])
    with portal.app_context():
        states = dict(get_db().execute(select(Notification.id, Notification.mail_state)
                                       .where(Notification.id.in_(ids))).all())
    assert states == {ids[0]: "sent", ids[1]: "pending"}  # the young one may still go out after its page


# ---- migration 0012: the kind of a request ----------------------------------------------------

def test_migration_0012_gives_earlier_requests_the_content_kind_and_goes_down_again(database_url):
    from sqlalchemy import create_engine, inspect, text
    from sqlalchemy.exc import IntegrityError

    alembic(database_url, "upgrade", "0011")
    engine = create_engine(database_url)
    insert = text("INSERT INTO access_requests (requester_id, record_id, record_level, record_title, record_path,"
                  " holding_province, purpose, use_description, research_topic, period_wanted, state, submitted_at,"
                  " due_on, version) VALUES (1, :record, 'item', 'Quyết định', '[]', '86', 'personal', 'Nghiên cứu',"
                  " '', '', :state, CURRENT_TIMESTAMP, CURRENT_DATE, 1)")
    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO users (email, full_name, roles, active, failed_logins, created_at)"
                                    " VALUES ('cu@example.vn', 'Độc giả cũ', 'reader', :yes, 0, CURRENT_TIMESTAMP)"),
                               {"yes": True})
            connection.execute(insert, {"record": "vinhlong:VL/1", "state": "submitted"})
        alembic(database_url, "upgrade", "heads")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT kind FROM access_requests")).scalars().all() == ["content"]

        alembic(database_url, "downgrade", "0011")
        with engine.begin() as connection:
            columns = {column["name"] for column in inspect(connection).get_columns("access_requests")}
            assert "kind" not in columns and connection.execute(text("SELECT count(*) FROM access_requests")).scalar() == 1
            connection.execute(insert, {"record": "vinhlong:VL/1", "state": "withdrawn"})  # the index stays partial
        with pytest.raises(IntegrityError), engine.begin() as connection:  # and unique for open requests
            connection.execute(insert, {"record": "vinhlong:VL/1", "state": "submitted"})
        alembic(database_url, "upgrade", "heads")
    finally:
        engine.dispose()
