"""The demo provider's landing pages and file downloads, the URLs that oai_dc points at."""

from __future__ import annotations

import pytest
from lxml import etree

from demo.catalogue import build_archives
from demo.models import DOCX_MEDIA_TYPE, PDF_MEDIA_TYPE
from demo.oai_provider import create_provider_app

DC_RELATION = "{http://purl.org/dc/elements/1.1/}relation"


@pytest.fixture()
def archives():
    # Function-scoped: some tests withdraw records and must not leak that into others.
    return build_archives()


@pytest.fixture()
def client(archives):
    return create_provider_app(archives).test_client()


def live_item_with(archive, media_type):
    return next(record for record in archive.records if not record.deleted and record.files
                and record.files[0].media_type == media_type)


@pytest.mark.parametrize("media_type, magic", [(PDF_MEDIA_TYPE, b"%PDF-"), (DOCX_MEDIA_TYPE, b"PK\x03\x04")])
def test_file_is_served_with_its_media_type(client, archives, media_type, magic):
    item = live_item_with(archives["hue"], media_type)
    response = client.get(f"/hue/files/{item.local_id}/{item.files[0].name}")
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert response.data.startswith(magic)


def test_file_urls_in_oai_dc_resolve(client, archives):
    archive = archives["cantho"]
    item = next(record for record in archive.records if not record.deleted and len(record.files) == 2)
    record_xml = client.get("/cantho/oai", query_string={
        "verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": archive.oai_identifier(item)}).data
    urls = [element.text for element in etree.fromstring(record_xml).iter(DC_RELATION)
            if element.text.startswith("http://")]
    assert len(urls) == 2
    for url, demo_file in zip(urls, item.files):
        response = client.get(url)
        assert response.status_code == 200
        assert response.mimetype == demo_file.media_type


def test_unknown_file_name_or_record_is_404(client, archives):
    item = live_item_with(archives["vinhlong"], PDF_MEDIA_TYPE)
    assert client.get(f"/vinhlong/files/{item.local_id}/no-such-file.pdf").status_code == 404
    assert client.get(f"/vinhlong/files/VL.UBND/ML99/HS999/VB01/{item.files[0].name}").status_code == 404
    assert client.get(f"/hue/files/{item.local_id}/{item.files[0].name}").status_code == 404


def test_files_of_a_deleted_record_are_gone(client, archives):
    item = live_item_with(archives["vinhlong"], DOCX_MEDIA_TYPE)
    url = f"/vinhlong/files/{item.local_id}/{item.files[0].name}"
    assert client.get(url).status_code == 200
    item.deleted = True
    assert client.get(url).status_code == 404


def test_landing_page_shows_title_and_reference_code(client, archives):
    fonds = archives["vinhlong"].record_by_local_id("BT.UBND")
    response = client.get("/vinhlong/records/BT.UBND")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert fonds.title in page
    assert fonds.reference_code in page


def test_landing_page_escapes_a_script_title(client, archives):
    fixture = next(record for record in archives["vinhlong"].records if record.title.startswith("<script>"))
    page = client.get(f"/vinhlong/records/{fixture.local_id}").get_data(as_text=True)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Công văn thử nghiệm" in page


def test_landing_page_of_unknown_or_deleted_record_is_404(client, archives):
    deleted = next(record for record in archives["hue"].records if record.deleted)
    assert client.get(f"/hue/records/{deleted.local_id}").status_code == 404
    assert client.get("/hue/records/NO/SUCH").status_code == 404


@pytest.mark.parametrize("path", ["/danang/oai?verb=Identify", "/danang/records/VL.UBND",
                                  "/danang/files/VL.UBND/x.pdf"])
def test_unknown_archive_is_404(client, path):
    assert client.get(path).status_code == 404


def test_index_lists_every_archive_endpoint(client):
    page = client.get("/", base_url="http://127.0.0.1:5100").get_data(as_text=True)
    for slug in ("vinhlong", "hue", "cantho"):
        assert f"http://127.0.0.1:5100/{slug}/oai" in page
