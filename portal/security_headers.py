"""The security headers every response carries: a Content-Security-Policy with no inline script or
style, no framing, no sniffing, a referrer kept to our origin, and HSTS behind HTTPS.

A header a view has already set is left as it is: a file download sets a stricter policy of its own
(`sandbox; default-src 'none'`, portal/records/files.py), which must not be widened here.
"""
from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from flask import Flask, Response, current_app

# Pages load their scripts and styles from static/ only (templates hold no inline <script>, no
# style="…" and no on…= handlers); suggestions fetch /api/v1/suggest from the same origin.
_POLICY = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
HSTS = "max-age=31536000"


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


@lru_cache(maxsize=8)
def content_security_policy(oidc_issuer: str = "") -> str:
    """The policy of our pages. The sign-out form posts to /auth/oidc/logout, which redirects to the
    identity provider's end-session endpoint: Chromium checks form-action at every redirect of a
    form's submission, so the provider's origin is allowed there when OIDC is configured."""
    form_action = "form-action 'self'"
    issuer_origin = _origin(oidc_issuer) if oidc_issuer else None
    if issuer_origin:
        form_action += f" {issuer_origin}"
    return "; ".join((*_POLICY, form_action))


def security_headers(response: Response) -> Response:
    config = current_app.config
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(config.get("OIDC_ISSUER") or ""))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    if config.get("SESSION_COOKIE_SECURE"):  # secure cookies say the portal is served over HTTPS
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app: Flask) -> None:
    app.after_request(security_headers)
