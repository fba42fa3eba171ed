"""The Vietnamese archival profile of Thông tư 05/2025/TT-BNV (and the older 02/2019 field names) → records.

Agency records systems describe a hồ sơ (file) and its tài liệu / văn bản (items) in the descriptive
metadata of the packages they hand over (SIP_hoso: one hồ sơ with its documents; SIP_tailieu: documents
alone). One element a field, named as the circular names it, in any of these spellings (compared
without diacritics, case, spaces or underscores):

  hồ sơ     MaHoSo / FileCode, TieuDeHoSo / Title, ThoiGianBatDau / StartDate, ThoiGianKetThuc / EndDate,
            ThoiHanBaoQuan / Maintenance, MucDoTiepCan (TT 05) / CheDoSuDung / Rights, NgonNgu / Language,
            SoLuongTo / SheetTotal, SoLuongTrang / PageTotal, ChuGiai / GhiChu / Description, TuKhoa / KeyWord,
            MucDoTinCay / ConfidenceLevel, MaHoSoGiayGoc (paper original), MaPhong / TenPhong (its fonds),
            LichSuDonViHinhThanhPhong (its creator's history), MucLucSo / FileCatalog (its series),
            CoQuanHinhThanhPhong / OrganName, TinhThanh / NoiHinhThanh
  tài liệu  MaDinhDanhVanBan / DocCode, SoThuTu / DocOrdinal, TenLoaiVanBan / TypeName, SoVanBan / CodeNumber,
            KyHieuVanBan / CodeNotation, NgayVanBan / IssuedDate, CoQuanBanHanh / OrganName,
            TrichYeuNoiDung / Subject, NguoiKy / Signer, MucDoTiepCan / CheDoSuDung / Mode, TepTin (its files)

The root is the hồ sơ (HoSo / File) with its documents (TaiLieu / VanBan / Document) inside, or a list of
documents alone (DanhSachTaiLieu). Files are named by their path inside the package; the package reader
resolves them. A fonds named by MaPhong and a series by MucLucSo become records of their own, so the hồ sơ
has a place in the hierarchy.
"""
from __future__ import annotations

import re

from lxml import etree

from indexer.errors import RecordError
from indexer.mapping.access_levels import map_access
from schema.access_policy import DEFAULT_POLICY, AccessPolicy
from indexer.mapping.dates import parse_date_range
from indexer.mapping.oai_dc import MappedRecord
from indexer.mapping.text import clean_text
from indexer.mapping.placement import placement_fields
from schema.folding import without_diacritics
from schema.provinces import resolve_origin

