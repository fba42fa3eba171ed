"""Shaping the highlighter's fragments for a list of results.

OpenSearch marks each matching term on its own, so "Quyết định" comes back as two marks; and a
document's text usually opens with its title, so its first fragment repeats the heading above it.
The fragments arrive HTML-escaped (encoder "html"): the only tags in them are our <mark> tags, and
nothing here adds any other markup.
"""
from __future__ import annotations

import html
import re

# Marks separated by spaces only are one run of words ("Quyết định"); a line break or punctuation
# between them keeps them apart.
_ADJACENT_MARKS = re.compile(r"</mark>([ \t\u00a0]+)<mark>")
_MARK_TAGS = re.compile(r"</?mark>")


def merge_adjacent_marks(fragment: str) -> str:
    return _ADJACENT_MARKS.sub(r"\1", fragment)


def _plain(text: str) -> str:
    """The words of a fragment or title, compared without marks, case or spacing."""
    return " ".join(html.unescape(_MARK_TAGS.sub("", text)).split()).casefold()


def echoes_title(fragment: str, title: str | None) -> bool:
    """A fragment that is the title, or begins with it, says nothing the heading does not."""
    wanted = _plain(title or "")
    return bool(wanted) and _plain(fragment).startswith(wanted)


def shape_fragments(fragments: list[str], title: str | None, is_title: bool = False) -> list[str]:
    """Marks merged; a snippet's fragments repeating the title dropped (never the title's own)."""
    merged = [merge_adjacent_marks(fragment) for fragment in fragments]
    if is_title:
        return merged
    return [fragment for fragment in merged if not echoes_title(fragment, title)]
