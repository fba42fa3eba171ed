"""A source's access policy on the real services (issue 15): an English-language, DSpace-like feed
whose every record is closed until the archive's admin says what its wordings mean; the run report
counts the statements nobody recognised, the source page offers to map them, each change is audited
and asks for a full re-harvest, after which anonymous readers find what the policy opens, and nothing
the policy leaves closed. SQLite and PostgreSQL."""
from __future__ import annotations

import json

import pytest

from demo.fault_provider import FaultProvider, FaultRecord, Faults
from portal import database
from portal.audit import actions
from schema.tables import HarvestRun, Source
from tests.accounts import csrf_token, signed_in_client
from tests.audit_support import audit_rows
from tests.conftest import ServerThread, drop_indices
from tests.databases import alembic
from tests.integration.harvest_helpers import SOURCE, indexed, last_run, portal_for

OPEN = "Open for research without restrictions."
LICENCE = "Attribution-NonCommercial 4.0 International"
EMBARGO = "Closed to researchers until 2040."
STAMP = "2025-01-01T00:00:00Z"

RECORDS = [
    FaultRecord("ferris-1", STAMP, "Ferris family papers", rights=(OPEN,)),
    FaultRecord("ferris-2", STAMP, "Ferris correspondence", rights=(OPEN, LICENCE)),
    FaultRecord("ferris-3", STAMP, "Ferris photographs", rights=("open for research  without restrictions",)),
    FaultRecord("ferris-4", STAMP, "Ferris diaries", rights=(EMBARGO,)),
    FaultRecord("ferris-5", STAMP, "Ferris ledgers", rights=()),
    FaultRecord("ferris-6", STAMP, "Ferris maps", rights=("http://creativecommons.org/licenses/by/4.0/",)),
    FaultRecord("ferris-7", STAMP, "Ferris sketches", rights=("http://rightsstatements.org/vocab/InC/1.0/",)),
]


@pytest.fixture()
def portal(tmp_path_factory, database_url):
    provider = FaultProvider(list(RECORDS), Faults(page_size=50))
    with ServerThread(provider) as server:
        app = portal_for(tmp_path_factory, server.url, database_url=database_url)
        yield app
        drop_indices(app)


def _found_anonymously(app, words: str) -> set[str]:
    response = app.test_client().get("/api/v1/search", query_string={"q": words, "size": 50})
    assert response.status_code == 200, response.text
    return {hit["id"] for hit in response.get_json()["hits"]}


def _harvest(app, *args):
    result = app.test_cli_runner().invoke(args=["harvest", *args])
    assert result.exit_code == 0, result.output
    return result


def _post(client, path, data):
    token = csrf_token(client.get(f"/admin/sources/{SOURCE}/access").text)
    return client.post(path, data={"csrf_token": token, **data})


def _source(app) -> Source:
    with app.app_context():
        db = database.get_db()
        source = db.get(Source, SOURCE)
        db.expunge(source)
        return source


