"""A researcher searches from the home page, as in a real browser."""
from __future__ import annotations

import os
import re

from playwright.sync_api import expect

SCREENSHOTS = os.path.join(os.path.dirname(__file__), "..", "..", "test-results")


def test_typing_vinh_long_shows_vinh_long_records_and_the_province_facet(page, portal_server):
    page.goto(portal_server.url + "/")
    expect(page.locator("h1")).to_contain_text("Tra cứu tài liệu")
    page.fill("#q", "vinh long")
    page.press("#q", "Enter")

    expect(page.locator("h1.result-count")).to_contain_text("tài liệu")
    hits = page.locator("ol.hits li.hit")
    expect(hits.first).to_be_visible()
    assert hits.count() == 20
    expect(hits.first.locator(".hit-meta")).to_contain_text("Vĩnh Long")
    facet = page.locator('section.facet a[data-facet="holding_province"][data-key="86"]')
    expect(facet).to_contain_text("Vĩnh Long")
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SCREENSHOTS, "search-vinh-long.png"), full_page=True)

    # Choosing the facet narrows the hits to the province, and the URL can be shared.
    facet.click()
    expect(page).to_have_url(re.compile(r"[?&]province=86(&|$)"))
    metas = page.locator("ol.hits li.hit .hit-meta .province").all_inner_texts()
    assert metas and all(text == "Vĩnh Long" for text in metas)


def test_a_hit_opens_its_record_page_with_breadcrumb(page, portal_server):
    page.goto(portal_server.url + "/search?q=quyet+dinh&level=item")
    first = page.locator("ol.hits li.hit h2 a").first
    title = first.inner_text()
    first.click()
    expect(page.locator("article.record h1")).to_have_text(title)
    expect(page.locator("nav.breadcrumb")).to_contain_text("Phông")
    page.screenshot(path=os.path.join(SCREENSHOTS, "record-page.png"), full_page=True)
