"""Searching a national catalogue (issue 21): hits counted exactly only up to the pages one may page through,
"more than" past them, while facet counts stay exact and the permission filter stays in every count.

The window is lowered to 50 for these tests (SEARCH_MAX_WINDOW, read on each request), so the demo archives'
thousand-odd records cross it as a million would cross 10,000.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from tests.extra_records import client_and_alias, extra_records, one_record

WINDOW = 50


@pytest.fixture()
def small_window(harvested_app, monkeypatch):
    monkeypatch.setitem(harvested_app.config, "SEARCH_MAX_WINDOW", WINDOW)
    return harvested_app.test_client()


def _visible(demo_archives) -> list:
    return [r for a in demo_archives.values() for r in a.records if not r.deleted and r.access != "closed"]


def _search(client, **params) -> dict:
    response = client.get("/api/v1/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_a_total_past_the_window_is_a_lower_bound_and_the_facets_still_count_every_hit(small_window, demo_archives):
    visible = _visible(demo_archives)
    assert len(visible) > WINDOW

    answer = _search(small_window)

    assert (answer["total"], answer["total_relation"]) == (WINDOW, "gte")
    for facet in ("level", "access", "holding_province"):
        assert sum(bucket["count"] for bucket in answer["facets"][facet]) == len(visible), facet
    assert "closed" not in {bucket["key"] for bucket in answer["facets"]["access"]}


@pytest.mark.parametrize("q", ["Hòa", "hoa", "quyết định", '"vinh long"', "Quyết định -khen", "ubnd"])
def test_the_facets_count_exactly_the_records_the_hits_match(client, q):
    # The facets match through the folded fields only (an exact word is a folded word too): the same records.
    answer = _search(client, q=q)

    assert answer["total_relation"] == "eq" and answer["total"] > 0
    for facet in ("level", "access", "holding_province"):
        assert sum(bucket["count"] for bucket in answer["facets"][facet]) == answer["total"], facet


def test_a_total_within_the_window_is_exact(small_window, demo_archives):
    fonds = [r for r in _visible(demo_archives) if r.level == "fonds"]
    assert 0 < len(fonds) <= WINDOW

    answer = _search(small_window, level="fonds")

    assert (answer["total"], answer["total_relation"]) == (len(fonds), "eq")


def test_the_default_window_counts_the_demo_archives_exactly(client, demo_archives):
    answer = _search(client)

    assert (answer["total"], answer["total_relation"]) == (len(_visible(demo_archives)), "eq")


def test_pages_up_to_the_window_and_search_after_past_it_walk_every_record_once(small_window, demo_archives):
    seen, page = [], 1
    while page * 10 <= WINDOW:
        seen += [hit["id"] for hit in _search(small_window, size=10, page=page, sort="reference")["hits"]]
        page += 1
    token = _search(small_window, size=10, page=page - 1, sort="reference")["next_search_after"]
    while token:
        answer = _search(small_window, size=100, sort="reference", search_after=token)
        seen += [hit["id"] for hit in answer["hits"]]
        token = answer["next_search_after"]

    assert len(seen) == len(set(seen)) == len(_visible(demo_archives))


def test_the_results_page_says_more_than_past_the_window_in_both_languages(small_window):
    english = small_window.get("/search?lang=en").get_data(as_text=True)
    vietnamese = small_window.get("/search?lang=vi").get_data(as_text=True)

    assert f"More than {WINDOW} records" in english
    assert f"Only the first {WINDOW} results can be shown" in english
    assert f"Hơn {WINDOW} tài liệu" in vietnamese


def test_the_home_page_counts_every_record_exactly_whatever_the_window(small_window, demo_archives):
    home = small_window.get("/?lang=en").get_data(as_text=True)

    assert f"{len(_visible(demo_archives)):,} records you may see." in home


def test_before_any_harvest_the_two_requests_answer_no_records(harvested_app):
    from portal.access.identity import ANONYMOUS
    from portal.opensearch import build_client
    from portal.search.params import SearchParams
    from portal.search.service import SearchService

    service = SearchService(build_client(harvested_app.config["OPENSEARCH_URL"]), "no-such-records-alias")
    result = service.search(ANONYMOUS, SearchParams(q="quyết định"))

    assert (result.total, result.hits, result.facets) == (0, [], {})



def _request_cache_hits(app, marker: str) -> int:
    """Request-cache hits of the index behind the records alias whose name holds `marker`."""
    opensearch, alias = client_and_alias(app)
    [index] = [name for name in opensearch.indices.get_alias(name=alias) if marker in name]
    stats = opensearch.indices.stats(index=index, metric="request_cache")
    return stats["indices"][index]["total"]["request_cache"]["hit_count"]


def test_the_pages_of_one_search_count_their_facets_once_even_while_records_wait_to_open(harvested_app, client):
    """The facets request names the hour records open by, not "now" (which OpenSearch never caches): page 2
    of a search takes page 1's facet counts from the request cache, with a closed record opening next year
    in the index, and still counts the record that opened yesterday and not the one still waiting."""
    word = f"trang{uuid.uuid4().hex[:8]}"
    base = one_record(harvested_app, {"term": {"access": "public"}})
    now = datetime.now(timezone.utc)

    def record(key: str, access: str, open_after: datetime | None) -> dict:
        record_id = f"{base['source_id']}:PAGES/{word}/{key}"
        return dict(base, id=record_id, title=f"{word} {key}", access=access, files=[], content=None,
                    path=[*base.get("path", []), record_id], reference_code=f"PAGES.{key}",
                    open_after=open_after.strftime("%Y-%m-%dT%H:%M:%SZ") if open_after else None)

    records = [record(str(n), "public", None) for n in range(3)] + [
        record("opened", "closed", now - timedelta(days=1)), record("waiting", "closed", now + timedelta(days=365))]
    with extra_records(harvested_app, records):
        first = _search(client, q=word, size=2, page=1)
        hits_before = _request_cache_hits(harvested_app, "records-extra-")
        second = _search(client, q=word, size=2, page=2)
        hits_after = _request_cache_hits(harvested_app, "records-extra-")

    assert first["total"] == second["total"] == 4
    assert {hit["id"].rsplit("/", 1)[1] for hit in first["hits"] + second["hits"]} == {"0", "1", "2", "opened"}
    assert first["facets"] == second["facets"]
    assert {bucket["key"]: bucket["count"] for bucket in first["facets"]["access"]} == {"public": 3, "closed": 1}
    assert hits_after > hits_before
