"""The names of the actions the audit log records (DESIGN §7): one constant an action.

Callers pass these to `portal.audit.log.record_event`; the auditor pages filter by them.
"""
from __future__ import annotations

SIGN_IN = "auth.sign_in"
SIGN_IN_FAILED = "auth.sign_in_failed"
SIGN_OUT = "auth.sign_out"

SEARCH = "search.query"
SUGGEST = "search.suggest"
RECORD_VIEW = "record.view"
FULLTEXT_VIEW = "record.fulltext_view"
FILE_DOWNLOAD = "record.file_download"
EXPORT = "record.export"

REQUEST_CREATE = "request.create"
REQUEST_CHANGE = "request.change"
GRANT_CREATE = "grant.create"
GRANT_REVOKE = "grant.revoke"

ROLE_CHANGE = "admin.role_change"
SOURCE_CHANGE = "admin.source_change"
SETTING_CHANGE = "admin.setting_change"
ARCHIVE_CHANGE = "admin.archive_change"  # the description of a holding archive (ISDIAH)
CREATOR_MERGE = "admin.creator_merge"  # two creators (authority records) taken for one
CREATOR_SPLIT = "admin.creator_split"  # a name form taken out of a creator into one of its own
CREATOR_KEEP_APART = "admin.creator_keep_apart"  # two creators alike in name, decided to be two
CREATOR_CHANGE = "admin.creator_change"  # what admins say of a creator: its type, its dates of existence
CREATOR_VIEW = "creator.view"  # a creator's page (its authority record) shown
CREATOR_EXPORT = "creator.export"  # a creator's EAC-CPF record handed out
HARVEST_START = "harvest.start"
HARVEST_END = "harvest.end"

# A reader downloading or deleting their own data (Decree 13/2023); the details name no personal data.
ACCOUNT_EXPORT = "account.export"
ACCOUNT_DELETE = "account.delete"

AUDIT_EXPORT = "audit.export"
AUDIT_ARCHIVE = "audit.archive"

ALL_ACTIONS = (SIGN_IN, SIGN_IN_FAILED, SIGN_OUT, SEARCH, SUGGEST, RECORD_VIEW, FULLTEXT_VIEW, FILE_DOWNLOAD,
               EXPORT, REQUEST_CREATE, REQUEST_CHANGE, GRANT_CREATE, GRANT_REVOKE, ROLE_CHANGE, SOURCE_CHANGE,
               SETTING_CHANGE, HARVEST_START, HARVEST_END, ACCOUNT_EXPORT, ACCOUNT_DELETE, AUDIT_EXPORT,
               AUDIT_ARCHIVE, ARCHIVE_CHANGE, CREATOR_MERGE, CREATOR_SPLIT, CREATOR_KEEP_APART,
               CREATOR_CHANGE, CREATOR_VIEW, CREATOR_EXPORT)

ALLOWED, DENIED, FAILED = "allowed", "denied", "failed"
OUTCOMES = (ALLOWED, DENIED, FAILED)
