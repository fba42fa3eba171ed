"""A live run keeps its lease while it waits: on slow files (Tika, downloads) and on a slow source.
Without a heartbeat during those waits, a page of large files outlasts the lease and the next
`flask harvest` would take the living run for a dead one and run it a second time."""
from __future__ import annotations

import threading
import time

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from demo.fault_provider import FaultProvider, FaultRecord, Faults
from indexer.harvest import harvest_source, lease_is_stale
from indexer.text_extraction import TikaExtractor
from portal import database
from portal.cli import harvest_settings
from portal.opensearch import build_client
from schema.tables import HarvestRun, Source
from tests.conftest import ServerThread, drop_indices
from tests.integration.harvest_helpers import SOURCE, indexed, portal_for

LEASE_SECONDS = 0.6  # a heartbeat every 0.12 s


def slow_files(seconds: float):
    def app(environ, start_response):
        time.sleep(seconds)
        body = "Biên bản họp Hội đồng xác định giá trị tài liệu".encode()
        start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
        return [body]
    return app


class LeaseWatcher(threading.Thread):
    """Looks at the running run from another connection, as a second `flask harvest` would."""

    def __init__(self, database_url: str):
        super().__init__(daemon=True)
        self.engine = create_engine(database_url)
        self.stop = threading.Event()
        self.looks = self.stale_looks = 0

    def run(self) -> None:
        with Session(self.engine) as session:
            while not self.stop.is_set():
                session.expire_all()
                run = session.scalars(select(HarvestRun).where(HarvestRun.state == "running")).first()
                if run is not None:
                    self.looks += 1
                    self.stale_looks += lease_is_stale(run, LEASE_SECONDS)
                session.rollback()
                time.sleep(0.03)


def harvest_watched(app) -> tuple[HarvestRun, LeaseWatcher]:
    watcher = LeaseWatcher(app.config["DATABASE_URL"])
    watcher.start()
    try:
        with app.app_context():
            db = database.get_db()
            settings = harvest_settings(app.config)
            settings.lease_seconds = LEASE_SECONDS
            run = harvest_source(db, db.get(Source, SOURCE), build_client(app.config["OPENSEARCH_URL"]),
                                 TikaExtractor(app.config["TIKA_SERVER_ENDPOINT"]), settings)
            db.expunge(run)
    finally:
        watcher.stop.set()
        watcher.join()
    return run, watcher


def test_a_run_waiting_on_slow_files_keeps_its_lease(tmp_path_factory):
    with ServerThread(slow_files(1.0)) as files:
        records = [FaultRecord(f"HS{n:03d}", "2025-01-01T00:00:00Z", f"Hồ sơ {n}",
                               file_urls=(f"{files.url}/bien-ban-{n}.txt",)) for n in range(1, 5)]
        with ServerThread(FaultProvider(records, Faults(page_size=10))) as provider:
            app = portal_for(tmp_path_factory, provider.url)
            try:
                run, watcher = harvest_watched(app)

                assert run.state == "done" and run.files_extracted == 4  # 4 files, 2 at a time: ~2 s > lease
                assert watcher.looks > 20
                assert watcher.stale_looks == 0
                assert all(doc["content"] for doc in indexed(app).values())
            finally:
                drop_indices(app)


def test_a_run_waiting_on_a_slow_source_keeps_its_lease(tmp_path_factory):
    records = [FaultRecord(f"HS{n:03d}", "2025-01-01T00:00:00Z", f"Hồ sơ {n}") for n in range(1, 7)]
    with ServerThread(FaultProvider(records, Faults(page_size=2, delay=0.9))) as provider:
        app = portal_for(tmp_path_factory, provider.url)
        try:
            run, watcher = harvest_watched(app)

            assert run.state == "done" and run.added == 6  # 3 pages at 0.9 s each: more than the lease
            assert watcher.looks > 20
            assert watcher.stale_looks == 0
        finally:
            drop_indices(app)
