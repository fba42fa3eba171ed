"""Faults of a source that must end in a report, not a crash: each against demo/fault_provider.py,
served over HTTP, harvested through `flask harvest` into the real OpenSearch."""
from __future__ import annotations

import pytest

from demo.fault_provider import FaultProvider, FaultRecord, Faults, numbered_records
from tests.conftest import ServerThread, drop_indices
from tests.integration.harvest_helpers import harvest, indexed, last_run, live_ids, objects_of, portal_for


@pytest.fixture()
def served(request):
    """A fault provider (records and faults from the test's `provider` mark or defaults), its URL."""
    marker = request.node.get_closest_marker("provider")
    records = marker.kwargs.get("records") if marker else None
    faults = marker.kwargs.get("faults") if marker else None
    provider = FaultProvider(records or numbered_records(25), faults or Faults())
    with ServerThread(provider) as server:
        yield provider, server.url


@pytest.fixture()
def portal(tmp_path_factory, served, request):
    marker = request.node.get_closest_marker("portal")
    app = portal_for(tmp_path_factory, served[1], **(marker.kwargs if marker else {}))
    yield app
    drop_indices(app)


def test_http_500_twice_is_retried_and_the_run_succeeds(served, portal):
    provider, _ = served
    provider.faults.statuses = [(500, {}), (500, {})]

    result = harvest(portal)

    assert result.exit_code == 0, result.output
    assert set(indexed(portal)) == live_ids(provider.records)
    assert "HTTP 500" in result.output and "retry" in result.output


def test_503_with_retry_after_is_honoured_up_to_the_configured_cap(served, portal):
    provider, _ = served
    provider.faults.statuses = [(503, {"Retry-After": "7"})]

    result = harvest(portal)

    assert result.exit_code == 0, result.output
    assert "Retry-After 7 s" in result.output and "in 0.05 s" in result.output  # capped by HARVEST_RETRY_MAX_WAIT
    assert set(indexed(portal)) == live_ids(provider.records)


def test_a_source_that_always_answers_500_ends_in_a_failed_run_with_a_report(served, portal):
    provider, _ = served
    provider.faults.always_status = 500

    result = harvest(portal)

    assert result.exit_code == 1
    run = last_run(portal)
    assert run.state == "failed" and "HTTP 500" in run.message and "after 3 tries" in run.message
    assert "HTTP 500" in result.output
    assert len(provider.requests) == 3  # bounded


@pytest.mark.portal(HARVEST_HTTP_TIMEOUT=0.5)
def test_an_answer_that_times_out_is_retried(served, portal):
    provider, _ = served
    provider.faults.timeouts, provider.faults.timeout_sleep = 1, 1.5

    result = harvest(portal)

    assert result.exit_code == 0, result.output
    assert "did not answer within" in result.output
    assert set(indexed(portal)) == live_ids(provider.records)


def test_connection_refused_ends_in_a_failed_run_with_its_reason(tmp_path_factory):
    app = portal_for(tmp_path_factory, "http://127.0.0.1:9")
    try:
        result = harvest(app)
        assert result.exit_code == 1
        run = last_run(app)
        assert run.state == "failed" and "did not answer" in run.message
    finally:
        drop_indices(app)


def test_an_html_maintenance_page_is_retried_then_reported(served, portal):
    provider, _ = served
    provider.faults.html_pages = 1
    assert harvest(portal).exit_code == 0
    provider.faults.html_pages = 100

    result = harvest(portal, "--full")

    assert result.exit_code == 1
    assert "HTML page" in result.output and "Hệ thống đang bảo trì" in result.output
    assert set(indexed(portal)) == live_ids(provider.records), "a failed full run leaves the old index in place"