# Each field of the record schema → the element names the circulars use for it (normalised by _key).
FILE_FIELDS = {
    "code": ("mahoso", "filecode", "hososo"),
    "title": ("tieudehoso", "tieude", "title"),
    "date_start": ("thoigianbatdau", "startdate"),
    "date_end": ("thoigianketthuc", "enddate"),
    "retention": ("thoihanbaoquan", "thoihanluutru", "maintenance"),
    "access": ("mucdotiepcan", "chedosudung", "rights", "mode"),
    "language": ("ngonngu", "language"),
    "sheets": ("soluongto", "sheettotal", "tongsoto"),
    "pages": ("soluongtrang", "pagetotal", "tongsotrang"),
    "description": ("chugiai", "ghichu", "description"),
    "keywords": ("tukhoa", "keyword"),
    "reliability": ("mucdotincay", "confidencelevel"),
    "paper_original_code": ("mahosogiaygoc", "mahosogoc", "papercode"),
    "fonds_code": ("maphong", "fondscode", "organid"),
    "fonds_name": ("tenphong", "fondsname"),
    # Lịch sử đơn vị hình thành phông: the creator's history (ISAAR(CPF) 5.2.2), kept on the fonds.
    "admin_history": ("lichsudonvihinhthanhphong", "lichsuhinhthanhphong", "lichsuphong", "fondshistory"),
    "series": ("muclucso", "filecatalog", "muclu"),
    "creator": ("coquanhinhthanhphong", "tencoquan", "organname", "coquanbanhanh"),
    "origin": ("tinhthanh", "noihinhthanh", "province"),
}
ITEM_FIELDS = {
    "code": ("madinhdanhvanban", "madinhdanh", "doccode"),
    "ordinal": ("sothutu", "sothutuvanban", "docordinal"),
    "doc_type": ("tenloaivanban", "typename"),
    "number": ("sovanban", "so", "codenumber"),
    "notation": ("kyhieuvanban", "kyhieu", "codenotation"),
    "date": ("ngayvanban", "ngaythangnamvanban", "issueddate"),
    "creator": ("coquanbanhanh", "tencoquantochucbanhanhvanban", "organname"),
    "title": ("trichyeunoidung", "trichyeu", "subject", "title"),
    "signer": ("nguoiky", "signer", "autograph"),
    "access": ("mucdotiepcan", "chedosudung", "mode", "rights"),
    "language": ("ngonngu", "language"),
    "pages": ("soluongtrang", "sotrang", "pageamount"),
    "description": ("ghichu", "description"),
    "keywords": ("tukhoa", "keyword"),
    "reliability": ("mucdotincay", "confidencelevel"),
    "paper_original_code": ("mavanbangiaygoc", "mahosogiaygoc", "papercode"),
    "files": ("teptin", "tentep", "tepdinhkem", "filename", "file"),
    "origin": ("tinhthanh", "noihinhthanh", "province"),
}
_FILE_ROOTS = {"hoso", "file", "dossier"}
_ITEM_TAGS = {"tailieu", "vanban", "document", "doc"}
_LIST_ROOTS = {"danhsachtailieu", "tailieus", "documents", "danhsachvanban"}
_RELIABILITY = (("hỗn hợp", "mixed"), ("số hóa", "digitised"), ("số hoá", "digitised"),
                ("điện tử", "born-digital"), ("mixed", "mixed"), ("digiti", "digitised"), ("born", "born-digital"))
_LANGUAGES = {"tiếng việt": "vi", "việt": "vi", "vie": "vi", "vi": "vi", "tiếng anh": "en", "eng": "en", "en": "en",
              "tiếng pháp": "fr", "fra": "fr", "fre": "fr", "fr": "fr"}
_NUMBER = re.compile(r"\d+")


def _key(name: str) -> str:
    """'Tiêu đề hồ sơ', 'TieuDeHoSo' and 'tieu_de_ho_so' are one key: 'tieudehoso'."""
    return re.sub(r"[^a-z0-9]", "", without_diacritics(name).lower())


def map_tt05(
    metadata: etree._Element, *, source_id: str, holding_province: str, package_id: str = "",
    access_policy: AccessPolicy = DEFAULT_POLICY,
) -> list[MappedRecord]:
    """The records a package describes: its fonds and series (when named), the hồ sơ, then its documents."""
    if metadata is None or not isinstance(metadata.tag, str):
        raise RecordError("mapping", "the package has no TT 05/2025 descriptive metadata")
    root_key = _key(etree.QName(metadata).localname)
    if root_key in _FILE_ROOTS:
        return _map_file(metadata, source_id, holding_province, package_id, access_policy)
    if root_key in _LIST_ROOTS or root_key in _ITEM_TAGS:
        items = [metadata] if root_key in _ITEM_TAGS else _item_elements(metadata)
        if not items:
            raise RecordError("mapping", "the list of documents (tài liệu) is empty")
        base = _Base(source_id, holding_province, parent_local=None, path=[], access=None, origin=None,
                     access_policy=access_policy)
        return [_map_item(item, base, position, package_id) for position, item in enumerate(items, start=1)]
    raise RecordError("mapping", f"<{etree.QName(metadata).localname}> is not a TT 05/2025 hồ sơ or tài liệu")


