"""Signing a user in and out of the Flask-Login session."""
from __future__ import annotations

import secrets
from datetime import datetime, timezone

from flask import g, session
from flask_login import login_user, logout_user

from portal.auth.models import User
from portal.database import get_db


def sign_in(user: User) -> None:
    """Start a new session for the user: nothing of the anonymous session survives (no
    fixation), and the session carries a new random id."""
    language = session.get("lang")
    session.clear()
    session["sid"] = secrets.token_urlsafe(24)
    if language:
        session["lang"] = language
    login_user(user, fresh=True)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = datetime.now(timezone.utc)
    get_db().commit()
    g.pop("identity", None)


def sign_out() -> None:
    logout_user()
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    g.pop("identity", None)
