"""Packages handed over by agency records systems, dropped as a folder or a zip into an inbox directory.

Two layouts are read:
  - TT 05/2025 SIP_hoso / SIP_tailieu in the E-ARK CSIP layout: METS.xml at the root (fileSec with SHA-256
    CHECKSUMs, dmdSec pointing at the descriptive metadata: the TT 05/2025 profile or EAD, amdSec at PREMIS,
    whose fixity is checked too), the files under representations/*/data (each representation may have a
    METS.xml of its own);
  - plain BagIt bags (bagit.txt, manifests, bag-info.txt), validated by the `bagit` library.

A package is checked whole before anything of it is read: every file the manifests list must be there with
its checksum, and every file under the data folders must be listed. One problem rejects the package; the
problems name the files. Zips are opened with care: no absolute paths or `..`, no symbolic links, limits on
the number of entries, their total size and their compression ratio (zip bombs). A folder may not hold
symbolic links that lead out of it.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import stat
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import bagit
from lxml import etree

from indexer.errors import RecordError
from indexer.mapping.ead import map_ead
from indexer.mapping.oai_dc import DC_NS, OAI_DC_NS, MappedRecord, map_oai_dc
from indexer.mapping.tt05 import map_tt05
from schema.access_policy import DEFAULT_POLICY, AccessPolicy

METS_NS = "http://www.loc.gov/METS/"
XLINK_NS = "http://www.w3.org/1999/xlink"
PREMIS_NS = "http://www.loc.gov/premis/v3"
KIND_CSIP, KIND_BAGIT = "csip", "bagit"
_HASHES = {"SHA-256": "sha256", "SHA256": "sha256", "SHA-512": "sha512", "SHA-1": "sha1", "MD5": "md5"}
# Parsing metadata a stranger wrote: no entities expanded, no DTD or network fetched, no huge trees.
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@dataclass
class PackageLimits:
    max_bytes: int = 2 * 1024 ** 3  # uncompressed size of a zip's content
    max_entries: int = 10_000
    max_ratio: int = 100  # uncompressed / compressed size of one entry larger than ratio_floor
    ratio_floor: int = 1024 * 1024


@dataclass
class Problem:
    file: str  # path inside the package, or the package's own name
    problem: str

    def as_dict(self) -> dict:
        return {"file": self.file, "problem": self.problem}


class PackageRejected(Exception):
    """The package cannot be taken in; nothing of it is indexed. `problems` name the files."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(f"{p.file}: {p.problem}" for p in problems))
        self.problems = problems


@dataclass
class PackageFile:
    path: Path  # on this machine
    relative: str  # inside the package
    sha256: str | None  # as the package states it
    media_type: str | None = None


@dataclass
class Package:
    name: str  # of the folder or zip in the inbox
    kind: str
    identifier: str  # METS OBJID, the bag's External-Identifier, or the name
    root: Path
    created: str | None
    records: list[MappedRecord]
    files: dict[str, PackageFile] = field(default_factory=dict)  # by relative path
    notes: list["Problem"] = field(default_factory=list)  # what was read leniently or left aside, for the report

    def file_for(self, reference: str) -> PackageFile | None:
        """The package's file a metadata reference names: a path from the root or from a data folder."""
        reference = unquote(reference.strip()).lstrip("./")
        if reference in self.files:
            return self.files[reference]
        matches = [f for relative, f in self.files.items()
                   if relative.endswith("/" + reference) and "/data/" in relative]
        return matches[0] if len(matches) == 1 else None


# --- opening: a folder as it is, a zip extracted with care ---

def is_candidate(entry: Path) -> bool:
    """Whether an inbox entry is something to take in (not a report, a hidden or partial file)."""
    if entry.name.startswith((".", "~")) or entry.name.endswith((".report.json", ".part", ".tmp")):
        return False
    return entry.is_dir() or (entry.is_file() and entry.suffix.lower() == ".zip")


