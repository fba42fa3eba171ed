"""Where to go after sign-in: only a path on this site, never another host (open redirect)."""
from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None, default: str = "/") -> str:
    if not target or len(target) > 2000:
        return default
    target = target.strip()
    # Browsers treat "\" like "/", so "/\evil.example" is another host too.
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return default
    return target
