"""`GET /healthz`: the process lives. `GET /readyz`: the portal can serve, because the database and
OpenSearch answer (503 naming what does not); Tika's state is reported but never makes the portal
unready, since only harvesting needs it.

Each check has a short timeout of its own, so a probe answers within seconds whatever is down.
"""
from __future__ import annotations

import requests
from flask import Blueprint, current_app, jsonify

from portal import database
from portal.opensearch import get_client

health_blueprint = Blueprint("health", __name__)

CHECK_TIMEOUT_SECONDS = 2
# What the portal cannot serve without; the other checks are reported only.
REQUIRED = ("database", "opensearch")


def _down(error: Exception) -> dict:
    # The kind of failure only: a message may carry an address or a password of a database URL.
    return {"ok": False, "state": "down", "error": type(error).__name__}


def _check_opensearch() -> dict:
    try:
        health = get_client().cluster.health(
            timeout=f"{CHECK_TIMEOUT_SECONDS}s", params={"request_timeout": CHECK_TIMEOUT_SECONDS})
    except Exception as error:  # any failure means "down"; the reason goes to the operator
        return _down(error)
    ok = health.get("status") in ("green", "yellow")
    return {"ok": ok, "state": "up" if ok else "down", "status": health.get("status")}


def _check_tika() -> dict:
    try:
        answer = requests.get(current_app.config["TIKA_SERVER_ENDPOINT"].rstrip("/") + "/version",
                              timeout=CHECK_TIMEOUT_SECONDS)
    except requests.RequestException as error:
        return _down(error)
    return {"ok": answer.ok, "state": "up" if answer.ok else "down",
            "version": answer.text.strip()[:80] if answer.ok else None}


def _check_database() -> dict:
    try:
        database.ping(current_app)  # SELECT 1
    except Exception as error:
        return _down(error)
    return {"ok": True, "state": "up"}


@health_blueprint.get("/healthz")
def healthz():
    """Liveness: answers as long as the process can serve a request; touches no service."""
    return jsonify(status="ok")


@health_blueprint.get("/readyz")
def readyz():
    services = {"database": _check_database(), "opensearch": _check_opensearch(), "tika": _check_tika()}
    down = [name for name in REQUIRED if not services[name]["ok"]]
    body = {"status": "ok" if not down else "unavailable", "down": down, "required": list(REQUIRED),
            "services": services}
    return jsonify(body), 200 if not down else 503
