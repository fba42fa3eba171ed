"""/healthz and the pages when a service is down: a clear answer, never a crash."""
from __future__ import annotations

from tests.conftest import make_portal


def test_healthz_reports_every_service_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["down"] == []
    assert set(body["services"]) == {"opensearch", "tika", "database"}


def test_when_opensearch_and_tika_are_down_healthz_names_them_and_pages_explain(tmp_path_factory):
    app = make_portal(tmp_path_factory, OPENSEARCH_URL="http://127.0.0.1:9",
                      TIKA_SERVER_ENDPOINT="http://127.0.0.1:9", OPENSEARCH_TIMEOUT=3)
    client = app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert set(health.get_json()["down"]) == {"opensearch", "tika"}

    api = client.get("/api/v1/search?q=hue")
    assert api.status_code == 503 and api.get_json()["error"]["code"] == "search_unavailable"
    page = client.get("/search?q=hue", headers={"Accept-Language": "vi"})
    assert page.status_code == 503
    assert "Dịch vụ tìm kiếm tạm thời không hoạt động" in page.get_data(as_text=True)
    assert client.get("/records/hue:P01").status_code == 503
    assert client.get("/").status_code == 503
