"""Suggestions as one types, and deep paging with search_after, through the permission filter."""
from __future__ import annotations

import unicodedata

from schema.record import record_id


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def test_suggestions_offer_titles_and_creators_typed_without_diacritics(client):
    answer = client.get("/api/v1/suggest?q=quyet di").get_json()
    assert answer["titles"]
    assert all(_fold(t["title"]).startswith("quyet di") or " quyet di" in _fold(t["title"])
               for t in answer["titles"])
    creators = client.get("/api/v1/suggest?q=so noi").get_json()["creators"]
    assert creators and all("sở nội vụ" in c.lower() for c in creators)


def test_suggestions_never_offer_a_closed_record(client, demo_archives):
    closed = [(slug, r) for slug, a in demo_archives.items() for r in a.records
              if r.access == "closed" and not r.deleted]
    visible_titles = {r.title for a in demo_archives.values() for r in a.records
                      if r.access != "closed" and not r.deleted}
    for slug, record in closed[:10]:
        prefix = " ".join(record.title.split()[:4])
        offered = client.get("/api/v1/suggest", query_string={"q": prefix}).get_json()["titles"]
        assert record_id(slug, record.local_id) not in {t["id"] for t in offered}
        assert all(t["title"] in visible_titles for t in offered)


def test_too_short_a_prefix_suggests_nothing(client):
    assert client.get("/api/v1/suggest?q=q").get_json() == {"titles": [], "creators": []}


def test_search_after_walks_every_visible_record_exactly_once(client, demo_archives):
    expected = sum(1 for a in demo_archives.values() for r in a.records
                   if not r.deleted and r.access != "closed")
    seen, token = [], None
    while True:
        params = {"size": 100, "sort": "reference", **({"search_after": token} if token else {})}
        answer = client.get("/api/v1/search", query_string=params).get_json()
        seen += [hit["id"] for hit in answer["hits"]]
        token = answer["next_search_after"]
        if not token:
            break
    assert len(seen) == len(set(seen)) == expected


def test_a_forged_search_after_token_is_a_400(client):
    for token in ("not-base64!", "W10", "eyJhIjoxfQ"):  # garbage, [], {"a":1}
        response = client.get("/api/v1/search", query_string={"search_after": token})
        assert response.status_code == 400
        assert response.get_json()["error"]["parameter"] == "search_after"
