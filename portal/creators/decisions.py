"""The admins' decisions on creators: merging two into one, splitting a name form out into a creator of its
own, keeping two alike-named creators apart. Each change and its audit row commit together (nothing changes
if the row cannot be written). They change only the database's name forms, which no re-harvest touches."""
from __future__ import annotations

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from portal.access.identity import Identity, valid_province
from portal.access.roles import MANAGE_ALL, MANAGE_OWN_PROVINCE_SOURCES
from portal.audit import actions as audit_actions
from portal.audit.log import AuditUnavailable, record_event_in_transaction
from portal.creators.models import ENTITY_TYPES, MAX_DATES, Creator, CreatorName, CreatorsKeptApart
from portal.creators.names import NameForm, doubtful_pairs
from portal.creators.service import name_forms
from schema.tables import utcnow


def N_(message: str) -> str:
    """Marks a message for pybabel; the page translates it where it is shown."""
    return message


class DecisionRefused(Exception):
    """The person may not decide on these creators, or the decision makes no sense (the message says why)."""


def provinces_of(db: Session, creator_id: int) -> set[str]:
    return {form.province for form in name_forms(db, creator_id)}


def may_decide(identity: Identity, provinces: set[str]) -> bool:
    """National admins decide on any creator; a province's archive admins on creators wholly of their province."""
    if identity.can(MANAGE_ALL):
        return True
    own = valid_province(identity.province)
    return identity.can(MANAGE_OWN_PROVINCE_SOURCES) and own is not None and provinces <= {own}


def may_see_doubts(identity: Identity) -> bool:
    return identity.can(MANAGE_ALL) or (identity.can(MANAGE_OWN_PROVINCE_SOURCES)
                                        and valid_province(identity.province) is not None)


def doubts_for(db: Session, identity: Identity):
    """The doubtful pairs this person may decide on."""
    live = {creator.id: creator for creator in db.scalars(select(Creator).where(Creator.merged_into.is_(None)))}
    forms = [NameForm(form.creator_id, form.name, form.province) for form in db.scalars(select(CreatorName))
             if form.creator_id in live]
    kept = {(row.first_id, row.second_id) for row in db.scalars(select(CreatorsKeptApart))}
    provinces: dict[int, set[str]] = {}
    for form in forms:
        provinces.setdefault(form.creator_id, set()).add(form.province)
    return [doubt for doubt in doubtful_pairs(forms, kept)
            if may_decide(identity, provinces[doubt.first] | provinces[doubt.second])]


def _checked(db: Session, identity: Identity, *creators: Creator) -> None:
    if any(creator is None or creator.merged_into is not None for creator in creators):
        raise DecisionRefused(N_("no such creator"))
    if not may_decide(identity, set().union(*(provinces_of(db, creator.id) for creator in creators))):
        raise DecisionRefused(N_("not yours to decide"))


def _commit_with_audit(db: Session, action: str, target: Creator, details: dict) -> None:
    try:
        db.flush()
        record_event_in_transaction(db, action, target_id=f"creator:{target.id}", target_province=target.province,
                                    details=details)
        db.commit()
    except AuditUnavailable:
        db.rollback()
        raise


def merge(db: Session, identity: Identity, kept_id: int, merged_id: int, decided_by: str) -> Creator:
    """Moves the name forms of `merged_id` to `kept_id`; the merged creator's page leads to the kept one."""
    if kept_id == merged_id:
        raise DecisionRefused(N_("a creator cannot be merged into itself"))
    kept, merged = db.get(Creator, kept_id), db.get(Creator, merged_id)
    _checked(db, identity, kept, merged)
    moved = name_forms(db, merged.id)
    for form in moved:
        form.creator_id = kept.id
    merged.merged_into, merged.updated_at = kept.id, utcnow()
    kept.updated_at = utcnow()
    db.execute(delete(CreatorsKeptApart).where(or_(CreatorsKeptApart.first_id == merged.id,
                                                   CreatorsKeptApart.second_id == merged.id)))
    _commit_with_audit(db, audit_actions.CREATOR_MERGE, kept, {
        "merged": merged.id, "merged_name": merged.name, "kept_name": kept.name, "decided_by": decided_by[:320],
        "name_forms": [[form.name, form.province] for form in moved]})
    return kept


