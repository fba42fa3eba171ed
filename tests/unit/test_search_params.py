"""parse_search_params: a request's arguments read and checked before anything reaches OpenSearch."""
from __future__ import annotations

import unicodedata

import pytest
from werkzeug.datastructures import MultiDict

from portal.search.params import (
    MAX_QUERY_LENGTH,
    SearchParamError,
    SearchParams,
    encode_search_after,
    parse_search_params,
    range_end,
    range_start,
)


def parse(pairs=(), **kwargs) -> SearchParams:
    return parse_search_params(MultiDict(list(pairs)), **kwargs)


def rejected(pairs, **kwargs) -> SearchParamError:
    with pytest.raises(SearchParamError) as raised:
        parse(pairs, **kwargs)
    return raised.value


# --- defaults ----------------------------------------------------------------------------------------------------

def test_no_arguments_give_the_first_page_of_everything_by_reference():
    assert parse() == SearchParams(q="", sort="reference", page=1, size=20, total_bound=10_000)


def test_hits_are_counted_up_to_the_page_window():
    assert parse().total_bound == 10_000
    assert parse_search_params(MultiDict(), max_window=500).total_bound == 500
    assert SearchParams().total_bound is None  # the portal's own counts (home page, alerts, exports): exact


def test_a_relevance_search_is_not_paged_by_search_after():
    token = encode_search_after("relevance", [1.5, "A", "x:1"])

    assert rejected([("q", "x"), ("sort", "relevance"), ("search_after", token)]).parameter == "search_after"


def test_a_query_defaults_to_relevance_order():
    params = parse([("q", "đất đai")])

    assert params.sort == "relevance"
    assert params.q == "đất đai"


def test_empty_arguments_count_as_absent():
    params = parse([("q", ""), ("page", ""), ("size", ""), ("sort", ""), ("from", ""), ("province", " "),
                    ("doc_type", "  "), ("level", "")])

    assert params == SearchParams(sort="reference", total_bound=10_000)


def test_query_is_trimmed_and_made_nfc():
    params = parse([("q", "  " + unicodedata.normalize("NFD", "Hòa Bình") + " ")])

    assert params.q == unicodedata.normalize("NFC", "Hòa Bình")


def test_offset_is_the_records_before_the_page():
    assert parse([("page", "3"), ("size", "10")]).offset == 20


# --- repeated values and provinces --------------------------------------------------------------------------------

def test_repeated_provinces_are_kept_in_order_normalised_and_deduplicated():
    params = parse([("province", "86"), ("province", "1"), ("province", "01"), ("province", "086")])

    assert params.province == ("86", "01")


def test_origin_province_is_read_like_province():
    assert parse([("origin_province", "83"), ("origin_province", "9")]).origin_province == ("83", "09")


def test_repeated_levels_access_and_doc_types_are_all_kept():
    params = parse([("level", "file"), ("level", "item"), ("level", "item"), ("access", "public"),
                    ("access", "restricted"), ("doc_type", " Quyết định "), ("doc_type", "Công văn")])

    assert params.level == ("file", "item")
    assert params.access == ("public", "restricted")
    assert params.doc_type == ("Quyết định", "Công văn")


@pytest.mark.parametrize("name", ["province", "origin_province"])
def test_province_that_is_not_a_number_is_rejected(name):
    assert rejected([(name, "Vĩnh Long")]).parameter == name


# --- the query string ---------------------------------------------------------------------------------------------

def test_unbalanced_quotation_mark_is_rejected():
    assert rejected([("q", '"giao đất')]).parameter == "q"


def test_balanced_quotation_marks_are_accepted():
    assert parse([("q", '"giao đất" trường')]).q == '"giao đất" trường'


def test_query_at_the_length_limit_is_accepted_and_one_more_character_is_rejected():
    assert len(parse([("q", "a" * MAX_QUERY_LENGTH)]).q) == MAX_QUERY_LENGTH

    assert rejected([("q", "a" * (MAX_QUERY_LENGTH + 1))]).parameter == "q"


# --- paging -------------------------------------------------------------------------------------------------------

