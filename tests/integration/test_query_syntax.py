"""What a researcher may type: quoted phrases, -exclusion, OR; nothing typed makes it fail."""
from __future__ import annotations


def _ids(client, q: str, **params) -> set[str]:
    answer = client.get("/api/v1/search", query_string={"q": q, "size": 100, **params})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return {hit["id"] for hit in answer.get_json()["hits"]}


def _titles(client, q: str, **params) -> list[str]:
    answer = client.get("/api/v1/search", query_string={"q": q, "size": 100, **params}).get_json()
    return [hit["title"] for hit in answer["hits"]]


def test_minus_excludes_records_with_the_word(client):
    with_both = _titles(client, "quyết định", level="item")
    assert any("bổ nhiệm" in t for t in with_both)
    without = _titles(client, "quyết định -nhiệm", level="item")
    assert without and not any("nhiệm" in t.lower() for t in without)


def _total(client, q: str, **params) -> int:
    return client.get("/api/v1/search", query_string={"q": q, **params}).get_json()["total"]


def test_or_finds_either_word(client):
    first, second = _total(client, "Nghị", level="item"), _total(client, "Tờ", level="item")
    either = _total(client, "Nghị OR Tờ", level="item")
    assert first and second
    assert max(first, second) < either <= first + second
    assert _total(client, "Nghị AND Tờ", level="item") == _total(client, "Nghị Tờ", level="item")


def test_a_quoted_phrase_needs_the_words_side_by_side(client):
    for title in _titles(client, '"bổ nhiệm Hiệu trưởng"'):
        assert "bổ nhiệm hiệu trưởng" in title.lower()


def test_stray_operators_and_symbols_never_fail(client):
    for q in ("(((", "OR", "-", "+", "quyết | định", "*", "~2", "a && b", "\\", "năm 2020)", "'", "<>"):
        response = client.get("/api/v1/search", query_string={"q": q})
        assert response.status_code == 200, q
