"""The users table: local reader accounts and officials first seen through OpenID Connect."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from schema.tables import Base, utcnow


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("oidc_issuer", "oidc_subject", name="uq_users_oidc_subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Lower-cased; unique among local accounts (officials may share none, they sign in by subject).
    email: Mapped[str | None] = mapped_column(String(320), unique=True, nullable=True)
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    full_name: Mapped[str] = mapped_column(String(255), default="")
    # CCCD / passport number, encrypted (portal.personal_data.encryption: read it with id_number_of).
    id_number_encrypted: Mapped[str | None] = mapped_column("id_number", Text, nullable=True)
    workplace: Mapped[str | None] = mapped_column(String(255), nullable=True)
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)  # None for SSO users
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Space-separated role names from portal.access.roles; a single province for staff roles.
    roles: Mapped[str] = mapped_column(Text, default="reader")
    province: Mapped[str | None] = mapped_column(String(2), nullable=True)
    oidc_issuer: Mapped[str | None] = mapped_column(String(512), nullable=True)
    oidc_subject: Mapped[str | None] = mapped_column(String(255), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Consent to the privacy notice at registration (Decree 13/2023): when, and which version of it.
    consent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    consent_notice_version: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Set when the person deleted their account: the row stays, anonymised, for their requests and grants.
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated account has no session
        return bool(self.active)

    @property
    def role_set(self) -> frozenset[str]:
        return frozenset(self.roles.split())

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_official(self) -> bool:
        return self.oidc_subject is not None
