"""The header's work menu: the pages a signed-in person's permissions open, and no other.

Each entry asks the same question its view asks before it answers, so the menu never offers a
page that would refuse the person (403) and never hides one they may use."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from flask_babel import lazy_gettext as _l

from portal.access import grants
from portal.access.identity import Identity, current_identity
from portal.access.roles import (DECIDE_ALL_REQUESTS, READ_AUDIT, READ_OWN_PROVINCE_AUDIT, VIEW_HARVESTS)
from portal.auth.role_changes import may_manage_users

# Up to this many entries sit in the header as links; more go into one menu, so the header keeps one row.
INLINE_ENTRIES = 2


@dataclass(frozen=True)
class MenuEntry:
    endpoint: str
    label: str
    key: str  # a stable name for tests and styling (data-menu-entry)


def decides_requests(identity: Identity) -> bool:
    """What the staff request views ask (portal.access.views._require_decider)."""
    return bool(identity.user_id) and (identity.can(DECIDE_ALL_REQUESTS) or grants.may_decide_for(identity,
                                                                                                   identity.province))


def work_entries(identity: Identity) -> list[MenuEntry]:
    """The work pages this identity may open, in the order of a day's work."""
    if not identity.user_id:
        return []
    entries = []
    if decides_requests(identity):
        entries += [MenuEntry("access.staff_queue", _l("Requests to decide"), "requests"),
                    MenuEntry("access.staff_grants", _l("Grants"), "grants")]
    if identity.can(VIEW_HARVESTS):
        entries += [MenuEntry("admin.harvests", _l("Harvest runs"), "harvests"),
                    MenuEntry("admin.sources", _l("Sources"), "sources")]
    if may_manage_users(identity):
        entries.append(MenuEntry("admin_users.list_users", _l("Users"), "users"))
    if identity.can(READ_AUDIT) or identity.can(READ_OWN_PROVINCE_AUDIT):
        entries.append(MenuEntry("audit.audit_list", _l("Audit log"), "audit"))
    return entries


def init_app(app: Flask) -> None:
    @app.context_processor
    def work_menu():
        entries = work_entries(current_identity())
        return {"work_entries": entries, "work_menu_folded": len(entries) > INLINE_ENTRIES}
