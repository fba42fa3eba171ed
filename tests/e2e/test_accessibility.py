"""No serious or critical accessibility violations, as axe-core (from npm) finds them in Chromium.

Each page is loaded in the browser, axe-core is evaluated in it from node_modules (installed by
scripts/install.sh from package-lock.json) and run with the WCAG 2.0, 2.1 and 2.2 A and AA rules
and axe's best practices. Serious and critical violations fail the test; moderate and minor ones
are printed (`pytest -rP`) and written to test-results/axe/ for a person to read.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from portal.opensearch import build_client
from schema.index import alias_name

PROJECT_DIR = Path(__file__).resolve().parents[2]
AXE_SCRIPT = PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
REPORTS = PROJECT_DIR / "test-results" / "axe"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_TAGS = [*WCAG_TAGS, "best-practice"]
BLOCKING_IMPACTS = {"serious", "critical"}
# Targets WCAG 2.5.8 excepts as "Equivalent" (a conforming control on the same page does the same): the points
# of the archives map, closer than 24 px where provinces are small, each the same link as one of the list beside
# it. Only the target-size finding is set aside for them.
EQUIVALENT_TARGETS = ("archive-marker-link",)


def find_record_id(app, *filters: dict, level: str = "item") -> str:
    """The id of one record of the harvested demo archives, at `level`, that matches `filters`."""
    client = build_client(app.config["OPENSEARCH_URL"])
    answer = client.search(index=alias_name(app.config["OPENSEARCH_INDEX_PREFIX"]), body={
        "size": 1, "_source": ["id"], "sort": [{"id": "asc"}],
        "query": {"bool": {"filter": [{"term": {"level": level}}, *filters]}},
    })
    hits = answer["hits"]["hits"]
    assert hits, f"the demo archives have no {level} matching {filters}"
    return hits[0]["_source"]["id"]


@pytest.fixture(scope="module")
def record_ids(harvested_app) -> dict[str, str]:
    return {
        "public_with_text": find_record_id(harvested_app, {"term": {"access": "public"}},
                                            {"term": {"files.text_extracted": True}},
                                            {"exists": {"field": "content"}}),
        "restricted": find_record_id(harvested_app, {"term": {"access": "restricted"}},
                                      {"exists": {"field": "files"}}),
        "file_with_items": find_record_id(harvested_app, {"term": {"access": "public"}}, level="file"),
    }


def run_axe(page) -> list[dict]:
    assert AXE_SCRIPT.is_file(), f"{AXE_SCRIPT} is missing: run scripts/install.sh (npm ci)"
    # Evaluated by the test tool, not added as an inline <script>: the portal's policy forbids inline
    # scripts, and a test must not be the one to break it.
    page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS)
    return result["violations"]


def without_equivalent_targets(violations: list[dict]) -> list[dict]:
    """The violations less target-size on EQUIVALENT_TARGETS (a finding left with no element goes)."""
    kept = []
    for violation in violations:
        if violation["id"] == "target-size":
            violation = {**violation, "nodes": [node for node in violation["nodes"] if not any(
                name in target for target in node["target"] for name in EQUIVALENT_TARGETS)]}
            if not violation["nodes"]:
                continue
        kept.append(violation)
    return kept


def describe(violation: dict) -> str:
    targets = [" ".join(node["target"]) for node in violation["nodes"][:5]]
    more = len(violation["nodes"]) - len(targets)
    return (f"[{violation['impact']}] {violation['id']}: {violation['help']} "
            f"({len(violation['nodes'])} element(s): {', '.join(targets)}{f', +{more}' if more > 0 else ''})"
            f"\n    {violation['helpUrl']}")


def check_page(page, url: str, name: str) -> None:
    response = page.goto(url)
    assert response is not None
    page.wait_for_load_state("load")
    violations = without_equivalent_targets(run_axe(page))
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"{name}.json").write_text(json.dumps(
        [{key: violation[key] for key in ("id", "impact", "help", "helpUrl", "tags", "nodes")}
         for violation in violations], ensure_ascii=False, indent=1), encoding="utf-8")
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    others = [v for v in violations if v["impact"] not in BLOCKING_IMPACTS]
    print(f"\naxe-core on {name} ({url}): {len(blocking)} serious/critical, {len(others)} moderate/minor")
    for violation in others:
        print("  " + describe(violation))
    assert not blocking, f"serious or critical accessibility violations on {name}:\n" + \
        "\n".join(describe(violation) for violation in blocking)


@pytest.mark.parametrize(("name", "path"), [
    ("home", "/"),
    ("home-en", "/?lang=en"),
    ("results", "/search?q=vinh+long"),
    ("results-en", "/search?q=vinh+long&lang=en"),
    ("results-with-facets", "/search?q=vinh+long&province=86&level=item&access=public"),
    ("results-none", "/search?q=zzzkhongcogi"),
    ("results-none-filtered", "/search?q=Quy%E1%BA%BFt+zzzkhongcogi&province=86"),
    ("results-did-you-mean", "/search?q=quyet+dinhh"),
    ("results-period", "/search?q=quyet+dinh&from=1990&to=1999&level=item"),
    ("not-found", "/khong-co-trang-nay"),
    ("browse", "/browse"),
    ("browse-province", "/browse/86"),
    ("search-error", "/search?size=100000"),
    ("search-unpaired-quote", "/search?q=%22unbalanced"),
    ("sign-in", "/login"),
    ("register", "/register"),
    ("register-en", "/register?lang=en"),
    ("forgot-password", "/password/forgot"),
])
def test_page_has_no_serious_accessibility_violations(page, portal_server, name, path):
    check_page(page, portal_server.url + path, name)


@pytest.mark.parametrize("kind", ["public_with_text", "restricted", "file_with_items"])
def test_record_page_has_no_serious_accessibility_violations(page, portal_server, record_ids, kind):
    record_id = record_ids[kind]
    check_page(page, f"{portal_server.url}/records/{record_id}", f"record-{kind.replace('_', '-')}")
    if kind == "public_with_text":
        assert page.locator("section.files li").count() >= 1
        assert page.locator("section.fulltext .content").inner_text().strip()
    elif kind == "restricted":
        assert page.locator("article.record .badge.access-restricted").is_visible()
        assert page.locator("section.fulltext").count() == 0
    else:
        assert page.locator("section.children li").count() >= 1


def test_record_not_found_page_has_no_serious_accessibility_violations(page, portal_server):
    check_page(page, portal_server.url + "/records/vinhlong:KHONG/CO/HS999", "record-not-found")
    assert page.locator("h1").inner_text() == "Không tìm thấy"


SCANNED_RECORD = "vinhlong:VL.SNV/ML02/HS006/VB02"  # its document is a scan (a TIFF): its text is OCR's


def test_a_scans_record_page_says_its_text_is_machine_read_and_passes_axe(page, portal_server):
    check_page(page, f"{portal_server.url}/records/{SCANNED_RECORD}", "record-scan")
    notice = page.locator("section.fulltext [data-machine-read]")
    assert notice.is_visible() and "OCR" in notice.inner_text()
    assert "OCR" in page.locator("section.files [data-machine-read]").inner_text()
    assert page.locator("section.fulltext .content").inner_text().strip()
