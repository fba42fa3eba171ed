"""The search results of issue 18's walk: marks over whole phrases, snippets that do not repeat
the title, "did you mean" that never reveals what a reader may not see, and likely twins."""
from __future__ import annotations

import uuid

import lxml.html
import pytest

from portal.search.highlights import echoes_title
from tests.accounts import signed_in_client
from tests.extra_records import copy_of, extra_records, one_record

CLOSED_WORD, RESTRICTED_WORD = "xylofonium", "hyperboloidium"


def _search(client, **params) -> dict:
    response = client.get("/api/v1/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _page(client, **params):
    response = client.get("/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return lxml.html.fromstring(response.get_data(as_text=True))


def _classed(tag: str, name: str) -> str:
    """XPath of `tag` elements with the class `name` (cssselect is not installed)."""
    return f"//{tag}[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"


def _email(role: str) -> str:
    return f"{role}-{uuid.uuid4().hex[:8]}@example.vn"


# --- marks and snippets -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("q", ["quyết định", "quyet dinh"])
def test_quyet_dinh_is_marked_as_one_phrase_with_or_without_diacritics(client, q):
    titles = [hit["highlight"]["title"][0] for hit in _search(client, q=q, level="item", size=50)["hits"]
              if hit["highlight"].get("title")]
    assert titles
    assert any("<mark>Quyết định</mark>" in title for title in titles)
    for hit in _search(client, q=q, size=50)["hits"]:
        for fragments in hit["highlight"].values():
            assert not any("</mark> <mark>" in fragment for fragment in fragments)


def test_merged_marks_keep_the_harvested_text_escaped(client):
    # The demo archives hold one public item whose title carries a script tag.
    hits = _search(client, q="script alert", size=50)["hits"]
    marked = [f for hit in hits for fragments in hit["highlight"].values() for f in fragments]
    assert marked
    assert all("<script" not in fragment for fragment in marked)
    assert any("&lt;" in fragment for fragment in marked)


def test_no_snippet_repeats_the_title_of_its_hit(client):
    hits = _search(client, q="quyet dinh", level="item", size=100)["hits"]
    snippets = [(hit["title"], fragment) for hit in hits for name in ("description", "content")
                for fragment in hit["highlight"].get(name, [])]
    assert snippets, "the search found no snippets to look at"
    assert not [pair for pair in snippets if echoes_title(pair[1], pair[0])]


# --- did you mean -----------------------------------------------------------------------------------------------

def test_a_misspelt_query_gets_a_spelling_that_finds_records(client):
    answer = _search(client, q="quyet dinhh")
    assert answer["total"] == 0
    assert answer["did_you_mean"] == "quyet dinh"
    assert _search(client, q=answer["did_you_mean"])["total"] > 0
    link = _page(client, q="quyet dinhh").xpath(_classed("p", "did-you-mean") + "//a")
    assert [a.text_content() for a in link] == ["quyet dinh"]
    assert "q=quyet+dinh" in link[0].get("href")


def test_with_diacritics_the_spelling_keeps_them(client):
    assert _search(client, q="Quyết địnhh")["did_you_mean"] == "Quyết định"


def test_a_query_with_nothing_close_gets_no_spelling_and_the_tips(client):
    assert "did_you_mean" not in _search(client, q="zzzxq")
    page = _page(client, q="zzzxq")
    assert not page.xpath(_classed("p", "did-you-mean"))
    assert page.xpath(_classed("section", "no-results") + "//li")
    assert not page.xpath(_classed("form", "sort")), "a sort of nothing was offered"
    assert not page.xpath(_classed("aside", "facets"))


@pytest.fixture()
def hidden_words(harvested_app):
    """A closed record whose title, and a restricted record whose full text, hold words nothing else does."""
    public = one_record(harvested_app, {"term": {"access": "public"}}, {"exists": {"field": "content"}})
    closed = copy_of(public, "extraclosed", "86", "Vĩnh Long", access="closed",
                     title=f"Biên bản kiểm kê đàn {CLOSED_WORD}")
    restricted = copy_of(public, "extrarestricted", "86", "Vĩnh Long", access="restricted",
                         title="Biên bản kiểm kê tài sản", content=f"Tài sản gồm một {RESTRICTED_WORD} bằng đồng.")
    with extra_records(harvested_app, [closed, restricted]):
        yield


def test_did_you_mean_never_offers_a_closed_records_words(harvested_app, client, hidden_words):
    misspelt = CLOSED_WORD[:-1] + "n"
    assert "did_you_mean" not in _search(client, q=misspelt)
    assert not _page(client, q=misspelt).xpath(_classed("p", "did-you-mean"))
    # The suggester does propose it: to one who may see the closed record.
    national = signed_in_client(harvested_app, _email("national"), "national_admin")
    assert _search(national, q=misspelt)["did_you_mean"] == CLOSED_WORD


def test_did_you_mean_never_offers_words_of_full_text_one_may_not_read(harvested_app, client, hidden_words):
    misspelt = RESTRICTED_WORD[:-1] + "n"
    assert "did_you_mean" not in _search(client, q=misspelt)
    reader = signed_in_client(harvested_app, _email("reader"), "reader")
    assert "did_you_mean" not in _search(reader, q=misspelt)
    staff = signed_in_client(harvested_app, _email("staff"), "staff", province="86")
    assert _search(staff, q=misspelt)["did_you_mean"] == RESTRICTED_WORD


# --- likely twins -----------------------------------------------------------------------------------------------

def _twin_links(page, record_id: str) -> list[str]:
    return [a.get("data-twin") for a in page.xpath(f'//li[@data-id="{record_id}"]//p[@data-twins]//a')]


def test_the_same_record_from_two_archives_is_marked_on_both(harvested_app, client):
    original = one_record(harvested_app, {"term": {"access": "public"}}, {"term": {"holding_province": "86"}})
    twin = copy_of(original, "extratwin", "46", "Thành phố Huế")
    other_day = copy_of(original, "extraotherday", "92", "Thành phố Cần Thơ", date_start="1901-01-01",
                        date_end="1901-01-01")
    with extra_records(harvested_app, [twin, other_day]):
        page = _page(client, q=original["title"], size=100)
        assert _twin_links(page, original["id"]) == [twin["id"]]
        assert _twin_links(page, twin["id"]) == [original["id"]]
        assert not _twin_links(page, other_day["id"]), "a record of another date was taken for a twin"


def test_a_closed_twin_is_never_named_to_one_who_may_not_see_it(harvested_app, client):
    original = one_record(harvested_app, {"term": {"access": "public"}}, {"term": {"holding_province": "86"}})
    closed_twin = copy_of(original, "extraclosedtwin", "46", "Thành phố Huế", access="closed")
    with extra_records(harvested_app, [closed_twin]):
        page = _page(client, q=original["title"], size=100)
        assert page.xpath(f'//li[@data-id="{original["id"]}"]')
        assert not _twin_links(page, original["id"])
        assert closed_twin["id"] not in lxml.html.tostring(page, encoding="unicode")
        national = signed_in_client(harvested_app, _email("national"), "national_admin")
        assert _twin_links(_page(national, q=original["title"], size=100), original["id"]) == [closed_twin["id"]]
