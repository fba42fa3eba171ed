"""The full text as the record page shows it: what the index holds, without the lines that only
name a package's resources (texts indexed before the indexer dropped them), and without the title
repeated at its head (a DOCX gives its title property, then its heading, before the body)."""
from __future__ import annotations

import html
import re
import unicodedata

from schema.full_text import without_package_paths

_MARK_TAGS = re.compile(r"</?mark>")


def _comparable(line: str, marked: bool) -> str:
    if marked:  # a highlighted text is HTML-escaped, with <mark> tags around the search's words
        line = html.unescape(_MARK_TAGS.sub("", line))
    return " ".join(unicodedata.normalize("NFC", line).split()).casefold()


def shown_full_text(text: str | None, title: str | None, *, marked: bool = False) -> str | None:
    if not text:
        return text
    lines = without_package_paths(text).split("\n")
    heading = _comparable(title or "", marked=False)
    # Drop the leading lines that are the title again (and the blank lines between them).
    while lines and heading and _comparable(lines[0], marked) in ("", heading):
        lines.pop(0)
    return "\n".join(lines).strip("\n") or text
