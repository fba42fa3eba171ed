"""EAD 2002 finding aids, as AtoM's `oai_ead` sends them, → one record for every level described.

One OAI record carries a whole finding aid: `<archdesc level="fonds">` and, under `<dsc>`, nested
components (`<c>` or numbered `<c01>` … `<c12>`) at the levels series, file and item. Each becomes a
record of its own, with `parent_id` and `path` pointing at its ancestors.

  record ids     the archdesc takes the OAI record's local identifier; a component takes its parent's
                 local id + "/" + its own `<unitid>` (or its `id` attribute, or its position), so ids
                 stay the same from one harvest to the next while the finding aid keeps its unitids
  level          @level (fonds, collection, series, subseries, file, item, otherlevel + @otherlevel,
                 Vietnamese words accepted); a component without one is one level below its parent
  reference code the archdesc's `<unitid>`; a component's is its parent's + "." + its own unitid
                 (kept as it is when it already starts with the parent's code)
  dates          `<unitdate normal="1975/1990">`, else the text of `<unitdate>`
  access         `<accessrestrict>`; a component that says nothing inherits its parent's level
  origin         the first `<controlaccess><geogname>` naming a province, else the parent's, else the
                 `<origination>`, else the holding province
  creator        `<origination>`'s `<corpname>`, else `<persname>` (but an item's persname is its signer), else
                 `<famname>`; `creator_type` says which (corporateBody, person, family: EAC-CPF's words)
  items          `<unitid type="số ký hiệu">` (or type doc_number) the document number, `<genreform>`
                 its type, `<origination><persname>` its signer
  files          `<dao>` / `<daoloc>` links (xlink:href or href)
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import etree

from indexer.errors import RecordError
from indexer.mapping.access_levels import AccessDecision, map_access
from indexer.mapping.dates import parse_date_range
from indexer.mapping.oai_dc import MappedRecord
from indexer.mapping.text import clean_text
from indexer.mapping.placement import placement_fields
from schema.access_policy import DEFAULT_POLICY, AccessPolicy
from schema.creator_types import EAD_NAME_ELEMENTS
from schema.file_links import forbidden_address
from schema.provinces import OriginProvince, resolve_origin
from schema.record import record_id

EAD_NS = "urn:isbn:1-931666-22-9"
XLINK_NS = "http://www.w3.org/1999/xlink"

_LEVELS = {
    "fonds": "fonds", "collection": "fonds", "recordgrp": "fonds", "phông": "fonds",
    "subfonds": "series", "series": "series", "subseries": "series", "mục lục": "series", "nhóm": "series",
    "file": "file", "hồ sơ": "file",
    "item": "item", "văn bản": "item", "tài liệu": "item",
}
_BELOW = {"fonds": "series", "series": "file", "file": "item", "item": "item"}
_COMPONENT_TAGS = {"c"} | {f"c{n:02d}" for n in range(1, 13)}
_DOC_NUMBER_TYPES = {"doc_number", "documentnumber", "số ký hiệu", "số và ký hiệu", "so ky hieu"}
_FONDS_STATUS = {"phông đóng": "closed", "phông mở": "open", "closed": "closed", "open": "open"}
# ISO 639-2 codes AtoM writes in <language langcode>, to the two-letter codes the index keeps.
_LANGUAGE_CODES = {"vie": "vi", "eng": "en", "fre": "fr", "fra": "fr", "chi": "zh", "zho": "zh", "rus": "ru"}
_MAX_DEPTH = 12  # EAD numbers components c01 … c12; deeper nesting is not a finding aid we know


EAD3_NS = "http://ead3.archivists.org/schema/"


def map_ead(
    metadata: etree._Element, *, source_id: str, local_id: str, holding_province: str, local_files: bool = False,
    access_policy: AccessPolicy = DEFAULT_POLICY,
) -> list[MappedRecord]:
    """Every level of one finding aid, the archdesc first, then its components in document order.

    `local_files`: the finding aid comes inside a package, and its <dao> links name files in it (paths)
    rather than URLs.
    """
    if metadata is None or not isinstance(metadata.tag, str) or etree.QName(metadata).localname != "ead":
        raise RecordError("mapping", "the record has no EAD metadata (no <ead> element)")
    if etree.QName(metadata).namespace == EAD3_NS or _child(metadata, "control") is not None:
        raise RecordError("mapping", "this finding aid is EAD3, which the portal does not read yet: it reads EAD 2002 "
                                     "(urn:isbn:1-931666-22-9, or without a namespace); the archive can export "
                                     "EAD 2002, or ask for EAD3 support")
    archdesc = _child(metadata, "archdesc")
    if archdesc is None:
        raise RecordError("mapping", "the EAD finding aid has no <archdesc>")
    context = _Context(source_id, holding_province, local_files, access_policy)
    eadid = _child(_child(metadata, "eadheader"), "eadid")
    source_url = _catalogue_url(eadid.get("url") if eadid is not None else None)
    records: list[MappedRecord] = []
    context.describe(archdesc, local_id=local_id, parent=None, records=records, depth=0,
                     source_url=source_url)
    return records


def _catalogue_url(url: str | None) -> str | None:
    """eadid/@url as a link readers can follow, or None: "EAD Location" (ArchivesSpace's placeholder) is no
    address, and AtoM's own test finding aids name the producer's machine (http://localhost/~evelyn/qubit/…),
    which on a reader's screen would point at the reader's own computer."""
    url = clean_text(url)
    if not re.match(r"^https?://[^\s/]+", url):
        return None
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return None
    try:
        if forbidden_address(host) in ("loopback", "unspecified"):
            return None
    except ValueError:
        pass  # a name, not an address
    return url


class _Parent:
    """What a component inherits from the unit above it."""

    def __init__(self, local_id: str, level: str, reference_code: str | None, access: AccessDecision,
                 origin: OriginProvince | None, path: list[str]):
        self.local_id, self.level, self.reference_code = local_id, level, reference_code
        self.access, self.origin, self.path = access, origin, path


class _Context:
    def __init__(self, source_id: str, holding_province: str, local_files: bool, access_policy: AccessPolicy):
        self.source_id = source_id
        self.access_policy = access_policy
        self.local_files = local_files
        self.holding_province = holding_province
        self.seen: set[str] = set()

    def describe(self, unit: etree._Element, *, local_id: str, parent: _Parent | None,
                 records: list[MappedRecord], depth: int, source_url: str | None = None) -> None:
        if depth > _MAX_DEPTH:
            raise RecordError("mapping", f"the EAD components under {parent.local_id} nest deeper than {_MAX_DEPTH}")
        self.seen.add(local_id)
        did = _child(unit, "did")
        title = clean_text(_text(_child(did, "unittitle")))
        if not title:
            raise RecordError("mapping", f"the EAD unit {local_id!r} has no <unittitle>")
        level = self._level(unit, parent, local_id)
        own_code, doc_number = _unitids(did)
        reference_code = _reference_code(parent.reference_code if parent else None, own_code)
        statements = _access_statements(_descendants(unit, "accessrestrict", stop=_COMPONENT_TAGS | {"dsc"}))
        own_access = statements or parent is None
        access = map_access(statements, self.access_policy) if own_access else parent.access
        origin = self._origin(unit, did, parent)
        dates = parse_date_range(_unitdate(did))
        path = (parent.path + [record_id(self.source_id, parent.local_id)]) if parent else []
        controlaccess = _descendants(unit, "controlaccess", stop=_COMPONENT_TAGS | {"dsc"})
        origination = _child(did, "origination")
        fonds_status = None
        if level == "fonds":
            for odd in _children(unit, "odd"):
                fonds_status = fonds_status or _FONDS_STATUS.get(clean_text(_text(odd)).lower())
        document = {
            **placement_fields(self.source_id, local_id, self.holding_province, origin, level, path),
            "reference_code": reference_code,
            "title": title,
            "description": _paragraphs(_child(unit, "scopecontent")) or None,
            **_creator(origination, level),
            "signer": (clean_text(_text(_child(origination, "persname"))) or None) if level == "item" else None,
            "doc_number": doc_number,
            "doc_type": _genreform(did, controlaccess) if level == "item" else None,
            "date_start": dates[0] if dates else None,
            "date_end": dates[1] if dates else None,
            "year_start": int(dates[0][:4]) if dates else None,
            "year_end": int(dates[1][:4]) if dates else None,
            "language": _language(did),
            "access": access.level,
            "access_reason": access.reason,
            "subjects": _values(controlaccess, "subject"),
            "places": _values(controlaccess, "geogname"),
            "fonds_status": fonds_status,
            "admin_history": (_paragraphs(_child(unit, "bioghist")) or None) if level == "fonds" else None,
            "extent": clean_text(_text(_child(_child(did, "physdesc"), "extent"))) or None,
            "source_url": source_url,
            "deleted": False,
        }
        mapped = MappedRecord(document=document, file_urls=_file_urls(did, self.local_files),
                              unrecognised_access=access.unrecognised if own_access else ())
        records.append(mapped)
        here = _Parent(local_id, level, reference_code, access, origin, path)
        for position, component in enumerate(_components(unit), start=1):
            child_id, note = self._component_id(local_id, component, position)
            if note:
                mapped.notes.append(("duplicate", note))
            self.describe(component, local_id=child_id, parent=here, records=records, depth=depth + 1)

    def _level(self, unit: etree._Element, parent: _Parent | None, local_id: str) -> str:
        stated = clean_text(unit.get("level")).lower()
        if stated == "otherlevel":
            stated = clean_text(unit.get("otherlevel")).lower()
        if stated in _LEVELS:
            return _LEVELS[stated]
        if stated:
            raise RecordError("mapping", f"the EAD unit {local_id!r} has a level we do not know: {stated!r}")
        return _BELOW[parent.level] if parent else "fonds"

    def _origin(self, unit, did, parent: _Parent | None) -> OriginProvince | None:
        for place in _values(_descendants(unit, "controlaccess", stop=_COMPONENT_TAGS | {"dsc"}), "geogname"):
            if found := resolve_origin(place):
                return found
        if parent is not None:
            return parent.origin
        origination = clean_text(_text(_child(did, "origination")))
        return resolve_origin(origination) if origination else None

    def _component_id(self, parent_local_id: str, component: etree._Element, position: int
                      ) -> tuple[str, str | None]:
        """The component's id under its parent: its unitid, else its @id, else its position. Two siblings with one
        unitid (it happens: Estonia's APE-EAD EAA.M-9) are both kept, the second told apart by its @id or
        position, which stay the same from one harvest to the next; the note says so in the run's report."""
        own, _ = _unitids(_child(component, "did"))
        xml_id = clean_text(component.get("id"))
        candidates = [step for step in (own, xml_id, f"c{position}") if step]
        for step in candidates:
            local_id = f"{parent_local_id}/{step.replace('/', '-')}"
            if local_id not in self.seen:
                if step != candidates[0] and own:
                    return local_id, (f"two EAD components under {parent_local_id!r} have the unitid {own!r}; "
                                      f"the one at position {position} is kept as {step!r}")
                return local_id, None
        return f"{parent_local_id}/c{position}-{len(self.seen)}", f"the EAD component at position {position} " \
                                                                  f"under {parent_local_id!r} repeats an identifier"


# --- reading EAD, namespaced (urn:isbn:1-931666-22-9) or not ---

def _is(element, name: str) -> bool:
    return isinstance(element.tag, str) and etree.QName(element).localname == name


def _child(element, name: str):
    if element is None:
        return None
    return next((child for child in element if _is(child, name)), None)


def _children(element, name: str) -> list:
    return [] if element is None else [child for child in element if _is(child, name)]


def _descendants(element, name: str, stop: set[str]) -> list:
    """Elements called `name` inside this unit's own description, not inside its components."""
    found, pending = [], [child for child in element if isinstance(child.tag, str)]
    while pending:
        current = pending.pop(0)
        localname = etree.QName(current).localname
        if localname in stop:
            continue
        if localname == name:
            found.append(current)
        pending.extend(child for child in current if isinstance(child.tag, str))
    return found


def _components(unit) -> list:
    holder = _child(unit, "dsc") if _is(unit, "archdesc") else unit
    if holder is None:
        return []
    components = []
    for child in holder:
        if not isinstance(child.tag, str):
            continue
        if etree.QName(child).localname in _COMPONENT_TAGS:
            components.append(child)
    return components


# Markup inside a word (emphasis); every other element is a word of its own: "Records<unitdate>1925-1965"
# reads "Records 1925-1965", a <head> and its <p> do not run together.
_INLINE = frozenset({"emph", "abbr", "expan"})


def _text(element) -> str:
    if element is None:
        return ""
    parts: list[str] = []
    _gather(element, parts)
    return " ".join("".join(parts).split())


def _gather(element, parts: list[str]) -> None:
    parts.append(element.text or "")
    for child in element:
        if isinstance(child.tag, str):
            inline = etree.QName(child).localname in _INLINE
            parts.append("" if inline else " ")
            _gather(child, parts)
            parts.append("" if inline else " ")
        parts.append(child.tail or "")


def _access_statements(accessrestricts: list) -> list[str]:
    """Each paragraph of each <accessrestrict> is one statement, without its <head> ("Conditions Governing
    Access" is a heading, not part of what the archive says)."""
    statements: list[str] = []
    for element in accessrestricts:
        paragraphs = _children(element, "p")
        if paragraphs:
            statements.extend(_text(p) for p in paragraphs)
        else:
            statements.append(" ".join(_text(part) if isinstance(part, etree._Element) else part
                                        for part in _without_head(element)))
    return [statement for statement in statements if statement.strip()]


def _without_head(element) -> list:
    parts: list = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname != "head":
            parts.append(child)
        parts.append(child.tail or "")
    return parts


def _paragraphs(element) -> str:
    if element is None:
        return ""
    paragraphs = [_text(p) for p in _children(element, "p")] or [_text(element)]
    return clean_text("\n".join(p for p in paragraphs if p), keep_newlines=True)


def _values(elements: list, name: str) -> list[str]:
    values = []
    for element in elements:
        for child in _children(element, name):
            value = clean_text(_text(child))
            if value and value not in values:
                values.append(value)
    return values


def _unitids(did) -> tuple[str | None, str | None]:
    """(the unit's own identifier, the document number of an item)."""
    own = doc_number = None
    for unitid in _children(did, "unitid"):
        value = clean_text(_text(unitid))
        if not value:
            continue
        if clean_text(unitid.get("type")).lower() in _DOC_NUMBER_TYPES:
            doc_number = doc_number or value
        else:
            own = own or value
    return own, doc_number


def _reference_code(parent_code: str | None, own: str | None) -> str | None:
    if not own:
        return parent_code
    if not parent_code or own.startswith(parent_code):
        return own
    return f"{parent_code}.{own}"


def _unitdate(did) -> str | None:
    # EAD 2002 lets <unitdate> sit inside <unittitle> (ArchivesSpace writes it there): a date all the same.
    for unitdate in _children(did, "unitdate") + _children(_child(did, "unittitle"), "unitdate"):
        normal = clean_text(unitdate.get("normal"))
        if normal and parse_date_range(normal):
            return normal
        if text := clean_text(_text(unitdate)):
            return text
    return None


def _language(did) -> str | None:
    langmaterial = _child(did, "langmaterial")
    for language in [] if langmaterial is None else _descendants(langmaterial, "language", stop=set()):
        code = clean_text(language.get("langcode")).lower()
        if code:
            return _LANGUAGE_CODES.get(code, code)
    return None


_ORIGINATORS = tuple((element, entity_type) for entity_type, element in EAD_NAME_ELEMENTS.items())


def _creator(origination: etree._Element | None, level: str) -> dict:
    """`creator` and `creator_type` from the origination; an item's persname names its signer, not its creator."""
    for tag, entity_type in _ORIGINATORS:
        if tag == "persname" and level == "item":
            continue
        if name := clean_text(_text(_child(origination, tag))):
            return {"creator": name, "creator_type": entity_type}
    return {"creator": None, "creator_type": None}


def _genreform(did, controlaccess: list) -> str | None:
    physdesc = _child(did, "physdesc")
    found = _values([physdesc] if physdesc is not None else [], "genreform") or _values(controlaccess, "genreform")
    return found[0] if found else None


def _file_urls(did, local_files: bool) -> list[str]:
    if did is None:
        return []
    urls = []
    for element in _descendants(did, "dao", stop=set()) + _descendants(did, "daoloc", stop=set()):
        href = element.get(f"{{{XLINK_NS}}}href") or element.get("href")
        href = clean_text(href)
        wanted = bool(href) if local_files else href.startswith(("http://", "https://"))
        if wanted and href not in urls:
            urls.append(href)
    return urls
