"""An inbox of packages as agency records systems hand them to Vĩnh Long's historical archive.

`write_inbox(out)` writes, the same every time except for signatures (ECDSA signatures and signing times
differ from run to run, so signed PDFs, their checksums in METS and PREMIS, and the zips holding them do):
  - SIP_hoso-SNV.2024.01 (folder): a hồ sơ in TT 05/2025 field names, three documents, PDFs signed by the
    digitising body, one DOCX; public, one document closed (Mật)
  - SIP_hoso-SNV.2019.07.zip: a hồ sơ in the older TT 02/2019 field names (Chế độ sử dụng: Hạn chế sử dụng),
    from the former province of Trà Vinh
  - SIP_tailieu-STC.2023.zip: documents alone (DanhSachTaiLieu), from the former province of Bến Tre
  - SIP_hoso-SNV.2024.02-hong (folder): a PDF changed after its checksum was written, to be rejected whole
  - bag-ubnd-2024-anh (folder): a plain BagIt bag, bag-info.txt its only description

Every package is in the E-ARK CSIP layout (METS.xml, metadata/descriptive, metadata/preservation PREMIS,
representations/rep1/data, SHA-256 checksums), except the bag. PDFs are signed with pyHanko by a demo
certificate authority whose keys are derived from a fixed seed; `write_ca_certificate` writes its certificate
for SIGNATURE_TRUST_ROOTS, so that the portal shows those signatures as valid.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import bagit
from lxml import etree

from demo.files import render_docx, render_pdf

METS_NS = "http://www.loc.gov/METS/"
XLINK_NS = "http://www.w3.org/1999/xlink"
CSIP_NS = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
PREMIS_NS = "http://www.loc.gov/premis/v3"
CREATED = "2025-07-15T08:00:00+07:00"
ZIP_TIMESTAMP = (2025, 7, 15, 8, 0, 0)
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HOLDING_PROVINCE = "86"
SIGNER_NAME = "Trung tâm Lưu trữ lịch sử tỉnh Vĩnh Long"
CA_NAME = "Demo CA lưu trữ"
# Words a test searches for: they are only in the files of the packages.
GOOD_TOKEN = "TIEPNHANSIP"
BAD_TOKEN = "GOIHONGKHONGNHAN"


@dataclass
class DemoDocument:
    file_name: str
    fields: dict[str, str]  # TT 05 (or TT 02) element → value
    text: str
    signed: bool = False


@dataclass
class DemoPackage:
    name: str
    root_tag: str  # HoSo, or DanhSachTaiLieu for documents alone
    fields: dict[str, str]
    documents: list[DemoDocument]
    zipped: bool = False
    tamper: str | None = None  # the data file changed after its checksum was written
    extra_files: list[DemoDocument] = field(default_factory=list)  # files no document names


def demo_packages() -> list[DemoPackage]:
    good = DemoPackage(
        "SIP_hoso-SNV.2024.01", "HoSo",
        {"MaPhong": "VL.SNV", "TenPhong": "Sở Nội vụ tỉnh Vĩnh Long", "MucLucSo": "1",
         "MaHoSo": "VL.SNV.2024.01.HS001", "TieuDeHoSo": "Hồ sơ về việc tiếp nhận hồ sơ điện tử vào Lưu trữ lịch sử năm 2024",
         "ThoiGianBatDau": "2024-02-01", "ThoiGianKetThuc": "2024-11-30", "ThoiHanBaoQuan": "Vĩnh viễn",
         "MucDoTiepCan": "Công khai", "NgonNgu": "Tiếng Việt", "SoLuongTo": "12", "SoLuongTrang": "18",
         "ChuGiai": "Hồ sơ gồm kế hoạch, biên bản giao nhận và danh mục hồ sơ nộp lưu.",
         "TuKhoa": "nộp lưu; tài liệu điện tử; giao nhận", "MucDoTinCay": "Số hóa",
         "MaHoSoGiayGoc": "VL.SNV.ML01.HS045", "CoQuanHinhThanhPhong": "Sở Nội vụ tỉnh Vĩnh Long",
         "TinhThanh": "Tỉnh Vĩnh Long"},
        [
            DemoDocument("KH-12-2024.pdf", {
                "MaDinhDanhVanBan": "000.00.12.H62.2024.KH12", "SoThuTu": "1", "TenLoaiVanBan": "Kế hoạch",
                "SoVanBan": "12", "KyHieuVanBan": "KH-SNV", "NgayVanBan": "2024-02-01",
                "CoQuanBanHanh": "Sở Nội vụ tỉnh Vĩnh Long",
                "TrichYeuNoiDung": "Kế hoạch thu thập hồ sơ, tài liệu điện tử vào Lưu trữ lịch sử năm 2024",
                "NguoiKy": "Nguyễn Văn Bình", "MucDoTiepCan": "Công khai", "SoLuongTrang": "3",
                "TepTin": "representations/rep1/data/KH-12-2024.pdf"},
                "KẾ HOẠCH thu thập hồ sơ, tài liệu điện tử vào Lưu trữ lịch sử tỉnh Vĩnh Long năm 2024.\n"
                f"Mã đối chiếu {GOOD_TOKEN}01.\nCác cơ quan thuộc nguồn nộp lưu chuẩn bị gói tin SIP theo "
                "Thông tư 05/2025/TT-BNV.", signed=True),
            DemoDocument("BB-45-2024.pdf", {
                "MaDinhDanhVanBan": "000.00.12.H62.2024.BB45", "SoThuTu": "2", "TenLoaiVanBan": "Biên bản",
                "SoVanBan": "45", "KyHieuVanBan": "BB-LTLS", "NgayVanBan": "15/10/2024",
                "CoQuanBanHanh": "Trung tâm Lưu trữ lịch sử tỉnh Vĩnh Long",
                "TrichYeuNoiDung": "Biên bản giao nhận tài liệu điện tử của Sở Nội vụ",
                "NguoiKy": "Trần Thị Hoa", "MucDoTiepCan": "Công khai",
                "TepTin": "representations/rep1/data/BB-45-2024.pdf"},
                "BIÊN BẢN giao nhận tài liệu điện tử.\nHôm nay, ngày 15 tháng 10 năm 2024, tại Trung tâm Lưu trữ "
                f"lịch sử tỉnh Vĩnh Long, hai bên giao nhận 120 hồ sơ điện tử. Mã đối chiếu {GOOD_TOKEN}02.",
                signed=True),
            DemoDocument("DM-2024.docx", {
                "MaDinhDanhVanBan": "000.00.12.H62.2024.DM01", "SoThuTu": "3",
                "TenLoaiVanBan": "Danh mục", "NgayVanBan": "11/2024",
                "TrichYeuNoiDung": "Danh mục hồ sơ cán bộ nộp lưu năm 2024",
                "MucDoTiepCan": "Mật", "TepTin": "representations/rep1/data/DM-2024.docx"},
                "DANH MỤC hồ sơ cán bộ nộp lưu năm 2024. Mã đối chiếu MATKHAUSIP03."),
        ])
    older = DemoPackage(
        "SIP_hoso-SNV.2019.07", "HoSo",
        {"FondsCode": "TV.SNV", "FondsName": "Sở Nội vụ tỉnh Trà Vinh", "FileCode": "TV.SNV.2019.07.HS012",
         "Title": "Hồ sơ thi tuyển công chức tỉnh Trà Vinh năm 2019", "StartDate": "03/2019", "EndDate": "12/2019",
         "Maintenance": "70 năm", "Rights": "Hạn chế sử dụng", "Language": "vie", "PageTotal": "40",
         "Description": "Đề án, kết quả thi tuyển công chức.", "KeyWord": "thi tuyển, công chức",
         "ConfidenceLevel": "Bản điện tử", "OrganName": "Sở Nội vụ tỉnh Trà Vinh", "Province": "Tỉnh Trà Vinh"},
        [
            DemoDocument("QD-88-2019.pdf", {
                "DocCode": "000.00.15.H59.2019.QD88", "DocOrdinal": "1", "TypeName": "Quyết định",
                "CodeNumber": "88", "CodeNotation": "QĐ-SNV", "IssuedDate": "2019-03-20",
                "Subject": "Quyết định phê duyệt kế hoạch thi tuyển công chức năm 2019", "Autograph": "Lê Văn Tâm",
                "FileName": "QD-88-2019.pdf"},
                "QUYẾT ĐỊNH phê duyệt kế hoạch thi tuyển công chức tỉnh Trà Vinh năm 2019.\n"
                f"Mã đối chiếu {GOOD_TOKEN}04 MATKHAUSIP04.", signed=True),
        ], zipped=True)
    documents_alone = DemoPackage(
        "SIP_tailieu-STC.2023", "DanhSachTaiLieu", {},
        [
            DemoDocument("CV-310-2023.pdf", {
                "MaDinhDanhVanBan": "000.00.20.H07.2023.CV310", "TenLoaiVanBan": "Công văn", "SoVanBan": "310",
                "KyHieuVanBan": "STC-NS", "NgayVanBan": "2023-06-12", "CoQuanBanHanh": "Sở Tài chính tỉnh Bến Tre",
                "TrichYeuNoiDung": "Công văn về việc hướng dẫn lập dự toán ngân sách năm 2024",
                "NguoiKy": "Phạm Minh Đức", "MucDoTiepCan": "Công khai", "TinhThanh": "Tỉnh Bến Tre",
                "TepTin": "CV-310-2023.pdf"},
                "CÔNG VĂN hướng dẫn lập dự toán ngân sách nhà nước năm 2024 của tỉnh Bến Tre.\n"
                f"Mã đối chiếu {GOOD_TOKEN}05.", signed=True),
            DemoDocument("TB-77-2023.pdf", {
                "MaDinhDanhVanBan": "000.00.20.H07.2023.TB77", "TenLoaiVanBan": "Thông báo", "SoVanBan": "77",
                "KyHieuVanBan": "TB-STC", "NgayVanBan": "ngày 3 tháng 8 năm 2023",
                "CoQuanBanHanh": "Sở Tài chính tỉnh Bến Tre", "MucDoTiepCan": "Công khai",
                "TrichYeuNoiDung": "Thông báo kết quả thẩm định quyết toán năm 2022", "TinhThanh": "Tỉnh Bến Tre",
                "TepTin": "TB-77-2023.pdf"},
                f"THÔNG BÁO kết quả thẩm định quyết toán năm 2022. Mã đối chiếu {GOOD_TOKEN}06."),
        ], zipped=True)
    damaged = DemoPackage(
        "SIP_hoso-SNV.2024.02-hong", "HoSo",
        {"MaPhong": "VL.SNV", "TenPhong": "Sở Nội vụ tỉnh Vĩnh Long", "MaHoSo": "VL.SNV.2024.01.HS002",
         "TieuDeHoSo": "Hồ sơ về việc khen thưởng năm 2024", "ThoiGianBatDau": "2024", "MucDoTiepCan": "Công khai",
         "TinhThanh": "Tỉnh Vĩnh Long"},
        [
            DemoDocument("QD-200-2024.pdf", {
                "MaDinhDanhVanBan": "000.00.12.H62.2024.QD200", "TenLoaiVanBan": "Quyết định",
                "TrichYeuNoiDung": "Quyết định khen thưởng tập thể, cá nhân năm 2024", "MucDoTiepCan": "Công khai",
                "TepTin": "representations/rep1/data/QD-200-2024.pdf"},
                f"QUYẾT ĐỊNH khen thưởng năm 2024. Mã đối chiếu {BAD_TOKEN}.", signed=True),
            DemoDocument("DS-2024.pdf", {
                "MaDinhDanhVanBan": "000.00.12.H62.2024.DS01", "TenLoaiVanBan": "Danh sách",
                "TrichYeuNoiDung": "Danh sách tập thể, cá nhân được khen thưởng", "MucDoTiepCan": "Công khai",
                "TepTin": "representations/rep1/data/DS-2024.pdf"},
                f"DANH SÁCH khen thưởng. Mã đối chiếu {BAD_TOKEN}."),
        ], tamper="representations/rep1/data/DS-2024.pdf")
    return [good, older, documents_alone, damaged]


BAG_NAME = "bag-ubnd-2024-anh"
BAG_INFO = {
    "Source-Organization": "Ủy ban nhân dân tỉnh Vĩnh Long",
    "External-Identifier": "VL.UBND.2024.ANH01",
    "Title": "Ảnh tư liệu lễ kỷ niệm 50 năm giải phóng tỉnh Vĩnh Long",
    "External-Description": "Bộ ảnh và bài phát biểu tại lễ kỷ niệm ngày 30 tháng 4 năm 2025",
    "Access-Level": "Công khai",
    "Bagging-Date": "2025-07-15",
}


def write_inbox(out: Path, signing: "DemoSigning | None" = None) -> list[Path]:
    """The demo packages in `out` (created if missing; packages of the same name replaced)."""
    out.mkdir(parents=True, exist_ok=True)
    signing = signing or DemoSigning()
    written = []
    for package in demo_packages():
        written.append(write_package(out, package, signing))
    written.append(write_bag(out))
    return written


def write_package(out: Path, package: DemoPackage, signing: "DemoSigning") -> Path:
    folder = out / package.name
    _remove(folder)
    _remove(out / f"{package.name}.zip")
    data = folder / "representations" / "rep1" / "data"
    data.mkdir(parents=True)
    files: list[tuple[str, bytes, str]] = []  # relative path, bytes, media type
    for document in package.documents + package.extra_files:
        title = document.fields.get("TrichYeuNoiDung") or document.fields.get("Subject") or document.file_name
        if document.file_name.endswith(".pdf"):
            content, media_type = render_pdf(title, document.text, SIGNER_NAME), PDF
            if document.signed:
                content = signing.sign(content)
        else:
            content, media_type = render_docx(title, document.text, SIGNER_NAME), DOCX
        files.append((f"representations/rep1/data/{document.file_name}", content, media_type))
    description = _description_xml(package)
    files.append(("metadata/descriptive/hoso.xml", description, "text/xml"))
    premis = _premis_xml(package, [(path, content) for path, content, _ in files if path.startswith("repr")])
    files.append(("metadata/preservation/premis.xml", premis, "text/xml"))
    for relative, content, _ in files:
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(content)
    (folder / "METS.xml").write_bytes(_mets_xml(package, files))
    if package.tamper:
        damaged = folder / package.tamper
        damaged.write_bytes(damaged.read_bytes().replace(b"%%EOF", b"%%EOF\n% changed after the checksum\n", 1))
    if not package.zipped:
        return folder
    zip_path = out / f"{package.name}.zip"
    _zip_folder(folder, zip_path, package.name)
    shutil.rmtree(folder)
    return zip_path


def write_bag(out: Path) -> Path:
    folder = out / BAG_NAME
    _remove(folder)
    folder.mkdir(parents=True)
    (folder / "phat-bieu.pdf").write_bytes(render_pdf(
        BAG_INFO["Title"], "Bài phát biểu tại lễ kỷ niệm 50 năm giải phóng tỉnh Vĩnh Long (30/4/1975 – 30/4/2025)."
        f"\nMã đối chiếu {GOOD_TOKEN}07.", BAG_INFO["Source-Organization"]))
    (folder / "chu-thich-anh.txt").write_text("Ảnh 01: Lễ mít tinh tại Quảng trường tỉnh Vĩnh Long.\n",
                                              encoding="utf-8")
    bagit.make_bag(str(folder), dict(BAG_INFO), processes=1, checksums=["sha256"])
    # bagit names its own version and the payload size; the rest of bag-info is ours and fixed.
    return folder


def write_ca_certificate(path: Path, signing: "DemoSigning | None" = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((signing or DemoSigning()).ca_pem())
    return path


# --- METS, PREMIS and the TT 05/2025 description ---

def _description_xml(package: DemoPackage) -> bytes:
    root = etree.Element(package.root_tag)
    for name, value in package.fields.items():
        etree.SubElement(root, name).text = value
    for document in package.documents:
        element = etree.SubElement(root, "TaiLieu")
        for name, value in document.fields.items():
            etree.SubElement(element, name).text = value
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _premis_xml(package: DemoPackage, files: list[tuple[str, bytes]]) -> bytes:
    premis = etree.Element(f"{{{PREMIS_NS}}}premis", nsmap={"premis": PREMIS_NS}, version="3.0")
    for number, (relative, content) in enumerate(files, start=1):
        obj = etree.SubElement(premis, f"{{{PREMIS_NS}}}object")
        obj.set("{http://www.w3.org/2001/XMLSchema-instance}type", "premis:file")
        identifier = etree.SubElement(obj, f"{{{PREMIS_NS}}}objectIdentifier")
        etree.SubElement(identifier, f"{{{PREMIS_NS}}}objectIdentifierType").text = "local"
        etree.SubElement(identifier, f"{{{PREMIS_NS}}}objectIdentifierValue").text = f"{package.name}-{number}"
        characteristics = etree.SubElement(obj, f"{{{PREMIS_NS}}}objectCharacteristics")
        fixity = etree.SubElement(characteristics, f"{{{PREMIS_NS}}}fixity")
        etree.SubElement(fixity, f"{{{PREMIS_NS}}}messageDigestAlgorithm").text = "SHA-256"
        etree.SubElement(fixity, f"{{{PREMIS_NS}}}messageDigest").text = hashlib.sha256(content).hexdigest()
        etree.SubElement(characteristics, f"{{{PREMIS_NS}}}size").text = str(len(content))
        etree.SubElement(obj, f"{{{PREMIS_NS}}}originalName").text = relative
    event = etree.SubElement(premis, f"{{{PREMIS_NS}}}event")
    event_id = etree.SubElement(event, f"{{{PREMIS_NS}}}eventIdentifier")
    etree.SubElement(event_id, f"{{{PREMIS_NS}}}eventIdentifierType").text = "local"
    etree.SubElement(event_id, f"{{{PREMIS_NS}}}eventIdentifierValue").text = f"{package.name}-creation"
    etree.SubElement(event, f"{{{PREMIS_NS}}}eventType").text = "creation"
    etree.SubElement(event, f"{{{PREMIS_NS}}}eventDateTime").text = CREATED
    return etree.tostring(premis, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _mets_xml(package: DemoPackage, files: list[tuple[str, bytes, str]]) -> bytes:
    m = lambda name: f"{{{METS_NS}}}{name}"  # noqa: E731
    href = f"{{{XLINK_NS}}}href"
    content_type = "SIP_hoso" if package.root_tag == "HoSo" else "SIP_tailieu"
    mets = etree.Element(m("mets"), nsmap={"mets": METS_NS, "xlink": XLINK_NS, "csip": CSIP_NS},
                         OBJID=package.name, TYPE="Mixed", LABEL=content_type,
                         PROFILE="https://earkcsip.dilcis.eu/profile/E-ARK-CSIP.xml")
    mets.set(f"{{{CSIP_NS}}}CONTENTINFORMATIONTYPE", "OTHER")
    mets.set(f"{{{CSIP_NS}}}OTHERCONTENTINFORMATIONTYPE", f"TT05/2025/TT-BNV {content_type}")
    header = etree.SubElement(mets, m("metsHdr"), CREATEDATE=CREATED, RECORDSTATUS="NEW")
    agent = etree.SubElement(header, m("agent"), ROLE="CREATOR", TYPE="ORGANIZATION")
    etree.SubElement(agent, m("name")).text = "Hệ thống quản lý văn bản và điều hành tỉnh Vĩnh Long"

    def mdref(parent, relative, content, **attributes):
        etree.SubElement(parent, m("mdRef"), LOCTYPE="URL", MIMETYPE="text/xml", SIZE=str(len(content)),
                         CHECKSUM=hashlib.sha256(content).hexdigest(), CHECKSUMTYPE="SHA-256",
                         **{href: relative, f"{{{XLINK_NS}}}type": "simple"}, **attributes)

    by_path = {relative: content for relative, content, _ in files}
    dmd = etree.SubElement(mets, m("dmdSec"), ID="dmd-1", CREATED=CREATED)
    mdref(dmd, "metadata/descriptive/hoso.xml", by_path["metadata/descriptive/hoso.xml"],
          MDTYPE="OTHER", OTHERMDTYPE="TT05-2025")
    amd = etree.SubElement(mets, m("amdSec"))
    digiprov = etree.SubElement(amd, m("digiprovMD"), ID="premis-1")
    mdref(digiprov, "metadata/preservation/premis.xml", by_path["metadata/preservation/premis.xml"], MDTYPE="PREMIS")
    file_sec = etree.SubElement(mets, m("fileSec"))
    group = etree.SubElement(file_sec, m("fileGrp"), USE="Representations/rep1/data")
    for number, (relative, content, media_type) in enumerate(files, start=1):
        if not relative.startswith("representations/"):
            continue
        file_element = etree.SubElement(group, m("file"), ID=f"file-{number}", MIMETYPE=media_type,
                                        SIZE=str(len(content)), CREATED=CREATED,
                                        CHECKSUM=hashlib.sha256(content).hexdigest(), CHECKSUMTYPE="SHA-256")
        etree.SubElement(file_element, m("FLocat"), LOCTYPE="URL",
                         **{href: relative, f"{{{XLINK_NS}}}type": "simple"})
    struct_map = etree.SubElement(mets, m("structMap"), TYPE="PHYSICAL", LABEL="CSIP")
    etree.SubElement(struct_map, m("div"), LABEL=package.name, DMDID="dmd-1", ADMID="premis-1")
    return etree.tostring(mets, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _zip_folder(folder: Path, zip_path: Path, top: str) -> None:
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"{top}/{path.relative_to(folder).as_posix()}", ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


# --- signing: a demo CA and signer whose keys come from a fixed seed ---

class DemoSigning:
    """A certificate authority and the digitising body's signing certificate, the same on every run."""

    def __init__(self, seed: bytes = b"demo archives 2025"):
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        def key(label: bytes):
            number = int.from_bytes(hashlib.sha256(seed + label).digest(), "big")
            return ec.derive_private_key(number % (2 ** 255 - 19), ec.SECP256R1())

        def name(common_name: str):
            return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                              x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Demo archives"),
                              x509.NameAttribute(NameOID.COMMON_NAME, common_name)])

        valid_from, valid_to = datetime(2024, 1, 1, tzinfo=timezone.utc), datetime(2035, 1, 1, tzinfo=timezone.utc)
        ca_key, self.signer_key = key(b"ca"), key(b"signer")
        self.ca_certificate = (
            x509.CertificateBuilder().subject_name(name(CA_NAME)).issuer_name(name(CA_NAME))
            .public_key(ca_key.public_key()).serial_number(1001)
            .not_valid_before(valid_from).not_valid_after(valid_to)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        self.certificate = (
            x509.CertificateBuilder().subject_name(name(SIGNER_NAME)).issuer_name(self.ca_certificate.subject)
            .public_key(self.signer_key.public_key()).serial_number(1002)
            .not_valid_before(valid_from).not_valid_after(valid_to)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )

    def ca_pem(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.ca_certificate.public_bytes(serialization.Encoding.PEM)

    def sign(self, pdf: bytes) -> bytes:
        from asn1crypto import keys as asn1_keys
        from asn1crypto import x509 as asn1_x509
        from cryptography.hazmat.primitives import serialization
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import signers
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        def asn1(certificate):
            return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))

        signer = signers.SimpleSigner(
            signing_cert=asn1(self.certificate),
            signing_key=asn1_keys.PrivateKeyInfo.load(self.signer_key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
            cert_registry=SimpleCertificateStore.from_certs([asn1(self.ca_certificate)]),
        )
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        signed = signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name="ChuKySo"), signer=signer)
        return signed.getvalue()
