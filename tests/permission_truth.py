"""Who may see what, computed from the demo archives alone, as DESIGN §4 states it.

An oracle for the permission tests: written from the design's table, not from
portal.access, so a mistake in the portal's one filter shows as a disagreement here.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cache

from demo.models import content_token
from schema.record import record_id

# DESIGN §4, as a table: what each role reads beyond public records.
_READS_EVERY_PROVINCE = {"national_admin"}
_READS_OWN_PROVINCE = {"staff", "archive_admin", "national_admin"}
# May hold an access grant (DESIGN §4–5: the roles that may ask for access).
_HOLDS_GRANTS = {"reader", "staff", "archive_admin", "national_admin"}


@dataclass(frozen=True)
class TruthRecord:
    id: str
    access: str
    province: str
    level: str
    path: tuple[str, ...]
    token: str | None  # the MATKHAU token in its files' text (restricted and closed only)
    title: str
    file_count: int


@dataclass(frozen=True)
class Person:
    """An identity as the test describes it: roles as stored, a province as stored, grants."""
    name: str
    roles: frozenset[str] = frozenset()
    province: str | None = None
    grants: frozenset[str] = frozenset()


def with_grant(person: Person, granted_file: str) -> Person:
    """A test names a person's grant before the demo data is read; this puts the real file id in."""
    return Person(person.name, person.roles, person.province, frozenset({granted_file})) if person.grants else person


def demo_truth(archives: dict, sources: dict[str, str]) -> list[TruthRecord]:
    """Every record the harvest of the demo archives indexes (deleted ones are not)."""
    truth = []
    for slug, archive in archives.items():
        for record in archive.records:
            if record.deleted:
                continue
            truth.append(TruthRecord(
                id=record_id(slug, record.local_id), access=record.access, province=sources[slug],
                level=record.level, path=tuple(record_id(slug, a) for a in record.ancestors),
                token=content_token(record), title=record.title, file_count=len(record.files)))
    return truth


@cache
def _the_34() -> frozenset[str]:
    from vietnam_provinces import Province

    return frozenset(f"{int(p.code):02d}" for p in Province.iter_all())


def _valid_province(code: str | None) -> str | None:
    return code if code in _the_34() else None


def reads_all(person: Person) -> bool:
    return bool(person.roles & _READS_EVERY_PROVINCE)


def own_province(person: Person) -> str | None:
    return _valid_province(person.province) if person.roles & _READS_OWN_PROVINCE else None


def may_see(person: Person, record: TruthRecord) -> bool:
    if reads_all(person) or record.access in ("public", "restricted"):
        return True
    return own_province(person) == record.province


def may_read(person: Person, record: TruthRecord) -> bool:
    if reads_all(person) or record.access == "public" or own_province(person) == record.province:
        return True
    if record.access == "restricted" and person.roles & _HOLDS_GRANTS:
        return bool(({record.id, *record.path}) & person.grants)
    return False


def count_by(records, key) -> Counter:
    return Counter(key(record) for record in records)
