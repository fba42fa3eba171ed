"""Reading the audit log for the auditor pages: filters parsed from a query string, the
viewer's scope (all rows, or one province's), and the matching rows. No Flask here."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from portal.audit.actions import OUTCOMES
from portal.audit.chain import utc_iso
from portal.audit.models import AuditEntry


class AuditFilterError(ValueError):
    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter


@dataclass(frozen=True)
class AuditFilters:
    start: date | None = None  # inclusive, UTC days
    end: date | None = None  # inclusive
    actor: str | None = None
    action: str | None = None
    province: str | None = None
    target: str | None = None
    outcome: str | None = None

    def as_args(self) -> dict[str, str]:
        return {name: (value.isoformat() if isinstance(value, date) else value)
                for name, value in asdict(self).items() if value}


def _date(args, name: str) -> date | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise AuditFilterError(name, f"{name} must be a date such as 2026-01-31") from None


def _text(args, name: str, limit: int = 255) -> str | None:
    value = (args.get(name) or "").strip()
    if len(value) > limit:
        raise AuditFilterError(name, f"{name} is too long")
    return value or None


def parse_filters(args) -> AuditFilters:
    filters = AuditFilters(start=_date(args, "start"), end=_date(args, "end"), actor=_text(args, "actor"),
                           action=_text(args, "action", 64), province=_text(args, "province", 2),
                           target=_text(args, "target", 1024), outcome=_text(args, "outcome", 16))
    if filters.outcome and filters.outcome not in OUTCOMES:
        raise AuditFilterError("outcome", f"outcome must be one of {', '.join(OUTCOMES)}")
    if filters.start and filters.end and filters.start > filters.end:
        raise AuditFilterError("end", "the end date comes before the start date")
    return filters


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def _province_clause(province: str):
    return or_(AuditEntry.target_province == province, AuditEntry.actor_province == province)


def build_query(filters: AuditFilters, scope_province: str | None) -> Select:
    """Rows matching the filters, newest first; `scope_province` limits a province admin to
    rows about their province or done by its people."""
    query = select(AuditEntry)
    if scope_province is not None:
        query = query.where(_province_clause(scope_province))
    if filters.start:
        query = query.where(AuditEntry.occurred_at >= _day_start(filters.start))
    if filters.end:
        query = query.where(AuditEntry.occurred_at < _day_start(filters.end + timedelta(days=1)))
    if filters.actor:
        query = query.where(AuditEntry.actor == filters.actor)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.province:
        query = query.where(_province_clause(filters.province))
    if filters.target:
        query = query.where(AuditEntry.target_id == filters.target)
    if filters.outcome:
        query = query.where(AuditEntry.outcome == filters.outcome)
    return query.order_by(AuditEntry.id.desc())


def count_and_page(db: Session, filters: AuditFilters, scope_province: str | None,
                   limit: int, offset: int) -> tuple[int, list[AuditEntry]]:
    query = build_query(filters, scope_province)
    total = db.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.scalars(query.limit(limit).offset(offset)).all()
    return total or 0, list(rows)


def all_rows(db: Session, filters: AuditFilters, scope_province: str | None, limit: int) -> list[AuditEntry]:
    return list(db.scalars(build_query(filters, scope_province).limit(limit)).all())


def visible_to(entry: AuditEntry, scope_province: str | None) -> bool:
    return scope_province is None or scope_province in (entry.target_province, entry.actor_province)


EXPORT_FIELDS = ("id", "seq", "occurred_at", "actor", "actor_roles", "actor_province", "ip", "user_agent", "action",
                 "target_id", "target_province", "outcome", "details", "prev_hash", "hash")


def exported_row(entry: AuditEntry) -> dict:
    row = {name: getattr(entry, name) for name in EXPORT_FIELDS}
    row["occurred_at"] = utc_iso(entry.occurred_at)
    row["actor_roles"] = entry.roles
    row["details"] = json.loads(entry.details or "{}")
    return row
