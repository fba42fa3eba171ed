"""Citations of one record in CSL-JSON, BibTeX and RIS.

The formatters are pure functions of a `CitedRecord`. `CitationService` fetches the record
through the record service, so the one permission filter decides who may cite it (a record
the identity may not know of is RecordNotFound, as on the record page); it knows nothing of
HTTP and never reads the record's content.
"""
from __future__ import annotations

import calendar
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import vietnam_provinces

from portal.access.identity import Identity
from portal.export import FileFormat, choose_format
from portal.records.service import RecordService
from schema.provinces import province_name

# Every kind of line break and other control character becomes one space: a title holding a
# newline must not start a new RIS tag (an injected "ER  - ") or a new BibTeX field.
_WHITESPACE = re.compile(r"\s+")


def clean_text(value) -> str | None:
    """NFC, control characters gone, whitespace collapsed; None for nothing left."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", str(value))
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text)
    text = _WHITESPACE.sub(" ", text).strip()
    return text or None


def holding_archive_name(province_code: str | None) -> str | None:
    """The historical archive of one of the 34: 'Trung tâm Lưu trữ lịch sử tỉnh Vĩnh Long',
    '… thành phố Huế' (its kind of unit comes from vietnam-provinces)."""
    try:
        province = vietnam_provinces.Province.from_code(int(str(province_code)))
    except (TypeError, ValueError, KeyError, AttributeError):
        return None
    name = province.name
    if province.division_type == vietnam_provinces.VietNamDivisionType.THANH_PHO_TRUNG_UONG:
        return f"Trung tâm Lưu trữ lịch sử thành phố {name.removeprefix('Thành phố ').strip()}"
    return f"Trung tâm Lưu trữ lịch sử tỉnh {name.removeprefix('Tỉnh ').strip()}"


# --- dates -------------------------------------------------------------------------------------------------------
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ].*)?$")


@dataclass(frozen=True)
class DateSpan:
    """A record's dates at the precision they denote: (1976,), (1976, 3) or (1976, 3, 5);
    `end` is None when the span is a single year, month or day."""

    start: tuple[int, ...]
    end: tuple[int, ...] | None = None


def _day_range(value: str | None) -> tuple[date, date] | None:
    """The first and last day a stored date ('1976', '1976-03', '1976-03-05…') denotes."""
    match = _PARTIAL_DATE.match((value or "").strip())
    if not match:
        return None
    year, month, day = int(match[1]), match[2], match[3]
    try:
        if day:
            one = date(year, int(month), int(day))
            return one, one
        if month:
            last = calendar.monthrange(year, int(month))[1]
            return date(year, int(month), 1), date(year, int(month), last)
        return date(year, 1, 1), date(year, 12, 31)
    except ValueError:
        return None


def date_span(date_start: str | None, date_end: str | None) -> DateSpan | None:
    """The index keeps partial dates as ranges of whole days ('1976' is 1976-01-01 … 1976-12-31);
    a citation gives them back at the precision they had, inventing none."""
    first = _day_range(date_start) or _day_range(date_end)
    last = _day_range(date_end) or _day_range(date_start)
    if not first or not last:
        return None
    start, end = first[0], last[1]
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        parts = ((start.year,), (end.year,))
    elif start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]:
        parts = ((start.year, start.month), (end.year, end.month))
    else:
        parts = ((start.year, start.month, start.day), (end.year, end.month, end.day))
    return DateSpan(parts[0], None if parts[0] == parts[1] else parts[1])


def iso_date(parts: tuple[int, ...]) -> str:
    """(1976,) → '1976', (1976, 3) → '1976-03', (1976, 3, 5) → '1976-03-05'."""
    return "-".join([f"{parts[0]:04d}", *(f"{p:02d}" for p in parts[1:])])


# --- the record as cited -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CitedRecord:
    """What a citation says of a record: metadata only, cleaned for any output format."""

    id: str
    url: str
    title: str | None = None
    creator: str | None = None
    dates: DateSpan | None = None
    archive: str | None = None  # the holding archive's name
    archive_place: str | None = None  # the holding province's name
    reference_code: str | None = None
    doc_number: str | None = None
    doc_type: str | None = None
    language: str | None = None

    @classmethod
    def from_record(cls, record: dict, url: str) -> CitedRecord:
        province = record.get("holding_province")
        return cls(
            id=record["id"],
            url=url,
            title=clean_text(record.get("title")),
            creator=clean_text(record.get("creator")),
            dates=date_span(record.get("date_start"), record.get("date_end")),
            archive=holding_archive_name(province),
            archive_place=clean_text(record.get("holding_province_name") or province_name(province or "")),
            reference_code=clean_text(record.get("reference_code")),
            doc_number=clean_text(record.get("doc_number")),
            doc_type=clean_text(record.get("doc_type")),
            language=clean_text(record.get("language")),
        )


# --- CSL-JSON ----------------------------------------------------------------------------------------------------
def to_csl_item(cited: CitedRecord) -> dict:
    """One CSL-JSON item of type manuscript, with the CSL archival variables."""
    item = {"id": cited.id, "type": "manuscript", "title": cited.title}
    if cited.creator:
        item["author"] = [{"literal": cited.creator}]  # an agency, not a person: never split
    if cited.dates:
        parts = [list(cited.dates.start)] + ([list(cited.dates.end)] if cited.dates.end else [])
        item["issued"] = {"date-parts": parts}
    item.update({
        "archive": cited.archive, "archive-place": cited.archive_place,
        "archive_location": cited.reference_code, "number": cited.doc_number,
        "genre": cited.doc_type, "language": cited.language, "URL": cited.url,
    })
    return {key: value for key, value in item.items() if value is not None}


def to_csl_json(cited: CitedRecord) -> str:
    """A CSL-JSON document: an array of one item (what citeproc processors and Zotero read)."""
    return json.dumps([to_csl_item(cited)], ensure_ascii=False, indent=2) + "\n"


# --- BibTeX ------------------------------------------------------------------------------------------------------
_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "%": r"\%",
    "#": r"\#", "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
}


def bibtex_escape(text: str) -> str:
    """LaTeX's special characters escaped; Vietnamese letters kept as UTF-8 (biber, XeLaTeX)."""
    return "".join(_BIBTEX_SPECIAL.get(ch, ch) for ch in text)


