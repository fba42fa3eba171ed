"""nDCG@k and top-k agreement, on examples computed by hand."""
from __future__ import annotations

import math

import pytest

from tests.relevance.judgments import fold, has_phrase
from tests.relevance.metrics import dcg, ndcg_at_k, same_top_k


def test_dcg_discounts_each_rank_by_log2_of_rank_plus_one():
    # 3/log2(2) + 2/log2(3) + 1/log2(4) = 3 + 1.261860 + 0.5
    assert dcg([3, 2, 1]) == pytest.approx(4.761860, abs=1e-6)
    assert dcg([]) == 0


def test_ideal_ranking_scores_one():
    grades = {"a": 3, "b": 2, "c": 1}
    assert ndcg_at_k(["a", "b", "c"], grades) == pytest.approx(1.0)


def test_graded_example_computed_by_hand():
    # Ranked a(3), x(0), c(2): DCG = 3/1 + 0/log2(3) + 2/log2(4) = 4.0
    # Ideal 3, 2, 1:          IDCG = 3/1 + 2/log2(3) + 1/log2(4) = 4.761860
    grades = {"a": 3, "c": 2, "d": 1}
    assert ndcg_at_k(["a", "x", "c"], grades) == pytest.approx(4.0 / 4.761860, abs=1e-6)
    assert ndcg_at_k(["a", "x", "c"], grades) == pytest.approx(0.840007, abs=1e-6)


def test_best_record_second_scores_less_than_first():
    # Ranked x(0), a(3): DCG = 3/log2(3) = 1.892789; ideal 3/1 = 3
    assert ndcg_at_k(["x", "a"], {"a": 3}) == pytest.approx(3 / math.log2(3) / 3, abs=1e-9)
    assert ndcg_at_k(["x", "a"], {"a": 3}) == pytest.approx(0.630930, abs=1e-6)


def test_only_the_first_k_places_count():
    grades = {"a": 1}
    ranked = [f"x{n}" for n in range(10)] + ["a"]
    assert ndcg_at_k(ranked, grades, k=10) == 0.0
    # At k=11 the record at rank 11 counts: 1/log2(12) over the ideal 1/log2(2).
    assert ndcg_at_k(ranked, grades, k=11) == pytest.approx(1 / math.log2(12), abs=1e-9)


def test_ideal_is_cut_at_k_when_more_records_are_relevant_than_places():
    grades = {f"r{n}": 1 for n in range(15)}
    assert ndcg_at_k([f"r{n}" for n in range(10)], grades, k=10) == pytest.approx(1.0)
    # Five relevant of ten places, in the first five: sum(1/log2(i+1), i=1..5) / sum(..., i=1..10)
    # = 2.948459 / 4.543559
    found = sum(1 / math.log2(i + 1) for i in range(1, 6))
    ideal = sum(1 / math.log2(i + 1) for i in range(1, 11))
    ranked = [f"r{n}" for n in range(5)] + [f"x{n}" for n in range(5)]
    assert ndcg_at_k(ranked, grades, k=10) == pytest.approx(found / ideal, abs=1e-9)
    assert found / ideal == pytest.approx(0.648932, abs=1e-6)


def test_unjudged_records_and_repeats_gain_nothing():
    assert ndcg_at_k(["a", "a"], {"a": 2, "b": 2}) == pytest.approx(2 / (2 + 2 / math.log2(3)))
    assert ndcg_at_k([], {"a": 1}) == 0.0


def test_a_query_without_relevant_records_cannot_be_scored():
    with pytest.raises(ValueError):
        ndcg_at_k(["a"], {})
    with pytest.raises(ValueError):
        ndcg_at_k(["a"], {"a": 0})


def test_same_top_k_ignores_order_within_the_first_k_and_what_comes_after():
    assert same_top_k(["a", "b", "c"], ["b", "a", "c"], k=3)
    assert same_top_k(["a", "b", "x"], ["b", "a", "y"], k=2)
    assert not same_top_k(["a", "b"], ["a", "c"], k=2)


def test_unaccented_twin_is_typed_without_marks_and_with_d_for_dj():
    assert fold("Quyết định 125/QĐ-UBND") == "quyet dinh 125/qd-ubnd"
    assert fold("Điện Thái Hòa") == "dien thai hoa"


def test_phrase_match_ignores_case_and_punctuation_but_not_word_boundaries():
    assert has_phrase("Chỉ thị về phòng, chống thiên tai", "phòng chống thiên tai")
    assert not has_phrase("Nghị quyết về việc thẩm định", "quyết định")
    assert not has_phrase("kiểm tra", "trà")
