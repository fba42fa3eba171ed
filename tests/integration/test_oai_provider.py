"""The OAI-PMH provider (/oai) on the harvested demo archives, in the real OpenSearch: every verb and error,
every answer valid against the OAI-PMH 2.0 schema, and exactly what an anonymous reader may see."""
from __future__ import annotations

import json
import time
from collections import Counter

import itsdangerous.timed
import pytest
from lxml import etree
from sqlalchemy import select

from portal.oai.setspecs import fonds_set, province_set
from portal.oai.tokens import ListRequest, Resumption, issue
from tests.conftest import DEMO_SOURCES
from tests.oai_schema import assert_valid
from tests.permission_truth import Person, demo_truth, may_read, may_see

NS = {"o": "http://www.openarchives.org/OAI/2.0/", "dc": "http://purl.org/dc/elements/1.1/",
      "ead": "urn:isbn:1-931666-22-9", "xlink": "http://www.w3.org/1999/xlink"}
ANONYMOUS = Person("anonymous")
REPOSITORY = "archives-portal.invalid"


@pytest.fixture(scope="module")
def oai(harvested_app):
    harvested_app.config.update(RATELIMIT_OAI="100000 per minute", OAI_PAGE_SIZE=100)
    return harvested_app.test_client()


@pytest.fixture(scope="module")
def truth(demo_archives):
    return {record.id: record for record in demo_truth(demo_archives, DEMO_SOURCES)}


def ask(client, **arguments) -> etree._Element:
    response = client.get("/oai", query_string=arguments)
    assert response.status_code == 200
    assert response.content_type == "text/xml; charset=utf-8"
    return assert_valid(response.data)


def error_code(document) -> str | None:
    found = document.find("o:error", NS)
    return found.get("code") if found is not None else None


def walk(client, verb: str, **arguments) -> tuple[list[etree._Element], list[etree._Element]]:
    """Every item of a list, page by page through its resumption tokens: (items, the pages)."""
    pages, items = [], []
    document = ask(client, verb=verb, **arguments)
    while True:
        assert error_code(document) is None, etree.tostring(document)
        pages.append(document)
        listing = document.find(f"o:{verb}", NS)
        items += [child for child in listing if etree.QName(child).localname != "resumptionToken"]
        token = listing.find("o:resumptionToken", NS)
        if token is None or not (token.text or "").strip():
            return items, pages
        document = ask(client, verb=verb, resumptionToken=token.text)


def identifier_of(record_id: str) -> str:
    return f"oai:{REPOSITORY}:{record_id}"


def record_id_of(identifier: str) -> str:
    return identifier.split(":", 2)[2]


def headers(items) -> list[etree._Element]:
    return [item if etree.QName(item).localname == "header" else item.find("o:header", NS) for item in items]


def test_identify_says_what_the_repository_is(oai):
    document = ask(oai, verb="Identify")
    identify = document.find("o:Identify", NS)
    assert identify.findtext("o:baseURL", namespaces=NS) == "http://localhost/oai"
    assert identify.findtext("o:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("o:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.findtext("o:earliestDatestamp", namespaces=NS) <= time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                                      time.gmtime())


def test_the_whole_list_is_exactly_what_an_anonymous_reader_may_see(oai, truth):
    oai.application.config["OAI_PAGE_SIZE"] = 250
    items, pages = walk(oai, "ListIdentifiers", metadataPrefix="oai_dc")
    listed = [record_id_of(header.findtext("o:identifier", namespaces=NS)) for header in items]
    visible = {record_id for record_id, record in truth.items() if may_see(ANONYMOUS, record)}
    assert len(listed) == len(set(listed)), "an identifier is listed twice"
    assert set(listed) == visible
    assert not any(truth[record_id].access == "closed" for record_id in listed)
    tokens = [page.find("o:ListIdentifiers/o:resumptionToken", NS) for page in pages]
    assert {token.get("completeListSize") for token in tokens} == {str(len(visible))}
    assert [int(token.get("cursor")) for token in tokens] == [250 * n for n in range(len(pages))]
    assert not (tokens[-1].text or "").strip() and all(token.text for token in tokens[:-1])


