"""Who may give which role to which local user (DESIGN §4): a province's archive admin makes
readers staff of their own province (and back); a national admin gives any role anywhere.
Officials' roles come from the identity provider's claims, so they are not changed here."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal.access.identity import Identity, valid_province
from portal.access.roles import ASSIGNABLE_ROLES, MANAGE_ALL, MANAGE_OWN_PROVINCE_STAFF
from portal.auth.models import User

PROVINCE_ROLES = frozenset({"staff", "archive_admin"})


class RoleChangeRefused(Exception):
    """`reason`: official | self | role | province | user — each with its own message in the view."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class RoleChange:
    user_id: int
    old_roles: str
    old_province: str | None
    new_roles: str
    new_province: str | None


def may_manage_users(identity: Identity) -> bool:
    return identity.can(MANAGE_ALL) or identity.can(MANAGE_OWN_PROVINCE_STAFF)


def assignable_roles(identity: Identity) -> tuple[str, ...]:
    if identity.can(MANAGE_ALL):
        return ASSIGNABLE_ROLES[MANAGE_ALL]
    if identity.can(MANAGE_OWN_PROVINCE_STAFF):
        return ASSIGNABLE_ROLES[MANAGE_OWN_PROVINCE_STAFF]
    return ()


def manageable_users(db: Session, identity: Identity, search: str | None = None, limit: int = 100) -> list[User]:
    """Local users the identity may manage: all for a national admin; for an archive admin the
    readers with no province and the staff of their own province."""
    query = select(User).where(User.oidc_subject.is_(None)).order_by(User.full_name, User.id).limit(limit)
    if not identity.can(MANAGE_ALL):
        if not identity.can(MANAGE_OWN_PROVINCE_STAFF):
            return []
        query = query.where(or_(User.province == identity.province,
                                (User.province.is_(None)) & (User.roles == "reader")))
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(or_(User.email.like(pattern), User.full_name.ilike(pattern)))
    return list(db.scalars(query))


def change_role(db: Session, actor: Identity, user: User, role: str, province: str | None) -> RoleChange:
    allowed = assignable_roles(actor)
    if user.is_official:
        raise RoleChangeRefused("official")
    if actor.user_id == str(user.id):
        raise RoleChangeRefused("self")  # nobody raises or drops their own rights
    if role not in allowed:
        raise RoleChangeRefused("role")
    if not actor.can(MANAGE_ALL):
        if not _within_own_province(actor, user):
            raise RoleChangeRefused("user")
        province = actor.province
    if role in PROVINCE_ROLES:
        province = valid_province(province)
        if province is None:
            raise RoleChangeRefused("province")
    else:
        province = None
    change = RoleChange(user.id, user.roles, user.province, role, province)
    user.roles = role
    user.province = province
    db.commit()
    return change


def _within_own_province(actor: Identity, user: User) -> bool:
    """A reader with no province, or staff of the actor's province (never another admin)."""
    if user.province is None:
        return user.role_set <= {"reader"}
    return user.province == actor.province and user.role_set <= {"reader", "staff"}
