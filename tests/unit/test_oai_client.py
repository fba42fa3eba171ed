"""OaiPmhClient against the demo provider through Flask's test client: no network, real OAI-PMH answers."""
from __future__ import annotations

import math
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from demo.catalogue import build_archives
from demo.oai_provider import create_provider_app
from indexer.errors import HarvestError, SourceProtocolError, SourceUnavailable
from indexer.sources.oai_pmh import OaiPmhClient, local_identifier

BASE = "http://demo.test"
PAGE_SIZE = 7
OAI_OPEN = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
            b"<responseDate>2025-01-01T00:00:00Z</responseDate><request>x</request>")


def make_response(request: requests.PreparedRequest, status: int, body: bytes, content_type: str) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body
    response.headers = CaseInsensitiveDict({"Content-Type": content_type})
    response.url = request.url
    response.request = request
    response.encoding = "utf-8"
    return response


class FlaskTransport(BaseAdapter):
    """Hands each request to a Flask test client instead of the network, and keeps the URLs asked for."""

    def __init__(self, flask_client):
        super().__init__()
        self.flask_client = flask_client
        self.requested = []

    def send(self, request, **kwargs):
        self.requested.append(request.url)
        parts = urlsplit(request.url)
        answer = self.flask_client.open(parts.path, method=request.method, query_string=parts.query,
                                        base_url=f"{parts.scheme}://{parts.netloc}", data=request.body)
        return make_response(request, answer.status_code, answer.get_data(), answer.headers.get("Content-Type", ""))

    def close(self):
        pass


class CannedTransport(BaseAdapter):
    """Answers every request with the same body, whatever is asked."""

    def __init__(self, body: bytes, status: int = 200, content_type: str = "text/xml; charset=utf-8"):
        super().__init__()
        self.body, self.status, self.content_type = body, status, content_type
        self.calls = 0

    def send(self, request, **kwargs):
        self.calls += 1
        if self.calls > 50:
            raise AssertionError("the client kept asking: it never noticed the loop")
        return make_response(request, self.status, self.body, self.content_type)

    def close(self):
        pass


class RefusingTransport(BaseAdapter):
    def send(self, request, **kwargs):
        raise requests.ConnectionError("connection refused")

    def close(self):
        pass


def session_over(transport: BaseAdapter) -> requests.Session:
    session = requests.Session()
    session.mount("http://", transport)
    session.mount("https://", transport)
    return session


def list_records_body(records_xml: bytes, token: bytes | None = None) -> bytes:
    token_xml = b"" if token is None else b'<resumptionToken completeListSize="99">' + token + b"</resumptionToken>"
    return OAI_OPEN + b"<ListRecords>" + records_xml + token_xml + b"</ListRecords></OAI-PMH>"


def header_record(identifier: bytes) -> bytes:
    return (b"<record><header><identifier>" + identifier + b"</identifier>"
            b"<datestamp>2025-01-01T00:00:00Z</datestamp><setSpec>P01</setSpec></header></record>")


@pytest.fixture(scope="module")
def archives():
    return build_archives()


@pytest.fixture(scope="module")
def provider(archives):
    return create_provider_app(archives, page_size=PAGE_SIZE).test_client()


@pytest.fixture()
def transport(provider):
    return FlaskTransport(provider)


def demo_client(transport, slug: str = "vinhlong") -> OaiPmhClient:
    return OaiPmhClient(f"{BASE}/{slug}/oai", session_over(transport))


def canned_client(body: bytes, **kwargs) -> OaiPmhClient:
    return OaiPmhClient(f"{BASE}/vinhlong/oai", session_over(CannedTransport(body, **kwargs)))


# --- walking a list ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("slug", ["vinhlong", "hue", "cantho"])
def test_list_records_yields_every_record_of_the_archive_exactly_once(archives, transport, slug):
    archive = archives[slug]

    identifiers = [record.identifier for record in demo_client(transport, slug).list_records("oai_dc")]

    assert len(identifiers) == len(set(identifiers))
    assert set(identifiers) == {archive.oai_identifier(r) for r in archive.records}


def test_list_records_follows_every_page_of_resumption_tokens(archives, transport):
    expected = len(archives["vinhlong"].records)
    client = demo_client(transport)

    records = list(client.list_records("oai_dc"))

    pages = math.ceil(expected / PAGE_SIZE)
    assert len(records) == expected
    assert client.progress.pages == pages
    assert len(transport.requested) == pages
    assert client.progress.complete_list_size == expected
    later_requests = [parse_qs(urlsplit(url).query) for url in transport.requested[1:]]
    assert all(set(query) == {"verb", "resumptionToken"} for query in later_requests)


