"""The OAI-PMH provider's own logic, without services: set names, datestamps, resumption tokens, the checks of
a request's arguments, and what oai_dc says of a restricted record."""
from __future__ import annotations

import re
import time
from datetime import datetime, timezone

import itsdangerous.timed
import pytest
from lxml import etree

from portal.oai.catalogue import Page
from portal.oai.datestamps import BadDatestamp, datestamp_filter, datestamp_of, format_datestamp, parse_range
from portal.oai.dublin_core import dc_element
from portal.oai.protocol import Provider, Settings
from portal.oai.setspecs import BadSetSpec, fonds_set, parse_set, set_filter, sets_of
from portal.oai.tokens import BadResumptionToken, ListRequest, Resumption, issue, read
from tests.oai_schema import assert_valid

# The setSpecType pattern of OAI-PMH.xsd.
SET_SPEC = re.compile(r"^([A-Za-z0-9\-_\.!~\*'\(\)])+(:[A-Za-z0-9\-_\.!~\*'\(\)]+)*$")
NOW = datetime(2026, 6, 1, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("record_id", ["vinhlong:VL.UBND/ML01/HS002", "hue:P 12/~x", "pkg:Hồ sơ/Đà Lạt",
                                       "a:b:c", "x"])
def test_a_fonds_set_is_a_valid_set_spec_that_reads_back_to_its_id(record_id):
    spec = fonds_set(record_id)
    assert SET_SPEC.match(spec), spec
    assert parse_set(spec) == ("fonds", record_id)


@pytest.mark.parametrize("spec", ["fonds:", "fonds:a~", "fonds:a~zz", "fonds:a~FF", "fonds:a/b", "collection:x",
                                  "province"])
def test_set_specs_not_ours_are_refused(spec):
    with pytest.raises(BadSetSpec):
        set_filter(spec)


def test_a_record_is_in_its_province_and_its_fonds_set():
    item = {"id": "vl:F/S/H/I", "holding_province": "86", "level": "item", "path": ["vl:F", "vl:F/S", "vl:F/S/H"]}
    assert sets_of(item) == ["province:86", fonds_set("vl:F")]
    assert sets_of({"id": "vl:F", "holding_province": "86", "level": "fonds"}) == ["province:86", fonds_set("vl:F")]
    assert set_filter(fonds_set("vl:F")) == {"bool": {"should": [{"term": {"id": "vl:F"}}, {"term": {"path": "vl:F"}}],
                                                      "minimum_should_match": 1}}


def test_from_and_until_take_days_or_seconds_of_one_granularity():
    start, end = parse_range("2025-01-01", "2025-01-31")
    assert format_datestamp(start) == "2025-01-01T00:00:00Z" and format_datestamp(end) == "2025-01-31T23:59:59Z"
    start, end = parse_range("2025-01-01T10:00:00Z", None)
    assert format_datestamp(start) == "2025-01-01T10:00:00Z" and end is None
    for bad in (("2025-01-01", "2025-01-31T00:00:00Z"), ("2025-02-01", "2025-01-01"), ("2025-1-1", None),
                ("2025-01-01T10:00:00", None), ("2025-13-01", None), (None, "yesterday")):
        with pytest.raises(BadDatestamp):
            parse_range(*bad)


def test_a_datestamp_is_when_the_record_changed_or_opened_whichever_is_later():
    record = {"changed_at": "2025-03-01T08:00:00+00:00", "harvested_at": "2026-05-30T00:00:00+00:00"}
    assert format_datestamp(datestamp_of(record, NOW)) == "2025-03-01T08:00:00Z"
    assert format_datestamp(datestamp_of({"harvested_at": "2025-04-01T00:00:00"}, NOW)) == "2025-04-01T00:00:00Z"
    opened = {**record, "access": "closed", "open_after": "2026-01-01T00:00:00Z"}
    assert format_datestamp(datestamp_of(opened, NOW)) == "2026-01-01T00:00:00Z"
    not_yet = {**record, "access": "closed", "open_after": "2027-01-01T00:00:00Z"}
    assert format_datestamp(datestamp_of(not_yet, NOW)) == "2025-03-01T08:00:00Z"


def test_a_record_opening_within_an_hour_is_dated_by_the_full_hour_the_search_lets_it_through():
    record = {"changed_at": "2025-03-01T08:00:00+00:00", "access": "closed", "open_after": "2026-01-01T10:30:00Z"}
    assert format_datestamp(datestamp_of(record, NOW)) == "2026-01-01T11:00:00Z"


def test_the_datestamp_filter_takes_changed_opened_and_older_records():
    start, end = parse_range("2025-01-01", "2025-12-31")
    should = datestamp_filter(start, end, NOW)["bool"]["should"]
    assert should[0] == {"range": {"changed_at": {"gte": "2025-01-01T00:00:00Z", "lte": "2025-12-31T23:59:59Z"}}}
    assert should[1]["bool"]["filter"] == {"range": {"harvested_at": {"gte": "2025-01-01T00:00:00Z",
                                                                      "lte": "2025-12-31T23:59:59Z"}}}
    # opened in the hour before `from`, it became visible on the hour after: inside the range
    assert datestamp_filter(start, None, NOW)["bool"]["should"][2] == {
        "range": {"open_after": {"gte": "2024-12-31T23:00:00Z", "lte": "2026-06-01T12:00:00Z"}}}
    assert datestamp_filter(None, None, NOW) is None


def test_a_token_reads_back_and_refuses_expiry_tampering_foreign_keys_and_other_verbs(monkeypatch):
    resumption = Resumption(ListRequest("ListRecords", "oai_dc", "2025-01-01", None, "province:86"),
                            ["vl:F/S"], 100, 250)
    token = issue(resumption, "key")
    assert read(token, "key", 60, "ListRecords") == resumption
    for bad, verb in ((token[:-2] + "xx", "ListRecords"), (token, "ListIdentifiers"), ("", "ListRecords")):
        with pytest.raises(BadResumptionToken):
            read(bad, "key", 60, verb)
    with pytest.raises(BadResumptionToken):
        read(issue(resumption, "another key"), "key", 60, "ListRecords")
    now = time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: now() - 61)
    old = issue(resumption, "key")
    monkeypatch.undo()
    with pytest.raises(BadResumptionToken, match="expired"):
        read(old, "key", 60, "ListRecords")