def extract_zip(zip_path: Path, target: Path, limits: PackageLimits) -> Path:
    """Unpack into target, refusing unsafe entries before a byte is written; returns the package root."""
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as error:
        raise PackageRejected([Problem(zip_path.name, f"not a readable zip: {error}")]) from error
    with archive:
        infos = archive.infolist()
        problems = []
        if len(infos) > limits.max_entries:
            raise PackageRejected([Problem(zip_path.name, f"more than {limits.max_entries} entries")])
        total = 0
        for info in infos:
            name = info.filename
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                problems.append(Problem(name, "symbolic link in a zip"))
            if not _safe_relative(name):
                problems.append(Problem(name, "path leaves the package (absolute or ..)"))
            if info.flag_bits & 0x1:
                problems.append(Problem(name, "encrypted entry"))
            total += info.file_size
            if (info.file_size > limits.ratio_floor
                    and info.file_size > limits.max_ratio * max(info.compress_size, 1)):
                problems.append(Problem(name, f"compression ratio above {limits.max_ratio}: a zip bomb?"))
        if total > limits.max_bytes:
            problems.append(Problem(zip_path.name, f"uncompressed size {total} above the limit {limits.max_bytes}"))
        if problems:
            raise PackageRejected(problems)
        try:
            _extract_entries(archive, infos, target, limits)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
            raise PackageRejected([Problem(zip_path.name, f"damaged zip: {error}")]) from error
    return _package_root(target)


def _extract_entries(archive: zipfile.ZipFile, infos: list, target: Path, limits: PackageLimits) -> None:
    written = 0
    for info in infos:
        destination = target.joinpath(*PurePosixPath(info.filename).parts)
        if info.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(info) as source, open(destination, "wb") as sink:
            entry_bytes = 0
            while chunk := source.read(1024 * 1024):
                entry_bytes += len(chunk)
                written += len(chunk)
                # The sizes in the zip's directory can lie; the bytes actually inflated cannot.
                if entry_bytes > info.file_size or written > limits.max_bytes:
                    raise PackageRejected([Problem(info.filename, "inflates beyond its declared size")])
                sink.write(chunk)


def _safe_relative(name: str) -> bool:
    if not name or name.startswith(("/", "\\")) or "\\" in name or re.match(r"^[A-Za-z]:", name):
        return False
    return ".." not in PurePosixPath(name).parts


def _package_root(folder: Path) -> Path:
    """A zip often wraps its package in one folder; the root is where METS.xml or bagit.txt is."""
    if (folder / "METS.xml").exists() or (folder / "bagit.txt").exists():
        return folder
    entries = [entry for entry in folder.iterdir() if not entry.name.startswith(("__MACOSX", "."))]
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
        return entries[0]
    return folder


def check_links(root: Path) -> None:
    """A folder package may not lead outside itself through symbolic links."""
    real_root = root.resolve()
    problems = []
    for folder, folders, files in os.walk(root, followlinks=False):
        for name in folders + files:
            path = Path(folder) / name
            if path.is_symlink():
                target = path.resolve()
                if target != real_root and real_root not in target.parents:
                    problems.append(Problem(path.relative_to(root).as_posix(), "symbolic link leading out of the package"))
    if problems:
        raise PackageRejected(problems)


# --- reading and checking ---

def read_package(root: Path, name: str, *, source_id: str, holding_province: str,
                 access_policy: AccessPolicy = DEFAULT_POLICY) -> Package:
    """The checked package and the records it describes, their access by the source's policy;
    PackageRejected if anything is wrong."""
    check_links(root)
    if (root / "METS.xml").is_file():
        return _read_csip(root, name, source_id, holding_province, access_policy)
    if (root / "bagit.txt").is_file():
        return _read_bag(root, name, source_id, holding_province, access_policy)
    raise PackageRejected([Problem(name, "neither an E-ARK package (METS.xml) nor a BagIt bag (bagit.txt)")])


def _parse_xml(path: Path, relative: str):
    try:
        return etree.parse(str(path), _SAFE_PARSER).getroot()
    except (etree.XMLSyntaxError, OSError) as error:
        raise PackageRejected([Problem(relative, f"not well-formed XML: {error}")]) from error


