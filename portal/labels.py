"""Names people read for the codes records carry: levels, access levels, provinces."""
from __future__ import annotations

from babel import Locale, UnknownLocaleError
from flask_babel import get_locale
from flask_babel import gettext as _
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

ROLE_LABELS = {
    "anonymous": _l("Visitor"),
    "reader": _l("Reader"),
    "staff": _l("Archive staff"),
    "archive_admin": _l("Archive administrator"),
    "national_admin": _l("National administrator"),
    "auditor": _l("Auditor"),
}


def role_label(key: str) -> str:
    return str(ROLE_LABELS.get(key, key))


def level_label(key: str) -> str:
    return str(LEVEL_LABELS.get(key, key))


def access_label(key: str) -> str:
    return str(ACCESS_LABELS.get(key, key))


def province_label(code: str, fallback: str | None = None) -> str:
    return fallback or province_name(code) or code


def former_province_label(former: str, current: str) -> str:
    """A province merged on 1 July 2025, with the one it is part of now."""
    return _("%(former)s (now %(current)s)", former=former, current=current)


def language_label(code: str | None) -> str:
    """'vi' → 'Tiếng Việt' (or 'Vietnamese' in English); an unknown code as it is."""
    if not code:
        return ""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(str(get_locale()))
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:] if name else code