def test_an_english_feed_is_closed_until_its_admin_maps_its_wordings(portal):
    _harvest(portal, "--source", SOURCE)
    levels = {doc["local_id"]: doc["access"] for doc in indexed(portal).values()}
    assert levels == {"ferris-1": "closed", "ferris-2": "closed", "ferris-3": "closed", "ferris-4": "closed",
                      "ferris-5": "closed", "ferris-6": "public", "ferris-7": "closed"}
    assert _found_anonymously(portal, "Ferris") == {f"{SOURCE}:ferris-6"}
    # One line a statement, with the records carrying it: the two spellings of OPEN are one statement.
    run = last_run(portal)
    assert run.unrecognised_statements() == [(OPEN, 3), (LICENCE, 1), (EMBARGO, 1)]

    admin = signed_in_client(portal, "admin86@example.vn", "archive_admin", province="86")
    report = admin.get(f"/admin/harvests/{run.id}").text
    assert 'data-run-statements' in report and f'data-statement="{OPEN}"' in report
    assert f'href="/admin/sources/{SOURCE}/access#unrecognised"' in report
    sources_page = admin.get("/admin/sources").text
    assert "data-unrecognised-count>3<" in sources_page
    page = admin.get(f"/admin/sources/{SOURCE}/access").text
    assert 'data-unrecognised' in page and f'<input type="hidden" name="statement" value="{OPEN}">' in page

    assert _post(admin, f"/admin/sources/{SOURCE}/access/rules",
                 {"statement": OPEN, "level": "public"}).status_code == 303
    assert _post(admin, f"/admin/sources/{SOURCE}/access/rules",
                 {"statement": LICENCE, "level": "none"}).status_code == 303
    assert _post(admin, f"/admin/sources/{SOURCE}/access/unstated", {"level": "restricted"}).status_code == 303

    # Each change is an audit row with what changed, and asks for a full re-harvest.
    changes = [json.loads(row.details) for row in audit_rows(portal, actions.SOURCE_CHANGE)
               if json.loads(row.details).get("change") == "access_policy"]
    assert [(c.get("statement"), c.get("level"), c.get("unstated"), c["run_request"]) for c in changes] == [
        (OPEN, [None, "public"], None, "full"), (LICENCE, [None, "none"], None, "full"),
        (None, None, ["closed", "restricted"], "full")]
    source = _source(portal)
    assert source.run_requested_full and source.run_requested_by == "admin86@example.vn"
    # Until the records are read again, nothing already indexed changes.
    assert _found_anonymously(portal, "Ferris") == {f"{SOURCE}:ferris-6"}
    # What the policy now maps leaves the list of statements to map; what it does not stays.
    page = admin.get(f"/admin/sources/{SOURCE}/access").text
    assert f'data-statement="{EMBARGO}"' in page and f'data-statement="{OPEN}"' not in page
    assert f'data-rule="{OPEN}" data-level="public"' in page

    _harvest(portal, "--due")
    levels = {doc["local_id"]: doc["access"] for doc in indexed(portal).values()}
    assert levels == {"ferris-1": "public", "ferris-2": "public", "ferris-3": "public", "ferris-4": "closed",
                      "ferris-5": "restricted", "ferris-6": "public", "ferris-7": "restricted"}
    assert last_run(portal).mode == "full"
    assert last_run(portal).unrecognised_statements() == [(EMBARGO, 1)]
    found = _found_anonymously(portal, "Ferris")
    assert found == {f"{SOURCE}:{local}" for local in ("ferris-1", "ferris-2", "ferris-3", "ferris-5", "ferris-6",
                                                       "ferris-7")}
    # The record the policy leaves closed is invisible anonymously, by search and by its own page.
    assert portal.test_client().get(f"/api/v1/records/{SOURCE}:ferris-4").status_code == 404

    # Removing a rule closes its records again at the next full run.
    assert _post(admin, f"/admin/sources/{SOURCE}/access/rules/remove", {"statement": OPEN}).status_code == 303
    _harvest(portal, "--due")
    assert _found_anonymously(portal, "Ferris papers") == set()


