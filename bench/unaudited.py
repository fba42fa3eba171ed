"""The portal with its search views' audit call made a no-op: the ceiling an audited search
could reach, for bench/audit.py only (`gunicorn ... bench.unaudited:create_app()`). Production
has no way to switch the audit off; this module is never imported by the portal."""
from __future__ import annotations

from app import create_app as create_portal


def _not_audited(*args, **kwargs) -> None:
    return None


def create_app():
    import portal.search.views as search_views

    search_views.record_event = _not_audited
    return create_portal()
