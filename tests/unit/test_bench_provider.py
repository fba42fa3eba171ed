"""The benches' provider serves the demo provider's list, page for page, sorting it once."""
import re

from werkzeug.test import Client

from bench.provider import SortedOnceProvider, bench_records
from demo.fault_provider import FaultProvider, Faults


def _pages(provider) -> list[list[str]]:
    client, params, pages = Client(provider), {"verb": "ListRecords", "metadataPrefix": "oai_dc"}, []
    while True:
        body = client.get("/oai", query_string=params).get_data(as_text=True)
        pages.append(re.findall(r"<identifier>([^<]*)</identifier>", body))
        token = re.search(r"<resumptionToken[^>]*>([^<]+)</resumptionToken>", body)
        if not token:
            return pages
        params = {"verb": "ListRecords", "resumptionToken": token.group(1)}


def test_it_serves_the_demo_providers_list_page_for_page():
    records = bench_records(250)
    served = _pages(SortedOnceProvider(records, Faults(page_size=100)))
    assert served == _pages(FaultProvider(records, Faults(page_size=100)))
    assert [len(page) for page in served] == [100, 100, 50]
    assert len({identifier for page in served for identifier in page}) == 250


def test_it_sorts_a_list_once_for_all_its_pages(monkeypatch):
    provider = SortedOnceProvider(bench_records(250), Faults(page_size=100))
    sorts = []
    real = FaultProvider._matching
    monkeypatch.setattr(FaultProvider, "_matching", lambda self, query: sorts.append(query) or real(self, query))
    _pages(provider)
    _pages(provider)
    assert len(sorts) == 1
