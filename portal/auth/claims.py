"""From an identity provider's ID token claims to our roles and province (DESIGN §6).

Which claims carry the groups and the province, and which groups give which role, are
configuration (`OIDC_ROLE_CLAIM`, `OIDC_PROVINCE_CLAIM`, `OIDC_GROUP_ROLES`). The mapping
fails closed: unknown groups give nothing, an official whose groups map to nothing is a
reader and never more, and a province that is not one of the 34 is dropped (the role stays,
but `portal.access` then opens nothing province-bound to it). No Flask and no database here.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from portal.access.identity import valid_province
from portal.access.roles import ROLE_PERMISSIONS

log = logging.getLogger(__name__)

READER = "reader"
DEFAULT_GROUP_ROLES = ("/archives/staff=staff,/archives/archive-admin=archive_admin,"
                       "/archives/national-admin=national_admin,/archives/auditor=auditor")
# Roles a group may give; `anonymous` is what no sign-in gives, not something to map to.
MAPPABLE_ROLES = frozenset(ROLE_PERMISSIONS) - {"anonymous"}


class ClaimMappingError(ValueError):
    """The claim mapping in the configuration cannot be read."""


@dataclass(frozen=True)
class ClaimMapping:
    role_claim: str = "groups"
    province_claim: str = "province"
    group_roles: Mapping[str, str] | None = None

    @classmethod
    def from_config(cls, config: Mapping) -> ClaimMapping:
        return cls(role_claim=config.get("OIDC_ROLE_CLAIM") or "groups",
                   province_claim=config.get("OIDC_PROVINCE_CLAIM") or "province",
                   group_roles=parse_group_roles(config.get("OIDC_GROUP_ROLES") or DEFAULT_GROUP_ROLES))


def parse_group_roles(text: str) -> dict[str, str]:
    """'/archives/staff=staff,/archives/auditor=auditor' → {'/archives/staff': 'staff', ...}.

    A group is matched exactly as the claim carries it (a full path, or a bare name if the
    identity provider sends names). A role we do not know is a configuration error, raised
    at start-up rather than silently giving nothing (or something else) at sign-in.
    """
    mapping: dict[str, str] = {}
    for entry in text.replace("\n", ",").split(","):
        if not entry.strip():
            continue
        group, separator, role = entry.rpartition("=")
        group, role = group.strip(), role.strip()
        if not separator or not group or not role:
            raise ClaimMappingError(f"OIDC_GROUP_ROLES: expected GROUP=ROLE, got {entry.strip()!r}")
        if role not in MAPPABLE_ROLES:
            raise ClaimMappingError(
                f"OIDC_GROUP_ROLES: unknown role {role!r} for {group!r} (known: {', '.join(sorted(MAPPABLE_ROLES))})")
        mapping[group] = role
    return mapping


@dataclass(frozen=True)
class OfficialClaims:
    """What the portal keeps of an official's validated ID token."""
    issuer: str
    subject: str
    email: str | None
    full_name: str
    roles: frozenset[str]
    province: str | None


def roles_from_claims(claims: Mapping, mapping: ClaimMapping) -> frozenset[str]:
    """Our roles for the groups in the claim; `reader` when none of them is mapped."""
    value = claims.get(mapping.role_claim)
    if isinstance(value, str):
        groups = [value]
    elif isinstance(value, (list, tuple)):
        groups = [group for group in value if isinstance(group, str)]
    else:
        groups = []
    group_roles = mapping.group_roles or {}
    roles = frozenset(group_roles[group] for group in groups if group in group_roles)
    return roles or frozenset({READER})


def province_from_claims(claims: Mapping, mapping: ClaimMapping) -> str | None:
    """The province code if the claim names one of the 34, else None."""
    value = claims.get(mapping.province_claim)
    if isinstance(value, (list, tuple)):
        value = value[0] if len(value) == 1 else None  # several provinces: none is the one
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return valid_province(str(value))


def _full_name(claims: Mapping) -> str:
    """Vietnamese order, family name first ("Nguyễn Thị Lan"), when the parts are given: an
    identity provider's `name` often puts the given name first."""
    parts = [claims.get("family_name"), claims.get("given_name")]
    name = " ".join(part.strip() for part in parts if isinstance(part, str) and part.strip())
    if not name or not all(isinstance(part, str) and part.strip() for part in parts):
        name = claims.get("name") if isinstance(claims.get("name"), str) and claims["name"].strip() else name
    return (name or claims.get("preferred_username") or "").strip()[:255]


def read_official_claims(claims: Mapping, mapping: ClaimMapping) -> OfficialClaims:
    """The official the validated claims describe. Raises ValueError without issuer or subject."""
    issuer, subject = claims.get("iss"), claims.get("sub")
    if not isinstance(issuer, str) or not issuer or not isinstance(subject, str) or not subject:
        raise ValueError("the ID token has no issuer or no subject")
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email or not claims.get("email_verified", False):
        email = None  # an unverified address is not the official's to claim
    roles = roles_from_claims(claims, mapping)
    province = province_from_claims(claims, mapping)
    raw_province = claims.get(mapping.province_claim)
    if raw_province not in (None, "", []) and province is None:
        log.warning("OIDC subject %s: province claim %r is not one of the 34 provinces; ignored",
                    subject, raw_province)
    return OfficialClaims(issuer=issuer, subject=subject, email=email.strip().lower() if email else None,
                          full_name=_full_name(claims), roles=roles, province=province)


def apply_claims(user, official: OfficialClaims) -> None:
    """Write the claims onto a `portal.auth.models.User`: at first sign-in and every later one,
    so that a change of group or province at the identity provider takes effect at the next."""
    user.oidc_issuer = official.issuer
    user.oidc_subject = official.subject
    user.roles = " ".join(sorted(official.roles))
    user.province = official.province
    if official.full_name:
        user.full_name = official.full_name