# Files a package may hold in data/ without listing them: left by a version-control or desktop system, never
# a document (a .gitkeep in an empty data/ folder of the E-ARK test corpus rejected the package).
_PLACEHOLDERS = frozenset({".gitkeep", ".keep", ".DS_Store", "Thumbs.db", "desktop.ini"})
# Descriptions the portal maps, by the root element's local name.
_TT05_ROOTS = frozenset({"hoso", "file", "danhsachtailieu", "tailieu"})
_SIMPLE_DC_ROOTS = frozenset({"simpledc", "dc"})


@dataclass
class _Description:
    records: list[MappedRecord]
    simple: bool = False  # simple Dublin Core: describes the package only when nothing richer does


def _read_csip(root: Path, name: str, source_id: str, holding_province: str, access_policy: AccessPolicy) -> Package:
    mets = _parse_xml(root / "METS.xml", "METS.xml")
    if etree.QName(mets).localname != "mets":
        raise PackageRejected([Problem("METS.xml", "the root element is not <mets>")])
    problems: list[Problem] = []
    notes: list[Problem] = []
    files: dict[str, PackageFile] = {}
    listed: set[str] = set()  # every path a METS names, whether its checksum matched or not
    located: dict = {}  # each METS reference (element) → the package path it was read as
    _take_mets_files(mets, root, "", files, problems, listed, notes, located)
    for representation_mets in sorted(root.glob("representations/*/METS.xml")):
        prefix = representation_mets.parent.relative_to(root).as_posix() + "/"
        files[prefix + "METS.xml"] = PackageFile(representation_mets, prefix + "METS.xml", None)
        _take_mets_files(_parse_xml(representation_mets, prefix + "METS.xml"), root, prefix, files, problems, listed,
                         notes, located)
    descriptive = [(ref, located[ref]) for ref in mets.iterfind(f".//{{{METS_NS}}}dmdSec/{{{METS_NS}}}mdRef")
                   if ref in located]
    preservation = [located[ref] for ref in mets.iterfind(f".//{{{METS_NS}}}amdSec//{{{METS_NS}}}mdRef")
                    if ref in located]
    for relative in preservation:
        if (root / relative).is_file() and not problems:
            _check_premis(root, relative, files, problems)
    for data_file in sorted(root.glob("representations/*/data/**/*")):
        relative = data_file.relative_to(root).as_posix()
        if not data_file.is_file() or relative in listed:
            continue
        if data_file.name in _PLACEHOLDERS:
            notes.append(Problem(relative, "a placeholder or system file, not listed in METS.xml: left aside"))
            continue
        problems.append(Problem(relative, "not listed in METS.xml (no checksum to check it against)"))
    if problems:
        raise PackageRejected(problems)
    if not descriptive:
        raise PackageRejected([Problem("METS.xml", "no descriptive metadata (dmdSec/mdRef)")])
    identifier = mets.get("OBJID") or name
    header = mets.find(f"{{{METS_NS}}}metsHdr")
    created = header.get("CREATEDATE") if header is not None else None
    records: list[MappedRecord] = []
    simple: list[tuple[str, list[MappedRecord]]] = []
    left_aside = []
    for ref, relative in descriptive:
        found = _read_description(root, ref, relative, identifier, source_id, holding_province, access_policy)
        if isinstance(found, str):
            left_aside.append(Problem(relative, found))
        elif found.simple:
            simple.append((relative, found.records))
        else:
            records.extend(found.records)
    # Simple Dublin Core describes the package when nothing richer does; beside EAD or TT 05 it says less.
    for relative, found in simple:
        if records:
            left_aside.append(Problem(relative, "a Dublin Core description beside a richer one: set aside"))
        else:
            records.extend(found)
    if not records:
        raise PackageRejected(left_aside + [Problem("METS.xml", "no descriptive metadata the portal can read "
                                                                "(EAD, TT 05/2025 or Dublin Core)")])
    return Package(name, KIND_CSIP, identifier, root, created, records, files, notes + left_aside)


