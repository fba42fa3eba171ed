"""The finding-aid tree of a fonds: its arrangement (series › files › items) loaded level by level.

Each level is a page of the records directly under one record, in reference-code order, each with
how many records the identity may see under it. Every query carries the one permission filter
(`visible_filter`), so a closed record is neither listed nor counted for one who may not see it;
a parent the identity may not see is "not found", so its children do not reveal it either.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from portal.access.identity import Identity
from portal.access.policy import visible_filter
from portal.records.service import CHILD_FIELDS, RecordNotFound, RecordService, labelled

TREE_PAGE = 50
MAX_TREE_PAGE = 200
# The order of a level, the same in every query (page, position): reference code, then id.
_ORDER = [{"reference_code": {"order": "asc", "missing": "_last"}}, {"id": "asc"}]


@dataclass
class TreeLevel:
    """One page of the records under `parent_id`: `start` is the position of the first of `nodes`."""

    parent_id: str
    total: int
    start: int
    nodes: list[dict]

    @property
    def end(self) -> int:
        return self.start + len(self.nodes)


@dataclass
class TreeNode:
    """A record in the tree as a page first shows it: its page of children when it is open."""

    record: dict
    children: TreeLevel | None = None
    current: bool = False
    open_children: dict[str, TreeNode] = field(default_factory=dict)


class FindingAidTree:
    def __init__(self, records: RecordService):
        self.records = records

    def level(self, identity: Identity, parent_id: str, start: int = 0, size: int = TREE_PAGE) -> TreeLevel:
        """A page of the records under `parent_id`; RecordNotFound when the parent is not visible."""
        self._visible_ids(identity, [parent_id], must_find=True)
        return self._level(identity, parent_id, max(start, 0), min(max(size, 1), MAX_TREE_PAGE))

    def _level(self, identity: Identity, parent_id: str, start: int, size: int) -> TreeLevel:
        answer = self.records.search({
            "query": {"bool": {"filter": [{"term": {"parent_id": parent_id}}, visible_filter(identity)]}},
            "from": start, "size": size, "_source": CHILD_FIELDS, "track_total_hits": True, "sort": _ORDER,
        })
        nodes = [labelled(hit["_source"]) for hit in answer["hits"]["hits"]]
        counts = self.records.descendant_counts(identity, [node["id"] for node in nodes])
        for node in nodes:
            node["descendants"] = counts.get(node["id"], 0)
        return TreeLevel(parent_id, answer["hits"]["total"]["value"], start, nodes)

    def position(self, identity: Identity, record: dict) -> int:
        """Where the record stands among its visible siblings (0 first), in the tree's order."""
        code, record_id = record.get("reference_code"), record["id"]
        same_parent = [{"term": {"parent_id": record["parent_id"]}}, visible_filter(identity)]
        if code is None:  # codeless records sort after every coded one, then by id
            before = {"bool": {"should": [{"exists": {"field": "reference_code"}},
                                          {"range": {"id": {"lt": record_id}}}], "minimum_should_match": 1}}
        else:
            before = {"bool": {"should": [
                {"range": {"reference_code": {"lt": code}}},
                {"bool": {"filter": [{"term": {"reference_code": code}}, {"range": {"id": {"lt": record_id}}}]}},
            ], "minimum_should_match": 1}}
        answer = self.records.search({"size": 0, "track_total_hits": True,
                                       "query": {"bool": {"filter": [*same_parent, before]}}})
        return answer["hits"]["total"]["value"]

    def opened_at(self, identity: Identity, record: dict) -> TreeNode | None:
        """The tree of the record's fonds as its page first shows it: the fonds's first level, and
        every level on the way down to the record open, each at the page holding the next step; None
        for a record that is not in a tree (no parent, no children)."""
        path = [*(record.get("path") or []), record["id"]]
        visible = self._visible_ids(identity, path)
        # An ancestor the identity may not see breaks the way down: the tree starts below it.
        steps = []
        for ancestor in path:
            if ancestor not in visible:
                steps = []
                continue
            steps.append(ancestor)
        root_id = steps[0]
        root_record = record if root_id == record["id"] else self._fetch(identity, root_id)
        held = self.records.descendant_counts(identity, [root_id]).get(root_id, 0)
        root_record = {**root_record, "descendants": held}
        root = TreeNode(root_record)
        node = root
        for depth, step in enumerate(steps):
            if step == record["id"]:
                node.current = True
                node.children = self._level(identity, step, 0, TREE_PAGE)
                break
            following = steps[depth + 1]
            child = self._fetch(identity, following)
            start = (self.position(identity, child) // TREE_PAGE) * TREE_PAGE
            node.children = self._level(identity, step, start, TREE_PAGE)
            child_node = TreeNode(next((n for n in node.children.nodes if n["id"] == following), child))
            node.open_children[following] = child_node
            node = child_node
        if not root.children or (root.children.total == 0 and root is node):
            return None
        return root

    def _fetch(self, identity: Identity, record_id: str) -> dict:
        answer = self.records.search({
            "query": {"bool": {"filter": [{"ids": {"values": [record_id]}}, visible_filter(identity)]}},
            "size": 1, "_source": CHILD_FIELDS + ["parent_id"],
        })
        hits = answer["hits"]["hits"]
        if not hits:
            raise RecordNotFound(record_id)
        return labelled(hits[0]["_source"])

    def _visible_ids(self, identity: Identity, ids: list[str], must_find: bool = False) -> set[str]:
        answer = self.records.search({
            "query": {"bool": {"filter": [{"ids": {"values": ids}}, visible_filter(identity)]}},
            "size": len(ids), "_source": ["id"],
        })
        found = {hit["_source"]["id"] for hit in answer["hits"]["hits"]}
        if must_find and len(found) < len(ids):
            raise RecordNotFound(ids[0])
        return found
