"""/healthz, /readyz and the pages when a service is down: a clear answer, never a crash."""
from __future__ import annotations

import os

from tests.conftest import make_portal

DEAD = "http://127.0.0.1:9"  # the discard port: nothing listens there


def test_healthz_says_the_process_lives(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_is_ready_when_every_service_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["down"] == [] and body["required"] == ["database", "opensearch"]
    assert {name: state["state"] for name, state in body["services"].items()} == {
        "database": "up", "opensearch": "up", "tika": "up"}
    assert body["services"]["opensearch"]["status"] in ("green", "yellow")
    assert body["services"]["tika"]["version"].startswith("Apache Tika")


def test_readyz_is_unready_naming_opensearch_when_it_does_not_answer(tmp_path_factory):
    client = make_portal(tmp_path_factory, OPENSEARCH_URL=DEAD).test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable" and body["down"] == ["opensearch"]
    assert body["services"]["opensearch"] == {"ok": False, "state": "down", "error": "ConnectionError"}
    assert body["services"]["database"]["state"] == "up" and body["services"]["tika"]["state"] == "up"
    assert client.get("/healthz").status_code == 200  # alive all the same: restarting it would not help


def test_readyz_stays_ready_when_only_tika_is_down_and_says_so(tmp_path_factory):
    client = make_portal(tmp_path_factory, TIKA_SERVER_ENDPOINT=DEAD).test_client()
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["down"] == []
    assert body["services"]["tika"] == {"ok": False, "state": "down", "error": "ConnectionError"}
    assert body["services"]["opensearch"]["state"] == "up" and body["services"]["database"]["state"] == "up"


def test_readyz_is_unready_naming_the_database_when_it_does_not_answer():
    from app import create_app

    # A PostgreSQL address where nothing listens: the SELECT 1 cannot be made.
    app = create_app({"TESTING": True, "DATABASE_URL": "postgresql+psycopg://portal:s3cret@127.0.0.1:9/portal",
                      "OPENSEARCH_URL": os.environ.get("OPENSEARCH_URL", "http://127.0.0.1:9200"),
                      "TIKA_SERVER_ENDPOINT": os.environ.get("TIKA_SERVER_ENDPOINT", "http://127.0.0.1:9998")})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["down"] == ["database"] and body["services"]["database"]["state"] == "down"
    assert body["services"]["opensearch"]["state"] == "up"
    assert "s3cret" not in response.get_data(as_text=True)


def test_when_opensearch_and_tika_are_down_readyz_names_opensearch_and_pages_explain(tmp_path_factory):
    app = make_portal(tmp_path_factory, OPENSEARCH_URL=DEAD, TIKA_SERVER_ENDPOINT=DEAD, OPENSEARCH_TIMEOUT=3)
    client = app.test_client()
    health = client.get("/readyz")
    assert health.status_code == 503
    body = health.get_json()
    assert body["down"] == ["opensearch"] and body["services"]["tika"]["state"] == "down"

    api = client.get("/api/v1/search?q=hue")
    assert api.status_code == 503 and api.get_json()["error"]["code"] == "search_unavailable"
    page = client.get("/search?q=hue", headers={"Accept-Language": "vi"})
    assert page.status_code == 503
    assert "Dịch vụ tìm kiếm tạm thời không hoạt động" in page.get_data(as_text=True)
    assert client.get("/records/hue:P01").status_code == 503
    assert client.get("/").status_code == 503
