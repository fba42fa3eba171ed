"""What a Celery worker process holds of its own (portal/harvest_queue.py): its app, made as the process starts
rather than in its first task, and one Redis client, not one a call."""
from __future__ import annotations

from flask import Flask

from portal import harvest_queue


def test_a_new_worker_process_makes_its_own_app_at_once_and_drops_the_parents_connections(monkeypatch):
    made = []
    monkeypatch.setattr("portal.create_app", lambda: made.append(Flask(f"child{len(made)}")) or made[-1])
    monkeypatch.setattr(harvest_queue, "freeze_what_is_loaded", lambda: None)
    monkeypatch.setattr(harvest_queue, "_worker_app", Flask("parent"))
    monkeypatch.setattr(harvest_queue, "_clients", {"redis://parent:6379/0": object()})

    harvest_queue._fresh_app_per_process()

    assert [app.name for app in made] == ["child0"]  # made before any task asks for it
    assert harvest_queue._flask_app() is made[0]  # and the tasks' app, not made again
    assert harvest_queue._clients == {}


def test_one_redis_client_a_broker_for_the_whole_process(monkeypatch):
    monkeypatch.setattr(harvest_queue, "_clients", {})
    first = {"CELERY_BROKER_URL": "redis://127.0.0.1:6380/0"}
    other = {"CELERY_BROKER_URL": "redis://127.0.0.1:6380/1"}
    assert harvest_queue._redis(first) is harvest_queue._redis(dict(first))
    assert harvest_queue._redis(other) is not harvest_queue._redis(first)
