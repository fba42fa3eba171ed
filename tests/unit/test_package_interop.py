"""Packages as other producers make them (issue 15): E-ARK's reference library commons-ip (its own
Simple-EARK-SIP.zip, tests/fixtures/commons-ip), and the habits of packages of the E-ARK IP test corpus:
backslash hrefs written on Windows, a .gitkeep in data/, simple Dublin Core beside EAD."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from demo.packages import DemoSigning, write_inbox
from indexer.sources.package import PackageLimits, PackageRejected, extract_zip, read_package

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GOOD = "SIP_hoso-SNV.2024.01"


def _read(root: Path, name: str | None = None):
    return read_package(root, name or root.name, source_id="nop", holding_province="86")


def test_commons_ips_simple_sip_is_taken_in(tmp_path):
    root = extract_zip(FIXTURES / "commons-ip" / "Simple-EARK-SIP.zip", tmp_path, PackageLimits())
    package = _read(root, "Simple-EARK-SIP.zip")
    assert [record.document["title"] for record in package.records] == ["First SIP example"]
    assert package.records[0].document["date_start"] == "2021-05-20"
    # "representation+1" in the href is the folder "representation 1", its checksum checked.
    assert "representations/representation 1/data/documentation.pdf" in package.files
    assert len(package.files["representations/representation 1/data/documentation.pdf"].sha256) == 64
    notes = {note.file: note.problem for note in package.notes}
    assert "form-encoded" in notes["representations/representation 1/METS.xml"]
    assert "text/plain description (MDTYPE OTHER): kept as a file, not read" == notes[
        "metadata/other/metadata_other.txt"]


@pytest.fixture()
def good_sip(tmp_path_factory, tmp_path) -> Path:
    inbox = tmp_path_factory.mktemp("interop-inbox")
    write_inbox(inbox, DemoSigning())
    copy = tmp_path / GOOD
    shutil.copytree(inbox / GOOD, copy)
    return copy


def test_a_backslash_href_written_on_windows_is_read_as_a_path(good_sip):
    """Reported as "path leaves the package" before (issue 15); its checksum is checked all the same."""
    mets = good_sip / "METS.xml"
    text = mets.read_text(encoding="utf-8")
    written = 'xlink:href="representations/rep1/data/KH-12-2024.pdf"'
    assert written in text
    mets.write_text(text.replace(written, written.replace("/", "\\")), encoding="utf-8")
    package = _read(good_sip)
    assert len(package.files["representations/rep1/data/KH-12-2024.pdf"].sha256) == 64
    assert any("written with backslashes" in note.problem for note in package.notes)
    (good_sip / "representations" / "rep1" / "data" / "KH-12-2024.pdf").write_bytes(b"%PDF-1.4 changed")
    with pytest.raises(PackageRejected, match="checksum mismatch"):
        _read(good_sip)


def test_a_gitkeep_in_data_is_left_aside_not_a_rejection(good_sip):
    (good_sip / "representations" / "rep1" / "data" / ".gitkeep").write_bytes(b"")
    package = _read(good_sip)
    assert "representations/rep1/data/.gitkeep" not in package.files
    assert any(note.file.endswith("data/.gitkeep") and "placeholder" in note.problem for note in package.notes)
    # Any other unlisted file still rejects the package: it has no checksum to be checked against.
    (good_sip / "representations" / "rep1" / "data" / "khac.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(PackageRejected, match="not listed in METS.xml"):
        _read(good_sip)


def test_simple_dublin_core_beside_a_richer_description_is_set_aside(good_sip):
    (good_sip / "metadata" / "descriptive" / "dc.xml").write_text(
        "<simpledc><title>Hồ sơ (Dublin Core)</title></simpledc>", encoding="utf-8")
    _add_dmd_ref(good_sip, "metadata/descriptive/dc.xml", "DC")
    package = _read(good_sip)
    assert "Hồ sơ (Dublin Core)" not in [record.document["title"] for record in package.records]
    assert [record.document["level"] for record in package.records][:3] == ["fonds", "series", "file"]
    assert any(note.file == "metadata/descriptive/dc.xml" and "beside a richer one" in note.problem
               for note in package.notes)


def test_a_description_in_a_format_nobody_maps_is_set_aside(good_sip):
    (good_sip / "metadata" / "descriptive" / "mods.xml").write_text("<mods><titleInfo/></mods>", encoding="utf-8")
    _add_dmd_ref(good_sip, "metadata/descriptive/mods.xml", "MODS")
    assert any("<mods> description" in note.problem for note in _read(good_sip).notes)


def _add_dmd_ref(root: Path, relative: str, mdtype: str) -> None:
    mets = root / "METS.xml"
    text = mets.read_text(encoding="utf-8")
    digest = hashlib.sha256((root / relative).read_bytes()).hexdigest()
    prefix = "mets:" if "<mets:dmdSec" in text else ""
    ref = (f'<{prefix}dmdSec ID="dmd-extra"><{prefix}mdRef LOCTYPE="URL" MDTYPE="{mdtype}" MIMETYPE="text/xml" '
           f'xlink:type="simple" xlink:href="{relative}" CHECKSUM="{digest}" CHECKSUMTYPE="SHA-256"/>'
           f'</{prefix}dmdSec>')
    marker = f"<{prefix}dmdSec"
    assert marker in text
    mets.write_text(text.replace(marker, ref + marker, 1), encoding="utf-8")


def test_a_text_file_whose_line_endings_changed_is_named_as_such(good_sip):
    """The E-ARK IP test corpus's files were committed with LF after their checksums were taken on CRLF: still a
    mismatch, but the report says what happened."""
    text = "Dòng một\r\nDòng hai\r\n".encode("utf-8")
    target = good_sip / "metadata" / "descriptive" / "ghi-chu.txt"
    target.write_bytes(text)
    _add_file(good_sip, "metadata/descriptive/ghi-chu.txt", hashlib.sha256(text).hexdigest())
    target.write_bytes(text.replace(b"\r\n", b"\n"))
    with pytest.raises(PackageRejected) as refused:
        _read(good_sip)
    problem, = [p.problem for p in refused.value.problems if p.file == "metadata/descriptive/ghi-chu.txt"]
    assert "checksum mismatch" in problem and "with CRLF line endings" in problem


def test_a_file_listed_in_another_case_is_named_as_such(good_sip):
    (good_sip / "metadata" / "descriptive" / "schema.xsd").write_bytes(b"<xs:schema/>")
    _add_file(good_sip, "metadata/descriptive/SCHEMA.xsd", hashlib.sha256(b"<xs:schema/>").hexdigest())
    with pytest.raises(PackageRejected) as refused:
        _read(good_sip)
    problem, = [p.problem for p in refused.value.problems if p.file == "metadata/descriptive/SCHEMA.xsd"]
    assert problem.startswith("listed in METS.xml but missing") and "'schema.xsd'" in problem


def _add_file(root: Path, relative: str, digest: str) -> None:
    mets = root / "METS.xml"
    text = mets.read_text(encoding="utf-8")
    entry = (f'<mets:fileGrp USE="Documentation"><mets:file ID="extra" MIMETYPE="text/plain" CHECKSUM="{digest}" '
             f'CHECKSUMTYPE="SHA-256"><mets:FLocat LOCTYPE="URL" xlink:type="simple" xlink:href="{relative}"/>'
             f'</mets:file></mets:fileGrp>')
    assert "<mets:fileSec>" in text
    mets.write_text(text.replace("<mets:fileSec>", "<mets:fileSec>" + entry, 1), encoding="utf-8")


def test_a_backslash_path_naming_no_file_is_missing_not_leaving_the_package(good_sip):
    """The E-ARK corpus's CSIP17 lists "documentation\\Northwind ER diagram.png" and does not hold it: it was
    reported as a path leaving the package."""
    _add_file(good_sip, "documentation\\so-do.png", "0" * 64)
    problems = {p.file: p.problem for p in _refusal(good_sip)}
    assert problems["documentation/so-do.png"] == ("listed in METS.xml (written 'documentation\\\\so-do.png') "
                                                   "but missing")


def test_a_path_that_climbs_and_stays_inside_is_read_where_it_lands(good_sip):
    """A representation's METS names the package's schemas as "../../schemas/mets.xsd" (the E-ARK corpus);
    one that climbs out of the package is still refused."""
    (good_sip / "schemas").mkdir(exist_ok=True)
    (good_sip / "schemas" / "mets.xsd").write_bytes(b"<xs:schema/>")
    _add_file(good_sip, "representations/rep1/../../schemas/mets.xsd", hashlib.sha256(b"<xs:schema/>").hexdigest())
    package = _read(good_sip)
    assert "schemas/mets.xsd" in package.files
    _add_file(good_sip, "representations/../../outside.txt", "0" * 64)
    assert {p.file: p.problem for p in _refusal(good_sip)}["representations/../../outside.txt"] == \
        "path leaves the package"


def _refusal(root: Path) -> list:
    with pytest.raises(PackageRejected) as refused:
        _read(root)
    return refused.value.problems
