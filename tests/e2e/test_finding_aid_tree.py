"""The finding-aid tree in the browser (issue 19): an ARIA tree worked with the keyboard alone, its levels
loaded as they are opened, on a laptop and a phone, in Vietnamese and English, axe-core clean; without
script, plain nested links."""
from __future__ import annotations

import re

import pytest
from lxml import etree
from playwright.sync_api import expect

from tests.e2e.screens import LAPTOP, PHONE
from tests.ead_schema import EAD_NS, ead_schema
from tests.e2e.test_accessibility import BLOCKING_IMPACTS, check_page, describe, run_axe
from tests.extra_records import copy_of, extra_records, one_record

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def item(harvested_app) -> dict:
    """A public item, three levels down (fonds › series › file › item)."""
    return one_record(harvested_app, {"term": {"access": "public"}}, {"term": {"source_id": "vinhlong"}})


def _open(browser, viewport, language):
    context = browser.new_context(locale="vi-VN" if language == "vi" else "en-GB", viewport=viewport,
                                  is_mobile=viewport is PHONE, has_touch=viewport is PHONE)
    return context, context.new_page()


def _fits(page, viewport):
    """Nothing wider than the screen; else the first elements sticking out, named."""
    wide = page.evaluate("""width => Array.from(document.querySelectorAll("main *"))
        .filter(element => element.getBoundingClientRect().right > width + 1)
        .slice(0, 5).map(element => element.tagName + "." + element.className + ": "
                         + (element.textContent || "").trim().slice(0, 50))""", viewport["width"])
    assert not wide and page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1, wide


