"""The relevance test set: graded judgments over the demo archives and the measures of a ranking.

`judgments` derives its queries and their relevant records from `demo.catalogue`; `metrics` holds
nDCG. Both are plain Python with no service: `tests/integration/test_relevance.py` runs the queries
against the harvested demo archives, `tests/unit/test_relevance_metrics.py` checks the arithmetic.
"""
