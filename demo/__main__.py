"""Command line of the demo archives.

    python -m demo serve [--host 127.0.0.1] [--port 5100] [--page-size 100]
    python -m demo stats
"""

from __future__ import annotations

import argparse
import sys

from werkzeug.serving import run_simple

from demo.catalogue import build_archives
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
    arguments = parser.parse_args(argv)

    archives = build_archives()
    if arguments.command == "stats":
        print(format_stats(archives))
        return 0
    app = create_provider_app(archives, page_size=arguments.page_size)
    for slug in archives:
        print(f"{slug}: {oai_base_url(f'http://{arguments.host}:{arguments.port}/', slug)}", flush=True)
    run_simple(arguments.host, arguments.port, app, threaded=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
