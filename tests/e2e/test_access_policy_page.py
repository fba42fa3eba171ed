"""A source's access policy in the browser (issue 15): an archive admin meets the English statements the last
harvest could not read, sees how many records carry each, and says what one means from the list; the page
fits a laptop and a phone, and axe-core finds nothing serious on it."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect

from demo.fault_provider import FaultProvider, FaultRecord, Faults
from portal import database
from schema.tables import Source
from tests.conftest import ServerThread, drop_indices
from tests.e2e.screens import LAPTOP, PHONE
from tests.e2e.sign_in import sign_in_as
from tests.e2e.test_admin_walk import _browsing, _fits_and_passes_axe
from tests.integration.harvest_helpers import SOURCE, portal_for

OPEN = "Open for research without restrictions."
EMBARGO = "Closed to researchers until 2040 under the donor agreement of 12 March 1987, article 4, paragraph 2."
STAMP = "2025-01-01T00:00:00Z"


@pytest.fixture(scope="module")
def english_feed(tmp_path_factory):
    provider = FaultProvider([FaultRecord("ferris-1", STAMP, "Ferris family papers", rights=(OPEN,)),
                              FaultRecord("ferris-2", STAMP, "Ferris correspondence", rights=(OPEN,)),
                              FaultRecord("ferris-3", STAMP, "Ferris diaries", rights=(EMBARGO,))], Faults())
    with ServerThread(provider) as source:
        # The harvester runs its own event loop: not inside the one Playwright keeps in this thread.
        with ThreadPoolExecutor(1) as worker:
            app = worker.submit(_harvested, tmp_path_factory, source.url).result()
        with ServerThread(app) as server:
            yield app, server
        drop_indices(app)


def _harvested(tmp_path_factory, url: str):
    app = portal_for(tmp_path_factory, url)
    result = app.test_cli_runner().invoke(args=["harvest", "--source", SOURCE])
    assert result.exit_code == 0, result.output
    return app


def _forget_policy(app) -> None:
    with app.app_context():
        db = database.get_db()
        db.get(Source, SOURCE).access_rules = []
        db.commit()


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_an_admin_maps_a_statement_the_harvest_did_not_recognise(browser, english_feed, viewport):
    app, server = english_feed
    _forget_policy(app)  # each screen starts from the harvest's own state
    with _browsing(browser, viewport) as page:
        sign_in_as(page, server, app, f"policy.{viewport['width']}@example.vn", "archive_admin",
                   "Trần Văn Chính Sách", province="86")
        page.goto(server.url + "/admin/sources")
        link = page.locator(f"tr[data-source='{SOURCE}'] a[data-access-policy]")
        expect(link.locator("[data-unrecognised-count]")).to_have_text("2")
        link.click()
        expect(page.locator("h1")).to_contain_text("Chính sách tiếp cận")
        row = page.locator("[data-unrecognised] tr", has_text=OPEN)
        expect(row.locator("td").nth(1)).to_have_text("2")
        _fits_and_passes_axe(page, "access-policy", viewport)

        row.locator("select").select_option("public")
        row.get_by_role("button").click()
        expect(page.locator("main p.notice[role=status]")).to_contain_text("thu thập lại toàn bộ")
        expect(page.locator("[data-rules] tr[data-level='public']")).to_contain_text(OPEN)
        expect(page.locator("[data-unrecognised] tr", has_text=OPEN)).to_have_count(0)
        expect(page.locator("[data-unrecognised] tr", has_text="donor agreement")).to_have_count(1)
        _fits_and_passes_axe(page, "access-policy-mapped", viewport)