def _read_description(root: Path, ref, relative: str, identifier: str, source_id: str, holding_province: str,
                      access_policy: AccessPolicy) -> _Description | str:
    """The records a descriptive metadata file gives, or why it is set aside (a text note, a format the portal
    does not map). Only a description the portal can read and cannot map rejects the package."""
    media_type = (ref.get("MIMETYPE") or "").lower()
    if media_type and "xml" not in media_type:
        return f"{media_type} description (MDTYPE {ref.get('MDTYPE') or 'not stated'}): kept as a file, not read"
    metadata = _parse_xml(root / relative, relative)
    localname = etree.QName(metadata).localname.lower()
    if localname in _SIMPLE_DC_ROOTS and metadata.nsmap.get(None) in (None, DC_NS):
        try:
            return _Description([map_oai_dc(_as_oai_dc(metadata), source_id=source_id, local_id=identifier,
                                            holding_province=holding_province, access_policy=access_policy)],
                                simple=True)
        except RecordError as error:
            raise PackageRejected([Problem(relative, f"descriptive metadata: {error}")]) from error
    if localname == "ead" or localname in _TT05_ROOTS:
        return _Description(_map_description(metadata, relative, identifier, source_id, holding_province,
                                             access_policy))
    return f"a <{etree.QName(metadata).localname}> description, a format the portal does not map: set aside"


def _as_oai_dc(simple):
    """Simple Dublin Core (<simpledc><title>…, as commons-ip writes it) as the oai_dc the portal maps."""
    wrapper = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS})
    for element in simple:
        if isinstance(element.tag, str) and (element.text or "").strip():
            etree.SubElement(wrapper, f"{{{DC_NS}}}{etree.QName(element).localname}").text = element.text
    return wrapper


def _mdref_path(ref) -> str | None:
    """The path inside the package a METS reference names (xlink:href); OUTSIDE for one that points
    elsewhere (a web address, another host's file); None when there is no reference."""
    href = ref.get(f"{{{XLINK_NS}}}href") or ref.get("href")
    return package_relative(href) if href else None


OUTSIDE = "\x00outside"  # what package_relative answers for a reference that leaves the package


def package_relative(href: str) -> str:
    """A reference as a path from the package's root, or OUTSIDE. A relative `file:` URI is a path; any
    other scheme (http:, ftp:, a `file:` URI with a host or an absolute path) points outside the package:
    a package is taken in from what it holds, and nothing it names elsewhere is read or fetched."""
    href = href.strip()
    parts = urlsplit(href)
    if parts.scheme.lower() == "file" and not parts.netloc and not parts.path.startswith("/"):
        href = parts.path
    elif href.startswith("//") or len(parts.scheme) > 1:
        return OUTSIDE  # a one-letter "scheme" is a Windows drive (C:), refused below as leaving the package
    path = unquote(href)
    while path.startswith("./"):
        path = path[2:]
    return path


def _take_mets_files(mets, root: Path, prefix: str, files: dict, problems: list[Problem], listed: set,
                     notes: list[Problem], located: dict) -> None:
    """Checks every file the METS lists (fileSec and metadata references) against its checksum; `located`
    gets the package path each reference was read as."""
    entries = []
    for file_element in mets.iterfind(f".//{{{METS_NS}}}fileSec//{{{METS_NS}}}file"):
        location = file_element.find(f"{{{METS_NS}}}FLocat")
        href = _mdref_path(location) if location is not None else None
        entries.append((href, file_element))
    for ref in mets.iterfind(f".//{{{METS_NS}}}mdRef"):
        entries.append((_mdref_path(ref), ref))
    for href, element in entries:
        if not href:
            problems.append(Problem(prefix + "METS.xml", f"a file entry {element.get('ID', '')} without a location"))
            continue
        raw = element.find(f"{{{METS_NS}}}FLocat") if element.tag.endswith("}file") else element
        if href == OUTSIDE:
            problems.append(Problem(prefix + "METS.xml", f"{_raw_href(raw)} points outside the package; the portal "
                                                         f"reads nothing that is not in the package"))
            continue
        relative = _located(root, prefix, href, _raw_href(raw), notes)
        located[element] = relative
        if not _safe_relative(relative):
            problems.append(Problem(relative, "path leaves the package"))
            continue
        path = root / relative
        if relative in listed:
            continue
        listed.add(relative)
        checksum, algorithm = element.get("CHECKSUM"), (element.get("CHECKSUMTYPE") or "").upper()
        if not path.is_file():
            problems.append(Problem(relative, "listed in METS.xml but missing" + _case_only_hint(root, relative)))
            continue
        if not checksum:
            problems.append(Problem(relative, "no checksum in METS.xml"))
            continue
        if algorithm not in _HASHES:
            problems.append(Problem(relative, f"checksum type {algorithm or 'not stated'} not supported"))
            continue
        found = _digest(path, _HASHES[algorithm])
        if found != checksum.strip().lower():
            problems.append(Problem(relative, f"{algorithm} checksum mismatch: expected {checksum.strip().lower()}, "
                                              f"found {found}"
                                              + _line_ending_hint(path, _HASHES[algorithm], checksum)))
            continue
        files[relative] = PackageFile(path, relative, found if _HASHES[algorithm] == "sha256" else None,
                                      element.get("MIMETYPE"))


