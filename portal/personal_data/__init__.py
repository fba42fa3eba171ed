"""Personal data under Decree 13/2023/NĐ-CP: the reader's ID number encrypted at rest, the
privacy notice and consent at registration, keyed hashes of anonymous visitors' addresses in
the audit log, and a reader's download and deletion of their own data.

May import `portal.auth`, `portal.access`, `portal.audit` and `portal.database`; the audit log
and the accounts use only `encryption` and `addresses`, which import nothing of the portal.
"""
from __future__ import annotations

from flask import Flask

from portal.personal_data import addresses, encryption

# The privacy notice shown at registration; a reader's consent names the version they agreed to.
# Change it whenever the notice's content changes.
NOTICE_VERSION = "2026-12-06"


def init_app(app: Flask) -> None:
    """Load the keys; without PERSONAL_DATA_KEY outside tests and debug the portal does not start."""
    from portal.personal_data.names import person_name

    encryption.init_app(app)
    addresses.init_app(app)
    app.jinja_env.globals["person_name"] = person_name