def test_every_record_is_valid_oai_dc_and_restricted_ones_carry_no_content(oai, truth, demo_archives):
    oai.application.config["OAI_PAGE_SIZE"] = 250
    items, pages = walk(oai, "ListRecords", metadataPrefix="oai_dc")
    tokens = {record.token for record in truth.values() if record.token}
    for page in pages:  # no restricted (or closed) file's text, nowhere
        text = etree.tostring(page, encoding="unicode")
        assert not [token for token in tokens if token in text]
        assert "MATKHAU" not in text
    by_id = {record_id_of(item.findtext("o:header/o:identifier", namespaces=NS)): item for item in items}
    restricted = [rid for rid, record in truth.items() if record.access == "restricted" and record.file_count]
    assert restricted
    for record_id in restricted:
        dc = by_id[record_id].find("o:metadata/{http://www.openarchives.org/OAI/2.0/oai_dc/}dc", NS)
        assert dc.findtext("dc:title", namespaces=NS) == truth[record_id].title
        assert dc.findtext("dc:rights", namespaces=NS) == "Sử dụng có điều kiện"
        relations = [r.text for r in dc.findall("dc:relation", NS)]
        assert not [r for r in relations if "/files/" in r], "a restricted record's files are listed"
        assert not dc.findall("dc:format", NS)
    public = next(rid for rid, record in truth.items() if record.access == "public" and record.file_count
                  and may_read(ANONYMOUS, record))
    dc = by_id[public].find("o:metadata/{http://www.openarchives.org/OAI/2.0/oai_dc/}dc", NS)
    relations = [r.text for r in dc.findall("dc:relation", NS)]
    assert [r for r in relations if r.startswith(f"http://localhost/records/{public}/files/")]
    assert [r[len("isPartOf:"):] for r in relations if r.startswith("isPartOf:")] == list(truth[public].path)


def test_get_record_in_both_formats_and_what_a_fonds_holds_in_ead(oai, truth):
    fonds_id = next(rid for rid, record in sorted(truth.items()) if record.level == "fonds"
                    and record.province == "86" and any(r.access == "closed" and rid in r.path for r in truth.values()))
    document = ask(oai, verb="GetRecord", identifier=identifier_of(fonds_id), metadataPrefix="oai_ead")
    ead = document.find("o:GetRecord/o:record/o:metadata/ead:ead", NS)
    assert ead.findtext("ead:archdesc/ead:did/ead:unittitle", namespaces=NS) == truth[fonds_id].title
    titles = Counter(c.findtext("ead:did/ead:unittitle", namespaces=NS) for c in ead.iter(f"{{{NS['ead']}}}c"))
    under = [record for record in truth.values() if fonds_id in record.path]
    # Every component an anonymous reader may see (under ancestors they may see), and no closed one.
    shown = [r for r in under if may_see(ANONYMOUS, r) and all(may_see(ANONYMOUS, truth[a]) for a in r.path)]
    assert sum(titles.values()) == len(shown)
    assert not [r for r in under if r.access == "closed" and titles[r.title] and
                not [s for s in shown if s.title == r.title]]
    assert "MATKHAU" not in etree.tostring(ead, encoding="unicode")
    links = [dao.get(f"{{{NS['xlink']}}}href") for dao in ead.iter(f"{{{NS['ead']}}}dao")]
    linked = {link[len("http://localhost/records/"):].rsplit("/files/", 1)[0] for link in links}
    assert linked and all(truth[record_id].access == "public" for record_id in linked)

    dc = ask(oai, verb="GetRecord", identifier=identifier_of(fonds_id), metadataPrefix="oai_dc")
    assert dc.find("o:GetRecord/o:record/o:metadata", NS)[0].findtext("dc:type", namespaces=NS) == "fonds"
    formats = ask(oai, verb="ListMetadataFormats", identifier=identifier_of(fonds_id))
    assert [p.text for p in formats.iterfind(".//o:metadataPrefix", NS)] == ["oai_dc", "oai_ead"]


def test_oai_ead_lists_fonds_only(oai, truth):
    items, _ = walk(oai, "ListRecords", metadataPrefix="oai_ead")
    listed = {record_id_of(item.findtext("o:header/o:identifier", namespaces=NS)) for item in items}
    assert listed == {rid for rid, r in truth.items() if r.level == "fonds" and may_see(ANONYMOUS, r)}


