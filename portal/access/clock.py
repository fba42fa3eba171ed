"""The time the access workflow runs on: UTC now, unless the app is told otherwise.

Tests (and a demo of expiry) move the clock with `app.config["ACCESS_CLOCK"] = callable`
returning an aware datetime; nothing else in portal.access calls datetime.now() itself.
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import current_app, has_app_context


def now() -> datetime:
    clock = current_app.config.get("ACCESS_CLOCK") if has_app_context() else None
    moment = clock() if clock else datetime.now(timezone.utc)
    return aware(moment)


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every time we store is UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc) if moment is not None else None
