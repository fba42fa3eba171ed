"""`GET /healthz`: the state of OpenSearch, Tika and the database, 503 naming what is down."""
from __future__ import annotations

import requests
from flask import Blueprint, current_app, jsonify

from portal import database
from portal.opensearch import get_client

health_blueprint = Blueprint("health", __name__)


def _check_opensearch() -> dict:
    try:
        health = get_client().cluster.health(timeout="3s", params={"request_timeout": 5})
    except Exception as error:  # any failure means "down"; the reason goes to the operator
        return {"ok": False, "error": type(error).__name__}
    return {"ok": health.get("status") in ("green", "yellow"), "status": health.get("status")}


def _check_tika() -> dict:
    try:
        answer = requests.get(current_app.config["TIKA_SERVER_ENDPOINT"].rstrip("/") + "/version", timeout=5)
    except requests.RequestException as error:
        return {"ok": False, "error": type(error).__name__}
    return {"ok": answer.ok, "version": answer.text.strip()[:80] if answer.ok else None}


def _check_database() -> dict:
    try:
        database.ping(current_app)
    except Exception as error:
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True}


@health_blueprint.get("/healthz")
def healthz():
    services = {"opensearch": _check_opensearch(), "tika": _check_tika(), "database": _check_database()}
    down = [name for name, state in services.items() if not state["ok"]]
    body = {"status": "ok" if not down else "unavailable", "down": down, "services": services}
    return jsonify(body), 200 if not down else 503
