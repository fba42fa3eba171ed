"""The benches' OAI-PMH provider: the demo's fault provider with nothing to misbehave and its list sorted
once, as a provider's database index keeps it. The demo provider sorts every record for every page (tests
change records between two pages): serving a list of 20,000 records cost it 1.3 CPU s instead of 0.34, on
the cores the harvesters compared share, and it made the thinnest harvester wait on it most."""
from __future__ import annotations

from demo.fault_provider import FaultProvider, FaultRecord, Faults, numbered_records

DESCRIPTION = "Tài liệu về công tác lưu trữ, quản lý hồ sơ và văn bản của tỉnh. " * 4


class SortedOnceProvider(FaultProvider):
    """Its records must not change once it serves them."""

    def __init__(self, records: list[FaultRecord], faults: Faults | None = None):
        super().__init__(records, faults)
        self._lists: dict[tuple, list[FaultRecord]] = {}

    def _matching(self, query: dict) -> list[FaultRecord]:
        # The offset ("o") moves page by page; the list it moves over is the same.
        key = tuple(sorted((name, value) for name, value in query.items() if name != "o"))
        if key not in self._lists:
            self._lists[key] = super()._matching(query)
        return self._lists[key]


def bench_records(count: int) -> list[FaultRecord]:
    """`count` records of a few hundred bytes of description each, local ids HS000000, HS000001, …"""
    records = numbered_records(count)
    for number, record in enumerate(records):
        record.description = DESCRIPTION
        record.local_id = f"HS{number:06d}"
    return records
