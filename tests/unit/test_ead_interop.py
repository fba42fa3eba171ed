"""Finding aids other systems wrote (issue 15), read by our EAD mapping as they are: ArchivesSpace's example EAD and
the oai_ead answer of its OAI-PMH provider (tests/fixtures/archivesspace-ead), AtoM's test finding aids
(tests/fixtures/atom-ead). Every unit kept, titles with their words apart, English dates read, the tree kept, no
placeholder or localhost address taken for the catalogue's."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from indexer.mapping.ead import EAD_NS, map_ead
from indexer.sources.oai_pmh import _SAFE_PARSER

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

# file → (units, units dated): every <archdesc> and <c0n> is a unit
FIGURES = {
    "archivesspace-ead/voorhis.xml": (531, 520),  # 8 series without a date; 3 files dated ", undated"
    "archivesspace-ead/wnyu.xml": (44, 33),  # 3 series without a date, 6 "undated", one "Oct. 11, 1964 -May"
    "archivesspace-ead/afcu.xml": (6, 4),
    "archivesspace-ead/getrecord_oai_ead.xml": (2, 2),
    "atom-ead/import.xml": (1, 1),
    "atom-ead/acl_import_1.xml": (1, 1),
    "atom-ead/ead.xml": (1, 0),
}


def finding_aid(relative: str) -> etree._Element:
    """The <ead> of a fixture (an OAI-PMH answer holds it inside <metadata>); DOCTYPEs are not followed."""
    root = etree.parse(str(FIXTURES / relative), _SAFE_PARSER).getroot()
    return root if etree.QName(root).localname == "ead" else root.find(f".//{{{EAD_NS}}}ead")


def mapped(relative: str) -> dict[str, dict]:
    records = map_ead(finding_aid(relative), source_id="aspace", local_id="FA", holding_province="68")
    return {record.document["local_id"]: record.document for record in records}


@pytest.mark.parametrize("relative", FIGURES)
def test_every_unit_is_kept_and_dated_where_the_finding_aid_dates_it(relative):
    documents = mapped(relative)
    root = finding_aid(relative)
    components = [e for e in root.iter() if isinstance(e.tag, str) and re.fullmatch(r"c(0[1-9]|1[0-2])?",
                                                                                     etree.QName(e).localname)]
    assert len(documents) == len(components) + 1 == FIGURES[relative][0]
    assert sum(1 for d in documents.values() if d["date_start"]) == FIGURES[relative][1]
    # No title with words run together ("Records1925-1965") and no date that ends before it starts.
    assert not [d["title"] for d in documents.values() if re.search(r"[A-Za-z]\d{4}", d["title"])]
    assert all(d["date_start"] <= d["date_end"] for d in documents.values() if d["date_start"])


def test_voorhis_keeps_its_words_dates_and_tree():
    documents = mapped("archivesspace-ead/voorhis.xml")
    collection = documents["FA"]
    assert collection["title"] == "Records 1925-1965"  # <unittitle>Records<unitdate>1925-1965</unitdate>
    assert (collection["date_start"], collection["date_end"]) == ("1925-01-01", "1965-12-31")
    assert collection["source_url"] is None  # its eadid has no url
    by_title = {d["title"]: d for d in documents.values()}
    # "1929-" (normal="1929"): an open range kept as its first year; "ca.1945" read through its normal 1935/1955.
    assert (by_title["Bernard, L- L.,"]["date_start"], by_title["Bernard, L- L.,"]["date_end"]) == (
        "1929-01-01", "1929-12-31")
    assert (by_title["Abilities Survey,"]["date_start"], by_title["Abilities Survey,"]["date_end"]) == (
        "1935-01-01", "1955-12-31")
    series = [d for d in documents.values() if d["level"] == "series"]
    assert [d["title"] for d in series][:2] == ["Series I: Administrative Correspondence and Subject Files Container "
                                                "List", "Series II: Questionnaires"]
    survey = by_title["Abilities Survey,"]
    assert survey["level"] == "file" and survey["parent_id"] == series[0]["id"]
    assert survey["path"] == ["aspace:FA", series[0]["id"]]


def test_wnyus_english_ranges_with_a_dash_spaced_on_one_side_are_read():
    documents = mapped("archivesspace-ead/wnyu.xml")
    dates = {(d["date_start"], d["date_end"]) for d in documents.values()}
    assert ("1949-11-29", "1950-04-08") in dates  # "Nov. 29, 1949 -April 8, 1950"
    assert ("1955-02-17", "1957-12-27") in dates  # "Feb.\n17, 1955 -Dec. 27, 1957", broken over two lines
    assert ("1957-12-09", "1968-09-23") in dates  # "Dec. 9, 1957 -Sept. 23, 1968"
    assert documents["FA"]["title"] == "WNYU (Radio Station: New York, N.Y.) Records"


def test_afcus_list_of_years_spans_them():
    amendments = mapped("archivesspace-ead/afcu.xml")["FA/beffff18/beffff20"]
    assert amendments["title"] == "Proposed Amendments to the Constitution and By-Laws"
    assert (amendments["date_start"], amendments["date_end"]) == ("1882-01-01", "1884-12-31")  # "1882, 1884"
    assert amendments["level"] == "file"  # level="otherlevel" naming none: one below its series


def test_archivesspaces_oai_ead_answer_has_no_catalogue_address():
    """ArchivesSpace's OAI provider writes eadid url="EAD Location" (and xlink in an https namespace)."""
    documents = mapped("archivesspace-ead/getrecord_oai_ead.xml")
    assert [d["title"] for d in documents.values()] == ["Test resource 0", "Archival_Object 1"]
    assert all(d["source_url"] is None for d in documents.values())
    assert documents["FA"]["reference_code"] == "Resource OAI test 0.OAI.1"
    assert (documents["FA"]["date_start"], documents["FA"]["date_end"]) == ("2012-06-01", "2016-06-01")


@pytest.mark.parametrize("relative, title, reference_code", [
    ("atom-ead/import.xml", "fonds for import", None),
    ("atom-ead/acl_import_1.xml", "Simpson fonds", "BM AEU 022"),
    ("atom-ead/ead.xml", "Ancient history", None),
])
def test_atoms_finding_aids_are_read_without_their_producers_localhost(relative, title, reference_code):
    """AtoM (then Qubit 1.0.8) wrote eadid url="http://localhost/~evelyn/qubit/…": the producer's own machine, no
    address for a reader; its DOCTYPE names a DTD on the network, which is not fetched."""
    fonds, = mapped(relative).values()
    assert (fonds["title"], fonds["reference_code"], fonds["level"]) == (title, reference_code, "fonds")
    assert fonds["source_url"] is None
    if relative != "atom-ead/ead.xml":
        assert (fonds["date_start"], fonds["date_end"]) == ("1922-01-01", "1964-12-31")
        assert fonds["admin_history"] == "History field"
