"""Measures of a ranking against graded judgments.

nDCG@k as Järvelin and Kekäläinen define it and trec_eval computes it: linear gain (the grade),
discount log2(rank + 1), the ideal ranking being the judged grades in descending order.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def dcg(gains: Sequence[float]) -> float:
    """Discounted cumulative gain of gains in rank order (rank 1 first)."""
    return sum(gain / math.log2(rank + 1) for rank, gain in enumerate(gains, start=1))


def ndcg_at_k(ranked_ids: Sequence[str], grades: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k of a ranking; ids not judged count as grade 0, a repeated id counts once."""
    ideal = dcg(sorted((g for g in grades.values() if g > 0), reverse=True)[:k])
    if ideal == 0:
        raise ValueError("a query without a relevant record cannot be scored")
    seen: set[str] = set()
    gains = []
    for record_id in ranked_ids[:k]:
        gains.append(0 if record_id in seen else grades.get(record_id, 0))
        seen.add(record_id)
    return dcg(gains) / ideal


def same_top_k(first: Sequence[str], second: Sequence[str], k: int = 10) -> bool:
    """Whether two rankings find the same records in their first k places, in any order."""
    return set(first[:k]) == set(second[:k])
