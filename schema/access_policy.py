"""A source's access policy: how its own wordings of access map to public / restricted / closed, and
the level of records that state none (DESIGN §4, issue 15).

Shared by the harvester, which applies it, and the admin pages, which set it: a statement is matched
by its key (Unicode NFC, case and spacing folded, a final full stop dropped), so "Open for research
without restrictions." and "open for research  without restrictions" are one rule. A rule may also say
that a statement says nothing of access (a licence, a copyright line): the record's level then comes
from its other statements, or from the level for records that state none. That level is closed unless
an admin sets it: an unknown level must never publish a record.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from dataclasses import dataclass, field

from schema.record import ACCESS_CLOSED, ACCESS_LEVELS

SAYS_NOTHING = "none"  # a rule's level: the statement says nothing of access
RULE_LEVELS = ACCESS_LEVELS + (SAYS_NOTHING,)
MAX_RULES = 200
MAX_STATEMENT_LENGTH = 1000


@lru_cache(maxsize=4096)  # a source repeats a few wordings on every record
def statement_key(statement: str) -> str:
    """What two wordings of one statement share: NFC, case-folded, spaces collapsed, no final stop."""
    text = " ".join(unicodedata.normalize("NFC", statement).casefold().split())
    return text.rstrip(".").rstrip()


@dataclass(frozen=True)
class AccessPolicy:
    """The rules of one source (statement key → level) and its level for records stating none."""

    rules: dict[str, str] = field(default_factory=dict)
    unstated: str = ACCESS_CLOSED

    @classmethod
    def of(cls, rules: list[dict] | None, unstated: str | None) -> "AccessPolicy":
        """From a source's stored rules ([{"statement", "level"}]); anything malformed is left out, so a
        damaged row can only close records, never open them."""
        keyed = {}
        for rule in rules if isinstance(rules, list) else ():
            if not isinstance(rule, dict):
                continue
            statement, level = rule.get("statement"), rule.get("level")
            if isinstance(statement, str) and level in RULE_LEVELS and statement_key(statement):
                keyed[statement_key(statement)] = level
        return cls(rules=keyed, unstated=unstated if unstated in ACCESS_LEVELS else ACCESS_CLOSED)

    def rule_for(self, statement: str) -> str | None:
        return self.rules.get(statement_key(statement))


DEFAULT_POLICY = AccessPolicy()


def policy_of(source) -> AccessPolicy:
    """The policy a source's row holds (a Source, or anything with access_rules and unstated_access)."""
    return AccessPolicy.of(getattr(source, "access_rules", None), getattr(source, "unstated_access", None))
