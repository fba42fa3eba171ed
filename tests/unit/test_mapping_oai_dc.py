"""map_oai_dc: a Dublin Core record, as the provincial archives' profile writes it, to the record schema."""
from __future__ import annotations

import unicodedata

import pytest
from lxml import etree

from demo.catalogue import build_archives
from demo.oai_provider import create_provider_app
from indexer.errors import RecordError
from indexer.mapping.oai_dc import map_oai_dc

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
NS = {"oai": OAI_NS, "oai_dc": OAI_DC_NS}

SOURCE_ID = "vinhlong"
HOLDING = "86"
ITEM_LOCAL_ID = "BT.UBND/ML01/HS012/VB03"
FILE_URL = "http://demo.test/vinhlong/files/BT.UBND/ML01/HS012/VB03/BTE.P21.ML01.HS012.03.pdf"


def oai_dc(*elements: tuple[str, str]) -> etree._Element:
    """<oai_dc:dc> with one dc:<name> element a (name, text) pair, in the order given."""
    root = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS})
    for name, text in elements:
        etree.SubElement(root, f"{{{DC_NS}}}{name}").text = text
    return root


def item_elements(**replace: str) -> list[tuple[str, str]]:
    """A typical item of a Bến Tre fonds held in Vĩnh Long, as the profile describes one;
    `replace` gives new text to every element of a name (use it for the single-valued ones)."""
    elements = [
        ("title", "Quyết định về việc giao đất cho Trường Tiểu học Phú Hưng"),
        ("identifier", "BTE.P21.ML01.HS012.03"),
        ("identifier", f"http://demo.test/vinhlong/records/{ITEM_LOCAL_ID}"),
        ("type", "item"),
        ("type", "Quyết định"),
        ("description", "Quyết định số 125/QĐ-UBND."),
        ("creator", "Ủy ban nhân dân tỉnh Bến Tre"),
        ("contributor", "Nguyễn Văn Hải"),
        ("date", "1996-12-29"),
        ("coverage", "Tỉnh Bến Tre"),
        ("rights", "Công khai"),
        ("relation", "isPartOf:BT.UBND"),
        ("relation", "isPartOf:BT.UBND/ML01"),
        ("relation", "isPartOf:BT.UBND/ML01/HS012"),
        ("relation", FILE_URL),
        ("subject", "Đất đai"),
        ("subject", "Bến Tre"),
        ("language", "vi"),
        ("format", "application/pdf"),
        ("source", "125/QĐ-UBND"),
    ]
    return [(name, replace.get(name, text)) for name, text in elements]


def map_item(elements, local_id: str = ITEM_LOCAL_ID):
    return map_oai_dc(oai_dc(*elements), source_id=SOURCE_ID, local_id=local_id, holding_province=HOLDING)


def without(elements, name: str):
    return [(n, t) for n, t in elements if n != name]


# --- identity and hierarchy -------------------------------------------------------------------------------------

def test_record_id_is_source_id_colon_local_id():
    document = map_item(item_elements()).document

    assert document["id"] == f"{SOURCE_ID}:{ITEM_LOCAL_ID}"
    assert document["source_id"] == SOURCE_ID
    assert document["local_id"] == ITEM_LOCAL_ID


def test_ancestors_root_first_give_path_and_last_one_is_parent():
    document = map_item(item_elements()).document

    assert document["path"] == ["vinhlong:BT.UBND", "vinhlong:BT.UBND/ML01", "vinhlong:BT.UBND/ML01/HS012"]
    assert document["parent_id"] == "vinhlong:BT.UBND/ML01/HS012"


def test_fonds_without_ispartof_has_no_parent_and_an_empty_path():
    elements = without(without(item_elements(), "relation"), "type") + [("type", "fonds")]

    document = map_item(elements, local_id="BT.UBND").document

    assert document["parent_id"] is None
    assert document["path"] == []


def test_ispartof_prefix_is_read_in_any_case():
    elements = without(item_elements(), "relation") + [("relation", "IsPartOf: BT.UBND")]

    assert map_item(elements).document["parent_id"] == "vinhlong:BT.UBND"


def test_file_urls_come_from_url_relations_and_not_from_ancestors():
    mapped = map_item(item_elements())

    assert mapped.file_urls == [FILE_URL]
    assert all(FILE_URL not in step for step in mapped.document["path"])


def test_record_without_files_has_no_file_urls():
    elements = [(n, t) for n, t in item_elements() if not (n == "relation" and t.startswith("http"))]

    assert map_item(elements).file_urls == []