def _bibtex_url(url: str) -> str:
    # A URL goes to \url verbatim; only braces and backslashes could break the field.
    return "".join(f"%{ord(ch):02X}" if ch in "{}\\" else ch for ch in url)


def bibtex_key(record_id: str) -> str:
    """A stable key from the id: 'vinhlong:VL.UBND/ML01/HS002' → 'vinhlong_VL.UBND_ML01_HS002'."""
    folded = record_id.replace("đ", "d").replace("Đ", "D")
    folded = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    key = re.sub(r"[^A-Za-z0-9.\-]+", "_", folded).strip("_.-")
    return key or "record_" + hashlib.sha256(record_id.encode()).hexdigest()[:12]


def to_bibtex(cited: CitedRecord) -> str:
    fields: list[tuple[str, str]] = []
    if cited.creator:
        fields.append(("author", "{" + bibtex_escape(cited.creator) + "}"))  # a body, not "Last, First"
    if cited.title:
        fields.append(("title", "{" + bibtex_escape(cited.title) + "}"))  # case kept as written
    if cited.dates:
        start, end = cited.dates.start, cited.dates.end
        fields.append(("year", str(start[0]) if not end or end[0] == start[0] else f"{start[0]}--{end[0]}"))
        fields.append(("date", iso_date(start) + (f"/{iso_date(end)}" if end else "")))
    for name, value in (("type", cited.doc_type), ("number", cited.doc_number),
                        ("howpublished", cited.archive), ("address", cited.archive_place),
                        ("note", cited.reference_code)):
        if value:
            fields.append((name, bibtex_escape(value)))
    fields.append(("url", _bibtex_url(cited.url)))
    width = max(len(name) for name, _ in fields)
    body = ",\n".join(f"  {name.ljust(width)} = {{{value}}}" for name, value in fields)
    return f"@misc{{{bibtex_key(cited.id)},\n{body}\n}}\n"


# --- RIS ---------------------------------------------------------------------------------------------------------
def _ris_date(dates: DateSpan) -> str:
    """RIS DA is YYYY/MM/DD/other; a span's end goes in the free 'other' part."""
    parts = [f"{dates.start[0]:04d}", *(f"{p:02d}" for p in dates.start[1:])]
    parts += [""] * (3 - len(parts))
    other = f"{iso_date(dates.start)}–{iso_date(dates.end)}" if dates.end else ""
    return "/".join(parts) + "/" + other


def to_ris(cited: CitedRecord) -> str:
    lines = [("TY", "MANSCPT"), ("TI", cited.title), ("AU", cited.creator)]
    if cited.dates:
        lines += [("PY", f"{cited.dates.start[0]:04d}"), ("DA", _ris_date(cited.dates))]
    lines += [("M3", cited.doc_type), ("M1", cited.doc_number), ("AV", cited.archive),
              ("CY", cited.archive_place), ("CN", cited.reference_code), ("LA", cited.language),
              ("UR", cited.url)]
    text = "".join(f"{tag}  - {value}\r\n" for tag, value in lines if value)
    return text + "ER  - \r\n"


# --- formats and the service -------------------------------------------------------------------------------------
CITATION_FORMATS = {
    f.name: f for f in (
        FileFormat("csl-json", "application/vnd.citationstyles.csl+json", "json", to_csl_json),
        FileFormat("bibtex", "application/x-bibtex; charset=utf-8", "bib", to_bibtex),
        FileFormat("ris", "application/x-research-info-systems; charset=utf-8", "ris", to_ris),
    )
}
DEFAULT_CITATION_FORMAT = "csl-json"


def citation_format(name: str | None) -> FileFormat:
    return choose_format(CITATION_FORMATS, name, DEFAULT_CITATION_FORMAT)


@dataclass(frozen=True)
class Citation:
    text: str
    media_type: str
    filename: str


class CitationService:
    def __init__(self, records: RecordService):
        self.records = records

    def cite(self, identity: Identity, record_id: str, format_name: str | None,
             permalink: Callable[[str], str]) -> Citation:
        """The record cited in one format; RecordNotFound for one the identity may not know of.

        `permalink` turns a record id into the address of its page (the caller knows the host).
        """
        chosen = citation_format(format_name)
        record = self.records.get(identity, record_id)
        cited = CitedRecord.from_record(record, permalink(record["id"]))
        return Citation(chosen.render(cited), chosen.media_type,
                        f"{bibtex_key(cited.id)}.{chosen.extension}")
