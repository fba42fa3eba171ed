"""A fonds as one EAD 2002 finding aid (oai_ead), shaped as AtoM sends it and as indexer/mapping/ead.py reads
it: `<archdesc level="fonds">` and under `<dsc>` a `<c>` for each series, file and item an anonymous reader
may see (a component under one they may not see is left out with it: it would have nowhere to hang).

A component's `<unitid>` is its id after its parent's (`…/HS002` under `…`), so a harvester that names
components by parent and unitid, as ours does, gets the same ids back. Files as in oai_dc: only where an
anonymous reader may download them, as the portal's links.
"""
from __future__ import annotations

from lxml import etree

from portal.oai.dublin_core import ACCESS_WORDING, FONDS_STATUS_WORDING, FileUrl, RecordUrl, date_span, \
    downloadable_files
from schema.creator_types import ead_name_element

EAD_NS = "urn:isbn:1-931666-22-9"
EAD_SCHEMA = "http://www.loc.gov/ead/ead.xsd"
XLINK_NS = "http://www.w3.org/1999/xlink"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_LANGUAGES = {"vi": "vie", "en": "eng", "fr": "fre", "zh": "chi", "ru": "rus"}


def _e(parent, name: str, text: str | None = None, **attributes) -> etree._Element:
    element = etree.SubElement(parent, f"{{{EAD_NS}}}{name}", **{k: v for k, v in attributes.items() if v})
    if text:
        element.text = text
    return element


def ead_element(fonds: dict, below: list[dict], record_url: RecordUrl, file_url: FileUrl) -> etree._Element:
    ead = etree.Element(f"{{{EAD_NS}}}ead", nsmap={None: EAD_NS, "xlink": XLINK_NS, "xsi": XSI_NS})
    ead.set(f"{{{XSI_NS}}}schemaLocation", f"{EAD_NS} {EAD_SCHEMA}")
    header = _e(ead, "eadheader")
    _e(header, "eadid", fonds.get("reference_code") or fonds["id"], countrycode="VN", url=record_url(fonds["id"]))
    filedesc = _e(header, "filedesc")
    _e(_e(filedesc, "titlestmt"), "titleproper", fonds.get("title"))
    if fonds.get("holding_province_name"):
        _e(_e(filedesc, "publicationstmt"), "publisher", fonds["holding_province_name"])
    archdesc = _e(ead, "archdesc", level="fonds")
    _describe(archdesc, fonds, None, file_url)
    children: dict[str, list[dict]] = {}
    for record in below:
        children.setdefault(record.get("parent_id"), []).append(record)
    if children.get(fonds["id"]):
        _components(_e(archdesc, "dsc"), fonds, children, file_url)
    return ead


def _components(holder, parent: dict, children: dict[str, list[dict]], file_url: FileUrl) -> None:
    for child in children.get(parent["id"], []):
        component = _e(holder, "c", level=child.get("level") if child.get("level") in
                       ("series", "file", "item") else None)
        _describe(component, child, parent, file_url)
        _components(component, child, children, file_url)


def own_unitid(record: dict, parent: dict | None) -> str:
    """The archdesc's reference code; a component's id after its parent's."""
    if parent is None:
        return record.get("reference_code") or record["id"]
    prefix = parent["id"] + "/"
    return record["id"][len(prefix):] if record["id"].startswith(prefix) else record["id"].rsplit("/", 1)[-1]


def _describe(unit, record: dict, parent: dict | None, file_url: FileUrl) -> None:
    did = _e(unit, "did")
    _e(did, "unittitle", record.get("title"))
    _e(did, "unitid", own_unitid(record, parent))
    if record.get("doc_number"):
        _e(did, "unitid", record["doc_number"], type="số ký hiệu")
    if span := date_span(record):
        _e(did, "unitdate", span.replace("/", " – "), normal=span)
    if record.get("extent") or record.get("doc_type"):
        physdesc = _e(did, "physdesc")
        if record.get("extent"):
            _e(physdesc, "extent", record["extent"])
        if record.get("doc_type"):
            _e(physdesc, "genreform", record["doc_type"])
    if record.get("creator") or record.get("signer"):
        origination = _e(did, "origination")
        if record.get("creator"):
            _e(origination, ead_name_element(record.get("creator_type")), record["creator"])
        if record.get("signer"):
            _e(origination, "persname", record["signer"])
    if record.get("language"):
        _e(_e(did, "langmaterial"), "language", _LANGUAGES.get(record["language"], record["language"]),
           langcode=_LANGUAGES.get(record["language"], record["language"]))
    for number, entry in downloadable_files(record):
        _e(did, "dao", **{f"{{{XLINK_NS}}}href": file_url(record["id"], number),
                          f"{{{XLINK_NS}}}title": entry.get("name"), f"{{{XLINK_NS}}}type": "simple"})
    if record.get("level") == "fonds" and record.get("fonds_status") in FONDS_STATUS_WORDING:
        _e(_e(unit, "odd", type="fondsStatus"), "p", FONDS_STATUS_WORDING[record["fonds_status"]])
    if record.get("level") == "fonds" and record.get("admin_history"):
        _e(_e(unit, "bioghist"), "p", record["admin_history"])
    if record.get("description"):
        _e(_e(unit, "scopecontent"), "p", record["description"])
    if parent is None or record.get("access") != parent.get("access"):
        _e(_e(unit, "accessrestrict"), "p", ACCESS_WORDING.get(record.get("access"), ""))
    subjects, places = record.get("subjects") or [], record.get("places") or []
    if subjects or places or (parent is None and record.get("origin_province_name")):
        access_points = _e(unit, "controlaccess")
        for subject in subjects:
            _e(access_points, "subject", subject)
        for place in places or ([record["origin_province_name"]] if record.get("origin_province_name") else []):
            _e(access_points, "geogname", place)
