"""Vietnamese without its marks, as people type it on a keyboard without Vietnamese input, and as the
index's folded fields hold it ("Quyết định" → "Quyet dinh", đ → d). Shared by the harvester (field names of
TT 05 packages) and the portal (spelling suggestions, likely twins, likely duplicate fonds)."""
from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[\W_]+")


def without_diacritics(text: str) -> str:
    """The text without diacritics, case kept: "Quyết định" → "Quyet dinh"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def folded_words(text: str | None) -> str:
    """Lower case, no diacritics, words joined by one space: what two spellings of one name share."""
    return " ".join(_NOT_WORD.sub(" ", without_diacritics(text or "").casefold()).split())