def _located(root: Path, prefix: str, href: str, raw: str, notes: list[Problem]) -> str:
    """The package path a reference names, read as producers write it when the exact reading names no file:
    form-encoded ('+' for a space, as commons-ip and RODA write: "representation+1") or with Windows
    backslashes ("documentation\\file.tif"). The leniency is noted in the report; the file's checksum is checked
    all the same."""
    relative = prefix + href
    if (root / relative).is_file() if _safe_relative(relative) else False:
        return relative
    spellings = [(prefix + package_relative(raw.replace("+", " ")), "form-encoded ('+' for a space)"),
                 (prefix + href.replace("\\", "/"), "written with backslashes")]
    for candidate, how in spellings:
        if candidate != relative and _safe_relative(candidate) and (root / candidate).is_file():
            notes.append(Problem(candidate, f"the METS reference {raw[:200]!r} is {how}; read as {candidate!r}"))
            return candidate
    return relative


def _case_only_hint(root: Path, relative: str) -> str:
    """The E-ARK test corpus names `schemas/METS.xsd` and holds `schemas/mets.xsd`: say so, the producer's fault."""
    folder, name = (root / relative).parent, PurePosixPath(relative).name
    if folder.is_dir():
        for entry in folder.iterdir():
            if entry.name.lower() == name.lower() and entry.name != name:
                return f"; the package holds {entry.name!r}, a name that differs only in case (the producer's error)"
    return ""


_TEXT_SAMPLE = 8 * 1024 * 1024  # only a text file this small is read again with other line endings


