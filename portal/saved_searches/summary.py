"""A kept search's parameters said in words, for the history list and a saved search with no name of its own:
"“quyết định” · Vĩnh Long · Văn bản · 1990–1999"."""
from __future__ import annotations

from urllib.parse import parse_qsl

from flask_babel import gettext as _

from portal.labels import access_label, level_label, province_label

_LABELS = {"province": province_label, "origin_province": province_label, "level": level_label,
           "access": access_label}


def search_summary(query: str) -> str:
    pairs = parse_qsl(query or "")
    values = dict(pairs)
    parts = [f"“{values['q']}”"] if values.get("q") else []
    for key, value in pairs:
        if key in _LABELS:
            parts.append(_LABELS[key](value))
        elif key in ("title", "creator", "doc_number", "reference_code", "doc_type", "language"):
            parts.append(value)
    if values.get("from") or values.get("to"):
        parts.append(f"{values.get('from', '…')}–{values.get('to', '…')}")
    return " · ".join(parts) or _("All records")
