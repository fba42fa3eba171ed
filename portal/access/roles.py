"""Roles and what they may do, as data. Views and templates ask for a permission, never a role."""
from __future__ import annotations

# What a role may read of the records.
READ_PUBLIC = "read_public"  # public records, and that restricted ones exist
READ_OWN_PROVINCE = "read_own_province"  # every record held by one's own province
READ_ALL = "read_all"  # every record of every province

REQUEST_ACCESS = "request_access"
DECIDE_OWN_PROVINCE_REQUESTS = "decide_own_province_requests"
DECIDE_ALL_REQUESTS = "decide_all_requests"  # every province's requests and grants
VIEW_HARVESTS = "view_harvests"
MANAGE_OWN_PROVINCE_SOURCES = "manage_own_province_sources"
MANAGE_OWN_PROVINCE_STAFF = "manage_own_province_staff"  # give local users staff roles in one's province
MANAGE_ALL = "manage_all"
READ_AUDIT = "read_audit"  # every row of the audit log
READ_OWN_PROVINCE_AUDIT = "read_own_province_audit"  # the audit rows of one's own province

_ANONYMOUS = {READ_PUBLIC}
_READER = _ANONYMOUS | {REQUEST_ACCESS}
_STAFF = _READER | {READ_OWN_PROVINCE, DECIDE_OWN_PROVINCE_REQUESTS, VIEW_HARVESTS}
_ARCHIVE_ADMIN = _STAFF | {MANAGE_OWN_PROVINCE_SOURCES, MANAGE_OWN_PROVINCE_STAFF, READ_OWN_PROVINCE_AUDIT}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "anonymous": frozenset(_ANONYMOUS),
    "reader": frozenset(_READER),
    "staff": frozenset(_STAFF),
    "archive_admin": frozenset(_ARCHIVE_ADMIN),
    "national_admin": frozenset(_ARCHIVE_ADMIN | {READ_ALL, MANAGE_ALL, READ_AUDIT, DECIDE_ALL_REQUESTS}),
    "auditor": frozenset(_ANONYMOUS | {READ_AUDIT}),
}

# Permissions that only mean something together with a province of one's own.
PROVINCE_BOUND = frozenset({READ_OWN_PROVINCE, DECIDE_OWN_PROVINCE_REQUESTS, MANAGE_OWN_PROVINCE_SOURCES,
                            MANAGE_OWN_PROVINCE_STAFF, READ_OWN_PROVINCE_AUDIT})


# Which roles a permission lets one give to a local user (a national admin gives any, anywhere).
ASSIGNABLE_ROLES = {
    MANAGE_OWN_PROVINCE_STAFF: ("reader", "staff"),
    MANAGE_ALL: ("reader", "staff", "archive_admin", "auditor", "national_admin"),
}


def permissions_of(roles: frozenset[str] | set[str], province: str | None) -> frozenset[str]:
    """Union of the roles' permissions; unknown roles give nothing, and province-bound
    permissions are dropped without a valid province (fail closed, never open)."""
    granted: set[str] = set(ROLE_PERMISSIONS["anonymous"])
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    if not province:
        granted -= PROVINCE_BOUND
    return frozenset(granted)
