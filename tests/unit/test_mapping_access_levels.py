"""map_access: the access level a source states, in any wording or vocabulary, to public/restricted/closed,
with the source's own policy first."""
from __future__ import annotations

import unicodedata

import pytest

from indexer.mapping.access_levels import map_access
from schema.access_policy import SAYS_NOTHING, AccessPolicy
from schema.record import ACCESS_CLOSED, ACCESS_PUBLIC, ACCESS_RESTRICTED


def test_cong_khai_is_public():
    assert map_access(["Công khai"])[:2] == (ACCESS_PUBLIC, None)


def test_su_dung_co_dieu_kien_is_restricted():
    assert map_access(["Sử dụng có điều kiện"])[:2] == (ACCESS_RESTRICTED, None)


@pytest.mark.parametrize("wording", ["Hạn chế sử dụng", "Hạn chế", "Chế độ sử dụng: Hạn chế sử dụng"])
def test_older_tt_02_2019_wording_is_restricted(wording):
    assert map_access([wording])[:2] == (ACCESS_RESTRICTED, None)


@pytest.mark.parametrize("wording", ["Mật", "Tối mật", "Tuyệt mật", "Không công khai"])
def test_secret_wordings_are_closed_without_a_reason(wording):
    assert map_access([wording])[:2] == (ACCESS_CLOSED, None)


@pytest.mark.parametrize(
    ("wording", "level"),
    [("Công khai", ACCESS_PUBLIC), ("Sử dụng có điều kiện", ACCESS_RESTRICTED), ("Mật", ACCESS_CLOSED)],
)
def test_decomposed_nfd_wording_maps_like_precomposed(wording, level):
    decomposed = unicodedata.normalize("NFD", wording)
    assert decomposed != wording

    assert map_access([decomposed])[:2] == (level, None)


@pytest.mark.parametrize(
    ("wording", "level"),
    [("  CÔNG KHAI. ", ACCESS_PUBLIC), ("Mức độ tiếp cận: Mật", ACCESS_CLOSED),
     ("Mức độ tiếp cận:Công khai", ACCESS_PUBLIC), ("Sử dụng có điều kiện.", ACCESS_RESTRICTED)],
)
def test_case_trailing_period_and_label_prefix_do_not_matter(wording, level):
    assert map_access([wording])[:2] == (level, None)


def test_unknown_wording_is_closed_and_the_reason_quotes_it():
    level, reason, _ = map_access(["Bí mật nhà nước"])

    assert level == ACCESS_CLOSED
    assert "Bí mật nhà nước" in reason


@pytest.mark.parametrize("values", [[], [""], ["   "]])
def test_missing_access_statement_is_closed_with_a_reason(values):
    level, reason, _ = map_access(values)

    assert level == ACCESS_CLOSED
    assert reason == "no access level stated"


def test_strictest_wins_between_public_and_closed():
    assert map_access(["Công khai", "Mật"])[:2] == (ACCESS_CLOSED, None)


def test_strictest_wins_between_public_and_restricted_in_any_order():
    assert map_access(["Hạn chế sử dụng", "Công khai"])[:2] == (ACCESS_RESTRICTED, None)
    assert map_access(["Công khai", "Hạn chế sử dụng"])[:2] == (ACCESS_RESTRICTED, None)


def test_strictest_wins_between_restricted_and_closed():
    assert map_access(["Sử dụng có điều kiện", "Tối mật"])[:2] == (ACCESS_CLOSED, None)


def test_unknown_wording_beside_a_public_one_still_keeps_the_record_closed():
    level, _reason, _ = map_access(["Công khai", "Bí mật nhà nước"])

    assert level == ACCESS_CLOSED


# --- what other repositories send ------------------------------------------------------------------------

@pytest.mark.parametrize(("statement", "level"), [
    ("http://purl.org/coar/access_right/c_abf2", ACCESS_PUBLIC),
    ("https://purl.org/coar/access_right/c_16ec/", ACCESS_RESTRICTED),
    ("http://purl.org/coar/access_right/c_14cb", ACCESS_RESTRICTED),  # metadata only: no content to the public
    ("http://purl.org/coar/access_right/c_f1cf", ACCESS_CLOSED),  # embargoed
    ("info:eu-repo/semantics/openAccess", ACCESS_PUBLIC),
    ("info:eu-repo/semantics/restrictedAccess", ACCESS_RESTRICTED),
    ("info:eu-repo/semantics/embargoedAccess", ACCESS_CLOSED),
    ("info:eu-repo/semantics/closedAccess", ACCESS_CLOSED),
    ("http://creativecommons.org/licenses/by-nc/4.0/", ACCESS_PUBLIC),
    ("https://creativecommons.org/publicdomain/zero/1.0/", ACCESS_PUBLIC),
    ("http://rightsstatements.org/vocab/NoC-US/1.0/", ACCESS_PUBLIC),
    ("https://rightsstatements.org/page/NoC-NC/1.0/?language=en", ACCESS_PUBLIC),
])
def test_access_vocabularies_of_other_repositories_are_read(statement, level):
    assert map_access([statement]) == (level, None, ())


