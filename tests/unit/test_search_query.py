"""build_search and build_facet_search: the OpenSearch requests of a search (its hits, its facets), with the
permission filter in the main query of both."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from werkzeug.datastructures import MultiDict

from portal.access.identity import ANONYMOUS, Identity
from portal.access.policy import content_filter, visible_filter
from portal.search.facets import FACET_GROUP_PREFIX, FACETS, YEAR_FACET, facet_buckets
from portal.search.params import parse_search_params
from portal.search.query import CONTENT_FIELDS, FOLDED_METADATA_FIELDS, RESCORE_WINDOW, build_facet_search, build_search, search_requests

STAFF_86 = Identity(user_id="s1", roles=frozenset({"staff"}), province="86")


def search(identity=ANONYMOUS, **args) -> dict:
    pairs = [(name, value) for name, values in args.items()
             for value in (values if isinstance(values, list) else [values])]
    return build_search(identity, parse_search_params(MultiDict(pairs)))


def facets(identity=ANONYMOUS, **args) -> dict:
    pairs = [(name, value) for name, values in args.items()
             for value in (values if isinstance(values, list) else [values])]
    return build_facet_search(identity, parse_search_params(MultiDict(pairs)))


def query_strings(clause) -> list[dict]:
    """Every simple_query_string inside a clause, however deep."""
    found = []
    if isinstance(clause, dict):
        if "simple_query_string" in clause:
            found.append(clause["simple_query_string"])
        for value in clause.values():
            found += query_strings(value)
    elif isinstance(clause, list):
        for value in clause:
            found += query_strings(value)
    return found


def content_clause(body: dict) -> dict:
    """The branch of the main query that searches the full text."""
    branches = body["query"]["bool"]["must"][0]["bool"]["should"]
    [branch] = [b for b in branches if any(qs["fields"] == CONTENT_FIELDS for qs in query_strings(b))]
    return branch


# --- the permission filter --------------------------------------------------------------------------------------

def assert_the_hour_just_past(clause: dict) -> None:
    """Records opened by date: up to the full hour just past, named, never "now" (which OpenSearch's
    request cache refuses: the facets of every page would be counted again)."""
    [(field, bounds)] = clause["range"].items()
    assert field == "open_after" and list(bounds) == ["lte"]
    cutoff = datetime.strptime(bounds["lte"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert (cutoff.minute, cutoff.second) == (0, 0)
    assert timedelta(0) <= datetime.now(timezone.utc) - cutoff < timedelta(hours=1, minutes=1)  # built a moment ago


@pytest.mark.parametrize("q", ["", "đất đai"])
def test_anonymous_search_filters_the_main_query_by_what_anonymous_may_see(q):
    body = search(q=q)

    assert visible_filter(ANONYMOUS) in body["query"]["bool"]["filter"]


def test_anonymous_visible_filter_admits_public_restricted_and_opened_records_but_not_closed_ones():
    should = visible_filter(ANONYMOUS)["bool"]["should"]

    assert {"terms": {"access": ["public", "restricted"]}} in should
    [opened] = [clause for clause in should if "range" in clause]
    assert_the_hour_just_past(opened)
    assert "closed" not in repr(should)
    assert "holding_province" not in repr(should)
    assert visible_filter(ANONYMOUS)["bool"]["minimum_should_match"] == 1


def test_staff_search_is_filtered_by_the_staff_visible_filter_which_adds_their_province():
    body = search(STAFF_86, q="x")

    assert visible_filter(STAFF_86) in body["query"]["bool"]["filter"]
    assert {"term": {"holding_province": "86"}} in visible_filter(STAFF_86)["bool"]["should"]


def test_permission_filter_sits_in_the_main_query_of_the_hits_and_of_the_facets():
    for identity in (ANONYMOUS, STAFF_86):
        hits, counts = search_requests(identity, parse_search_params(MultiDict([("q", "x"), ("province", "86")])))

        assert visible_filter(identity) in hits["query"]["bool"]["filter"]
        assert visible_filter(identity) in counts["query"]["bool"]["filter"]
        assert {"terms": {"holding_province": ["86"]}} in hits["query"]["bool"]["filter"]


def test_facets_match_what_the_hits_match_unscored_and_unboosted():
    hits, counts = search(q="Hòa"), facets(q="Hòa")

    assert counts["query"]["bool"]["filter"][1:] == hits["query"]["bool"]["filter"]
    assert {f for qs in query_strings(counts) for f in qs["fields"]} == set(FOLDED_METADATA_FIELDS) | {"content.folded"}
    assert content_filter(ANONYMOUS) in counts["query"]["bool"]["filter"][0]["bool"]["should"][1]["bool"]["filter"]
    assert hits["rescore"]["query"]["rescore_query"]["bool"]["should"]  # the boosts order the hits only
    assert (counts["size"], counts["track_total_hits"]) == (0, False)
    assert "aggs" not in hits and "highlight" not in counts


# --- full text ----------------------------------------------------------------------------------------------------

def test_full_text_clause_only_counts_where_the_identity_may_read_content():
    clause = content_clause(search(q="MATKHAU0042"))

    assert clause["bool"]["filter"] == [content_filter(ANONYMOUS)]
    assert clause["bool"]["must"][0]["simple_query_string"]["query"] == "MATKHAU0042"


def test_anonymous_content_filter_admits_only_public_and_opened_records():
    should = content_filter(ANONYMOUS)["bool"]["should"]

    assert should[0] == {"term": {"access": "public"}}
    assert len(should) == 2
    assert_the_hour_just_past(should[1])


def test_full_text_clause_of_staff_uses_the_staff_content_filter():
    assert content_clause(search(STAFF_86, q="x"))["bool"]["filter"] == [content_filter(STAFF_86)]


def test_metadata_clause_never_searches_content():
    body = search(q="x")
    branches = body["query"]["bool"]["must"][0]["bool"]["should"]
    metadata_branches = [b for b in branches if b is not content_clause(body)]

    assert metadata_branches
    for branch in metadata_branches:
        for qs in query_strings(branch):
            assert not any(field.split("^")[0].startswith("content") for field in qs["fields"])


def test_query_matches_metadata_or_readable_content():
    outer = search(q="x")["query"]["bool"]["must"][0]["bool"]

    assert outer["minimum_should_match"] == 1
    assert len(outer["should"]) == 2


def test_no_query_matches_everything_visible_and_searches_no_text():
    body = search()

    assert body["query"]["bool"]["must"] == [{"match_all": {}}]
    assert query_strings(body) == []
    assert "highlight" not in body


def test_query_text_is_passed_as_simple_query_string_leniently_with_and():
    [qs, *_] = query_strings(search(q='"giao đất" -rừng'))

    assert qs["query"] == '"giao đất" -rừng'
    assert qs["default_operator"] == "and"
    assert qs["lenient"] is True


# --- facets -------------------------------------------------------------------------------------------------------

def test_facet_selections_narrow_the_hits_but_not_the_facets_main_query():
    hits, counts = search(province=["86", "46"], level="item"), facets(province=["86", "46"], level="item")

    assert hits["query"]["bool"]["filter"][-2:] == [{"terms": {"holding_province": ["86", "46"]}},
                                                    {"terms": {"level": ["item"]}}]
    assert "post_filter" not in hits
    assert "holding_province" not in repr(counts["query"])
    assert "'level'" not in repr(counts["query"])


def _filters_of_each_facet(body: dict) -> dict[str, list]:
    """facet name → the selections it is counted under, read from the facets request's aggregations."""
    found = {}
    for key, aggregation in body["aggs"].items():
        if key.startswith(FACET_GROUP_PREFIX):
            found.update({name: aggregation["filter"]["bool"]["filter"] for name in aggregation["aggs"]})
        else:
            found[key] = []
    return found


