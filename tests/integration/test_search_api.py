"""The search and record API over the harvested demo archives, as an anonymous caller."""
from __future__ import annotations

from demo.models import content_token
from schema.record import record_id


def _search(client, **params) -> dict:
    response = client.get("/api/v1/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _live(demo_archives):
    for slug, archive in demo_archives.items():
        for record in archive.records:
            if not record.deleted:
                yield slug, record


def test_unaccented_vinh_long_finds_vinh_long_records_with_a_province_facet(client):
    result = _search(client, q="vinh long")
    assert result["total"] > 0
    assert any(hit["holding_province"] == "86" for hit in result["hits"])
    provinces = {bucket["key"]: bucket for bucket in result["facets"]["holding_province"]}
    assert provinces["86"]["label"] == "Vĩnh Long" and provinces["86"]["count"] > 0


def test_unaccented_quyet_dinh_finds_accented_decisions_and_marks_them(client):
    result = _search(client, q="quyet dinh", level="item")
    assert result["total"] > 0
    titles = [hit["title"] for hit in result["hits"]]
    assert any("Quyết định" in title for title in titles)
    marked = [h["highlight"]["title"][0] for h in result["hits"] if "title" in h["highlight"]]
    assert any("<mark>Quyết định</mark>" in fragment for fragment in marked)  # one phrase, one mark (issue 18)


def test_browsing_without_a_query_counts_every_record_anonymous_may_see(client, demo_archives):
    visible = [r for _, r in _live(demo_archives) if r.access != "closed"]
    result = _search(client)
    assert result["total"] == len(visible)
    levels = {b["key"]: b["count"] for b in result["facets"]["level"]}
    assert levels == {level: sum(1 for r in visible if r.level == level) for level in levels}
    assert set(levels) == {"fonds", "series", "file", "item"}


def test_anonymous_never_sees_closed_records_in_hits_totals_or_facets(client, demo_archives):
    closed = _search(client, access="closed")
    assert closed["total"] == 0 and closed["hits"] == []
    facets = _search(client)["facets"]["access"]
    assert "closed" not in {bucket["key"] for bucket in facets}
    a_closed = next(r for _, r in _live(demo_archives) if r.access == "closed" and r.level == "item")
    assert _search(client, q=f'"{a_closed.title}"')["total"] == sum(
        1 for _, r in _live(demo_archives) if r.title == a_closed.title and r.access != "closed")


def test_restricted_content_is_neither_searchable_nor_highlighted_for_anonymous(client, demo_archives):
    hidden = [(s, r) for s, r in _live(demo_archives) if content_token(r) and r.files]
    assert hidden
    for slug, record in hidden[:15]:
        result = _search(client, q=content_token(record))
        assert result["total"] == 0, f"{record.local_id}: its content leaked into search"
    restricted = next((s, r) for s, r in hidden if r.access == "restricted")
    words = restricted[1].files[0].content_text.split()[:6]
    for hit in _search(client, q=" ".join(words), size=100)["hits"]:
        assert "content" not in hit["highlight"] or hit["access"] == "public"


def test_public_content_is_searchable_and_highlighted(client, demo_archives):
    slug, record = next((s, r) for s, r in _live(demo_archives)
                        if r.access == "public" and r.files and r.level == "item")
    phrase = " ".join(record.files[0].content_text.split()[20:26])
    result = _search(client, q=f'"{phrase}"')
    hit = next(h for h in result["hits"] if h["id"] == record_id(slug, record.local_id))
    assert "<mark>" in " ".join(hit["highlight"].get("content", []))


def test_record_api_hides_restricted_content_and_answers_404_for_closed(client, demo_archives):
    slug, restricted = next((s, r) for s, r in _live(demo_archives) if r.access == "restricted" and r.files)
    body = client.get(f"/api/v1/records/{record_id(slug, restricted.local_id)}").get_json()
    assert body["title"] == restricted.title
    assert "content" not in body and body["content_visible"] is False
    assert all("sha256" not in f and "url" not in f for f in body["files"])
    slug, closed = next((s, r) for s, r in _live(demo_archives) if r.access == "closed")
    assert client.get(f"/api/v1/records/{record_id(slug, closed.local_id)}").status_code == 404
    assert client.get(f"/records/{record_id(slug, closed.local_id)}").status_code == 404


def test_record_api_gives_public_content_and_ids_with_slashes_route(client, demo_archives):
    slug, record = next((s, r) for s, r in _live(demo_archives) if r.access == "public" and r.files)
    doc_id = record_id(slug, record.local_id)
    assert "/" in doc_id and ":" in doc_id
    body = client.get(f"/api/v1/records/{doc_id}").get_json()
    assert body["id"] == doc_id and body["content_visible"] is True
    assert record.files[0].content_text.split()[0] in body["content"]


def test_filters_by_province_level_and_years(client, demo_archives):
    result = _search(client, province="92", level="file", **{"from": "1990", "to": "1999"}, size=100)
    assert result["total"] > 0
    for hit in result["hits"]:
        assert hit["holding_province"] == "92" and hit["level"] == "file"
        assert hit["date_end"] >= "1990-01-01" and hit["date_start"] <= "1999-12-31"


def test_selecting_a_province_keeps_the_other_provinces_counts(client):
    everything = {b["key"]: b["count"] for b in _search(client)["facets"]["holding_province"]}
    one = _search(client, province="46")
    assert {b["key"]: b["count"] for b in one["facets"]["holding_province"]} == everything
    assert one["total"] == everything["46"]


def test_paging_walks_through_results_without_repeats(client):
    first = _search(client, q="huế", size=10, page=1)
    second = _search(client, q="huế", size=10, page=2)
    assert first["total"] > 20
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}


