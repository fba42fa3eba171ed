"""The search results page after issue 18's walk: filters one can see and undo, sort on change,
a filter drawer on a phone, phrase marks, snippets without the title, likely twins, and an empty
result that says what to try. On a desktop and on a phone (390×844), axe-core clean."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.test_accessibility import BLOCKING_IMPACTS, describe, run_axe
from tests.extra_records import copy_of, extra_records, one_record

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def assert_axe_clean(page, what: str) -> None:
    blocking = [v for v in run_axe(page) if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"serious or critical accessibility violations on {what}:\n" + \
        "\n".join(describe(violation) for violation in blocking)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


# --- facets and the summary of filters ---------------------------------------------------------------------------

def test_a_chosen_value_comes_first_marked_and_the_summary_removes_it(page, portal_server):
    page.goto(portal_server.url + "/search?q=quyet+dinh")
    values = page.locator('section.facet a[data-facet="origin_province"]')
    assert values.count() >= 3
    last = values.last
    key = last.get_attribute("data-key")
    last.click()
    expect(page).to_have_url(re.compile(rf"[?&]origin_province={key}(&|$)"))

    first = page.locator('section.facet a[data-facet="origin_province"]').first
    expect(first).to_have_attribute("data-key", key)
    expect(first).to_have_attribute("aria-current", "true")
    expect(first).to_contain_text("đã chọn")
    summary = page.locator("[data-active-filters]")
    expect(summary).to_be_visible()
    expect(summary.locator("a.filter-chip")).to_have_count(1)
    expect(summary).to_contain_text("Tỉnh hình thành tài liệu:")
    assert summary.bounding_box()["y"] < page.locator("ol.hits li.hit").first.bounding_box()["y"]
    assert_axe_clean(page, "results with a chosen value")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "results-chosen-value.png"), full_page=True)

    page.locator('section.facet a[data-facet="level"][data-key="item"]').click()
    expect(summary.locator("a.filter-chip")).to_have_count(2)
    summary.locator('a[data-remove-filter="origin_province"]').click()
    expect(page).not_to_have_url(re.compile("origin_province="))
    assert query_of(page.url)["level"] == ["item"]

    page.goto(portal_server.url + "/search?q=quyet+dinh&level=item&province=86&from=1990&to=1999")
    clear = page.locator("[data-clear-filters]")
    expect(clear).to_have_text("Bỏ tất cả bộ lọc")
    clear.click()
    expect(page.locator("[data-active-filters]")).to_have_count(0)
    assert query_of(page.url) == {"q": ["quyet dinh"]}
    expect(page.locator("#q")).to_have_value("quyet dinh")


def test_the_chosen_decade_is_marked_in_the_histogram_and_its_list(page, portal_server):
    page.goto(portal_server.url + "/search?q=quyet+dinh")
    decades = page.locator("a[data-decade]")
    assert decades.count() >= 3
    key = decades.nth(1).get_attribute("data-decade")
    expect(page.locator(".histogram .bar.chosen")).to_have_count(0)
    decades.nth(1).click()
    expect(page).to_have_url(re.compile(rf"from={key}"))

    chosen = page.locator(f'a[data-decade="{key}"]')
    expect(chosen).to_have_attribute("aria-current", "true")
    expect(page.locator("a[data-decade][aria-current]")).to_have_count(1)
    expect(page.locator(".histogram .bar.chosen")).to_have_count(1)
    expect(page.locator(f'.histogram .bar[data-from="{key}"]')).to_have_class(re.compile(r"\bchosen\b"))
    expect(page.locator("[data-active-filters]")).to_contain_text(f"Thời kỳ: {key}–{int(key) + 9}")
    assert_axe_clean(page, "results with a chosen decade")


# --- sort ----------------------------------------------------------------------------------------------------------

def test_choosing_a_sort_applies_it_at_once_without_a_button(page, portal_server):
    page.goto(portal_server.url + "/search?q=hue&level=item")
    expect(page.locator("form.sort button")).to_be_hidden()
    with page.expect_navigation():
        page.select_option("#sort", "date_desc")
    assert query_of(page.url)["sort"] == ["date_desc"]
    assert query_of(page.url)["level"] == ["item"] and query_of(page.url)["q"] == ["hue"]
    expect(page.locator("#sort")).to_have_value("date_desc")


def test_a_sort_chosen_with_the_keyboard_applies_on_enter(page, portal_server):
    page.goto(portal_server.url + "/search?q=hue")
    page.focus("#sort")
    page.keyboard.press("ArrowDown")
    assert "sort=" not in page.url
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert query_of(page.url)["sort"] == [page.locator("#sort").input_value()]
    assert query_of(page.url)["sort"] != ["relevance"]


def test_without_javascript_the_sort_button_still_sorts(browser, portal_server):
    context = browser.new_context(locale="vi-VN", java_script_enabled=False)
    page = context.new_page()
    page.goto(portal_server.url + "/search?q=hue")
    button = page.locator("form.sort button")
    expect(button).to_be_visible()
    page.select_option("#sort", "date_asc")
    assert "sort=" not in page.url
    button.click()
    expect(page).to_have_url(re.compile(r"sort=date_asc"))
    context.close()


# --- results -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("q", ["quyết định", "quyet dinh"])
def test_quyet_dinh_is_marked_as_one_phrase_and_no_snippet_repeats_the_title(page, portal_server, q):
    page.goto(portal_server.url + "/search?level=item&q=" + q)
    marks = page.locator("ol.hits li.hit h2 mark")
    expect(marks.first).to_have_text("Quyết định")
    hits = page.locator("ol.hits li.hit")
    snippets = 0
    for index in range(hits.count()):
        title = " ".join(hits.nth(index).locator("h2").inner_text().split()).lower()
        for snippet in hits.nth(index).locator("p.snippet").all_inner_texts():
            snippets += 1
            assert not " ".join(snippet.split()).lstrip("…").lower().startswith(title), snippet
    assert snippets, "no snippet to look at"


def test_a_record_held_by_two_archives_is_marked_with_a_link_to_the_other(page, portal_server, harvested_app):
    original = one_record(harvested_app, {"term": {"access": "public"}}, {"term": {"holding_province": "86"}})
    twin = copy_of(original, "extratwin", "46", "Thành phố Huế")
    with extra_records(harvested_app, [twin]):
        page.goto(portal_server.url + "/search?size=100&q=" + original["title"])
        note = page.locator(f'li.hit[data-id="{original["id"]}"] [data-twins]')
        expect(note).to_contain_text("Có thể là cùng một tài liệu, cũng được lưu giữ tại")
        expect(note.locator("a")).to_have_text(re.compile("Thành phố Huế"))
        expect(page.locator(f'li.hit[data-id="{twin["id"]}"] [data-twins] a')).to_have_text(re.compile("Vĩnh Long"))
        assert_axe_clean(page, "results with twins")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "results-twins.png"))
        note.locator("a").click()
        expect(page.locator("article.record h1")).to_have_text(original["title"])


# --- an empty result -----------------------------------------------------------------------------------------------

def test_an_empty_result_offers_tips_and_no_sort_or_facets(page, portal_server):
    page.goto(portal_server.url + "/search?q=zzzxq")
    tips = page.locator("[data-no-results]")
    expect(tips).to_contain_text("Kiểm tra lại chính tả")
    expect(page.locator("form.sort")).to_have_count(0)
    expect(page.locator("aside.facets")).to_have_count(0)
    expect(page.locator("p.did-you-mean")).to_have_count(0)
    assert_axe_clean(page, "an empty result")

    page.goto(portal_server.url + "/search?q=Quyết+định+zzzxq&province=86")
    expect(page.locator("[data-without-diacritics]")).to_have_text("Quyet dinh zzzxq")
    tips.get_by_role("link", name="tìm lại mà không dùng bộ lọc nào").click()
    assert query_of(page.url) == {"q": ["Quyết định zzzxq"]}


def test_a_misspelt_search_offers_a_spelling_that_finds_records(page, portal_server):
    page.goto(portal_server.url + "/search?q=quyet+dinhh")
    offer = page.locator("p.did-you-mean")
    expect(offer).to_contain_text("Có phải bạn muốn tìm:")
    expect(offer.locator("a")).to_have_text("quyet dinh")
    assert_axe_clean(page, "a did-you-mean offer")
    offer.locator("a").click()
    expect(page.locator("ol.hits li.hit").first).to_be_visible()
    expect(page.locator("#q")).to_have_value("quyet dinh")


# --- on a phone ----------------------------------------------------------------------------------------------------

def test_on_a_phone_the_first_result_is_on_the_first_screen_and_filters_open_from_a_button(phone, portal_server):
    phone.goto(portal_server.url + "/search?q=vinh+long")
    toggle = phone.locator("button.filters-toggle")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_text("Bộ lọc")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(phone.locator("aside.facets")).to_be_hidden()
    first_hit = phone.locator("ol.hits li.hit h2 a").first
    expect(first_hit).to_be_in_viewport()
    assert_axe_clean(phone, "results on a phone, filters closed")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "phone-results-filters-closed.png"))

    toggle.tap()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    facet = phone.locator('section.facet a[data-facet="level"]').first
    expect(facet).to_be_visible()
    assert facet.bounding_box()["y"] < first_hit.bounding_box()["y"], "the filters opened below the results"
    assert no_horizontal_scroll(phone)
    assert_axe_clean(phone, "results on a phone, filters open")
    phone.screenshot(path=str(SCREENSHOTS / "phone-results-filters-open.png"))
    done = phone.locator(".filters-done a")
    expect(done).to_have_text(re.compile(r"Xem [\d.]+ tài liệu"))
    done.tap()  # back to the results, the drawer closed
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(phone.locator("aside.facets")).to_be_hidden()
    expect(phone.locator("h1.result-count")).to_be_in_viewport()
    toggle.tap()
    key = facet.get_attribute("data-key")
    facet.tap()
    expect(phone).to_have_url(re.compile(rf"[?&]level={key}(&|$)"))
    expect(phone.locator("button.filters-toggle")).to_contain_text("1")
    expect(phone.locator("[data-active-filters]")).to_be_in_viewport()
    expect(phone.locator("ol.hits li.hit h2 a").first).to_be_in_viewport()


def test_on_a_phone_an_empty_result_has_no_filter_button_and_fits(phone, portal_server):
    phone.goto(portal_server.url + "/search?q=quyet+dinhh")
    expect(phone.locator("button.filters-toggle")).to_have_count(0)
    expect(phone.locator("p.did-you-mean a")).to_be_in_viewport()
    expect(phone.locator("[data-no-results]")).to_be_visible()
    assert no_horizontal_scroll(phone)
    assert_axe_clean(phone, "an empty result on a phone")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "phone-results-did-you-mean.png"), full_page=True)
