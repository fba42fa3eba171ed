"""A creator as a reader may see it: its name forms, its records and fonds in every province, their histories,
all read through the one permission filter. A creator of which the reader may see no record is not found (its
existence does not leak); names and histories come from the records the reader sees, never from the others."""
from __future__ import annotations

from dataclasses import dataclass, field

from opensearchpy import OpenSearch
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.access.identity import Identity
from portal.access.policy import visible_filter
from portal.creators.models import MAX_CREATOR_ID, Creator, CreatorName
from portal.creators.names import name_key
from portal.records.service import CHILD_FIELDS, MAX_CHILDREN, RecordService, labelled
from schema.provinces import province_name

MAX_MERGE_HOPS = 20  # a chain of merges is short; a longer one is a loop
MAX_FONDS = 1000  # the fonds one body created; the largest provincial archive holds a few hundred in all


class CreatorNotFound(LookupError):
    pass


def live_creator(db: Session, creator_id: int) -> Creator:
    """The creator, or the one it was merged into (followed to the end); CreatorNotFound if none."""
    creator = db.get(Creator, creator_id) if 1 <= creator_id <= MAX_CREATOR_ID else None
    for _hop in range(MAX_MERGE_HOPS):
        if creator is None or creator.merged_into is None:
            break
        creator = db.get(Creator, creator.merged_into)
    if creator is None or creator.merged_into is not None:
        raise CreatorNotFound(creator_id)
    return creator


def name_forms(db: Session, creator_id: int) -> list[CreatorName]:
    return list(db.scalars(select(CreatorName).where(CreatorName.creator_id == creator_id)
                           .order_by(CreatorName.province, CreatorName.name)))


def named_filter(forms: list[CreatorName]) -> dict:
    """The records carrying one of these name forms: the name as sent, in its current province."""
    by_province: dict[str, list[str]] = {}
    for form in forms:
        by_province.setdefault(form.province, []).append(form.name)
    return {"bool": {"should": [
        {"bool": {"filter": [{"terms": {"creator.raw": names}}, {"term": {"origin_province_current": province}}]}}
        for province, names in sorted(by_province.items())] or [{"ids": {"values": []}}],
        "minimum_should_match": 1}}


def creator_of_record(db: Session, record: dict) -> Creator | None:
    """The creator a record's creator name leads to, if reconciled."""
    name, province = record.get("creator"), record.get("origin_province_current") or record.get("holding_province")
    if not name or not province:
        return None
    form = db.scalars(select(CreatorName).where(CreatorName.name == name, CreatorName.province == province)).first()
    if form is None:
        form = db.scalars(select(CreatorName).where(CreatorName.name_key == name_key(name),
                                                    CreatorName.province == province)).first()
    if form is None:
        return None
    try:
        return live_creator(db, form.creator_id)
    except CreatorNotFound:
        return None


@dataclass
class ProvinceHoldings:
    """What one holding province has of a creator, as the reader may see it."""
    province: str
    name: str
    records: int
    fonds: list[dict] = field(default_factory=list)


@dataclass
class CreatorView:
    creator: Creator
    authorised_name: str
    other_names: list[str]
    total: int
    holdings: list[ProvinceHoldings]
    histories: list[dict]  # {"text", "fonds_id", "fonds_title"}: each fonds' lịch sử đơn vị hình thành phông
    places: list[str]  # the provinces its records came from (the former ones by their former names)
    year_start: int | None
    year_end: int | None