def test_only_who_manages_the_source_sets_its_policy(portal):
    _harvest(portal, "--source", SOURCE)
    other = signed_in_client(portal, "admin46@example.vn", "archive_admin", province="46")
    staff = signed_in_client(portal, "staff86@example.vn", "staff", province="86")
    reader = signed_in_client(portal, "reader@example.vn", "reader")
    national = signed_in_client(portal, "national@example.vn", "national_admin")

    assert other.get(f"/admin/sources/{SOURCE}/access").status_code == 404  # another province's source
    assert staff.get(f"/admin/sources/{SOURCE}/access").status_code == 403  # sees it, may not change it
    assert reader.get(f"/admin/sources/{SOURCE}/access").status_code == 403
    assert portal.test_client().get(f"/admin/sources/{SOURCE}/access").status_code in (302, 303)
    token = csrf_token(national.get(f"/admin/sources/{SOURCE}/access").text)
    for client in (other, staff, reader):
        response = client.post(f"/admin/sources/{SOURCE}/access/rules",
                               data={"csrf_token": token, "statement": OPEN, "level": "public"})
        assert response.status_code in (400, 403, 404)
    assert not _source(portal).access_rules

    # A form filled wrong is said so next to its field, and nothing is saved.
    response = national.post(f"/admin/sources/{SOURCE}/access/rules",
                             data={"csrf_token": token, "statement": "   ", "level": "wide open"})
    assert response.status_code == 400
    assert "field-error" in response.text
    response = national.post(f"/admin/sources/{SOURCE}/access/unstated", data={"csrf_token": token, "level": "all"})
    assert response.status_code == 400
    assert not _source(portal).access_rules and _source(portal).unstated_access == "closed"
    assert national.post(f"/admin/sources/{SOURCE}/access/rules",
                         data={"csrf_token": token, "statement": OPEN, "level": "public"}).status_code == 303
    assert [rule["statement"] for rule in _source(portal).access_rules] == [OPEN]


def test_a_run_counts_every_record_of_a_statement_beyond_the_examples_it_keeps(portal):
    with portal.app_context():
        run = HarvestRun.begin(SOURCE, "full", "test")
        run.count_statements([f"Statement {n}" for n in range(250)] + ["statement 1."] * 4)
        ranked = run.unrecognised_statements()
    assert ranked[0] == ("Statement 1", 5)
    assert len(ranked) == 201 and ranked[-1] == ("#other", 50)


def test_migration_0013_closes_what_sources_leave_unstated_and_goes_down_again(database_url):
    from sqlalchemy import create_engine, inspect, text

    alembic(database_url, "upgrade", "0012")
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO sources (id, name, holding_province, kind, url, metadata_prefix,"
                                    " enabled, created_at, run_requested_full) VALUES ('cu', '', '86', 'oai-pmh',"
                                    " 'https://cu.example/oai', 'oai_dc', :yes, CURRENT_TIMESTAMP, :no)"),
                               {"yes": True, "no": False})
        alembic(database_url, "upgrade", "heads")
        with engine.connect() as connection:
            row = connection.execute(text("SELECT access_rules, unstated_access FROM sources")).one()
        assert tuple(row) == (None, "closed")  # earlier sources: closed unless an admin says otherwise

        alembic(database_url, "downgrade", "0012")
        with engine.connect() as connection:
            columns = {column["name"] for column in inspect(connection).get_columns("sources")}
            run_columns = {column["name"] for column in inspect(connection).get_columns("harvest_runs")}
            assert not {"access_rules", "unstated_access"} & columns and "access_statements" not in run_columns
            assert connection.execute(text("SELECT count(*) FROM sources")).scalar() == 1
        alembic(database_url, "upgrade", "heads")
    finally:
        engine.dispose()


def test_the_command_line_shows_and_sets_the_policy_with_the_same_rules(portal):
    _harvest(portal, "--source", SOURCE)
    runner = portal.test_cli_runner()

    shown = runner.invoke(args=["sources", "access", SOURCE])
    assert shown.exit_code == 0, shown.output
    assert "records stating no level are closed" in shown.output
    assert f"unrecognised in run {last_run(portal).id}: {OPEN} (3 records)" in shown.output

    wrong = runner.invoke(args=["sources", "access", SOURCE, "--map", f"{OPEN}=everyone"])
    assert wrong.exit_code == 2 and "Choose what the statement means" in wrong.output
    assert not _source(portal).access_rules

    result = runner.invoke(args=["sources", "access", SOURCE, "--map", f"{OPEN}=public", "--unstated", "public"])
    assert result.exit_code == 0, result.output
    assert f"public     {OPEN}" in result.output and OPEN not in result.output.split("unrecognised")[-1]
    rows = [row for row in audit_rows(portal, actions.SOURCE_CHANGE) if "access_policy" in row.details]
    assert len(rows) == 2 and all(row.actor.startswith("cli") for row in rows)
    assert _source(portal).run_requested_full
