"""Harvest runs on Celery workers, Redis as broker: `celery -A portal.harvest_queue worker` on any number
of hosts, fed by `flask harvest --due --enqueue` (and `--source ID --enqueue`).

A run task is one source's run. With HARVEST_PAGE_TASKS, its process is the run's coordinator: it walks
the list and sends each page to HARVEST_PAGE_QUEUE as a page task (`portal.harvest_page`), which any
worker process maps, fetches, writes and books; the checkpoint moves over the pages done in order
(indexer/stages/dispatch.py). Without it the run task imports its pages itself. What keeps a run one run,
resumed rather than repeated, is the run's lease in the database (indexer/runs.py); the queue only has to
deliver a task again when its worker dies, and not twice when nobody did:

- `acks_late` and `reject_on_worker_lost`: a task is acknowledged when it ends, so a worker process
  killed mid-run (kill -9, out of memory) gives its message back and another worker takes the run over
  from its checkpoint. A whole host gone gives it back after CELERY_VISIBILITY_TIMEOUT.
- A task that finds the run held by a live process (a message delivered twice, a `flask harvest` at the
  console) waits and tries again (`RunBusy` → retry), never fails and never runs beside it.
- One marker in Redis a source (its task's id, SET NX): enqueueing a source whose run is queued or
  running does nothing, and a task whose marker is gone or another's (its run already ended; a stale
  copy of its message) does nothing either. So two schedulers started at once queue one run.

The Flask application is created once per worker process (after the fork: each has its own database
connections), and each task runs in its application context.
"""
from __future__ import annotations

import base64
import logging
import time
import uuid

import redis
from celery import Celery
from celery.signals import worker_process_init
from flask import Flask, current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from indexer.errors import HarvestError, LeaseLost, RunBusy
from indexer.gc_tuning import freeze_what_is_loaded
from indexer.harvest import PageTask, harvest_page
from indexer.runs import lease_is_stale
from portal import database
from portal.harvest_jobs import harvest_tools, run_source_harvest
from portal.opensearch import get_client
from schema.tables import HarvestRun, Source

log = logging.getLogger(__name__)

# How long a source's "queued or running" marker lives if its task never ends it (its message lost with
# the broker's data): a day, then the scheduler queues the source again.
MARKER_SECONDS = 24 * 3600
TASK_NAME = "portal.harvest_source"
PAGE_TASK_NAME = "portal.harvest_page"


class QueueUnavailable(Exception):
    """The broker cannot be reached or is not configured."""


def queue_settings(config) -> dict:
    """Celery's configuration, from the portal's."""
    return {
        "broker_url": config["CELERY_BROKER_URL"],
        "broker_connection_retry_on_startup": True,
        # Every key of the queue (lists, unacknowledged messages) under the portal's prefix, so another
        # portal or a test run on the same Redis never restores or takes this one's messages.
        "broker_transport_options": {"global_keyprefix": config["HARVEST_QUEUE_KEY_PREFIX"],
                                     "visibility_timeout": config["CELERY_VISIBILITY_TIMEOUT"]},
        "task_default_queue": config["HARVEST_QUEUE"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,  # a worker process holds only the run it is on
        "worker_proc_alive_timeout": 60,  # a new process creates the portal's app first: on a busy host, seconds
        "task_ignore_result": True,  # the run's report is in the database
        # The portal's logging (portal/logging_setup.py) stays, writing to stderr itself.
        "worker_hijack_root_logger": False,
        "worker_redirect_stdouts": False,
    }


celery = Celery("archives-portal")
_worker_app: Flask | None = None


def _flask_app() -> Flask:
    """The portal, created once in this process."""
    global _worker_app
    if _worker_app is None:
        from portal import create_app

        _worker_app = create_app()
        freeze_what_is_loaded()  # the app and the modules live as long as the process: out of the collector's way
    return _worker_app


@celery.on_configure.connect
def _configure(sender: Celery, **_) -> None:
    sender.conf.update(queue_settings(current_app.config if has_app_context() else _flask_app().config))


@worker_process_init.connect
def _fresh_app_per_process(**_) -> None:
    """The parent's app, with its connection pools, is not this process's. Its own is made now, as the process
    starts, not in its first task: a run's first page would otherwise wait (and be charged) for it."""
    global _worker_app
    _worker_app = None
    _clients.clear()  # nor are its connections to Redis
    _flask_app()


# --- the marker: one queued or running run a source -------------------------------------------------------

_clients: dict[str, redis.Redis] = {}  # this process's client of each broker, its connections pooled


def _redis(config) -> redis.Redis:
    """The broker's client, one a process, its connections kept: page tasks ask Redis several things a page,
    and a client made for each would connect anew each time."""
    url = config.get("CELERY_BROKER_URL")
    if not url:
        raise QueueUnavailable("no broker: set CELERY_BROKER_URL or REDIS_URL to queue harvests")
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_timeout=10)
    return _clients[url]


