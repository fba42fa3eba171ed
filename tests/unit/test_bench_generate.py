"""The benchmark's record generator and query mix: records the strict mapping accepts, the same every
time, shaped like an archive's catalogue; queries the portal accepts."""
from __future__ import annotations

import itertools
import re
import tracemalloc
from collections import Counter

import pytest
from werkzeug.datastructures import MultiDict

from bench.generate import generate_records, holding_archives
from bench.queries import KINDS, build_query_mix
from portal.access.identity import ANONYMOUS
from portal.search.params import parse_search_params
from portal.search.query import build_search
from schema.index import MAPPINGS
from schema.provinces import current_provinces
from schema.record import ACCESS_LEVELS, LEVELS

SAMPLE = 20_000
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return list(generate_records(SAMPLE, seed=7))


def _check_against_mapping(value, mapping: dict, where: str) -> None:
    """Every field is in the mapping (dynamic: strict) and has a value of the mapped type."""
    if "properties" in mapping:  # an object, or a list of objects
        for obj in value if isinstance(value, list) else [value]:
            assert isinstance(obj, dict), where
            for name, inner in obj.items():
                assert name in mapping["properties"], f"{where}.{name} is not in the mapping"
                _check_against_mapping(inner, mapping["properties"][name], f"{where}.{name}")
        return
    values = value if isinstance(value, list) else [value]
    kind = mapping["type"]
    for item in values:
        if item is None:
            continue
        if kind in ("keyword", "text"):
            assert isinstance(item, str), where
        elif kind in ("integer", "long"):
            assert isinstance(item, int) and not isinstance(item, bool), where
        elif kind == "boolean":
            assert isinstance(item, bool), where
        elif kind == "date":
            assert _DATE.match(item) or _DATETIME.match(item), f"{where}: {item}"
        else:
            pytest.fail(f"{where}: unexpected mapped type {kind}")


def test_records_fit_the_strict_mapping(records):
    for record in records[:5000]:
        _check_against_mapping(record, MAPPINGS, record["id"])


def test_same_seed_gives_the_same_records_and_another_seed_others():
    first = list(generate_records(3000, seed=7))
    assert list(generate_records(3000, seed=7)) == first
    assert list(generate_records(3000, seed=8)) != first


def test_exactly_the_number_asked_with_unique_ids(records):
    assert len(records) == SAMPLE
    assert len({r["id"] for r in records}) == SAMPLE
    assert list(generate_records(0)) == []


def test_every_parent_comes_first_one_level_up_with_the_path_to_it(records):
    seen = {}
    for record in records:
        level = LEVELS.index(record["level"])
        if level == 0:
            assert "parent_id" not in record and record["path"] == []
        else:
            parent = seen[record["parent_id"]]
            assert LEVELS.index(parent["level"]) == level - 1
            assert record["path"] == parent["path"] + [parent["id"]]
            assert record["holding_province"] == parent["holding_province"]
        seen[record["id"]] = record
    levels = Counter(r["level"] for r in records)
    assert levels["item"] > levels["file"] > levels["series"] > levels["fonds"] > 0


def test_access_is_about_80_15_5_public_restricted_closed(records):
    counts = Counter(r["access"] for r in records)
    assert set(counts) <= set(ACCESS_LEVELS)
    assert counts["public"] / SAMPLE == pytest.approx(0.80, abs=0.03)
    assert counts["restricted"] / SAMPLE == pytest.approx(0.15, abs=0.03)
    assert counts["closed"] / SAMPLE == pytest.approx(0.05, abs=0.02)


def test_about_a_fifth_of_items_carry_a_few_hundred_words_of_content(records):
    items = [r for r in records if r["level"] == "item"]
    with_content = [r for r in items if r.get("content")]
    assert len(with_content) / len(items) == pytest.approx(0.20, abs=0.02)
    words = [len(r["content"].split()) for r in with_content]
    assert 150 <= sum(words) / len(words) <= 600
    assert all(r["files"][0]["text_extracted"] for r in with_content)
    assert not any(r.get("content") for r in records if r["level"] != "item")


def test_all_34_provinces_hold_records_of_their_own_and_former_units(records):
    assert {r["holding_province"] for r in records} == set(current_provinces())
    for record in records:
        assert record["origin_province_current"] == record["holding_province"]
        assert record["holding_province_name"] == current_provinces()[record["holding_province"]]
    former = {r["origin_province"] for r in records} - set(current_provinces())
    assert former, "some fonds come from provinces merged in 2025"


def test_dates_lie_between_1975_and_2024_and_start_before_end(records):
    for record in records:
        assert 1975 <= record["year_start"] <= record["year_end"] <= 2024
        assert record["date_start"] <= record["date_end"]
        assert record["date_start"][:4] == str(record["year_start"])


def test_titles_are_vietnamese_with_diacritics(records):
    titles = [r["title"] for r in records[:500]]
    assert sum(1 for t in titles if re.search(r"[ăâđêôơưàảãáạềểễếệọộốồổỗớờởỡợụủũúùứừửữựịỉĩíì]", t)) > 450


def test_generation_is_lazy_so_a_million_takes_no_more_memory_than_a_few_thousand():
    tracemalloc.start()
    try:
        stream = generate_records(1_000_000)
        for _ in itertools.islice(stream, 5000):
            pass
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 30 * 1024 * 1024


def test_each_archive_keys_its_origin_units_apart():
    for archive in holding_archives():
        keys = [origin.key for origin in archive.origins]
        assert len(keys) == len(set(keys)), archive.name
        assert archive.origins[0].code == archive.code


def test_query_mix_is_seeded_and_the_portal_accepts_every_query():
    mix = build_query_mix(300, seed=3)
    assert mix == build_query_mix(300, seed=3)
    assert {q.kind for q in mix} == set(KINDS)
    for query in mix:
        params = parse_search_params(MultiDict(list(query.args)))
        body = build_search(ANONYMOUS, params)
        assert body["query"]["bool"]["filter"], "the permission filter is in every body"
    deep = [q for q in mix if q.kind == "deep_page"]
    assert deep and all(dict(q.args)["page"] == "400" and dict(q.args)["size"] == "25" for q in deep)
