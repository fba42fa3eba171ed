"""The full text of a record's files as stored in the `content` field, freed of what is not text.

Tika reads a DOCX, XLSX or ODT as a package and answers for each embedded resource (the thumbnail
Word saves, an image) with a text that is only the resource's path, "/docProps/thumbnail.jpeg".
The indexer drops those lines when it extracts; the portal drops them again when it shows a text
indexed before that.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

# A line that is nothing but a path inside a package: "/docProps/thumbnail.jpeg", "/word/media/image1.png".
_PACKAGE_PATH = re.compile(r"/(?:[^\s/]+/)*[^\s/]+\.[A-Za-z0-9]{2,5}")
_MARK_TAGS = re.compile(r"</?mark>")


def without_package_paths(text: str, resource_names: Iterable[str] = ()) -> str:
    """The text without the lines that only name an embedded resource (by its path, or by one of
    `resource_names`, Tika's names for the resource). Lines may carry <mark> tags of a highlight."""
    names = {name.strip() for name in resource_names if name and name.strip()}

    def is_resource_name(line: str) -> bool:
        bare = _MARK_TAGS.sub("", line).strip()
        return bool(bare) and (bare in names or _PACKAGE_PATH.fullmatch(bare) is not None)

    return "\n".join(line for line in text.split("\n") if not is_resource_name(line))
