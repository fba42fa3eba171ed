"""The gate of the staff and admin pages: a visitor who is not signed in is sent to sign in
(Flask-Login's own redirect, with the page to come back to), a signed-in one without the
right gets 403."""
from __future__ import annotations

from collections.abc import Callable

from flask import abort, current_app

from portal.access.identity import Identity, current_identity


def identity_allowed(may: Callable[[Identity], bool]) -> Identity:
    """The current identity when `may` says yes; otherwise the request ends here."""
    identity = current_identity()
    if may(identity):
        return identity
    if not identity.user_id:
        abort(current_app.login_manager.unauthorized())
    abort(403)
