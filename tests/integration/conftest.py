"""Marks the harvest engine's integration tests use to configure their fixtures, and the OpenSearch cluster
of the failover and backup tests."""
from tests.opensearch_cluster import opensearch_cluster  # noqa: F401 — a fixture


def pytest_configure(config):
    config.addinivalue_line("markers", "provider(records=..., faults=...): the fault provider a test harvests")
    config.addinivalue_line("markers", "portal(**config): configuration of the portal a test harvests with")
