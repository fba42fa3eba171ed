"""map_access: the access level a source states, in any wording, to public/restricted/closed."""
from __future__ import annotations

import unicodedata

import pytest

from indexer.mapping.access_levels import map_access
from schema.record import ACCESS_CLOSED, ACCESS_PUBLIC, ACCESS_RESTRICTED


def test_cong_khai_is_public():
    assert map_access(["Công khai"]) == (ACCESS_PUBLIC, None)


def test_su_dung_co_dieu_kien_is_restricted():
    assert map_access(["Sử dụng có điều kiện"]) == (ACCESS_RESTRICTED, None)


@pytest.mark.parametrize("wording", ["Hạn chế sử dụng", "Hạn chế", "Chế độ sử dụng: Hạn chế sử dụng"])
def test_older_tt_02_2019_wording_is_restricted(wording):
    assert map_access([wording]) == (ACCESS_RESTRICTED, None)


@pytest.mark.parametrize("wording", ["Mật", "Tối mật", "Tuyệt mật", "Không công khai"])
def test_secret_wordings_are_closed_without_a_reason(wording):
    assert map_access([wording]) == (ACCESS_CLOSED, None)


@pytest.mark.parametrize(
    ("wording", "level"),
    [("Công khai", ACCESS_PUBLIC), ("Sử dụng có điều kiện", ACCESS_RESTRICTED), ("Mật", ACCESS_CLOSED)],
)
def test_decomposed_nfd_wording_maps_like_precomposed(wording, level):
    decomposed = unicodedata.normalize("NFD", wording)
    assert decomposed != wording

    assert map_access([decomposed]) == (level, None)


@pytest.mark.parametrize(
    ("wording", "level"),
    [("  CÔNG KHAI. ", ACCESS_PUBLIC), ("Mức độ tiếp cận: Mật", ACCESS_CLOSED),
     ("Mức độ tiếp cận:Công khai", ACCESS_PUBLIC), ("Sử dụng có điều kiện.", ACCESS_RESTRICTED)],
)
def test_case_trailing_period_and_label_prefix_do_not_matter(wording, level):
    assert map_access([wording]) == (level, None)


def test_unknown_wording_is_closed_and_the_reason_quotes_it():
    level, reason = map_access(["Bí mật nhà nước"])

    assert level == ACCESS_CLOSED
    assert "Bí mật nhà nước" in reason


@pytest.mark.parametrize("values", [[], [""], ["   "]])
def test_missing_access_statement_is_closed_with_a_reason(values):
    level, reason = map_access(values)

    assert level == ACCESS_CLOSED
    assert reason == "no access level stated"


def test_strictest_wins_between_public_and_closed():
    assert map_access(["Công khai", "Mật"]) == (ACCESS_CLOSED, None)


def test_strictest_wins_between_public_and_restricted_in_any_order():
    assert map_access(["Hạn chế sử dụng", "Công khai"]) == (ACCESS_RESTRICTED, None)
    assert map_access(["Công khai", "Hạn chế sử dụng"]) == (ACCESS_RESTRICTED, None)


def test_strictest_wins_between_restricted_and_closed():
    assert map_access(["Sử dụng có điều kiện", "Tối mật"]) == (ACCESS_CLOSED, None)


def test_unknown_wording_beside_a_public_one_still_keeps_the_record_closed():
    level, _reason = map_access(["Công khai", "Bí mật nhà nước"])

    assert level == ACCESS_CLOSED