class _Base:
    """What a document inherits from its hồ sơ."""

    def __init__(self, source_id, holding_province, parent_local, path, access, origin, language=None,
                 reliability=None, creator=None, access_policy: AccessPolicy = DEFAULT_POLICY):
        self.source_id, self.holding_province, self.access_policy = source_id, holding_province, access_policy
        self.parent_local, self.path, self.access, self.origin = parent_local, path, access, origin
        self.language, self.reliability, self.creator = language, reliability, creator


def _fields(element, names: dict[str, tuple[str, ...]]) -> dict[str, list[str]]:
    """The values of the fields of this element (its direct children), by schema field."""
    by_key = {alias: field for field, aliases in names.items() for alias in aliases}
    values: dict[str, list[str]] = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        field = by_key.get(_key(etree.QName(child).localname))
        text = clean_text("".join(child.itertext()), keep_newlines=True)
        if field and text:
            values.setdefault(field, []).append(text)
    return values


def _first(values: dict[str, list[str]], name: str) -> str | None:
    found = values.get(name)
    return found[0] if found else None


def _item_elements(element) -> list:
    found = []
    for child in element:
        if not isinstance(child.tag, str):
            continue
        key = _key(etree.QName(child).localname)
        if key in _ITEM_TAGS:
            found.append(child)
        elif key in _LIST_ROOTS:
            found.extend(_item_elements(child))
    return found


def _map_file(element, source_id: str, holding_province: str, package_id: str,
              access_policy: AccessPolicy) -> list[MappedRecord]:
    values = _fields(element, FILE_FIELDS)
    code = _first(values, "code") or package_id
    title = _first(values, "title")
    if not code:
        raise RecordError("mapping", "the hồ sơ has no code (MaHoSo / FileCode)")
    if not title:
        raise RecordError("mapping", f"the hồ sơ {code} has no title (TieuDeHoSo / Title)")
    origin = _origin(values)
    access = map_access(values.get("access", []), access_policy)
    records: list[MappedRecord] = []
    path: list[str] = []
    fonds_code = _first(values, "fonds_code")
    creator = _first(values, "creator")
    if fonds_code:
        fonds_name = _first(values, "fonds_name") or creator or fonds_code
        fonds_title = fonds_name if _key(fonds_name).startswith("phong") else f"Phông {fonds_name}"
        # A fonds handed over a package at a time is public as a description; what is closed is its files.
        fonds = _document(source_id, holding_province, fonds_code, "fonds", fonds_title, origin,
                          (access[0] if access[0] == "closed" else "public", None), path=[])
        fonds.update(reference_code=fonds_code, creator=creator, admin_history=_first(values, "admin_history"))
        records.append(MappedRecord(fonds))
        path = [fonds["id"]]
        series_number = _first(values, "series")
        if series_number:
            series_local = f"{fonds_code}/ML{_digits(series_number)}"
            series = _document(source_id, holding_province, series_local, "series", f"Mục lục số {series_number}",
                               origin, (fonds["access"], None), path=path)
            series.update(reference_code=f"{fonds_code}.ML{_digits(series_number)}", creator=creator)
            records.append(MappedRecord(series))
            path = path + [series["id"]]
    dates = _date_range(_first(values, "date_start"), _first(values, "date_end"))
    language = _language(_first(values, "language"))
    reliability = _reliability(_first(values, "reliability"))
    hoso = _document(source_id, holding_province, code, "file", title, origin, access, path=path)
    hoso.update(
        reference_code=code,
        description=_first(values, "description"),
        creator=creator,
        retention=_first(values, "retention"),
        language=language,
        sheets=_integer(_first(values, "sheets"), code, "sheets"),
        pages=_integer(_first(values, "pages"), code, "pages"),
        reliability=reliability,
        paper_original_code=_first(values, "paper_original_code"),
        keywords=_keywords(values),
        **_dates(dates),
    )
    records.append(MappedRecord(hoso, unrecognised_access=access.unrecognised))
    base = _Base(source_id, holding_province, code, path + [hoso["id"]], access, origin, language, reliability,
                 creator, access_policy)
    for position, item in enumerate(_item_elements(element), start=1):
        records.append(_map_item(item, base, position, package_id))
    return records


