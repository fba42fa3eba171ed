"""The shapes of the demo catalogue: an archive, its records and their files.

Plain mutable dataclasses, so two builds compare equal field by field and a test may alter a record (mark it
deleted, move its datestamp) before handing the archives to the provider.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LEVELS = ("fonds", "series", "file", "item")
ACCESS_LEVELS = ("public", "restricted", "closed")

# The wording of the access levels (mức độ tiếp cận) in Thông tư 05/2025/TT-BNV, as dc:rights carries it.
ACCESS_WORDING = {
    "public": "Công khai",
    "restricted": "Sử dụng có điều kiện",
    "closed": "Mật",
}
# Whether a fonds still grows (phông mở) or is closed for good (phông đóng): its agency or its unit has ended.
FONDS_STATUSES = ("open", "closed")
# Their wording as the second dc:type of a fonds carries it.
FONDS_STATUS_WORDING = {
    "open": "phông mở",
    "closed": "phông đóng",
}
# Rank for "at least as restrictive as" comparisons between a file and its items.
ACCESS_RANK = {"public": 0, "restricted": 1, "closed": 2}

PDF_MEDIA_TYPE = "application/pdf"
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TIFF_MEDIA_TYPE = "image/tiff"

# Prefix of the leak-test token; ASCII so a test can grep rendered files and search results for it.
CONTENT_TOKEN_PREFIX = "MATKHAU"


@dataclass
class DemoFile:
    """A file attached to an item: its name in URLs, its media type and the prose it renders. A scan
    (`scan`: its noise level, demo/scans.py) renders the prose as page images only, without a text layer:
    its `content_text` is then the true text OCR is measured against."""

    name: str
    media_type: str
    content_text: str
    scan: str | None = None


@dataclass
class DemoRecord:
    """One described unit at any level: phông (fonds), mục lục (series), hồ sơ (file) or văn bản (item)."""

    serial: int  # unique across all archives of one build; the leak-test token is made from it
    local_id: str  # e.g. "BT.UBND/ML01/HS012/VB03"
    level: str
    ancestors: list[str]  # local_ids, root (fonds) first; empty for a fonds
    reference_code: str  # e.g. "BTE.P21.ML01.HS012.03"
    title: str
    description: str
    creator: str
    signer: str | None  # items only
    doc_number: str | None  # items only, e.g. "125/QĐ-UBND"
    doc_type: str | None  # items only, e.g. "Quyết định"
    date_start: str  # ISO YYYY-MM-DD
    date_end: str
    origin_province_name: str  # the unit that produced it, e.g. "Tỉnh Bến Tre"
    access: str  # one of ACCESS_LEVELS
    subjects: list[str]
    language: str
    files: list[DemoFile]
    deleted: bool
    datestamp: str  # UTC, YYYY-MM-DDThh:mm:ssZ
    set_spec: str  # the fonds code of its fonds, e.g. "P21"
    # Fonds only (None below): lịch sử đơn vị hình thành phông, khối lượng, phông đóng / mở.
    admin_history: str | None = None
    extent: str | None = None  # e.g. "0,7 mét giá; 28 hồ sơ"
    fonds_status: str | None = None  # one of FONDS_STATUSES

    @property
    def parent_id(self) -> str | None:
        return self.ancestors[-1] if self.ancestors else None

    def file_named(self, name: str) -> DemoFile | None:
        return next((demo_file for demo_file in self.files if demo_file.name == name), None)


@dataclass
class Archive:
    """A provincial historical archive (Trung tâm Lưu trữ lịch sử) and the records it publishes."""

    slug: str
    name: str
    province_code: int  # code of the holding province among the 34
    repository_domain: str
    records: list[DemoRecord] = field(default_factory=list)
    # What its OAI-PMH endpoint disseminates: oai_dc (a record a unit); oai_ead (a finding aid a fonds) too for
    # an AtoM-like archive.
    metadata_prefixes: tuple[str, ...] = ("oai_dc",)

    @property
    def admin_email(self) -> str:
        return f"luutru@{self.repository_domain}"

    def oai_identifier(self, record: DemoRecord) -> str:
        return f"oai:{self.repository_domain}:{record.local_id}"

    def record_by_local_id(self, local_id: str) -> DemoRecord | None:
        # Looked up afresh each time: tests may change `records` after the provider was created.
        return next((record for record in self.records if record.local_id == local_id), None)

    def fonds_records(self) -> list[DemoRecord]:
        return [record for record in self.records if record.level == "fonds"]


def content_token(record: DemoRecord) -> str | None:
    """The token the files of a restricted or closed record contain (e.g. "MATKHAU0042"); None for a public one.

    Leak tests search for it: it must never reach anyone who may not read the record's content.
    """
    if record.access == "public":
        return None
    return f"{CONTENT_TOKEN_PREFIX}{record.serial:04d}"
