"""EAD 2002 as AtoM's oai_ead sends it: one finding aid → a record for the fonds and each component."""
from __future__ import annotations

import pytest
from lxml import etree

from indexer.errors import RecordError
from indexer.mapping.ead import map_ead
from indexer.mapping.registry import MAPPERS

FINDING_AID = """<?xml version="1.0" encoding="utf-8"?>
<ead xmlns="urn:isbn:1-931666-22-9" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" relatedencoding="ISAD(G)v2">
  <eadheader langencoding="iso639-2b" countryencoding="iso3166-1" repositoryencoding="iso15511">
    <eadid identifier="DNO.P01" countrycode="VN" url="https://lamdong.luutru.gov.vn/index.php/ubnd-tinh-dak-nong">DNO.P01</eadid>
    <filedesc><titlestmt><titleproper>Phông Ủy ban nhân dân tỉnh Đắk Nông</titleproper></titlestmt></filedesc>
  </eadheader>
  <archdesc level="fonds" relatedencoding="ISAD(G)v2">
    <did>
      <unittitle encodinganalog="3.1.2">Phông Ủy ban nhân dân tỉnh Đắk Nông (2004–2025)</unittitle>
      <unitid encodinganalog="3.1.1" countrycode="VN" repositorycode="LD">DNO.P01</unitid>
      <unitdate normal="2004/2025" encodinganalog="3.1.3">2004–2025</unitdate>
      <physdesc><extent encodinganalog="3.1.5">1,2 mét giá; 48 hồ sơ</extent></physdesc>
      <repository><corpname>Trung tâm Lưu trữ lịch sử tỉnh Lâm Đồng</corpname></repository>
      <origination encodinganalog="3.2.1"><corpname>Ủy ban nhân dân tỉnh Đắk Nông</corpname></origination>
      <langmaterial><language langcode="vie">Tiếng Việt</language></langmaterial>
    </did>
    <odd type="fondsStatus"><p>phông đóng</p></odd>
    <bioghist encodinganalog="3.2.2"><p>Tỉnh Đắk Nông được thành lập năm 2004.</p><p>Từ 01/7/2025 hợp nhất vào tỉnh Lâm Đồng.</p></bioghist>
    <scopecontent encodinganalog="3.3.1"><p>Tài liệu quản lý nhà nước của tỉnh.</p></scopecontent>
    <accessrestrict encodinganalog="3.4.1"><p>Công khai</p></accessrestrict>
    <controlaccess><subject>Quản lý nhà nước</subject><geogname>Tỉnh Đắk Nông</geogname></controlaccess>
    <dsc type="combined">
      <c level="series" id="md5-aaa">
        <did><unittitle>Mục lục số 1: Văn phòng</unittitle><unitid>ML01</unitid>
          <unitdate normal="2004/2010">2004–2010</unitdate></did>
        <c level="file">
          <did><unittitle>Hồ sơ về việc thành lập Trường THPT Nguyễn Du</unittitle><unitid>HS001</unitid>
            <unitdate>03/2005</unitdate></did>
          <accessrestrict><p>Sử dụng có điều kiện</p></accessrestrict>
          <c level="item">
            <did><unittitle>Quyết định về việc thành lập Trường THPT Nguyễn Du</unittitle><unitid>VB01</unitid>
              <unitid type="số ký hiệu">125/QĐ-UBND</unitid>
              <unitdate normal="2005-03-05">05/03/2005</unitdate>
              <physdesc><genreform>Quyết định</genreform></physdesc>
              <origination><persname>Nguyễn Văn A</persname></origination>
              <dao xlink:href="https://lamdong.luutru.gov.vn/files/VB01.pdf" linktype="simple"/>
            </did>
          </c>
          <c><did><unittitle>Tờ trình đề nghị thành lập trường</unittitle><unitid>VB02</unitid></did>
            <accessrestrict><p>Mật</p></accessrestrict></c>
        </c>
      </c>
      <c level="otherlevel" otherlevel="mục lục">
        <did><unittitle>Mục lục số 2</unittitle><unitid>DNO.P01.ML02</unitid></did>
      </c>
    </dsc>
  </archdesc>
</ead>"""


