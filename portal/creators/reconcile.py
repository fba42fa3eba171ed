"""Deriving the creators from the index: every (creator name, current province) the records carry becomes a
name form of a creator; a new form joins the creator that already has its name_key in that province, or starts
one of its own. Run by `flask creators reconcile` and after each harvest (portal.harvest_jobs).

Reads the whole index without the permission filter: it writes only the database, which the pages read back
through the filter. Never merges two existing creators, never moves a name form: those are admins' decisions
(portal.creators.decisions), so they survive every re-harvest.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from opensearchpy import OpenSearch
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.creators.models import CORPORATE_BODY, ENTITY_TYPES, MAX_NAME, Creator, CreatorName
from portal.creators.names import name_key
from portal.opensearch import get_client, records_alias, run_search
from schema.tables import utcnow

log = logging.getLogger(__name__)
PAGE = 1000


@dataclass
class ReconcileReport:
    name_forms_seen: int = 0
    name_forms_added: int = 0
    creators_added: int = 0


def name_forms_in_index(client: OpenSearch, alias: str):
    """Each distinct (creator name as sent, current province, creator_type or None) in the index, paged by a
    composite aggregation."""
    after = None
    while True:
        composite = {"size": PAGE, "sources": [{"name": {"terms": {"field": "creator.raw"}}},
                                               {"province": {"terms": {"field": "origin_province_current"}}},
                                               {"type": {"terms": {"field": "creator_type", "missing_bucket": True}}}]}
        if after:
            composite["after"] = after
        answer = run_search(client, alias, {"size": 0, "aggs": {"forms": {"composite": composite}}})
        if answer is None:
            return
        result = answer["aggregations"]["forms"]
        for bucket in result["buckets"]:
            yield bucket["key"]["name"], bucket["key"]["province"], bucket["key"]["type"]
        after = result.get("after_key")
        if not after or len(result["buckets"]) < PAGE:
            return


def _typed_name_forms(client: OpenSearch, alias: str) -> dict[tuple[str, str], str | None]:
    """(name, province) → the type of entity the index gives it, when any record gives one (EAD's
    persname, famname or corpname); a source that says nothing leaves it to the others."""
    forms: dict[tuple[str, str], str | None] = {}
    for name, province, entity_type in name_forms_in_index(client, alias):
        forms[(name, province)] = forms.get((name, province)) or (entity_type if entity_type in ENTITY_TYPES else None)
    return forms


def reconcile_creators(db: Session, client: OpenSearch, alias: str) -> ReconcileReport:
    """Adds the name forms (and creators) the index has and the database has not yet; commits. A new creator
    takes its type of entity from the index where it says one; an existing creator's is its admins' to change."""
    report = ReconcileReport()
    known = {(form.name, form.province) for form in db.scalars(select(CreatorName))}
    holder = {(form.name_key, form.province): form.creator_id for form in db.scalars(select(CreatorName))}
    now = utcnow()
    for (name, province), entity_type in _typed_name_forms(client, alias).items():
        report.name_forms_seen += 1
        key = name_key(name)
        if (name, province) in known or not key or len(name) > MAX_NAME:
            continue
        creator_id = holder.get((key, province))
        if creator_id is None:
            creator = Creator(name=" ".join(name.split()), province=province, created_at=now, updated_at=now,
                              entity_type=entity_type or CORPORATE_BODY)
            db.add(creator)
            db.flush()
            creator_id = holder[(key, province)] = creator.id
            report.creators_added += 1
        db.add(CreatorName(creator_id=creator_id, name=name, name_key=key, province=province, first_seen_at=now))
        known.add((name, province))
        report.name_forms_added += 1
    db.commit()
    log.info("creators reconciled: %s", report)
    return report


def reconcile_after_harvest(db: Session) -> None:
    """After a run: the new names become creators. A failure is logged, never the run's: the next run, or
    `flask creators reconcile`, adds what was missed."""
    try:
        reconcile_creators(db, get_client(), records_alias())
    except Exception as error:  # the index or the database; the harvest itself is done and reported
        db.rollback()
        log.warning("creators not reconciled after the harvest: %s", error)