# --- levels and types ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("word", "level"),
    [("fonds", "fonds"), ("series", "series"), ("file", "file"), ("item", "item"),
     ("phông", "fonds"), ("Phông", "fonds"), ("mục lục", "series"), ("Mục lục", "series"),
     ("hồ sơ", "file"), ("Hồ sơ", "file"), ("văn bản", "item"), ("Văn bản", "item")],
)
def test_level_word_in_english_or_vietnamese_gives_the_level(word, level):
    elements = without(item_elements(), "type") + [("type", word)]

    document = map_item(elements).document

    assert document["level"] == level
    assert document["doc_type"] is None


def test_decomposed_vietnamese_level_word_is_recognised():
    elements = without(item_elements(), "type") + [("type", unicodedata.normalize("NFD", "mục lục"))]

    assert map_item(elements).document["level"] == "series"


def test_second_type_of_an_item_is_its_doc_type():
    document = map_item(item_elements()).document

    assert document["level"] == "item"
    assert document["doc_type"] == "Quyết định"


def test_doc_type_before_the_level_word_is_still_the_doc_type():
    elements = without(item_elements(), "type") + [("type", "Công văn"), ("type", "văn bản")]

    document = map_item(elements).document

    assert (document["level"], document["doc_type"]) == ("item", "Công văn")


def test_record_without_a_level_word_is_an_item():
    elements = without(item_elements(), "type")

    assert map_item(elements).document["level"] == "item"


# --- identifiers ---------------------------------------------------------------------------------------------------

def test_plain_identifier_is_the_reference_code_and_the_url_one_is_the_landing_page():
    document = map_item(item_elements()).document

    assert document["reference_code"] == "BTE.P21.ML01.HS012.03"
    assert document["source_url"] == f"http://demo.test/vinhlong/records/{ITEM_LOCAL_ID}"


def test_identifier_order_does_not_decide_which_is_the_url():
    elements = without(item_elements(), "identifier") + [
        ("identifier", "https://demo.test/vinhlong/records/X"), ("identifier", "BTE.P21.ML01.HS012.03")]

    document = map_item(elements).document

    assert document["reference_code"] == "BTE.P21.ML01.HS012.03"
    assert document["source_url"] == "https://demo.test/vinhlong/records/X"


# --- provinces ----------------------------------------------------------------------------------------------------

def test_origin_in_a_merged_province_keeps_its_old_code_and_its_current_one():
    document = map_item(item_elements(coverage="Tỉnh Bến Tre")).document

    assert document["origin_province"] == "83"
    assert document["origin_province_current"] == "86"
    assert document["origin_province_name"] == "Tỉnh Bến Tre"


def test_holding_province_is_named_from_its_code():
    document = map_item(item_elements()).document

    assert document["holding_province"] == "86"
    assert document["holding_province_name"] == "Vĩnh Long"


def test_without_coverage_the_origin_is_the_holding_province():
    document = map_item(without(item_elements(), "coverage")).document

    assert document["origin_province"] == "86"
    assert document["origin_province_current"] == "86"
    assert document["origin_province_name"] == "Vĩnh Long"


# --- dates, access and text fields ----------------------------------------------------------------------------------

def test_item_day_gives_start_end_and_years():
    document = map_item(item_elements(date="1996-12-29")).document

    assert (document["date_start"], document["date_end"]) == ("1996-12-29", "1996-12-29")
    assert (document["year_start"], document["year_end"]) == (1996, 1996)


def test_interval_gives_the_years_it_spans():
    document = map_item(item_elements(date="1975-06-01/1980-02-15")).document

    assert (document["date_start"], document["date_end"]) == ("1975-06-01", "1980-02-15")
    assert (document["year_start"], document["year_end"]) == (1975, 1980)


def test_unreadable_date_leaves_dates_and_years_empty():
    document = map_item(item_elements(date="không rõ")).document

    assert [document[k] for k in ("date_start", "date_end", "year_start", "year_end")] == [None] * 4


@pytest.mark.parametrize(
    ("rights", "access"), [("Công khai", "public"), ("Sử dụng có điều kiện", "restricted"), ("Mật", "closed")]
)
def test_rights_give_the_access_level(rights, access):
    document = map_item(item_elements(rights=rights)).document

    assert document["access"] == access
    assert document["access_reason"] is None


def test_record_without_rights_is_closed_with_a_reason():
    document = map_item(without(item_elements(), "rights")).document

    assert document["access"] == "closed"
    assert document["access_reason"] == "no access level stated"


def test_rights_wrapped_over_lines_are_read_like_any_other_field():
    document = map_item(item_elements(rights="Sử dụng\n            có điều kiện")).document

    assert document["access"] == "restricted"


