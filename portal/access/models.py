"""Tables of the access-request workflow (DESIGN §5): requests, their comment threads, the
grants an approval creates, and the portal's inbox of notifications.

Created by migrations/versions/0005_access_requests.py (and 0012, the kind of a request); keep them in step.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from schema.tables import Base, utcnow

# Why the reader wants the record (the three purposes the law names).
PURPOSES = ("personal", "official", "special_official")

# What is asked for: to read the content in the portal (a grant opens it), or, for a record with no
# digital copy, a visit to the reading room or a copy made by the archive (no grant: the archive's note says how).
KIND_CONTENT, KIND_READING_ROOM, KIND_REPRODUCTION = "content", "reading_room", "reproduction"
REQUEST_KINDS = (KIND_CONTENT, KIND_READING_ROOM, KIND_REPRODUCTION)

SUBMITTED, APPROVED, DENIED, WITHDRAWN = "submitted", "approved", "denied", "withdrawn"
REQUEST_STATES = (SUBMITTED, APPROVED, DENIED, WITHDRAWN)

GRANT_ACTIVE, GRANT_EXPIRED, GRANT_REVOKED = "active", "expired", "revoked"
GRANT_STATES = (GRANT_ACTIVE, GRANT_EXPIRED, GRANT_REVOKED)

# What a grant may cover: the record asked for, the file it is in, or its fonds.
SCOPE_RECORD, SCOPE_FILE, SCOPE_FONDS = "record", "file", "fonds"
SCOPES = (SCOPE_RECORD, SCOPE_FILE, SCOPE_FONDS)

MAIL_PENDING, MAIL_SENT, MAIL_FAILED, MAIL_NONE = "pending", "sent", "failed", "none"


class AccessRequest(Base):
    """A reader's request to read a restricted record (or a file or fonds holding some)."""

    __tablename__ = "access_requests"
    __table_args__ = (
        Index("ix_access_requests_queue", "holding_province", "state", "due_on"),
        # At most one open request per reader and record, even when two arrive at once.
        Index("uq_access_requests_open", "requester_id", "record_id", unique=True,
              sqlite_where=text("state = 'submitted'"), postgresql_where=text("state = 'submitted'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # A snapshot of the record when asked: the index may change, the request keeps what was asked for.
    record_id: Mapped[str] = mapped_column(String(512))
    record_level: Mapped[str] = mapped_column(String(16))
    record_title: Mapped[str] = mapped_column(Text, default="")
    record_reference_code: Mapped[str | None] = mapped_column(String(255), nullable=True)
    record_path: Mapped[list] = mapped_column(JSON, default=list)  # ancestor ids, fonds first
    holding_province: Mapped[str] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(16), default=KIND_CONTENT, server_default=KIND_CONTENT)
    purpose: Mapped[str] = mapped_column(String(24))
    use_description: Mapped[str] = mapped_column(Text)  # what it is for
    research_topic: Mapped[str] = mapped_column(String(500), default="")
    period_wanted: Mapped[str] = mapped_column(String(255), default="")
    state: Mapped[str] = mapped_column(String(16), default=SUBMITTED)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    due_on: Mapped[date] = mapped_column(Date)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Optimistic concurrency: every change of state is an UPDATE … WHERE version = the one seen.
    version: Mapped[int] = mapped_column(Integer, default=1)

    requester: Mapped[User] = relationship(foreign_keys=[requester_id], lazy="joined")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    comments: Mapped[list["RequestComment"]] = relationship(
        back_populates="request", order_by="RequestComment.id")
    grants: Mapped[list["AccessGrant"]] = relationship(back_populates="request", order_by="AccessGrant.id")

    @property
    def is_open(self) -> bool:
        return self.state == SUBMITTED


class RequestComment(Base):
    """One message of the thread between the reader and the archive before the decision."""

    __tablename__ = "request_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("access_requests.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    by_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    request: Mapped[AccessRequest] = relationship(back_populates="comments")
    author: Mapped[User] = relationship(lazy="joined")


class AccessGrant(Base):
    """What an approval opens: the content of one record and everything under it, until it
    expires or is revoked. Read on every request (portal.access.grants.active_scope_ids)."""

    __tablename__ = "access_grants"
    __table_args__ = (Index("ix_access_grants_user_active", "user_id", "state", "expires_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("access_requests.id"), nullable=True, index=True)
    scope: Mapped[str] = mapped_column(String(16))  # record | file | fonds
    scope_record_id: Mapped[str] = mapped_column(String(512))
    scope_level: Mapped[str] = mapped_column(String(16))
    scope_title: Mapped[str] = mapped_column(Text, default="")
    holding_province: Mapped[str] = mapped_column(String(2), index=True)
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(16), default=GRANT_ACTIVE)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    revoke_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    expiry_notice_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    request: Mapped[AccessRequest | None] = relationship(back_populates="grants")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class Notification(Base):
    """An entry of a person's inbox in the portal; the same notice goes out by e-mail, and
    whether that worked is kept here (a mail that failed never undoes what it reports)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))
    # What the text is made from, so the inbox reads in the reader's language of the moment.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("access_requests.id"), nullable=True)
    grant_id: Mapped[int | None] = mapped_column(ForeignKey("access_grants.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    mail_state: Mapped[str] = mapped_column(String(16), default=MAIL_PENDING)
    mail_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    mail_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
