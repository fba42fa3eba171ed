"""Advanced search, browsing provinces → fonds → series, and the record page's hierarchy."""
from __future__ import annotations

import re

from markupsafe import escape

from schema.record import record_id
from tests.conftest import DEMO_SOURCES


def _live(demo_archives, slug=None):
    for name, archive in demo_archives.items():
        if slug and name != slug:
            continue
        for record in archive.records:
            if not record.deleted:
                yield name, record


def test_advanced_fields_search_their_own_field(client):
    answer = client.get("/api/v1/search", query_string={
        "title": "truong trung hoc", "creator": "so giao duc", "size": 100}).get_json()
    assert answer["total"] > 0
    for hit in answer["hits"]:
        assert "Trường Trung học" in hit["title"] and "Sở Giáo dục" in hit["creator"]


def test_reference_code_prefix_finds_the_whole_tree_under_it(client, demo_archives):
    slug, series = next((s, r) for s, r in _live(demo_archives) if r.level == "series")
    answer = client.get("/api/v1/search", query_string={"reference_code": series.reference_code,
                                                         "size": 100}).get_json()
    under = [r for s, r in _live(demo_archives, slug)
             if r.reference_code.startswith(series.reference_code) and r.access != "closed"]
    assert answer["total"] == len(under)


def test_former_provinces_are_labelled_with_the_province_they_became(client):
    facet = client.get("/api/v1/search?lang=en").get_json()["facets"]["origin_province"]
    labels = {bucket["key"]: bucket["label"] for bucket in facet}
    assert labels["83"] == "Tỉnh Bến Tre (now Vĩnh Long)"
    assert "now" not in labels["86"]