def _marker_key(config, source_id: str) -> str:
    return f"{config['HARVEST_QUEUE_KEY_PREFIX']}harvest-queued:{source_id}"


# Deletes the marker only if it is still this task's (a later enqueue's marker is left alone).
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


def _marker_holder(config, source_id: str) -> str | None:
    held = _redis(config).get(_marker_key(config, source_id))
    return held.decode() if held is not None else None


def _release_marker(config, source_id: str, task_id: str) -> None:
    _redis(config).eval(_RELEASE, 1, _marker_key(config, source_id), task_id)


def _live_run(db, source_id: str, lease_seconds: float) -> HarvestRun | None:
    running = db.scalars(select(HarvestRun).where(HarvestRun.source_id == source_id, HarvestRun.state == "running"))
    return next((run for run in running if not lease_is_stale(run, lease_seconds)), None)


def enqueue_harvest(config, source_id: str, *, full: bool = False, requested_by: str | None = None) -> str | None:
    """Queues a run of the source for the workers: the task's id, or None when a run of it is already
    queued, or running in a live process. QueueUnavailable when the broker cannot be reached."""
    if _live_run(database.get_db(), source_id, config["HARVEST_LEASE_SECONDS"]) is not None:
        return None
    task_id = str(uuid.uuid4())
    try:
        if not _redis(config).set(_marker_key(config, source_id), task_id, nx=True, ex=MARKER_SECONDS):
            return None
        celery.conf.update(queue_settings(config))
        with celery.connection_for_write() as connection:  # this configuration's broker and prefix, now
            harvest_source_task.apply_async((source_id,), {"full": full, "requested_by": requested_by},
                                            task_id=task_id, queue=config["HARVEST_QUEUE"], connection=connection)
    except (redis.RedisError, OSError) as error:
        try:
            _release_marker(config, source_id, task_id)
        except redis.RedisError:
            pass  # the marker lapses after MARKER_SECONDS
        raise QueueUnavailable(f"the harvest queue ({config['CELERY_BROKER_URL']}) cannot be reached: {error}")
    return task_id


# --- the task -----------------------------------------------------------------------------------------------------

def busy_retry_seconds(lease_seconds: float) -> float:
    """How long a task that found its source's run held by a live process waits before asking again."""
    return min(max(lease_seconds / 2, 1.0), 60.0)


