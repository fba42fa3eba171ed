"""Which files the record viewer opens (portal/records/viewer.py): by media type, else by name."""
from __future__ import annotations

import pytest

from portal.records.viewer import IMAGE, PDF, TIFF, viewable, viewer_kind


@pytest.mark.parametrize(("entry", "kind"), [
    ({"media_type": "application/pdf", "name": "a.bin"}, PDF),
    ({"media_type": "image/jpeg"}, IMAGE),
    ({"media_type": "image/png; charset=binary"}, IMAGE),
    ({"media_type": "image/tiff", "name": "scan.tif"}, TIFF),
    ({"media_type": "application/octet-stream", "name": "SCAN.TIFF"}, TIFF),
    ({"name": "ban-do.jpeg"}, IMAGE),
    ({"media_type": "image/svg+xml", "name": "logo.svg"}, None),  # a harvested SVG may carry script
    ({"media_type": "text/html", "name": "trang.pdf"}, None),  # a stated media type wins over the name
    ({"media_type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}, None),
])
def test_viewer_kind(entry, kind):
    assert viewer_kind(entry) == kind


def test_only_a_file_the_reader_may_read_and_the_portal_can_hand_over_is_offered():
    pdf = {"media_type": "application/pdf", "url": "https://archive.example.vn/a.pdf"}
    assert viewable({"content_visible": True}, pdf)
    assert not viewable({"content_visible": False}, pdf)
    assert not viewable({"content_visible": True}, {"media_type": "application/pdf"})  # nowhere to fetch it from
    assert not viewable({"content_visible": True}, {"media_type": "image/tiff", "package_path": "p/a.tif"})