@pytest.mark.provider(faults=Faults(broken_records={"HS003"}))
def test_one_malformed_record_fails_alone_and_the_others_are_imported(served, portal):
    provider, _ = served

    result = harvest(portal)

    assert result.exit_code == 0, result.output
    run = last_run(portal)
    assert run.state == "done-with-errors" and run.failed == 1 and run.added == len(provider.records) - 1
    assert set(indexed(portal)) == live_ids(provider.records) - {"faulty:HS003"}
    assert [e["record"] for e in run.errors["xml"]] == ["faulty:HS003"]
    failed = [o for o in objects_of(portal, run.id) if o.state == "failed"]
    assert [o.identifier for o in failed] == ["oai:faulty.luutru.test:HS003"]
    assert "page" in run.errors  # the report says the page was read record by record


@pytest.mark.provider(faults=Faults(control_characters={"HS002"}, declared_encoding="ISO-8859-1"))
def test_control_characters_and_a_wrong_encoding_declaration_are_mended(served, portal):
    provider, _ = served

    result = harvest(portal)

    assert result.exit_code == 0, result.output
    documents = indexed(portal)
    assert set(documents) == live_ids(provider.records)
    assert documents["faulty:HS001"]["title"] == provider.records[0].title  # read as UTF-8, not Latin-1
    # Raw controls and references XML forbids are dropped; the references it allows are kept (issue 15).
    assert documents["faulty:HS002"]["title"].startswith("Hồ sơ có ký tự điều khiển có tham chiếu đ")


@pytest.mark.provider(records=[FaultRecord("HS001", "2025-01-01T00:00:00Z", "Cà Mau 1976")],
                      faults=Faults(body_encoding="latin-1", declared_encoding="UTF-8"))
def test_latin_bytes_declared_utf8_are_read_in_their_real_encoding(served, portal):
    assert harvest(portal).exit_code == 0
    assert indexed(portal)["faulty:HS001"]["title"] == "Cà Mau 1976"


@pytest.mark.provider(faults=Faults(loop_token=True))
def test_a_resumption_token_that_repeats_stops_the_run_with_a_report(served, portal):
    result = harvest(portal)

    assert result.exit_code == 1
    run = last_run(portal)
    assert run.state == "stopped" and "resumptionTokenLoop" in run.message and not run.resumable
    assert len(indexed(portal)) == 20  # the two pages before the loop are kept


@pytest.mark.provider(faults=Faults(expire_tokens=1))
def test_an_expired_token_restarts_the_list_and_nothing_is_doubled(served, portal):
    provider, _ = served

    result = harvest(portal)

    assert result.exit_code == 0, result.output
    run = last_run(portal)
    assert run.added == len(provider.records) and run.failed == 0
    assert "resumption token was refused" in result.output
    assert set(indexed(portal)) == live_ids(provider.records)


@pytest.mark.provider(faults=Faults(huge_records={"HS002"}))
def test_a_20_mb_record_fails_alone(served, portal):
    provider, _ = served

    result = harvest(portal)

    assert result.exit_code == 0, result.output
    run = last_run(portal)
    assert run.failed == 1 and run.errors["too-large"][0]["record"] == "faulty:HS002"
    assert set(indexed(portal)) == live_ids(provider.records) - {"faulty:HS002"}


@pytest.mark.provider(records=[
    FaultRecord("Y", "2025-01-01T00:00:00Z", "Năm", date="1975"),
    FaultRecord("MY", "2025-01-01T00:00:00Z", "Tháng", date="03/1976"),
    FaultRecord("ISO", "2025-01-01T00:00:00Z", "Ngày", date="1976-03-05"),
    FaultRecord("WORDS", "2025-01-01T00:00:00Z", "Chữ", date="năm 1980"),
    FaultRecord("ODD", "2025-01-01T00:00:00Z", "Lạ", date="không rõ"),
])
def test_dates_in_many_shapes_become_ranges(served, portal):
    assert harvest(portal).exit_code == 0
    documents = indexed(portal)
    assert (documents["faulty:Y"]["date_start"], documents["faulty:Y"]["date_end"]) == ("1975-01-01", "1975-12-31")
    assert (documents["faulty:MY"]["date_start"], documents["faulty:MY"]["date_end"]) == ("1976-03-01", "1976-03-31")
    assert documents["faulty:ISO"]["date_start"] == documents["faulty:ISO"]["date_end"] == "1976-03-05"
    assert documents["faulty:WORDS"]["year_start"] == documents["faulty:WORDS"]["year_end"] == 1980
    assert documents["faulty:ODD"]["date_start"] is None  # unreadable: no date, the record still indexed


