"""Signed, expiring tokens for the links we mail: e-mail verification, password reset, and turning off a
saved search's alert (portal.saved_searches: a link in every alert mail, valid long after it was sent).

A reset token carries a piece of the current password hash, so it stops working once used.
"""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

VERIFY_EMAIL = "verify-email"
RESET_PASSWORD = "reset-password"
UNSUBSCRIBE_ALERT = "unsubscribe-alert"
MAX_AGE = {VERIFY_EMAIL: 3 * 24 * 3600, RESET_PASSWORD: 3600, UNSUBSCRIBE_ALERT: 400 * 24 * 3600}


class InvalidToken(Exception):
    """The link is expired, altered or already used."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"archives-portal:{purpose}")


def make_token(purpose: str, payload: dict) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str) -> dict:
    try:
        payload = _serializer(purpose).loads(token, max_age=MAX_AGE[purpose])
    except (SignatureExpired, BadSignature) as error:
        raise InvalidToken(str(error)) from error
    if not isinstance(payload, dict):
        raise InvalidToken("unexpected payload")
    return payload
