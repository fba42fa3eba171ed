"""schema.provinces: the 34 current provinces and the former ones a source may still name."""
from __future__ import annotations

import pytest

from schema.provinces import current_provinces, former_units, normalise_code, province_name, resolve_origin


def test_there_are_34_current_provinces_with_two_digit_codes():
    provinces = current_provinces()

    assert len(provinces) == 34
    assert all(len(code) == 2 and code.isdigit() for code in provinces)
    assert all(name for name in provinces.values())


@pytest.mark.parametrize(("code", "name"), [("86", "Vĩnh Long"), ("46", "Huế"), ("92", "Cần Thơ"), ("01", "Hà Nội")])
def test_current_province_codes_name_the_province(code, name):
    assert name in current_provinces()[code]


def test_province_86_is_vinh_long():
    assert province_name("86") == "Vĩnh Long"


def test_province_name_accepts_unpadded_and_numeric_codes():
    assert province_name("1") == province_name(1) == province_name("01") == current_provinces()["01"]


@pytest.mark.parametrize("code", ["abc", "", "99"])
def test_province_name_of_no_province_is_none(code):
    assert province_name(code) is None


@pytest.mark.parametrize(("code", "normal"), [("86", "86"), (86, "86"), ("086", "86"), ("1", "01"), (" 9 ", "09")])
def test_normalise_code_pads_to_two_digits(code, normal):
    assert normalise_code(code) == normal


@pytest.mark.parametrize("code", ["abc", "", "8 6", "86a"])
def test_normalise_code_rejects_what_is_not_a_number(code):
    with pytest.raises(ValueError):
        normalise_code(code)


@pytest.mark.parametrize(
    ("named", "code", "current_code"),
    [("Tỉnh Bến Tre", "83", "86"), ("Tỉnh Trà Vinh", "84", "86"), ("Tỉnh Vĩnh Long", "86", "86"),
     ("Tỉnh Sóc Trăng", "94", "92"), ("Tỉnh Hậu Giang", "93", "92"), ("Thành phố Cần Thơ", "92", "92")],
)
def test_former_province_resolves_to_its_code_and_the_current_province_it_is_part_of(named, code, current_code):
    origin = resolve_origin(named)

    assert (origin.code, origin.current_code) == (code, current_code)
    assert current_code in current_provinces()


@pytest.mark.parametrize("named", ["Tỉnh Thừa Thiên Huế", "Thành phố Huế"])
def test_thua_thien_hue_and_hue_city_are_province_46(named):
    origin = resolve_origin(named)

    assert origin.code == "46"
    assert origin.current_code == "46"


def test_merged_province_keeps_its_own_name():
    assert resolve_origin("Tỉnh Bến Tre").name == "Tỉnh Bến Tre"


def test_former_province_once_resolved_can_be_named_from_its_code():
    resolve_origin("Tỉnh Trà Vinh")

    assert province_name("84") == "Tỉnh Trà Vinh"


@pytest.mark.parametrize("named", ["", "   ", "xyz garbage", "Tokyo", "12345"])
def test_text_that_names_no_province_resolves_to_none(named):
    assert resolve_origin(named) is None


def test_the_63_former_provinces_each_name_the_current_one_they_are_part_of():
    units = former_units()

    assert len(units) == 63
    assert (units["83"].name, units["83"].current_code) == ("Tỉnh Bến Tre", "86")  # Bến Tre is in Vĩnh Long now
    assert units["86"].current_code == "86"
    assert {unit.current_code for unit in units.values()} == set(current_provinces())