def test_bad_parameters_get_a_clear_400(client):
    for params in ({"q": '"unbalanced'}, {"size": "100000"}, {"page": "-1"}, {"page": "abc"},
                   {"province": "xyz"}, {"level": "box"}, {"from": "last year"}, {"sort": "random"}):
        response = client.get("/api/v1/search", query_string=params)
        assert response.status_code == 400, params
        error = response.get_json()["error"]
        assert error["code"] == "bad_request" and error["message"] and error["parameter"]


def test_bad_parameters_on_the_page_show_a_friendly_message(client):
    response = client.get("/search", query_string={"q": "x" * 600}, headers={"Accept-Language": "vi"})
    assert response.status_code == 400
    assert "dấu ngoặc kép" in response.get_data(as_text=True)
    response = client.get("/search", query_string={"size": "100000"}, headers={"Accept-Language": "vi"})
    assert response.status_code == 400 and "10.000 kết quả" in response.get_data(as_text=True)


def test_an_unpaired_quotation_mark_on_the_page_searches_without_it_and_says_so(client):
    response = client.get("/search", query_string={"q": '"vinh long'}, headers={"Accept-Language": "vi"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "không có dấu ngoặc kép" in page
    assert 'class="hit"' in page


def test_unknown_record_is_a_404_page_and_api_error(client):
    assert client.get("/records/nowhere:nothing/at/all").status_code == 404
    response = client.get("/api/v1/records/nowhere:nothing")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_a_script_title_is_shown_as_text_everywhere(client, demo_archives):
    slug, record = next((s, r) for s, r in _live(demo_archives) if "<script>" in r.title)
    page = client.get(f"/records/{record_id(slug, record.local_id)}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    results = client.get("/search", query_string={"q": "alert"}).get_data(as_text=True)
    assert "<script>alert(1)" not in results
    hit = next(h for h in _search(client, q="alert")["hits"] if h["id"] == record_id(slug, record.local_id))
    assert hit["title"] == record.title  # the API gives the data, as JSON
    assert "<script>" not in " ".join(hit["highlight"].get("title", []))


def test_record_page_shows_breadcrumb_children_and_vietnamese_labels(client, demo_archives):
    slug, file_record = next((s, r) for s, r in _live(demo_archives) if r.level == "file" and r.access == "public")
    page = client.get(f"/records/{record_id(slug, file_record.local_id)}",
                      headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert file_record.title in page
    assert "Mã hồ sơ / ký hiệu" in page and "Thành phần" in page
    fonds = next(r for r in demo_archives[slug].records if r.local_id == file_record.ancestors[0])
    assert fonds.reference_code in page
    english = client.get(f"/records/{record_id(slug, file_record.local_id)}?lang=en").get_data(as_text=True)
    assert "Reference code" in english
