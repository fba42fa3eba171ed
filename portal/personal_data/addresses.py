"""Anonymous visitors' IP addresses in the audit log as a keyed hash (HMAC-SHA256), so that rows of
one address can still be told apart and matched, but not read back as the address.

The key is AUDIT_IP_KEY; when unset, a key derived from SECRET_KEY (so changing SECRET_KEY starts
new hashes). Signed-in people's rows keep the address: they are identified anyway, and the law on
archives asks for it.
"""
from __future__ import annotations

import hashlib
import hmac

from flask import Flask, current_app

PREFIX = "hmac:"
# 128 bits of the HMAC: enough to tell addresses apart, and it fits the ip column (64 characters).
HEX_DIGITS = 32


def key_from_config(config) -> bytes:
    if config.get("AUDIT_IP_KEY"):
        return config["AUDIT_IP_KEY"].encode("utf-8")
    return hmac.new(str(config["SECRET_KEY"]).encode("utf-8"), b"audit-log ip addresses",
                    hashlib.sha256).digest()


def keyed_address(address: str | None, key: bytes) -> str | None:
    if not address:
        return None
    return PREFIX + hmac.new(key, address.encode("utf-8"), hashlib.sha256).hexdigest()[:HEX_DIGITS]


def init_app(app: Flask) -> None:
    app.extensions["audit_ip_key"] = key_from_config(app.config)


def anonymous_address(address: str | None) -> str | None:
    """What the audit log keeps of an anonymous visitor's address."""
    return keyed_address(address, current_app.extensions["audit_ip_key"])
