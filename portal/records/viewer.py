"""What the record viewer can show in the page: a PDF through pdf.js, an image a browser draws; a TIFF (no
browser draws one) or any other file is offered for download only.

The viewer never has a path of its own to a file's bytes: the page it serves names the download route
(portal/records/files.py), which checks the reader's permission, audits and verifies the bytes each time.
"""
from __future__ import annotations

PDF, IMAGE, TIFF = "pdf", "image", "tiff"
# What browsers draw in an <img>: SVG is left out, a harvested SVG may carry script.
_IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}
_BY_EXTENSION = {".pdf": PDF, ".jpg": IMAGE, ".jpeg": IMAGE, ".png": IMAGE, ".gif": IMAGE, ".webp": IMAGE,
                 ".tif": TIFF, ".tiff": TIFF}


def viewer_kind(entry: dict) -> str | None:
    """PDF, IMAGE or TIFF for a file the viewer knows, by its media type, else by its name; None otherwise."""
    media_type = (entry.get("media_type") or "").split(";")[0].strip().lower()
    if media_type == "application/pdf":
        return PDF
    if media_type in _IMAGE_TYPES:
        return IMAGE
    if media_type == "image/tiff":
        return TIFF
    if media_type and media_type != "application/octet-stream":
        return None
    name = (entry.get("name") or "").lower()
    return next((kind for extension, kind in _BY_EXTENSION.items() if name.endswith(extension)), None)


def viewable(record: dict, entry: dict) -> bool:
    """Whether the record page offers to open this file in the viewer: the reader may read it, the portal can
    hand it over, and a browser can draw it."""
    return bool(record.get("content_visible") and (entry.get("url") or entry.get("package_path"))
                and viewer_kind(entry) in (PDF, IMAGE))
