"""Checking packages before anything of them is read: E-ARK CSIP (TT 05/2025 SIP), BagIt, and unsafe zips."""
from __future__ import annotations

import http.server
import os
import shutil
import socketserver
import stat
import threading
import zipfile
from pathlib import Path

import pytest

from demo.packages import BAG_NAME, DemoSigning, write_inbox
from indexer.sources.package import (
    PackageLimits,
    PackageRejected,
    extract_zip,
    is_candidate,
    read_package,
)

GOOD, OLDER, ALONE, DAMAGED = ("SIP_hoso-SNV.2024.01", "SIP_hoso-SNV.2019.07.zip", "SIP_tailieu-STC.2023.zip",
                               "SIP_hoso-SNV.2024.02-hong")


@pytest.fixture(scope="module")
def demo_inbox(tmp_path_factory) -> Path:
    inbox = tmp_path_factory.mktemp("inbox")
    write_inbox(inbox, DemoSigning())
    return inbox


@pytest.fixture()
def inbox(demo_inbox, tmp_path) -> Path:
    """A fresh copy each test may change."""
    copy = tmp_path / "inbox"
    shutil.copytree(demo_inbox, copy, symlinks=True)
    return copy


def _read(root: Path, name: str | None = None):
    return read_package(root, name or root.name, source_id="nop", holding_province="86")


def _open(inbox: Path, name: str, scratch: Path):
    entry = inbox / name
    root = extract_zip(entry, scratch, PackageLimits()) if entry.is_file() else entry
    return _read(root, name)


def test_a_good_sip_folder_is_read_with_its_checked_files_and_records(demo_inbox):
    package = _read(demo_inbox / GOOD)
    assert package.kind == "csip" and package.identifier == GOOD
    data = sorted(p for p in package.files if "/data/" in p)
    assert data == ["representations/rep1/data/BB-45-2024.pdf", "representations/rep1/data/DM-2024.docx",
                    "representations/rep1/data/KH-12-2024.pdf"]
    assert all(len(package.files[p].sha256) == 64 for p in data)
    assert [m.document["level"] for m in package.records] == ["fonds", "series", "file", "item", "item", "item"]
    assert package.file_for("representations/rep1/data/KH-12-2024.pdf").relative.endswith("KH-12-2024.pdf")


def test_zipped_sips_and_documents_alone_are_read(demo_inbox, tmp_path):
    older = _open(demo_inbox, OLDER, tmp_path / "a")
    assert older.records[1].document["access"] == "restricted"
    assert older.file_for("QD-88-2019.pdf") is not None  # named from the data folder, as TT 02 systems do
    alone = _open(demo_inbox, ALONE, tmp_path / "b")
    assert [m.document["level"] for m in alone.records] == ["item", "item"]


def test_a_changed_file_rejects_the_package_whole_naming_the_file(demo_inbox):
    with pytest.raises(PackageRejected) as rejected:
        _read(demo_inbox / DAMAGED)
    problems = rejected.value.problems
    assert [p.file for p in problems] == ["representations/rep1/data/DS-2024.pdf"]
    assert "checksum mismatch" in problems[0].problem


def test_a_missing_file_and_a_file_not_in_mets_are_named(inbox):
    (inbox / GOOD / "representations/rep1/data/BB-45-2024.pdf").unlink()
    (inbox / GOOD / "representations/rep1/data/extra.pdf").write_bytes(b"%PDF-1.4 smuggled")
    with pytest.raises(PackageRejected) as rejected:
        _read(inbox / GOOD)
    named = {p.file: p.problem for p in rejected.value.problems}
    assert "missing" in named["representations/rep1/data/BB-45-2024.pdf"]
    assert "not listed" in named["representations/rep1/data/extra.pdf"]


@pytest.mark.parametrize("href", ["http://127.0.0.1:9200/records/_search?q=*", "file:///etc/passwd",
                                  "//169.254.169.254/latest/meta-data/"])
def test_a_mets_reference_outside_the_package_is_refused_and_never_read(inbox, href):
    mets = inbox / GOOD / "METS.xml"
    mets.write_text(mets.read_text(encoding="utf-8").replace(
        '"representations/rep1/data/BB-45-2024.pdf"', f'"{href}"'), encoding="utf-8")
    with pytest.raises(PackageRejected) as rejected:
        _read(inbox / GOOD)
    problems = [p.problem for p in rejected.value.problems]
    assert f"{href} points outside the package; the portal reads nothing that is not in the package" in problems


