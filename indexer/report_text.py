"""What a run's report may say of the server it ran on: nothing. The report is read on the admin pages by
archive staff; a path such as /srv/luutru/inbox/… or a temporary folder tells them nothing they can act on
and tells anyone who reads it how the server is laid out (issue 15). Paths inside a package stay, relative."""
from __future__ import annotations

import re
from pathlib import Path

# An absolute POSIX path's folders (not a URL's path: that follows a host name or "//").
_ABSOLUTE_FOLDERS = re.compile(r"(?<![\w:/.~-])/(?:[^\s/'\":;,()\[\]<>]+/)+")


def without_server_paths(message: str, *roots: Path | str) -> str:
    """The message with `roots` (a package's folder, the inbox) cut off the paths under them, and the folders of
    any other absolute path dropped, its file name kept."""
    for root in sorted({str(root).rstrip("/") for root in roots if root}, key=len, reverse=True):
        message = message.replace(root + "/", "").replace(root, ".")
    return _ABSOLUTE_FOLDERS.sub("", message)
