"""The identity a request acts as: roles, province, and the grants it holds."""
from __future__ import annotations

from dataclasses import dataclass, field

from portal.access.roles import permissions_of
from schema.provinces import current_provinces, normalise_code


@dataclass(frozen=True)
class Identity:
    user_id: str | None = None
    roles: frozenset[str] = frozenset()
    province: str | None = None  # code of one of the 34, for staff and archive admins
    # Record ids whose content is open to this identity through an active access grant;
    # a grant on a file or fonds covers what is under it (matched through `path`).
    granted_record_ids: frozenset[str] = field(default_factory=frozenset)

    @property
    def permissions(self) -> frozenset[str]:
        return permissions_of(self.roles, valid_province(self.province))

    def can(self, permission: str) -> bool:
        return permission in self.permissions


ANONYMOUS = Identity()


def valid_province(code: str | None) -> str | None:
    """The code if it names one of the 34 provinces, else None (an unmapped province opens nothing)."""
    if not code:
        return None
    try:
        code = normalise_code(code)
    except ValueError:
        return None
    return code if code in current_provinces() else None


def current_identity() -> Identity:
    """Who the request acts as. Until sign-in exists every request is anonymous."""
    return ANONYMOUS
