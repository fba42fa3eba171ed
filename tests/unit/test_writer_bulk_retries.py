"""RecordWriter sends a bulk request again when the cluster could not take it (a node lost mid-request, a
primary failing over, too busy), and gives up at once on a request OpenSearch refuses for its content."""
from __future__ import annotations

import pytest
from opensearchpy.exceptions import ConnectionTimeout, TransportError
from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError

from indexer import writer as writer_module
from indexer.errors import IndexUnavailable
from indexer.writer import RecordWriter


class FlakyCluster:
    """A client whose bulk fails with the given errors first, then answers."""

    def __init__(self, *errors):
        self.errors, self.calls = list(errors), []

    def bulk(self, body, refresh, request_timeout):
        self.calls.append(request_timeout)
        if self.errors:
            raise self.errors.pop(0)
        return {"errors": False, "items": []}


BODY = b'{"index":{"_index":"records-test-1","_id":"vl:1"}}\n{"id":"vl:1"}\n'


def _writer(client) -> RecordWriter:
    writer = RecordWriter.__new__(RecordWriter)
    writer.client, writer.index = client, "records-test-1"
    return writer


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    monkeypatch.setattr(writer_module, "BULK_BACKOFF", 0)


def test_a_lost_node_and_a_failing_over_primary_are_waited_out():
    cluster = FlakyCluster(OpenSearchConnectionError("N/A", "connection reset", None),
                           ConnectionTimeout("TIMEOUT", "read timed out", None),
                           TransportError(503, "unavailable_shards_exception", {}))

    assert _writer(cluster)._send(BODY) == {"errors": False, "items": []}
    assert len(cluster.calls) == 4
    assert set(cluster.calls) == {writer_module.BULK_TIMEOUT}  # longer than OpenSearch's own 1 minute wait


def test_it_gives_up_after_four_attempts():
    cluster = FlakyCluster(*[OpenSearchConnectionError("N/A", "refused", None)] * 5)

    with pytest.raises(IndexUnavailable, match="bulk write to records-test-1 failed"):
        _writer(cluster)._send(BODY)
    assert len(cluster.calls) == 4


def test_a_request_refused_for_its_content_is_not_sent_again():
    cluster = FlakyCluster(TransportError(400, "mapper_parsing_exception", {}))

    with pytest.raises(IndexUnavailable):
        _writer(cluster)._send(BODY)
    assert len(cluster.calls) == 1