@pytest.mark.provider(faults=Faults(duplicate_on_next_page={"HS010", "HS020"}))
def test_identifiers_listed_again_on_a_later_page_are_imported_once(served, portal):
    provider, _ = served

    result = harvest(portal)

    assert result.exit_code == 0, result.output
    run = last_run(portal)
    assert run.added == len(provider.records) and run.updated == 0
    assert {e["record"] for e in run.errors["duplicate"]} == {"oai:faulty.luutru.test:HS010",
                                                              "oai:faulty.luutru.test:HS020"}
    assert set(indexed(portal)) == live_ids(provider.records)


@pytest.mark.provider(faults=Faults(doctype="xxe", entity_record="HS001"))
def test_an_external_entity_is_never_read(served, portal):
    provider, _ = served

    assert harvest(portal).exit_code == 0
    documents = indexed(portal)
    assert set(documents) == live_ids(provider.records)
    assert "root:" not in documents["faulty:HS001"]["title"]


@pytest.mark.provider(faults=Faults(doctype="billion-laughs", entity_record="HS001"))
def test_billion_laughs_are_not_expanded_and_the_other_records_are_imported(served, portal):
    provider, _ = served

    result = harvest(portal)

    assert result.exit_code == 0, result.output
    documents = indexed(portal)
    assert live_ids(provider.records) - {"faulty:HS001"} <= set(documents)
    assert all("lol" not in d["title"] for d in documents.values())


@pytest.mark.portal(prefix="marc21")
def test_a_format_the_source_cannot_disseminate_is_a_clear_error(served, portal):
    result = harvest(portal)

    assert result.exit_code == 1
    assert "cannotDisseminateFormat" in last_run(portal).message


def test_bad_argument_is_a_clear_error(served, portal):
    provider, _ = served
    provider.faults.verb_errors["ListRecords"] = ("badArgument", "the from argument is not a date")

    result = harvest(portal)

    assert result.exit_code == 1
    run = last_run(portal)
    assert run.state == "failed" and "badArgument: the from argument is not a date" in run.message
    assert "(request: verb=ListRecords, metadataPrefix=" in run.message  # what was refused, for the admin


def test_an_error_without_words_says_so_and_names_the_request(served, portal):
    """'badArgument: ' with nothing after it told an admin nothing (issue 15)."""
    provider, _ = served
    provider.faults.verb_errors["ListRecords"] = ("badArgument", "")

    assert harvest(portal).exit_code == 1
    message = last_run(portal).message
    assert "badArgument: the source gave no reason (request: verb=ListRecords, metadataPrefix=" in message


def test_no_records_match_is_an_empty_success_and_from_follows_the_granularity(served, portal):
    provider, _ = served
    provider.faults.granularity = "YYYY-MM-DD"
    assert harvest(portal).exit_code == 0
    provider.records[:] = [r for r in provider.records if r.datestamp < "2025-01-01"]  # nothing new, nothing left

    result = harvest(portal)

    assert result.exit_code == 0, result.output
    assert last_run(portal).state == "done"
    list_request = [r for r in provider.requests if r.get("verb") == "ListRecords"][-1]
    assert list_request["from"] == "2025-01-01"  # the day, as a day-granular repository wants it


def test_a_full_run_of_part_of_a_list_is_refused(served, portal):
    result = harvest(portal, "--full", "--set", "P01")

    assert result.exit_code == 2 and "--full reads a source's whole list" in result.output
