"""The TT 05/2025 profile (and the older TT 02/2019 field names) as packages' descriptive metadata carry it."""
from __future__ import annotations

import pytest
from lxml import etree

from indexer.errors import RecordError
from indexer.mapping.tt05 import map_tt05
from schema.index import MAPPINGS

TT05_HOSO = """<HoSo>
  <MaPhong>VL.SNV</MaPhong><TenPhong>Sở Nội vụ tỉnh Vĩnh Long</TenPhong><MucLucSo>01</MucLucSo>
  <MaHoSo>VL.SNV.2024.01.HS001</MaHoSo>
  <TieuDeHoSo>Hồ sơ về việc tiếp nhận hồ sơ điện tử năm 2024</TieuDeHoSo>
  <ThoiGianBatDau>01/02/2024</ThoiGianBatDau><ThoiGianKetThuc>11/2024</ThoiGianKetThuc>
  <ThoiHanBaoQuan>Vĩnh viễn</ThoiHanBaoQuan><MucDoTiepCan>Công khai</MucDoTiepCan>
  <NgonNgu>Tiếng Việt</NgonNgu><SoLuongTo>12</SoLuongTo><SoLuongTrang>18 trang</SoLuongTrang>
  <TuKhoa>nộp lưu; tài liệu điện tử</TuKhoa><MucDoTinCay>Số hóa</MucDoTinCay>
  <MaHoSoGiayGoc>VL.SNV.ML01.HS045</MaHoSoGiayGoc><CoQuanHinhThanhPhong>Sở Nội vụ tỉnh Vĩnh Long</CoQuanHinhThanhPhong>
  <TinhThanh>Tỉnh Vĩnh Long</TinhThanh>
  <LichSuDonViHinhThanhPhong>Sở Nội vụ được thành lập năm 1976.</LichSuDonViHinhThanhPhong>
  <TaiLieu>
    <MaDinhDanhVanBan>000.00.12.H62.2024.KH12</MaDinhDanhVanBan><SoThuTu>1</SoThuTu>
    <TenLoaiVanBan>Kế hoạch</TenLoaiVanBan><SoVanBan>12</SoVanBan><KyHieuVanBan>KH-SNV</KyHieuVanBan>
    <NgayVanBan>ngày 1 tháng 2 năm 2024</NgayVanBan><TrichYeuNoiDung>Kế hoạch thu thập tài liệu</TrichYeuNoiDung>
    <NguoiKy>Nguyễn Văn Bình</NguoiKy><TepTin>representations/rep1/data/KH.pdf</TepTin>
  </TaiLieu>
  <TaiLieu><SoThuTu>2</SoThuTu><TrichYeuNoiDung>Danh mục hồ sơ cán bộ</TrichYeuNoiDung>
    <MucDoTiepCan>Mật</MucDoTiepCan></TaiLieu>
</HoSo>"""

TT02_FILE = """<File>
  <FileCode>TV.SNV.2019.07.HS012</FileCode><Title>Hồ sơ thi tuyển công chức năm 2019</Title>
  <StartDate>03/2019</StartDate><EndDate>2019-12-31</EndDate><Maintenance>70 năm</Maintenance>
  <Rights>Hạn chế sử dụng</Rights><Language>vie</Language><PageTotal>40</PageTotal>
  <OrganName>Sở Nội vụ tỉnh Trà Vinh</OrganName><Province>Tỉnh Trà Vinh</Province>
  <Document><DocCode>QD88</DocCode><TypeName>Quyết định</TypeName><CodeNumber>88</CodeNumber>
    <CodeNotation>QĐ-SNV</CodeNotation><IssuedDate>2019-03-20</IssuedDate>
    <Subject>Quyết định phê duyệt kế hoạch thi tuyển</Subject><Autograph>Lê Văn Tâm</Autograph>
    <Mode>Công khai</Mode></Document>
</File>"""


def _map(xml: str, package_id: str = "PKG"):
    mapped = map_tt05(etree.fromstring(xml.encode()), source_id="nop", holding_province="86", package_id=package_id)
    return {m.document["local_id"]: m for m in mapped}


def test_a_hoso_gives_its_fonds_series_itself_and_its_documents_in_a_hierarchy():
    records = _map(TT05_HOSO)
    assert [(k, m.document["level"]) for k, m in records.items()] == [
        ("VL.SNV", "fonds"), ("VL.SNV/ML01", "series"), ("VL.SNV.2024.01.HS001", "file"),
        ("000.00.12.H62.2024.KH12", "item"), ("VL.SNV.2024.01.HS001/002", "item")]
    item = records["000.00.12.H62.2024.KH12"].document
    assert item["parent_id"] == "nop:VL.SNV.2024.01.HS001"
    assert item["path"] == ["nop:VL.SNV", "nop:VL.SNV/ML01", "nop:VL.SNV.2024.01.HS001"]
    assert records["VL.SNV"].document["title"] == "Phông Sở Nội vụ tỉnh Vĩnh Long"
    # lịch sử đơn vị hình thành phông: the fonds keeps it, for its creator's page (issue 19)
    assert records["VL.SNV"].document["admin_history"] == "Sở Nội vụ được thành lập năm 1976."
    assert records["VL.SNV.2024.01.HS001"].document.get("admin_history") is None


