"""A three-node OpenSearch cluster on loopback, started by the project's own script (OPENSEARCH_NODES=3),
for the tests of failover and of backups; once a test session, beside the single node the others use."""
from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

PROJECT = Path(__file__).resolve().parents[1]
RUNTIME = Path(os.environ.get("PORTAL_RUNTIME_DIR", "/var/tmp/archives-portal"))
PORT = int(os.environ.get("TEST_CLUSTER_PORT", "9260"))


@dataclass
class Cluster:
    env: dict
    nodes: list[str]

    @property
    def url(self) -> str:
        """OPENSEARCH_URL for a portal given every node."""
        return ",".join(self.nodes)

    @property
    def directory(self) -> Path:
        return Path(self.env["OPENSEARCH_CLUSTER_DIR"])

    def script(self, *args: str) -> None:
        subprocess.run(["bash", str(PROJECT / "scripts/opensearch.sh"), *args], env=self.env, check=True,
                       timeout=600, stdout=subprocess.DEVNULL)

    def health(self, status: str, nodes: int = 3, timeout: int = 180) -> dict:
        """The cluster's health once it has this status and nodes, asked of the first node that answers (the one
        killed may be any)."""
        for node in self.nodes:
            try:
                response = requests.get(f"{node}/_cluster/health", params={
                    "wait_for_status": status, "wait_for_nodes": str(nodes), "timeout": f"{timeout}s"},
                    timeout=timeout + 10)
            except requests.ConnectionError:
                continue
            return response.json()
        raise AssertionError("no node of the cluster answers")


@pytest.fixture(scope="session")
def opensearch_cluster():
    env = {**os.environ, "OPENSEARCH_NODES": "3", "OPENSEARCH_PORT": str(PORT),
           "OPENSEARCH_CLUSTER_DIR": str(RUNTIME / f"test-cluster-{PORT}")}
    cluster = Cluster(env, [f"http://127.0.0.1:{PORT + i}" for i in range(3)])
    cluster.script("start")
    try:
        yield cluster
    finally:
        cluster.script("stop")
        shutil.rmtree(cluster.directory, ignore_errors=True)
