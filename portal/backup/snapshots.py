"""The records index, snapshotted to and restored from a filesystem repository (OpenSearch's snapshot API).

Every index behind the readers' alias (one a source, and the OAI-PMH tombstones) is in one snapshot with
its aliases, so a restore gives the same answers as the moment of the snapshot. The repository's location
must be listed in every node's `path.repo` (scripts/opensearch.sh writes it) and, on a cluster, shared by
all nodes.
"""
from __future__ import annotations

from datetime import datetime, timezone

from opensearchpy import OpenSearch
from opensearchpy.exceptions import NotFoundError, OpenSearchException

REPOSITORY = "archives-portal"


class SnapshotError(Exception):
    """The snapshot or the restore could not be made; the message says why."""


def records_pattern(index_prefix: str) -> str:
    return f"{index_prefix}records-*"


def register_repository(client: OpenSearch, location: str) -> None:
    try:
        client.snapshot.create_repository(repository=REPOSITORY, body={
            "type": "fs", "settings": {"location": location, "compress": True}})
    except OpenSearchException as error:
        raise SnapshotError(f"could not register the snapshot repository at {location} (is it in the nodes' "
                            f"path.repo?): {error}") from error


def take_snapshot(client: OpenSearch, index_prefix: str, location: str, name: str | None = None) -> dict:
    """A snapshot of every records index and its aliases, waited for; returns what OpenSearch reports."""
    register_repository(client, location)
    name = name or datetime.now(timezone.utc).strftime("records-%Y%m%d-%H%M%S")
    try:
        answer = client.snapshot.create(repository=REPOSITORY, snapshot=name, wait_for_completion=True, body={
            "indices": records_pattern(index_prefix), "include_global_state": False, "ignore_unavailable": True,
            "metadata": {"taken_by": "flask index snapshot", "index_prefix": index_prefix}},
            request_timeout=3600)
    except OpenSearchException as error:
        raise SnapshotError(f"snapshot {name} failed: {error}") from error
    snapshot = answer["snapshot"]
    if snapshot.get("state") != "SUCCESS":
        raise SnapshotError(f"snapshot {name} ended {snapshot.get('state')}: {snapshot.get('failures')}")
    return snapshot


def list_snapshots(client: OpenSearch, location: str) -> list[dict]:
    register_repository(client, location)
    return client.snapshot.get(repository=REPOSITORY, snapshot="_all")["snapshots"]


def restore_snapshot(client: OpenSearch, index_prefix: str, location: str, name: str, replace: bool = False) -> list[str]:
    """Restores the records indexes and aliases of a snapshot, waited for; returns the indexes restored.
    Refuses when records indexes exist already, unless `replace` (they are deleted first)."""
    register_repository(client, location)
    pattern = records_pattern(index_prefix)
    existing = list(client.indices.get(index=pattern, ignore_unavailable=True, allow_no_indices=True))
    if existing and not replace:
        raise SnapshotError(f"{len(existing)} records indexes exist already ({', '.join(sorted(existing)[:3])}…): "
                            f"restore into an empty cluster, or give --replace to delete them first")
    if existing:
        client.indices.delete(index=",".join(existing))
    try:
        answer = client.snapshot.restore(repository=REPOSITORY, snapshot=name, wait_for_completion=True, body={
            "indices": pattern, "include_aliases": True, "include_global_state": False},
            request_timeout=3600)
    except NotFoundError as error:
        raise SnapshotError(f"there is no snapshot {name} in {location}") from error
    except OpenSearchException as error:
        raise SnapshotError(f"restoring snapshot {name} failed: {error}") from error
    restored = answer["snapshot"]
    if restored["shards"]["failed"]:
        raise SnapshotError(f"restoring snapshot {name}: {restored['shards']['failed']} shards failed")
    # The wait is a query parameter: `timeout=` would be taken for the HTTP timeout.
    client.cluster.health(index=pattern, wait_for_status="yellow", params={"timeout": "120s"}, request_timeout=130)
    return restored["indices"]
