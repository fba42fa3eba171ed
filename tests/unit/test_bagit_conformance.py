"""Bags of the Library of Congress BagIt conformance suite (tests/fixtures/bagit-conformance, ORIGIN.md), read as
an inbox package is: the valid ones are taken in, the invalid ones refused with the reason (issue 15)."""
from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from indexer.sources.package import PackageRejected, read_package

SUITE = Path(__file__).resolve().parents[1] / "fixtures" / "bagit-conformance"


def _read(bag: str, tmp_path: Path):
    # A copy: the reader may be handed the package's own folder, and the suite stays as it came.
    copy = tmp_path / Path(bag).name
    shutil.copytree(SUITE / bag, copy)
    return read_package(copy, copy.name, source_id="loc", holding_province="86")


@pytest.mark.parametrize("bag, payload", [
    ("v1.0/valid/basicBag", {"data/hello.txt"}),
    ("v0.97/valid/bag-with-space", {"data/test 1.txt", "data/test2.txt", "data/dir1/test3.txt",
                                    "data/dir2/test4.txt", "data/dir2/dir3/test5.txt"}),
    ("v0.97/valid/ISO-8859-1-encoded-tag-files", {"data/bare-filename", "data/text-file.txt"}),
])
def test_valid_bags_are_taken_in_with_their_payload(bag, payload, tmp_path):
    package = _read(bag, tmp_path)
    assert set(package.files) == payload
    assert all(entry.sha256 is None or len(entry.sha256) == 64 for entry in package.files.values())
    assert package.records and package.records[0].document["title"]


@pytest.mark.parametrize("bag, file, reason", [
    ("v1.0/invalid/bagit-with-invalid-whitespace", "bagit.txt", "no space before the colon"),
    ("v0.97/invalid/bom-in-bagit.txt", "bagit.txt", "byte-order mark"),
    ("v0.97/invalid/invalid-version-number", "bagit.txt", "BagIt-Version: .97"),
    ("v0.97/invalid/corrupt-data-file", "data/bare-filename", "checksum mismatch"),
])
def test_invalid_bags_are_refused_with_the_reason(bag, file, reason, tmp_path):
    with pytest.raises(PackageRejected) as refused:
        _read(bag, tmp_path)
    problems = [(problem.file, problem.problem) for problem in refused.value.problems]
    assert any(name == file and reason in text for name, text in problems), problems


def test_bagits_own_warnings_name_the_package(tmp_path, caplog):
    """In the log of a whole inbox, "data/bare-filename md5 validation failed" must say which bag (issue 15)."""
    caplog.set_level(logging.WARNING, logger="bagit")
    with pytest.raises(PackageRejected):
        _read("v0.97/invalid/corrupt-data-file", tmp_path)
    warnings = [record.getMessage() for record in caplog.records if record.name == "bagit"]
    assert warnings and all(message.startswith("corrupt-data-file: ") for message in warnings), warnings
    assert any("data/bare-filename" in message for message in warnings)


def test_a_name_in_another_unicode_normalisation_keeps_its_checksum_and_is_noted(tmp_path):
    """The manifest says "Núñez" composed (NFC), the disk holds it decomposed (NFD, as macOS writes). bagit
    matches the two; the file was then taken in without its checksum. It keeps it now, and the report says why
    (issue 15)."""
    import hashlib
    import unicodedata

    import bagit

    folder = tmp_path / "bag-nfd"
    folder.mkdir()
    composed, decomposed = (unicodedata.normalize(form, "Núñez.txt") for form in ("NFC", "NFD"))
    (folder / composed).write_text("hồ sơ\n", encoding="utf-8")
    bagit.make_bag(str(folder), {"External-Identifier": "NFD.1"}, processes=1, checksums=["sha256"])
    (folder / "data" / composed).rename(folder / "data" / decomposed)
    package = read_package(folder, folder.name, source_id="loc", holding_province="86")
    assert package.files[f"data/{decomposed}"].sha256 == hashlib.sha256("hồ sơ\n".encode()).hexdigest()
    assert [(note.file, note.problem) for note in package.notes] == [
        (f"data/{decomposed}", "named in the manifest as NFC and written on disk as NFD: the same name in two "
                               "Unicode normalisations, taken as one file")]
