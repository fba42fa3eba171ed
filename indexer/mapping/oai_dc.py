"""Simple Dublin Core (oai_dc) → the record schema, following the profile the provincial
archives publish (demo/OAI_DC_PROFILE.md):

  dc:type       the level (fonds/series/file/item, or phông/mục lục/hồ sơ/văn bản), then the
                document type for items, or for a fonds `phông đóng` / `phông mở` (its status)
  dc:identifier the reference code, and the record's landing page (a URL)
  dc:relation   `isPartOf:<local id>` for each ancestor, root first; file URLs
  dc:rights     the access level; dc:coverage the origin province; dc:source the doc number
  a fonds only: the dc:description labelled `Lịch sử đơn vị hình thành phông: ` is its administrative
                history, the dc:format labelled `Khối lượng: ` its extent (English labels accepted too);
                other dc:format values (media types) are not read
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from indexer.errors import RecordError
from indexer.mapping.access_levels import map_access
from indexer.mapping.dates import parse_date_range
from indexer.mapping.text import clean_text
from indexer.mapping.placement import placement_fields
from schema.access_policy import DEFAULT_POLICY, AccessPolicy
from schema.provinces import resolve_origin
from schema.record import record_id

DC_NS = "http://purl.org/dc/elements/1.1/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
_DC_TAG_PREFIX = "{%s}" % DC_NS

_LEVEL_WORDS = {
    "fonds": "fonds", "phông": "fonds", "phông lưu trữ": "fonds", "collection": "fonds",
    "series": "series", "mục lục": "series", "nhóm": "series", "subseries": "series",
    "file": "file", "hồ sơ": "file",
    "item": "item", "văn bản": "item", "tài liệu": "item",
}
_PART_OF = "ispartof:"
# Fonds status words in dc:type; never a document type.
_FONDS_STATUS_WORDS = {
    "phông đóng": "closed", "phông mở": "open", "closed fonds": "closed", "open fonds": "open",
}
# Labels an AtoM-like exporter puts before a fonds' administrative history and extent, Vietnamese or English.
_ADMIN_HISTORY_LABEL = re.compile(
    r"(?:lịch sử (?:đơn vị )?hình thành phông|administrative(?: ?/ ?biographical)? history) ?: ?", re.IGNORECASE
)
_EXTENT_LABEL = re.compile(r"(?:khối lượng(?: tài liệu)?|extent(?: and medium)?) ?: ?", re.IGNORECASE)


@dataclass
class MappedRecord:
    document: dict
    file_urls: list[str] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (kind, message) for the run's report
    # Rights statements the source's policy and the portal's vocabularies do not know: the report counts them.
    unrecognised_access: tuple[str, ...] = ()


def map_oai_dc(
    metadata: etree._Element, *, source_id: str, local_id: str, holding_province: str,
    access_policy: AccessPolicy = DEFAULT_POLICY,
) -> MappedRecord:
    if metadata is None or not isinstance(metadata.tag, str) or not metadata.tag.startswith("{%s}" % OAI_DC_NS):
        raise RecordError("mapping", "the record has no oai_dc metadata")
    values = _dc_values(metadata)

    title = clean_text(_first(values, "title"))
    if not title:
        raise RecordError("mapping", "the record has no dc:title")

    level, doc_type, fonds_status = _level_type_and_status(values.get("type", []))
    descriptions = [clean_text(value, keep_newlines=True) for value in values.get("description", [])]
    admin_history = extent = None
    if level == "fonds":
        admin_histories, descriptions = _split_labelled(descriptions, _ADMIN_HISTORY_LABEL)
        extents, _ = _split_labelled([clean_text(value) for value in values.get("format", [])], _EXTENT_LABEL)
        admin_history = "\n".join(admin_histories) or None
        extent = "; ".join(extents) or None
    else:
        fonds_status = None  # open or closed is said of a fonds only
    reference_code, source_url = _identifiers(values.get("identifier", []))
    ancestors, file_urls = _relations(values.get("relation", []))
    access = map_access(values.get("rights", []), access_policy)
    dates = parse_date_range(_first(values, "date"))
    origin = resolve_origin(clean_text(_first(values, "coverage")))

    document = {
        **placement_fields(source_id, local_id, holding_province, origin, level,
                           [record_id(source_id, ancestor) for ancestor in ancestors]),
        "reference_code": reference_code,
        "title": title,
        # One description is clean already (clean_text gives what it is given back): not normalised twice.
        "description": descriptions[0] if len(descriptions) == 1 else clean_text(" ".join(descriptions),
                                                                                 keep_newlines=True),
        "creator": clean_text(_first(values, "creator")) or None,
        "signer": clean_text(_first(values, "contributor")) or None,
        "doc_number": clean_text(_first(values, "source")) or None,
        "doc_type": doc_type,
        "date_start": dates[0] if dates else None,
        "date_end": dates[1] if dates else None,
        "year_start": int(dates[0][:4]) if dates else None,
        "year_end": int(dates[1][:4]) if dates else None,
        "language": clean_text(_first(values, "language")) or None,
        "access": access.level,
        "access_reason": access.reason,
        "subjects": [cleaned for s in values.get("subject", []) if (cleaned := clean_text(s))],
        "fonds_status": fonds_status,
        "admin_history": admin_history,
        "extent": extent,
        "source_url": source_url,
        "deleted": False,
    }
    return MappedRecord(document=document, file_urls=file_urls, unrecognised_access=access.unrecognised)


def _dc_values(metadata: etree._Element) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for element in metadata:
        tag = element.tag
        if not isinstance(tag, str) or not tag.startswith(_DC_TAG_PREFIX):
            continue  # comments, processing instructions, other vocabularies
        # Most elements hold plain text; itertext() is for the few with markup inside.
        text = (element.text or "") if len(element) == 0 else "".join(element.itertext())
        text = text.strip()
        if text:
            values.setdefault(tag[len(_DC_TAG_PREFIX):], []).append(text)
    return values


def _first(values: dict[str, list[str]], name: str) -> str:
    found = values.get(name)
    return found[0] if found else ""


def _level_type_and_status(types: list[str]) -> tuple[str, str | None, str | None]:
    level = doc_type = fonds_status = None
    for value in types:
        word = clean_text(value).lower()
        if level is None and word in _LEVEL_WORDS:
            level = _LEVEL_WORDS[word]
        elif word in _FONDS_STATUS_WORDS:
            fonds_status = fonds_status or _FONDS_STATUS_WORDS[word]
        elif doc_type is None:
            doc_type = clean_text(value)
    return level or "item", doc_type, fonds_status


def _split_labelled(values: list[str], label: re.Pattern) -> tuple[list[str], list[str]]:
    """(what follows the label in the values that start with it, the other values), of cleaned values;
    a label with nothing after it is dropped."""
    labelled, others = [], []
    for value in values:
        found = label.match(value)
        if not found:
            others.append(value)
        elif value[found.end():].strip():
            labelled.append(value[found.end():].strip())
    return labelled, others


def _identifiers(identifiers: list[str]) -> tuple[str | None, str | None]:
    reference_code = source_url = None
    for value in identifiers:
        value = clean_text(value)
        if value.startswith(("http://", "https://")):
            source_url = source_url or value
        elif value:
            reference_code = reference_code or value
    return reference_code, source_url


def _relations(relations: list[str]) -> tuple[list[str], list[str]]:
    ancestors, file_urls = [], []
    for value in relations:
        value = clean_text(value)
        if value.lower().startswith(_PART_OF):
            ancestor = value[len(_PART_OF):].strip()
            if ancestor:
                ancestors.append(ancestor)
        elif value.startswith(("http://", "https://")):
            file_urls.append(value)
    return ancestors, file_urls
