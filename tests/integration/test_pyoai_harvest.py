"""pyoai's OAI-PMH server (another make than our demo provider, issue 15), served over HTTP and harvested through
`flask harvest` into the real OpenSearch: records, titles, dates, sets, deletions and resumption arrive as pyoai
serves them, and its error answers reach the run's report as it worded them."""
from __future__ import annotations

from datetime import datetime

import pytest

from indexer.sources.oai_pmh import OaiPmhClient, SourceProtocolError
from tests.conftest import ServerThread, drop_indices
from tests.integration.harvest_helpers import SOURCE, harvest, indexed, last_run, portal_for
from tests.pyoai_provider import PyoaiRecord, PyoaiRepository, PyoaiWsgiApp

BATCH = 10  # pyoai's page size: 23 records come in three pages


def _records() -> list[PyoaiRecord]:
    records = []
    for number in range(1, 24):
        records.append(PyoaiRecord(
            identifier=f"oai:pyoai.example.org:HS{number:03d}",
            datestamp=datetime(2024, 1, number, 8, 30),
            fields={"title": [f"Hồ sơ số {number} về việc cấp phép xây dựng"], "date": [f"{1990 + number}-03-15"],
                    "type": ["hồ sơ"], "identifier": [f"PY.{number:03d}"], "rights": ["Công khai"],
                    "language": ["vie"]},
            sets=["hanhchinh"] if number % 2 else ["xaydung"],
            deleted=number == 23,  # pyoai answers a deleted record with its header alone
        ))
    return records


@pytest.fixture()
def pyoai_app():
    app = PyoaiWsgiApp(PyoaiRepository(_records()), batch_size=BATCH)
    with ServerThread(app) as server:
        app.repository.base_url = f"{server.url}/oai"
        app.url = server.url
        yield app


@pytest.fixture()
def portal(tmp_path_factory, pyoai_app):
    app = portal_for(tmp_path_factory, pyoai_app.url, prefix="auto")
    yield app
    drop_indices(app)


def _list_requests(pyoai_app) -> list[dict[str, str]]:
    return [params for params in pyoai_app.requests if params.get("verb") == "ListRecords"]


