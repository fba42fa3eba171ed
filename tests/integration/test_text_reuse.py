"""A re-harvest does not send Tika (and OCR) the files whose bytes it has read before (docs/scaling.md,
Harvest): their text, source and OCR confidence come from the extraction kept by the bytes' SHA-256. A file
whose bytes changed is read again, and so is one whose extraction failed. Tika is the real one, behind a
proxy of the test's that records the checksum of each file it is sent and refuses the ones it is told to."""
from __future__ import annotations

import hashlib
import os

import requests
from werkzeug.wrappers import Request, Response

from demo.fault_provider import FaultProvider, FaultRecord, Faults
from demo.scans import scan_pdf
from indexer.text_extraction import TEXT_OCR
from tests.accounts import signed_in_client
from tests.conftest import ServerThread, drop_indices
from tests.integration.harvest_helpers import harvest, indexed, last_run, portal_for

TIKA = os.environ.get("TIKA_SERVER_ENDPOINT", "http://127.0.0.1:9998")
SCAN = scan_pdf("Quyết định thành lập Ủy ban nhân dân xã Tân Hòa", "light", seed=3)
KEPT = "Biên bản họp Hội đồng xác định giá trị tài liệu năm 1998".encode()
CHANGING = "Công văn số 12 về việc giao đất".encode()
CHANGED = "Công văn số 12 về việc giao đất, bản đã sửa lần hai".encode()
REFUSED_ONCE = "Tờ trình xin kinh phí tu bổ đình làng".encode()


def sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class RecordingTika:
    """Passes each request on to the real Tika, noting the SHA-256 of each file sent; answers 500 for the
    checksums in `refuse`."""

    def __init__(self):
        self.sent: list[str] = []
        self.refuse: set[str] = set()

    def __call__(self, environ, start_response):
        request = Request(environ)
        body = request.get_data()
        if request.method == "PUT":
            self.sent.append(sha256(body))
            if sha256(body) in self.refuse:
                return Response("refused by the test", status=500)(environ, start_response)
        headers = {name: value for name, value in request.headers.items()
                   if name.lower() not in ("host", "content-length", "transfer-encoding")}
        answer = requests.request(request.method, TIKA + request.full_path.rstrip("?"), data=body,
                                  headers=headers, timeout=120)
        return Response(answer.content, status=answer.status_code,
                        content_type=answer.headers.get("Content-Type"))(environ, start_response)


def test_a_full_re_harvest_reads_again_only_changed_and_failed_files(tmp_path_factory):
    files = {"scan.pdf": ("application/pdf", SCAN), "kept.txt": ("text/plain; charset=utf-8", KEPT),
             "changing.txt": ("text/plain; charset=utf-8", CHANGING),
             "refused.txt": ("text/plain; charset=utf-8", REFUSED_ONCE)}
    provider = FaultProvider([], Faults(page_size=10), files=files)
    tika = RecordingTika()
    with ServerThread(provider) as server, ServerThread(tika) as tika_server:
        provider.records += [FaultRecord(f"HS00{n}", "2025-01-01T00:00:00Z", f"Hồ sơ {n}",
                                         file_urls=(f"{server.url}/files/{name}",))
                             for n, name in enumerate(files, start=1)]
        app = portal_for(tmp_path_factory, server.url, TIKA_SERVER_ENDPOINT=tika_server.url)
        try:
            tika.refuse = {sha256(REFUSED_ONCE)}
            first = harvest(app, "--full")
            assert first.exit_code == 0, first.output
            before = indexed(app)
            assert last_run(app).files_extracted == 3 and last_run(app).files_reused == 0
            assert sorted(tika.sent) == sorted(map(sha256, (SCAN, KEPT, CHANGING, REFUSED_ONCE)))
            assert before["faulty:HS004"]["content"] is None
            assert not before["faulty:HS004"]["files"][0]["text_extracted"]

            tika.sent, tika.refuse = [], set()
            files["changing.txt"] = ("text/plain; charset=utf-8", CHANGED)
            second = harvest(app, "--full")

            assert second.exit_code == 0, second.output
            assert sorted(tika.sent) == sorted(map(sha256, (CHANGED, REFUSED_ONCE)))  # not the scan, not kept.txt
            after = indexed(app)
            for unchanged in ("faulty:HS001", "faulty:HS002"):
                assert after[unchanged]["content"] == before[unchanged]["content"]
                assert after[unchanged]["files"] == before[unchanged]["files"]
            scan_file = after["faulty:HS001"]["files"][0]
            assert scan_file["text_source"] == TEXT_OCR and scan_file["ocr_confidence"] > 0
            assert "bản đã sửa lần hai" in after["faulty:HS003"]["content"]
            assert after["faulty:HS003"]["files"][0]["sha256"] == sha256(CHANGED)
            assert "đình làng" in after["faulty:HS004"]["content"]
            assert after["faulty:HS004"]["files"][0]["text_extracted"]
            run = last_run(app)
            assert run.files_extracted == 4 and run.files_reused == 2
            assert "(2 reused)" in second.output
            admin = signed_in_client(app, "national@example.vn", "national_admin")
            report = admin.get(f"/admin/harvests/{run.id}?lang=en").get_data(as_text=True)
            assert "Files whose text was reused" in report and "<dd data-files-reused>2</dd>" in report
        finally:
            drop_indices(app)


def test_migration_0020_goes_down_and_up_again(database_url):
    from sqlalchemy import create_engine, inspect

    from tests.databases import alembic

    def run_columns(engine):
        return {column["name"] for column in inspect(engine).get_columns("harvest_runs")}

    alembic(database_url, "upgrade", "0020")
    engine = create_engine(database_url)
    try:
        assert "files_reused" in run_columns(engine)
        alembic(database_url, "downgrade", "0019")
        engine.dispose()
        assert "files_reused" not in run_columns(engine)
        alembic(database_url, "upgrade", "0020")
        engine.dispose()
        assert "files_reused" in run_columns(engine)
    finally:
        engine.dispose()
