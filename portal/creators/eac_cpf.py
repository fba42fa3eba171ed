"""A creator as EAC-CPF 2010 (urn:isbn:1-931666-33-4), valid against the SAA's schema, built from what the
reader may see of it (portal.creators.service.CreatorView): its name forms, the provinces its records came
from, the histories of its fonds (biogHist), and the fonds it created (resourceRelation creatorOf, linked to
their pages on the portal)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

from lxml import etree

from portal.creators.service import CreatorView
from portal.export.citation import clean_text

EAC_NS = "urn:isbn:1-931666-33-4"
XLINK_NS = "http://www.w3.org/1999/xlink"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = "urn:isbn:1-931666-33-4 https://eac.staatsbibliothek-berlin.de/schema/cpf.xsd"
# The rules the names follow; an NMTOKEN, which the name forms refer to.
CONVENTION = "ISAAR-CPF"
AGENCY = "Cổng thông tin lưu trữ liên thông (Federated archives portal)"


def _el(parent, name: str, text=None, **attributes):
    element = etree.SubElement(parent, f"{{{EAC_NS}}}{name}", {k: v for k, v in attributes.items() if v})
    if text is not None:
        element.text = text
    return element


def _link(parent, name: str, href: str, **attributes):
    return _el(parent, name, **attributes, **{f"{{{XLINK_NS}}}href": href, f"{{{XLINK_NS}}}type": "simple"})


def record_id(creator_id: int) -> str:
    return f"vn-archives-portal-creator-{creator_id}"


def eac_cpf(view: CreatorView, page_url: str, record_url: Callable[[str], str],
            now: datetime | None = None) -> bytes:
    """The EAC-CPF document; `page_url` is the creator's page, `record_url(id)` a record's page."""
    now = now or datetime.now(timezone.utc)
    root = etree.Element(f"{{{EAC_NS}}}eac-cpf", nsmap={None: EAC_NS, "xlink": XLINK_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", SCHEMA_LOCATION)
    _control(root, view, page_url, record_url, now)
    description = _el(root, "cpfDescription")
    identity = _el(description, "identity")
    _el(identity, "entityId", page_url)
    _el(identity, "entityType", view.creator.entity_type)
    names = _el(identity, "nameEntry", **{"{http://www.w3.org/XML/1998/namespace}lang": "vi"})
    _el(names, "part", clean_text(view.authorised_name))
    _el(names, "authorizedForm", CONVENTION)
    for other in view.other_names:
        entry = _el(identity, "nameEntry")
        _el(entry, "part", clean_text(other))
        _el(entry, "alternativeForm", CONVENTION)
    _description(description, view)
    fonds = [entry for holding in view.holdings for entry in holding.fonds]
    if fonds:
        relations = _el(description, "relations")
        for entry in fonds:
            relation = _link(relations, "resourceRelation", record_url(entry["id"]), resourceRelationType="creatorOf")
            _el(relation, "relationEntry", clean_text(entry.get("title")) or entry["id"])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _control(root, view: CreatorView, page_url: str, record_url, now: datetime) -> None:
    control = _el(root, "control")
    _el(control, "recordId", record_id(view.creator.id))
    _el(control, "maintenanceStatus", "derived")
    _el(control, "publicationStatus", "approved")
    _el(_el(control, "maintenanceAgency"), "agencyName", AGENCY)
    language = _el(control, "languageDeclaration")
    _el(language, "language", "tiếng Việt", languageCode="vie")
    _el(language, "script", "Latin", scriptCode="Latn")
    convention = _el(control, "conventionDeclaration")
    _el(convention, "abbreviation", CONVENTION)
    _el(convention, "citation", "ISAAR(CPF): International Standard Archival Authority Record for Corporate "
                                "Bodies, Persons and Families, 2nd ed., ICA, 2004")
    history = _el(control, "maintenanceHistory")
    for moment, kind, what in ((view.creator.created_at, "derived", "Derived from the harvested descriptions"),
                               (now, "updated", "Exported with what this reader may see")):
        event = _el(history, "maintenanceEvent")
        _el(event, "eventType", kind)
        stamp = _utc(moment)
        _el(event, "eventDateTime", stamp.strftime("%Y-%m-%d %H:%M UTC"), standardDateTime=stamp.isoformat())
        _el(event, "agentType", "machine")
        _el(event, "agent", AGENCY)
        _el(event, "eventDescription", what)
    fonds = [entry for holding in view.holdings for entry in holding.fonds]
    if fonds:
        sources = _el(control, "sources")
        for entry in fonds:
            source = _link(sources, "source", record_url(entry["id"]))
            _el(source, "sourceEntry", clean_text(entry.get("title")) or entry["id"])


def _description(parent, view: CreatorView) -> None:
    dates = clean_text(view.creator.dates_of_existence)
    if not (dates or view.places or view.histories):
        return
    description = _el(parent, "description")
    if dates:  # as its admins wrote it: a date's words, not a normalised range
        _el(_el(description, "existDates"), "date", dates)
    if view.places:
        places = _el(description, "places")
        for name in view.places:
            _el(_el(places, "place"), "placeEntry", clean_text(name), countryCode="VN")
    if view.histories:
        history = _el(description, "biogHist")
        for entry in view.histories:
            for paragraph in filter(None, map(clean_text, str(entry["text"]).split("\n"))):
                _el(history, "p", paragraph)


def _utc(moment: datetime) -> datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc) \
        .replace(microsecond=0)