def test_sets_are_the_provinces_and_the_fonds_and_select_what_they_hold(oai, truth):
    oai.application.config["OAI_PAGE_SIZE"] = 10
    items, pages = walk(oai, "ListSets")
    specs = [item.findtext("o:setSpec", namespaces=NS) for item in items]
    assert specs[:3] == [province_set(code) for code in sorted(DEMO_SOURCES.values())]
    fonds = sorted(rid for rid, r in truth.items() if r.level == "fonds" and may_see(ANONYMOUS, r))
    assert specs[3:] == [fonds_set(rid) for rid in fonds]
    assert len(pages) > 1

    oai.application.config["OAI_PAGE_SIZE"] = 100
    one = fonds[0]
    items, _ = walk(oai, "ListIdentifiers", metadataPrefix="oai_dc", set=fonds_set(one))
    listed = {record_id_of(h.findtext("o:identifier", namespaces=NS)) for h in items}
    assert listed == {rid for rid, r in truth.items() if (rid == one or one in r.path) and may_see(ANONYMOUS, r)}
    assert all(fonds_set(one) in [s.text for s in h.findall("o:setSpec", NS)] for h in items)
    items, _ = walk(oai, "ListIdentifiers", metadataPrefix="oai_dc", set=province_set("46"))
    assert {record_id_of(h.findtext("o:identifier", namespaces=NS)) for h in items} == \
        {rid for rid, r in truth.items() if r.province == "46" and may_see(ANONYMOUS, r)}


def test_a_closed_record_does_not_exist_for_the_provider(oai, truth):
    closed = next(rid for rid, r in sorted(truth.items()) if r.access == "closed")
    document = ask(oai, verb="GetRecord", identifier=identifier_of(closed), metadataPrefix="oai_dc")
    unknown = ask(oai, verb="GetRecord", identifier=identifier_of(closed + "-none"), metadataPrefix="oai_dc")
    assert error_code(document) == error_code(unknown) == "idDoesNotExist"
    assert error_code(ask(oai, verb="ListMetadataFormats", identifier=identifier_of(closed))) == "idDoesNotExist"


def test_from_and_until_select_by_datestamp(oai):
    oai.application.config["OAI_PAGE_SIZE"] = 2000
    items, _ = walk(oai, "ListIdentifiers", metadataPrefix="oai_dc")
    stamps = sorted(h.findtext("o:datestamp", namespaces=NS) for h in items)
    latest = stamps[-1]
    later, _ = walk(oai, "ListIdentifiers", metadataPrefix="oai_dc", **{"from": latest})
    assert {h.findtext("o:datestamp", namespaces=NS) for h in later} == {latest}
    assert len(later) == stamps.count(latest)
    everything, _ = walk(oai, "ListIdentifiers", metadataPrefix="oai_dc", until=latest[:10])
    assert len(everything) == len(items)
    future = ask(oai, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": "2999-01-01"})
    assert error_code(future) == "noRecordsMatch"


@pytest.mark.parametrize("arguments, code", [
    ({}, "badVerb"),
    ({"verb": "ListEverything"}, "badVerb"),
    ({"verb": ["Identify", "Identify"]}, "badVerb"),
    ({"verb": "Identify", "extra": "1"}, "badArgument"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "oai_ead"]}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-01-01T00:00:00"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-02-30"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2021-01-01", "until": "2020-01-01"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-01-01",
      "until": "2021-01-01T00:00:00Z"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "everything"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "fonds:bad~ZZ"}, "badArgument"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "resumptionToken": "x"}, "badArgument"),
    ({"verb": "GetRecord", "identifier": f"oai:{REPOSITORY}:vinhlong:x"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "identifier": "oai:elsewhere.org:vinhlong:x", "metadataPrefix": "oai_dc"},
     "idDoesNotExist"),
    ({"verb": "GetRecord", "identifier": f"oai:{REPOSITORY}:nowhere:x", "metadataPrefix": "oai_dc"},
     "idDoesNotExist"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "province:01"}, "noRecordsMatch"),
    ({"verb": "ListRecords", "resumptionToken": "not-a-token"}, "badResumptionToken"),
])
def test_errors_are_named_as_the_protocol_names_them(oai, arguments, code):
    document = ask(oai, **arguments)
    assert error_code(document) == code
    if code in ("badVerb", "badArgument"):
        assert not document.find("o:request", NS).attrib  # the base URL only


def test_an_item_cannot_be_had_as_ead(oai, truth):
    item = next(rid for rid, r in sorted(truth.items()) if r.level == "item" and r.access == "public")
    document = ask(oai, verb="GetRecord", identifier=identifier_of(item), metadataPrefix="oai_ead")
    assert error_code(document) == "cannotDisseminateFormat"