def _map(xml: str = FINDING_AID, **kwargs):
    metadata = etree.fromstring(xml.encode("utf-8"))
    return [r.document for r in map_ead(metadata, source_id="lamdong", local_id="DNO.P01",
                                        holding_province="68", **kwargs)]


@pytest.fixture(scope="module")
def records():
    return {d["local_id"]: d for d in _map()}


def test_one_finding_aid_gives_the_fonds_and_every_component_in_document_order():
    assert [d["local_id"] for d in _map()] == [
        "DNO.P01", "DNO.P01/ML01", "DNO.P01/ML01/HS001", "DNO.P01/ML01/HS001/VB01",
        "DNO.P01/ML01/HS001/VB02", "DNO.P01/DNO.P01.ML02"]


def test_levels_come_from_the_level_attribute_otherlevel_or_the_parent(records):
    assert records["DNO.P01"]["level"] == "fonds"
    assert records["DNO.P01/ML01"]["level"] == "series"
    assert records["DNO.P01/ML01/HS001"]["level"] == "file"
    assert records["DNO.P01/ML01/HS001/VB01"]["level"] == "item"
    assert records["DNO.P01/ML01/HS001/VB02"]["level"] == "item"  # no @level: one below its parent
    assert records["DNO.P01/DNO.P01.ML02"]["level"] == "series"  # otherlevel="mục lục"


def test_hierarchy_parent_and_path_are_record_ids(records):
    item = records["DNO.P01/ML01/HS001/VB01"]
    assert item["id"] == "lamdong:DNO.P01/ML01/HS001/VB01"
    assert item["parent_id"] == "lamdong:DNO.P01/ML01/HS001"
    assert item["path"] == ["lamdong:DNO.P01", "lamdong:DNO.P01/ML01", "lamdong:DNO.P01/ML01/HS001"]
    assert records["DNO.P01"]["parent_id"] is None and records["DNO.P01"]["path"] == []


def test_reference_codes_join_the_unitids_unless_already_complete(records):
    assert records["DNO.P01"]["reference_code"] == "DNO.P01"
    assert records["DNO.P01/ML01/HS001/VB01"]["reference_code"] == "DNO.P01.ML01.HS001.VB01"
    assert records["DNO.P01/DNO.P01.ML02"]["reference_code"] == "DNO.P01.ML02"


def test_dates_normal_attribute_and_partial_text(records):
    assert (records["DNO.P01"]["date_start"], records["DNO.P01"]["date_end"]) == ("2004-01-01", "2025-12-31")
    assert (records["DNO.P01/ML01/HS001"]["date_start"], records["DNO.P01/ML01/HS001"]["date_end"]) == (
        "2005-03-01", "2005-03-31")
    assert records["DNO.P01/ML01/HS001/VB01"]["year_start"] == 2005
    assert records["DNO.P01/ML01/HS001/VB02"]["date_start"] is None


def test_access_stated_or_inherited_from_the_parent(records):
    assert records["DNO.P01"]["access"] == "public"
    assert records["DNO.P01/ML01"]["access"] == "public"
    assert records["DNO.P01/ML01/HS001"]["access"] == "restricted"
    assert records["DNO.P01/ML01/HS001/VB01"]["access"] == "restricted"
    assert records["DNO.P01/ML01/HS001/VB02"]["access"] == "closed"


def test_a_fonds_without_access_statement_is_closed():
    xml = FINDING_AID.replace('<accessrestrict encodinganalog="3.4.1"><p>Công khai</p></accessrestrict>', "")
    fonds = _map(xml)[0]
    assert fonds["access"] == "closed" and fonds["access_reason"] == "no access level stated"


def test_origin_province_is_the_former_province_mapped_to_the_current_one(records):
    for record in records.values():
        assert record["holding_province"] == "68"
        assert record["origin_province_name"].endswith("Đắk Nông")
        assert record["origin_province_current"] == "68"
        assert record["origin_province"] != "68"


