"""The one place that builds the OpenSearch client and knows the index names."""
from __future__ import annotations

from flask import Flask, current_app
import time

from opensearchpy import OpenSearch, Urllib3HttpConnection
from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError
from opensearchpy.exceptions import NotFoundError, OpenSearchException

from schema.index import alias_name


class SearchUnavailable(Exception):
    """OpenSearch could not answer; pages say so and the API answers 503."""


class TimedConnection(Urllib3HttpConnection):
    """Every request the portal makes to OpenSearch, timed into the metrics (portal/metrics.py)."""

    def perform_request(self, method, url, *args, **kwargs):
        from portal.metrics import OPENSEARCH_SECONDS, opensearch_operation

        started = time.perf_counter()
        try:
            return super().perform_request(method, url, *args, **kwargs)
        finally:
            OPENSEARCH_SECONDS.labels(opensearch_operation(url)).observe(time.perf_counter() - started)


def build_client(url: str, timeout: int = 30) -> OpenSearch:
    return OpenSearch(hosts=[url], timeout=timeout, max_retries=1, retry_on_timeout=False,
                      connection_class=TimedConnection)


def init_app(app: Flask) -> None:
    app.extensions["opensearch"] = build_client(
        app.config["OPENSEARCH_URL"], app.config["OPENSEARCH_TIMEOUT"]
    )


def get_client() -> OpenSearch:
    return current_app.extensions["opensearch"]


def records_alias() -> str:
    return alias_name(current_app.config["OPENSEARCH_INDEX_PREFIX"])


def run_search(client: OpenSearch, index: str, body: dict, **params) -> dict | None:
    """Run one search; None when the index does not exist yet (nothing harvested), and
    SearchUnavailable when OpenSearch cannot answer."""
    try:
        return client.search(index=index, body=body, **params)
    except NotFoundError:
        return None
    except OpenSearchConnectionError as error:
        raise SearchUnavailable("OpenSearch is not reachable") from error
    except OpenSearchException as error:
        raise SearchUnavailable(f"OpenSearch could not run the search: {error}") from error
