"""Run reports say nothing of the server's folders (issue 15: "Could not read /srv/…")."""
from __future__ import annotations

from indexer.report_text import without_server_paths


def test_paths_under_the_package_become_relative():
    message = "not well-formed XML: /srv/luutru/inbox/SIP_1/representations/rep1/METS.xml:3:1: bad"
    assert without_server_paths(message, "/srv/luutru/inbox/SIP_1", "/srv/luutru/inbox") == \
        "not well-formed XML: representations/rep1/METS.xml:3:1: bad"


def test_other_absolute_paths_keep_only_their_file_name():
    message = "[Errno 2] No such file or directory: '/tmp/tmpab12cd/extract/data/KH-12.pdf'"
    assert without_server_paths(message) == "[Errno 2] No such file or directory: 'KH-12.pdf'"


def test_urls_and_relative_paths_are_left_alone():
    message = "http://luutru.vinhlong.gov.vn/oai/files/a.pdf: not fetched; data/b.pdf missing; 12/2024 date"
    assert without_server_paths(message) == message