def test_a_mets_reference_climbing_out_of_the_package_is_refused(inbox):
    mets = inbox / GOOD / "METS.xml"
    mets.write_text(mets.read_text(encoding="utf-8").replace(
        '"representations/rep1/data/BB-45-2024.pdf"', '"../../../etc/passwd"'), encoding="utf-8")
    with pytest.raises(PackageRejected) as rejected:
        _read(inbox / GOOD)
    named = {p.file: p.problem for p in rejected.value.problems}
    assert named["../../../etc/passwd"] == "path leaves the package"


def test_a_changed_descriptive_metadata_file_is_caught_by_its_mets_checksum(inbox):
    description = inbox / GOOD / "metadata/descriptive/hoso.xml"
    description.write_bytes(description.read_bytes().replace("Công khai".encode(), "Mật".encode(), 1))
    with pytest.raises(PackageRejected, match="metadata/descriptive/hoso.xml"):
        _read(inbox / GOOD)


def test_premis_fixity_that_disagrees_with_the_file_rejects(inbox):
    # METS and the file agree; PREMIS, rewritten with its own METS checksum updated, does not.
    import hashlib
    import re

    premis_path = inbox / GOOD / "metadata/preservation/premis.xml"
    premis = premis_path.read_text(encoding="utf-8")
    first_digest = re.search(r"<premis:messageDigest>(\w+)<", premis).group(1)
    premis_path.write_text(premis.replace(first_digest, "0" * 64), encoding="utf-8")
    mets_path = inbox / GOOD / "METS.xml"
    old = hashlib.sha256(premis.encode()).hexdigest()
    new = hashlib.sha256(premis_path.read_bytes()).hexdigest()
    mets_path.write_text(mets_path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    with pytest.raises(PackageRejected, match="checksum in metadata/preservation/premis.xml does not match"):
        _read(inbox / GOOD)


def test_a_good_bag_is_validated_and_described_from_bag_info(demo_inbox):
    package = _read(demo_inbox / BAG_NAME)
    assert package.kind == "bagit" and package.identifier == "VL.UBND.2024.ANH01"
    assert sorted(package.files) == ["data/chu-thich-anh.txt", "data/phat-bieu.pdf"]
    (record,) = package.records
    assert record.document["title"].startswith("Ảnh tư liệu lễ kỷ niệm")
    assert record.document["access"] == "public"


def test_a_bag_with_a_changed_payload_file_is_rejected_naming_it(inbox):
    with open(inbox / BAG_NAME / "data/chu-thich-anh.txt", "a", encoding="utf-8") as caption:
        caption.write("Ảnh 02: thêm sau khi đóng gói.\n")
    with pytest.raises(PackageRejected) as rejected:
        _read(inbox / BAG_NAME)
    assert [p.file for p in rejected.value.problems] == ["data/chu-thich-anh.txt"]
    assert "checksum mismatch" in rejected.value.problems[0].problem


def test_a_bag_with_an_unlisted_payload_file_is_rejected(inbox):
    (inbox / BAG_NAME / "data/them.txt").write_text("x")
    with pytest.raises(PackageRejected, match="data/them.txt"):
        _read(inbox / BAG_NAME)


def test_a_bag_that_would_fetch_a_file_is_refused_and_nothing_is_fetched(inbox):
    asked = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # would be our own service answering the harvester
            asked.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"inner secret")

        def log_message(self, *args):
            pass

    with socketserver.TCPServer(("127.0.0.1", 0), Handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/phat-bieu.pdf"
        bag = inbox / BAG_NAME
        size = (bag / "data/phat-bieu.pdf").stat().st_size
        (bag / "data/phat-bieu.pdf").unlink()
        (bag / "fetch.txt").write_text(f"{url} {size} data/phat-bieu.pdf\n", encoding="utf-8")
        try:
            with pytest.raises(PackageRejected) as rejected:
                _read(bag)
        finally:
            server.shutdown()
    assert [(p.file, p.problem) for p in rejected.value.problems] == [
        ("data/phat-bieu.pdf", f"not in the bag: fetch.txt would fetch it from {url}; the portal takes in only "
                               f"complete bags and fetches nothing")]
    assert asked == []


def test_a_folder_that_is_no_package_is_rejected(tmp_path):
    (tmp_path / "loose").mkdir()
    (tmp_path / "loose" / "a.pdf").write_bytes(b"%PDF")
    with pytest.raises(PackageRejected, match="neither an E-ARK package"):
        _read(tmp_path / "loose")


def test_a_symlink_out_of_a_folder_package_is_rejected(inbox, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the index")
    os.symlink(secret, inbox / GOOD / "representations/rep1/data/link.txt")
    with pytest.raises(PackageRejected, match="symbolic link leading out"):
        _read(inbox / GOOD)


def _zip(path: Path, entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, content in entries:
            archive.writestr(info, content)
    return path


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/evil.txt", "pkg/../../evil.txt", "C:/evil.txt",
                                  "pkg\\..\\evil.txt"])
def test_zip_entries_leaving_the_package_are_refused_before_anything_is_written(tmp_path, name):
    archive = _zip(tmp_path / "p.zip", [("pkg/METS.xml", b"<mets/>"), (name, b"x")])
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(PackageRejected, match="leaves the package"):
        extract_zip(archive, target, PackageLimits())
    assert list(target.iterdir()) == []
    assert not (tmp_path / "evil.txt").exists()


def test_a_symlink_inside_a_zip_is_refused(tmp_path):
    link = zipfile.ZipInfo("pkg/data/passwd")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    archive = _zip(tmp_path / "p.zip", [(link, b"/etc/passwd")])
    with pytest.raises(PackageRejected, match="symbolic link"):
        extract_zip(archive, tmp_path, PackageLimits())


def test_a_zip_bomb_is_refused_by_its_compression_ratio(tmp_path):
    archive = _zip(tmp_path / "bomb.zip", [("pkg/data/zeros.bin", b"\0" * (20 * 1024 * 1024))])
    with pytest.raises(PackageRejected, match="compression ratio"):
        extract_zip(archive, tmp_path / "out", PackageLimits())


def test_a_zip_larger_than_the_limit_is_refused(tmp_path):
    archive = _zip(tmp_path / "big.zip", [(f"pkg/{n}.bin", os.urandom(4096)) for n in range(4)])
    with pytest.raises(PackageRejected, match="above the limit"):
        extract_zip(archive, tmp_path / "out", PackageLimits(max_bytes=10_000))


def test_a_zip_that_lies_about_its_sizes_stops_while_inflating(tmp_path):
    archive = _zip(tmp_path / "liar.zip", [("pkg/data/a.bin", b"\0" * 200_000)])
    raw = bytearray(archive.read_bytes())
    # Shrink the declared uncompressed size in the central directory (offset 24 of its entry) to 1000 bytes.
    central = raw.rfind(b"PK\x01\x02")
    raw[central + 24:central + 28] = (1000).to_bytes(4, "little")
    archive.write_bytes(bytes(raw))
    with pytest.raises(PackageRejected):
        extract_zip(archive, tmp_path / "out", PackageLimits())


def test_a_file_that_is_not_a_zip_is_rejected(tmp_path):
    (tmp_path / "broken.zip").write_bytes(b"PK not really")
    with pytest.raises(PackageRejected, match="not a readable zip"):
        extract_zip(tmp_path / "broken.zip", tmp_path, PackageLimits())


def test_metadata_with_entities_is_parsed_without_expanding_them(inbox):
    import hashlib

    laughs = ('<?xml version="1.0"?><!DOCTYPE HoSo [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
              '<!ENTITY x SYSTEM "file:///etc/passwd">]>'
              '<HoSo><MaHoSo>X</MaHoSo><TieuDeHoSo>Tiêu đề &b; &x;</TieuDeHoSo>'
              '<MucDoTiepCan>Công khai</MucDoTiepCan></HoSo>').encode()
    description = inbox / GOOD / "metadata/descriptive/hoso.xml"
    old = hashlib.sha256(description.read_bytes()).hexdigest()
    description.write_bytes(laughs)
    mets = inbox / GOOD / "METS.xml"
    mets.write_text(mets.read_text(encoding="utf-8").replace(old, hashlib.sha256(laughs).hexdigest()),
                    encoding="utf-8")
    package = _read(inbox / GOOD)
    title = package.records[0].document["title"]
    assert "root:" not in title and "hahaha" not in title


def test_reports_partial_and_hidden_files_in_the_inbox_are_not_packages(tmp_path):
    for name in ("a.zip.report.json", ".hidden", "upload.part", "notes.txt"):
        (tmp_path / name).write_text("x")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "p.zip").write_bytes(b"")
    assert sorted(e.name for e in tmp_path.iterdir() if is_candidate(e)) == ["p.zip", "pkg"]


def test_the_demo_inbox_is_the_same_every_time_but_for_the_signatures(demo_inbox, tmp_path):
    again = tmp_path / "again"
    write_inbox(again, DemoSigning())
    good = Path(GOOD)
    for relative in ("metadata/descriptive/hoso.xml", "representations/rep1/data/DM-2024.docx"):
        assert (demo_inbox / good / relative).read_bytes() == (again / good / relative).read_bytes()
    # The keys come from a fixed seed; ECDSA signatures (of certificates, of PDFs) differ from run to run.
    assert DemoSigning().ca_certificate.public_key() == DemoSigning().ca_certificate.public_key()
    assert sorted(p.relative_to(demo_inbox).as_posix() for p in demo_inbox.rglob("*")) == \
        sorted(p.relative_to(again).as_posix() for p in again.rglob("*"))
