"""The viewer's page on the harvested demo archives (issue 19): offered and served for a file the visitor may
read, naming the checked download route as the only source of the bytes; 403 for a restricted file (with the
way to ask), 404 for a closed record's; pdf.js served from our own origin as JavaScript, under the same CSP."""
from __future__ import annotations

import pytest

from schema.record import record_id


def _items(demo_archives, access: str):
    for slug, archive in demo_archives.items():
        for record in archive.records:
            if record.access == access and record.files and not record.deleted \
                    and record.files[0].media_type == "application/pdf":
                yield record_id(slug, record.local_id)


def test_a_public_pdf_is_offered_and_opens_in_the_viewer_from_the_download_route(client, demo_archives):
    rid = next(_items(demo_archives, "public"))
    record_page = client.get(f"/records/{rid}", query_string={"q": "quyết định"}).text
    assert f'href="/records/{rid}/files/1/view?q=quy%E1%BA%BFt+%C4%91%E1%BB%8Bnh"' in record_page
    viewer = client.get(f"/records/{rid}/files/1/view", query_string={"q": "quyết định"})
    assert viewer.status_code == 200
    assert f'data-src="/records/{rid}/files/1"' in viewer.text and 'data-kind="pdf"' in viewer.text
    assert 'data-q="quyết định"' in viewer.text and 'src="/static/viewer.js"' in viewer.text


def test_a_restricted_file_is_neither_offered_nor_opened_and_a_closed_one_is_not_known(client, demo_archives):
    restricted = next(_items(demo_archives, "restricted"))
    assert "data-open-file" not in client.get(f"/records/{restricted}").text
    refused = client.get(f"/records/{restricted}/files/1/view")
    assert refused.status_code == 403 and "data-viewer" not in refused.text
    assert "Sign in to ask for access" in client.get(f"/records/{restricted}/files/1/view?lang=en").text
    assert client.get(f"/records/{restricted}/files/1").status_code == 403  # the bytes' route refuses alike
    closed = next(_items(demo_archives, "closed"))
    assert client.get(f"/records/{closed}/files/1/view").status_code == 404
    assert client.get(f"/records/{next(_items(demo_archives, 'public'))}/files/9/view").status_code == 404


@pytest.mark.parametrize("name", ["pdf.min.mjs", "pdf.worker.min.mjs"])
def test_pdfjs_is_served_from_our_origin_as_javascript_under_the_portals_policy(client, name):
    response = client.get(f"/static/vendor/pdfjs/{name}")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-eval" not in policy


def test_a_reader_whose_grant_covers_a_restricted_file_opens_it_in_the_viewer(harvested_app, demo_archives):
    from tests.access_requests import ask_for_access, decide, request_id_of, restricted_files, unique_email
    from tests.accounts import signed_in_client

    pdf_items = {record_id(slug, r.local_id) for slug, archive in demo_archives.items() for r in archive.records
                 if r.files and r.files[0].media_type == "application/pdf"}
    target = next(item for file in restricted_files(harvested_app) for item in file.items if item in pdf_items)
    reader = signed_in_client(harvested_app, unique_email("viewer-reader"))
    staff = signed_in_client(harvested_app, unique_email("viewer-staff"), "staff", "86")
    assert reader.get(f"/records/{target}/files/1/view").status_code == 403

    request_id = request_id_of(ask_for_access(reader, target))
    assert decide(staff, request_id, "approve", scope="record").status_code == 302

    assert "data-open-file" in reader.get(f"/records/{target}").text
    viewer = reader.get(f"/records/{target}/files/1/view")
    assert viewer.status_code == 200 and f'data-src="/records/{target}/files/1"' in viewer.text
    assert reader.get(f"/records/{target}/files/1").status_code == 200  # the bytes the viewer asks for