@celery.task(bind=True, name=TASK_NAME, max_retries=None, acks_late=True, reject_on_worker_lost=True)
def harvest_source_task(self, source_id: str, full: bool = False, requested_by: str | None = None) -> str:
    """Runs (or takes over) one run of the source; its state, or why nothing was run."""
    with _flask_app().app_context():
        config = current_app.config
        task_id = self.request.id
        if _marker_holder(config, source_id) != task_id:
            log.info("harvest task %s of %s: its run has ended already (a copy delivered again); nothing to do",
                     task_id, source_id)
            return "superseded"
        keep_marker = False
        try:
            db = database.get_db()
            source = db.get(Source, source_id)
            if source is None:
                log.error("harvest task %s: no source %r", task_id, source_id)
                return "no such source"
            extractor, settings = harvest_tools(config)
            dispatcher = RedisPageDispatcher(config) if config["HARVEST_PAGE_TASKS"] else None
            try:
                run = run_source_harvest(db, source, extractor, settings, full=full, requested_by=requested_by,
                                         dispatcher=dispatcher)
            except RunBusy as busy:
                keep_marker = True  # the run is alive elsewhere: this task asks again until it can take it or it ended
                log.info("harvest task %s: %s; trying again later", task_id, busy)
                raise self.retry(exc=busy, countdown=busy_retry_seconds(settings.lease_seconds))
            except LeaseLost as error:  # this process stalled and its run was taken over: the marker is the taker's
                keep_marker = True
                log.error("harvest of %s: %s", source_id, error)
                return "taken over"
            except HarvestError as error:  # the run's checkpoint is kept (if it has one); the scheduler tries again
                log.error("harvest of %s failed: %s", source_id, error)
                return "failed"
            return run.state
        finally:
            if not keep_marker:
                _release_marker(config, source_id, task_id)


# --- page tasks: one run's pages shared among worker processes ----------------------------------------------

class RedisPageDispatcher:
    """Sends a coordinator's pages to the page queue; page tasks leave each page's outcome in one Redis hash
    a coordinator (run and lease owner), written once a page."""

    def __init__(self, config):
        self.config, self.store = config, _redis(config)

    def _key(self, run_id: int, owner: str) -> str:
        return f"{self.config['HARVEST_QUEUE_KEY_PREFIX']}harvest-pages:{run_id}:{owner}"

    def _contents_key(self, run_id: int, owner: str) -> str:
        return f"{self.config['HARVEST_QUEUE_KEY_PREFIX']}harvest-page-contents:{run_id}:{owner}"

    def send(self, source_id: str, task: PageTask) -> None:
        """The page's bytes go into Redis as they are (keep); the message names the page. In the message they
        would be base64 in JSON, and base64 again in kombu's envelope: encoded and decoded four times between
        the coordinator, the worker's parent process and the page's process."""
        self.keep(task)
        harvest_page_task.apply_async((source_id, task.run_id, task.owner, task.number, None, task.quiet_repeats,
                                       list(task.lengths)), queue=self.config["HARVEST_PAGE_QUEUE"])

    def keep(self, task: PageTask) -> None:
        """The page's bytes, in a hash of the coordinator's pages in flight (a window of them)."""
        key = self._contents_key(task.run_id, task.owner)
        self.store.pipeline().hset(key, str(task.number), task.content).expire(key, MARKER_SECONDS).execute()

    def content(self, run_id: int, owner: str, number: int) -> bytes | None:
        """The page as the source sent it; None once its coordinator has read its outcome or forgotten the run."""
        return self.store.hget(self._contents_key(run_id, owner), str(number))

    def outcomes(self, run_id: int, owner: str, numbers: list[int]) -> dict[int, str]:
        """The outcomes of the pages that have ended; their bytes, no longer needed, are dropped."""
        if not numbers:
            return {}
        found = self.store.hmget(self._key(run_id, owner), [str(number) for number in numbers])
        ended = {number: outcome.decode() for number, outcome in zip(numbers, found) if outcome is not None}
        if ended:
            self.store.hdel(self._contents_key(run_id, owner), *(str(number) for number in ended))
        return ended

    def mark(self, run_id: int, owner: str, number: int, outcome: str) -> None:
        key = self._key(run_id, owner)
        self.store.hsetnx(key, str(number), outcome)  # a page delivered twice keeps its first outcome
        self.store.expire(key, MARKER_SECONDS)

    def forget(self, run_id: int, owner: str) -> None:
        self.store.delete(self._key(run_id, owner), self._contents_key(run_id, owner), self._claims_key(run_id, owner))

    def _claims_key(self, run_id: int, owner: str) -> str:
        return f"{self.config['HARVEST_QUEUE_KEY_PREFIX']}harvest-page-claims:{run_id}:{owner}"

    def claim(self, run_id: int, owner: str, number: int, claimant: str) -> bool:
        """Whether `claimant` may import the page: the first to ask has it, and keeps it when it asks again (a
        task retried or delivered again after its process was lost keeps its id)."""
        key = self._claims_key(run_id, owner)
        first, holder, _ = self.store.pipeline().hsetnx(key, str(number), claimant).hget(key, str(number)) \
            .expire(key, MARKER_SECONDS).execute()
        return bool(first) or (holder or b"").decode() == claimant

    def take_back(self, source_id: str, task: PageTask) -> bool:
        if not self.claim(task.run_id, task.owner, task.number, f"coordinator:{task.owner}"):
            return False
        db = current_app.extensions["db_sessionmaker"]()  # not the coordinator's: the page commits on its own
        try:
            for _ in range(5):
                try:
                    outcome = import_page_here(db, self.config, source_id, task)
                    break
                except IntegrityError as error:  # as a page task would, the page is tried again
                    db.rollback()
                    outcome = f"unexpected error: {type(error).__name__}: {error}"
                    time.sleep(0.5)
        finally:
            db.close()
        if outcome != "superseded":
            self.mark(task.run_id, task.owner, task.number, outcome)
        return True


