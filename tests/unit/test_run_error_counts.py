"""A run's report counts every error of a kind, and keeps only the first examples (issue 15: "package: 100"
was shown for 352 rejected packages)."""
from __future__ import annotations

from schema.tables import MAX_ERRORS_KEPT_PER_KIND, HarvestRun


def test_the_count_goes_on_past_the_examples_kept():
    run = HarvestRun.begin("inbox", "incremental", "host:1:token")
    for number in range(352):
        run.note("package", f"SIP-{number}", "the package has no METS.xml")
    run.note("xml", "oai:x:1", "not well-formed")
    kinds = {kind: (count, entries) for kind, count, entries in run.error_kinds()}
    assert kinds["package"][0] == 352 and len(kinds["package"][1]) == MAX_ERRORS_KEPT_PER_KIND
    assert kinds["package"][1][0]["record"] == "SIP-0"
    assert kinds["xml"][0] == 1
    assert [kind for kind, _, _ in run.error_kinds()] == ["package", "xml"]  # the counts are not a kind


def test_a_report_written_before_the_counts_reads_as_before():
    run = HarvestRun.begin("vinhlong", "full", "host:1:token")
    run.errors = {"xml": [{"record": "vinhlong:HS003", "message": "not well-formed"}]}
    assert run.error_kinds() == [("xml", 1, [{"record": "vinhlong:HS003", "message": "not well-formed"}])]
    run.note("xml", "vinhlong:HS004", "not well-formed")  # a resumed old run goes on counting from its examples
    assert run.error_kinds()[0][1] == 2
