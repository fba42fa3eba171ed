"""A live run keeps its lease while it waits: on slow files (Tika, downloads) and on a slow source.
Without a heartbeat during those waits, a page of large files outlasts the lease and the next
`flask harvest` would take the living run for a dead one and run it a second time.

The run's clock is the test's (run_helpers.ManualClock): while a file or a page is being served, the
test moves the time two leases on and waits for the run's next heartbeats, then looks at the run from
another connection, as a second `flask harvest` would. Nothing here depends on the machine's speed."""
from __future__ import annotations

from urllib.parse import parse_qs

from demo.fault_provider import FaultProvider, FaultRecord, Faults
from indexer.harvest import harvest_source
from indexer.text_extraction import TikaExtractor
from portal import database
from portal.harvest_jobs import harvest_settings
from portal.opensearch import build_client
from schema.tables import HarvestRun, Source
from tests.conftest import ServerThread, drop_indices
from tests.integration.harvest_helpers import SOURCE, indexed, portal_for
from tests.integration.run_helpers import LeaseWitness, ManualClock

LEASE_SECONDS = 300
FILE_TEXT = "Biên bản họp Hội đồng xác định giá trị tài liệu".encode()


def harvest_on(app, clock: ManualClock) -> HarvestRun:
    with app.app_context():
        db = database.get_db()
        settings = harvest_settings(app.config)
        settings.lease_seconds, settings.clock = LEASE_SECONDS, clock
        run = harvest_source(db, db.get(Source, SOURCE), build_client(app.config["OPENSEARCH_URL"]),
                             TikaExtractor(app.config["TIKA_SERVER_ENDPOINT"]), settings)
        db.expunge(run)
        return run


def test_a_run_waiting_on_slow_files_keeps_its_lease(tmp_path_factory, database_url):
    clock = ManualClock()
    witness: LeaseWitness | None = None
    provider = FaultProvider([], Faults(page_size=10))

    def files(environ, start_response):
        witness.outlast_the_lease()
        start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"),
                                  ("Content-Length", str(len(FILE_TEXT)))])
        return [FILE_TEXT]

    def same_origin(environ, start_response):  # files are linked from the source's own origin
        app = files if environ["PATH_INFO"].startswith("/files/") else provider
        return app(environ, start_response)

    with ServerThread(same_origin) as server:
        provider.records += [FaultRecord(f"HS{n:03d}", "2025-01-01T00:00:00Z", f"Hồ sơ {n}",
                                         file_urls=(f"{server.url}/files/bien-ban-{n}.txt",)) for n in range(1, 5)]
        app = portal_for(tmp_path_factory, server.url, database_url=database_url)
        witness = LeaseWitness(app.config["DATABASE_URL"], clock, LEASE_SECONDS)
        try:
            run = harvest_on(app, clock)

            assert run.state == "done" and run.files_extracted == 4
            assert witness.kept == [True] * 4  # each file took two leases, and the lease was kept through it
            assert all(doc["content"] for doc in indexed(app).values())
        finally:
            drop_indices(app)


def test_a_run_waiting_on_a_slow_source_keeps_its_lease(tmp_path_factory, database_url):
    clock = ManualClock()
    witness: LeaseWitness | None = None
    records = [FaultRecord(f"HS{n:03d}", "2025-01-01T00:00:00Z", f"Hồ sơ {n}") for n in range(1, 7)]
    provider = FaultProvider(records, Faults(page_size=2))

    def slow_pages(environ, start_response):
        if parse_qs(environ.get("QUERY_STRING", "")).get("verb") == ["ListRecords"]:
            witness.outlast_the_lease()
        return provider(environ, start_response)

    with ServerThread(slow_pages) as server:
        app = portal_for(tmp_path_factory, server.url, database_url=database_url)
        witness = LeaseWitness(app.config["DATABASE_URL"], clock, LEASE_SECONDS)
        try:
            run = harvest_on(app, clock)

            assert run.state == "done" and run.added == 6
            assert witness.kept == [True] * 3  # three pages, each two leases long
        finally:
            drop_indices(app)
