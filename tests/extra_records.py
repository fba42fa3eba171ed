"""Records added to a test session's index for one test, beside the harvested demo archives: an
index of their own behind the `records` alias, removed when the test ends.

For what the demo archives do not hold: the same record described by two archives, a word that
only a closed record's title or a restricted record's full text contains."""
from __future__ import annotations

import uuid
from contextlib import contextmanager

from portal.opensearch import build_client
from schema.index import INDEX_BODY, alias_name


def client_and_alias(app):
    return build_client(app.config["OPENSEARCH_URL"]), alias_name(app.config["OPENSEARCH_INDEX_PREFIX"])


def one_record(app, *filters: dict, level: str = "item") -> dict:
    """The whole indexed document of one harvested record matching `filters`, lowest id first."""
    client, alias = client_and_alias(app)
    answer = client.search(index=alias, body={
        "size": 1, "sort": [{"id": "asc"}],
        "query": {"bool": {"filter": [{"term": {"level": level}}, {"exists": {"field": "date_start"}}, *filters]}},
    })
    hits = answer["hits"]["hits"]
    assert hits, f"the demo archives have no {level} matching {filters}"
    return hits[0]["_source"]


@contextmanager
def extra_records(app, records: list[dict]):
    client, alias = client_and_alias(app)
    index = f"{app.config['OPENSEARCH_INDEX_PREFIX']}records-extra-{uuid.uuid4().hex[:8]}"
    client.indices.create(index=index, body=INDEX_BODY)
    try:
        for record in records:
            client.index(index=index, id=record["id"], body=record)
        client.indices.refresh(index=index)
        client.indices.put_alias(index=index, name=alias)
        yield records
    finally:
        client.indices.delete(index=index, ignore_unavailable=True)


def copy_of(record: dict, source_id: str, province: str, province_name: str, **changes) -> dict:
    """The record as another archive would describe it: its own id, source and holding province."""
    local_id = record.get("local_id") or record["id"].split(":", 1)[1]
    copy = dict(record, id=f"{source_id}:{local_id}", source_id=source_id, holding_province=province,
                holding_province_name=province_name)
    copy.update(changes)
    return copy