def test_deleted_records_are_flagged_and_carry_no_metadata(archives, transport):
    archive = archives["vinhlong"]
    deleted_ids = {archive.oai_identifier(r) for r in archive.records if r.deleted}
    assert deleted_ids  # the demo withdraws a few records

    records = list(demo_client(transport).list_records("oai_dc"))

    assert {r.identifier for r in records if r.deleted} == deleted_ids
    assert all(r.metadata is None for r in records if r.deleted)
    assert all(r.metadata is not None for r in records if not r.deleted)


def test_headers_give_datestamp_and_set(archives, transport):
    archive = archives["vinhlong"]
    by_identifier = {archive.oai_identifier(r): r for r in archive.records}

    for record in demo_client(transport).list_records("oai_dc"):
        catalogued = by_identifier[record.identifier]
        assert record.datestamp == catalogued.datestamp
        assert record.set_specs == [catalogued.set_spec]


def test_from_yields_only_records_changed_on_or_after_that_day(archives, transport):
    archive = archives["vinhlong"]
    expected = {archive.oai_identifier(r) for r in archive.records if r.datestamp >= "2025-01-01"}
    assert 0 < len(expected) < len(archive.records)

    records = list(demo_client(transport).list_records("oai_dc", from_="2025-01-01"))

    assert {r.identifier for r in records} == expected
    assert "from=2025-01-01" in transport.requested[0]


def test_set_spec_yields_only_the_records_of_that_fonds(archives, transport):
    archive = archives["vinhlong"]
    expected = {archive.oai_identifier(r) for r in archive.records if r.set_spec == "P21"}
    assert expected

    records = list(demo_client(transport).list_records("oai_dc", set_spec="P21"))

    assert {r.identifier for r in records} == expected
    assert all(r.set_specs == ["P21"] for r in records)


def test_no_records_match_is_an_empty_list_not_an_error(transport):
    client = demo_client(transport)

    assert list(client.list_records("oai_dc", from_="2030-01-01")) == []
    assert len(transport.requested) == 1


def test_an_oai_error_other_than_no_records_match_raises_with_its_code(transport):
    with pytest.raises(SourceProtocolError) as raised:
        list(demo_client(transport).list_records("marc21"))

    assert raised.value.code == "cannotDisseminateFormat"


def test_identify_returns_the_repository_description(transport):
    identity = demo_client(transport).identify()

    assert identity["baseURL"] == f"{BASE}/vinhlong/oai"
    assert identity["protocolVersion"] == "2.0"


# --- a source that misbehaves -----------------------------------------------------------------------------------

def test_html_page_instead_of_oai_raises_source_unavailable():
    html = '<!doctype html><html lang="vi"><head><title>Bảo trì</title></head><body><p>Bảo trì</body></html>'.encode()

    with pytest.raises(SourceUnavailable):
        list(canned_client(html, content_type="text/html").list_records("oai_dc"))


def test_xml_that_is_not_oai_pmh_raises_source_unavailable():
    with pytest.raises(SourceUnavailable):
        list(canned_client(b"<rss><channel/></rss>").list_records("oai_dc"))


def test_oai_document_without_list_records_raises_source_unavailable():
    with pytest.raises(SourceUnavailable):
        list(canned_client(OAI_OPEN + b"<Identify/></OAI-PMH>").list_records("oai_dc"))


@pytest.mark.parametrize("status", [404, 500, 503])
def test_non_200_answer_raises_source_unavailable(status):
    with pytest.raises(SourceUnavailable) as raised:
        list(canned_client(list_records_body(b""), status=status).list_records("oai_dc"))

    assert str(status) in str(raised.value)


def test_unknown_endpoint_on_the_demo_provider_raises_source_unavailable(transport):
    client = OaiPmhClient(f"{BASE}/nowhere/oai", session_over(transport))

    with pytest.raises(SourceUnavailable):
        list(client.list_records("oai_dc"))


def test_connection_failure_raises_source_unavailable():
    client = OaiPmhClient(f"{BASE}/vinhlong/oai", session_over(RefusingTransport()))

    with pytest.raises(SourceUnavailable):
        list(client.list_records("oai_dc"))


def test_resumption_token_that_comes_back_raises_a_protocol_error_after_one_repeat():
    transport = CannedTransport(list_records_body(header_record(b"oai:x:A"), token=b"same-token"))
    client = OaiPmhClient(f"{BASE}/vinhlong/oai", session_over(transport))

    with pytest.raises(SourceProtocolError) as raised:
        list(client.list_records("oai_dc"))

    assert raised.value.code == "resumptionTokenLoop"
    assert transport.calls == 2


# --- hostile XML --------------------------------------------------------------------------------------------------

def test_external_entity_is_not_expanded():
    body = (b'<?xml version="1.0"?>\n<!DOCTYPE OAI-PMH [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
            b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords>'
            + header_record(b"oai:x:&e;") + b"</ListRecords></OAI-PMH>")

    records = list(canned_client(body).list_records("oai_dc"))

    assert len(records) == 1
    assert records[0].identifier == "oai:x:"
    assert "root:" not in records[0].identifier


