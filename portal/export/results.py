"""The export of a result list as CSV or JSON: the first 1,000 records of a search.

`ResultExportService` runs the search through `SearchService`, so the export sees exactly
what the search API shows the same identity (the one permission filter, the same query,
filters and sort); it keeps only the catalogue columns below, never highlights or content.
The formatters are pure functions of a `ResultExport`.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, replace

from portal.access.identity import Identity
from portal.export import FileFormat, choose_format
from portal.search.params import SearchParams
from portal.search.service import SearchService
from schema.provinces import province_name

EXPORT_LIMIT = 1_000
EXPORT_COLUMNS = (
    "id", "reference_code", "title", "level", "doc_type", "doc_number", "creator",
    "date_start", "date_end", "holding_province", "holding_province_name", "origin_province",
    "origin_province_name", "access", "permalink",
)
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection);
# tab and carriage return too, as OWASP advises.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ResultExport:
    total: int  # every record the search matches for this identity
    records: list[dict]  # the first EXPORT_LIMIT of them, EXPORT_COLUMNS each

    @property
    def exported(self) -> int:
        return len(self.records)


def export_row(hit: dict, permalink: Callable[[str], str]) -> dict:
    """A search hit cut down to the export's columns (a whitelist: nothing else gets out)."""
    row = {column: hit.get(column) for column in EXPORT_COLUMNS if column != "permalink"}
    for code, name in (("holding_province", "holding_province_name"),
                       ("origin_province", "origin_province_name")):
        if not row[name] and row[code]:
            row[name] = province_name(row[code])
    row["permalink"] = permalink(hit["id"])
    return row


def neutralise_formula(value) -> str:
    """The cell's text, with a leading apostrophe when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def render_csv(export: ResultExport) -> bytes:
    """UTF-8 with a byte order mark, so Excel opens Vietnamese correctly; CRLF rows (RFC 4180)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for record in export.records:
        writer.writerow([neutralise_formula(record.get(column)) for column in EXPORT_COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def render_json(export: ResultExport) -> bytes:
    document = {"total": export.total, "exported": export.exported,
                "records": [{column: record.get(column) for column in EXPORT_COLUMNS}
                            for record in export.records]}
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


EXPORT_FORMATS = {
    f.name: f for f in (
        FileFormat("csv", "text/csv; charset=utf-8", "csv", render_csv),
        FileFormat("json", "application/json", "json", render_json),
    )
}
DEFAULT_EXPORT_FORMAT = "csv"


def export_format(name: str | None) -> FileFormat:
    return choose_format(EXPORT_FORMATS, name, DEFAULT_EXPORT_FORMAT)


class ResultExportService:
    def __init__(self, search: SearchService, limit: int = EXPORT_LIMIT):
        self.search = search
        self.limit = limit

    def export(self, identity: Identity, params: SearchParams,
               permalink: Callable[[str], str]) -> ResultExport:
        """The first `limit` records of the search `params` describe, whatever page or
        search_after point they name.

        `permalink` turns a record id into the address of its page (the caller knows the host).
        """
        # One request of `limit` hits: within OpenSearch's result window, and past the API's
        # page-size cap on purpose (that cap is for people paging, not for an export).
        window = replace(params, page=1, size=self.limit, search_after=None, total_bound=None)  # total exact
        result = self.search.search(identity, window)
        return ResultExport(result.total, [export_row(hit, permalink) for hit in result.hits[:self.limit]])