class _Catalogue:
    """A catalogue of two records; what the provider asks of it is all it needs to answer."""

    def __init__(self):
        self.records = {"vl:F": {"id": "vl:F", "level": "fonds", "title": "Phông", "holding_province": "86",
                                 "access": "public", "changed_at": "2025-01-01T00:00:00Z"},
                        "vl:F/H": {"id": "vl:F/H", "level": "file", "title": "Hồ sơ", "holding_province": "86",
                                   "access": "public", "path": ["vl:F"], "changed_at": "2025-01-02T00:00:00Z"}}

    def get(self, record_id):
        return self.records.get(record_id)

    def page(self, *, size, after, **_):
        ids = sorted(self.records)
        start = ids.index(after[0]) + 1 if after else 0
        chosen = ids[start:start + size]
        return Page([self.records[i] for i in chosen], len(ids), [chosen[-1]] if start + size < len(ids) else None)

    def earliest(self):
        return NOW

    def under(self, fonds_id):
        return [r for r in self.records.values() if fonds_id in (r.get("path") or [])]


def _provider(page_size=1) -> Provider:
    settings = Settings("http://portal.test/oai", "Cổng", "portal.test", "a@portal.test", "key", 3600, page_size,
                        lambda rid: f"http://portal.test/records/{rid}",
                        lambda rid, n: f"http://portal.test/records/{rid}/files/{n}")
    return Provider(_Catalogue(), settings, now=lambda: NOW)


def _answer(**arguments) -> etree._Element:
    return assert_valid(_provider().answer({k: v if isinstance(v, list) else [v] for k, v in arguments.items()}).xml)


def _error(document) -> str | None:
    found = document.find("{http://www.openarchives.org/OAI/2.0/}error")
    return found.get("code") if found is not None else None


@pytest.mark.parametrize("arguments, code", [
    ({}, "badVerb"), ({"verb": "Harvest"}, "badVerb"), ({"verb": ["ListSets", "ListSets"]}, "badVerb"),
    ({"verb": "Identify", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "GetRecord", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "t"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": ["province:86", "province:46"]}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "mods"}, "cannotDisseminateFormat"),
    ({"verb": "ListRecords", "metadataPrefix": "oai dc"}, "badArgument"),
    ({"verb": "GetRecord", "metadataPrefix": "oai_ead", "identifier": "oai:portal.test:vl:F/H"},
     "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:portal.test:vl:X"}, "idDoesNotExist"),
    ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:portal.test:"}, "idDoesNotExist"),
    ({"verb": "ListIdentifiers", "resumptionToken": "forged"}, "badResumptionToken"),
    ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:portal.test:vl:F"}, None),
    ({"verb": "GetRecord", "metadataPrefix": "oai_ead", "identifier": "oai:portal.test:vl:F"}, None),
    ({"verb": "Identify"}, None), ({"verb": "ListMetadataFormats"}, None),
])
def test_requests_are_checked_as_the_protocol_says_and_every_answer_is_valid(arguments, code):
    assert _error(_answer(**arguments)) == code


def test_a_list_pages_with_tokens_and_ends_with_an_empty_one():
    provider = _provider()
    first = assert_valid(provider.answer({"verb": ["ListIdentifiers"], "metadataPrefix": ["oai_dc"]}).xml)
    token = first.find(".//{http://www.openarchives.org/OAI/2.0/}resumptionToken")
    assert token.get("cursor") == "0" and token.get("completeListSize") == "2" and token.text
    assert token.get("expirationDate") == "2026-06-01T13:00:00Z"
    last = assert_valid(provider.answer({"verb": ["ListIdentifiers"], "resumptionToken": [token.text]}).xml)
    end = last.find(".//{http://www.openarchives.org/OAI/2.0/}resumptionToken")
    assert end.get("cursor") == "1" and not end.text
    assert [e.text for e in last.iter("{http://www.openarchives.org/OAI/2.0/}identifier")] == ["oai:portal.test:vl:F/H"]


def test_oai_dc_of_a_restricted_record_has_no_files_and_no_text():
    record = {"id": "vl:F/H/1", "level": "item", "title": "Công văn", "access": "restricted",
              "description": "Mô tả", "content": "MATKHAU0001", "path": ["vl:F", "vl:F/H"],
              "files": [{"name": "a.pdf", "url": "http://archive/a.pdf", "media_type": "application/pdf"}],
              "links": ["http://archive/b.pdf"]}
    text = etree.tostring(dc_element(record, lambda rid: f"http://p/records/{rid}", lambda rid, n: f"http://p/f/{n}"),
                          encoding="unicode")
    assert "MATKHAU" not in text and "/f/" not in text and "archive/" not in text and "application/pdf" not in text
    assert "Mô tả" in text and "isPartOf:vl:F/H" in text and "Sử dụng có điều kiện" in text
    public = dict(record, access="public")
    text = etree.tostring(dc_element(public, lambda rid: f"http://p/records/{rid}", lambda rid, n: f"http://p/f/{n}"),
                          encoding="unicode")
    assert "http://p/f/1" in text and "application/pdf" in text and "MATKHAU" not in text
