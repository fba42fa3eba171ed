"""The generated demo catalogue: deterministic, big enough, shaped like a real archive's hierarchy."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from demo.catalogue import build_archives
from demo.models import (
    ACCESS_RANK,
    CONTENT_TOKEN_PREFIX,
    DOCX_MEDIA_TYPE,
    FONDS_STATUSES,
    LEVELS,
    PDF_MEDIA_TYPE,
    TIFF_MEDIA_TYPE,
    content_token,
)
from demo.vocabulary import SCRIPT_TITLE

DATESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.fixture(scope="module")
def archives():
    return build_archives()


@pytest.fixture(scope="module")
def all_records(archives):
    return [record for archive in archives.values() for record in archive.records]


def test_two_builds_are_equal(archives):
    assert build_archives() == archives


def test_three_archives_with_their_holding_provinces(archives):
    assert {slug: archive.province_code for slug, archive in archives.items()} == {
        "vinhlong": 86, "hue": 46, "cantho": 92}
    assert archives["vinhlong"].name == "Trung tâm Lưu trữ lịch sử tỉnh Vĩnh Long"
    assert archives["vinhlong"].repository_domain == "vinhlong.luutru.gov.vn"


def test_catalogue_is_large_enough(all_records):
    assert len(all_records) >= 700


def test_every_archive_has_all_four_levels_nested_several_deep(archives):
    for archive in archives.values():
        levels = Counter(record.level for record in archive.records)
        assert set(levels) == set(LEVELS)
        assert levels["fonds"] >= 3
        assert levels["series"] >= 2 * levels["fonds"]
        assert levels["file"] >= 3 * levels["series"]
        assert levels["item"] >= 3 * levels["file"]


def test_enough_items_carry_pdf_and_docx_files(all_records):
    items_with_files = [record for record in all_records if record.files]
    media_types = Counter(demo_file.media_type for record in items_with_files for demo_file in record.files)
    assert len(items_with_files) >= 120
    assert media_types[PDF_MEDIA_TYPE] >= 40
    assert media_types[DOCX_MEDIA_TYPE] >= 40
    assert {record.level for record in items_with_files} == {"item"}


def test_file_names_are_unique_url_safe_and_match_their_media_type(all_records):
    names = [demo_file.name for record in all_records for demo_file in record.files]
    assert len(names) == len(set(names))
    for record in all_records:
        for demo_file in record.files:
            assert re.fullmatch(r"[A-Za-z0-9.\-]+\.(pdf|docx|tif)", demo_file.name)
            expected_type = {"pdf": PDF_MEDIA_TYPE, "tif": TIFF_MEDIA_TYPE}.get(demo_file.name.rsplit(".", 1)[1],
                                                                              DOCX_MEDIA_TYPE)
            assert demo_file.media_type == expected_type


def test_access_levels_are_spread_like_a_real_archive(all_records):
    files_and_items = [record for record in all_records if record.level in ("file", "item")]
    access = Counter(record.access for record in files_and_items)
    share = {level: access[level] / len(files_and_items) for level in access}
    assert 0.10 <= share["restricted"] <= 0.22
    assert 0.02 <= share["closed"] <= 0.08
    restricted_items_with_files = [record for record in all_records if record.files and record.access != "public"]
    assert {record.access for record in restricted_items_with_files} == {"restricted", "closed"}


def test_fonds_and_series_are_public(all_records):
    assert {record.access for record in all_records if record.level in ("fonds", "series")} == {"public"}


def test_items_are_never_less_restricted_than_their_file(archives):
    for archive in archives.values():
        files = {record.local_id: record for record in archive.records if record.level == "file"}
        for item in (record for record in archive.records if record.level == "item"):
            assert ACCESS_RANK[item.access] >= ACCESS_RANK[files[item.parent_id].access], item.local_id


def test_about_three_percent_deleted_and_only_files_and_items(all_records):
    deleted = [record for record in all_records if record.deleted]
    assert 0.02 <= len(deleted) / len(all_records) <= 0.045
    assert {record.level for record in deleted} == {"file", "item"}
    assert all(record.title and record.datestamp for record in deleted)


def test_items_of_a_deleted_file_are_deleted_too(archives):
    for archive in archives.values():
        deleted_files = {record.local_id for record in archive.records if record.level == "file" and record.deleted}
        assert deleted_files
        for record in archive.records:
            if record.parent_id in deleted_files:
                assert record.deleted, record.local_id


def test_hierarchy_is_consistent(archives):
    for archive in archives.values():
        by_id = {record.local_id: record for record in archive.records}
        assert len(by_id) == len(archive.records)
        for record in archive.records:
            assert len(record.ancestors) == LEVELS.index(record.level)
            for depth, ancestor_id in enumerate(record.ancestors):
                assert by_id[ancestor_id].level == LEVELS[depth]
                assert record.local_id.startswith(ancestor_id + "/")
            fonds = by_id[record.ancestors[0]] if record.ancestors else record
            assert record.set_spec == fonds.set_spec
            assert record.reference_code.startswith(fonds.reference_code)
            if record.parent_id:
                parent = by_id[record.parent_id]
                assert parent.date_start <= record.date_start <= record.date_end <= parent.date_end


def test_one_set_per_fonds_with_unique_codes(archives):
    for archive in archives.values():
        codes = [fonds.set_spec for fonds in archive.fonds_records()]
        assert len(codes) == len(set(codes))
        assert all(re.fullmatch(r"P\d{2}", code) for code in codes)


def test_dates_are_iso_and_within_1975_to_2024(all_records):
    for record in all_records:
        assert ISO_DATE.fullmatch(record.date_start) and ISO_DATE.fullmatch(record.date_end)
        assert "1975-01-01" <= record.date_start <= record.date_end <= "2024-12-31"
        if record.level == "item":
            assert record.date_start == record.date_end


def test_datestamps_spread_over_2024_to_mid_2025(all_records):
    datestamps = [record.datestamp for record in all_records]
    assert all(DATESTAMP.fullmatch(datestamp) for datestamp in datestamps)
    assert min(datestamps) >= "2024-01-01T00:00:00Z"
    assert max(datestamps) <= "2025-06-30T23:59:59Z"
    assert len({datestamp[:7] for datestamp in datestamps}) >= 15  # nearly every month has some


def test_items_have_number_type_and_signer(all_records):
    for item in (record for record in all_records if record.level == "item"):
        assert item.doc_type and item.signer
        assert re.fullmatch(r"\d+/[A-Za-zĐ&]+-[A-Za-zĐ]+", item.doc_number), item.doc_number
        assert item.title.startswith(item.doc_type) or item.title == SCRIPT_TITLE


def test_vinhlong_holds_fonds_of_ben_tre_and_tra_vinh(archives):
    origins = {record.origin_province_name for record in archives["vinhlong"].records}
    assert origins == {"Tỉnh Vĩnh Long", "Tỉnh Bến Tre", "Tỉnh Trà Vinh"}
    fonds_titles = [fonds.title for fonds in archives["vinhlong"].fonds_records()]
    assert "Phông Ủy ban nhân dân tỉnh Bến Tre (1976–2025)" in fonds_titles


def test_hue_and_cantho_hold_the_units_merged_into_them(archives):
    assert {record.origin_province_name for record in archives["hue"].records} == {
        "Tỉnh Thừa Thiên Huế", "Thành phố Huế"}
    assert {record.origin_province_name for record in archives["cantho"].records} == {
        "Thành phố Cần Thơ", "Tỉnh Sóc Trăng", "Tỉnh Hậu Giang"}


@pytest.mark.parametrize("slug, word", [("vinhlong", "Vĩnh Long"), ("hue", "Huế"), ("vinhlong", "Quyết định"),
                                        ("hue", "Quyết định"), ("cantho", "Quyết định")])
def test_search_words_occur_in_many_titles_and_descriptions(archives, slug, word):
    records = archives[slug].records
    hits = [record for record in records if word in record.title or word in record.description]
    assert len(hits) >= 50


def test_script_title_fixture_is_a_public_live_item_with_a_file(all_records):
    fixtures = [record for record in all_records if record.title == SCRIPT_TITLE]
    assert len(fixtures) == 1
    fixture = fixtures[0]
    assert (fixture.level, fixture.access, fixture.deleted) == ("item", "public", False)
    assert fixture.files


def test_content_token_is_the_serial_for_restricted_records_only(all_records):
    serials = [record.serial for record in all_records]
    assert len(serials) == len(set(serials))
    restricted = next(record for record in all_records if record.access == "restricted")
    public = next(record for record in all_records if record.access == "public")
    assert content_token(restricted) == f"MATKHAU{restricted.serial:04d}"
    assert content_token(public) is None


def test_token_in_every_file_of_restricted_and_closed_items_only(all_records):
    for record in all_records:
        token = content_token(record)
        for demo_file in record.files:
            if token is None:
                assert CONTENT_TOKEN_PREFIX not in demo_file.content_text, demo_file.name
            else:
                assert token in demo_file.content_text, demo_file.name
                assert demo_file.content_text.count(CONTENT_TOKEN_PREFIX) == 1


def test_no_metadata_field_carries_the_token(all_records):
    for record in all_records:
        metadata = " ".join([record.title, record.description, record.creator, record.signer or "",
                             record.doc_number or "", *record.subjects])
        assert CONTENT_TOKEN_PREFIX not in metadata


def test_file_text_is_vietnamese_prose_about_the_record(all_records):
    for record in (record for record in all_records if record.files):
        main_text = record.files[0].content_text
        assert record.doc_number in main_text
        assert record.signer in main_text
        assert "CỘNG HÒA" in main_text


# --- fonds: administrative history, extent, open or closed ---------------------------------------------------------

FORMER_UNITS = {"Tỉnh Bến Tre", "Tỉnh Trà Vinh", "Tỉnh Thừa Thiên Huế", "Thành phố Huế", "Tỉnh Sóc Trăng",
                "Tỉnh Hậu Giang"}
# Agencies dissolved in the 2025 reorganisation although their province goes on.
DISSOLVED_AGENCIES = ("Sở Nông nghiệp và Phát triển nông thôn",)
EXTENT = re.compile(r"(\d+,\d) mét giá; (\d+) hồ sơ")


@pytest.fixture(scope="module")
def all_fonds(archives):
    return [fonds for archive in archives.values() for fonds in archive.fonds_records()]


def test_every_fonds_has_admin_history_extent_and_status(all_fonds):
    for fonds in all_fonds:
        assert fonds.admin_history and fonds.creator in fonds.admin_history, fonds.local_id
        assert EXTENT.fullmatch(fonds.extent), fonds.extent
        assert fonds.fonds_status in FONDS_STATUSES


def test_only_fonds_have_admin_history_extent_and_status(all_records):
    others = [record for record in all_records if record.level != "fonds"]
    assert {(record.admin_history, record.extent, record.fonds_status) for record in others} == {(None, None, None)}


def test_fonds_of_former_units_and_dissolved_agencies_are_closed_the_others_open(all_fonds):
    for fonds in all_fonds:
        former = fonds.origin_province_name in FORMER_UNITS
        dissolved = fonds.creator.startswith(DISSOLVED_AGENCIES)
        assert fonds.fonds_status == ("closed" if former or dissolved else "open"), fonds.local_id
    open_fonds = {fonds.local_id for fonds in all_fonds if fonds.fonds_status == "open"}
    assert open_fonds == {"VL.UBND", "VL.HDND", "VL.SNV", "VL.SGDDT", "CT.UBND", "CT.HDND", "CT.STC"}


def test_admin_history_ends_with_the_fonds_state(all_fonds):
    for fonds in all_fonds:
        if fonds.fonds_status == "closed":
            assert re.search(r"Phông đóng từ ngày \d{2} tháng \d{1,2} năm 2025", fonds.admin_history)
        else:
            assert "Phông mở" in fonds.admin_history
        assert CONTENT_TOKEN_PREFIX not in fonds.admin_history


def test_ben_tre_fonds_closed_when_the_province_merged_into_vinh_long(archives):
    fonds = archives["vinhlong"].record_by_local_id("BT.UBND")
    assert fonds.fonds_status == "closed"
    assert "Từ ngày 01 tháng 7 năm 2025" in fonds.admin_history
    assert "thành tỉnh Vĩnh Long" in fonds.admin_history
    assert fonds.admin_history.endswith(
        "Phông đóng từ ngày 01 tháng 7 năm 2025, bảo quản tại Trung tâm Lưu trữ lịch sử tỉnh Vĩnh Long.")


def test_a_dissolved_agency_closes_its_fonds_on_its_own_date(archives):
    fonds = archives["cantho"].record_by_local_id("CT.SNN")
    assert fonds.fonds_status == "closed"
    assert "Phông đóng từ ngày 01 tháng 3 năm 2025" in fonds.admin_history
    assert "Phông đã đóng" in fonds.description


def test_extent_counts_every_file_numbered_in_its_series_lists(archives):
    for archive in archives.values():
        for fonds in archive.fonds_records():
            files = [record for record in archive.records
                     if record.level == "file" and record.ancestors[0] == fonds.local_id]
            last_number = {}  # a mục lục numbers its hồ sơ; not every one of them is published
            for file_record in files:
                number = int(file_record.local_id.rsplit("/HS", 1)[1])
                last_number[file_record.parent_id] = max(number, last_number.get(file_record.parent_id, 0))
            metres, count = EXTENT.fullmatch(fonds.extent).groups()
            assert int(count) == sum(last_number.values()) >= len(files)
            # Forty hồ sơ a metre of shelving, rounded to a tenth of a metre.
            assert float(metres.replace(",", ".")) == pytest.approx(max(int(count) / 40, 0.1), abs=0.051)
