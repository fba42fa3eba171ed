"""`python -m demo stats` and `python -m demo serve`, called in-process."""

from __future__ import annotations

import demo.__main__ as demo_cli
from demo.catalogue import build_archives
from demo.stats import archive_counts


def test_stats_prints_the_counts_of_every_archive(capsys):
    assert demo_cli.main(["stats"]) == 0
    printed = capsys.readouterr().out
    for archive in build_archives().values():
        counts = archive_counts(archive)
        block = printed.split(f"{archive.slug} (", 1)[1]
        assert f"records {counts['records']} (deleted {counts['deleted']})" in block
        assert f"item {counts['level.item']}" in block
        assert f"pdf {counts['files.pdf']}, docx {counts['files.docx']}" in block
    assert "total" in printed


def test_serve_runs_a_threaded_server_on_the_given_port(monkeypatch, capsys):
    served = {}

    def fake_run_simple(host, port, app, threaded):
        served.update(host=host, port=port, threaded=threaded, app=app)

    monkeypatch.setattr(demo_cli, "run_simple", fake_run_simple)
    assert demo_cli.main(["serve", "--port", "5123"]) == 0
    assert (served["host"], served["port"], served["threaded"]) == ("127.0.0.1", 5123, True)
    assert served["app"].test_client().get("/hue/oai?verb=Identify").status_code == 200
    assert "http://127.0.0.1:5123/hue/oai" in capsys.readouterr().out
