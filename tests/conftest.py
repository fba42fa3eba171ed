"""Fixtures shared by the integration and browser tests.

They run against the real OpenSearch and Tika that `make test` starts (their addresses come
from OPENSEARCH_URL and TIKA_SERVER_ENDPOINT) and the real demo archives, served here over
HTTP on a free port. Each test session writes to indices of its own prefix and removes them.
"""
from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from demo.catalogue import build_archives
from demo.oai_provider import create_provider_app

pytest_plugins = ["tests.databases", "tests.keycloak"]

# Page by page, as the source sends them, in every portal and process the tests start: their lists are of a few
# small pages, and most tests stop or kill a run between two of them. The tests of pages taken together (the
# default, 500 records) set it themselves.
os.environ.setdefault("HARVEST_IMPORT_RECORDS", "1")

DEMO_SOURCES = {"vinhlong": "86", "hue": "46", "cantho": "92"}


class ServerThread:
    """A WSGI app served on 127.0.0.1 and a free port, in a thread, for one test session."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()


@pytest.fixture(scope="session")
def demo_archives():
    return build_archives()


@pytest.fixture(scope="session")
def demo_provider(demo_archives) -> Iterator[ServerThread]:
    with ServerThread(create_provider_app(demo_archives)) as server:
        yield server


class ServedClient(FlaskClient):
    """Closes each response before handing it over, as a WSGI server closes it once sent: what the
    portal puts off until then (the mails of a change) is done before the test looks. A test that
    wants a response left open asks for `buffered=False`."""

    def open(self, *args, buffered: bool = True, **kwargs):
        return super().open(*args, buffered=buffered, **kwargs)


def make_portal(tmp_path_factory, database_url: str | None = None, **overrides):
    from app import create_app
    from portal import database

    if database_url is None:
        database_url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'portal.db'}"
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "OPENSEARCH_URL": os.environ.get("OPENSEARCH_URL", "http://127.0.0.1:9200"),
        "TIKA_SERVER_ENDPOINT": os.environ.get("TIKA_SERVER_ENDPOINT", "http://127.0.0.1:9998"),
        "OPENSEARCH_INDEX_PREFIX": f"test-{uuid.uuid4().hex[:8]}-",
        "HARVEST_HTTP_TIMEOUT": 20,
        # Tests sign in often from one address; the rate-limit test sets its own limit.
        "RATELIMIT_SIGN_IN": "10000 per minute",
        "RATELIMIT_MAIL_FORMS": "10000 per minute",
        "RATELIMIT_EXPORTS": "10000 per minute",
        # Counts of its own in the Redis that scripts/test.sh names (REDIS_URL), shared by test runs.
        "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = ServedClient
    database.upgrade_schema(app)
    return app


def drop_indices(app) -> None:
    from portal.opensearch import build_client

    client = build_client(app.config["OPENSEARCH_URL"])
    prefix = app.config["OPENSEARCH_INDEX_PREFIX"]
    client.indices.delete(index=f"{prefix}records-*,{prefix}file-texts", ignore_unavailable=True)


def add_demo_sources(app, provider_url: str, only: dict | None = None) -> None:
    runner = app.test_cli_runner()
    for slug, province in (only or DEMO_SOURCES).items():
        result = runner.invoke(args=["sources", "add", "--id", slug, "--province", province,
                                     "--url", f"{provider_url}/{slug}/oai"])
        assert result.exit_code == 0, result.output


@pytest.fixture(scope="session")
def mail_sink():
    """A local SMTP server for the session; `.wait_for(address)` returns the mails it got."""
    from demo.mail_sink import start_sink

    controller, sink = start_sink()
    sink.settings = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": controller.port}
    # aiosmtpd logs every SMTP command at INFO; in this process it would mix into the output of the
    # commands the tests run (`flask notices send`), which the portal's logging now writes to stderr.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    yield sink
    controller.stop()


@pytest.fixture(scope="session")
def harvested_app(tmp_path_factory, demo_provider, mail_sink):
    """A portal whose index holds the three demo archives, harvested through the CLI; its
    mail goes to the session's SMTP sink. Its database (TEST_AUDIT_DATABASE_URL from
    scripts/test.sh) collects the session's audit rows, whose chain scripts/test.sh verifies
    with `flask audit verify` after the tests."""
    app = make_portal(tmp_path_factory, database_url=os.environ.get("TEST_AUDIT_DATABASE_URL") or None,
                      **mail_sink.settings)
    add_demo_sources(app, demo_provider.url)
    result = app.test_cli_runner().invoke(args=["harvest", "--all"])
    app.config["HARVEST_OUTPUT"] = result.output
    assert result.exit_code == 0, result.output
    yield app
    drop_indices(app)


@pytest.fixture()
def client(harvested_app):
    return harvested_app.test_client()
