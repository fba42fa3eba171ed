"""Names people read for the codes records carry: levels, access levels, provinces."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from schema.provinces import province_name

LEVEL_LABELS = {
    "fonds": _l("Fonds"),
    "series": _l("Series"),
    "file": _l("File"),
    "item": _l("Item"),
}
ACCESS_LABELS = {
    "public": _l("Public"),
    "restricted": _l("Restricted (conditional use)"),
    "closed": _l("Closed"),
}


def level_label(key: str) -> str:
    return str(LEVEL_LABELS.get(key, key))


def access_label(key: str) -> str:
    return str(ACCESS_LABELS.get(key, key))


def province_label(code: str, fallback: str | None = None) -> str:
    return fallback or province_name(code) or code
