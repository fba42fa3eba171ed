"""OpenSearch as a cluster (issue 17), with real processes: three nodes on loopback started by
scripts/opensearch.sh (OPENSEARCH_NODES=3), the portal given every node and one replica a shard. One node
is killed (kill -9) while eight clients search and a full harvest runs: no search fails or comes back
short, the harvest finishes with the index equal to the source, and the cluster is green again once the
node is back."""
from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from demo.fault_provider import FaultProvider, FaultRecord, Faults, numbered_records
from portal.opensearch import build_client
from schema.index import alias_name
from tests.conftest import ServerThread, drop_indices
from tests.integration.harvest_helpers import SOURCE, indexed, live_ids, portal_for

STEADY = [FaultRecord(f"SDRD{n:03d}", "2025-01-01T00:00:00Z", f"Sổ địa bạ ruộng đất làng số {n}")
          for n in range(1, 301)]


@pytest.fixture()
def portal(tmp_path_factory, opensearch_cluster):
    steady = FaultProvider(STEADY, Faults(page_size=100))
    # Slow enough pages that the node dies in the middle of the harvest.
    moving = FaultProvider(numbered_records(1500), Faults(page_size=50, delay=0.6))
    with ServerThread(steady) as steady_server, ServerThread(moving) as moving_server:
        app = portal_for(tmp_path_factory, moving_server.url, OPENSEARCH_URL=opensearch_cluster.url)
        added = app.test_cli_runner().invoke(args=["sources", "add", "--id", "steady", "--province", "86",
                                                   "--prefix", "oai_dc", "--url", f"{steady_server.url}/oai"])
        assert added.exit_code == 0, added.output
        yield app, moving
        drop_indices(app)


def _victim(client, index_prefix: str, source_index: str) -> int:
    """The number (1–3) of a node to kill: one that is not the elected cluster manager (its loss fails shards
    over to their copies without an election in the middle), holding a primary of the index being harvested
    if one does, else any shard copy of the records."""
    manager = client.cat.cluster_manager(format="json")[0]["node"]
    shards = [s for s in client.cat.shards(index=f"{index_prefix}records-*", format="json")
              if s["node"] and s["node"] != manager]
    shards.sort(key=lambda s: (not (s["index"] == source_index and s["prirep"] == "p"), s["prirep"] != "p"))
    assert shards, client.cat.shards(index=f"{index_prefix}records-*", format="json")
    return int(shards[0]["node"].removeprefix("node-"))


def _harvested_index(client, pattern: str, timeout: float = 120) -> str:
    """The index a full run writes, once it holds records."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        indexes = [i for i in client.cat.indices(index=pattern, format="json") if int(i["docs.count"] or 0) > 0]
        if indexes:
            return indexes[0]["index"]
        time.sleep(0.2)
    raise AssertionError(f"nothing written to {pattern} in {timeout} s")


def test_a_node_killed_during_searches_and_a_harvest_loses_nothing(portal, opensearch_cluster):
    cluster = opensearch_cluster
    app, moving = portal
    client = build_client(cluster.url)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["harvest", "--source", "steady"])
    assert first.exit_code == 0, first.output
    # The indexes carry one replica a shard, placed on another node.
    settings = client.indices.get_settings(index=f"{app.config['OPENSEARCH_INDEX_PREFIX']}records-steady-*")
    assert {s["settings"]["index"]["number_of_replicas"] for s in settings.values()} == {"1"}
    assert cluster.health("green")["status"] == "green"

    stop, failures, answered = threading.Event(), [], []

    def search_until_stopped() -> None:
        reader = app.test_client()
        while not stop.is_set():
            try:
                response = reader.get("/api/v1/search", query_string={"q": "địa bạ ruộng đất", "size": 5})
                body = response.get_json() or {}
                if response.status_code != 200 or body.get("total") != len(STEADY):
                    failures.append((response.status_code, body.get("total"), response.text[:300]))
                answered.append(time.monotonic())
            except Exception as error:  # noqa: BLE001 — any error is a failed search, counted
                failures.append(("exception", repr(error)))

    with ThreadPoolExecutor(9) as pool:
        harvest = pool.submit(runner.invoke, args=["harvest", "--source", SOURCE, "--full"])
        searches = [pool.submit(search_until_stopped) for _ in range(8)]
        try:
            prefix = app.config["OPENSEARCH_INDEX_PREFIX"]
            index = _harvested_index(client, f"{prefix}records-{SOURCE}-*")
            # Every shard with its replica in place first: a node lost while the only copy of a shard is on
            # it loses that shard whatever the client does.
            health = client.cluster.health(index=index, wait_for_status="green", params={"timeout": "120s"},
                                           request_timeout=130)
            assert health["status"] == "green", health
            victim = _victim(client, prefix, index)
            pid = int((cluster.directory / f"node-{victim}" / "opensearch.pid").read_text())
            assert not harvest.done(), "the harvest ended before the node could be killed in its middle"
            os.kill(pid, signal.SIGKILL)
            killed_at = time.monotonic()
            result = harvest.result(timeout=600)
            time.sleep(max(0.0, killed_at + 5 - time.monotonic()))  # searches go on for a while after the loss
        finally:
            stop.set()
        for search in searches:
            search.result(timeout=60)

    assert result.exit_code == 0, result.output
    assert failures == []
    assert sum(1 for t in answered if t > killed_at) >= 8, "searches went on after the node was killed"
    assert set(indexed(app)) == live_ids(moving.records)
    health = cluster.health("yellow", nodes=2, timeout=60)
    assert health["number_of_nodes"] == 2

    cluster.script("start-node", str(victim))
    assert cluster.health("green")["status"] == "green"
    client.indices.refresh(index=alias_name(app.config["OPENSEARCH_INDEX_PREFIX"]))
    assert set(indexed(app)) == live_ids(moving.records)
