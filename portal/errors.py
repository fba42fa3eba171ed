"""Turning errors into answers at one boundary: a JSON error for the API, a page for people.

Nothing unexpected shows a traceback or internal detail to the user; the operator gets the
log line.
"""
from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal.opensearch import SearchUnavailable


def _wants_json() -> bool:
    return request.path.startswith("/api/")


# What a person is told, in their language, with what to do next; Werkzeug's own texts are English.
MESSAGES = {
    400: _l("The portal could not understand this request: a link may be broken or a form filled in wrongly. "
            "Go back, check what you typed and try again."),
    403: _l("You may not open this page with the account you are signed in with. Sign in with another account, "
            "or go back to the search page."),
    404: _l("This page does not exist, or you may not see it."),
    405: _l("This address does not take that kind of request. Go back to the page you came from and use its "
            "buttons and links."),
    413: _l("What you sent is too large. Send less at once."),
    429: _l("Too many requests from your address in a short time. Wait a minute, then try again."),
}
CSRF_MESSAGE = _l("This form has expired or was sent twice. Reload the page, fill it in again and send it.")


def _message(error: HTTPException) -> str:
    """A message of the portal's for Werkzeug's defaults; a view's own (already translated) description stays."""
    if isinstance(error, CSRFError):
        return str(CSRF_MESSAGE)
    own = error.description != type(error).description and error.code != 429  # 429: Flask-Limiter's limit text
    if own or error.code not in MESSAGES:
        return error.description if own else _("Something went wrong on our side. Please try again.")
    return str(MESSAGES[error.code])


def init_app(app: Flask) -> None:
    @app.errorhandler(SearchUnavailable)
    def search_unavailable(error: SearchUnavailable):
        current_app.logger.error("search unavailable: %s", error)
        if _wants_json():
            return jsonify(error={"code": "search_unavailable",
                                  "message": "The search service is unavailable; try again later."}), 503
        return render_template("errors/error.html", status=503, message=_(
            "The search service is unavailable right now. Please try again later.")), 503

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if _wants_json():
            return jsonify(error={"code": error.name.lower().replace(" ", "_"),
                                  "message": error.description}), error.code
        return render_template("errors/error.html", status=error.code, message=_message(error)), error.code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        current_app.logger.exception("unexpected error on %s", request.path)
        if _wants_json():
            return jsonify(error={"code": "internal_error", "message": "Something went wrong."}), 500
        return render_template("errors/error.html", status=500,
                               message=_("Something went wrong on our side. Please try again.")), 500