def _map_item(element, base: _Base, position: int, package_id: str) -> MappedRecord:
    values = _fields(element, ITEM_FIELDS)
    ordinal = _first(values, "ordinal") or str(position)
    if _first(values, "code"):
        local_id = _first(values, "code")
    elif base.parent_local:
        local_id = f"{base.parent_local}/{_digits(ordinal):0>3}"
    else:
        local_id = f"{package_id}/{_digits(ordinal):0>3}" if package_id else ""
    title = _first(values, "title")
    if not local_id:
        raise RecordError("mapping", f"document {position} has no identifier (MaDinhDanhVanBan / DocCode)")
    if not title:
        raise RecordError("mapping", f"the document {local_id} has no summary (TrichYeuNoiDung / Subject)")
    stated = values.get("access", [])
    own_access = stated or base.access is None
    access = map_access(stated, base.access_policy) if own_access else base.access
    origin = _origin(values) or base.origin
    dates = parse_date_range(_first(values, "date"))
    number, notation = _first(values, "number"), _first(values, "notation")
    doc_number = f"{number}/{notation}" if number and notation else number or notation
    document = _document(base.source_id, base.holding_province, local_id, "item", title, origin, access, base.path)
    document.update(
        reference_code=f"{base.parent_local}.{_digits(ordinal):0>3}" if base.parent_local else local_id,
        description=_first(values, "description"),
        creator=_first(values, "creator") or base.creator,
        signer=_first(values, "signer"),
        doc_number=doc_number,
        doc_type=_first(values, "doc_type"),
        language=_language(_first(values, "language")) or base.language,
        pages=_integer(_first(values, "pages"), local_id, "pages"),
        reliability=_reliability(_first(values, "reliability")) or base.reliability,
        paper_original_code=_first(values, "paper_original_code"),
        keywords=_keywords(values),
        **_dates(dates),
    )
    return MappedRecord(document, file_urls=values.get("files", []),
                        unrecognised_access=access.unrecognised if own_access else ())


def _document(source_id, holding_province, local_id, level, title, origin, access, path) -> dict:
    return {
        **placement_fields(source_id, local_id, holding_province, origin, level, path),
        "reference_code": None,
        "title": title,
        "access": access[0],
        "access_reason": access[1],
        "deleted": False,
    }


def _origin(values):
    name = _first(values, "origin")
    if name:
        return resolve_origin(name)
    creator = _first(values, "creator")
    return resolve_origin(creator) if creator else None


def _date_range(start: str | None, end: str | None) -> tuple[str, str] | None:
    first, last = parse_date_range(start), parse_date_range(end)
    if first and last and first[0] <= last[1]:
        return first[0], last[1]
    return first or last


def _dates(dates) -> dict:
    return {
        "date_start": dates[0] if dates else None,
        "date_end": dates[1] if dates else None,
        "year_start": int(dates[0][:4]) if dates else None,
        "year_end": int(dates[1][:4]) if dates else None,
    }


def _integer(value: str | None, where: str, name: str) -> int | None:
    if not value:
        return None
    found = _NUMBER.search(value)
    if not found:
        raise RecordError("mapping", f"{where}: {name} is not a number: {value!r}")
    return int(found.group())


def _digits(value: str) -> str:
    found = _NUMBER.search(value)
    return found.group().lstrip("0").rjust(2, "0") if found else re.sub(r"\W+", "-", value)


def _language(value: str | None) -> str | None:
    if not value:
        return None
    return _LANGUAGES.get(value.strip().lower(), value.strip().lower()[:8])


def _reliability(value: str | None) -> str | None:
    if not value:
        return None
    lowered = value.lower()
    return next((term for word, term in _RELIABILITY if word in lowered), None)


def _keywords(values) -> list[str]:
    keywords = []
    for value in values.get("keywords", []):
        keywords.extend(word.strip() for word in re.split(r"[;,]", value) if word.strip())
    return keywords