class CreatorService:
    def __init__(self, client: OpenSearch, alias: str):
        self.records = RecordService(client, alias)

    def records_filter(self, forms: list[CreatorName]) -> dict:
        """Its records: those naming it, and everything in the fonds it created (a file or item of a fonds
        seldom repeats the fonds' creator). Every caller adds the permission filter beside it."""
        named = named_filter(forms)
        answer = self.records.search({"size": MAX_FONDS, "_source": False, "query": {"bool": {"filter": [
            named, {"term": {"level": "fonds"}}]}}})
        fonds_ids = [hit["_id"] for hit in answer["hits"]["hits"]]
        if not fonds_ids:
            return named
        return {"bool": {"should": [named, {"terms": {"path": fonds_ids}}], "minimum_should_match": 1}}

    def view(self, identity: Identity, creator: Creator, forms: list[CreatorName]) -> CreatorView:
        """CreatorNotFound when the identity may see none of its records."""
        where = [self.records_filter(forms), visible_filter(identity)]
        answer = self.records.search({
            "size": 0, "track_total_hits": True, "query": {"bool": {"filter": where}},
            "aggs": {"named": {"filter": named_filter(forms),
                               "aggs": {"names": {"terms": {"field": "creator.raw", "size": 50}}}},
                     "provinces": {"terms": {"field": "holding_province", "size": 100}},
                     "origins": {"terms": {"field": "origin_province_name.raw", "size": 100}},
                     "first": {"min": {"field": "year_start"}}, "last": {"max": {"field": "year_end"}}},
        })
        total = answer["hits"]["total"]["value"]
        aggs = answer.get("aggregations", {})
        seen_names = [" ".join(bucket["key"].split())
                      for bucket in aggs.get("named", {}).get("names", {}).get("buckets", [])]
        if not seen_names:  # records under its fonds alone would name a fonds the reader may not see
            raise CreatorNotFound(creator.id)
        # The authorised form is the creator's own name when the reader sees it written so.
        authorised = creator.name if creator.name in seen_names else seen_names[0]
        others = sorted(set(seen_names) - {authorised})
        fonds = self._fonds(identity, forms)
        holdings = []
        for bucket in aggs["provinces"]["buckets"]:
            code = bucket["key"]
            holdings.append(ProvinceHoldings(code, province_name(code) or code, bucket["doc_count"],
                                             [entry for entry in fonds if entry.get("holding_province") == code]))
        holdings.sort(key=lambda holding: holding.name)
        histories = [{"text": entry["admin_history"], "fonds_id": entry["id"], "fonds_title": entry.get("title")}
                     for entry in fonds if entry.get("admin_history")]
        return CreatorView(creator, authorised, others, total, holdings, histories,
                           sorted(bucket["key"] for bucket in aggs["origins"]["buckets"]),
                           _year(aggs["first"]), _year(aggs["last"]))

    def _fonds(self, identity: Identity, forms: list[CreatorName]) -> list[dict]:
        answer = self.records.search({
            "query": {"bool": {"filter": [named_filter(forms), {"term": {"level": "fonds"}},
                                          visible_filter(identity)]}},
            "size": MAX_CHILDREN,
            "_source": CHILD_FIELDS + ["holding_province", "origin_province_name", "admin_history", "source_id"],
            "sort": [{"reference_code": {"order": "asc", "missing": "_last"}}, {"id": "asc"}],
        })
        fonds = [labelled(hit["_source"]) for hit in answer["hits"]["hits"]]
        counts = self.records.descendant_counts(identity, [entry["id"] for entry in fonds])
        for entry in fonds:
            entry["descendants"] = counts.get(entry["id"], 0)
        return fonds

    def visible_creator_ids(self, identity: Identity, forms: list[CreatorName]) -> set[int]:
        """Which of these name forms' creators have a record the identity may see (for the list of creators)."""
        if not forms:
            return set()
        answer = self.records.search({
            "size": 0, "query": {"bool": {"filter": [named_filter(forms), visible_filter(identity)]}},
            "aggs": {"forms": {"composite": {"size": 10_000, "sources": [
                {"name": {"terms": {"field": "creator.raw"}}},
                {"province": {"terms": {"field": "origin_province_current"}}}]}}},
        })
        seen = {(b["key"]["name"], b["key"]["province"])
                for b in answer.get("aggregations", {}).get("forms", {}).get("buckets", [])}
        return {form.creator_id for form in forms if (form.name, form.province) in seen}


def _year(aggregate: dict) -> int | None:
    return int(aggregate["value"]) if aggregate.get("value") is not None else None


def creator_search_filter(db: Session, service: CreatorService,
                          raw: str | None) -> tuple[dict | None, Creator | None]:
    """The search's `creator_id` parameter: the filter narrowing a search to the creator's records (beside the
    permission filter, never instead of it) and the creator, for the active-filter chip. SearchParamError
    when it is not a number; an unknown creator narrows the search to nothing."""
    from portal.search.params import SearchParamError

    if not (raw or "").strip():
        return None, None
    try:
        number = int(raw)
        if not 1 <= number <= MAX_CREATOR_ID:
            raise ValueError(number)
        creator = live_creator(db, number)
    except ValueError:
        raise SearchParamError("creator_id", "creator_id takes a creator's number, as in /creators/12") from None
    except CreatorNotFound:
        return {"ids": {"values": []}}, None
    return service.records_filter(name_forms(db, creator.id)), creator
