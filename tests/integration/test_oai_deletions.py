"""Persistent deletions and stable datestamps of the OAI-PMH provider, through the real harvester: a source
(the fault provider) harvested into the real OpenSearch, changed, and harvested again, incrementally and in
full; what /oai then says, validated against the OAI-PMH schema."""
from __future__ import annotations

import dataclasses
import time

import pytest

from demo.fault_provider import FaultProvider, FaultRecord, Faults
from tests.conftest import ServerThread, drop_indices
from tests.integration.harvest_helpers import SOURCE, harvest, portal_for
from tests.integration.test_oai_provider import NS, ask, error_code, identifier_of, walk

PUBLIC, RESTRICTED, CLOSED = "Công khai", "Sử dụng có điều kiện", "Mật"


def _records() -> list[FaultRecord]:
    return [
        FaultRecord("HS001", "2025-01-01T00:00:00Z", "Hồ sơ công khai một"),
        FaultRecord("HS002", "2025-01-01T00:00:00Z", "Hồ sơ công khai sẽ bị xoá"),
        FaultRecord("HS003", "2025-01-01T00:00:00Z", "Hồ sơ công khai sẽ thành mật"),
        FaultRecord("HS004", "2025-01-01T00:00:00Z", "Hồ sơ có điều kiện", rights=(RESTRICTED,)),
        FaultRecord("HS005", "2025-01-01T00:00:00Z", "Hồ sơ mật từ đầu", rights=(CLOSED,)),
        FaultRecord("HS006", "2025-01-01T00:00:00Z", "Hồ sơ công khai sẽ không còn được liệt kê"),
    ]


@pytest.fixture()
def source(tmp_path_factory):
    provider = FaultProvider(_records(), Faults(page_size=50))
    with ServerThread(provider) as server:
        app = portal_for(tmp_path_factory, server.url, RATELIMIT_OAI="100000 per minute")
        try:
            yield app, provider
        finally:
            drop_indices(app)


def _headers(client) -> dict[str, tuple[str, bool]]:
    """record id → (datestamp, deleted) of every header /oai lists."""
    items, _ = walk(client, "ListIdentifiers", metadataPrefix="oai_dc")
    return {h.findtext("o:identifier", namespaces=NS).split(":", 2)[2]:
            (h.findtext("o:datestamp", namespaces=NS), h.get("status") == "deleted") for h in items}


def _change(provider: FaultProvider, local_id: str, **changes) -> None:
    provider.records = [dataclasses.replace(r, datestamp="2025-02-01T00:00:00Z", **changes)
                        if r.local_id == local_id else r for r in provider.records]


def test_datestamps_hold_when_nothing_changed_and_deletions_persist(source):
    app, provider = source
    client = app.test_client()
    assert harvest(app).exit_code == 0
    first = _headers(client)
    assert set(first) == {f"{SOURCE}:HS00{n}" for n in (1, 2, 3, 4, 6)}  # never the closed one
    assert not any(deleted for _, deleted in first.values())

    # The same source read again, incrementally and in full: no datestamp moves.
    assert harvest(app, "--full").exit_code == 0
    assert _headers(client) == first

    # One record deleted, one closed, one changed, and (a full run) one no longer listed at all; a second
    # later at least, since datestamps are in seconds and the first harvest may be within this one.
    time.sleep(1.1)
    _change(provider, "HS002", deleted=True)
    _change(provider, "HS003", rights=(CLOSED,))
    _change(provider, "HS001", title="Hồ sơ công khai một, đã sửa")
    assert harvest(app).exit_code == 0
    after = _headers(client)
    assert after[f"{SOURCE}:HS002"][1] and after[f"{SOURCE}:HS003"][1]
    assert after[f"{SOURCE}:HS001"][0] > first[f"{SOURCE}:HS001"][0] and not after[f"{SOURCE}:HS001"][1]
    assert after[f"{SOURCE}:HS004"] == first[f"{SOURCE}:HS004"]
    assert after[f"{SOURCE}:HS002"][0] > first[f"{SOURCE}:HS002"][0]

    provider.records = [r for r in provider.records if r.local_id != "HS006"]
    assert harvest(app, "--full").exit_code == 0
    final = _headers(client)
    assert final[f"{SOURCE}:HS006"][1], "a record a full run no longer finds is reported deleted"
    assert final[f"{SOURCE}:HS002"] == after[f"{SOURCE}:HS002"], "a deletion is kept, and its datestamp"
    assert final[f"{SOURCE}:HS003"] == after[f"{SOURCE}:HS003"]
    assert f"{SOURCE}:HS005" not in final

    deleted = ask(client, verb="GetRecord", identifier=identifier_of(f"{SOURCE}:HS003"), metadataPrefix="oai_dc")
    record = deleted.find("o:GetRecord/o:record", NS)
    assert record.find("o:header", NS).get("status") == "deleted" and record.find("o:metadata", NS) is None
    assert "Hồ sơ công khai sẽ thành mật" not in deleted.getroottree().getroot().xpath("string()")

    # The deletions are in the list from when they happened; the record closed from the start is not, even so.
    since = ask(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": after[f"{SOURCE}:HS002"][0]})
    listed = [h.findtext("o:identifier", namespaces=NS) for h in since.iterfind(".//o:header", NS)]
    assert identifier_of(f"{SOURCE}:HS002") in listed and identifier_of(f"{SOURCE}:HS005") not in listed

    # A deleted record that comes back is a record again, with a new datestamp.
    provider.records.append(FaultRecord("HS006", "2025-03-01T00:00:00Z", "Hồ sơ công khai trở lại"))
    assert harvest(app).exit_code == 0
    back = _headers(client)
    assert not back[f"{SOURCE}:HS006"][1] and back[f"{SOURCE}:HS006"][0] >= final[f"{SOURCE}:HS006"][0]


def test_a_record_never_public_leaves_no_trace_when_it_goes(source):
    app, provider = source
    client = app.test_client()
    assert harvest(app).exit_code == 0
    _change(provider, "HS005", deleted=True)
    assert harvest(app).exit_code == 0
    provider.records = [r for r in provider.records if r.local_id != "HS005"]
    assert harvest(app, "--full").exit_code == 0

    headers = _headers(client)
    assert f"{SOURCE}:HS005" not in headers and len(headers) == 5
    answer = ask(client, verb="GetRecord", identifier=identifier_of(f"{SOURCE}:HS005"), metadataPrefix="oai_dc")
    assert error_code(answer) == "idDoesNotExist"
    tokens_total = ask(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert len(tokens_total.findall(".//o:header", NS)) == 5
