"""A record as simple Dublin Core (oai_dc), in the profile the provincial archives publish and the portal's
own harvester reads (demo/OAI_DC_PROFILE.md, indexer/mapping/oai_dc.py), so that harvesting the portal
gives back the same records, titles and hierarchy.

Only what an anonymous reader may see: a restricted record's description, never its full text or its files
(neither their links nor their formats); a public record's files as the portal's own download links.
"""
from __future__ import annotations

from typing import Callable

from lxml import etree

from portal.access.identity import ANONYMOUS
from portal.access.policy import can_read_content

OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

# Thông tư 05/2025/TT-BNV's wording of the access levels, which every archive's harvester reads.
ACCESS_WORDING = {"public": "Công khai", "restricted": "Sử dụng có điều kiện", "closed": "Mật"}
FONDS_STATUS_WORDING = {"closed": "phông đóng", "open": "phông mở"}
ADMIN_HISTORY_LABEL = "Lịch sử đơn vị hình thành phông: "
EXTENT_LABEL = "Khối lượng: "
PART_OF = "isPartOf:"

RecordUrl = Callable[[str], str]
FileUrl = Callable[[str, int], str]


def date_span(document: dict) -> str | None:
    start, end = document.get("date_start"), document.get("date_end")
    if not start:
        return end
    return start if not end or end == start else f"{start}/{end}"


def downloadable_files(document: dict) -> list[tuple[int, dict]]:
    """(number, entry) of the files an anonymous reader may download: none of a record whose content is closed
    to them; of the others, those the portal holds or can fetch (numbered as the record page numbers them)."""
    if not can_read_content(ANONYMOUS, document):
        return []
    return [(number, entry) for number, entry in enumerate(document.get("files") or [], start=1)
            if entry.get("url") or entry.get("package_path")]


def dc_element(document: dict, record_url: RecordUrl, file_url: FileUrl) -> etree._Element:
    dc = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS})
    dc.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} {OAI_DC_SCHEMA}")

    def add(name: str, value) -> None:
        if value not in (None, ""):
            etree.SubElement(dc, f"{{{DC_NS}}}{name}").text = str(value)

    level = document.get("level")
    files = downloadable_files(document)
    add("title", document.get("title"))
    add("identifier", document.get("reference_code"))
    add("identifier", record_url(document["id"]))
    add("type", level)
    add("type", FONDS_STATUS_WORDING.get(document.get("fonds_status")) if level == "fonds"
        else document.get("doc_type"))
    add("description", document.get("description"))
    if level == "fonds" and document.get("admin_history"):
        add("description", ADMIN_HISTORY_LABEL + document["admin_history"])
    add("creator", document.get("creator"))
    add("contributor", document.get("signer"))
    add("publisher", document.get("holding_province_name"))
    add("date", date_span(document))
    add("coverage", document.get("origin_province_name"))
    add("rights", ACCESS_WORDING.get(document.get("access")))
    for ancestor in document.get("path") or []:
        add("relation", PART_OF + ancestor)
    for number, _ in files:
        add("relation", file_url(document["id"], number))
    for subject in document.get("subjects") or []:
        add("subject", subject)
    add("language", document.get("language"))
    for media_type in dict.fromkeys(entry.get("media_type") for _, entry in files if entry.get("media_type")):
        add("format", media_type)
    if level == "fonds" and document.get("extent"):
        add("format", EXTENT_LABEL + document["extent"])
    add("source", document.get("doc_number"))
    return dc
