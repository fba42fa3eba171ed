"""The demo OAI-PMH 2.0 data provider, through Flask's test client: verbs, paging, filtering, errors, oai_dc."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from demo.catalogue import build_archives
from demo.models import ACCESS_WORDING
from demo.oai_provider import create_provider_app
from demo.oai_request import ListQuery, encode_resumption_token

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
NS = {"oai": OAI_NS, "oai_dc": OAI_DC_NS, "dc": DC_NS}
PAGE_SIZE = 50
SLUGS = ("vinhlong", "hue", "cantho")


@pytest.fixture(scope="module")
def archives():
    return build_archives()


@pytest.fixture(scope="module")
def client(archives):
    return create_provider_app(archives, page_size=PAGE_SIZE).test_client()


@pytest.fixture(scope="module")
def unpaged_client(archives):
    """A provider whose pages hold a whole archive, for checking which records a filter selects."""
    return create_provider_app(archives, page_size=10_000).test_client()


def oai_request(client, slug, params, method="GET", base_url="http://localhost"):
    pairs = list(params.items()) if isinstance(params, dict) else list(params)
    if method == "POST":
        response = client.post(f"/{slug}/oai", data=dict(pairs), base_url=base_url)
    else:
        response = client.get(f"/{slug}/oai", query_string=pairs, base_url=base_url)
    assert response.status_code == 200
    assert response.content_type == "text/xml; charset=utf-8"
    root = etree.fromstring(response.data)
    assert root.tag == f"{{{OAI_NS}}}OAI-PMH"
    return root


def error_code(root):
    error = root.find("oai:error", NS)
    return None if error is None else error.get("code")


def header_identifiers(root):
    return [header.findtext("oai:identifier", namespaces=NS) for header in root.iterfind(".//oai:header", NS)]


def harvest(client, slug, verb, **arguments):
    """Follow resumption tokens to the end: (identifiers in order, [(cursor, completeListSize, token)])."""
    root = oai_request(client, slug, {"verb": verb, "metadataPrefix": "oai_dc", **arguments})
    identifiers, pages = [], []
    while True:
        assert error_code(root) is None
        identifiers += header_identifiers(root)
        token = root.find(f"oai:{verb}/oai:resumptionToken", NS)
        if token is None:
            return identifiers, pages
        pages.append((int(token.get("cursor")), int(token.get("completeListSize")), token.text))
        if not token.text:
            return identifiers, pages
        root = oai_request(client, slug, {"verb": verb, "resumptionToken": token.text})


def expected_identifiers(archive, keep=lambda record: True):
    chosen = [record for record in archive.records if keep(record)]
    ordered = sorted(chosen, key=lambda record: (record.datestamp, archive.oai_identifier(record)))
    return [archive.oai_identifier(record) for record in ordered]


# --- the envelope and Identify ---

def test_envelope_has_response_date_and_echoes_the_request(client):
    root = oai_request(client, "vinhlong", {"verb": "ListSets"})
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", root.findtext("oai:responseDate", namespaces=NS))
    request = root.find("oai:request", NS)
    assert dict(request.attrib) == {"verb": "ListSets"}
    assert request.text == "http://localhost/vinhlong/oai"
    schema_location = root.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation")
    assert schema_location == f"{OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"


def test_identify_describes_the_repository_in_schema_order(client, archives):
    identify = oai_request(client, "hue", {"verb": "Identify"}).find("oai:Identify", NS)
    children = [etree.QName(child).localname for child in identify]
    assert children == ["repositoryName", "baseURL", "protocolVersion", "adminEmail", "earliestDatestamp",
                        "deletedRecord", "granularity", "description"]
    values = {name: identify.findtext(f"oai:{name}", namespaces=NS) for name in children[:-1]}
    assert values == {
        "repositoryName": "Trung tâm Lưu trữ lịch sử thành phố Huế",
        "baseURL": "http://localhost/hue/oai",
        "protocolVersion": "2.0",
        "adminEmail": "luutru@hue.luutru.gov.vn",
        "earliestDatestamp": min(record.datestamp for record in archives["hue"].records),
        "deletedRecord": "persistent",
        "granularity": "YYYY-MM-DDThh:mm:ssZ",
    }
    oai_identifier = identify.find("oai:description/{http://www.openarchives.org/OAI/2.0/oai-identifier}"
                                   "oai-identifier", NS)
    assert oai_identifier.findtext("{http://www.openarchives.org/OAI/2.0/oai-identifier}repositoryIdentifier") \
        == "hue.luutru.gov.vn"


def test_base_url_follows_the_host_and_port_of_the_request(client):
    root = oai_request(client, "cantho", {"verb": "Identify"}, base_url="http://127.0.0.1:5123")
    assert root.findtext("oai:Identify/oai:baseURL", namespaces=NS) == "http://127.0.0.1:5123/cantho/oai"


def test_post_requests_are_answered_like_get(client):
    root = oai_request(client, "vinhlong", {"verb": "Identify"}, method="POST")
    assert root.findtext("oai:Identify/oai:repositoryName", namespaces=NS) == \
        "Trung tâm Lưu trữ lịch sử tỉnh Vĩnh Long"


# --- ListMetadataFormats and ListSets ---

def test_list_metadata_formats_offers_oai_dc(client, archives):
    deleted = next(record for record in archives["vinhlong"].records if record.deleted)
    for params in ({"verb": "ListMetadataFormats"},
                   {"verb": "ListMetadataFormats", "identifier": archives["vinhlong"].oai_identifier(deleted)}):
        formats = oai_request(client, "vinhlong", params).findall(".//oai:metadataFormat", NS)
        assert [(f.findtext("oai:metadataPrefix", namespaces=NS), f.findtext("oai:schema", namespaces=NS),
                 f.findtext("oai:metadataNamespace", namespaces=NS)) for f in formats] == [
            ("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC_NS)]


def test_list_sets_has_one_set_per_fonds(client, archives):
    root = oai_request(client, "vinhlong", {"verb": "ListSets"})
    sets = [(s.findtext("oai:setSpec", namespaces=NS), s.findtext("oai:setName", namespaces=NS))
            for s in root.iterfind(".//oai:set", NS)]
    assert sets == [(fonds.set_spec, fonds.title) for fonds in archives["vinhlong"].fonds_records()]
    assert ("P21", "Phông Ủy ban nhân dân tỉnh Bến Tre (1976–2025)") in sets


# --- paging ---

@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("verb", ["ListIdentifiers", "ListRecords"])
def test_paging_to_the_end_yields_every_record_once_in_order(client, archives, slug, verb):
    identifiers, pages = harvest(client, slug, verb)
    expected = expected_identifiers(archives[slug])
    assert identifiers == expected  # each once, ordered by (datestamp, identifier)
    assert {size for _, size, _ in pages} == {len(expected)}
    assert [cursor for cursor, _, _ in pages] == list(range(0, len(expected), PAGE_SIZE))
    assert [bool(token) for _, _, token in pages] == [True] * (len(pages) - 1) + [False]


def test_list_records_gives_metadata_for_live_records_only(client, archives):
    root = oai_request(client, "hue", {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "P01"})
    records = root.findall(".//oai:record", NS)
    assert records
    for record in records:
        deleted = record.find("oai:header", NS).get("status") == "deleted"
        assert (record.find("oai:metadata/oai_dc:dc", NS) is None) == deleted


def test_a_list_that_fits_one_page_has_no_resumption_token(client):
    root = oai_request(client, "vinhlong", {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc",
                                            "from": "2024-01-01", "until": "2024-01-03"})
    assert 0 < len(header_identifiers(root)) <= PAGE_SIZE
    assert root.find(".//oai:resumptionToken", NS) is None


def test_resumption_token_keeps_the_filters(archives):
    small_pages = create_provider_app(archives, page_size=10).test_client()
    identifiers, pages = harvest(small_pages, "vinhlong", "ListIdentifiers", set="P21", **{"from": "2024-03-01"})
    expected = expected_identifiers(
        archives["vinhlong"], lambda record: record.set_spec == "P21" and record.datestamp >= "2024-03-01")
    assert len(pages) >= 2
    assert identifiers == expected


# --- from, until and set ---

def test_from_and_until_in_seconds_are_inclusive(unpaged_client, archives):
    archive = archives["cantho"]
    datestamps = sorted(record.datestamp for record in archive.records)
    lowest, highest = datestamps[100], datestamps[200]
    root = oai_request(unpaged_client, "cantho", {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc",
                                                  "from": lowest, "until": highest})
    assert header_identifiers(root) == expected_identifiers(
        archive, lambda record: lowest <= record.datestamp <= highest)
    assert len(header_identifiers(root)) == 101


def test_from_and_until_in_days_cover_whole_days(unpaged_client, archives):
    archive = archives["vinhlong"]
    root = oai_request(unpaged_client, "vinhlong", {"verb": "ListRecords", "metadataPrefix": "oai_dc",
                                                    "from": "2024-06-01", "until": "2024-09-30"})
    expected = expected_identifiers(archive, lambda record: "2024-06-01" <= record.datestamp[:10] <= "2024-09-30")
    assert header_identifiers(root) == expected
    assert 0 < len(expected) < len(archive.records)


def test_from_alone_and_until_alone_split_the_archive(unpaged_client, archives):
    archive = archives["hue"]
    later = header_identifiers(oai_request(unpaged_client, "hue", {
        "verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "2025-01-01"}))
    earlier = header_identifiers(oai_request(unpaged_client, "hue", {
        "verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "until": "2024-12-31"}))
    assert later and earlier
    assert sorted(later + earlier) == sorted(expected_identifiers(archive))


def test_set_selects_the_records_of_one_fonds(unpaged_client, archives):
    archive = archives["vinhlong"]
    root = oai_request(unpaged_client, "vinhlong", {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc",
                                                    "set": "P41"})
    expected = expected_identifiers(archive, lambda record: record.set_spec == "P41")
    assert header_identifiers(root) == expected
    assert {spec.text for spec in root.iterfind(".//oai:setSpec", NS)} == {"P41"}
    assert archive.oai_identifier(archive.record_by_local_id("TV.UBND")) in expected


# --- GetRecord and the oai_dc profile ---

def dc_pairs(root):
    dc = root.find(".//oai_dc:dc", NS)
    return [(etree.QName(element).localname, element.text) for element in dc]


def get_record(client, archive, record):
    return oai_request(client, archive.slug, {"verb": "GetRecord", "metadataPrefix": "oai_dc",
                                              "identifier": archive.oai_identifier(record)})


def test_get_record_of_an_item_follows_the_profile(client, archives):
    archive = archives["vinhlong"]
    item = next(record for record in archive.records
                if record.level == "item" and len(record.files) == 2 and not record.deleted)
    root = get_record(client, archive, item)
    header = root.find(".//oai:header", NS)
    assert header.findtext("oai:identifier", namespaces=NS) == f"oai:vinhlong.luutru.gov.vn:{item.local_id}"
    assert header.findtext("oai:datestamp", namespaces=NS) == item.datestamp
    assert header.findtext("oai:setSpec", namespaces=NS) == item.set_spec
    host = "http://localhost/vinhlong"
    assert dc_pairs(root) == [
        ("title", item.title),
        ("identifier", item.reference_code),
        ("identifier", f"{host}/records/{item.local_id}"),
        ("type", "item"),
        ("type", item.doc_type),
        ("description", item.description),
        ("creator", item.creator),
        ("contributor", item.signer),
        ("date", item.date_start),
        ("coverage", item.origin_province_name),
        ("rights", ACCESS_WORDING[item.access]),
        *[("relation", f"isPartOf:{ancestor}") for ancestor in item.ancestors],
        *[("relation", f"{host}/files/{item.local_id}/{demo_file.name}") for demo_file in item.files],
        *[("subject", subject) for subject in item.subjects],
        ("language", "vi"),
        *[("format", demo_file.media_type) for demo_file in item.files],
        ("source", item.doc_number),
    ]
    assert [value for name, value in dc_pairs(root) if name == "relation"][2] == f"isPartOf:{item.parent_id}"


def test_get_record_of_a_fonds_has_a_date_range_and_no_item_fields(client, archives):
    archive = archives["vinhlong"]
    fonds = archive.record_by_local_id("BT.UBND")
    pairs = dc_pairs(get_record(client, archive, fonds))
    assert ("type", "fonds") in pairs
    assert ("date", f"{fonds.date_start}/{fonds.date_end}") in pairs
    assert ("coverage", "Tỉnh Bến Tre") in pairs
    assert ("rights", "Công khai") in pairs
    assert {name for name, _ in pairs}.isdisjoint({"contributor", "source", "relation"})


def test_get_record_of_a_fonds_carries_its_status_admin_history_and_extent(client, archives):
    archive = archives["vinhlong"]
    fonds = archive.record_by_local_id("BT.UBND")
    pairs = dc_pairs(get_record(client, archive, fonds))
    assert [value for name, value in pairs if name == "type"] == ["fonds", "phông đóng"]
    assert [value for name, value in pairs if name == "description"] == [
        fonds.description, f"Lịch sử đơn vị hình thành phông: {fonds.admin_history}"]
    assert [value for name, value in pairs if name == "format"] == [f"Khối lượng: {fonds.extent}"]


def test_an_open_fonds_says_so_in_its_second_type(client, archives):
    archive = archives["vinhlong"]
    fonds = archive.record_by_local_id("VL.UBND")
    types = [value for name, value in dc_pairs(get_record(client, archive, fonds)) if name == "type"]
    assert types == ["fonds", "phông mở"]


@pytest.mark.parametrize("level", ["series", "file"])
def test_series_and_files_carry_no_fonds_fields(client, archives, level):
    archive = archives["vinhlong"]
    record = next(record for record in archive.records if record.level == level and not record.deleted)
    pairs = dc_pairs(get_record(client, archive, record))
    assert [value for name, value in pairs if name == "type"] == [level]
    assert [value for name, value in pairs if name == "description"] == [record.description]
    assert "format" not in {name for name, _ in pairs}


@pytest.mark.parametrize("access, wording", [("restricted", "Sử dụng có điều kiện"), ("closed", "Mật")])
def test_rights_use_the_circular_05_2025_wording(client, archives, access, wording):
    archive = archives["cantho"]
    record = next(record for record in archive.records if record.access == access and not record.deleted)
    assert ("rights", wording) in dc_pairs(get_record(client, archive, record))


def test_deleted_record_has_a_deleted_header_and_no_metadata(client, archives):
    archive = archives["hue"]
    deleted = next(record for record in archive.records if record.deleted)
    root = get_record(client, archive, deleted)
    header = root.find(".//oai:record/oai:header", NS)
    assert header.get("status") == "deleted"
    assert header.findtext("oai:identifier", namespaces=NS) == archive.oai_identifier(deleted)
    assert header.findtext("oai:datestamp", namespaces=NS) == deleted.datestamp
    assert root.find(".//oai:metadata", NS) is None


def test_deleted_records_appear_in_lists_with_their_status(unpaged_client, archives):
    archive = archives["vinhlong"]
    root = oai_request(unpaged_client, "vinhlong", {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
    deleted_in_list = {header.findtext("oai:identifier", namespaces=NS)
                       for header in root.iterfind(".//oai:header", NS) if header.get("status") == "deleted"}
    assert deleted_in_list == {archive.oai_identifier(record) for record in archive.records if record.deleted}


def test_script_title_is_escaped_text_in_the_xml(client, archives):
    archive = archives["vinhlong"]
    fixture = next(record for record in archive.records if record.title.startswith("<script>"))
    response = client.get("/vinhlong/oai", query_string={
        "verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": archive.oai_identifier(fixture)})
    assert b"<script>" not in response.data
    assert ("title", "<script>alert(1)</script> Công văn thử nghiệm") in dc_pairs(etree.fromstring(response.data))


# --- errors ---

BAD_VERB_REQUESTS = [
    [],
    [("verb", "Harvest")],
    [("verb", "Identify"), ("verb", "Identify")],
    [("verb", "")],
]
BAD_ARGUMENT_REQUESTS = [
    [("verb", "ListRecords")],
    [("verb", "Identify"), ("metadataPrefix", "oai_dc")],
    [("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("metadataPrefix", "oai_dc")],
    [("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("from", "2024-13-01")],
    [("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("until", "yesterday")],
    [("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("from", "2024-05-01T10:00:00")],
    [("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("from", "2025-01-01"), ("until", "2024-01-01")],
    [("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("from", "2024-01-01"),
     ("until", "2024-06-01T00:00:00Z")],
    [("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("resumptionToken", "abc")],
    [("verb", "GetRecord"), ("metadataPrefix", "oai_dc")],
    [("verb", "ListIdentifiers"), ("metadataPrefix", "")],
]


@pytest.mark.parametrize("pairs", BAD_VERB_REQUESTS)
def test_bad_verb(client, pairs):
    root = oai_request(client, "vinhlong", pairs)
    assert error_code(root) == "badVerb"
    assert dict(root.find("oai:request", NS).attrib) == {}  # §3.2: no attributes after badVerb


@pytest.mark.parametrize("pairs", BAD_ARGUMENT_REQUESTS)
def test_bad_argument(client, pairs):
    root = oai_request(client, "vinhlong", pairs)
    assert error_code(root) == "badArgument"
    assert dict(root.find("oai:request", NS).attrib) == {}
    assert root.find("oai:ListRecords", NS) is None


@pytest.mark.parametrize("params", [
    {"verb": "ListRecords", "metadataPrefix": "marc21"},
    {"verb": "ListIdentifiers", "metadataPrefix": "ead", "set": "P01"},
    {"verb": "GetRecord", "metadataPrefix": "ead", "identifier": "oai:vinhlong.luutru.gov.vn:VL.UBND"},
])
def test_cannot_disseminate_format(client, params):
    root = oai_request(client, "vinhlong", params)
    assert error_code(root) == "cannotDisseminateFormat"
    assert dict(root.find("oai:request", NS).attrib) == params  # other errors echo the request


@pytest.mark.parametrize("params", [
    {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:vinhlong.luutru.gov.vn:NO/SUCH"},
    {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:hue.luutru.gov.vn:VL.UBND"},
    {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "VL.UBND"},
    {"verb": "ListMetadataFormats", "identifier": "oai:vinhlong.luutru.gov.vn:NO/SUCH"},
])
def test_id_does_not_exist(client, params):
    assert error_code(oai_request(client, "vinhlong", params)) == "idDoesNotExist"


@pytest.mark.parametrize("params", [
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2030-01-01"},
    {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "until": "2023-12-31T23:59:59Z"},
    {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "P99"},
])
def test_no_records_match(client, params):
    assert error_code(oai_request(client, "vinhlong", params)) == "noRecordsMatch"


@pytest.mark.parametrize("token", [
    "not-a-token",
    "%%%",
    encode_resumption_token(ListQuery("oai_dc", None, None, None), 100_000),
    encode_resumption_token(ListQuery("marc21", None, None, None), 50),
    encode_resumption_token(ListQuery("oai_dc", "2024-99-01", None, None), 50),
])
def test_bad_resumption_token(client, token):
    root = oai_request(client, "vinhlong", {"verb": "ListRecords", "resumptionToken": token})
    assert error_code(root) == "badResumptionToken"


def test_list_sets_never_issues_tokens_so_any_is_bad(client):
    root = oai_request(client, "vinhlong", {"verb": "ListSets", "resumptionToken": "x"})
    assert error_code(root) == "badResumptionToken"