@celery.task(bind=True, name=PAGE_TASK_NAME, max_retries=10, acks_late=True, reject_on_worker_lost=True)
def harvest_page_task(self, source_id: str, run_id: int, owner: str, number: int, content: str | None,
                      quiet_repeats: bool = False, lengths: list[int] | None = None) -> str:
    """Imports one page (or pages taken together, of these `lengths`) of a run another process coordinates; its
    outcome goes to the coordinator. The page is in Redis beside the message (`content` None), or base64 in
    the message (sent before that was so)."""
    with _flask_app().app_context():
        config = current_app.config
        dispatcher = RedisPageDispatcher(config)
        if not dispatcher.claim(run_id, owner, number, self.request.id):
            return "superseded"  # its coordinator took it back (no process had started it)
        page = base64.b64decode(content) if content is not None else dispatcher.content(run_id, owner, number)
        if page is None:  # its outcome was read already (a page delivered again), or its run has ended
            return "superseded"
        redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
        task = PageTask(run_id, owner, number, page, quiet_repeats or redelivered, tuple(lengths or ()))
        try:
            outcome = import_page_here(database.get_db(), config, source_id, task)
        except IntegrityError as error:  # another page booked one of its records at the same moment (listed twice)
            raise self.retry(exc=error, countdown=0.5)
        if outcome != "superseded":
            dispatcher.mark(run_id, owner, number, outcome)
        return outcome


def import_page_here(db, config, source_id: str, task: PageTask) -> str:
    """One page of a run imported in this process with this session: "done", "superseded", or why the page
    could not be written (the coordinator stops the run there; nothing is lost). IntegrityError is raised:
    another page booked one of its records at the same moment, and the page is tried again."""
    source = db.get(Source, source_id)
    try:
        extractor, settings = harvest_tools(config)
        outcome = harvest_page(db, source, get_client(), extractor, task, settings) if source else "no such source"
    except IntegrityError:
        raise
    except HarvestError as error:
        outcome = str(error) or type(error).__name__
    except Exception as error:
        log.exception("page %s of run %s of %s broke", task.number, task.run_id, source_id)
        outcome = f"unexpected error: {type(error).__name__}: {error}"
    log.info("page %s of run %s of %s: %s", task.number, task.run_id, source_id, outcome,
             extra={"source": source_id, "run": task.run_id})
    return outcome
