"""Getting records out of the portal: citations of one record (CSL-JSON, BibTeX, RIS), the
export of a result list (CSV, JSON) and a fonds's finding aid (EAD 2002, PDF).

`citation`, `results` and `finding_aid` (with `ead` and `finding_aid_pdf`) hold the formatters
(pure functions of plain data) and the services that fetch what they format through the record
and search services, so the one permission filter decides what can be cited or exported; they
know nothing of HTTP. `views` holds the API routes. This package may import `portal.search`,
`portal.records`, `portal.access`, `portal.labels`, `portal.opensearch` and `schema`; nothing
imports it but the app factory and the API's description (`portal.api_docs`, its formats).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


class UnknownFormat(ValueError):
    """A format the citation or export API does not offer; the API answers 400 naming it."""

    def __init__(self, name: str, offered: tuple[str, ...]):
        super().__init__(f"format must be one of {', '.join(offered)}")
        self.name = name
        self.parameter = "format"


@dataclass(frozen=True)
class FileFormat:
    """One format a file can be given in: its name in the API, its media type, its extension,
    and the function that renders the data into it."""

    name: str
    media_type: str
    extension: str
    render: Callable


def choose_format(formats: dict[str, FileFormat], name: str | None, default: str) -> FileFormat:
    chosen = formats.get(name or default)
    if chosen is None:
        raise UnknownFormat(name or "", tuple(formats))
    return chosen
