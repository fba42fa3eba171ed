"""Local reader accounts: registration, sign-in checks with a slowdown after failures,
e-mail verification and password reset. Knows the database, not HTTP."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.auth.passwords import hash_password, password_matches
from portal.personal_data.encryption import encrypt_id_number

# After this many wrong passwords in a row the account waits before it may try again;
# the wait doubles with each further failure, up to a day.
FAILURES_BEFORE_SLOWDOWN = 10
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(days=1)
# Always hash, even for an unknown e-mail, so timing does not tell which accounts exist.
_DUMMY_HASH = hash_password("not-a-real-password-for-timing")


class EmailTaken(Exception):
    pass


class SignInRefused(Exception):
    """Wrong e-mail or password, or an account that may not sign in yet; `reason` says which."""

    def __init__(self, reason: str, user: User | None = None, wait: timedelta | None = None):
        super().__init__(reason)
        self.reason = reason  # "invalid" | "locked" | "unverified" | "inactive"
        self.user = user
        self.wait = wait


@dataclass
class Registration:
    full_name: str
    email: str
    password: str
    id_number: str | None = None
    phone: str | None = None
    workplace: str | None = None
    # Consent to the privacy notice (readers registering themselves; not accounts made by an admin).
    consent_at: datetime | None = None
    consent_notice_version: str | None = None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(db: Session, email: str) -> User | None:
    return db.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def register(db: Session, form: Registration) -> User:
    email = normalise_email(form.email)
    if find_by_email(db, email) is not None:
        raise EmailTaken(email)
    user = User(email=email, full_name=form.full_name.strip(), password_hash=hash_password(form.password),
                id_number_encrypted=encrypt_id_number(form.id_number), phone=(form.phone or "").strip() or None,
                workplace=(form.workplace or "").strip() or None, roles="reader", active=True,
                failed_logins=0, consent_at=form.consent_at, consent_notice_version=form.consent_notice_version)
    db.add(user)
    try:
        db.commit()
    except IntegrityError as error:  # registered by a concurrent request a moment ago
        db.rollback()
        raise EmailTaken(email) from error
    return user


def authenticate(db: Session, email: str, password: str, now: datetime | None = None) -> User:
    now = now or datetime.now(timezone.utc)
    user = find_by_email(db, email) if email else None
    if user is None or user.password_hash is None:
        password_matches(_DUMMY_HASH, password)
        raise SignInRefused("invalid")
    locked_until = _aware(user.locked_until)
    if locked_until and locked_until > now:
        raise SignInRefused("locked", user, wait=locked_until - now)
    if not password_matches(user.password_hash, password):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= FAILURES_BEFORE_SLOWDOWN:
            extra = user.failed_logins - FAILURES_BEFORE_SLOWDOWN
            wait = min(FIRST_WAIT * (2 ** min(extra, 16)), LONGEST_WAIT)
            user.locked_until = now + wait
        db.commit()
        raise SignInRefused("invalid", user)
    if not user.active:
        raise SignInRefused("inactive", user)
    if user.email_verified_at is None:
        raise SignInRefused("unverified", user)
    return user


def mark_email_verified(db: Session, user: User) -> None:
    if user.email_verified_at is None:
        user.email_verified_at = datetime.now(timezone.utc)
        db.commit()


def set_password(db: Session, user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    db.commit()


def reset_fingerprint(user: User) -> str:
    """Changes whenever the password does, so a used reset link cannot be used again."""
    return (user.password_hash or "")[-16:]


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; every time we store is UTC.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment
