"""Tables of saved searches and search history; created by migrations/versions/0015_saved_searches.py."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from schema.tables import Base, utcnow

ALERT_NONE, ALERT_DAILY, ALERT_WEEKLY = "none", "daily", "weekly"
ALERT_CHOICES = (ALERT_NONE, ALERT_DAILY, ALERT_WEEKLY)
MAX_QUERY_LENGTH = 2000  # the search's address parameters; a longer one is not a search the page makes


class SavedSearch(Base):
    """A search a reader keeps, as the search page's parameters, and whether it mails them what is new."""

    __tablename__ = "saved_searches"
    __table_args__ = (Index("ix_saved_searches_user", "user_id"),
                      Index("ix_saved_searches_alert", "alert", "alert_checked_until"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(200))
    query: Mapped[str] = mapped_column(String(MAX_QUERY_LENGTH))  # e.g. "q=quyết+định&province=86"
    lang: Mapped[str] = mapped_column(String(8), default="vi")  # the language its alert mails are written in
    alert: Mapped[str] = mapped_column(String(8), default=ALERT_NONE)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Records harvested up to this moment have been looked at: the next alert names those harvested after.
    alert_checked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_alert_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SearchHistoryEntry(Base):
    """One search a signed-in reader made on the search page, kept for them only and for a limited time."""

    __tablename__ = "search_history"
    __table_args__ = (Index("ix_search_history_user_time", "user_id", "searched_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    query: Mapped[str] = mapped_column(String(MAX_QUERY_LENGTH))
    hits: Mapped[int] = mapped_column(Integer, default=0)
    searched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
