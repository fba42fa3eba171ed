"""Saved searches and search history of one reader: what the pages and the personal-data code call.

A search is kept as the search page's own address parameters (`canonical_query`), so opening a saved
search or a history entry is following a link, and an alert runs exactly what the page would. History is
the reader's alone, at most HISTORY_KEPT entries and never older than HISTORY_DAYS (Decree 13/2023: kept
no longer than it serves them); the notices job removes what has aged.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from portal.saved_searches.models import (ALERT_CHOICES, ALERT_NONE, MAX_QUERY_LENGTH, SavedSearch,
                                          SearchHistoryEntry)

HISTORY_KEPT = 50
HISTORY_DAYS = 90
MAX_SAVED = 100
# What changes a page of a search, not the search: left out of what is kept.
_NOT_THE_SEARCH = frozenset({"page", "size", "lang", "search_after"})


class SavedSearchError(ValueError):
    """A search that cannot be saved (too many, too long, empty) or an alert that is not one of the choices."""


def canonical_query(args) -> str:
    """The search's parameters (a MultiDict, e.g. request.args) in a stable order, without page and language."""
    pairs = sorted((key, value) for key in args if key not in _NOT_THE_SEARCH
                   for value in args.getlist(key) if value.strip())
    return urlencode(pairs)


def save_search(db: Session, user_id: int, query: str, name: str, lang: str, alert: str,
                now: datetime) -> SavedSearch:
    if not query:
        raise SavedSearchError("an empty search")
    if len(query) > MAX_QUERY_LENGTH:
        raise SavedSearchError("a search longer than can be kept")
    if alert not in ALERT_CHOICES:
        raise SavedSearchError(f"alert must be one of {', '.join(ALERT_CHOICES)}")
    count = db.scalar(select(func.count(SavedSearch.id)).where(SavedSearch.user_id == user_id)) or 0
    if count >= MAX_SAVED:
        raise SavedSearchError(f"at most {MAX_SAVED} saved searches")
    saved = SavedSearch(user_id=user_id, name=(name.strip() or query)[:200], query=query, lang=lang,
                        alert=alert, created_at=now, alert_checked_until=now)
    db.add(saved)
    db.commit()
    return saved


def saved_searches_of(db: Session, user_id: int) -> list[SavedSearch]:
    return list(db.scalars(select(SavedSearch).where(SavedSearch.user_id == user_id)
                           .order_by(SavedSearch.created_at.desc(), SavedSearch.id.desc())))


def saved_search_of(db: Session, user_id: int, saved_id: int) -> SavedSearch | None:
    """The reader's own saved search; another reader's is None, as one that does not exist."""
    saved = db.get(SavedSearch, saved_id)
    return saved if saved is not None and saved.user_id == user_id else None


def set_alert(db: Session, saved: SavedSearch, alert: str, now: datetime) -> None:
    """Turning an alert on starts it from now: it never mails what was harvested before it was asked for."""
    if alert not in ALERT_CHOICES:
        raise SavedSearchError(f"alert must be one of {', '.join(ALERT_CHOICES)}")
    if saved.alert == ALERT_NONE and alert != ALERT_NONE:
        saved.alert_checked_until = now
    saved.alert = alert
    db.commit()


def delete_saved_search(db: Session, saved: SavedSearch) -> None:
    db.delete(saved)
    db.commit()


def remember_search(db: Session, user_id: int, query: str, hits: int, now: datetime) -> None:
    """A search of the page, kept in the reader's history; the same search again moves to the top."""
    if not query or len(query) > MAX_QUERY_LENGTH:
        return
    db.execute(delete(SearchHistoryEntry).where(SearchHistoryEntry.user_id == user_id,
                                                SearchHistoryEntry.query == query))
    db.add(SearchHistoryEntry(user_id=user_id, query=query, hits=hits, searched_at=now))
    db.flush()
    beyond = select(SearchHistoryEntry.id).where(SearchHistoryEntry.user_id == user_id) \
        .order_by(SearchHistoryEntry.searched_at.desc(), SearchHistoryEntry.id.desc()).offset(HISTORY_KEPT)
    old = list(db.scalars(beyond))
    if old:
        db.execute(delete(SearchHistoryEntry).where(SearchHistoryEntry.id.in_(old)))
    db.commit()


def history_of(db: Session, user_id: int, now: datetime, limit: int = 20) -> list[SearchHistoryEntry]:
    return list(db.scalars(select(SearchHistoryEntry).where(
        SearchHistoryEntry.user_id == user_id, SearchHistoryEntry.searched_at > now - timedelta(days=HISTORY_DAYS))
        .order_by(SearchHistoryEntry.searched_at.desc(), SearchHistoryEntry.id.desc()).limit(limit)))


def forget_history(db: Session, user_id: int) -> int:
    removed = db.execute(delete(SearchHistoryEntry).where(SearchHistoryEntry.user_id == user_id)).rowcount
    db.commit()
    return removed


def remove_aged_history(db: Session, now: datetime) -> int:
    """Every reader's history older than HISTORY_DAYS (the notices job runs this)."""
    removed = db.execute(delete(SearchHistoryEntry).where(
        SearchHistoryEntry.searched_at <= now - timedelta(days=HISTORY_DAYS))).rowcount
    db.commit()
    return removed


def remove_all_of(db: Session, user_id: int) -> dict:
    """A deleted account's saved searches and history (in the caller's transaction)."""
    return {"saved_searches": db.execute(delete(SavedSearch).where(SavedSearch.user_id == user_id)).rowcount,
            "search_history": db.execute(delete(SearchHistoryEntry)
                                         .where(SearchHistoryEntry.user_id == user_id)).rowcount}
