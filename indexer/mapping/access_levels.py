"""The access level a source states, in any wording it uses, mapped to public/restricted/closed.

Thông tư 05/2025/TT-BNV names Công khai, Sử dụng có điều kiện and Mật; sources still on
Thông tư 02/2019 send "Hạn chế sử dụng" or a chế độ sử dụng. A wording we do not know maps to
closed: an unknown level must never publish a record. Beside a known level, an unknown
statement that speaks of secrecy or restriction ("Bí mật nhà nước") closes the record too;
one that does not (a licence, a copyright line) is left to the known level.
"""
from __future__ import annotations

import unicodedata

from schema.record import ACCESS_CLOSED, ACCESS_PUBLIC, ACCESS_RESTRICTED

_WORDINGS = {
    ACCESS_PUBLIC: ("công khai", "sử dụng rộng rãi", "public", "open", "open access"),
    ACCESS_RESTRICTED: (
        "sử dụng có điều kiện",
        "có điều kiện",
        "hạn chế",
        "hạn chế sử dụng",
        "restricted",
        "conditional",
    ),
    ACCESS_CLOSED: ("mật", "tối mật", "tuyệt mật", "không công khai", "closed", "secret"),
}
_BY_WORDING = {wording: level for level, wordings in _WORDINGS.items() for wording in wordings}
_RESTRICTIVE_WORDS = ("mật", "hạn chế", "điều kiện", "không công khai", "restricted", "closed",
                      "secret", "confidential", "classified")


def map_access(values: list[str]) -> tuple[str, str | None]:
    """(access level, reason) from the rights statements of a record; the strictest wins."""
    found, unknown_restrictive = [], []
    for value in values:
        key = " ".join(unicodedata.normalize("NFC", value).lower().split()).rstrip(".")
        key = key.removeprefix("mức độ tiếp cận:").removeprefix("chế độ sử dụng:").strip()
        if key in _BY_WORDING:
            found.append(_BY_WORDING[key])
        elif any(word in key for word in _RESTRICTIVE_WORDS):
            unknown_restrictive.append(value.strip())
    if found and unknown_restrictive:
        return ACCESS_CLOSED, f"unrecognised access statement: {'; '.join(unknown_restrictive)}"
    if not found:
        stated = "; ".join(v for v in values if v.strip())
        reason = f"unrecognised access statement: {stated}" if stated else "no access level stated"
        return ACCESS_CLOSED, reason
    for level in (ACCESS_CLOSED, ACCESS_RESTRICTED, ACCESS_PUBLIC):
        if level in found:
            return level, None
    raise AssertionError("unreachable")