def test_browse_lists_provinces_then_their_fonds_with_counts(client, demo_archives):
    page = client.get("/browse", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert "Vĩnh Long" in page and "/browse/86" in page
    page = client.get("/browse/86", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    fonds = [r for _, r in _live(demo_archives, "vinhlong") if r.level == "fonds" and r.access != "closed"]
    for entry in fonds:
        assert entry.title in page
    first = fonds[0]
    expected = sum(1 for _, r in _live(demo_archives, "vinhlong")
                   if first.local_id in r.ancestors and r.access != "closed")
    assert re.search(rf"{re.escape(first.title)}</a>\s*<span class=\"muted\">[^<]*{expected} tài liệu", page)
    assert client.get("/browse/99").status_code == 404


def test_record_page_links_to_neighbours_in_the_same_file(client, demo_archives):
    slug, item = next((s, r) for s, r in _live(demo_archives)
                      if r.level == "item" and r.access == "public"
                      and sum(1 for _, o in _live(demo_archives, s) if o.ancestors == r.ancestors
                              and o.access != "closed") >= 3
                      and r.reference_code != min(o.reference_code for _, o in _live(demo_archives, s)
                                                  if o.ancestors == r.ancestors and o.access != "closed"))
    siblings = sorted((o for _, o in _live(demo_archives, slug)
                       if o.ancestors == item.ancestors and o.access != "closed"), key=lambda o: o.reference_code)
    position = [o.local_id for o in siblings].index(item.local_id)
    page = client.get(f"/records/{record_id(slug, item.local_id)}").get_data(as_text=True)
    previous = siblings[position - 1]
    assert f'rel="prev" href="/records/{record_id(slug, previous.local_id)}"' in page


def test_full_text_marks_the_search_terms_for_public_records_only(client, demo_archives):
    slug, public = next((s, r) for s, r in _live(demo_archives)
                        if r.access == "public" and r.files and r.level == "item")
    word = public.files[0].content_text.split()[3]
    page = client.get(f"/records/{record_id(slug, public.local_id)}", query_string={"q": word}).get_data(as_text=True)
    assert "<mark>" in page.split('class="fulltext"')[1]

    from demo.models import content_token
    slug, restricted = next((s, r) for s, r in _live(demo_archives) if r.access == "restricted" and r.files)
    token = content_token(restricted)
    page = client.get(f"/records/{record_id(slug, restricted.local_id)}", query_string={"q": token}).get_data(as_text=True)
    article = page.split("<article", 1)[1].split("</article>", 1)[0]
    assert token not in article and "<mark>" not in page


def test_breadcrumb_ancestors_carry_titles_and_leave_out_what_the_reader_may_not_know(harvested_app, demo_archives):
    """The breadcrumb's ancestors come with their titles; a closed one (say a re-harvest closed a file above
    a public record) is left out for a visitor, title and all, and shown to the province's staff."""
    from portal.access.identity import ANONYMOUS, Identity
    from portal.opensearch import get_client, records_alias
    from portal.records.service import RecordService

    slug, closed = next((s, r) for s, r in _live(demo_archives) if r.level == "file" and r.access == "closed")
    fonds = next(r for _, r in _live(demo_archives, slug) if r.local_id == closed.ancestors[0])
    path = [record_id(slug, fonds.local_id), record_id(slug, closed.local_id)]
    with harvested_app.test_request_context():
        service = RecordService(get_client(), records_alias())
        seen = service.ancestors(ANONYMOUS, {"id": f"{path[-1]}/VB99", "path": path})
        staff = Identity(user_id="1", roles=frozenset({"staff"}), province=DEMO_SOURCES[slug])
        seen_by_staff = service.ancestors(staff, {"id": f"{path[-1]}/VB99", "path": path})
    assert [(a["id"], a["title"]) for a in seen] == [(path[0], fonds.title)]
    assert closed.title not in str(seen)
    assert [a["title"] for a in seen_by_staff] == [fonds.title, closed.title]


def test_record_page_breadcrumb_names_ancestors_by_title_with_their_codes(client, demo_archives):
    slug, item = next((s, r) for s, r in _live(demo_archives) if r.level == "item" and r.access == "public")
    page = client.get(f"/records/{record_id(slug, item.local_id)}").get_data(as_text=True)
    crumbs = page.split('class="breadcrumb"')[1].split("</nav>")[0]
    for local_id in item.ancestors:
        ancestor = next(r for _, r in _live(demo_archives, slug) if r.local_id == local_id)
        title = re.escape(str(escape(ancestor.title)))
        assert re.search(rf'<span class="crumb-title">{title}</span></a>\s*'
                         rf'<span class="crumb-code">[^<]*{re.escape(ancestor.reference_code)}</span>', crumbs)


def test_archive_page_counts_fonds_through_the_permission_filter(harvested_app, demo_archives):
    """A closed fonds, and closed records under an open one, are in no count for a visitor; the province's
    staff see and count them; another province's staff do not."""
    from tests.accounts import signed_in_client

    live = list(_live(demo_archives, "vinhlong"))

    def expected(fonds, with_closed):
        return sum(1 for _, r in live if fonds.local_id in r.ancestors and (with_closed or r.access != "closed"))

    fonds = [r for _, r in live if r.level == "fonds"]
    assert any(r.access == "closed" for _, r in live)
    visitor = harvested_app.test_client().get("/archives/86", headers={"Accept-Language": "vi"}).text
    own_staff = signed_in_client(harvested_app, "staff86-archive@example.vn", "staff", province="86")
    other_staff = signed_in_client(harvested_app, "staff46-archive@example.vn", "staff", province="46")
    staff_page = own_staff.get("/archives/86?lang=vi").text
    other_page = other_staff.get("/archives/86?lang=vi").text
    for entry in fonds:
        fonds_id = record_id("vinhlong", entry.local_id)
        for page, with_closed in ((visitor, False), (other_page, False), (staff_page, True)):
            shown = entry.access != "closed" or with_closed
            assert (f'data-fonds="{fonds_id}"' in page) == shown
            if shown:
                count = expected(entry, with_closed)
                row = page.split(f'data-fonds="{fonds_id}"')[1].split("</li>")[0]
                assert re.search(rf"\b{count} tài liệu", row), (fonds_id, count, row)
    assert sum(expected(f, True) for f in fonds) > sum(expected(f, False) for f in fonds if f.access != "closed")
    record = next(r for _, r in live if r.access == "public" and r.level == "item")
    page = harvested_app.test_client().get(f"/records/{record_id('vinhlong', record.local_id)}").text
    assert 'href="/archives/86" data-holding-archive' in page
