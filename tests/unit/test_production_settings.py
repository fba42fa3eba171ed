"""Production settings without services: the secret key the portal refuses to start without, the
rate-limit store derived from REDIS_URL, gunicorn.conf.py's values, who may read /metrics, and the
names OpenSearch requests are timed under."""
from __future__ import annotations

import os
import runpy
import shutil
from pathlib import Path

import pytest

from portal.config import MissingSecretKey, load_config, require_secret_key

PROJECT_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture()
def no_secret_key(monkeypatch):
    # Empty rather than absent, so that a .env of the clone cannot fill it in.
    monkeypatch.setenv("SECRET_KEY", "")


def test_without_a_secret_key_the_portal_refuses_to_start_saying_how_to_make_one(no_secret_key, tmp_path):
    from app import create_app

    with pytest.raises(MissingSecretKey) as refused:
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/portal.db"})
    message = str(refused.value)
    assert "\n" not in message
    assert "python -c 'import secrets; print(secrets.token_hex(32))'" in message


def test_the_placeholder_of_env_example_is_no_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "change-me")
    from app import create_app

    with pytest.raises(MissingSecretKey):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/portal.db"})


def test_tests_and_debug_get_a_random_key_of_their_own(no_secret_key, tmp_path):
    from app import create_app

    first = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/portal.db"})
    second = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/portal.db"})
    assert len(first.config["SECRET_KEY"]) == 64 and first.config["SECRET_KEY"] != second.config["SECRET_KEY"]
    in_debug = {"SECRET_KEY": ""}
    require_secret_key(in_debug, debug=True)
    assert len(in_debug["SECRET_KEY"]) == 64


def test_a_secret_key_from_the_environment_is_used_as_it_is(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "a-key-shared-by-every-worker")
    from app import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/portal.db"})
    assert app.config["SECRET_KEY"] == "a-key-shared-by-every-worker" and not app.testing


@pytest.mark.parametrize("environment, storage", [
    ({}, "memory://"),
    ({"REDIS_URL": "redis://127.0.0.1:6380/0"}, "redis://127.0.0.1:6380/0"),
    ({"REDIS_URL": "redis://127.0.0.1:6380/0", "RATELIMIT_STORAGE_URI": "redis://cache:6379/3"},
     "redis://cache:6379/3"),
])
def test_the_rate_limit_store_comes_from_redis_url_unless_named(monkeypatch, tmp_path, environment, storage):
    for name in ("REDIS_URL", "RATELIMIT_STORAGE_URI"):
        monkeypatch.setenv(name, environment.get(name, ""))
    assert load_config(str(tmp_path))["RATELIMIT_STORAGE_URI"] == storage