def test_internal_entity_is_not_expanded_either():
    body = (b'<?xml version="1.0"?>\n<!DOCTYPE OAI-PMH [<!ENTITY e "injected">]>\n'
            b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords>'
            + header_record(b"oai:x:&e;") + b"</ListRecords></OAI-PMH>")

    records = list(canned_client(body).list_records("oai_dc"))

    assert [r.identifier for r in records] == ["oai:x:"]


def test_billion_laughs_is_refused_instead_of_blowing_up_and_fails_its_record_alone():
    entities = b'<!ENTITY a "lollollollollollollollollollol">' + b"".join(
        b'<!ENTITY %s "%s">' % (bytes([98 + i]), b"&%s;" % bytes([97 + i]) * 10) for i in range(9))
    body = (b'<?xml version="1.0"?>\n<!DOCTYPE OAI-PMH [' + entities + b"]>\n"
            b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords>'
            + header_record(b"&j;") + b"</ListRecords></OAI-PMH>")

    records = list(canned_client(body).list_records("oai_dc"))

    assert len(records) == 1 and records[0].problem is not None
    assert "lol" not in records[0].identifier


# --- malformed records ------------------------------------------------------------------------------------------

def test_record_without_a_header_fails_alone_not_the_list():
    body = list_records_body(b"<record><metadata/></record>" + header_record(b"oai:x:B"))

    records = list(canned_client(body).list_records("oai_dc"))

    assert records[0].problem is not None and records[0].problem[0] == "xml"
    assert records[1].identifier == "oai:x:B" and records[1].problem is None


def test_non_numeric_complete_list_size_leaves_the_size_unknown_and_the_records_flowing():
    body = OAI_OPEN + (b"<ListRecords>" + header_record(b"oai:x:A")
                       + b'<resumptionToken completeListSize="many"></resumptionToken></ListRecords></OAI-PMH>')
    client = canned_client(body)

    identifiers = [r.identifier for r in client.list_records("oai_dc")]

    assert identifiers == ["oai:x:A"]
    assert client.progress.complete_list_size is None


def test_comment_before_the_metadata_payload_is_skipped():
    body = list_records_body(
        b"<record><header><identifier>oai:x:A</identifier><datestamp>2025-01-01</datestamp></header>"
        b"<metadata><!-- exported by the archive system -->"
        b'<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
        b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>T</dc:title></oai_dc:dc></metadata></record>')

    [record] = list(canned_client(body).list_records("oai_dc"))

    assert record.metadata.tag == "{http://www.openarchives.org/OAI/2.0/oai_dc/}dc"


def test_header_children_are_read_first_one_wins_and_every_set_is_kept():
    body = list_records_body(
        b'<record><header status="deleted"><!-- c --><identifier> oai:x:A </identifier>'
        b"<identifier>oai:x:B</identifier>"
        b"<datestamp>2025-01-01</datestamp><datestamp>2030-01-01</datestamp><setSpec>f1</setSpec><setSpec/>"
        b"</header><header><identifier>oai:x:C</identifier></header></record>")

    [record] = list(canned_client(body).list_records("oai_dc"))

    assert (record.identifier, record.datestamp, record.deleted) == ("oai:x:A", "2025-01-01", True)
    assert record.set_specs == ["f1", ""] and record.metadata is None


@pytest.mark.parametrize("content", [bytes([byte]) for byte in range(256)] + [
    "\ufffe".encode(), "\uffff".encode(), "\ufffd".encode(), "Hòa \uf8ff".encode(), b"\xef\xbf", b"\xef\xbf\xbe\x01"])
def test_the_fast_control_character_check_finds_what_the_pattern_finds(content):
    from indexer.sources.oai_pmh import _CONTROL_CHARACTERS, _has_control_characters

    padded = b"<a>" + content + b"</a>"
    assert _has_control_characters(padded) == bool(_CONTROL_CHARACTERS.search(padded))


# --- local identifiers --------------------------------------------------------------------------------------------

def test_local_identifier_drops_the_oai_scheme_and_repository():
    assert local_identifier("oai:vinhlong.luutru.gov.vn:BT.UBND/ML01/HS012/VB03") == "BT.UBND/ML01/HS012/VB03"


def test_local_identifier_keeps_colons_inside_the_local_part():
    assert local_identifier("oai:hue.luutru.gov.vn:P01:ML02") == "P01:ML02"


@pytest.mark.parametrize("identifier", ["urn:nbn:vn:123", "BT.UBND/ML01", "oai:only-two", "oai:repo:"])
def test_local_identifier_keeps_other_identifiers_whole(identifier):
    assert local_identifier(identifier) == identifier


def test_local_identifier_of_every_demo_record_is_its_catalogue_local_id(archives, transport):
    archive = archives["vinhlong"]

    harvested = {local_identifier(r.identifier) for r in demo_client(transport).list_records("oai_dc")}

    assert harvested == {r.local_id for r in archive.records}