def _line_ending_hint(path: Path, algorithm: str, checksum: str) -> str:
    """A text file whose checksum matches with the other line endings (CRLF for LF or back) was changed in
    transit — the E-ARK test corpus's files were committed to git with LF after their checksums were taken on
    CRLF. Still a mismatch, named as what it is."""
    if path.stat().st_size > _TEXT_SAMPLE:
        return ""
    data = path.read_bytes()
    if b"\0" in data:
        return ""
    expected = checksum.strip().lower()
    for other, how in ((data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"), "CRLF"),
                       (data.replace(b"\r\n", b"\n"), "LF")):
        if other != data and hashlib.new(algorithm, other).hexdigest() == expected:
            return (f"; the checksum is that of the same text with {how} line endings: the file's line endings were "
                    f"changed after the package was made (copied as text, or through git)")
    return ""


def _raw_href(element) -> str:
    if element is None:
        return "a reference"
    return (element.get(f"{{{XLINK_NS}}}href") or element.get("href") or "a reference")[:300]


def _check_premis(root: Path, relative: str, files: dict, problems: list[Problem]) -> None:
    """PREMIS objects' fixity, where it names a file of the package, must agree with the file."""
    premis = _parse_xml(root / relative, relative)
    for obj in premis.iter(f"{{{PREMIS_NS}}}object"):
        name = (obj.findtext(f".//{{{PREMIS_NS}}}contentLocationValue")
                or obj.findtext(f".//{{{PREMIS_NS}}}originalName") or "").strip()
        package_file = _find_file(files, name)
        if package_file is None:
            continue
        for fixity in obj.iter(f"{{{PREMIS_NS}}}fixity"):
            algorithm = (fixity.findtext(f"{{{PREMIS_NS}}}messageDigestAlgorithm") or "").strip().upper()
            digest = (fixity.findtext(f"{{{PREMIS_NS}}}messageDigest") or "").strip().lower()
            if algorithm in _HASHES and digest and _digest(package_file.path, _HASHES[algorithm]) != digest:
                problems.append(Problem(package_file.relative, f"{algorithm} checksum in {relative} does not match"))


def _find_file(files: dict, name: str) -> PackageFile | None:
    name = unquote(name).lstrip("./")
    if not name:
        return None
    if name in files:
        return files[name]
    matches = [f for relative, f in files.items() if relative.endswith("/" + name)]
    return matches[0] if len(matches) == 1 else None


def _digest(path: Path, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    with open(path, "rb") as opened:
        while chunk := opened.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _map_description(metadata, relative: str, identifier: str, source_id: str,
                     holding_province: str, access_policy: AccessPolicy) -> list[MappedRecord]:
    try:
        if etree.QName(metadata).localname == "ead":
            return map_ead(metadata, source_id=source_id, local_id=identifier, holding_province=holding_province,
                           local_files=True, access_policy=access_policy)
        return map_tt05(metadata, source_id=source_id, holding_province=holding_province, package_id=identifier,
                        access_policy=access_policy)
    except RecordError as error:
        raise PackageRejected([Problem(relative, f"descriptive metadata: {error}")]) from error


# RFC 8493 §2.1.1: bagit.txt is exactly two lines, "BagIt-Version: M.N" and "Tag-File-Character-Encoding: ENC",
# each label, colon and one space as written (the bagit library is lenient; the LoC suite says such bags are invalid).
_BAGIT_DECLARATION = (re.compile(rb"BagIt-Version: \d+\.\d+"), re.compile(rb"Tag-File-Character-Encoding: \S+"))


def _check_bagit_declaration(root: Path) -> None:
    raw = (root / "bagit.txt").read_bytes()[:1000]
    lines = re.split(rb"\r\n|\r|\n", raw)
    if lines and lines[-1] == b"":
        lines.pop()
    if raw.startswith(b"\xef\xbb\xbf"):
        problem = "starts with a byte-order mark, which RFC 8493 forbids"
    elif len(lines) != 2 or not all(pattern.fullmatch(line) for pattern, line in zip(_BAGIT_DECLARATION, lines)):
        shown = " | ".join(line.decode("utf-8", "replace") for line in lines[:3])
        problem = (f"is not the two lines RFC 8493 asks for ('BagIt-Version: M.N', 'Tag-File-Character-Encoding: "
                   f"ENCODING', no space before the colon, one after it): {shown!r}")
    else:
        return
    raise PackageRejected([Problem("bagit.txt", problem)])


class _NamingThePackage(logging.Filter):
    """bagit's own warnings ("data/x md5 validation failed") name the file but not the bag: in a log of a
    whole inbox they must say which package they are about."""

    def __init__(self, name: str):
        super().__init__()
        self.prefix = name.replace("%", "%%") + ": "

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and not record.msg.startswith(self.prefix):
            record.msg = self.prefix + record.msg
        return True


def _read_bag(root: Path, name: str, source_id: str, holding_province: str, access_policy: AccessPolicy) -> Package:
    bag = None
    _check_bagit_declaration(root)
    naming = _NamingThePackage(name)
    bagit.LOGGER.addFilter(naming)
    try:
        bag = bagit.Bag(str(root))
        _refuse_fetching(bag, root)
        bag.validate(processes=1)
    except bagit.BagValidationError as error:
        details = error.details or _bag_file_details(bag)
        problems = [Problem(getattr(detail, "path", name), _bag_problem(detail)) for detail in details]
        raise PackageRejected(problems or [Problem(name, str(error))]) from error
    except bagit.BagError as error:
        raise PackageRejected([Problem(name, f"not a valid bag: {error}")]) from error
    finally:
        bagit.LOGGER.removeFilter(naming)
    files, notes = {}, []
    sha256 = {path: digests.get("sha256") for path, digests in bag.entries.items()}
    # bagit matches the manifest's names and the disk's whatever their Unicode normalisation (macOS writes NFD);
    # the checksum must follow the file all the same, or it would be taken in with none.
    by_normal_form = {unicodedata.normalize("NFC", path): path for path in sha256}
    for relative in bag.payload_files():
        relative = PurePosixPath(relative).as_posix()
        listed = relative if relative in sha256 else by_normal_form.get(unicodedata.normalize("NFC", relative))
        if listed is not None and listed != relative:
            notes.append(Problem(relative, f"named in the manifest as {_normal_form(listed)} and written on disk "
                                           f"as {_normal_form(relative)}: the same name in two Unicode "
                                           f"normalisations, taken as one file"))
        files[relative] = PackageFile(root / relative, relative, sha256.get(listed) if listed else None)
    info = {key.lower(): (value[0] if isinstance(value, list) else value) for key, value in bag.info.items()}
    identifier = info.get("external-identifier") or name
    records = []
    for relative, package_file in sorted(files.items()):
        if relative.endswith(".xml"):
            metadata = _parse_xml(package_file.path, relative)
            if etree.QName(metadata).localname.lower() in ("hoso", "file", "danhsachtailieu", "tailieu", "ead"):
                records.extend(_map_description(metadata, relative, identifier, source_id, holding_province,
                                                access_policy))
    if not records:
        records = [_bag_info_record(info, identifier, name, source_id, holding_province, access_policy)]
    return Package(name, KIND_BAGIT, identifier, root, info.get("bagging-date"), records, files, notes)


def _normal_form(text: str) -> str:
    return next((form for form in ("NFC", "NFD") if unicodedata.is_normalized(form, text)), "another form")


def _refuse_fetching(bag, root: Path) -> None:
    """A bag whose fetch.txt names files it does not hold is incomplete: the portal fetches nothing a
    package points to, so it is refused, each missing file named with where it would come from."""
    missing = [Problem(name, f"not in the bag: fetch.txt would fetch it from {url[:300]}; the portal takes in "
                             f"only complete bags and fetches nothing")
               for url, _, name in bag.fetch_entries() if not (root / name).is_file()]
    if missing:
        raise PackageRejected(missing)


def _bag_file_details(bag) -> list:
    """bagit stops at a wrong Payload-Oxum (file count and size) before naming files; name them anyway."""
    try:
        bag._validate_completeness()
        bag._validate_entries(1)
    except bagit.BagValidationError as error:
        return list(error.details or [])
    except Exception:  # the library's internals moved: the Payload-Oxum message alone still rejects
        return []
    return []


def _bag_problem(detail) -> str:
    if isinstance(detail, bagit.ChecksumMismatch):
        return f"{detail.algorithm} checksum mismatch: expected {detail.expected}, found {detail.found}"
    if isinstance(detail, bagit.FileMissing):
        return "listed in the manifest but missing"
    if isinstance(detail, bagit.UnexpectedFile):
        return "not listed in the manifest"
    return str(detail)


def _bag_info_record(info: dict, identifier: str, name: str, source_id: str, holding_province: str,
                     access_policy: AccessPolicy) -> MappedRecord:
    """A bag without TT 05/2025 metadata: one hồ sơ from bag-info.txt, holding all the payload."""
    from lxml.builder import E

    hoso = E.HoSo(
        E.MaHoSo(identifier),
        E.TieuDeHoSo(info.get("title") or info.get("external-description") or name),
        E.CoQuanHinhThanhPhong(info.get("source-organization") or ""),
        E.MucDoTiepCan(info.get("access-level") or info.get("muc-do-tiep-can") or ""),
        E.ChuGiai(info.get("external-description") or ""),
    )
    try:
        return map_tt05(hoso, source_id=source_id, holding_province=holding_province, package_id=identifier,
                        access_policy=access_policy)[0]
    except RecordError as error:
        raise PackageRejected([Problem("bag-info.txt", str(error))]) from error


def remove_tree(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
