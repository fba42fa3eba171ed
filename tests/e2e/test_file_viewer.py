"""The record viewer in the browser (issue 19): a demo PDF opens in the page through pdf.js, served from the
portal itself, at the page that holds the search's words (the signer's name is on page 2 of a demo PDF), turns
pages from the keyboard, with download beside it; in Vietnamese and English, on a laptop and a phone, axe-clean
and with no CSP violation (the autouse watcher of tests/e2e/conftest.py)."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from demo.files import SIGNATURE_PAGE_STARTS
from schema.record import record_id
from tests.e2e.screens import LAPTOP, PHONE
from tests.e2e.test_accessibility import check_page


@pytest.fixture(scope="module")
def public_pdf(demo_archives):
    """A public item whose main file is a PDF, and its signer, named on page 2 only."""
    for slug, archive in demo_archives.items():
        for record in archive.records:
            if record.level != "item" or record.access != "public" or getattr(record, "deleted", False) \
                    or not record.files or record.files[0].media_type != "application/pdf" or not record.signer:
                continue
            first_page = record.files[0].content_text.split(SIGNATURE_PAGE_STARTS)[0]
            if record.signer not in first_page and record.signer not in record.title:
                return record_id(slug, record.local_id), record
    pytest.fail("the demo archives have no public PDF signed on its second page")


def _viewer_url(base: str, rid: str, q: str | None = None, lang: str = "vi") -> str:
    query = f"?lang={lang}" + (f"&q={quote(q)}" if q else "")
    return f"{base}/records/{rid}/files/1/view{query}"


@pytest.mark.parametrize(("lang", "viewport"), [("vi", LAPTOP), ("en", PHONE)])
def test_a_pdf_opens_in_the_page_at_the_page_holding_the_search_words(browser, portal_server, public_pdf, lang,
                                                                       viewport):
    rid, record = public_pdf
    context = browser.new_context(locale="vi-VN", viewport=viewport)
    page = context.new_page()
    try:
        page.goto(f"{portal_server.url}/records/{rid}?lang={lang}&q={quote(record.signer)}")
        open_link = page.locator("[data-open-file]").first
        expect(open_link).to_be_visible()
        open_link.click()
        viewer = page.locator("[data-viewer]")
        expect(viewer).to_have_attribute("data-page", "2", timeout=20_000)
        found = "are on page 2" if lang == "en" else "ở trang 2"
        expect(page.locator("[data-viewer-status]")).to_contain_text(found)
        expect(page.locator("[data-canvas]")).to_have_attribute("aria-label", f"{'Page' if lang == 'en' else 'Trang'} 2 "
                                                                          f"{'of' if lang == 'en' else 'của'} "
                                                                          f"{record.files[0].name}")
        download = page.locator("[data-download]")
        assert download.get_attribute("href") == f"/records/{rid}/files/1"  # the checked route, nothing else
        assert page.locator("[data-viewer]").get_attribute("data-src") == f"/records/{rid}/files/1"
        width = page.evaluate("document.querySelector('[data-canvas]').getBoundingClientRect().width")
        assert 0 < width <= viewport["width"]  # fits the screen until zoomed

        page.locator("[data-stage]").focus()
        page.keyboard.press("PageUp")
        expect(viewer).to_have_attribute("data-page", "1")
        expect(page.locator("[data-previous]")).to_be_disabled()
        page.keyboard.press("End")
        expect(viewer).to_have_attribute("data-page", "2")
        expect(page.locator("[data-next]")).to_be_disabled()
        page.locator("[data-zoom-in]").click()
        expect(viewer).to_have_attribute("data-page", "2")
        assert page.evaluate("document.querySelector('[data-canvas]').getBoundingClientRect().width") > width
    finally:
        context.close()


def test_words_on_the_first_page_open_it_and_words_found_nowhere_say_so(page, portal_server, public_pdf):
    rid, record = public_pdf
    page.goto(_viewer_url(portal_server.url, rid, record.files[0].content_text.split(SIGNATURE_PAGE_STARTS)[0]
                          .split("\n")[0]))
    expect(page.locator("[data-viewer]")).to_have_attribute("data-page", "1", timeout=20_000)
    expect(page.locator("[data-viewer-status]")).to_contain_text("ở trang 1")

    page.goto(_viewer_url(portal_server.url, rid, "zzzkhongcogi", lang="en"))
    expect(page.locator("[data-viewer]")).to_have_attribute("data-page", "1", timeout=20_000)
    expect(page.locator("[data-viewer-status]")).to_contain_text("were not found")


def test_an_address_naming_a_page_opens_it(page, portal_server, public_pdf):
    rid, _ = public_pdf
    page.goto(_viewer_url(portal_server.url, rid) + "#page=2")
    expect(page.locator("[data-viewer]")).to_have_attribute("data-page", "2", timeout=20_000)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_viewer_is_accessible(page, portal_server, public_pdf, lang):
    rid, record = public_pdf
    url = _viewer_url(portal_server.url, rid, record.signer, lang)
    page.goto(url)
    expect(page.locator("[data-viewer]")).to_have_attribute("data-page", "2", timeout=20_000)
    check_page(page, url, f"viewer-{lang}")


def test_an_image_opens_in_the_page_with_zoom_and_a_tiff_is_offered_for_download(
        browser, portal_server, harvested_app, tmp_path):
    """A PNG and a TIFF that came in a package (read from the source's done/ folder by the download route)."""
    import hashlib
    import io
    import uuid

    from PIL import Image

    from tests.extra_records import extra_records, one_record

    source_id = f"anh{uuid.uuid4().hex[:6]}"
    folder = tmp_path / "inbox" / "done" / "goi-anh"
    folder.mkdir(parents=True)
    files = []
    for name, media_type, kind in (("ban-do.png", "image/png", "PNG"), ("ban-do.tif", "image/tiff", "TIFF")):
        picture = io.BytesIO()
        Image.new("RGB", (400, 300), (180, 40, 40)).save(picture, kind)
        (folder / name).write_bytes(picture.getvalue())
        files.append({"name": name, "media_type": media_type, "size": len(picture.getvalue()),
                      "sha256": hashlib.sha256(picture.getvalue()).hexdigest(), "package_path": f"goi-anh/{name}"})
    added = harvested_app.test_cli_runner().invoke(args=["sources", "add", "--id", source_id, "--kind", "package",
                                                         "--url", str(tmp_path / "inbox"), "--province", "86"])
    assert added.exit_code == 0, added.output
    base = one_record(harvested_app, {"term": {"access": "public"}})
    rid = f"{source_id}:ANH/1"
    record = dict(base, id=rid, source_id=source_id, title="Bản đồ hành chính", files=files, content=None)
    context = browser.new_context(locale="vi-VN", viewport=PHONE)
    page = context.new_page()
    try:
        with extra_records(harvested_app, [record]):
            page.goto(f"{portal_server.url}/records/{rid}")
            expect(page.locator("[data-open-file]")).to_have_count(1)  # the PNG; the TIFF is only downloaded
            expect(page.locator(".files")).to_contain_text("Trình duyệt không hiển thị được ảnh TIFF")
            page.locator("[data-open-file]").click()
            image = page.locator("[data-image]")
            expect(image).to_have_js_property("naturalWidth", 400)  # drawn from the download route's bytes
            width = image.bounding_box()["width"]
            assert 0 < width <= PHONE["width"]
            page.locator("[data-zoom-in]").click()
            assert image.bounding_box()["width"] > width
            assert page.locator("[data-download]").get_attribute("href") == f"/records/{rid}/files/1"
            check_page(page, page.url, "viewer-image")
    finally:
        context.close()
        _remove_source(harvested_app, source_id)  # the session's other tests list and harvest its sources


def _remove_source(app, source_id: str) -> None:
    from portal.database import get_db
    from schema.tables import Source

    with app.app_context():
        db = get_db()
        db.delete(db.get(Source, source_id))
        db.commit()
