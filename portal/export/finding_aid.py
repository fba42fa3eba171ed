"""A fonds's finding aid as the identity may see it: the fonds and every record under it, nested.

`FindingAidService` reads the fonds through the record service (a fonds the identity may not know
of is RecordNotFound) and its components with the one permission filter, page by page in the
tree's order. A closed component the identity may not see is absent, and so is what lies under it;
a component whose content the identity may not read keeps its description and loses its files
(and never carries full text: a finding aid describes). The renderers (`ead`, `finding_aid_pdf`)
are pure functions of a `FindingAid`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from portal.access.identity import Identity
from portal.access.policy import can_read_content, visible_filter
from portal.records.service import RecordService, labelled

MAX_COMPONENTS = 20_000
_PAGE = 1_000
# What a finding aid says of a component: its description, never its full text.
_COMPONENT_FIELDS = [
    "id", "parent_id", "path", "level", "reference_code", "title", "description", "creator", "creator_type", "signer",
    "doc_number", "doc_type", "date_start", "date_end", "language", "sheets", "pages", "extent", "retention",
    "access", "access_reason", "open_after", "holding_province", "holding_province_name", "origin_province_name",
    "subjects", "places", "keywords", "admin_history", "fonds_status", "files.name", "files.media_type",
    "files.size", "files.sha256", "files.url", "files.package_path",
]


class FindingAidTooLarge(ValueError):
    """More components than one export holds; the API answers 422 saying so."""

    def __init__(self, count: int):
        super().__init__(f"this fonds has {count} records, more than the {MAX_COMPONENTS} a finding aid export holds")
        self.count = count


@dataclass
class Component:
    """One record of the finding aid and the components directly under it, in the tree's order.
    `files` are kept only when the identity may read the record; `download` turns a file's number
    into its address on the portal."""

    record: dict
    content_visible: bool
    components: list[Component] = field(default_factory=list)

    @property
    def files(self) -> list[dict]:
        return (self.record.get("files") or []) if self.content_visible else []


@dataclass
class FindingAid:
    fonds: Component
    generated_at: datetime
    permalink: Callable[[str], str]
    download_url: Callable[[str, int], str]

    def walk(self):
        """Every component, depth first, with its depth (the fonds is 0)."""
        stack = [(self.fonds, 0)]
        while stack:
            component, depth = stack.pop()
            yield component, depth
            stack.extend((child, depth + 1) for child in reversed(component.components))

    @property
    def count(self) -> int:
        return sum(1 for _ in self.walk())


class FindingAidService:
    def __init__(self, records: RecordService):
        self.records = records

    def finding_aid(self, identity: Identity, record_id: str, generated_at: datetime,
                    permalink: Callable[[str], str], download_url: Callable[[str, int], str]) -> FindingAid:
        top = self.records.get(identity, record_id)  # RecordNotFound: the identity may not know of it
        top.pop("content", None)
        root = Component(top, bool(top.get("content_visible")))
        placed = {top["id"]: root}
        for record in self._under(identity, top["id"]):
            # The nearest ancestor shown holds it; one whose ancestors below the top are hidden
            # is left out with them (a closed file hides its items, whatever their own level).
            parent = placed.get(record.get("parent_id"))
            if parent is None:
                continue
            component = Component(record, can_read_content(identity, record))
            parent.components.append(component)
            placed[record["id"]] = component
        return FindingAid(root, generated_at, permalink, download_url)

    def _under(self, identity: Identity, top_id: str):
        """Every visible record under `top_id`, parents before children (by depth), each level in the
        tree's order."""
        query = {"bool": {"filter": [{"term": {"path": top_id}}, visible_filter(identity)]}}
        total = self.records.search({"size": 0, "track_total_hits": True, "query": query})["hits"]["total"]["value"]
        if total >= MAX_COMPONENTS:
            raise FindingAidTooLarge(total)
        found, after = [], None
        while True:
            body = {"size": _PAGE, "query": query, "_source": _COMPONENT_FIELDS,
                    "sort": [{"reference_code": {"order": "asc", "missing": "_last"}}, {"id": "asc"}]}
            if after:
                body["search_after"] = after
            hits = self.records.search(body)["hits"]["hits"]
            found.extend(labelled(hit["_source"]) for hit in hits)
            if len(hits) < _PAGE:
                break
            after = hits[-1]["sort"]
        # Sorting by depth keeps each level's reference-code order (the sort is stable).
        return sorted(found, key=lambda record: len(record.get("path") or []))
