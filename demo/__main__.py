"""Command line of the demo archives.

    python -m demo serve [--host 127.0.0.1] [--port 5100] [--page-size 100]
    python -m demo stats
    python -m demo packages --out DIR [--ca-out FILE]
    python -m demo scans --out DIR
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from werkzeug.serving import run_simple

from demo.catalogue import build_archives
from demo.files import write_scans
from demo.links import oai_base_url
from demo.oai_provider import create_provider_app
from demo.stats import format_stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo", description="The demo provincial archives.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the archives over OAI-PMH")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5100)
    serve.add_argument("--page-size", type=int, default=100, help="records per ListRecords page")
    commands.add_parser("stats", help="print counts per archive, level, access and file type")
    packages = commands.add_parser("packages", help="write an inbox of TT 05/2025 packages and a BagIt bag")
    packages.add_argument("--out", required=True, type=Path, help="the inbox directory")
    packages.add_argument("--ca-out", type=Path, help="where to write the signing CA's certificate (PEM)")
    scans = commands.add_parser("scans", help="write the archives' scans, each with its true text beside it")
    scans.add_argument("--out", required=True, type=Path, help="the directory")
    arguments = parser.parse_args(argv)

    if arguments.command == "packages":
        from demo.packages import DemoSigning, write_ca_certificate, write_inbox

        signing = DemoSigning()
        for path in write_inbox(arguments.out, signing):
            print(path, flush=True)
        if arguments.ca_out:
            print(f"signing CA: {write_ca_certificate(arguments.ca_out, signing)}", flush=True)
        return 0

    archives = build_archives()
    if arguments.command == "scans":
        for path in write_scans(archives, arguments.out):
            print(path, flush=True)
        return 0
    if arguments.command == "stats":
        print(format_stats(archives))
        return 0
    from demo.ead_archive import SLUG as EAD_SLUG, build_ead_archive

    # The EAD archive is served beside the three, never counted with them (stats, the tests' totals).
    app = create_provider_app({**archives, EAD_SLUG: build_ead_archive()}, page_size=arguments.page_size)
    for slug in app.extensions["demo_archives"].archives:
        print(f"{slug}: {oai_base_url(f'http://{arguments.host}:{arguments.port}/', slug)}", flush=True)
    run_simple(arguments.host, arguments.port, app, threaded=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