@pytest.mark.parametrize("statement", ["http://rightsstatements.org/vocab/InC/1.0/",
                                       "http://rightsstatements.org/vocab/InC-EDU/1.0/",
                                       "http://rightsstatements.org/vocab/UND/1.0/"])
def test_in_copyright_statements_say_nothing_of_access(statement):
    # Alone, the record states no level: the source's level for that (closed unless set) applies.
    assert map_access([statement]) == (ACCESS_CLOSED, "no access level stated", ())
    assert map_access([statement], AccessPolicy(unstated=ACCESS_PUBLIC)) == (ACCESS_PUBLIC, None, ())
    assert map_access([statement, "Sử dụng có điều kiện"]) == (ACCESS_RESTRICTED, None, ())


def test_a_lookalike_host_is_not_a_vocabulary():
    level, _, unrecognised = map_access(["http://creativecommons.org.evil.test/licenses/by/4.0/"])

    assert level == ACCESS_CLOSED
    assert unrecognised == ("http://creativecommons.org.evil.test/licenses/by/4.0/",)


# --- the source's own policy -------------------------------------------------------------------------------

OPEN_FOR_RESEARCH = "Open for research without restrictions."


def test_an_english_statement_is_closed_and_reported_until_the_source_maps_it():
    assert map_access([OPEN_FOR_RESEARCH]) == (
        ACCESS_CLOSED, f"unrecognised access statement: {OPEN_FOR_RESEARCH}", (OPEN_FOR_RESEARCH,))

    policy = AccessPolicy.of([{"statement": "open for research  without restrictions", "level": "public"}], None)

    assert map_access([OPEN_FOR_RESEARCH], policy) == (ACCESS_PUBLIC, None, ())


def test_the_source_policy_comes_before_the_portal_wordings():
    policy = AccessPolicy.of([{"statement": "Open", "level": "restricted"}], None)

    assert map_access(["Open"], policy)[:2] == (ACCESS_RESTRICTED, None)


def test_a_statement_mapped_as_saying_nothing_leaves_the_level_to_the_others():
    policy = AccessPolicy.of([{"statement": "© Trung tâm Lưu trữ lịch sử", "level": SAYS_NOTHING}], None)

    assert map_access(["© Trung tâm Lưu trữ lịch sử", "Công khai"], policy) == (ACCESS_PUBLIC, None, ())
    assert map_access(["© Trung tâm Lưu trữ lịch sử"], policy) == (ACCESS_CLOSED, "no access level stated", ())


def test_records_stating_nothing_take_the_sources_level_which_is_closed_unless_set():
    assert map_access([], AccessPolicy.of(None, None))[:2] == (ACCESS_CLOSED, "no access level stated")
    assert map_access([], AccessPolicy.of(None, "restricted")) == (ACCESS_RESTRICTED, None, ())


def test_strictest_still_wins_with_a_policy():
    policy = AccessPolicy.of([{"statement": OPEN_FOR_RESEARCH, "level": "public"}], "public")

    assert map_access([OPEN_FOR_RESEARCH, "Mật"], policy)[:2] == (ACCESS_CLOSED, None)
    assert map_access([OPEN_FOR_RESEARCH, "Access restricted until 2040"], policy)[0] == ACCESS_CLOSED


def test_a_damaged_policy_row_can_only_close():
    policy = AccessPolicy.of([{"statement": "Mở", "level": "everyone"}, {"level": "public"}, "junk", None],
                             "wide open")

    assert policy.rules == {}
    assert map_access(["Mở"], policy)[0] == ACCESS_CLOSED
    assert map_access([], policy)[0] == ACCESS_CLOSED


def test_an_unknown_licence_line_beside_a_known_level_is_reported_but_does_not_close():
    assert map_access(["Công khai", "Attribution-NonCommercial 4.0 International"]) == (
        ACCESS_PUBLIC, None, ("Attribution-NonCommercial 4.0 International",))
