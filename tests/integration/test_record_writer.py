"""The record writer against the real OpenSearch: bulk bodies cut to size, refusals reported per record."""
from __future__ import annotations

import os
import uuid

import pytest
from opensearchpy import OpenSearch

import indexer.writer as writer_module
from indexer.writer import RecordWriter

OPENSEARCH_URL = os.environ.get("OPENSEARCH_URL", "http://127.0.0.1:9200")


class CountingClient(OpenSearch):
    """The real client, counting the bulk requests and the size of their bodies."""

    bodies: list[int]

    def bulk(self, body=None, **kwargs):
        self.bodies.append(len(body))
        return super().bulk(body=body, **kwargs)


@pytest.fixture()
def writer():
    client = CountingClient(hosts=[OPENSEARCH_URL], timeout=60)
    client.bodies = []
    prefix = f"test-{uuid.uuid4().hex[:8]}-"
    yield RecordWriter(client, "writer", prefix)
    client.indices.delete(index=f"{prefix}records-*", ignore_unavailable=True)


def _stored(writer: RecordWriter) -> dict[str, dict]:
    writer.refresh()
    hits = writer.client.search(index=writer.index, body={"query": {"match_all": {}}, "size": 100})["hits"]["hits"]
    return {hit["_id"]: hit["_source"] for hit in hits}


def test_a_large_write_is_cut_into_requests_under_the_limit_and_every_record_arrives(writer, monkeypatch):
    monkeypatch.setattr(writer_module, "MAX_BULK_BYTES", 4_000)
    documents = [{"id": f"writer:{n}", "title": f"Hồ sơ số {n}", "description": "Tài liệu lưu trữ. " * 50}
                 for n in range(12)]

    assert writer.write(documents, []) == []

    assert len(writer.client.bodies) > 1
    assert all(size <= 4_000 for size in writer.client.bodies)
    stored = _stored(writer)
    assert set(stored) == {d["id"] for d in documents}
    assert stored["writer:3"]["title"] == "Hồ sơ số 3"  # UTF-8 as sent, not escaped and mangled


def test_a_document_larger_than_the_limit_goes_alone(writer, monkeypatch):
    monkeypatch.setattr(writer_module, "MAX_BULK_BYTES", 1_000)
    documents = [{"id": "writer:small", "title": "Nhỏ"},
                 {"id": "writer:big", "title": "Lớn", "description": "x" * 5_000}]

    assert writer.write(documents, []) == []

    assert len(writer.client.bodies) == 2
    assert set(_stored(writer)) == {"writer:small", "writer:big"}


def test_refused_records_are_named_the_others_written_and_deleting_the_unknown_is_no_failure(writer):
    documents = [{"id": "writer:good", "title": "Được nhận"},
                 {"id": "writer:bad", "title": "Bị từ chối", "not_in_the_mapping": "x"}]  # the mapping is strict

    failures = writer.write(documents, ["writer:never-indexed"])

    assert [doc_id for doc_id, _ in failures] == ["writer:bad"]
    assert "not_in_the_mapping" in failures[0][1]
    assert set(_stored(writer)) == {"writer:good"}


def test_deletions_remove_records(writer):
    writer.write([{"id": "writer:a", "title": "A"}, {"id": "writer:b", "title": "B"}], [])

    assert writer.write([], ["writer:a"]) == []

    assert set(_stored(writer)) == {"writer:b"}
