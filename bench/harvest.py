"""Harvest throughput and memory: the harvester against the raw tools it stands on.

  metadata  records/s of `harvest_source` from a local OAI-PMH provider (demo/fault_provider.py,
            in its own process) into OpenSearch, metadata only, against opensearch-py's
            `parallel_bulk` of the very same documents into a fresh index. Goal ≥ 0.8× raw.
            Also the CPU seconds each party spent (OpenSearch, the provider, the harvester or the
            raw client): on a machine whose cores are all busy, their sums bound the ratio. And the
            thinnest OAI-PMH harvester there can be (read the list page by page, parse it, bulk-index
            the documents already mapped: no mapping, no checks, no bookkeeping): what reading
            OAI-PMH alone leaves of raw on this machine.
  files     files/s of a harvest of the demo archive of Huế (its PDF and DOCX files through Tika,
            rendered by the provider before the clock starts) against plain HTTP requests to
            Tika's /rmeta/xml with the same files and OCR headers, one after the other. Goal ≥ 0.9× raw.
  memory    peak resident memory of `flask harvest` (a child process) on a record whose file is a
            100 MB PDF: with the default TIKA_MAX_FILE_BYTES (the file is refused while streaming)
            and with a limit above its size (the file is read and sent to Tika), beside the peak
            of `flask sources list` (the application loaded, nothing harvested).

Each comparison runs a warm-up round (not counted: the JVMs of OpenSearch and Tika compile as they
go, and whatever runs first pays for it) and then --rounds rounds, harvester and raw in turn; the
median round is printed. Prints figures; asserts nothing. Everything runs on 127.0.0.1; indices and
files are removed.

    python -m bench.harvest [--records 5000] [--rounds 3] [--database-url URL] [--skip-metadata] [--skip-files]
                            [--skip-memory]
"""
from __future__ import annotations

import argparse
import hashlib
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests
from opensearchpy import OpenSearch, helpers
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

REPO = Path(__file__).resolve().parent.parent
OPENSEARCH_URL = os.environ.get("OPENSEARCH_URL", "http://127.0.0.1:9200")
DATABASE_URL = ""  # --database-url: the harvester's bookkeeping there instead of a fresh SQLite file
TIKA_URL = os.environ.get("TIKA_SERVER_ENDPOINT", "http://127.0.0.1:9998")


