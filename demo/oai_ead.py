"""A fonds and everything under it as one EAD 2002 finding aid, shaped like AtoM's oai_ead output.

`<archdesc level="fonds">` describes the fonds; `<dsc>` nests a `<c>` for each series, file and item. A unit
says its access level (`<accessrestrict>`) only where it differs from its parent's, as cataloguers write it;
the harvester's mapping inherits the rest. An item's document number is a second `<unitid type="số ký hiệu">`,
its files `<dao>` links. Changing this changes the contract with indexer/mapping/ead.py.
"""

from __future__ import annotations

import hashlib

from lxml import etree

from demo.models import ACCESS_WORDING, FONDS_STATUS_WORDING, Archive, DemoRecord
from demo.oai_xml import SCHEMA_LOCATION, XSI_NS

EAD_NS = "urn:isbn:1-931666-22-9"
EAD_SCHEMA = "http://www.loc.gov/ead/ead.xsd"
XLINK_NS = "http://www.w3.org/1999/xlink"
METADATA_PREFIX = "oai_ead"


def _e(parent, name: str, text: str | None = None, **attributes) -> etree._Element:
    element = etree.SubElement(parent, f"{{{EAD_NS}}}{name}", **{k: v for k, v in attributes.items() if v})
    if text:
        element.text = text
    return element


def ead_element(archive: Archive, fonds: DemoRecord, record_url, file_url) -> etree._Element:
    """<ead> for a fonds; `record_url(record)` and `file_url(record, name)` give the links."""
    ead = etree.Element(f"{{{EAD_NS}}}ead", nsmap={None: EAD_NS, "xlink": XLINK_NS, "xsi": XSI_NS})
    ead.set(SCHEMA_LOCATION, f"{EAD_NS} {EAD_SCHEMA}")
    ead.set("relatedencoding", "ISAD(G)v2")
    header = _e(ead, "eadheader", langencoding="iso639-2b", countryencoding="iso3166-1", dateencoding="iso8601",
                repositoryencoding="iso15511", scriptencoding="iso15924", relatedencoding="DC")
    _e(header, "eadid", fonds.reference_code, identifier=fonds.reference_code, countrycode="VN",
       mainagencycode=archive.slug.upper(), url=record_url(fonds), encodinganalog="Identifier")
    filedesc = _e(header, "filedesc")
    _e(_e(filedesc, "titlestmt"), "titleproper", fonds.title, encodinganalog="Title")
    _e(_e(filedesc, "publicationstmt"), "publisher", archive.name, encodinganalog="Publisher")
    profile = _e(header, "profiledesc")
    _e(_e(profile, "langusage"), "language", "Tiếng Việt", langcode="vie")
    archdesc = _e(ead, "archdesc", level="fonds", relatedencoding="ISAD(G)v2")
    _describe(archdesc, archive, fonds, None, record_url, file_url)
    children = _children_by_parent(archive)
    dsc = _e(archdesc, "dsc", type="combined")
    _components(dsc, archive, fonds, children, record_url, file_url)
    return ead


def _children_by_parent(archive: Archive) -> dict[str, list[DemoRecord]]:
    children: dict[str, list[DemoRecord]] = {}
    for record in archive.records:
        if record.parent_id and not record.deleted:
            children.setdefault(record.parent_id, []).append(record)
    return children


def _components(holder, archive, parent: DemoRecord, children, record_url, file_url) -> None:
    for child in children.get(parent.local_id, []):
        component = _e(holder, "c", level=child.level,
                       id="md5-" + hashlib.md5(child.local_id.encode("utf-8")).hexdigest())
        _describe(component, archive, child, parent, record_url, file_url)
        _components(component, archive, child, children, record_url, file_url)


def _describe(unit, archive: Archive, record: DemoRecord, parent: DemoRecord | None, record_url, file_url) -> None:
    did = _e(unit, "did")
    _e(did, "unittitle", record.title, encodinganalog="3.1.2")
    own_code = record.reference_code if parent is None else record.local_id.rsplit("/", 1)[-1]
    _e(did, "unitid", own_code, encodinganalog="3.1.1",
       countrycode="VN" if parent is None else None, repositorycode=archive.slug.upper() if parent is None else None)
    if record.doc_number:
        _e(did, "unitid", record.doc_number, type="số ký hiệu")
    normal = record.date_start if record.date_start == record.date_end else f"{record.date_start}/{record.date_end}"
    _e(did, "unitdate", normal.replace("/", " – "), normal=normal, encodinganalog="3.1.3")
    if record.extent or record.doc_type:
        physdesc = _e(did, "physdesc")
        if record.extent:
            _e(physdesc, "extent", record.extent, encodinganalog="3.1.5")
        if record.doc_type:
            _e(physdesc, "genreform", record.doc_type)
    if parent is None:
        _e(_e(did, "repository"), "corpname", archive.name)
    if parent is None or record.signer:
        origination = _e(did, "origination", encodinganalog="3.2.1")
        if parent is None:
            _e(origination, "corpname", record.creator)
        if record.signer:
            _e(origination, "persname", record.signer)
    _e(_e(did, "langmaterial"), "language", "Tiếng Việt", langcode="vie")
    for demo_file in record.files:
        _e(did, "dao", **{f"{{{XLINK_NS}}}href": file_url(record, demo_file.name),
                          f"{{{XLINK_NS}}}title": demo_file.name, "linktype": "simple"})
    if record.fonds_status:
        _e(_e(unit, "odd", type="fondsStatus"), "p", FONDS_STATUS_WORDING[record.fonds_status])
    if record.admin_history:
        _e(_e(unit, "bioghist", encodinganalog="3.2.2"), "p", record.admin_history)
    if record.description:
        _e(_e(unit, "scopecontent", encodinganalog="3.3.1"), "p", record.description)
    if parent is None or record.access != parent.access:
        _e(_e(unit, "accessrestrict", encodinganalog="3.4.1"), "p", ACCESS_WORDING[record.access])
    if parent is None:
        access_points = _e(unit, "controlaccess")
        for subject in record.subjects:
            _e(access_points, "subject", subject)
        _e(access_points, "geogname", record.origin_province_name)