def test_tokens_that_expired_were_altered_or_belong_to_another_verb_are_refused(oai, monkeypatch):
    oai.application.config["OAI_PAGE_SIZE"] = 5
    first = ask(oai, verb="ListRecords", metadataPrefix="oai_dc")
    token = first.findtext("o:ListRecords/o:resumptionToken", namespaces=NS)
    assert error_code(ask(oai, verb="ListRecords", resumptionToken=token)) is None
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert error_code(ask(oai, verb="ListRecords", resumptionToken=tampered)) == "badResumptionToken"
    assert error_code(ask(oai, verb="ListIdentifiers", resumptionToken=token)) == "badResumptionToken"
    secret = oai.application.config["SECRET_KEY"]
    # A token signed two days ago: past OAI_TOKEN_SECONDS (one day).
    now = time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: now() - 2 * 86_400)
    old = issue(Resumption(ListRequest("ListRecords", "oai_dc"), None, 0, 10), secret)
    monkeypatch.undo()
    expired = ask(oai, verb="ListRecords", resumptionToken=old)
    assert error_code(expired) == "badResumptionToken" and "expired" in expired.findtext("o:error", namespaces=NS)
    foreign = issue(Resumption(ListRequest("ListRecords", "oai_dc"), None, 0, 10), "another portal's key")
    assert error_code(ask(oai, verb="ListRecords", resumptionToken=foreign)) == "badResumptionToken"


def test_a_token_outlives_the_process_that_issued_it(oai, tmp_path_factory):
    """Another app (another worker, or the portal after a restart) with the same key takes the token up."""
    from tests.conftest import make_portal

    oai.application.config["OAI_PAGE_SIZE"] = 5
    first = ask(oai, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = first.findtext("o:ListIdentifiers/o:resumptionToken", namespaces=NS)
    config = oai.application.config
    other = make_portal(tmp_path_factory, SECRET_KEY=config["SECRET_KEY"], OAI_PAGE_SIZE=5,
                        OPENSEARCH_INDEX_PREFIX=config["OPENSEARCH_INDEX_PREFIX"])
    second = ask(other.test_client(), verb="ListIdentifiers", resumptionToken=token)
    assert error_code(second) is None
    assert second.find("o:ListIdentifiers/o:resumptionToken", NS).get("cursor") == "5"
    again = ask(oai, verb="ListIdentifiers", resumptionToken=token)
    assert [i.text for i in again.iterfind(".//o:identifier", NS)] == \
        [i.text for i in second.iterfind(".//o:identifier", NS)]


def test_post_is_answered_like_get(oai):
    response = oai.post("/oai", data={"verb": "ListMetadataFormats"})
    document = assert_valid(response.data)
    assert [p.text for p in document.iterfind(".//o:metadataPrefix", NS)] == ["oai_dc", "oai_ead"]


def test_answers_may_be_cached_and_requests_are_limited_with_retry_after(harvested_app, monkeypatch):
    client = harvested_app.test_client()
    response = client.get("/oai?verb=Identify")
    assert response.headers["Cache-Control"] == "public, max-age=60"
    monkeypatch.setitem(harvested_app.config, "RATELIMIT_OAI", "2 per minute")
    answers = [client.get("/oai?verb=Identify", environ_base={"REMOTE_ADDR": "192.0.2.77"}) for _ in range(4)]
    assert [a.status_code for a in answers][:2] == [200, 200]
    assert answers[-1].status_code == 503 and int(answers[-1].headers["Retry-After"]) > 0


def test_list_and_get_are_audited_as_searches_and_record_views_of_the_oai_channel(oai, truth):
    from portal import database
    from portal.audit.models import AuditEntry

    record = next(rid for rid, r in sorted(truth.items()) if r.access == "public")
    ask(oai, verb="GetRecord", identifier=identifier_of(record), metadataPrefix="oai_dc")
    ask(oai, verb="ListIdentifiers", metadataPrefix="oai_dc", set=province_set("92"))
    with oai.application.app_context():
        rows = database.get_db().scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(2)).all()
    search, view = rows
    searched, viewed = (json.loads(row.details) for row in rows)
    assert view.action == "record.view" and view.target_id == record and viewed["channel"] == "oai"
    assert search.action == "search.query" and searched["channel"] == "oai"
    assert searched["set"] == province_set("92") and searched["hits"] > 0


def test_the_record_api_says_when_a_record_changed_but_never_its_content_hash(oai, truth):
    restricted = next(rid for rid, r in sorted(truth.items()) if r.access == "restricted" and r.file_count)
    record = oai.get(f"/api/v1/records/{restricted}").get_json()
    assert record["changed_at"] and "content_hash" not in record  # the hash covers the full text
