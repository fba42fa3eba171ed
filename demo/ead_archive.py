"""A fourth, small demo archive that publishes EAD finding aids, as AtoM does: Lâm Đồng.

Since 1 July 2025 the historical archive of Lâm Đồng holds its own fonds and those of the provinces merged into
it (Đắk Nông, Bình Thuận). `build_ead_archive()` gives two fonds, each with two series (mục lục) of two hồ sơ
of three documents; the first document of each hồ sơ has a PDF. It is served beside the three oai_dc archives
with both oai_dc (one record a unit) and oai_ead (one finding aid a fonds); it is not part of
`build_archives()`, so the counts of the three archives stay as they were. Written out, not drawn from a
random generator: a test can name every record.
"""

from __future__ import annotations

from demo.models import PDF_MEDIA_TYPE, Archive, DemoFile, DemoRecord, content_token

SLUG = "lamdong"
NAME = "Trung tâm Lưu trữ lịch sử tỉnh Lâm Đồng"
PROVINCE_CODE = 68
DOMAIN = "lamdong.luutru.gov.vn"
FIRST_SERIAL = 9001
DATESTAMP = "2025-07-10T09:00:00Z"

# (fonds key, reference code, creator, origin, years, closed?, administrative history)
_FONDS = (
    ("LD.UBND", "LDG.P01", "Ủy ban nhân dân tỉnh Lâm Đồng", "Tỉnh Lâm Đồng", (1976, 2024), False,
     "Tỉnh Lâm Đồng được thành lập năm 1976 trên cơ sở hợp nhất tỉnh Lâm Đồng và tỉnh Tuyên Đức. Từ ngày 01 "
     "tháng 7 năm 2025, tỉnh Đắk Nông và tỉnh Bình Thuận hợp nhất vào tỉnh Lâm Đồng."),
    ("DNO.UBND", "DNO.P01", "Ủy ban nhân dân tỉnh Đắk Nông", "Tỉnh Đắk Nông", (2004, 2025), True,
     "Tỉnh Đắk Nông được thành lập từ ngày 01 tháng 01 năm 2004 trên cơ sở chia tỉnh Đắk Lắk. Từ ngày 01 tháng 7 "
     "năm 2025, tỉnh Đắk Nông hợp nhất vào tỉnh Lâm Đồng; phông được giao nộp về Trung tâm Lưu trữ lịch sử tỉnh "
     "Lâm Đồng và giữ nguyên là một phông đóng."),
)
# (series title, hồ sơ: (title, year, [(doc type, number, summary, signer)]))
_SERIES = (
    ("Mục lục hồ sơ Văn phòng", (
        ("Hồ sơ về việc phát triển cây cà phê và chè trên địa bàn {unit}", 0, (
            ("Tờ trình", "TTr-UBND", "về việc đề nghị phê duyệt đề án phát triển cây cà phê", "Nguyễn Văn Hùng"),
            ("Quyết định", "QĐ-UBND", "về việc phê duyệt đề án phát triển cây cà phê và chè", "Nguyễn Văn Hùng"),
            ("Báo cáo", "BC-UBND", "kết quả thực hiện đề án phát triển cây cà phê", "Trần Thị Lan"),
        )),
        ("Hồ sơ về việc bảo vệ và phát triển rừng {unit}", 1, (
            ("Chỉ thị", "CT-UBND", "về việc tăng cường công tác quản lý, bảo vệ rừng", "Nguyễn Văn Hùng"),
            ("Kế hoạch", "KH-UBND", "phòng cháy, chữa cháy rừng mùa khô", "Trần Thị Lan"),
            ("Công văn", "UBND-NN", "về việc xử lý các vụ phá rừng trái phép", "Trần Thị Lan"),
        )),
    )),
    ("Mục lục hồ sơ Tổ chức cán bộ", (
        ("Hồ sơ về việc bổ nhiệm cán bộ lãnh đạo các sở {unit}", 2, (
            ("Tờ trình", "TTr-SNV", "về việc bổ nhiệm Giám đốc Sở Nông nghiệp", "Lê Minh Tuấn"),
            ("Quyết định", "QĐ-UBND", "về việc bổ nhiệm Giám đốc Sở Nông nghiệp", "Nguyễn Văn Hùng"),
            ("Biên bản", "BB-SNV", "kiểm phiếu tín nhiệm cán bộ lãnh đạo", "Lê Minh Tuấn"),
        )),
        ("Hồ sơ về việc khen thưởng tập thể, cá nhân {unit}", 3, (
            ("Quyết định", "QĐ-UBND", "về việc tặng Bằng khen cho tập thể, cá nhân", "Nguyễn Văn Hùng"),
            ("Danh sách", "DS-SNV", "tập thể, cá nhân được đề nghị khen thưởng", "Lê Minh Tuấn"),
            ("Thông báo", "TB-UBND", "kết quả xét khen thưởng năm", "Trần Thị Lan"),
        )),
    )),
)
# The hồ sơ on appointments is restricted, one document in it closed; the rest is public.
_RESTRICTED_FILE_INDEX = 2
_CLOSED_ITEM_NUMBER = 3


