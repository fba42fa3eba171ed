"""Parsing OAI-PMH arguments and the demo provider's stateless resumption tokens, without HTTP."""

from __future__ import annotations

import pytest

from demo.oai_request import (
    ListQuery,
    OaiError,
    decode_resumption_token,
    encode_resumption_token,
    list_query,
    parse_request,
)


def test_token_round_trip_keeps_the_query_and_offset():
    query = ListQuery("oai_dc", "2024-02-01", "2025-01-31", "P21")
    decoded = decode_resumption_token(encode_resumption_token(query, 150))
    assert (decoded.metadata_prefix, decoded.from_date, decoded.until_date, decoded.set_spec, decoded.offset) == (
        "oai_dc", "2024-02-01", "2025-01-31", "P21", 150)
    assert decoded.from_token


def test_token_is_url_safe():
    token = encode_resumption_token(ListQuery("oai_dc", "2024-02-01T10:00:00Z", None, "P01"), 100)
    assert token.replace("-", "").replace("_", "").isalnum()


def test_arguments_are_returned_without_the_verb():
    request = parse_request([("verb", "GetRecord"), ("identifier", "oai:x.vn:A/B"), ("metadataPrefix", "oai_dc")])
    assert request.verb == "GetRecord"
    assert request.arguments == {"identifier": "oai:x.vn:A/B", "metadataPrefix": "oai_dc"}


def test_resumption_token_must_be_exclusive():
    with pytest.raises(OaiError) as raised:
        parse_request([("verb", "ListIdentifiers"), ("resumptionToken", "abc"), ("set", "P01")])
    assert raised.value.code == "badArgument"
    assert not raised.value.echoes_arguments


def test_day_bounds_cover_the_whole_day():
    query = list_query({"metadataPrefix": "oai_dc", "from": "2024-05-01", "until": "2024-05-01"})
    assert query.matches("2024-05-01T00:00:00Z", "P01")
    assert query.matches("2024-05-01T23:59:59Z", "P01")
    assert not query.matches("2024-04-30T23:59:59Z", "P01")
    assert not query.matches("2024-05-02T00:00:00Z", "P01")


def test_seconds_bounds_are_inclusive_to_the_second():
    query = list_query({"metadataPrefix": "oai_dc", "from": "2024-05-01T10:00:00Z",
                        "until": "2024-05-01T10:00:05Z"})
    assert query.matches("2024-05-01T10:00:00Z", "P01")
    assert query.matches("2024-05-01T10:00:05Z", "P01")
    assert not query.matches("2024-05-01T10:00:06Z", "P01")


def test_set_matches_itself_and_its_subsets_only():
    query = list_query({"metadataPrefix": "oai_dc", "set": "P01"})
    assert query.matches("2024-05-01T10:00:00Z", "P01")
    assert query.matches("2024-05-01T10:00:00Z", "P01:ML01")
    assert not query.matches("2024-05-01T10:00:00Z", "P011")


def test_invalid_calendar_date_is_a_bad_argument():
    with pytest.raises(OaiError) as raised:
        list_query({"metadataPrefix": "oai_dc", "from": "2024-02-30"})
    assert raised.value.code == "badArgument"
