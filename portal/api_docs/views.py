"""`GET /api/v1/openapi.json`: the OpenAPI document of the JSON API."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from portal.api_docs.openapi import openapi_document

api_docs_blueprint = Blueprint("api_docs", __name__)


@api_docs_blueprint.get("/api/v1/openapi.json")
def openapi_json():
    return jsonify(openapi_document(max_page_size=current_app.config["SEARCH_MAX_PAGE_SIZE"],
                                    max_window=current_app.config["SEARCH_MAX_WINDOW"]))