def _axe_clean(page, name):
    blocking = [v for v in run_axe(page) if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{name}:\n" + "\n".join(describe(v) for v in blocking)


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_tree_is_worked_with_the_keyboard(browser, portal_server, item, viewport, language):
    context, page = _open(browser, viewport, language)
    try:
        page.goto(f"{portal_server.url}/records/{item['id']}?lang={language}")
        check_page(page, page.url, f"record-tree-{language}-{viewport['width']}")
        _fits(page, viewport)
        tree = page.get_by_role("tree")
        heading = "Cấu trúc phông" if language == "vi" else "Arrangement of the fonds"
        expect(tree).to_have_accessible_name(heading)
        current = tree.locator("[role=treeitem][aria-current=page]")
        expect(current).to_have_attribute("tabindex", "0")
        expect(current).to_have_attribute("aria-level", "4")
        # One tab stop: every other node is out of the tab order.
        assert tree.locator("[role=treeitem][tabindex='0']").count() == 1

        current.focus()
        page.keyboard.press("Home")
        root = tree.locator("[role=treeitem][aria-level='1']")
        expect(root).to_be_focused()
        expect(root).to_have_attribute("aria-expanded", "true")
        page.keyboard.press("ArrowDown")
        first_series = tree.locator("[role=treeitem][aria-level='2']").first
        expect(first_series).to_be_focused()
        expect(first_series).to_have_attribute("aria-posinset", "1")

        # A closed level opens with →, its records loaded from the API, and → again enters it.
        closed_href = tree.locator("[role=treeitem][aria-level='2'][aria-expanded=false]").first.get_attribute("href")
        closed = tree.locator(f"[role=treeitem][href='{closed_href}']")
        closed.focus()
        page.keyboard.press("ArrowRight")
        expect(closed).to_have_attribute("aria-expanded", "true")
        group = page.locator(f"#{closed.get_attribute('aria-owns')}")
        expect(group.locator("[role=treeitem]").first).to_be_visible()
        loaded = group.locator("[role=treeitem]").first
        expect(loaded).to_have_attribute("aria-level", "3")
        expect(loaded).to_have_attribute("aria-setsize", re.compile(r"^\d+$"))
        page.keyboard.press("ArrowRight")
        expect(loaded).to_be_focused()
        expect(loaded).to_have_attribute("tabindex", "0")
        _axe_clean(page, "tree with a level loaded")

        page.keyboard.press("ArrowLeft")  # to the parent …
        expect(closed).to_be_focused()
        page.keyboard.press("ArrowLeft")  # … which closes
        expect(closed).to_have_attribute("aria-expanded", "false")
        expect(loaded).to_be_hidden()
        page.keyboard.press("*")  # every series of the fonds opens
        expect(tree.locator("[role=treeitem][aria-level='2'][aria-expanded=false]")).to_have_count(0)
        expect(tree.locator(".tree-status")).to_have_count(0)  # every level asked for has come
        page.keyboard.press("End")
        last = tree.locator("[role=treeitem]:visible").last
        expect(last).to_be_focused()

        # Enter follows the link of the focused record.
        closed.focus()
        page.keyboard.press("Enter")
        page.wait_for_url(f"**{closed_href}")
        expect(page.get_by_role("tree").locator("[role=treeitem][aria-current=page]")).to_have_attribute(
            "aria-level", "2")
    finally:
        context.close()


def test_a_long_level_loads_more_with_the_keyboard(browser, portal_server, harvested_app, item):
    crowd = [copy_of(item, item["source_id"], item["holding_province"], item["holding_province_name"],
                     id=f"{item['source_id']}:TREECROWD{n:03d}", local_id=f"TREECROWD{n:03d}",
                     reference_code=f"{item['reference_code']}.{n:03d}", title=f"Văn bản xếp thêm số {n}")
             for n in range(70)]
    with extra_records(harvested_app, crowd):
        context, page = _open(browser, LAPTOP, "vi")
        try:
            page.goto(f"{portal_server.url}/records/{item['id']}")
            tree = page.get_by_role("tree")
            group = tree.locator(f"[role=group]:has(> li > a[href='/records/{item['id']}'])")
            more = group.locator("li[data-more=after] > [role=treeitem]")
            expect(more).to_have_text(re.compile(r"^Hiện thêm \d+ mục$"))
            before = group.locator("li[data-id] > [role=treeitem]").count()
            more.focus()
            page.keyboard.press("Enter")
            total = int(group.get_attribute("data-total"))
            assert total > before + 10
            expect(group.locator("li[data-id] > [role=treeitem]")).to_have_count(min(total, before + 50))
            focused = page.evaluate("document.activeElement.parentElement.dataset.posinset")
            assert int(focused) == before + 1
            _axe_clean(page, "tree after more")
        finally:
            context.close()


def test_without_script_the_tree_is_nested_links(browser, portal_server, item):
    context = browser.new_context(locale="vi-VN", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{portal_server.url}/records/{item['id']}")
        section = page.locator("section.finding-aid")
        expect(section.locator("[role=tree]")).to_have_count(0)
        expect(section.locator("a[aria-current=page]")).to_have_attribute("href", f"/records/{item['id']}")
        for ancestor in item["path"]:
            expect(section.locator(f"a[href='/records/{ancestor}']")).to_have_count(1)
    finally:
        context.close()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_related_records_and_the_finding_aid_downloads(browser, portal_server, item, language):
    context, page = _open(browser, LAPTOP, language)
    try:
        page.goto(f"{portal_server.url}/records/{item['id']}?lang={language}")
        heading = "Tài liệu liên quan ở các phông khác" if language == "vi" else "Related records in other fonds"
        related = page.get_by_role("region", name=heading)
        expect(related.get_by_role("listitem")).not_to_have_count(0)
        assert related.get_by_role("listitem").count() <= 5
        fonds_id = item["path"][0]
        expect(related.locator(f"a[href^='/records/{fonds_id}/'], a[href='/records/{fonds_id}']")).to_have_count(0)
        with page.expect_download() as ead:
            page.get_by_role("link", name="EAD 2002", exact=True).click()
        document = etree.parse(ead.value.path())
        ead_schema().assertValid(document)
        assert document.find("ead:eadheader/ead:eadid", EAD_NS).text == fonds_id
        with page.expect_download() as pdf:
            page.get_by_role("link", name="PDF", exact=True).click()
        with open(pdf.value.path(), "rb") as saved:
            assert saved.read(5) == b"%PDF-"
    finally:
        context.close()