def test_signer_doc_number_creator_language_and_subjects_are_kept():
    document = map_item(item_elements()).document

    assert document["signer"] == "Nguyễn Văn Hải"
    assert document["doc_number"] == "125/QĐ-UBND"
    assert document["creator"] == "Ủy ban nhân dân tỉnh Bến Tre"
    assert document["language"] == "vi"
    assert document["subjects"] == ["Đất đai", "Bến Tre"]
    assert document["deleted"] is False


def test_fields_the_record_lacks_are_none():
    elements = [(n, t) for n, t in item_elements() if n in ("title", "identifier", "type", "rights")]

    document = map_item(elements).document

    assert [document[k] for k in ("signer", "doc_number", "creator", "language")] == [None] * 4
    assert document["subjects"] == []
    assert document["description"] == ""


def test_title_is_cleaned_to_nfc_and_single_spaces():
    title = unicodedata.normalize("NFD", "  Công văn   về việc\n hòa giải ")

    assert map_item(item_elements(title=title)).document["title"] == "Công văn về việc hòa giải"


def test_markup_in_a_title_is_kept_as_text_for_the_page_to_escape():
    title = "<script>alert(1)</script> Công văn thử nghiệm"

    assert map_item(item_elements(title=title)).document["title"] == title


def test_comments_inside_the_dc_record_are_skipped():
    root = oai_dc(*item_elements())
    root.insert(0, etree.Comment(" exported by the archive system "))

    document = map_oai_dc(root, source_id=SOURCE_ID, local_id=ITEM_LOCAL_ID, holding_province=HOLDING).document

    assert document["title"] == "Quyết định về việc giao đất cho Trường Tiểu học Phú Hưng"


def test_elements_outside_the_dc_namespace_are_ignored():
    root = oai_dc(*item_elements())
    etree.SubElement(root, "{http://example.org/other}title").text = "Not the title"

    assert map_oai_dc(root, source_id=SOURCE_ID, local_id=ITEM_LOCAL_ID,
                      holding_province=HOLDING).document["title"].startswith("Quyết định")


# --- fonds: administrative history, extent, open or closed -----------------------------------------------------

FONDS_DESCRIPTION = "Phông gồm tài liệu hành chính của Ủy ban nhân dân tỉnh Bến Tre từ năm 1976 đến năm 2024."
ADMIN_HISTORY = ("Ủy ban nhân dân tỉnh Bến Tre được tổ chức và hoạt động từ năm 1976. Từ ngày 01 tháng 7 năm 2025, "
                 "tỉnh Bến Tre được sắp xếp cùng tỉnh Vĩnh Long và tỉnh Trà Vinh thành tỉnh Vĩnh Long.")
EXTENT = "12,5 mét giá; 450 hồ sơ"


def fonds_elements(status="phông đóng", history_label="Lịch sử đơn vị hình thành phông: ",
                   extent_label="Khối lượng: ", level="fonds") -> list[tuple[str, str]]:
    """The Bến Tre people's committee fonds as an AtoM-like Vietnamese exporter writes it."""
    return [
        ("title", "Phông Ủy ban nhân dân tỉnh Bến Tre (1976–2025)"),
        ("identifier", "BTE.P21"),
        ("type", level),
        ("type", status),
        ("description", FONDS_DESCRIPTION),
        ("description", history_label + ADMIN_HISTORY),
        ("creator", "Ủy ban nhân dân tỉnh Bến Tre"),
        ("date", "1976-03-02/2024-11-20"),
        ("coverage", "Tỉnh Bến Tre"),
        ("rights", "Công khai"),
        ("language", "vi"),
        ("format", extent_label + EXTENT),
    ]


def map_fonds(elements):
    return map_item(elements, local_id="BT.UBND").document


def test_fonds_labelled_values_in_vietnamese_give_admin_history_extent_and_status():
    document = map_fonds(fonds_elements())

    assert document["level"] == "fonds"
    assert document["admin_history"] == ADMIN_HISTORY
    assert document["extent"] == EXTENT
    assert document["fonds_status"] == "closed"


def test_fonds_labelled_values_in_english_are_read_the_same():
    document = map_fonds(fonds_elements(status="open fonds", history_label="Administrative history: ",
                                        extent_label="Extent: "))

    assert (document["admin_history"], document["extent"], document["fonds_status"]) == (
        ADMIN_HISTORY, EXTENT, "open")


@pytest.mark.parametrize(
    ("status", "fonds_status"),
    [("phông đóng", "closed"), ("phông mở", "open"), ("Phông đóng", "closed"), ("Phông Mở", "open"),
     ("closed fonds", "closed"), ("Open fonds", "open"), (unicodedata.normalize("NFD", "phông mở"), "open")],
)
def test_second_type_of_a_fonds_is_its_status(status, fonds_status):
    document = map_fonds(fonds_elements(status=status))

    assert document["fonds_status"] == fonds_status
    assert document["doc_type"] is None


