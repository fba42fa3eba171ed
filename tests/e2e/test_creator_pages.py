"""Creators in the browser (issue 19): from a fonds' page to its creator's page (ISAAR(CPF) areas, its fonds
by holding archive), on to the search narrowed to its records with the creator's chip, the list of creators
searched without diacritics, and the admins' page of names to reconcile; laptop and phone, Vietnamese and
English, axe-core clean."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from schema.folding import without_diacritics

from tests.e2e.screens import LAPTOP, PHONE
from tests.e2e.sign_in import sign_in_as
from tests.e2e.test_admin_walk import _browsing, _fits_and_passes_axe
from tests.extra_records import one_record


def _public_fonds_with_a_creator(app) -> dict:
    return one_record(app, {"term": {"access": "public"}}, {"exists": {"field": "creator"}}, level="fonds")


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_from_a_fonds_to_its_creator_and_its_records(browser, portal_server, harvested_app, viewport, lang):
    fonds = _public_fonds_with_a_creator(harvested_app)
    with _browsing(browser, viewport) as page:
        page.goto(f"{portal_server.url}/records/{quote(fonds['id'])}?lang={lang}")
        link = page.locator("[data-creator-link]")
        expect(link).to_have_text(fonds["creator"])
        link.click()
        page.wait_for_url(re.compile(r".*/creators/\d+$"))
        expect(page.locator("h1")).to_have_text(" ".join(fonds["creator"].split()))
        for heading in (("Nhận dạng", "Identity"), ("Mô tả", "Description"), ("Kiểm soát", "Control")):
            expect(page.get_by_role("heading", name=heading[0 if lang == "vi" else 1], exact=True)).to_be_visible()
        expect(page.locator(f'[data-fonds="{fonds["id"]}"]')).to_be_visible()
        _fits_and_passes_axe(page, f"creator-{lang}", viewport)
        page.locator("[data-creator-records]").click()
        page.wait_for_url(re.compile(r".*/search\?creator_id=\d+"))
        expect(page.locator('[data-remove-filter="creator_id"]')).to_contain_text(" ".join(fonds["creator"].split()))
        _fits_and_passes_axe(page, f"creator-search-{lang}", viewport)


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_creators_list_finds_a_name_typed_without_diacritics(browser, portal_server, harvested_app, viewport):
    fonds = _public_fonds_with_a_creator(harvested_app)
    with _browsing(browser, viewport) as page:
        page.goto(f"{portal_server.url}/creators")
        _fits_and_passes_axe(page, "creators", viewport)
        page.get_by_label("Tên (có hoặc không dấu)").fill(without_diacritics(fonds["creator"]))
        page.get_by_role("button", name="Tìm", exact=True).click()
        expect(page.locator("[data-creator-entry]").filter(has_text=" ".join(fonds["creator"].split()))
               ).to_have_count(1)
        _fits_and_passes_axe(page, "creators-found", viewport)


def _two_alike_creators(app, town: str) -> tuple[int, int]:
    """Two creators of the session's database whose names differ by an abbreviation (no records: a doubt only)."""
    from portal import database
    from portal.creators.models import Creator, CreatorName
    from portal.creators.names import name_key

    with app.app_context():
        db = database.get_db()
        ids = []
        for prefix in ("Ủy ban nhân dân", "UBND"):
            name = f"{prefix} huyện {town} (thử nghiệm giao diện)"
            creator = Creator(name=name, province="86")
            db.add(creator)
            db.flush()
            db.add(CreatorName(creator_id=creator.id, name=name, name_key=name_key(name), province="86"))
            ids.append(creator.id)
        db.commit()
        return ids[0], ids[1]


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_names_to_reconcile_page_for_a_national_admin(browser, portal_server, harvested_app, viewport):
    first, second = _two_alike_creators(harvested_app, f"Màn Hình {viewport['width']}")
    with _browsing(browser, viewport) as page:
        sign_in_as(page, portal_server, harvested_app, f"creators-{viewport['width']}@example.vn", "national_admin",
                   "Nguyễn Văn Đối Chiếu")
        page.goto(f"{portal_server.url}/creators")
        page.get_by_role("link", name="Tên cần đối chiếu (quản trị)").click()
        expect(page.locator("h1")).to_have_text("Tên cần đối chiếu")
        row = page.locator(f'[data-doubt="{first}-{second}"]')
        expect(row).to_contain_text("Một tên là dạng viết tắt của tên kia")
        _fits_and_passes_axe(page, "creator-doubts", viewport)
        page.goto(f"{portal_server.url}/admin/creators?lang=en")
        expect(page.locator("h1")).to_have_text("Names to reconcile")
        _fits_and_passes_axe(page, "creator-doubts-en", viewport)
        row.locator('[data-decision="keep_apart"]').click()
        expect(page.locator("main p.notice").first).to_have_text("The two creators are kept apart.")
        expect(page.locator(f'[data-doubt="{first}-{second}"]')).to_have_count(0)
        # A creator's page as its admins see it: the form that describes it, and its name forms.
        fonds = _public_fonds_with_a_creator(harvested_app)
        page.goto(f"{portal_server.url}/records/{quote(fonds['id'])}?lang=vi")
        page.locator("[data-creator-link]").click()
        expect(page.get_by_role("heading", name="Mô tả cơ quan, cá nhân này (quản trị)")).to_be_visible()
        page.get_by_label("Thời gian tồn tại").fill("1976–2025")
        page.get_by_role("button", name="Lưu", exact=True).click()
        expect(page.locator('[data-field="dates_of_existence"]')).to_have_text("1976–2025")
        _fits_and_passes_axe(page, "creator-admin", viewport)