def build_ead_archive() -> Archive:
    records: list[DemoRecord] = []
    serial = FIRST_SERIAL
    for fonds_key, fonds_code, creator, origin, (first_year, last_year), closed, history in _FONDS:
        unit = origin[0].lower() + origin[1:]
        span = last_year - first_year
        fonds = _record(serial, fonds_key, "fonds", [], fonds_code, f"Phông {creator} ({first_year}–{last_year})",
                        f"Tài liệu hành chính của {creator} từ năm {first_year} đến năm {last_year}.", creator,
                        f"{first_year}-01-01", f"{last_year}-12-31", origin, "public", fonds_code)
        fonds.admin_history, fonds.extent = history, "0,4 mét giá; 4 hồ sơ"
        fonds.fonds_status = "closed" if closed else "open"
        records.append(fonds)
        serial += 1
        for series_number, (series_title, files) in enumerate(_SERIES, start=1):
            series_local = f"{fonds_key}/ML{series_number:02d}"
            series_years = (first_year + span * (series_number - 1) // 2, first_year + span * series_number // 2)
            series = _record(serial, series_local, "series", [fonds_key], f"{fonds_code}.ML{series_number:02d}",
                             series_title, f"{series_title} của {creator}.", creator, f"{series_years[0]}-01-01",
                             f"{series_years[1]}-12-31", origin, "public", fonds_code)
            records.append(series)
            serial += 1
            for file_title, file_index, documents in files:
                file_number = file_index % 2 + 1
                year = series_years[0] + file_number + 1
                file_local = f"{series_local}/HS{file_number:03d}"
                access = "restricted" if file_index == _RESTRICTED_FILE_INDEX else "public"
                hoso = _record(serial, file_local, "file", [fonds_key, series_local],
                               f"{series.reference_code}.HS{file_number:03d}", file_title.format(unit=unit),
                               f"{file_title.format(unit=unit)} năm {year}.", creator, f"{year}-02-01",
                               f"{year}-11-30", origin, access, fonds_code)
                records.append(hoso)
                serial += 1
                for item_number, (doc_type, notation, summary, signer) in enumerate(documents, start=1):
                    item_access = "closed" if (access == "restricted" and item_number == _CLOSED_ITEM_NUMBER) \
                        else access
                    day = f"{year}-{2 + item_number * 3:02d}-{10 + item_number:02d}"
                    item = _record(serial, f"{file_local}/VB{item_number:02d}", "item",
                                   [fonds_key, series_local, file_local],
                                   f"{hoso.reference_code}.{item_number:02d}", f"{doc_type} {summary}",
                                   f"{doc_type} {summary} của {creator}.", creator, day, day, origin, item_access,
                                   fonds_code)
                    item.signer, item.doc_type = signer, doc_type
                    item.doc_number = f"{10 * file_number + item_number}/{notation}"
                    if item_number == 1:
                        item.files = [DemoFile(f"VB{item_number:02d}.pdf", PDF_MEDIA_TYPE, _file_text(item))]
                    records.append(item)
                    serial += 1
    return Archive(SLUG, NAME, PROVINCE_CODE, DOMAIN, records, metadata_prefixes=("oai_dc", "oai_ead"))


def _record(serial, local_id, level, ancestors, reference_code, title, description, creator, start, end, origin,
            access, set_spec) -> DemoRecord:
    return DemoRecord(
        serial=serial, local_id=local_id, level=level, ancestors=list(ancestors), reference_code=reference_code,
        title=title, description=description, creator=creator, signer=None, doc_number=None, doc_type=None,
        date_start=start, date_end=end, origin_province_name=origin, access=access,
        subjects=["Quản lý nhà nước", origin.removeprefix("Tỉnh ")], language="vi", files=[], deleted=False,
        datestamp=DATESTAMP, set_spec=set_spec,
    )


def _file_text(item: DemoRecord) -> str:
    lines = [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        f"{item.doc_type.upper()} số {item.doc_number}",
        f"{item.title}.",
        f"Cơ quan ban hành: {item.creator}. Người ký: {item.signer}.",
        "Tài liệu thuộc phông lưu trữ do Trung tâm Lưu trữ lịch sử tỉnh Lâm Đồng quản lý (dữ liệu EAD mẫu).",
    ]
    token = content_token(item)
    if token:
        lines.append(f"Mã kiểm tra nội dung: {token}.")
    return "\n".join(lines)