@pytest.mark.parametrize(
    ("history_label", "extent_label"),
    [("LỊCH SỬ ĐƠN VỊ HÌNH THÀNH PHÔNG: ", "KHỐI LƯỢNG: "), ("Lịch sử đơn vị hình thành phông:", "Khối lượng:"),
     ("Lịch sử đơn vị hình thành phông : ", "Khối lượng tài liệu: "),
     (unicodedata.normalize("NFD", "Lịch sử đơn vị hình thành phông: "), unicodedata.normalize("NFD", "Khối lượng: ")),
     ("Administrative / biographical history: ", "Extent and medium: ")],
)
def test_labels_are_read_in_any_case_spacing_or_unicode_form(history_label, extent_label):
    document = map_fonds(fonds_elements(history_label=history_label, extent_label=extent_label))

    assert (document["admin_history"], document["extent"]) == (ADMIN_HISTORY, EXTENT)


def test_admin_history_is_not_appended_to_the_description():
    document = map_fonds(fonds_elements())

    assert document["description"] == FONDS_DESCRIPTION
    assert "Lịch sử đơn vị" not in document["description"]


def test_admin_history_keeps_its_paragraphs():
    elements = [(n, t) for n, t in fonds_elements() if n != "description"] + [
        ("description", "Lịch sử đơn vị hình thành phông: Thành lập năm 1976.\n  Đóng phông năm 2025.")]

    document = map_fonds(elements)

    assert document["admin_history"] == "Thành lập năm 1976.\nĐóng phông năm 2025."
    assert document["description"] == ""


def test_unlabelled_descriptions_of_a_fonds_all_stay_in_the_description():
    elements = fonds_elements() + [("description", "Phông đã được chỉnh lý năm 2010.")]

    document = map_fonds(elements)

    assert document["description"] == f"{FONDS_DESCRIPTION} Phông đã được chỉnh lý năm 2010."
    assert document["admin_history"] == ADMIN_HISTORY


def test_media_type_formats_of_a_fonds_are_not_its_extent():
    elements = [(n, t) for n, t in fonds_elements() if n != "format"] + [("format", "application/pdf")]

    assert map_fonds(elements)["extent"] is None


def test_fonds_without_the_labelled_values_has_none_of_them():
    elements = [(n, t) for n, t in fonds_elements() if (n, t) not in (
        ("type", "phông đóng"), ("description", "Lịch sử đơn vị hình thành phông: " + ADMIN_HISTORY),
        ("format", "Khối lượng: " + EXTENT))]

    document = map_fonds(elements)

    assert (document["admin_history"], document["extent"], document["fonds_status"]) == (None, None, None)
    assert document["description"] == FONDS_DESCRIPTION


def test_a_label_with_nothing_after_it_gives_nothing():
    elements = [(n, t) for n, t in fonds_elements() if n not in ("description", "format")] + [
        ("description", FONDS_DESCRIPTION), ("description", "Lịch sử đơn vị hình thành phông:  "),
        ("format", "Khối lượng:")]

    document = map_fonds(elements)

    assert (document["admin_history"], document["extent"]) == (None, None)
    assert document["description"] == FONDS_DESCRIPTION


@pytest.mark.parametrize("level", ["series", "file", "item"])
def test_fonds_fields_are_read_for_a_fonds_only(level):
    document = map_item(fonds_elements(level=level)).document

    assert (document["admin_history"], document["extent"], document["fonds_status"]) == (None, None, None)
    assert document["doc_type"] is None  # a status word is never a document type
    assert document["description"].startswith(FONDS_DESCRIPTION)  # nothing the source wrote is lost


def test_items_have_no_fonds_fields():
    document = map_item(item_elements()).document

    assert (document["admin_history"], document["extent"], document["fonds_status"]) == (None, None, None)
    assert document["description"] == "Quyết định số 125/QĐ-UBND."


# --- records that cannot be mapped ------------------------------------------------------------------------------

@pytest.mark.parametrize("title", [None, "   "])
def test_record_without_a_title_is_a_mapping_error(title):
    elements = without(item_elements(), "title") + ([("title", title)] if title else [])

    with pytest.raises(RecordError) as raised:
        map_item(elements)

    assert raised.value.kind == "mapping"
    assert "title" in str(raised.value)


