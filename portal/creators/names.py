"""When two creator names are one creator, and when they only look alike (issue 19).

Identity is conservative: the same name once Unicode, case, spacing and the placement of the tone mark are set
aside (NFC; "Sở Nội Vụ" is "Sở nội vụ"; old-style "Uỷ ban" is "Ủy ban"), in the same current province (a former
province counts as the one it merged into, so Bến Tre's fonds meet Vĩnh Long's). Everything else that looks
alike (letters that differ only in their marks, an abbreviation like UBND, the same name in two provinces) is a
doubt for an admin to decide, never a merge made here.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import combinations

from schema.folding import folded_words

# Old-style tone placement (hoà, thuỷ) and the new one (hòa, thủy) are one spelling (Quyết định 1989/QĐ-BGDĐT):
# at the end of a syllable the mark goes on the first vowel of oa, oe, uy (not after q, where u is a consonant).
_OLD_STYLE = {f"o{tone_a}": f"{tone_o}a" for tone_a, tone_o in zip("àáảãạ", "òóỏõọ")}
_OLD_STYLE |= {f"o{tone_e}": f"{tone_o}e" for tone_e, tone_o in zip("èéẻẽẹ", "òóỏõọ")}
_OLD_STYLE |= {f"u{tone_y}": f"{tone_u}y" for tone_y, tone_u in zip("ỳýỷỹỵ", "ùúủũụ")}
_OLD_STYLE_AT_SYLLABLE_END = re.compile(
    "|".join(f"(?<!q){pair}(?!\\w)" if pair.startswith("u") else f"{pair}(?!\\w)" for pair in _OLD_STYLE))
_SPACES = re.compile(r"\s+")
_EDGE_PUNCTUATION = " \t\n.,;:-–—"

# Abbreviations the describers use for the same words; expanded only to list doubts.
_ABBREVIATIONS = {
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "tp": "thanh pho",
    "ttlt": "trung tam luu tru",
    "ttlls": "trung tam luu tru lich su",
}


def name_key(name: str | None) -> str:
    """The identity of a creator's name: NFC, case-folded, one space between words, new-style tone marks,
    no punctuation at either end. Diacritics are kept: Hòa and Hóa are two names."""
    text = unicodedata.normalize("NFC", name or "").casefold()
    text = _SPACES.sub(" ", text).strip(_EDGE_PUNCTUATION)
    return _OLD_STYLE_AT_SYLLABLE_END.sub(lambda found: _OLD_STYLE[found.group(0)], text)


def likeness_key(name: str | None) -> str:
    """What two names that may be one share: no diacritics, no punctuation, abbreviations written out."""
    return " ".join(_ABBREVIATIONS.get(word, word) for word in folded_words(name).split())


# Why two creators are listed for an admin to look at; the page translates each.
SAME_NAME_OTHER_PROVINCE = "same_name_other_province"
MARKS_DIFFER = "marks_differ"
ABBREVIATED = "abbreviated"


@dataclass(frozen=True)
class NameForm:
    """One name a creator is known by, in one current province."""
    creator_id: int
    name: str
    province: str


@dataclass(frozen=True)
class Doubt:
    """Two creators kept apart whose names look alike, and why."""
    first: int
    second: int
    reason: str
    first_name: str
    second_name: str


def doubtful_pairs(forms: list[NameForm], kept_apart: set[tuple[int, int]] = frozenset()) -> list[Doubt]:
    """Pairs of distinct creators with a name form alike (likeness_key), one a pair, the strongest reason first;
    pairs an admin has already kept apart are left out."""
    by_likeness: dict[str, list[NameForm]] = {}
    for form in forms:
        if key := likeness_key(form.name):
            by_likeness.setdefault(key, []).append(form)
    found: dict[tuple[int, int], Doubt] = {}
    for group in by_likeness.values():
        for one, other in combinations(group, 2):
            if one.creator_id == other.creator_id:
                continue
            pair = tuple(sorted((one.creator_id, other.creator_id)))
            if pair in kept_apart or pair in found:
                continue
            first, second = (one, other) if one.creator_id == pair[0] else (other, one)
            found[pair] = Doubt(pair[0], pair[1], _reason(first, second), first.name, second.name)
    return sorted(found.values(), key=lambda doubt: (likeness_key(doubt.first_name), doubt.first, doubt.second))


def _reason(one: NameForm, other: NameForm) -> str:
    if name_key(one.name) == name_key(other.name):
        return SAME_NAME_OTHER_PROVINCE  # one name: apart only because the provinces differ
    if folded_words(one.name) == folded_words(other.name):
        return MARKS_DIFFER
    return ABBREVIATED
