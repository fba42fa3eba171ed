"""What an admin meets on the harvest and source pages (issue 18), in the browser: a compact row a source on the
harvests page with a small chart only where there is a trend, reports whose labels and numbers line up, a
sources table with room and buttons instead of a command to run, and Vĩnh Long's fonds described by two
sources (VLG.P03 over OAI-PMH, VL.SNV from an export package) shown to admins as likely one fonds."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect

from demo.packages import DemoSigning, write_ca_certificate, write_inbox
from tests.conftest import ServerThread, add_demo_sources, drop_indices, make_portal
from tests.e2e.screens import LAPTOP, PHONE
from tests.e2e.sign_in import sign_in_as
from tests.e2e.test_accessibility import check_page

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture(scope="module")
def two_sources_of_vinh_long(tmp_path_factory, demo_provider):
    """Vĩnh Long harvested twice over (its OAI-PMH source, run twice, and its inbox of export packages), with a
    portal served for the browser. Set up in a thread of its own: the harvester runs its own event loop, which
    cannot start inside the one Playwright's sync API keeps in this thread once the browser is up."""
    with ThreadPoolExecutor(1) as worker:
        app = worker.submit(_harvest_vinh_long_twice, tmp_path_factory, demo_provider.url).result()
    with ServerThread(app) as server:
        yield app, server
    drop_indices(app)


def _harvest_vinh_long_twice(tmp_path_factory, provider_url: str):
    root = tmp_path_factory.mktemp("vinhlong-packages")
    signing = DemoSigning()
    write_inbox(root / "inbox", signing)
    app = make_portal(tmp_path_factory, SIGNATURE_TRUST_ROOTS=str(write_ca_certificate(root / "ca.pem", signing)))
    add_demo_sources(app, provider_url, only={"vinhlong": "86"})
    runner = app.test_cli_runner()
    added = runner.invoke(args=["sources", "add", "--id", "nop-vinhlong", "--kind", "package",
                                "--url", str(root / "inbox"), "--province", "86"])
    assert added.exit_code == 0, added.output
    for args in (["harvest", "--source", "vinhlong"], ["harvest", "--source", "vinhlong"],
                 ["harvest", "--source", "nop-vinhlong"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    return app


@contextmanager
def _browsing(browser, viewport):
    """A page of a fresh context on this screen, closed afterwards."""
    context = browser.new_context(locale="vi-VN", viewport=viewport)
    try:
        yield context.new_page()
    finally:
        context.close()


def _fits_and_passes_axe(page, name: str, viewport) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{viewport['width']}.png"), full_page=True)
    check_page(page, page.url, f"{name}-{viewport['width']}")


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_harvests_page_has_a_row_a_source_and_reports_that_line_up(browser, two_sources_of_vinh_long, viewport):
    app, server = two_sources_of_vinh_long
    with _browsing(browser, viewport) as page:
        sign_in_as(page, server, app, f"harvests.{viewport['width']}@example.vn", "archive_admin",
                   "Lê Thị Thu Hoạch", province="86")
        page.goto(server.url + "/admin/harvests")
        # Two runs of the OAI-PMH source: a small chart, as tall as a line of text; one run of the inbox: none.
        chart = page.locator("tr[data-trend='vinhlong'] svg.spark")
        expect(chart).to_have_count(1)
        assert chart.bounding_box()["height"] <= 40
        expect(chart.locator("rect.bar")).to_have_count(2)
        expect(page.locator("tr[data-trend='nop-vinhlong'] svg")).to_have_count(0)
        expect(page.locator("tr[data-trend='nop-vinhlong']")).to_contain_text("lượt đầu tiên")
        assert page.locator("svg a").count() == 0  # no links inside an image (axe: nested-interactive)
        # Each count's number sits right under its label, in the same column in every run's report.
        reports = page.locator("table.runs dl.run-counts")
        assert reports.count() >= 3
        lefts = []
        for i in range(reports.count()):
            label = reports.nth(i).locator("[data-count='failed'] dt").bounding_box()
            number = reports.nth(i).locator("[data-count='failed'] dd").bounding_box()
            assert abs(label["x"] - number["x"]) < 1 and number["y"] >= label["y"] + label["height"] - 1
            lefts.append(round(label["x"]))
        assert len(set(lefts)) == 1, lefts
        _fits_and_passes_axe(page, "admin-harvests", viewport)


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_sources_page_has_room_buttons_and_no_command_to_run(browser, two_sources_of_vinh_long, viewport):
    app, server = two_sources_of_vinh_long
    with _browsing(browser, viewport) as page:
        sign_in_as(page, server, app, f"sources.{viewport['width']}@example.vn", "archive_admin",
                   "Trần Văn Nguồn", province="86")
        page.goto(server.url + "/admin/sources")
        main = page.locator("main")
        expect(main).not_to_contain_text("flask")
        expect(page.locator("[data-round-note]")).to_contain_text("trong vòng 15 phút")
        row = page.locator("tr[data-source='vinhlong']")
        harvest_now = row.get_by_role("button", name="Thu thập ngay vinhlong")
        expect(harvest_now).to_be_visible()
        edit = row.get_by_role("link", name="Sửa vinhlong")
        # Actions are buttons of the one style, each wide enough to tap.
        for action in (harvest_now, edit):
            box = action.bounding_box()
            assert box["height"] >= 30 and box["width"] >= 44, box
        assert harvest_now.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(26, 79, 139)"
        _fits_and_passes_axe(page, "admin-sources", viewport)


def test_admins_are_shown_the_fonds_two_sources_both_describe(browser, two_sources_of_vinh_long):
    app, server = two_sources_of_vinh_long
    with _browsing(browser, LAPTOP) as page:
        sign_in_as(page, server, app, "duplicates@example.vn", "archive_admin", "Võ Thị Trùng", province="86")
        page.goto(server.url + "/admin/sources")
        groups = page.locator("[data-duplicate-fonds] [data-duplicate-group]")
        expect(groups).to_have_count(1)
        expect(groups.first).to_contain_text("VLG.P03")
        expect(groups.first).to_contain_text("VL.SNV")
        expect(groups.first).to_contain_text("nguồn nop-vinhlong")
        expect(groups.first).to_contain_text("nguồn vinhlong")
        # On the browse page, beside each of the two, the other.
        page.goto(server.url + "/browse/86")
        expect(page.locator("[data-likely-duplicate='vinhlong:VL.SNV']")).to_contain_text("VL.SNV")
        expect(page.locator("[data-likely-duplicate='nop-vinhlong:VL.SNV']")).to_contain_text("VLG.P03")
        expect(page.locator("[data-likely-duplicate]")).to_have_count(2)
        check_page(page, page.url, "browse-duplicates-admin")


def test_readers_and_other_provinces_staff_do_not_see_duplicate_marks(browser, two_sources_of_vinh_long):
    app, server = two_sources_of_vinh_long
    with _browsing(browser, LAPTOP) as page:
        page.goto(server.url + "/browse/86")
        expect(page.locator("ol.fonds-list li").first).to_be_visible()
        expect(page.locator("[data-likely-duplicate]")).to_have_count(0)
        sign_in_as(page, server, app, "hue.staff.dup@example.vn", "staff", "Huỳnh Văn Khác", province="46")
        page.goto(server.url + "/browse/86")
        expect(page.locator("ol.fonds-list li").first).to_be_visible()
        expect(page.locator("[data-likely-duplicate]")).to_have_count(0)
