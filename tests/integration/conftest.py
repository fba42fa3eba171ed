"""Marks the harvest engine's integration tests use to configure their fixtures."""


def pytest_configure(config):
    config.addinivalue_line("markers", "provider(records=..., faults=...): the fault provider a test harvests")
    config.addinivalue_line("markers", "portal(**config): configuration of the portal a test harvests with")
