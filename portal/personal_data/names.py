"""How a person is named on pages and in notices: a deleted account is "deleted reader"."""
from __future__ import annotations

from flask_babel import gettext as _


def person_name(user) -> str:
    if user is None:
        return ""
    if user.is_deleted:
        return _("deleted reader")
    return user.full_name or user.email or f"#{user.id}"
