"""Shaping a page of results: merged marks, snippets without the title, twins, spelling proposals
and the chosen filters (pure functions, no service)."""
from __future__ import annotations

from portal.access.identity import ANONYMOUS
from portal.access.policy import visible_filter
from portal.search.active_filters import chosen_first, decade_chosen
from portal.search.highlights import echoes_title, merge_adjacent_marks, shape_fragments
from portal.search.params import SearchParams
from portal.search.spelling import candidate_queries, corrections, count_body
from portal.search.twins import are_twins, build_twin_search, fold
from schema.folding import without_diacritics

# --- marks and snippets ------------------------------------------------------------------------------------------


def test_adjacent_marks_become_one_phrase():
    assert merge_adjacent_marks("<mark>Quyết</mark> <mark>định</mark> số 12") == "<mark>Quyết định</mark> số 12"
    assert merge_adjacent_marks("<mark>a</mark> <mark>b</mark>  <mark>c</mark>") == "<mark>a b  c</mark>"


def test_marks_apart_stay_apart():
    for fragment in ("<mark>Phong</mark>\n<mark>Điền</mark>", "<mark>Huế</mark>, <mark>Điền</mark>",
                     "<mark>quyết</mark> về <mark>định</mark>", "&lt;<mark>script</mark>&gt;<mark>alert</mark>"):
        assert merge_adjacent_marks(fragment) == fragment


def test_a_fragment_opening_with_the_title_echoes_it():
    title = "Quyết định về việc công nhận trường đạt chuẩn"
    assert echoes_title("<mark>Quyết định</mark> về việc công nhận  trường đạt chuẩn\nSỞ GIÁO DỤC", title)
    assert echoes_title("quyết định về việc công nhận trường đạt chuẩn", title)
    assert not echoes_title("Căn cứ <mark>Quyết định</mark> về việc công nhận trường đạt chuẩn", title)
    assert not echoes_title("anything", None)


def test_snippets_lose_fragments_repeating_the_title_and_the_title_keeps_its_own():
    title = "Tờ trình về việc A &amp; B"
    fragments = ["<mark>Tờ</mark> <mark>trình</mark> về việc A &amp; B, kèm theo", "Căn cứ <mark>Tờ</mark> trình"]
    assert shape_fragments(fragments, "Tờ trình về việc A & B") == ["Căn cứ <mark>Tờ</mark> trình"]
    assert shape_fragments(fragments[:1], title, is_title=True) == \
        ["<mark>Tờ trình</mark> về việc A &amp; B, kèm theo"]


# --- twins -------------------------------------------------------------------------------------------------------

RECORD = {"id": "vinhlong:A/1", "source_id": "vinhlong", "level": "item", "title": "Quyết định số 12: về việc Đê",
          "date_start": "1996-01-02", "date_end": "1996-01-02", "doc_number": "12/QĐ-UBND"}


def test_the_same_title_and_dates_from_another_source_is_a_twin():
    other = dict(RECORD, id="hue:B/7", source_id="hue", title="QUYET DINH so 12 - ve viec de")
    assert fold(RECORD["title"]) == fold(other["title"]) == "quyet dinh so 12 ve viec de"
    assert are_twins(RECORD, other)
    assert are_twins(RECORD, dict(other, doc_number=None)), "a missing number does not tell them apart"


def test_what_tells_two_records_apart():
    other = dict(RECORD, id="hue:B/7", source_id="hue")
    assert not are_twins(RECORD, dict(other, source_id="vinhlong")), "one archive's two records are not twins"
    assert not are_twins(RECORD, RECORD)
    assert not are_twins(RECORD, dict(other, date_start="1996-01-03"))
    assert not are_twins(RECORD, dict(other, date_end="1997-01-01"))
    assert not are_twins(RECORD, dict(other, doc_number="13/QĐ-UBND"))
    assert not are_twins(RECORD, dict(other, level="file"))
    assert not are_twins(dict(RECORD, date_start=None), dict(other, date_start=None))


def test_twins_are_looked_for_under_the_permission_filter():
    body = build_twin_search(ANONYMOUS, [RECORD, dict(RECORD, id="x:1", date_start=None)])
    filters = body["query"]["bool"]["filter"]
    assert visible_filter(ANONYMOUS) in filters
    assert len(filters[1]["bool"]["should"]) == 1, "a record without a date looks for no twin"
    assert build_twin_search(ANONYMOUS, [dict(RECORD, title="")]) is None


# --- did you mean ------------------------------------------------------------------------------------------------

def _entry(offset, length, *options):
    return {"offset": offset, "length": length,
            "options": [{"text": text, "score": score, "freq": freq} for text, score, freq in options]}


def test_proposals_are_merged_over_fields_best_first():
    answer = {"suggest": {
        "title.folded": [_entry(0, 5, ), _entry(6, 5, ("dinh", 0.8, 40), ("dinhs", 0.6, 2))],
        "content.folded": [_entry(0, 5), _entry(6, 5, ("dinh", 0.8, 90), ("dinn", 0.7, 1))],
    }}
    assert corrections(answer) == {(6, 5): ["dinh", "dinn", "dinhs"]}


def test_candidates_rewrite_only_the_misspelt_words_and_keep_the_rest():
    text = 'quyet "dinhh" OR vinh lonng'
    proposals = {(7, 5): ["dinh", "dinn"], (22, 5): ["long"]}
    assert candidate_queries(text, proposals) == [
        ('quyet "dinh" OR vinh long', ["dinh", "long"]),
        ('quyet "dinn" OR vinh long', ["dinn", "long"]),
    ]
    assert candidate_queries("zzzxq", {}) == []


def test_a_proposal_is_checked_by_the_readers_own_count_without_facets_or_highlights():
    body = count_body(ANONYMOUS, SearchParams(q="quyet dinh", level=("item",), page=3))
    assert body["size"] == 0 and body["track_total_hits"] is True
    assert not {"aggs", "highlight", "sort", "from", "rescore"} & set(body)
    assert visible_filter(ANONYMOUS) in body["query"]["bool"]["filter"]
    assert {"terms": {"level": ["item"]}} in body["query"]["bool"]["filter"]


def test_without_diacritics():
    assert without_diacritics("Quyết định Đà Nẵng") == "Quyet dinh Da Nang"


# --- chosen filters ----------------------------------------------------------------------------------------------

def test_chosen_values_come_first_each_group_in_its_order():
    buckets = [{"key": "46", "count": 9}, {"key": "86", "count": 5}, {"key": "92", "count": 1}]
    assert [b["key"] for b in chosen_first(buckets, ("92",))] == ["92", "46", "86"]
    assert [b["key"] for b in chosen_first(buckets, ())] == ["46", "86", "92"]


def test_a_decade_is_chosen_when_the_period_covers_part_of_it():
    assert decade_chosen(SearchParams(date_from="1990", date_to="1999"), 1990)
    assert not decade_chosen(SearchParams(date_from="1990", date_to="1999"), 1980)
    assert not decade_chosen(SearchParams(date_from="1990", date_to="1999"), 2000)
    assert decade_chosen(SearchParams(date_from="1985-03-01", date_to="2003"), 2000)
    assert decade_chosen(SearchParams(date_from="1985"), 2020)
    assert not decade_chosen(SearchParams(date_to="1979-12-31"), 1980)
    assert not decade_chosen(SearchParams(), 1990)
