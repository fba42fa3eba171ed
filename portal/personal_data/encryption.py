"""The reader's ID number (CCCD / passport) encrypted at rest with Fernet (AES-128-CBC with an
HMAC-SHA256, from `cryptography`).

PERSONAL_DATA_KEY holds one or more Fernet keys, separated by commas: the first encrypts, every
one decrypts (MultiFernet), so a key can be rotated: put the new key first, keep the old one
after it, run `flask users rotate-key`, then drop the old key. Knows nothing of the database.
"""
from __future__ import annotations

import logging
import re

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app

log = logging.getLogger(__name__)

MAKE_KEY = ".venv/bin/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
MISSING_KEY_MESSAGE = ("PERSONAL_DATA_KEY is not set: the portal encrypts readers' ID numbers with it. Make one with "
                       f"{MAKE_KEY} and put PERSONAL_DATA_KEY=<key> in .env (keep it safe: without it the ID numbers "
                       "cannot be read)")
# Every value stored before encryption came from a String(32) column; every Fernet token is longer.
LONGEST_PLAINTEXT = 32


class PersonalDataKeyError(RuntimeError):
    """PERSONAL_DATA_KEY is missing or is not a list of Fernet keys."""


class Undecryptable(RuntimeError):
    """A stored value that none of the configured keys decrypts (a wrong or a removed key)."""


def split_keys(value: str) -> list[str]:
    return [key for key in re.split(r"[\s,]+", value or "") if key]


class PersonalDataCipher:
    def __init__(self, keys: list[str]):
        if not keys:
            raise PersonalDataKeyError(MISSING_KEY_MESSAGE)
        fernets = []
        for position, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key))
            except (ValueError, TypeError):
                raise PersonalDataKeyError(
                    f"PERSONAL_DATA_KEY: key {position} is not a Fernet key (32 bytes, url-safe base64). "
                    f"Make one with {MAKE_KEY}") from None
        self._fernet = MultiFernet(fernets)

    def encrypt(self, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        return self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str | None) -> str | None:
        if token is None:
            return None
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            raise Undecryptable("a stored ID number cannot be decrypted with any key of PERSONAL_DATA_KEY: "
                                "is the key the one it was encrypted with (or still listed after a new one)?") from None

    def rotate(self, token: str) -> str:
        """The same value encrypted with the first key; `Undecryptable` if no key opens it."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError):
            raise Undecryptable("a stored ID number cannot be decrypted with any key of PERSONAL_DATA_KEY") from None


def init_app(app: Flask) -> None:
    value = app.config.get("PERSONAL_DATA_KEY") or ""
    if not split_keys(value):
        if not (app.testing or app.debug):
            raise SystemExit(MISSING_KEY_MESSAGE)
        # Tests and debugging only: what this process encrypts is lost with it.
        log.warning("PERSONAL_DATA_KEY is not set: using a random key for this process only")
        value = app.config["PERSONAL_DATA_KEY"] = Fernet.generate_key().decode("ascii")
    try:
        app.extensions["personal_data_cipher"] = PersonalDataCipher(split_keys(value))
    except PersonalDataKeyError as error:
        raise SystemExit(str(error)) from None


def cipher() -> PersonalDataCipher:
    return current_app.extensions["personal_data_cipher"]


def encrypt_id_number(value: str | None) -> str | None:
    return cipher().encrypt((value or "").strip() or None)


def id_number_of(user) -> str | None:
    """The user's ID number in clear, for the person themselves and staff deciding their requests;
    never log it or put it in the audit details."""
    return cipher().decrypt(user.id_number_encrypted)
