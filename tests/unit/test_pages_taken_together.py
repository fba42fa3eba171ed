"""The list's pages taken together until they hold enough records (indexer/stages/gather.py), and a page
task carrying several of them (indexer/stages/dispatch.py)."""
from __future__ import annotations

import pytest

from indexer.errors import SourceUnavailable
from indexer.sources.oai_pmh import OaiPage, OaiRecord
from indexer.stages.dispatch import PageTask
from indexer.stages.gather import joined_pages, taken_together
from tests.unit.test_oai_client import canned_client, header_record, list_records_body


def page(first: int, count: int, token: str | None, **kwargs) -> OaiPage:
    records = [OaiRecord(f"oai:x:{n}", "2025-01-01T00:00:00Z", False) for n in range(first, first + count)]
    return OaiPage(records, token, listed=count, content=f"<page {first}>".encode(), **kwargs)


def listing(*pages: OaiPage, error: Exception | None = None):
    yield from pages
    if error is not None:
        raise error


def test_pages_are_joined_until_they_hold_the_records_asked_for():
    pages = [page(0, 100, "t1"), page(100, 100, "t2"), page(200, 100, "t3"), page(300, 50, "t4"),
             page(350, 100, None)]
    together = list(taken_together(listing(*pages), 250))
    assert [len(p.records) for p in together] == [300, 150]
    assert [p.token for p in together] == ["t3", None]  # the checkpoint after them: where the list goes on
    assert [r.identifier for p in together for r in p.records] == [f"oai:x:{n}" for n in range(450)]
    assert together[0].parts == (b"<page 0>", b"<page 100>", b"<page 200>")
    assert together[1].parts == (b"<page 300>", b"<page 350>")
    assert [p.listed for p in together] == [300, 150]


def test_one_by_one_when_a_page_holds_enough_and_a_lone_page_is_left_as_it_is():
    pages = [page(0, 100, "t1"), page(100, 100, None)]
    together = list(taken_together(listing(*pages), 1))
    assert together == pages and together[0] is pages[0] and together[0].parts == ()


def test_the_pages_read_before_the_list_broke_off_are_handed_on_before_the_error():
    pages = [page(0, 10, "t1"), page(10, 10, "t2")]
    together = taken_together(listing(*pages, error=SourceUnavailable("gone")), 500)
    first = next(together)
    assert len(first.records) == 20 and first.token == "t2"  # resumable after them
    with pytest.raises(SourceUnavailable):
        next(together)


def test_counts_and_notes_of_joined_pages():
    joined = joined_pages([page(0, 5, "t1", complete_list_size=30, repaired="mended"),
                           page(5, 5, "t2", repaired="mended"), page(10, 5, "t3", complete_list_size=31, cursor=10)])
    assert joined.complete_list_size == 31 and joined.cursor == 10 and joined.repaired == "mended"


def test_pages_not_read_are_counted_by_their_record_elements():
    client = canned_client(list_records_body(b"".join(header_record(b"oai:x:%d" % n) for n in range(7)), b"next"))
    client.read_records = False
    listed = next(client.list_pages("oai_dc"))
    assert listed.records == [] and listed.listed == 7 and listed.token == "next"


def test_a_page_task_splits_its_content_back_into_the_pages_taken_together():
    parts = [b"<first/>", b"", b"<third page/>"]
    task = PageTask(1, "owner", 0, b"".join(parts), lengths=tuple(len(p) for p in parts))
    assert task.pages() == parts
    assert PageTask(1, "owner", 0, b"<one/>").pages() == [b"<one/>"]
