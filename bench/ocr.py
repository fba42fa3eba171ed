"""OCR of scans: how much of the text Tika and Tesseract get right, and how fast, on this machine.

Each document of the demo archives that is a scan (demo/catalogue.py; more with --documents) is rendered at
every noise level of demo/scans.py, as an image-only PDF and as a TIFF, and read through the harvester's own
client (indexer/text_extraction.py: /rmeta/xml, hOCR, the project's Tika configuration) by --threads files at
once, as the harvest reads a page's files. Printed, by noise level and format: the character error rate
against the true text, Tesseract's mean confidence, seconds a file; then pages per minute overall.

Character error rate (CER) = Levenshtein distance (insertions, deletions, substitutions of characters) between
the OCR text and the true text, divided by the true text's length, after both are NFC-normalised and every run
of whitespace (line breaks included) is made one space and the ends stripped. Nothing else is forgiven: case,
punctuation and diacritics count. Goal: ≤ 5 % on the demo scans.

    python -m bench.ocr [--documents 9] [--threads 2] [--noise clean,light,heavy]

TIKA_SERVER_ENDPOINT names the Tika (default http://127.0.0.1:9998), started by scripts/tika.sh with
deploy/tika/tika-config.xml. Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import unicodedata
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from demo.catalogue import build_archives
from demo.files import scanned_files
from demo.scans import NOISE_LEVELS, render_pages, scan_pdf, scan_tiff
from indexer.text_extraction import TikaExtractor

TIKA_URL = os.environ.get("TIKA_SERVER_ENDPOINT", "http://127.0.0.1:9998")
FORMATS = {"pdf": scan_pdf, "tif": scan_tiff}


@dataclass
class Reading:
    noise: str
    format: str
    pages: int
    seconds: float
    cer: float
    confidence: float | None
    error: str | None


def normalised(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def character_error_rate(read: str, truth: str) -> float:
    truth = normalised(truth)
    return Levenshtein.distance(normalised(read), truth) / max(len(truth), 1)


def documents(count: int) -> list[tuple[str, str, str]]:
    """(name, true text, stamp) of the demo's scans, then of its other documents until there are `count`."""
    archives = build_archives()
    chosen = [(demo_file.name, demo_file.content_text, record.creator) for record, demo_file in scanned_files(archives)]
    others = ((demo_file.name, demo_file.content_text, record.creator) for archive in archives.values()
              for record in archive.records for demo_file in record.files[:1] if not demo_file.scan)
    while len(chosen) < count:
        chosen.append(next(others))
    return chosen[:count]


def read_one(extractor: TikaExtractor, name: str, truth: str, stamp: str, noise: str, extension: str) -> Reading:
    seed = zlib.crc32(f"{name}:{noise}".encode())
    scan = FORMATS[extension](truth, noise, seed, stamp)
    pages = len(render_pages(truth, noise, seed))
    started = time.perf_counter()
    result = extractor.extract(scan, f"{name}.{extension}")
    seconds = time.perf_counter() - started
    return Reading(noise, extension, pages, seconds, character_error_rate(result.text, truth),
                   result.ocr_confidence, result.error)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ocr", description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=9, help="documents to scan (the demo has 9 scans)")
    parser.add_argument("--threads", type=int, default=2, help="files read at once (the harvester's default)")
    parser.add_argument("--noise", default=",".join(NOISE_LEVELS), help="noise levels, comma-separated")
    arguments = parser.parse_args(argv)
    extractor = TikaExtractor(TIKA_URL)
    if not extractor.is_available():
        print(f"Tika is not reachable at {TIKA_URL} (scripts/tika.sh start)", file=sys.stderr)
        return 1
    noises = [noise.strip() for noise in arguments.noise.split(",") if noise.strip()]
    jobs = [(name, truth, stamp, noise, extension) for name, truth, stamp in documents(arguments.documents)
            for noise in noises for extension in FORMATS]
    print(f"OCR through {TIKA_URL}: {len(jobs)} scans ({arguments.documents} documents × {len(noises)} noise "
          f"levels × PDF and TIFF), {arguments.threads} at once", flush=True)
    extractor.extract(scan_tiff("Khởi động", "clean", 0), "warm-up.tif")  # Tika's JVM warms up, not counted
    started = time.perf_counter()
    with ThreadPoolExecutor(arguments.threads) as pool:
        readings = list(pool.map(lambda job: read_one(extractor, *job), jobs))
    wall = time.perf_counter() - started

    print(f"\n{'noise':<6} {'format':<6} {'files':>5} {'CER mean':>9} {'median':>7} {'worst':>7} "
          f"{'confidence':>10} {'s/file':>7} {'failed':>6}")
    for noise in noises:
        for extension in (*FORMATS, "both"):
            group = [r for r in readings if r.noise == noise and extension in (r.format, "both")]
            _row(noise, extension, group)
    _row("all", "both", readings)
    pages = sum(r.pages for r in readings)
    print(f"\n{pages} pages in {wall:.1f} s: {60 * pages / wall:.1f} pages a minute "
          f"({arguments.threads} at once; {os.cpu_count()} cores)")
    return 0


def _row(noise: str, extension: str, group: list[Reading]) -> None:
    if not group:
        return
    rates = [r.cer for r in group]
    confidences = [r.confidence for r in group if r.confidence is not None]
    confidence = f"{statistics.mean(confidences):.1f}" if confidences else "-"
    print(f"{noise:<6} {extension:<6} {len(group):>5} {statistics.mean(rates):>9.2%} {statistics.median(rates):>7.2%} "
          f"{max(rates):>7.2%} {confidence:>10} {statistics.mean(r.seconds for r in group):>7.1f} "
          f"{sum(1 for r in group if r.error):>6}")


if __name__ == "__main__":
    sys.exit(main())
