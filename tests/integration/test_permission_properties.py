"""Property-based permission test (issue 6): Hypothesis makes up identities — any roles, known
or not, any province, valid or not, any grants — and searches — queries, filters, facets,
sorts, pages — and every answer is checked against the truth computed from the demo data
(tests/permission_truth.py): no hit, total, facet bucket, highlight or suggestion that the
identity may not see.

`make test` runs PERMISSION_FUZZ_EXAMPLES cases (300 by default); `make fuzz` runs 10,000.
"""
from __future__ import annotations

import json
import os
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.access.identity import identity_of_user
from portal.opensearch import build_client
from portal.search.params import SORTS, SearchParams
from portal.search.service import SearchService
from portal.search.suggest import SuggestService
from tests.conftest import DEMO_SOURCES
from tests.permission_truth import Person, demo_truth, may_read, may_see

EXAMPLES = int(os.environ.get("PERMISSION_FUZZ_EXAMPLES", "300"))
ROLES = ("reader", "staff", "archive_admin", "national_admin", "auditor", "superuser", "anonymous", "")
PROVINCES = ("86", "46", "92", "01", "99", "", None)
FILTERED = {"province": lambda r: r.province, "access": lambda r: r.access, "level": lambda r: r.level}
FACET_OF = {"province": "holding_province", "access": "access", "level": "level"}


@pytest.fixture(scope="module")
def world(harvested_app, demo_archives):
    truth = demo_truth(demo_archives, DEMO_SOURCES)
    client = build_client(harvested_app.config["OPENSEARCH_URL"])
    alias = f"{harvested_app.config['OPENSEARCH_INDEX_PREFIX']}records"
    tokened = [r for r in truth if r.token and r.file_count]
    grantable = sorted({r.id for r in truth if r.access != "public"} | {p for r in tokened for p in r.path})
    words = sorted({w for r in truth[::7] for w in r.title.split() if len(w) > 2})
    return SimpleNamespace(app=harvested_app, truth=truth, by_id={r.id: r for r in truth},
                           search=SearchService(client, alias), suggest=SuggestService(client, alias),
                           tokens=[r.token for r in tokened], grantable=grantable, words=words)


def people(world):
    return st.builds(
        Person, name=st.just("generated"),
        roles=st.frozensets(st.sampled_from(ROLES), max_size=2),
        province=st.sampled_from(PROVINCES),
        grants=st.frozensets(st.sampled_from(world.grantable), max_size=3))


def queries(world):
    return st.one_of(st.just(""), st.sampled_from(world.tokens), st.sampled_from(world.words),
                     st.lists(st.sampled_from(world.words), min_size=2, max_size=3).map(" ".join),
                     st.text(alphabet="MATKHU0123456789 \"-|+*ăđ", max_size=12))


def filters():
    return st.fixed_dictionaries({
        "province": st.frozensets(st.sampled_from(("86", "46", "92")), max_size=2),
        "access": st.frozensets(st.sampled_from(("public", "restricted", "closed")), max_size=2),
        "level": st.frozensets(st.sampled_from(("fonds", "series", "file", "item")), max_size=2)})


def _identity(person: Person):
    """The identity the portal builds for a signed-in user with these stored roles and province."""
    user = SimpleNamespace(id=1, roles=" ".join(sorted(person.roles)), province=person.province)
    return identity_of_user(user, granted_record_ids=person.grants)


def _passes(record, chosen: dict, skip: str | None = None) -> bool:
    return all(not values or FILTERED[name](record) in values
               for name, values in chosen.items() if name != skip)


def test_every_answer_holds_only_what_the_identity_may_see(world):
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(person=people(world), q=queries(world), chosen=filters(), sort=st.sampled_from(SORTS),
           page=st.integers(1, 3), size=st.sampled_from((1, 7, 20, 100)))
    def check(person, q, chosen, sort, page, size):
        params = SearchParams(q=q.strip(), province=tuple(sorted(chosen["province"])),
                              access=tuple(sorted(chosen["access"])), level=tuple(sorted(chosen["level"])),
                              sort=sort, page=page, size=size)
        with world.app.test_request_context():
            result = world.search.search(_identity(person), params)
        visible = [r for r in world.truth if may_see(person, r)]
        matching = [r for r in visible if _passes(r, chosen)]

        for hit in result.hits:
            record = world.by_id[hit["id"]]
            assert may_see(person, record), ("hit", hit["id"])
            assert _passes(record, chosen), ("filter", hit["id"])
            if "content" in hit["highlight"]:
                assert may_read(person, record), ("highlight", hit["id"])
        assert result.total <= len(matching)
        for name, facet in FACET_OF.items():
            # Multi-select facets count with every filter but their own.
            allowed_counts = {}
            for record in visible:
                if _passes(record, chosen, skip=name):
                    key = FILTERED[name](record)
                    allowed_counts[key] = allowed_counts.get(key, 0) + 1
            for bucket in result.facets.get(facet, []):
                assert bucket["count"] <= allowed_counts.get(bucket["key"], 0), (facet, bucket)
                if not params.q:
                    assert bucket["count"] == allowed_counts[bucket["key"]], (facet, bucket)
        if not params.q:
            assert result.total == len(matching)
        if params.q in world.tokens:  # a token is in one record's files only
            record = next(r for r in world.truth if r.token == params.q)
            readable = may_see(person, record) and may_read(person, record) and _passes(record, chosen)
            assert result.total == (1 if readable else 0), ("token", record.id)
        for hit in result.hits:
            if "MATKHAU" in json.dumps(hit, ensure_ascii=False):
                assert may_read(person, world.by_id[hit["id"]]), ("token shown", hit["id"])

    check()


def test_suggestions_hold_only_what_the_identity_may_see(world):
    @settings(max_examples=max(50, EXAMPLES // 5), deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(person=people(world), prefix=st.sampled_from(world.words).map(lambda w: w[:4]))
    def check(person, prefix):
        with world.app.test_request_context():
            answer = world.suggest.suggest(_identity(person), prefix)
        for entry in answer["titles"]:
            assert may_see(person, world.by_id[entry["id"]]), entry["id"]

    check()