def test_metadata_in_another_format_is_a_mapping_error():
    marc = etree.fromstring(b'<record xmlns="http://www.loc.gov/MARC21/slim"><leader/></record>')

    with pytest.raises(RecordError) as raised:
        map_oai_dc(marc, source_id=SOURCE_ID, local_id=ITEM_LOCAL_ID, holding_province=HOLDING)

    assert raised.value.kind == "mapping"


def test_missing_metadata_is_a_mapping_error():
    with pytest.raises(RecordError):
        map_oai_dc(None, source_id=SOURCE_ID, local_id=ITEM_LOCAL_ID, holding_province=HOLDING)


# --- records the demo provider really produces ------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_archives():
    return build_archives()


@pytest.fixture(scope="module")
def provider(demo_archives):
    return create_provider_app(demo_archives, page_size=10_000).test_client()


def oai_root(provider, params: dict) -> etree._Element:
    response = provider.get("/vinhlong/oai", query_string=params, base_url="http://demo.test")
    assert response.status_code == 200
    return etree.fromstring(response.data)


def test_demo_provider_record_from_ben_tre_maps_to_its_catalogue_entry(demo_archives, provider):
    archive = demo_archives["vinhlong"]
    record = next(r for r in archive.records if r.level == "item" and r.files and not r.deleted
                  and r.origin_province_name == "Tỉnh Bến Tre")
    root = oai_root(provider, {"verb": "GetRecord", "identifier": archive.oai_identifier(record),
                               "metadataPrefix": "oai_dc"})
    metadata = root.find("oai:GetRecord/oai:record/oai:metadata/oai_dc:dc", NS)

    mapped = map_oai_dc(metadata, source_id="vinhlong", local_id=record.local_id, holding_province="86")
    document = mapped.document

    assert document["id"] == f"vinhlong:{record.local_id}"
    assert document["title"] == record.title
    assert document["reference_code"] == record.reference_code
    assert document["source_url"] == f"http://demo.test/vinhlong/records/{record.local_id}"
    assert (document["level"], document["doc_type"]) == ("item", record.doc_type)
    assert document["path"] == [f"vinhlong:{ancestor}" for ancestor in record.ancestors]
    assert document["parent_id"] == f"vinhlong:{record.parent_id}"
    assert (document["date_start"], document["date_end"]) == (record.date_start, record.date_end)
    assert document["access"] == record.access
    assert (document["origin_province"], document["origin_province_current"]) == ("83", "86")
    assert document["doc_number"] == record.doc_number
    assert document["signer"] == record.signer
    assert mapped.file_urls == [f"http://demo.test/vinhlong/files/{record.local_id}/{f.name}" for f in record.files]


def test_every_live_demo_record_maps_to_its_level_access_dates_and_parent(demo_archives, provider):
    archive = demo_archives["vinhlong"]
    by_identifier = {archive.oai_identifier(r): r for r in archive.records}
    root = oai_root(provider, {"verb": "ListRecords", "metadataPrefix": "oai_dc"})
    mapped_count = 0

    for element in root.iterfind("oai:ListRecords/oai:record", NS):
        record = by_identifier[element.findtext("oai:header/oai:identifier", namespaces=NS)]
        metadata = element.find("oai:metadata/oai_dc:dc", NS)
        if record.deleted:
            assert metadata is None
            continue
        document = map_oai_dc(metadata, source_id="vinhlong", local_id=record.local_id,
                              holding_province="86").document
        assert document["level"] == record.level
        assert document["access"] == record.access
        assert (document["date_start"], document["date_end"]) == (record.date_start, record.date_end)
        assert document["parent_id"] == (f"vinhlong:{record.parent_id}" if record.parent_id else None)
        assert document["origin_province_name"] is not None
        mapped_count += 1

    assert mapped_count == sum(1 for r in archive.records if not r.deleted)


def test_every_demo_fonds_maps_its_admin_history_extent_and_status(demo_archives, provider):
    for slug, holding in (("vinhlong", "86"), ("hue", "46"), ("cantho", "92")):
        archive = demo_archives[slug]
        for fonds in archive.fonds_records():
            response = provider.get(f"/{slug}/oai", base_url="http://demo.test", query_string={
                "verb": "GetRecord", "identifier": archive.oai_identifier(fonds), "metadataPrefix": "oai_dc"})
            metadata = etree.fromstring(response.data).find("oai:GetRecord/oai:record/oai:metadata/oai_dc:dc", NS)

            document = map_oai_dc(metadata, source_id=slug, local_id=fonds.local_id, holding_province=holding).document

            assert document["admin_history"] == fonds.admin_history
            assert document["extent"] == fonds.extent
            assert document["fonds_status"] == fonds.fonds_status
            assert document["description"] == fonds.description