def test_fonds_fields_and_item_fields(records):
    fonds = records["DNO.P01"]
    assert fonds["creator"] == "Ủy ban nhân dân tỉnh Đắk Nông"
    assert fonds["admin_history"].splitlines()[0] == "Tỉnh Đắk Nông được thành lập năm 2004."
    assert fonds["extent"] == "1,2 mét giá; 48 hồ sơ"
    assert fonds["fonds_status"] == "closed"
    assert fonds["language"] == "vi"
    assert fonds["subjects"] == ["Quản lý nhà nước"]
    assert fonds["source_url"].startswith("https://lamdong.luutru.gov.vn/")
    item = records["DNO.P01/ML01/HS001/VB01"]
    assert item["doc_number"] == "125/QĐ-UBND"
    assert item["doc_type"] == "Quyết định"
    assert item["signer"] == "Nguyễn Văn A"
    assert records["DNO.P01/ML01"]["admin_history"] is None


def test_the_creator_type_says_which_origination_element_named_the_creator(records):
    assert records["DNO.P01"]["creator_type"] == "corporateBody"
    item = records["DNO.P01/ML01/HS001/VB01"]  # an item's persname is its signer, not its creator
    assert item["creator"] is None and item["creator_type"] is None


@pytest.mark.parametrize("origination, creator, creator_type", [
    ("<persname>Phan Văn Trị</persname>", "Phan Văn Trị", "person"),
    ("<famname>Dòng họ Nguyễn Phúc</famname>", "Dòng họ Nguyễn Phúc", "family"),
    ("<persname>Phan Văn Trị</persname><corpname>Hội Khuyến học</corpname>", "Hội Khuyến học", "corporateBody"),
])
def test_a_fonds_of_a_person_or_a_family_has_them_as_its_creator(origination, creator, creator_type):
    xml = f"""<ead><archdesc level="fonds"><did><unittitle>Phông</unittitle><unitid>A</unitid>
      <origination>{origination}</origination></did><accessrestrict><p>Công khai</p></accessrestrict></archdesc></ead>"""
    fonds, = _map(xml)
    assert (fonds["creator"], fonds["creator_type"]) == (creator, creator_type)


def test_digital_objects_become_file_urls():
    mapped = map_ead(etree.fromstring(FINDING_AID.encode()), source_id="lamdong", local_id="DNO.P01",
                     holding_province="68")
    by_id = {m.document["local_id"]: m for m in mapped}
    assert by_id["DNO.P01/ML01/HS001/VB01"].file_urls == ["https://lamdong.luutru.gov.vn/files/VB01.pdf"]
    assert by_id["DNO.P01"].file_urls == []


def test_every_document_has_only_fields_of_the_strict_index_mapping(records):
    from schema.index import MAPPINGS

    for record in records.values():
        assert set(record) <= set(MAPPINGS["properties"])


def test_numbered_components_c01_c02_without_namespace():
    xml = """<ead><archdesc level="fonds"><did><unittitle>Phông A</unittitle><unitid>A</unitid></did>
      <accessrestrict><p>Công khai</p></accessrestrict>
      <dsc><c01 level="series"><did><unittitle>S</unittitle><unitid>S1</unitid></did>
        <c02 level="file"><did><unittitle>F</unittitle><unitid>F1</unitid></did></c02></c01></dsc>
    </archdesc></ead>"""
    docs = _map(xml)
    assert [(d["local_id"], d["level"]) for d in docs] == [
        ("DNO.P01", "fonds"), ("DNO.P01/S1", "series"), ("DNO.P01/S1/F1", "file")]


@pytest.mark.parametrize("xml, message", [
    ("<dc/>", "no EAD metadata"),
    ("<ead><eadheader/></ead>", "no <archdesc>"),
    ("<ead><archdesc level='fonds'><did><unitid>X</unitid></did></archdesc></ead>", "has no <unittitle>"),
    ("<ead><archdesc level='shelf'><did><unittitle>T</unittitle></did></archdesc></ead>", "level we do not know"),
])
def test_malformed_finding_aids_raise_a_clear_record_error(xml, message):
    with pytest.raises(RecordError, match=message) as raised:
        _map(xml)
    assert raised.value.kind == "mapping"


