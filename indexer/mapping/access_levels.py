"""The access level a source states, in any wording it uses, mapped to public/restricted/closed.

Thông tư 05/2025/TT-BNV names Công khai, Sử dụng có điều kiện and Mật; sources still on
Thông tư 02/2019 send "Hạn chế sử dụng" or a chế độ sử dụng. Repositories abroad state access with
vocabularies' URIs: COAR's access rights and OpenAIRE's `info:eu-repo/semantics/…Access` say the
level; a Creative Commons licence or public-domain mark, or a rightsstatements.org "No Copyright"
statement, publishes the work; rightsstatements.org's in-copyright and undetermined statements speak
of reuse, not access, and say nothing of the level.

The source's own policy (schema/access_policy.py, set by its admins) comes first: its rules map its
wordings, and it gives the level of records that state none. A wording nobody knows maps to closed
and is reported: an unknown level must never publish a record. Beside a known level, an unknown
statement that speaks of secrecy or restriction ("Bí mật nhà nước") closes the record too; one that
does not (a licence, a copyright line) is left to the known level.
"""
from __future__ import annotations

import re
from typing import NamedTuple

from schema.access_policy import DEFAULT_POLICY, SAYS_NOTHING, AccessPolicy, statement_key
from schema.record import ACCESS_CLOSED, ACCESS_PUBLIC, ACCESS_RESTRICTED

_WORDINGS = {
    ACCESS_PUBLIC: ("công khai", "sử dụng rộng rãi", "public", "open", "open access"),
    ACCESS_RESTRICTED: (
        "sử dụng có điều kiện",
        "có điều kiện",
        "hạn chế",
        "hạn chế sử dụng",
        "restricted",
        "restricted access",
        "conditional",
    ),
    ACCESS_CLOSED: ("mật", "tối mật", "tuyệt mật", "không công khai", "closed", "closed access", "secret"),
}
_BY_WORDING = {wording: level for level, wordings in _WORDINGS.items() for wording in wordings}
_RESTRICTIVE_WORDS = ("mật", "hạn chế", "điều kiện", "không công khai", "restricted", "closed",
                      "secret", "confidential", "classified", "embargo")
_LABELS = ("mức độ tiếp cận:", "chế độ sử dụng:")

# COAR Access Rights (purl.org/coar/access_right/…): open, restricted, metadata only, embargoed.
_COAR = {"c_abf2": ACCESS_PUBLIC, "c_16ec": ACCESS_RESTRICTED, "c_14cb": ACCESS_RESTRICTED,
         "c_f1cf": ACCESS_CLOSED}
# OpenAIRE's info:eu-repo access rights. "closedAccess" leaves only the metadata: our closed hides even that,
# which is the safe side. An embargo is closed until a run after it ends says otherwise.
_EU_REPO = {"openaccess": ACCESS_PUBLIC, "restrictedaccess": ACCESS_RESTRICTED,
            "metadataonlyaccess": ACCESS_RESTRICTED, "closedaccess": ACCESS_CLOSED,
            "embargoedaccess": ACCESS_CLOSED}
_URI = re.compile(r"^(?:https?://)?(?:www\.)?(?P<host>[a-z0-9.-]+)/(?P<path>[^?#\s]*)")
_EU_REPO_TERM = re.compile(r"^info:eu-repo/semantics/(\w+)$")


class AccessDecision(NamedTuple):
    """The level, why it is closed when that is not what the source said, and the statements not known."""

    level: str
    reason: str | None
    unrecognised: tuple[str, ...] = ()


def known_statement(statement: str) -> str | None:
    """The level a statement says by the portal's own vocabularies, SAYS_NOTHING for one that speaks of
    reuse only, None for a statement the portal does not know."""
    key = statement_key(statement)
    for label in _LABELS:
        key = key.removeprefix(label).strip()
    if key in _BY_WORDING:
        return _BY_WORDING[key]
    term = _EU_REPO_TERM.match(key)
    if term:
        return _EU_REPO.get(term.group(1))
    uri = _URI.match(key)
    if uri is None:
        return None
    host, path = uri.group("host"), uri.group("path").rstrip("/")
    if host == "purl.org" and path.startswith("coar/access_right/"):
        return _COAR.get(path.rsplit("/", 1)[-1])
    if host == "creativecommons.org" and re.match(r"(licenses|publicdomain)/[a-z-]+(/|$)", path):
        return ACCESS_PUBLIC
    if host == "rightsstatements.org" and path.startswith(("vocab/", "page/")):
        statement_id = path.split("/")[1]
        if statement_id.startswith("noc-"):
            return ACCESS_PUBLIC
        if statement_id.startswith("inc") or statement_id in ("cne", "und", "nkc"):
            return SAYS_NOTHING
    return None


def map_access(values: list[str], policy: AccessPolicy = DEFAULT_POLICY) -> AccessDecision:
    """The access of a record from its rights statements and its source's policy; the strictest wins."""
    found, unrecognised, unknown_restrictive = [], [], []
    for value in values:
        statement = " ".join(value.split())
        if not statement:
            continue
        level = policy.rule_for(statement) or known_statement(statement)
        if level == SAYS_NOTHING:
            continue
        if level is not None:
            found.append(level)
            continue
        unrecognised.append(statement)
        key = statement_key(statement)  # once, not once a word: normalising is most of a record's mapping
        if any(word in key for word in _RESTRICTIVE_WORDS):
            unknown_restrictive.append(statement)
    unrecognised_tuple = tuple(dict.fromkeys(unrecognised))
    if found and unknown_restrictive:
        return AccessDecision(ACCESS_CLOSED, f"unrecognised access statement: {'; '.join(unknown_restrictive)}",
                              unrecognised_tuple)
    if found:
        strictest = next(level for level in (ACCESS_CLOSED, ACCESS_RESTRICTED, ACCESS_PUBLIC) if level in found)
        return AccessDecision(strictest, None, unrecognised_tuple)
    if unrecognised:
        return AccessDecision(ACCESS_CLOSED, f"unrecognised access statement: {'; '.join(unrecognised)}",
                              unrecognised_tuple)
    if policy.unstated == ACCESS_CLOSED:
        return AccessDecision(ACCESS_CLOSED, "no access level stated")
    return AccessDecision(policy.unstated, None)
