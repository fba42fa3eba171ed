"""clean_text: one Unicode form, no control characters, no stray whitespace."""
from __future__ import annotations

import random
import unicodedata

import pytest

from indexer.mapping.text import clean_text


def test_decomposed_vietnamese_becomes_precomposed():
    decomposed = unicodedata.normalize("NFD", "Hòa Bình, Đắk Lắk, Thừa Thiên Huế")
    assert decomposed != "Hòa Bình, Đắk Lắk, Thừa Thiên Huế"  # the sample really is decomposed

    cleaned = clean_text(decomposed)

    assert cleaned == unicodedata.normalize("NFC", "Hòa Bình, Đắk Lắk, Thừa Thiên Huế")
    assert unicodedata.is_normalized("NFC", cleaned)


def test_control_characters_are_removed_and_act_as_word_breaks():
    assert clean_text("Công\x00văn\x07số\x1f12\x7fnăm") == "Công văn số 12 năm"


def test_whitespace_runs_fold_to_one_space_and_ends_are_trimmed():
    assert clean_text("  Quyết \t định\n\n số  12\r\n ") == "Quyết định số 12"


def test_unicode_spaces_fold_like_ascii_spaces():
    assert clean_text("Ủy\u00a0ban\u2003nhân dân") == "Ủy ban nhân dân"


@pytest.mark.parametrize("value", [None, "", "   \n\t "])
def test_nothing_cleans_to_an_empty_string(value):
    assert clean_text(value) == ""


def test_keep_newlines_keeps_lines_but_drops_blank_ones_and_folds_inside_each():
    text = "Dòng   một  \n\n   dòng\thai\r\n\x0bba"

    assert clean_text(text, keep_newlines=True) == "Dòng một\ndòng hai\nba"


def test_angle_brackets_and_ampersands_are_text_and_kept():
    assert clean_text("<script>alert(1)</script> &amp; Công văn") == "<script>alert(1)</script> &amp; Công văn"


def test_c1_control_characters_are_removed_too():
    cleaned = clean_text("Công\x9fvăn\x81số")

    assert not any(unicodedata.category(ch) == "Cc" for ch in cleaned)


@pytest.mark.parametrize("keep_newlines", [False, True])
def test_cleaning_clean_text_again_changes_nothing(keep_newlines):
    """The oai_dc mapping relies on it: a record's one description, cleaned, is not cleaned a second time."""
    pieces = ["a", " ", "\n", "\r\n", "\x0b", "\x1c", "\x85", "\u2028", "\xa0", "ò", "o\u0300", "\x01", "\t",
              "\x7f", "Ư"]
    generator = random.Random(17)
    for _ in range(20_000):
        value = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 12)))
        cleaned = clean_text(value, keep_newlines=keep_newlines)
        assert clean_text(cleaned, keep_newlines=keep_newlines) == cleaned, repr(value)
