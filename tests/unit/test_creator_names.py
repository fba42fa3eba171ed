"""When two creator names are one creator (same name once spelling noise is set aside, same current province)
and when they are only listed as a doubt for an admin."""
from __future__ import annotations

import unicodedata

from portal.creators.names import (ABBREVIATED, MARKS_DIFFER, SAME_NAME_OTHER_PROVINCE, NameForm, doubtful_pairs,
                                   likeness_key, name_key)


def test_case_spacing_unicode_form_and_end_punctuation_do_not_make_another_name():
    decomposed = unicodedata.normalize("NFD", "Sở Nội vụ tỉnh Vĩnh Long")
    assert name_key(decomposed) == name_key("  SỞ NỘI VỤ   tỉnh Vĩnh Long. ")
    assert name_key("Sở Nội vụ") == "sở nội vụ"


def test_old_and_new_tone_placement_are_one_spelling_but_other_marks_are_other_names():
    assert name_key("Uỷ ban nhân dân tỉnh Hoà Bình") == name_key("Ủy ban nhân dân tỉnh Hòa Bình")
    assert name_key("Sở Thuỷ lợi") == name_key("Sở Thủy lợi")
    assert name_key("Công ty Quý Hoàng") == "công ty quý hoàng"  # qu: the mark stays on y; hoàng is not hoà
    assert name_key("Xã Hòa") != name_key("Xã Hóa")  # another tone, another name
    assert name_key("Sở Nội vụ") != name_key("So Noi vu")  # typed without marks: a doubt, not the same name


def test_likeness_writes_out_abbreviations_and_drops_marks():
    assert likeness_key("UBND tỉnh Bến Tre") == likeness_key("Ủy ban nhân dân tỉnh Bến Tre") \
        == "uy ban nhan dan tinh ben tre"
    assert likeness_key("HĐND huyện Chợ Lách") == "hoi dong nhan dan huyen cho lach"


def test_doubts_name_each_pair_once_with_its_reason_and_leave_out_the_pairs_kept_apart():
    forms = [NameForm(1, "Ủy ban nhân dân tỉnh Bến Tre", "86"),
             NameForm(2, "UBND tỉnh Bến Tre", "86"),
             NameForm(3, "Ủy ban nhân dân tỉnh Bến Tre", "80"),
             NameForm(4, "Uy ban nhan dan tinh Ben Tre", "86"),
             NameForm(1, "UỶ BAN NHÂN DÂN TỈNH BẾN TRE", "86"),  # a second spelling of creator 1: no pair with itself
             NameForm(5, "Sở Y tế tỉnh Bến Tre", "86")]
    doubts = {(d.first, d.second): d.reason for d in doubtful_pairs(forms)}
    assert doubts == {(1, 2): ABBREVIATED, (1, 3): SAME_NAME_OTHER_PROVINCE, (1, 4): MARKS_DIFFER,
                      (2, 3): ABBREVIATED, (2, 4): ABBREVIATED, (3, 4): MARKS_DIFFER}
    assert (1, 3) not in {(d.first, d.second) for d in doubtful_pairs(forms, kept_apart={(1, 3)})}
    assert doubtful_pairs([NameForm(1, "Sở Nội vụ", "86"), NameForm(1, "Sở Nội Vụ", "86")]) == []
