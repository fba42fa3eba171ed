"""The one place that builds the OpenSearch client and knows the index names."""
from __future__ import annotations

from flask import Flask, current_app
import time

from opensearchpy import OpenSearch, Urllib3HttpConnection
from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError
from opensearchpy.exceptions import NotFoundError, OpenSearchException

from schema.index import IndexLayout, alias_name


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


def node_urls(urls: str) -> list[str]:
    """The nodes of OPENSEARCH_URL: one URL, or several separated by commas (every node of a cluster)."""
    return [url.strip() for url in urls.split(",") if url.strip()]


def build_client(url: str, timeout: int = 30, *, retries: int = 1, username: str = "", password: str = "",
                 ca_certs: str = "") -> OpenSearch:
    """A client of every node named: a request whose node cannot be reached (refused, reset, gone) is sent
    to the next node, up to `retries` more times, and the node is left aside a while. A timeout is not retried:
    the node may still be working on it. Credentials and a CA bundle for a secured cluster."""
    options = {}
    if username:
        options["http_auth"] = (username, password)
    if ca_certs:
        options.update(ca_certs=ca_certs, verify_certs=True)
    return OpenSearch(hosts=node_urls(url), timeout=timeout, max_retries=retries, retry_on_timeout=False,
                      retry_on_status=(502, 503, 504), connection_class=TimedConnection, **options)


def client_for(config) -> OpenSearch:
    """The client the configuration describes (the portal's, the harvester's, the CLI's)."""
    return build_client(config["OPENSEARCH_URL"], config["OPENSEARCH_TIMEOUT"],
                        retries=config.get("OPENSEARCH_RETRIES", 3), username=config.get("OPENSEARCH_USERNAME", ""),
                        password=config.get("OPENSEARCH_PASSWORD", ""), ca_certs=config.get("OPENSEARCH_CA_CERTS", ""))


def index_layout(config) -> IndexLayout:
    """Shards and replicas of a new index: one replica when several nodes are named, else none."""
    replicas = config.get("OPENSEARCH_REPLICAS")
    if replicas is None:
        replicas = 1 if len(node_urls(config["OPENSEARCH_URL"])) > 1 else 0
    return IndexLayout(shards=config.get("OPENSEARCH_SHARDS") or 1, replicas=replicas)


def init_app(app: Flask) -> None:
    app.extensions["opensearch"] = client_for(app.config)


def get_client() -> OpenSearch:
    return current_app.extensions["opensearch"]


def records_alias() -> str:
    return alias_name(current_app.config["OPENSEARCH_INDEX_PREFIX"])


def run_search(client: OpenSearch, index: str, body: dict, **params) -> dict | None:
    """Run one search; None when the index does not exist yet (nothing harvested), and
    SearchUnavailable when OpenSearch cannot answer."""
    return _answer_of(lambda: client.search(index=index, body=body, **params))


def _answer_of(request):
    """The answer of `request()`; None when the index does not exist yet, SearchUnavailable when OpenSearch
    cannot answer."""
    try:
        return request()
    except NotFoundError:
        return None
    except OpenSearchConnectionError as error:
        raise SearchUnavailable("OpenSearch is not reachable") from error
    except OpenSearchException as error:
        raise SearchUnavailable(f"OpenSearch could not run the search: {error}") from error


def run_msearch(client: OpenSearch, index: str, bodies: list[dict]) -> list[dict] | None:
    """Run several searches of one index in one request (OpenSearch runs them side by side); their answers
    in order. None when the index does not exist yet, SearchUnavailable when any search cannot be answered
    (a page shows all of its parts or none)."""
    lines = []
    for body in bodies:
        lines += [{"index": index}, body]
    answer = _answer_of(lambda: client.msearch(body=lines))
    if answer is None:
        return None
    answers = answer["responses"]
    errors = [answer["error"] for answer in answers if "error" in answer]
    if any(error.get("type") == "index_not_found_exception" for error in errors):
        return None
    if errors:
        raise SearchUnavailable(f"OpenSearch could not run the search: {errors[0].get('reason', errors[0])}")
    return answers
