"""A finding aid as EAD 2002 (urn:isbn:1-931666-22-9), valid against the Library of Congress schema.

The fonds is the `archdesc`, its series, files and items nested `c` elements under `dsc`; each
record's id goes in `unitid/@identifier` (ids hold ':' and '/', which an xs:ID may not). Files the
reader may open are `dao` links to the portal's download address, never to where the archive keeps
them. Text goes through `clean_text`: XML 1.0 cannot hold most control characters.
"""
from __future__ import annotations

from lxml import etree

from portal.export.citation import clean_text, date_span, holding_archive_name, iso_date
from portal.export.finding_aid import Component, FindingAid
from schema.creator_types import ead_name_element

EAD_NS = "urn:isbn:1-931666-22-9"
XLINK_NS = "http://www.w3.org/1999/xlink"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = "urn:isbn:1-931666-22-9 https://www.loc.gov/ead/ead.xsd"
# ISO 639-2/B, what EAD 2002's @langcode names; the index keeps ISO 639-1.
_LANGUAGE_639_2 = {"vi": "vie", "en": "eng", "fr": "fre", "zh": "chi", "km": "khm", "ru": "rus"}
_ACCESS_WORDS = {"public": "Công khai", "restricted": "Sử dụng có điều kiện", "closed": "Mật"}


def _el(parent, name: str, text=None, **attributes):
    element = etree.SubElement(parent, f"{{{EAD_NS}}}{name}", {k: v for k, v in attributes.items() if v})
    if text is not None:
        element.text = text
    return element


def _paragraphs(parent, name: str, text) -> None:
    cleaned = clean_text(text)
    if cleaned:
        _el(_el(parent, name), "p", cleaned)


def _unitdate(parent, record: dict) -> None:
    span = date_span(record.get("date_start"), record.get("date_end"))
    if not span:
        return
    start = iso_date(span.start)
    shown = start if not span.end else f"{start} – {iso_date(span.end)}"
    normal = start if not span.end else f"{start}/{iso_date(span.end)}"
    _el(parent, "unitdate", shown, normal=normal, **({"type": "inclusive"} if span.end else {}))


def _did(parent, component: Component, finding_aid: FindingAid):
    record = component.record
    did = _el(parent, "did")
    if component is finding_aid.fonds:
        archive = holding_archive_name(record.get("holding_province"))
        if archive:
            _el(_el(did, "repository"), "corpname", archive)
    if creator := clean_text(record.get("creator")):
        origination = _el(did, "origination", label="Cơ quan, đơn vị hình thành")
        _el(origination, ead_name_element(record.get("creator_type")), creator)
    _el(did, "unittitle", clean_text(record.get("title")) or clean_text(record.get("reference_code")) or record["id"])
    _el(did, "unitid", clean_text(record.get("reference_code")) or record["id"], countrycode="VN",
        identifier=record["id"])
    if doc_number := clean_text(record.get("doc_number")):
        _el(did, "unitid", doc_number, type="doc_number", label="Số và ký hiệu")
    _unitdate(did, record)
    extent = clean_text(record.get("extent"))
    sheets = record.get("sheets")
    if extent or sheets:
        physdesc = _el(did, "physdesc")
        if extent:
            _el(physdesc, "extent", extent)
        if sheets:
            _el(physdesc, "extent", f"{sheets} tờ", unit="tờ")
    if language := clean_text(record.get("language")):
        _el(_el(did, "langmaterial"), "language", language, langcode=_LANGUAGE_639_2.get(language, language))
    for number, entry in enumerate(component.files, start=1):
        if entry.get("url") or entry.get("package_path"):
            dao = _el(did, "dao")
            dao.set(f"{{{XLINK_NS}}}type", "simple")
            dao.set(f"{{{XLINK_NS}}}href", finding_aid.download_url(record["id"], number))
            dao.set(f"{{{XLINK_NS}}}title", clean_text(entry.get("name")) or str(number))
    return did


