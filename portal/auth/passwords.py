"""Password hashing (scrypt through Werkzeug) and the rules a new password must meet."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 10
MAX_LENGTH = 256  # scrypt of a megabyte-long "password" is a cheap denial of service
# The few passwords every guessing list starts with; length rules out most others.
_COMMON = frozenset({
    "1234567890", "12345678910", "0123456789", "qwertyuiop", "password123", "matkhau123",
    "matkhau1234", "abc1234567", "1111111111", "iloveyou12", "admin12345", "vietnam123",
})


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def password_matches(password_hash: str | None, password: str) -> bool:
    if not password_hash or len(password) > MAX_LENGTH:
        return False
    return check_password_hash(password_hash, password)


def password_problems(password: str, *, email: str | None = None) -> list[str]:
    """What is wrong with a new password, in words a person can act on; empty when it will do."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(str(_l("Use at least %(count)d characters.", count=MIN_LENGTH)))
    if len(password) > MAX_LENGTH:
        problems.append(str(_l("Use at most %(count)d characters.", count=MAX_LENGTH)))
    if password.lower() in _COMMON or len(set(password)) < 4:
        problems.append(str(_l("This password is too easy to guess.")))
    if email and password.lower() == email.lower():
        problems.append(str(_l("The password must not be your e-mail address.")))
    return problems
