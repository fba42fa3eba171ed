"""Turning errors into answers at one boundary: a JSON error for the API, a page for people.

Nothing unexpected shows a traceback or internal detail to the user; the operator gets the
log line.
"""
from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from portal.opensearch import SearchUnavailable


def _wants_json() -> bool:
    return request.path.startswith("/api/")


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
        message = _("This page does not exist, or you may not see it.") if error.code == 404 else error.description
        return render_template("errors/error.html", status=error.code, message=message), error.code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        current_app.logger.exception("unexpected error on %s", request.path)
        if _wants_json():
            return jsonify(error={"code": "internal_error", "message": "Something went wrong."}), 500
        return render_template("errors/error.html", status=500,
                               message=_("Something went wrong on our side. Please try again.")), 500