def test_metrics_addresses_default_to_loopback_and_proxy_fix_to_no_proxy(monkeypatch, tmp_path):
    for name in ("METRICS_ALLOWED_IPS", "PROXY_FIX_HOPS", "METRICS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    config = load_config(str(tmp_path))
    assert config["METRICS_ALLOWED_IPS"] == ("127.0.0.1", "::1")
    assert config["PROXY_FIX_HOPS"] == 0 and config["METRICS_TOKEN"] == ""


@pytest.fixture()
def gunicorn_settings(monkeypatch):
    """gunicorn.conf.py read as gunicorn reads it, in an environment put back afterwards."""
    def read(**environment) -> dict:
        for name in ("PORTAL_BIND", "GUNICORN_WORKERS", "GUNICORN_THREADS", "PROMETHEUS_MULTIPROC_DIR"):
            monkeypatch.setenv(name, environment.get(name, ""))
        before = dict(os.environ)
        settings = runpy.run_path(str(PROJECT_DIR / "gunicorn.conf.py"))
        settings["environment"] = dict(os.environ)
        os.environ.clear()  # what it set (the metrics directory, a .env of the clone) stays here
        os.environ.update(before)
        made = settings["prometheus_multiproc_dir"]
        if os.path.basename(made).startswith(settings["METRICS_DIR_PREFIX"]):
            shutil.rmtree(made, ignore_errors=True)
        return settings

    return read


def test_gunicorn_settings_by_default(gunicorn_settings):
    settings = gunicorn_settings()
    assert settings["wsgi_app"] == "app:create_app()"
    assert settings["bind"] == ["127.0.0.1:5000"]
    assert settings["worker_class"] == "gthread" and settings["threads"] >= 2
    assert settings["workers"] == min(2 * (os.cpu_count() or 1) + 1, 9)
    assert settings["max_requests"] > 0 and 0 < settings["max_requests_jitter"] < settings["max_requests"]
    assert settings["timeout"] > 0 and settings["graceful_timeout"] > 0
    assert settings["accesslog"] == "-"
    assert settings["secure_scheme_headers"] == {}  # X-Forwarded-Proto is the portal's to trust (PROXY_FIX_HOPS)
    assert os.path.basename(settings["prometheus_multiproc_dir"]).startswith("archives-portal-metrics-")
    assert settings["environment"]["PROMETHEUS_MULTIPROC_DIR"] == settings["prometheus_multiproc_dir"]
    assert callable(settings["child_exit"]) and callable(settings["on_starting"])


def test_gunicorn_settings_from_the_environment(gunicorn_settings, tmp_path):
    settings = gunicorn_settings(PORTAL_BIND="0.0.0.0:8000", GUNICORN_WORKERS="3", GUNICORN_THREADS="8",
                                 PROMETHEUS_MULTIPROC_DIR=str(tmp_path))
    assert settings["bind"] == ["0.0.0.0:8000"]
    assert (settings["workers"], settings["threads"]) == (3, 8)
    assert settings["prometheus_multiproc_dir"] == str(tmp_path)


@pytest.mark.parametrize("remote_addr, allowed, authorization, expected", [
    ("127.0.0.1", ("127.0.0.1", "::1"), None, True),
    ("::1", ("127.0.0.1", "::1"), None, True),
    ("10.0.4.7", ("127.0.0.1", "10.0.4.0/24"), None, True),
    ("10.0.5.7", ("127.0.0.1", "10.0.4.0/24"), None, False),
    ("198.51.100.23", ("127.0.0.1",), "Bearer the-token", True),
    ("198.51.100.23", ("127.0.0.1",), "Bearer another-token", False),
    ("198.51.100.23", ("127.0.0.1",), "Basic the-token", False),
    ("198.51.100.23", ("not-an-address", "127.0.0.1"), None, False),
])
def test_who_may_read_metrics(tmp_path, remote_addr, allowed, authorization, expected):
    from app import create_app
    from portal.metrics import caller_may_read_metrics

    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": f"sqlite:///{tmp_path}/portal.db",
                      "METRICS_ALLOWED_IPS": allowed, "METRICS_TOKEN": "the-token"})
    headers = {"Authorization": authorization} if authorization else {}
    with app.test_request_context("/metrics", environ_base={"REMOTE_ADDR": remote_addr}, headers=headers):
        assert caller_may_read_metrics() is expected


def test_an_empty_metrics_token_opens_nothing(tmp_path):
    from app import create_app
    from portal.metrics import caller_may_read_metrics

    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": f"sqlite:///{tmp_path}/portal.db",
                      "METRICS_ALLOWED_IPS": ("127.0.0.1",), "METRICS_TOKEN": ""})
    with app.test_request_context("/metrics", environ_base={"REMOTE_ADDR": "198.51.100.23"},
                                  headers={"Authorization": "Bearer "}):
        assert caller_may_read_metrics() is False


@pytest.mark.parametrize("url, operation", [
    ("/test-abc-records/_search", "_search"),
    ("/records-vinhlong-3/_doc/vinhlong%3AVL.UBND", "_doc"),
    ("/_bulk", "_bulk"),
    ("/_cluster/health", "_cluster/health"),
    ("/_cat/indices?format=json", "_cat/indices"),
    ("/records-vinhlong-3", "index"),
    ("/", "root"),
])
def test_opensearch_requests_are_timed_under_their_api_name(url, operation):
    from portal.metrics import opensearch_operation

    assert opensearch_operation(url) == operation