def _description(parent, component: Component, finding_aid: FindingAid) -> None:
    record = component.record
    _did(parent, component, finding_aid)
    _paragraphs(parent, "bioghist", record.get("admin_history"))
    _paragraphs(parent, "scopecontent", record.get("description"))
    access = _ACCESS_WORDS.get(record.get("access"), record.get("access"))
    reason = clean_text(record.get("access_reason"))
    if access:
        restrict = _el(parent, "accessrestrict", type=record.get("access"))
        _el(restrict, "p", f"{access}. {reason}" if reason else access)
    terms = [("subject", value) for value in record.get("subjects") or []]
    terms += [("geogname", value) for value in record.get("places") or []]
    if doc_type := clean_text(record.get("doc_type")):
        terms.append(("genreform", doc_type))
    terms = [(name, clean_text(value)) for name, value in terms if clean_text(value)]
    if terms:
        controlaccess = _el(parent, "controlaccess")
        for name, value in terms:
            _el(controlaccess, name, value)
    _el(_el(parent, "otherfindaid"), "p").append(_extref(finding_aid.permalink(record["id"])))


def _extref(url: str):
    element = etree.Element(f"{{{EAD_NS}}}extref")
    element.set(f"{{{XLINK_NS}}}type", "simple")
    element.set(f"{{{XLINK_NS}}}href", url)
    element.text = url
    return element


def _components(parent, component: Component, finding_aid: FindingAid) -> None:
    for child in component.components:
        c = _el(parent, "c", level=child.record.get("level") if child.record.get("level") in (
            "fonds", "series", "file", "item", "subseries", "recordgrp", "subgrp", "collection", "subfonds",
            "class") else None)
        if not c.get("level") and child.record.get("level"):
            c.set("level", "otherlevel")
            c.set("otherlevel", str(child.record["level"]))
        _description(c, child, finding_aid)
        _components(c, child, finding_aid)


def render_ead(finding_aid: FindingAid) -> bytes:
    fonds = finding_aid.fonds.record
    root = etree.Element(f"{{{EAD_NS}}}ead", nsmap={None: EAD_NS, "xlink": XLINK_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", SCHEMA_LOCATION)
    header = _el(root, "eadheader", langencoding="iso639-2b", countryencoding="iso3166-1",
                 dateencoding="iso8601", scriptencoding="iso15924", repositoryencoding="iso15511")
    _el(header, "eadid", fonds["id"], countrycode="VN", url=finding_aid.permalink(fonds["id"]))
    filedesc = _el(header, "filedesc")
    _el(_el(filedesc, "titlestmt"), "titleproper", clean_text(fonds.get("title")) or fonds["id"])
    publication = _el(filedesc, "publicationstmt")
    _el(publication, "publisher", holding_archive_name(fonds.get("holding_province"))
        or clean_text(fonds.get("holding_province_name")) or "Cổng thông tin lưu trữ")
    stamp = finding_aid.generated_at
    _el(publication, "date", stamp.date().isoformat(), normal=stamp.date().isoformat())
    profile = _el(header, "profiledesc")
    _el(profile, "creation", "Xuất từ Cổng thông tin lưu trữ, gồm những gì người xuất được xem "
                             f"({finding_aid.count} đơn vị mô tả), lúc {stamp.isoformat(timespec='seconds')}.")
    _el(_el(profile, "langusage"), "language", "tiếng Việt", langcode="vie")
    level = fonds.get("level") if fonds.get("level") in ("fonds", "series", "file", "item") else "otherlevel"
    archdesc = _el(root, "archdesc", level=level,
                   **({"otherlevel": str(fonds.get("level"))} if level == "otherlevel" else {}))
    _description(archdesc, finding_aid.fonds, finding_aid)
    if finding_aid.fonds.components:
        _components(_el(archdesc, "dsc"), finding_aid.fonds, finding_aid)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