def test_tt05_fields_of_the_hoso():
    hoso = _map(TT05_HOSO)["VL.SNV.2024.01.HS001"].document
    assert hoso["reference_code"] == "VL.SNV.2024.01.HS001"
    assert (hoso["date_start"], hoso["date_end"]) == ("2024-02-01", "2024-11-30")
    assert (hoso["retention"], hoso["language"], hoso["sheets"], hoso["pages"]) == ("Vĩnh viễn", "vi", 12, 18)
    assert hoso["reliability"] == "digitised" and hoso["paper_original_code"] == "VL.SNV.ML01.HS045"
    assert hoso["keywords"] == ["nộp lưu", "tài liệu điện tử"]
    assert hoso["access"] == "public" and hoso["origin_province"] == "86"


def test_tt05_fields_of_a_document_and_its_file():
    mapped = _map(TT05_HOSO)["000.00.12.H62.2024.KH12"]
    item = mapped.document
    assert (item["doc_type"], item["doc_number"], item["signer"]) == ("Kế hoạch", "12/KH-SNV", "Nguyễn Văn Bình")
    assert item["date_start"] == item["date_end"] == "2024-02-01"
    assert item["title"] == "Kế hoạch thu thập tài liệu"
    assert item["creator"] == "Sở Nội vụ tỉnh Vĩnh Long"  # from its hồ sơ
    assert mapped.file_urls == ["representations/rep1/data/KH.pdf"]


def test_a_document_inherits_the_access_of_its_hoso_unless_it_states_its_own():
    records = _map(TT05_HOSO)
    assert records["000.00.12.H62.2024.KH12"].document["access"] == "public"
    assert records["VL.SNV.2024.01.HS001/002"].document["access"] == "closed"


def test_older_tt02_names_are_read_with_the_former_province_mapped_to_the_current_one():
    records = _map(TT02_FILE)
    hoso = records["TV.SNV.2019.07.HS012"].document
    assert hoso["access"] == "restricted"  # Hạn chế sử dụng
    assert (hoso["date_start"], hoso["date_end"]) == ("2019-03-01", "2019-12-31")
    assert hoso["retention"] == "70 năm" and hoso["pages"] == 40 and hoso["language"] == "vi"
    assert hoso["origin_province_name"].endswith("Trà Vinh")
    assert hoso["origin_province"] != "86" and hoso["origin_province_current"] == "86"
    item = records["QD88"].document
    assert (item["doc_number"], item["signer"], item["access"]) == ("88/QĐ-SNV", "Lê Văn Tâm", "public")
    assert item["origin_province"] == hoso["origin_province"]


def test_documents_alone_are_items_without_a_parent():
    records = _map("<DanhSachTaiLieu><TaiLieu><TrichYeuNoiDung>Công văn</TrichYeuNoiDung>"
                   "<MucDoTiepCan>Công khai</MucDoTiepCan></TaiLieu></DanhSachTaiLieu>", package_id="SIP_tailieu-1")
    (local_id, mapped), = records.items()
    assert local_id == "SIP_tailieu-1/001"
    assert mapped.document["level"] == "item" and mapped.document["parent_id"] is None


def test_field_names_compare_without_diacritics_case_or_underscores():
    records = _map("<ho_so><ma_ho_so>X1</ma_ho_so><tieu_de_ho_so>Tiêu đề</tieu_de_ho_so>"
                   "<MUC_DO_TIEP_CAN>Sử dụng có điều kiện</MUC_DO_TIEP_CAN></ho_so>")
    assert records["X1"].document["access"] == "restricted"


def test_a_hoso_without_an_access_level_is_closed():
    records = _map("<HoSo><MaHoSo>X</MaHoSo><TieuDeHoSo>T</TieuDeHoSo></HoSo>")
    assert records["X"].document["access"] == "closed"


def test_documents_have_only_fields_of_the_strict_index_mapping():
    for xml in (TT05_HOSO, TT02_FILE):
        for mapped in _map(xml).values():
            assert set(mapped.document) <= set(MAPPINGS["properties"])


@pytest.mark.parametrize("xml, message", [
    ("<Ledger/>", "not a TT 05/2025"),
    ("<HoSo><MaHoSo>X</MaHoSo></HoSo>", "has no title"),
    ("<HoSo><MaHoSo>X</MaHoSo><TieuDeHoSo>T</TieuDeHoSo><SoLuongTo>mười hai</SoLuongTo></HoSo>", "not a number"),
    ("<HoSo><MaHoSo>X</MaHoSo><TieuDeHoSo>T</TieuDeHoSo><TaiLieu><SoThuTu>1</SoThuTu></TaiLieu></HoSo>",
     "has no summary"),
    ("<DanhSachTaiLieu/>", "empty"),
])
def test_malformed_descriptions_raise_a_clear_record_error(xml, message):
    with pytest.raises(RecordError, match=message):
        _map(xml)
