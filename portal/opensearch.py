"""The one place that builds the OpenSearch client and knows the index names."""
from __future__ import annotations

from flask import Flask, current_app
from opensearchpy import OpenSearch

from schema.index import alias_name


class SearchUnavailable(Exception):
    """OpenSearch could not answer; pages say so and the API answers 503."""


def build_client(url: str, timeout: int = 30) -> OpenSearch:
    return OpenSearch(hosts=[url], timeout=timeout, max_retries=1, retry_on_timeout=False)


def init_app(app: Flask) -> None:
    app.extensions["opensearch"] = build_client(
        app.config["OPENSEARCH_URL"], app.config["OPENSEARCH_TIMEOUT"]
    )


def get_client() -> OpenSearch:
    return current_app.extensions["opensearch"]


def records_alias() -> str:
    return alias_name(current_app.config["OPENSEARCH_INDEX_PREFIX"])