def test_every_record_arrives_with_its_title_and_date_through_resumption(portal, pyoai_app):
    result = harvest(portal)

    assert result.exit_code == 0, result.output
    found = indexed(portal)
    assert set(found) == {f"{SOURCE}:HS{n:03d}" for n in range(1, 23)}
    seventh = found[f"{SOURCE}:HS007"]
    assert seventh["title"] == "Hồ sơ số 7 về việc cấp phép xây dựng"
    assert (seventh["date_start"], seventh["year_start"]) == ("1997-03-15", 1997)
    assert seventh["reference_code"] == "PY.007" and seventh["level"] == "file" and seventh["access"] == "public"
    assert seventh["source_datestamp"].startswith("2024-01-07T08:30:00")
    # The format was chosen from pyoai's ListMetadataFormats; the list came in three pages, two of them by
    # pyoai's own resumption tokens.
    listed = _list_requests(pyoai_app)
    assert listed[0] == {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
    assert [params["resumptionToken"].rsplit("%26", 1)[-1] for params in listed[1:]] == ["cursor%3D10", "cursor%3D20"]
    assert last_run(portal).state == "done"


def test_one_set_is_harvested_across_its_pages(portal, pyoai_app):
    result = harvest(portal, "--set", "hanhchinh")

    assert result.exit_code == 0, result.output
    odd = {f"{SOURCE}:HS{n:03d}" for n in range(1, 23, 2)}
    assert set(indexed(portal)) == odd  # eleven records: more than one page, the set kept in pyoai's token
    listed = _list_requests(pyoai_app)
    assert listed[0]["set"] == "hanhchinh" and "set%3Dhanhchinh" in listed[1]["resumptionToken"]


def test_deletions_and_changes_arrive_incrementally(portal, pyoai_app):
    assert harvest(portal).exit_code == 0
    records = {record.identifier: record for record in pyoai_app.repository.records}
    removed, changed = records["oai:pyoai.example.org:HS003"], records["oai:pyoai.example.org:HS004"]
    removed.deleted, removed.datestamp = True, datetime(2024, 2, 1, 9, 0)
    changed.fields = {**changed.fields, "title": ["Hồ sơ số 4 (bổ sung)"]}
    changed.datestamp = datetime(2024, 2, 1, 9, 5)

    result = harvest(portal)

    assert result.exit_code == 0, result.output
    found = indexed(portal)
    assert f"{SOURCE}:HS003" not in found
    assert found[f"{SOURCE}:HS004"]["title"] == "Hồ sơ số 4 (bổ sung)"
    assert len(found) == 21
    assert _list_requests(pyoai_app)[-1]["from"].startswith("2024-01-2")  # incremental, at seconds granularity
    # Nothing new: pyoai answers noRecordsMatch, an empty list, and the run is done.
    again = harvest(portal)
    assert again.exit_code == 0, again.output
    assert last_run(portal).state == "done" and len(indexed(portal)) == 21


def test_until_a_day_reaches_its_last_second_at_pyoais_granularity(portal, pyoai_app):
    """pyoai refuses from and until of different granularities (badArgument): `--until 2024-02-01` after an
    incremental `from` with seconds failed every such run; a day given to a seconds repository means its end."""
    assert harvest(portal).exit_code == 0
    records = {record.identifier: record for record in pyoai_app.repository.records}
    records["oai:pyoai.example.org:HS005"].datestamp = datetime(2024, 2, 1, 17, 0)
    records["oai:pyoai.example.org:HS005"].fields["title"] = ["Hồ sơ số 5 (sửa ngày 1/2)"]
    records["oai:pyoai.example.org:HS006"].datestamp = datetime(2024, 2, 2, 8, 0)
    records["oai:pyoai.example.org:HS006"].fields["title"] = ["Hồ sơ số 6 (sửa ngày 2/2)"]

    result = harvest(portal, "--until", "2024-02-01")

    assert result.exit_code == 0, result.output
    asked = _list_requests(pyoai_app)[-1]
    assert asked["until"] == "2024-02-01T23:59:59Z" and "T" in asked["from"]
    found = indexed(portal)
    assert found[f"{SOURCE}:HS005"]["title"] == "Hồ sơ số 5 (sửa ngày 1/2)"
    assert found[f"{SOURCE}:HS006"]["title"] == "Hồ sơ số 6 về việc cấp phép xây dựng"


def test_pyoais_bad_argument_is_reported_as_it_said(portal):
    result = harvest(portal, "--until", "yesterday")

    assert result.exit_code == 1
    run = last_run(portal)
    assert run.state == "failed"
    assert "badArgument: The value 'yesterday' of the argument 'until' is not valid." in run.message
    assert "until=yesterday" in run.message  # the request it refused
    assert "The value 'yesterday' of the argument 'until' is not valid." in result.output


def test_pyoais_id_does_not_exist_is_reported_as_it_said(portal):
    result = harvest(portal, "--record", "oai:pyoai.example.org:HS999")

    assert result.exit_code == 1
    assert "idDoesNotExist: Id does not exist: oai:pyoai.example.org:HS999" in last_run(portal).message


def test_a_record_refreshed_alone_comes_from_pyoais_get_record(portal, pyoai_app):
    result = harvest(portal, "--record", "oai:pyoai.example.org:HS002")

    assert result.exit_code == 0, result.output
    assert set(indexed(portal)) == {f"{SOURCE}:HS002"}
    assert pyoai_app.requests[-1]["verb"] == "GetRecord"


def test_pyoais_bad_resumption_token_and_unknown_format_are_told_as_it_said(pyoai_app):
    client = OaiPmhClient(f"{pyoai_app.url}/oai")
    with pytest.raises(SourceProtocolError, match=r"^badResumptionToken: Unable to decode resumption token: "
                                                  r"not-a-token \(request: verb=ListRecords"):
        list(client.list_pages("oai_dc", resumption_token="not-a-token"))
    with pytest.raises(SourceProtocolError, match="^cannotDisseminateFormat: Unknown metadata format: marc21"):
        list(client.list_records("marc21"))
