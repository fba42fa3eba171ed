"""What a request asks for, in words: the content in the portal, a reading-room visit, or a copy.

Read by the workflow, the notices and the pages alike (the notices cannot import the workflow).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.access.models import KIND_CONTENT, KIND_READING_ROOM, KIND_REPRODUCTION

KIND_LABELS = {KIND_CONTENT: _l("Access to the content"), KIND_READING_ROOM: _l("Reading-room visit"),
               KIND_REPRODUCTION: _l("Copy (reproduction)")}


def kind_label(kind: str | None) -> str:
    return str(KIND_LABELS.get(kind or KIND_CONTENT, kind))
