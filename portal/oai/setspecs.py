"""OAI-PMH sets: one a holding province (`province:86`), one a fonds (`fonds:<record id>`).

A setSpec may hold only letters, digits and -_.!~*'() between its colons (the OAI-PMH XSD's setSpecType), and
record ids hold ':' and '/': every other character is written as `~` and its UTF-8 bytes in hex (`~3A`), and
`~` itself too, so that each spec reads back to exactly one id.
"""
from __future__ import annotations

import re
import string

PROVINCE, FONDS = "province", "fonds"
_KEPT = frozenset(string.ascii_letters + string.digits + "-_.!*'()")
_ESCAPED = re.compile(r"~([0-9A-F]{2})")


class BadSetSpec(ValueError):
    """A set that this repository does not have (or could not have)."""


def escape_part(text: str) -> str:
    return "".join(char if char in _KEPT else "".join(f"~{byte:02X}" for byte in char.encode("utf-8"))
                   for char in text)


def unescape_part(text: str) -> str:
    if not text or any(char not in _KEPT for char in _ESCAPED.sub("", text)):
        raise BadSetSpec(text)
    try:
        return re.sub(rb"~([0-9A-F]{2})", lambda m: bytes([int(m[1], 16)]),
                      text.encode("ascii")).decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadSetSpec(text) from error


def province_set(code: str) -> str:
    return f"{PROVINCE}:{escape_part(code)}"


def fonds_set(fonds_id: str) -> str:
    return f"{FONDS}:{escape_part(fonds_id)}"


def parse_set(spec: str) -> tuple[str, str]:
    """(kind, value) of a setSpec; BadSetSpec when it is not one of ours."""
    kind, _, value = spec.partition(":")
    if kind not in (PROVINCE, FONDS):
        raise BadSetSpec(spec)
    return kind, unescape_part(value)


def set_filter(spec: str) -> dict:
    """The records of a set, as an OpenSearch filter: a province's holdings, or a fonds and all under it."""
    kind, value = parse_set(spec)
    if kind == PROVINCE:
        return {"term": {"holding_province": value}}
    return {"bool": {"should": [{"term": {"id": value}}, {"term": {"path": value}}], "minimum_should_match": 1}}


def sets_of(document: dict) -> list[str]:
    """The sets a record (or its tombstone) belongs to: its holding province, and its fonds (the root of its
    path, or itself)."""
    specs = [province_set(document["holding_province"])] if document.get("holding_province") else []
    path = document.get("path") or []
    if path:
        specs.append(fonds_set(path[0]))
    elif document.get("level") == "fonds":
        specs.append(fonds_set(document["id"]))
    return specs
