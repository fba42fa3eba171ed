"""The period histogram: dragging across decades narrows the search to that range."""
from __future__ import annotations

import re

from playwright.sync_api import expect


def test_dragging_across_the_histogram_searches_that_range_of_years(page, portal_server):
    page.goto(portal_server.url + "/search?q=quyet+dinh")
    bars = page.locator(".histogram .bar")
    assert bars.count() >= 3
    page.locator(".histogram").scroll_into_view_if_needed()
    first, third = bars.nth(0).bounding_box(), bars.nth(2).bounding_box()
    page.mouse.move(first["x"] + first["width"] / 2, first["y"] + first["height"] - 2)
    page.mouse.down()
    page.mouse.move(third["x"] + third["width"] / 2, third["y"] + third["height"] - 2, steps=5)
    page.mouse.up()
    low, high = bars.nth(0).get_attribute("data-from"), bars.nth(2).get_attribute("data-to")
    expect(page).to_have_url(re.compile(rf"from={low}.*to={high}|to={high}.*from={low}"))
    assert "q=quyet+dinh" in page.url
    for date_text in page.locator("ol.hits .hit-meta time").all_inner_texts():
        years = [int(y) for y in re.findall(r"\d{4}", date_text)]
        assert years[-1] >= int(low) and years[0] <= int(high)


def test_the_range_form_narrows_by_typed_years(page, portal_server):
    page.goto(portal_server.url + "/search?q=hue")
    page.fill("#period-from", "1990")
    page.fill("#period-to", "1995")
    page.click(".period-range button")
    expect(page).to_have_url(re.compile(r"from=1990"))
    assert "to=1995" in page.url and "q=hue" in page.url
