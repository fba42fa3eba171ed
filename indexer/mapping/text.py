"""Cleaning harvested text: one Unicode form, no control characters, no stray spaces.

Vietnamese can arrive precomposed (NFC) or decomposed (NFD); the index must see one form or
"Hòa" typed on one keyboard would not find "Hòa" typed on another.
"""
from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(value: str | None, keep_newlines: bool = False) -> str:
    if not value:
        return ""
    if not value.isascii():  # ASCII is already in every normal form
        value = unicodedata.normalize("NFC", value)
    # isprintable() is a plain scan, half the regex's cost: it is False for every character _CONTROL finds.
    if not value.isprintable() and _CONTROL.search(value):
        value = _CONTROL.sub(" ", value)
    if keep_newlines:
        lines = (" ".join(line.split()) for line in value.splitlines())
        return "\n".join(line for line in lines if line)
    return " ".join(value.split())