def test_each_facet_counts_under_the_other_selections_but_not_its_own():
    body = facets(province="86", level="item", access="public")
    province_terms = {"terms": {"holding_province": ["86"]}}
    level_terms = {"terms": {"level": ["item"]}}
    access_terms = {"terms": {"access": ["public"]}}

    under = _filters_of_each_facet(body)

    assert under["holding_province"] == [level_terms, access_terms]
    assert under["level"] == [province_terms, access_terms]
    assert under["access"] == [province_terms, level_terms]
    assert under["origin_province"] == [province_terms, level_terms, access_terms]
    assert under[YEAR_FACET] == [province_terms, level_terms, access_terms]


def test_facets_under_the_same_selections_share_one_filter_and_those_under_none_have_none():
    # Each filter aggregation is a pass over every matching record (issue 21).
    body = facets(province="86", level="item")
    groups = [key for key in body["aggs"] if key.startswith(FACET_GROUP_PREFIX)]

    assert len(groups) == 3  # under level, under province, under both (the five facets not chosen)
    assert set(_filters_of_each_facet(body)) == {facet.name for facet in FACETS} | {YEAR_FACET}
    assert len(facets(level="item")["aggs"]) == 2  # the level facet alone, the others under the level

    plain = facets()["aggs"]
    assert set(plain) == {facet.name for facet in FACETS} | {YEAR_FACET}
    assert all("filter" not in aggregation for aggregation in plain.values())


