"""Setting a source's access policy (schema/access_policy.py): its wordings of access mapped to a level,
and the level of its records that state none. Who may manage a source sets its policy; each change is
written with its audit row in one transaction, and asks for a full re-harvest, since records already
in the index keep the level they were read with until they are read again.

Writes the database only; the harvester applies the policy when it next reads the source.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.access.identity import Identity
from portal.admin.sources import InvalidSource, N_, SourceRefused, commit_with_audit, may_manage
from schema.access_policy import (MAX_RULES, MAX_STATEMENT_LENGTH, RULE_LEVELS, AccessPolicy, policy_of,
                                  statement_key)
from schema.record import ACCESS_LEVELS
from schema.tables import OTHER_STATEMENTS, HarvestRun, Source, utcnow


@dataclass(frozen=True)
class UnrecognisedStatement:
    statement: str
    records: int
    run_id: int


def checked_rule(statement: str | None, level: str | None) -> tuple[str, str]:
    """The statement as it will be kept (spaces collapsed) and its level; InvalidSource names what is wrong."""
    statement = " ".join((statement or "").split())
    problems = {}
    if not statement_key(statement):
        problems["statement"] = (N_("Give the statement as the source writes it."), {})
    elif len(statement) > MAX_STATEMENT_LENGTH:
        problems["statement"] = (N_("At most %(count)s characters."), {"count": MAX_STATEMENT_LENGTH})
    if level not in RULE_LEVELS:
        problems["level"] = (N_("Choose what the statement means."), {})
    if problems:
        raise InvalidSource(problems)
    return statement, level


def set_rule(db: Session, identity: Identity, source: Source, statement: str, level: str, set_by: str) -> bool:
    """Maps one wording of the source to a level (replacing the rule for the same wording); returns whether
    anything changed. The change is audited and asks for a full re-harvest."""
    _check_may(identity, source)
    statement, level = checked_rule(statement, level)
    rules = list(source.access_rules or [])
    old = _rule_of(rules, statement)
    if old is not None and old.get("level") == level:
        return False
    if old is None and len(rules) >= MAX_RULES:
        raise InvalidSource({"statement": (N_("At most %(count)s rules a source."), {"count": MAX_RULES})})
    rules = [rule for rule in rules if rule is not old] + [
        {"statement": statement, "level": level, "set_by": set_by[:320], "set_at": utcnow().isoformat()}]
    source.access_rules = rules  # a new list, so SQLAlchemy sees the change
    _commit_change(db, source, {"statement": statement, "level": [old.get("level") if old else None, level]},
                   set_by)
    return True


def remove_rule(db: Session, identity: Identity, source: Source, statement: str, set_by: str) -> bool:
    _check_may(identity, source)
    rules = list(source.access_rules or [])
    old = _rule_of(rules, statement or "")
    if old is None:
        return False
    source.access_rules = [rule for rule in rules if rule is not old]
    _commit_change(db, source, {"statement": old["statement"], "level": [old.get("level"), None]}, set_by)
    return True


def set_unstated(db: Session, identity: Identity, source: Source, level: str, set_by: str) -> bool:
    """The level of the source's records that state none."""
    _check_may(identity, source)
    if level not in ACCESS_LEVELS:
        raise InvalidSource({"unstated": (N_("Choose a level."), {})})
    old = source.unstated_access or ACCESS_LEVELS[-1]
    if old == level:
        return False
    source.unstated_access = level
    _commit_change(db, source, {"unstated": [old, level]}, set_by)
    return True


def unrecognised_statements(db: Session, source: Source) -> list[UnrecognisedStatement]:
    """What the source's last run that read records met and nobody recognised, most frequent first, without
    the statements its policy maps since."""
    run = db.scalars(select(HarvestRun).where(HarvestRun.source_id == source.id, HarvestRun.mode != "record",
                                              HarvestRun.access_statements.is_not(None))
                     .order_by(HarvestRun.id.desc()).limit(1)).first()
    if run is None:
        return []
    policy = policy_of(source)
    return [UnrecognisedStatement(statement, records, run.id) for statement, records in run.unrecognised_statements()
            if statement == OTHER_STATEMENTS or policy.rule_for(statement) is None]


def rules_of(source: Source) -> list[dict]:
    """The source's rules as set, the newest last; a malformed row is left out as the harvester leaves it."""
    kept = AccessPolicy.of(source.access_rules, None).rules
    return [rule for rule in (source.access_rules or []) if isinstance(rule, dict)
            and statement_key(rule.get("statement") or "") in kept]


def _rule_of(rules: list[dict], statement: str) -> dict | None:
    """The rule for this wording, however it is spelt (schema.access_policy.statement_key)."""
    key = statement_key(statement)
    return next((rule for rule in rules if statement_key(rule.get("statement", "")) == key), None)


def _check_may(identity: Identity, source: Source) -> None:
    if not may_manage(identity, source):
        raise SourceRefused("province")


def _commit_change(db: Session, source: Source, change: dict, set_by: str) -> None:
    """The change, a full re-harvest asked for (an enabled source only), and its audit row, together."""
    details = {"change": "access_policy", **change}
    if source.enabled:
        source.run_requested_at, source.run_requested_full = utcnow(), True
        source.run_requested_by = set_by[:320]
        details["run_request"] = "full"
    commit_with_audit(db, source, details)