def split(db: Session, identity: Identity, creator_id: int, form_id: int, decided_by: str) -> Creator:
    """Takes the name form `form_id` (with every spelling of the same name in its province, which are one by
    rule) out of the creator into a new one, kept apart from it; returns the new creator."""
    creator = db.get(Creator, creator_id)
    _checked(db, identity, creator)
    forms = name_forms(db, creator.id)
    chosen = next((form for form in forms if form.id == form_id), None)
    if chosen is None:
        raise DecisionRefused(N_("no such name form of this creator"))
    leaving = [form for form in forms if (form.name_key, form.province) == (chosen.name_key, chosen.province)]
    if len(leaving) == len(forms):
        raise DecisionRefused(N_("a creator keeps at least one name"))
    now = utcnow()
    new = Creator(name=" ".join(chosen.name.split()), province=chosen.province, entity_type=creator.entity_type,
                  created_at=now, updated_at=now)
    db.add(new)
    db.flush()
    for form in leaving:
        form.creator_id = new.id
    if creator.name in {" ".join(form.name.split()) for form in leaving}:  # its authorised form left with them
        staying = next(form for form in forms if form not in leaving)
        creator.name, creator.province = " ".join(staying.name.split()), staying.province
    creator.updated_at = now
    db.add(CreatorsKeptApart(first_id=min(creator.id, new.id), second_id=max(creator.id, new.id),
                             decided_at=now, decided_by=decided_by[:320]))
    _commit_with_audit(db, audit_actions.CREATOR_SPLIT, creator, {
        "new_creator": new.id, "decided_by": decided_by[:320],
        "name_forms": [[form.name, form.province] for form in leaving]})
    return new


def keep_apart(db: Session, identity: Identity, first_id: int, second_id: int, decided_by: str) -> None:
    first, second = db.get(Creator, min(first_id, second_id)), db.get(Creator, max(first_id, second_id))
    if first_id == second_id:
        raise DecisionRefused(N_("a creator is not apart from itself"))
    _checked(db, identity, first, second)
    if db.get(CreatorsKeptApart, (first.id, second.id)) is not None:
        return
    db.add(CreatorsKeptApart(first_id=first.id, second_id=second.id, decided_at=utcnow(),
                             decided_by=decided_by[:320]))
    _commit_with_audit(db, audit_actions.CREATOR_KEEP_APART, first, {
        "other": second.id, "names": [first.name, second.name], "decided_by": decided_by[:320]})


def describe(db: Session, identity: Identity, creator_id: int, entity_type: str, dates_of_existence: str,
             decided_by: str) -> dict:
    """Sets what admins say of a creator (ISAAR(CPF) 5.1.1 type, 5.2.1 dates of existence); returns
    {field: [old, new]} of what changed, written with its audit row (nothing changed: nothing written)."""
    creator = db.get(Creator, creator_id)
    _checked(db, identity, creator)
    dates = " ".join((dates_of_existence or "").split())
    if entity_type not in ENTITY_TYPES:
        raise DecisionRefused(N_("no such type of entity"))
    if len(dates) > MAX_DATES:
        raise DecisionRefused(N_("the dates of existence are too long"))
    changes = {name: [getattr(creator, name), value] for name, value in
               (("entity_type", entity_type), ("dates_of_existence", dates)) if getattr(creator, name) != value}
    if not changes:
        return changes
    for name, (_old, new) in changes.items():
        setattr(creator, name, new)
    creator.updated_at = utcnow()
    _commit_with_audit(db, audit_actions.CREATOR_CHANGE, creator, {"changes": changes,
                                                                   "decided_by": decided_by[:320]})
    return changes