def test_size_above_the_maximum_is_rejected():
    assert parse([("size", "100")], max_size=100).size == 100

    assert rejected([("size", "101")], max_size=100).parameter == "size"


def test_page_beyond_the_result_window_is_rejected():
    assert parse([("page", "500"), ("size", "20")], max_window=10_000).page == 500

    assert rejected([("page", "501"), ("size", "20")], max_window=10_000).parameter == "page"


@pytest.mark.parametrize("name", ["page", "size"])
@pytest.mark.parametrize("value", ["two", "1.5", "1e3", "0x10"])
def test_page_and_size_must_be_whole_numbers(name, value):
    assert rejected([(name, value)]).parameter == name


@pytest.mark.parametrize("name", ["page", "size"])
@pytest.mark.parametrize("value", ["0", "-1"])
def test_page_and_size_must_be_at_least_one(name, value):
    assert rejected([(name, value)]).parameter == name


# --- choices ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "value"), [("level", "phông"), ("level", "Item"), ("access", "secret"),
                                              ("access", "closed "), ("sort", "newest")])
def test_value_outside_the_allowed_choices_is_rejected(name, value):
    assert rejected([(name, value)]).parameter == name


@pytest.mark.parametrize("sort", ["relevance", "date_asc", "date_desc", "reference"])
def test_every_sort_offered_is_accepted(sort):
    assert parse([("sort", sort)]).sort == sort


# --- dates --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["1976", "1976-03", "1976-03-05"])
def test_year_month_or_day_is_accepted_as_a_date(value):
    params = parse([("from", value), ("to", value)])

    assert (params.date_from, params.date_to) == (value, value)


@pytest.mark.parametrize("name", ["from", "to"])
@pytest.mark.parametrize("value", ["76", "05/03/1976", "năm 1976", "1976-3-5", "1976-03-05T00:00"])
def test_date_in_another_shape_is_rejected(name, value):
    assert rejected([(name, value)]).parameter == name


@pytest.mark.parametrize(("date_from", "date_to"), [("1980", "1975"), ("1976-04", "1976-03"),
                                                    ("1976-03-06", "1976-03-05"), ("1977", "1976-12-31")])
def test_from_after_to_is_rejected(date_from, date_to):
    assert rejected([("from", date_from), ("to", date_to)]).parameter == "from"


def test_day_inside_a_month_range_is_not_after_it():
    params = parse([("from", "1976-03-31"), ("to", "1976-03")])

    assert (params.date_from, params.date_to) == ("1976-03-31", "1976-03")


def test_range_of_a_year_runs_from_first_january_to_last_december():
    assert (range_start("1976"), range_end("1976")) == ("1976-01-01", "1976-12-31")


def test_range_of_a_day_is_that_day():
    assert (range_start("1976-03-05"), range_end("1976-03-05")) == ("1976-03-05", "1976-03-05")


@pytest.mark.parametrize(("month", "last_day"), [("1976-02", "1976-02-29"), ("1977-02", "1977-02-28"),
                                                  ("1976-04", "1976-04-30")])
def test_range_of_a_month_ends_on_its_last_real_day(month, last_day):
    assert range_end(month) == last_day


@pytest.mark.parametrize("value", ["1976-02-30", "1976-13-01", "1976-00", "1976-12-32"])
def test_impossible_calendar_date_is_rejected(value):
    assert rejected([("from", value)]).parameter == "from"



def test_words_split_by_punctuation_count_against_the_limit():
    """Each word becomes clauses on several fields: '"a"b"c…' must not reach OpenSearch's limit."""
    with pytest.raises(SearchParamError):
        parse_search_params(MultiDict({"q": '"' + '"'.join("abcdefghij" * 4) + '"'}))
    with pytest.raises(SearchParamError):
        parse_search_params(MultiDict({"creator": ".".join("x" * 33)}))
    with pytest.raises(SearchParamError):
        parse_search_params(MultiDict({"q": " ".join("w" * 30), "title": " ".join("t" * 30),
                                       "creator": " ".join("c" * 5)}))
    assert parse_search_params(MultiDict({"q": " ".join("w" * 32), "title": " ".join("t" * 32)})).q