def test_registry_maps_both_prefixes_to_lists_of_records():
    assert len(MAPPERS["oai_ead"](etree.fromstring(FINDING_AID.encode()), source_id="s", local_id="x",
                                  holding_province="68")) == 6
    dc = etree.fromstring(b'<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
                          b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>T</dc:title></oai_dc:dc>')
    assert [m.document["title"] for m in MAPPERS["oai_dc"](dc, source_id="s", local_id="x",
                                                           holding_province="68")] == ["T"]


def _mapped(xml: str):
    return map_ead(etree.fromstring(xml.encode("utf-8")), source_id="ee", local_id="EAA.M-9", holding_province="68")


def test_siblings_sharing_a_unitid_are_both_kept_and_the_report_says_so():
    """Issue 15: Estonia's APE-EAD EAA.M-9 has two sibling series with one unitid and different @id; one
    repeated unitid threw the whole finding aid away."""
    xml = """<ead><archdesc level="fonds"><did><unittitle>Fonds</unittitle></did><dsc>
      <c id="s-a" level="series"><did><unittitle>A</unittitle><unitid>1</unitid></did>
        <c level="file"><did><unittitle>A.1</unittitle><unitid>1</unitid></did></c></c>
      <c id="s-b" level="series"><did><unittitle>B</unittitle><unitid>1</unitid></did></c>
      <c level="series"><did><unittitle>C</unittitle><unitid>1</unitid></did></c>
    </dsc></archdesc></ead>"""
    mapped = _mapped(xml)
    assert [(m.document["local_id"], m.document["title"]) for m in mapped] == [
        ("EAA.M-9", "Fonds"), ("EAA.M-9/1", "A"), ("EAA.M-9/1/1", "A.1"), ("EAA.M-9/s-b", "B"), ("EAA.M-9/c3", "C")]
    notes = mapped[0].notes
    assert [kind for kind, _ in notes] == ["duplicate", "duplicate"]
    assert "the unitid '1'" in notes[0][1] and "kept as 's-b'" in notes[0][1] and "kept as 'c3'" in notes[1][1]
    # The same finding aid read again gives the same ids: a re-harvest updates, never duplicates.
    assert [m.document["local_id"] for m in _mapped(xml)] == [m.document["local_id"] for m in mapped]


def test_nested_markup_keeps_its_words_apart():
    """ArchivesSpace's voorhis.xml: "Records1925-1965", "Conditions Governing Accessconditions governing …"."""
    xml = """<ead><eadheader><eadid url="EAD Location">voorhis</eadid></eadheader>
      <archdesc level="collection"><did><unittitle>Records<unitdate>1925-1965</unitdate></unittitle>
        <unitid>MC 1</unitid></did>
      <accessrestrict><head>Conditions Governing Access</head><p>Open for research.</p></accessrestrict>
      <scopecontent><p>Letters of <emph render="italic">Jo</emph>hn Voorhis, <persname>John Voorhis</persname>.</p>
      </scopecontent></archdesc></ead>"""
    document = _mapped(xml)[0].document
    assert document["title"] == "Records 1925-1965"
    # The statement is its paragraph: the <head> is a heading, not what the archive says of access.
    assert document["access_reason"] == "unrecognised access statement: Open for research."
    assert _mapped(xml)[0].unrecognised_access == ("Open for research.",)
    assert document["description"] == "Letters of John Voorhis, John Voorhis ."
    # The unitdate inside the unittitle dates the collection; "EAD Location" is not an address.
    assert (document["date_start"], document["date_end"]) == ("1925-01-01", "1965-12-31")
    assert document["source_url"] is None


def test_an_eadid_url_that_is_an_address_is_kept():
    xml = """<ead><eadheader><eadid url="https://archives.example.org/ead/1">x</eadid></eadheader>
      <archdesc level="fonds"><did><unittitle>T</unittitle></did></archdesc></ead>"""
    assert _mapped(xml)[0].document["source_url"] == "https://archives.example.org/ead/1"


@pytest.mark.parametrize("xml", [
    '<ead xmlns="http://ead3.archivists.org/schema/"><control/><archdesc level="fonds"><did>'
    '<unittitle>T</unittitle></did></archdesc></ead>',
    '<ead><control><recordid>x</recordid></control><archdesc level="fonds"><did><unittitle>T</unittitle></did>'
    '</archdesc></ead>',
])
def test_ead3_is_refused_saying_so(xml):
    """Issue 15: EAD3 was refused for a level it uses ("database"); now it says what it is and what is read."""
    with pytest.raises(RecordError, match="EAD3, which the portal does not read yet: it reads EAD 2002"):
        _map(xml)
