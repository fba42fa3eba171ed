"""The identity a request acts as: roles, province, and the grants it holds."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import g, has_request_context

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


def identity_of_user(user, granted_record_ids: frozenset[str] = frozenset()) -> Identity:
    """The identity of a signed-in user (portal.auth.models.User). Roles that are not ours
    are kept as they are: `permissions_of` gives them nothing."""
    return Identity(user_id=str(user.id), roles=frozenset((user.roles or "").split()),
                    province=valid_province(user.province), granted_record_ids=granted_record_ids)


def current_identity() -> Identity:
    """Who the request acts as: the signed-in user, else anonymous (also outside a request)."""
    if not has_request_context():
        return ANONYMOUS
    if "identity" not in g:
        from flask_login import current_user  # imported late: identity is used without Flask-Login too

        user = current_user
        if user and user.is_authenticated:
            from portal.access.grants import granted_record_ids_of

            # One query a request: the user's active grants (not revoked, not expired now).
            g.identity = identity_of_user(user, granted_record_ids_of(user.id))
        else:
            g.identity = ANONYMOUS
    return g.identity
