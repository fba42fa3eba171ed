"""The sign-in rate limit counted in the Redis of scripts/redis.sh (REDIS_URL, as scripts/test.sh and
make demo set it): two portals on one store and one key prefix (two workers, two hosts) count together,
two prefixes apart; with the store unreachable, each process still counts on its own."""
from __future__ import annotations

import socket
import uuid

import redis

from tests.accounts import csrf_token
from tests.conftest import make_portal


def failed_sign_in(app) -> int:
    client = app.test_client()
    page = client.get("/login")
    return client.post("/login", data={"csrf_token": csrf_token(page.text), "email": "nobody@example.vn",
                                       "password": "not the password"}).status_code


def test_two_portals_on_one_store_count_sign_in_attempts_together(tmp_path_factory):
    prefix = f"test-shared-{uuid.uuid4().hex}"
    first = make_portal(tmp_path_factory, RATELIMIT_SIGN_IN="3 per minute", RATELIMIT_KEY_PREFIX=prefix)
    second = make_portal(tmp_path_factory, RATELIMIT_SIGN_IN="3 per minute", RATELIMIT_KEY_PREFIX=prefix)
    assert first.config["RATELIMIT_STORAGE_URI"].startswith("redis://")
    assert [failed_sign_in(first), failed_sign_in(second), failed_sign_in(first)] == [401, 401, 401]
    assert failed_sign_in(second) == 429
    keys = redis.Redis.from_url(first.config["RATELIMIT_STORAGE_URI"]).keys(f"*{prefix}*")
    assert keys and all(b"auth.login" in key for key in keys)


def test_another_key_prefix_counts_apart(tmp_path_factory):
    crowded = make_portal(tmp_path_factory, RATELIMIT_SIGN_IN="2 per minute")
    assert [failed_sign_in(crowded) for _ in range(3)] == [401, 401, 429]
    other = make_portal(tmp_path_factory, RATELIMIT_SIGN_IN="2 per minute")
    assert other.config["RATELIMIT_KEY_PREFIX"] != crowded.config["RATELIMIT_KEY_PREFIX"]
    assert failed_sign_in(other) == 401


def test_with_the_store_unreachable_sign_in_works_and_is_still_limited(tmp_path_factory):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = make_portal(tmp_path_factory, RATELIMIT_SIGN_IN="3 per minute",
                      RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{port}/0")
    assert [failed_sign_in(app) for _ in range(4)] == [401, 401, 401, 429]