def log(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_in_child(code: str, port: int) -> subprocess.Popen:
    """A provider in its own process, so that it does not share the harvester's interpreter."""
    process = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the provider did not start")


FAULT_PROVIDER_CODE = """
from werkzeug.serving import make_server
from demo.fault_provider import Faults
from bench.provider import SortedOnceProvider, bench_records
provider = SortedOnceProvider(bench_records({records}), Faults(page_size=100))
make_server("127.0.0.1", {port}, provider, threaded=True).serve_forever()
"""

# The demo provider renders each file when it is asked for it; here every file is rendered once before
# the clock starts, so that the harvester is timed and not the provider's PDF writer.
DEMO_PROVIDER_CODE = """
from werkzeug.serving import make_server
import demo.oai_provider as provider
from demo.catalogue import build_archives
from demo.files import render_file
archives = build_archives()
rendered = {{(id(r), f.name): render_file(r, f) for a in archives.values() for r in a.records for f in r.files}}
provider.render_file = lambda record, file: rendered[(id(record), file.name)]
make_server("127.0.0.1", {port}, provider.create_provider_app(archives), threaded=True).serve_forever()
"""

# One record a file: the same files as the Huế archive's, each the only file of a record of its own, the
# list given FILE_COPIES times so that what a run does once (its index, its report) weighs as little as in
# a real harvest.
FILES_ONLY_PROVIDER_CODE = """
from werkzeug.serving import make_server
from werkzeug.wrappers import Response
from demo.catalogue import build_archives
from demo.fault_provider import FaultProvider, FaultRecord
from demo.files import render_file
archive = build_archives()["hue"]
blobs = [(f.name, render_file(r, f)) for r in archive.records if not r.deleted for f in r.files] * {copies}
oai = FaultProvider([FaultRecord(f"F{{n:03d}}", "2025-01-01T00:00:00Z", f"Tệp {{name}}",
                                 file_urls=(f"http://127.0.0.1:{port}/files/{{n}}/{{name}}",))
                     for n, (name, _) in enumerate(blobs)])
def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path.startswith("/files/"):
        name, content = blobs[int(path.split("/")[2])]
        kind = "application/pdf" if name.endswith(".pdf") else "application/octet-stream"
        return Response(content, content_type=kind)(environ, start_response)
    return oai(environ, start_response)
make_server("127.0.0.1", {port}, app, threaded=True).serve_forever()
"""

FILE_COPIES = 4

BIG_FILE_PROVIDER_CODE = """
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response
from werkzeug.wsgi import FileWrapper
from demo.fault_provider import FaultProvider, FaultRecord
oai = FaultProvider([FaultRecord("BIG", "2025-01-01T00:00:00Z", "Hồ sơ có tệp 100 MB",
                                 file_urls=("http://127.0.0.1:{port}/files/big.pdf",))])
def app(environ, start_response):
    if environ["PATH_INFO"] == "/files/big.pdf":
        handle = open({path!r}, "rb")
        start_response("200 OK", [("Content-Type", "application/pdf"),
                                  ("Content-Length", str(__import__("os").path.getsize({path!r})))])
        return FileWrapper(handle)
    return oai(environ, start_response)
make_server("127.0.0.1", {port}, app, threaded=True).serve_forever()
"""


def harvest_in_process(url: str, source_id: str, prefix: str, tika_url: str,
                       reuse_file_texts: bool = False) -> tuple[float, object]:
    """A run on a scratch database; without `reuse_file_texts` every file goes to Tika (the bench's ×4 copies
    would otherwise be read once)."""
    from indexer.gc_tuning import freeze_what_is_loaded
    from indexer.harvest import HarvestSettings, harvest_source
    from indexer.text_extraction import TikaExtractor
    from portal.database import connect_args
    from schema.tables import Base, Source

    database_url = DATABASE_URL or f"sqlite:///{tempfile.mkdtemp(prefix='bench-harvest-')}/portal.db"
    engine = create_engine(database_url, connect_args=connect_args(database_url))
    Base.metadata.drop_all(engine)  # a scratch database: each round starts empty
    Base.metadata.create_all(engine)
    db = sessionmaker(engine, expire_on_commit=False)()
    source = Source(id=source_id, holding_province="86", url=url, kind="oai-pmh", metadata_prefix="oai_dc",
                    enabled=True, name="")
    db.add(source)
    db.commit()
    client = OpenSearch(hosts=[OPENSEARCH_URL], timeout=120)
    freeze_what_is_loaded()  # as `flask harvest` does before its runs
    started = time.perf_counter()
    try:
        run = harvest_source(db, source, client, TikaExtractor(tika_url),
                             HarvestSettings(index_prefix=prefix, reuse_file_texts=reuse_file_texts))
        return time.perf_counter() - started, run
    finally:
        db.close()
        engine.dispose()


THIS_PROCESS = 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (THIS_PROCESS: this one, all its threads)."""
    if pid == THIS_PROCESS:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def opensearch_pid() -> int | None:
    """The local OpenSearch's process, for its CPU time (started by scripts/opensearch.sh)."""
    pidfile = Path(os.environ.get("PORTAL_RUNTIME_DIR", "/var/tmp/archives-portal")) / "opensearch.pid"
    try:
        return int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None


class CpuMeter:
    """CPU seconds spent by each named process inside the `with` block (a process not found is left out)."""

    def __init__(self, **pids: int | None):
        self.pids = {name: pid for name, pid in pids.items() if pid is not None}

    def __enter__(self) -> "CpuMeter":
        self.before = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        return self

    def __exit__(self, *exc) -> None:
        self.spent = {name: cpu_seconds(pid) - self.before[name] for name, pid in self.pids.items()}

    def line(self) -> str:
        return ", ".join(f"{name} {seconds:.2f}" for name, seconds in self.spent.items())


def background_rate(pid: int | None, seconds: float = 2.0) -> float:
    """CPU seconds a second the process spends while this bench asks nothing of it: on a shared machine
    OpenSearch works for other test runs too, and a slower party is charged more of that work."""
    if pid is None:
        return 0.0
    before = cpu_seconds(pid)
    time.sleep(seconds)
    return (cpu_seconds(pid) - before) / seconds


def shard_work(client: OpenSearch, index: str) -> dict[str, float]:
    """Milliseconds the primaries of `index` (a pattern) spent indexing, on gets and refreshing: OpenSearch's
    work for those indices alone, whatever else the node is doing."""
    stats = client.indices.stats(index=index, metric="indexing,get,refresh")["_all"]["primaries"]
    return {"index": stats["indexing"]["index_time_in_millis"], "get": stats["get"]["time_in_millis"],
            "refresh": stats["refresh"]["total_time_in_millis"]}


OAI = "{http://www.openarchives.org/OAI/2.0/}"


def thinnest_harvest(client: OpenSearch, url: str, documents: list[dict], index: str) -> int:
    """ListRecords page by page (HTTP, safe XML parsing, the resumption token) feeding parallel_bulk
    with a document a record, taken from those already mapped. Returns the records read."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    session = requests.Session()
    read = 0

    def actions():
        nonlocal read
        params = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
        while True:
            root = etree.fromstring(session.get(url, params=params, timeout=60).content, parser)
            for _ in root.iter(f"{OAI}record"):
                document = documents[read % len(documents)]
                read += 1
                yield {"_index": index, "_id": document["id"], "_source": document}
            token = root.find(f".//{OAI}resumptionToken")
            if token is None or not (token.text or "").strip():
                return
            params = {"verb": "ListRecords", "resumptionToken": token.text.strip()}

    for ok, info in helpers.parallel_bulk(client, actions(), chunk_size=500, thread_count=2):
        if not ok:
            log(f"  thinnest failure: {info}")
    client.indices.refresh(index=index)
    return read


def median_round(rounds: list[dict]) -> dict:
    return sorted(rounds, key=lambda r: r["ratio"])[len(rounds) // 2]


def bench_metadata(records: int, rounds: int) -> None:
    port = free_port()
    provider = serve_in_child(FAULT_PROVIDER_CODE.format(records=records, port=port), port)
    client = OpenSearch(hosts=[OPENSEARCH_URL], timeout=120)
    from schema.index import INDEX_BODY

    results = []
    try:
        for number in range(rounds + 1):
            prefix = f"bench-harvest-{uuid.uuid4().hex[:6]}-"
            background = background_rate(opensearch_pid())
            try:
                with CpuMeter(opensearch=opensearch_pid(), provider=provider.pid,
                              harvester=THIS_PROCESS) as harvest_cpu:
                    seconds, run = harvest_in_process(f"http://127.0.0.1:{port}/oai", "bench", prefix, TIKA_URL)
                harvested = run.added + run.updated + run.unchanged
                harvest_work = shard_work(client, f"{prefix}records*")  # the source's index and the tombstones
                documents = [hit["_source"] for hit in helpers.scan(client, index=f"{prefix}records",
                                                                    query={"query": {"match_all": {}}})]
                raw_index = f"{prefix}raw"
                client.indices.create(index=raw_index, body=INDEX_BODY)
                with CpuMeter(opensearch=opensearch_pid(), client=THIS_PROCESS) as raw_cpu:
                    started = time.perf_counter()
                    actions = ({"_index": raw_index, "_id": doc["id"], "_source": doc} for doc in documents)
                    for ok, info in helpers.parallel_bulk(client, actions, chunk_size=500, thread_count=2):
                        if not ok:
                            log(f"  raw failure: {info}")
                    client.indices.refresh(index=raw_index)
                    raw_seconds = time.perf_counter() - started
                raw_work = shard_work(client, raw_index)
                thin_index = f"{prefix}thin"
                client.indices.create(index=thin_index, body=INDEX_BODY)
                with CpuMeter(opensearch=opensearch_pid(), provider=provider.pid, client=THIS_PROCESS) as thin_cpu:
                    started = time.perf_counter()
                    thin_read = thinnest_harvest(client, f"http://127.0.0.1:{port}/oai", documents, thin_index)
                    thin_seconds = time.perf_counter() - started
            finally:
                client.indices.delete(index=f"{prefix}*", ignore_unavailable=True)
            result = {"rate": harvested / seconds, "raw_rate": len(documents) / raw_seconds, "state": run.state,
                      "harvest_cpu": harvest_cpu, "raw_cpu": raw_cpu, "seconds": seconds,
                      "raw_seconds": raw_seconds, "thin_rate": thin_read / thin_seconds, "thin_cpu": thin_cpu,
                      "background": background, "harvest_work": harvest_work, "raw_work": raw_work}
            result["ratio"] = result["rate"] / result["raw_rate"]
            label = "warm-up" if number == 0 else f"round {number}"
            log(f"metadata {label}: harvester {harvested} records in {seconds:.2f} s = {result['rate']:,.0f}/s "
                f"(run {run.state}; CPU s: {harvest_cpu.line()}) | raw parallel_bulk {len(documents)} in "
                f"{raw_seconds:.2f} s = {result['raw_rate']:,.0f}/s (CPU s: {raw_cpu.line()}) | "
                f"{result['ratio']:.2f}× | thinnest harvester {result['thin_rate']:,.0f}/s = "
                f"{result['thin_rate'] / result['raw_rate']:.2f}× (CPU s: {thin_cpu.line()})")
            if number:
                results.append(result)
    finally:
        provider.kill()
    middle = median_round(results)
    harvest_total = sum(middle["harvest_cpu"].spent.values())
    raw_total = sum(middle["raw_cpu"].spent.values())
    cores = os.cpu_count() or 1
    best_rate = cores * records / harvest_total  # every CPU second of every party, spread over all cores
    log(f"metadata: median of {rounds}: harvester {middle['rate']:,.0f} records/s, raw {middle['raw_rate']:,.0f} "
        f"documents/s: {middle['ratio']:.2f}× (goal ≥ 0.8×)")
    log(f"metadata: CPU per 1,000 records: harvest {1000 * harvest_total / records:.2f} s "
        f"({', '.join(f'{n} {1000 * v / records:.2f}' for n, v in middle['harvest_cpu'].spent.items())}), raw "
        f"{1000 * raw_total / records:.2f} s. Even with all {cores} cores busy the whole time, the harvest "
        f"could not pass {best_rate:,.0f} records/s here = {best_rate / middle['raw_rate']:.2f}× raw")
    per_thousand = 1000 / records
    background = middle["background"]
    harvest_net = middle["harvest_cpu"].spent.get("opensearch", 0) - background * middle["seconds"]
    raw_net = middle["raw_cpu"].spent.get("opensearch", 0) - background * middle["raw_seconds"]

    def work(spent: dict[str, float]) -> str:
        return ", ".join(f"{name} {per_thousand * millis / 1000:.3f}" for name, millis in spent.items())

    log(f"metadata: OpenSearch, net of the {background:.2f} CPU s a second it spent for others just before the "
        f"round: harvest {per_thousand * harvest_net:.2f} s, raw {per_thousand * raw_net:.2f} s a 1,000 records; "
        f"its shards' own work a 1,000 records (index stats): harvest {work(middle['harvest_work'])} s, "
        f"raw {work(middle['raw_work'])} s")
    log(f"metadata: the thinnest OAI-PMH harvester (read, parse, bulk; nothing else) {middle['thin_rate']:,.0f} "
        f"records/s = {middle['thin_rate'] / middle['raw_rate']:.2f}× raw: the ceiling reading OAI-PMH puts on "
        f"any harvester here; this harvester reaches {middle['rate'] / middle['thin_rate']:.2f}× of it")


def bench_files(rounds: int) -> None:
    from demo.catalogue import build_archives
    from demo.files import render_file

    archive = build_archives()["hue"]
    live = [record for record in archive.records if not record.deleted]
    blobs = [(f.name, render_file(r, f)) for r in live for f in r.files]
    for label, code, path, source_id, sent in (
            (f"the Huế archive ({len(live)} records, {sum(1 for r in live if r.files)} of them with files)",
             DEMO_PROVIDER_CODE, "/hue/oai", "hue", blobs),
            (f"the same {len(blobs)} files × {FILE_COPIES}, one record each",
             FILES_ONLY_PROVIDER_CODE, "/oai", "files",
             blobs * FILE_COPIES)):
        port = free_port()
        provider = serve_in_child(code.format(port=port, copies=FILE_COPIES), port)
        try:
            compare_files(f"http://127.0.0.1:{port}{path}", source_id, sent, rounds, label)
        finally:
            provider.kill()


def compare_files(url: str, source_id: str, blobs: list[tuple[str, bytes]], rounds: int, label: str) -> None:
    from indexer.ocr import OcrLimits, ocr_request

    session = requests.Session()
    results = []
    for number in range(rounds + 1):
        prefix = f"bench-harvest-{uuid.uuid4().hex[:6]}-"
        try:
            seconds, run = harvest_in_process(url, source_id, prefix, TIKA_URL)
            if number:
                reharvest_times(url, source_id, prefix, len(blobs))
        finally:
            OpenSearch(hosts=[OPENSEARCH_URL]).indices.delete(index=f"{prefix}*", ignore_unavailable=True)
        files = run.files_extracted + run.files_failed
        started = time.perf_counter()
        for name, content in blobs:
            # What the harvester asks of Tika for the file (hOCR; no OCR of a DOCX's thumbnail), nothing more.
            headers = {"Accept": "application/json", **ocr_request(content, name, None, OcrLimits()).headers}
            session.put(f"{TIKA_URL}/rmeta/xml", data=content, headers=headers, timeout=120).raise_for_status()
        raw_seconds = time.perf_counter() - started
        result = {"rate": files / seconds, "raw_rate": len(blobs) / raw_seconds}
        result["ratio"] = result["rate"] / result["raw_rate"]
        log(f"files {'warm-up' if number == 0 else f'round {number}'}: harvester {files} files "
            f"({run.files_extracted} with text) of {run.added} records in {seconds:.2f} s = {result['rate']:.1f} "
            f"files/s | raw Tika /rmeta/xml {len(blobs)} files in {raw_seconds:.2f} s = "
            f"{result['raw_rate']:.1f} files/s | {result['ratio']:.2f}×")
        if number:
            results.append(result)
    middle = median_round(results)
    log(f"files, {label}: median of {rounds}: harvester {middle['rate']:.1f} files/s, raw {middle['raw_rate']:.1f} "
        f"files/s: {middle['ratio']:.2f}× (goal ≥ 0.9×; the harvester also lists and maps the records, downloads "
        f"each file, hashes it and checks PDF signatures)")


def reharvest_times(url: str, source_id: str, prefix: str, files: int) -> None:
    """The same files harvested again (a scratch database: every record is read anew, as by a full run),
    each file sent to Tika again, then with the text kept by checksum by the first harvest reused."""
    for reuse in (False, True):
        seconds, run = harvest_in_process(url, source_id, prefix, TIKA_URL, reuse_file_texts=reuse)
        log(f"files re-harvest {'with' if reuse else 'without'} reuse: {files} files "
            f"({run.files_extracted} with text, {run.files_reused} of them reused) in {seconds:.2f} s")


def make_big_pdf(path: Path, size: int) -> None:
    """A valid PDF of about `size` bytes: one page of text and an image stream of noise."""
    noise = os.urandom(size)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R >> >> >>",
        None,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        None,
    ]
    text = b"BT /F1 12 Tf 72 760 Td (Ho so luu tru 100 MB) Tj ET"
    with open(path, "wb") as out:
        out.write(b"%PDF-1.4\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(out.tell())
            out.write(f"{number} 0 obj\n".encode())
            if number == 4:
                out.write(b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream")
            elif number == 6:
                out.write(b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray "
                          b"/BitsPerComponent 8 /Length %d >>\nstream\n" % len(noise))
                out.write(noise)
                out.write(b"\nendstream")
            else:
                out.write(body)
            out.write(b"\nendobj\n")
        xref = out.tell()
        out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
        for offset in offsets:
            out.write(f"{offset:010d} 00000 n \n".encode())
        out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())


def peak_rss(command: list[str], env: dict) -> tuple[int, float, str]:
    """(peak resident KiB, seconds, output) of the command, run as the only child of a fresh interpreter."""
    script = (f"import resource, subprocess, sys, time; started = time.perf_counter(); "
              f"done = subprocess.run({command!r}, capture_output=True, text=True); "
              f"print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "
              f"round(time.perf_counter() - started, 1)); print(done.stdout[-600:])")
    measured = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True)
    first, _, output = measured.stdout.partition("\n")
    peak_kb, seconds = first.split()
    return int(peak_kb), float(seconds), output


def bench_memory() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bench-harvest-memory-"))
    pdf = workdir / "big.pdf"
    make_big_pdf(pdf, 100 * 1024 * 1024)
    log(f"memory: a PDF of {pdf.stat().st_size / 1024 / 1024:.0f} MB (sha256 "
        f"{hashlib.sha256(pdf.read_bytes()).hexdigest()[:12]}…)")
    port = free_port()
    provider = serve_in_child(BIG_FILE_PROVIDER_CODE.format(port=port, path=str(pdf)), port)
    prefix = f"bench-harvest-{uuid.uuid4().hex[:6]}-"
    try:
        for label, limit in (("default limit (50 MB)", None), ("limit 200 MB", str(200 * 1024 * 1024))):
            env = {**os.environ, "FLASK_APP": "app", "DATABASE_URL": f"sqlite:///{workdir}/{uuid.uuid4().hex}.db",
                   "OPENSEARCH_INDEX_PREFIX": prefix, "OPENSEARCH_URL": OPENSEARCH_URL,
                   "TIKA_SERVER_ENDPOINT": TIKA_URL, "TIKA_TIMEOUT": "600"}
            if limit:
                env["TIKA_MAX_FILE_BYTES"] = limit
            flask = [sys.executable, "-m", "flask"]
            subprocess.run(flask + ["db", "upgrade"], cwd=REPO, env=env, check=True, capture_output=True)
            subprocess.run(flask + ["sources", "add", "--id", "big", "--province", "86", "--prefix", "oai_dc",
                                    "--url", f"http://127.0.0.1:{port}/oai"], cwd=REPO, env=env, check=True,
                           capture_output=True)
            if limit is None:
                peak_kb, seconds, _ = peak_rss(flask + ["sources", "list"], env)
                log(f"memory: baseline: peak RSS of `flask sources list` (the application loaded) "
                    f"{peak_kb / 1024:.0f} MB")
            peak_kb, seconds, output = peak_rss(flask + ["harvest", "--source", "big"], env)
            report = [line.strip() for line in output.splitlines() if "run " in line or "file" in line]
            log(f"memory: {label}: peak RSS of the harvester {peak_kb / 1024:.0f} MB, {seconds} s; "
                f"{' | '.join(report)[:300]}")
    finally:
        provider.kill()
        OpenSearch(hosts=[OPENSEARCH_URL]).indices.delete(index=f"{prefix}*", ignore_unavailable=True)
        for child in workdir.iterdir():
            child.unlink()
        workdir.rmdir()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.harvest", description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5000, help="records of the metadata benchmark")
    parser.add_argument("--rounds", type=int, default=3, help="counted rounds of each comparison (median printed)")
    parser.add_argument("--database-url", default="",
                        help="a scratch database for the harvester's runs and objects (its tables are dropped and "
                             "made again each round), e.g. PostgreSQL; default: SQLite in a temporary folder")
    parser.add_argument("--skip-metadata", action="store_true")
    parser.add_argument("--skip-files", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--workers", default="1,2",
                        help="page processes of the runs on Celery workers, compared with the thinnest harvester "
                             "(bench/harvest_workers.py); empty: leave that part out")
    parser.add_argument("--workers-records", type=int, default=20000,
                        help="records of the runs on Celery workers: enough that what a run pays once (its claim, "
                             "Identify, a new index, the pipeline filling and draining, the refresh: 0.3-0.6 s "
                             "here) weighs little, as in a province's run of 10^5-10^6 records")
    arguments = parser.parse_args(argv)
    import logging

    logging.getLogger("pyhanko").setLevel(logging.ERROR)
    global DATABASE_URL
    DATABASE_URL = arguments.database_url
    log(f"harvester database: {DATABASE_URL.split('@')[-1] if DATABASE_URL else 'SQLite (a temporary file)'}")
    if not arguments.skip_metadata:
        bench_metadata(arguments.records, max(arguments.rounds, 1))
    if arguments.workers:
        from bench.harvest_workers import bench_workers

        bench_workers(arguments.workers_records, max(arguments.rounds, 1),
                      [int(n) for n in arguments.workers.split(",")], DATABASE_URL or None)
    if not arguments.skip_files:
        bench_files(max(arguments.rounds, 1))
    if not arguments.skip_memory:
        bench_memory()
    return 0


if __name__ == "__main__":
    sys.exit(main())