def test_facet_buckets_are_read_wherever_the_request_put_them():
    aggregations = {
        "level": {"buckets": [{"key": "item", "doc_count": 3}]},
        f"{FACET_GROUP_PREFIX}0": {"doc_count": 5, "access": {"buckets": [{"key": "public", "doc_count": 5}]},
                                   YEAR_FACET: {"buckets": [{"key": 1990.0, "doc_count": 5}]}},
    }

    assert facet_buckets(aggregations) == {"level": [{"key": "item", "doc_count": 3}],
                                           "access": [{"key": "public", "doc_count": 5}],
                                           YEAR_FACET: [{"key": 1990.0, "doc_count": 5}]}


def test_facets_count_without_a_sub_aggregation_per_bucket():
    # Province labels come from the province tables: a terms sub-aggregation per bucket cost every search
    # a second pass over its hits (issue 21).
    aggs = facets(q="quyết định")["aggs"]

    assert all("aggs" not in aggs[facet.name] for facet in FACETS)


def test_doc_type_facet_filters_on_the_keyword_field():
    body = search(doc_type="Quyết định")

    assert body["query"]["bool"]["filter"][-1] == {"terms": {"doc_type.raw": ["Quyết định"]}}


# --- dates --------------------------------------------------------------------------------------------------------

def test_date_range_keeps_records_whose_span_overlaps_it():
    filters = search(**{"from": "1975-03-05", "to": "1980-06-30"})["query"]["bool"]["filter"]

    assert {"range": {"date_end": {"gte": "1975-03-05"}}} in filters
    assert {"range": {"date_start": {"lte": "1980-06-30"}}} in filters


def test_date_range_of_whole_years_uses_their_first_and_last_days():
    filters = search(**{"from": "1975", "to": "1980"})["query"]["bool"]["filter"]

    assert {"range": {"date_end": {"gte": "1975-01-01"}}} in filters
    assert {"range": {"date_start": {"lte": "1980-12-31"}}} in filters


def test_without_dates_the_permission_filter_is_the_only_filter():
    assert search()["query"]["bool"]["filter"] == [visible_filter(ANONYMOUS)]


# --- highlight, source, sort, paging ------------------------------------------------------------------------------

def test_highlight_escapes_html_and_marks_with_mark_tags():
    highlight = search(q="x")["highlight"]

    assert highlight["encoder"] == "html"
    assert highlight["pre_tags"] == ["<mark>"]
    assert highlight["post_tags"] == ["</mark>"]
    assert {"title", "title.folded", "description", "content", "content.folded"} <= set(highlight["fields"])


def test_source_never_carries_the_full_text():
    for identity in (ANONYMOUS, STAFF_86):
        assert "content" in search(identity, q="x")["_source"]["excludes"]


@pytest.mark.parametrize(
    ("sort", "first_key"),
    [("relevance", "_score"), ("date_asc", "date_start"), ("date_desc", "date_start"), ("reference", "reference_code")],
)
def test_each_sort_orders_by_its_field_and_breaks_ties_by_id(sort, first_key):
    order = search(q="x", sort=sort)["sort"]

    assert first_key in order[0]
    assert order[-1] == ({"_score": "desc"} if sort == "relevance" else {"id": "asc"})  # rescoring needs score alone


def test_phrase_and_exact_spelling_boosts_rescore_the_first_hits_with_the_same_weights():
    body = search(q="Thái Hòa")
    rescore = body["rescore"]

    assert "should" not in body["query"]["bool"]
    assert rescore["window_size"] == RESCORE_WINDOW
    assert (rescore["query"]["query_weight"], rescore["query"]["rescore_query_weight"]) == (1, 1)
    boosts = rescore["query"]["rescore_query"]["bool"]["should"]
    assert boosts[0]["multi_match"]["type"] == "phrase"
    assert boosts[1]["constant_score"]["boost"] == 50  # typed with diacritics: the exact spelling first
    assert "rescore" not in search(q="Thái Hòa", sort="date_asc") and "rescore" not in search()


def test_date_sorts_go_in_opposite_directions_with_undated_records_last():
    ascending, descending = search(sort="date_asc")["sort"][0], search(sort="date_desc")["sort"][0]

    assert ascending == {"date_start": {"order": "asc", "missing": "_last"}}
    assert descending == {"date_start": {"order": "desc", "missing": "_last"}}


def test_pagination_asks_for_the_page_and_counts_hits_up_to_the_page_window():
    body = search(page="3", size="25")

    assert (body["from"], body["size"]) == (50, 25)
    assert body["track_total_hits"] == 10_000
    assert build_search(ANONYMOUS, parse_search_params(MultiDict(), max_window=500))["track_total_hits"] == 500
