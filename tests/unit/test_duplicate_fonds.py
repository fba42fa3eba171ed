"""The name two describers of one fonds share (portal.admin.duplicate_fonds.fonds_name_key), and the groups."""
from __future__ import annotations

from portal.admin.duplicate_fonds import DuplicateFonds, duplicates_by_fonds, fonds_name_key


def test_the_word_phong_the_dates_case_and_diacritics_are_set_aside():
    harvested = fonds_name_key("Phông Sở Nội vụ tỉnh Vĩnh Long (2008–2025)")
    packaged = fonds_name_key("Sở Nội vụ tỉnh Vĩnh Long")
    typed = fonds_name_key("so noi vu tinh vinh long")
    assert harvested == packaged == typed == "so noi vu tinh vinh long"


def test_different_bodies_stay_different():
    assert fonds_name_key("Sở Nội vụ tỉnh Vĩnh Long") != fonds_name_key("Sở Nội vụ tỉnh Hậu Giang")
    # "Phòng" (a district office) is not "Phông" (the fonds): only the latter is set aside.
    assert fonds_name_key("Phòng Giáo dục thành phố Huế") == "phong giao duc thanh pho hue"
    assert fonds_name_key("Phông Phòng Giáo dục thành phố Huế (1990–2024)") == "phong giao duc thanh pho hue"


def test_brackets_without_a_year_are_part_of_the_name():
    assert fonds_name_key("Ủy ban hành chính (cũ)") == "uy ban hanh chinh cu"
    assert fonds_name_key("") == "" and fonds_name_key(None) == ""


def test_each_fonds_of_a_group_names_the_others():
    group = DuplicateFonds("86", "so noi vu tinh vinh long", [
        {"id": "vinhlong:VL.SNV", "source_id": "vinhlong"}, {"id": "nop-vinhlong:VL.SNV", "source_id": "nop-vinhlong"}])
    others = duplicates_by_fonds([group])
    assert [o["id"] for o in others["vinhlong:VL.SNV"]] == ["nop-vinhlong:VL.SNV"]
    assert [o["id"] for o in others["nop-vinhlong:VL.SNV"]] == ["vinhlong:VL.SNV"]
