"""gunicorn settings of the portal: `gunicorn -c gunicorn.conf.py` (make demo and production alike).

Every setting can be changed from the environment (PORTAL_BIND, GUNICORN_WORKERS, ...) or on the
command line, which wins over this file. Behind a reverse proxy, see README "Production".
"""
import glob
import os
import runpy
import shutil
import sys
import tempfile

from dotenv import load_dotenv

PROJECT_DIR = os.path.dirname(os.path.abspath(__file__))
# The clone's .env, as the portal reads it (the environment wins): PORTAL_BIND and GUNICORN_* may be there.
load_dotenv(os.path.join(PROJECT_DIR, ".env"), override=False)


def _setting(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


wsgi_app = "app:create_app()"

# Where to listen: loopback by default, the reverse proxy in front connects there.
bind = (os.environ.get("PORTAL_BIND") or "127.0.0.1:5000").split(",")

# Threads serve the many requests that wait on OpenSearch and the database; processes use the cores.
worker_class = "gthread"
workers = _setting("GUNICORN_WORKERS", min(2 * (os.cpu_count() or 1) + 1, 9))
threads = _setting("GUNICORN_THREADS", 4)

# A worker silent for longer is killed and replaced (an export of 1,000 records takes a few seconds);
# on restart (SIGHUP) or stop (SIGTERM) workers get graceful_timeout to finish their requests.
timeout = _setting("GUNICORN_TIMEOUT", 60)
graceful_timeout = _setting("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
# Workers are replaced after this many requests (plus up to the jitter, so they do not all restart
# at once): whatever a worker leaks in a long life is given back.
max_requests = _setting("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _setting("GUNICORN_MAX_REQUESTS_JITTER", 200)

# The reverse proxy's X-Forwarded-* headers are read by the portal alone, as far as PROXY_FIX_HOPS
# says to trust them; gunicorn would otherwise take X-Forwarded-Proto from any local client.
secure_scheme_headers = {}

# Access log and errors to stdout/stderr (journald or the container's log collects them).
accesslog = "-"
errorlog = "-"
# The usual combined format, with the time taken and the worker that answered (<pid>).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms %(p)s'
loglevel = os.environ.get("GUNICORN_LOG_LEVEL") or "info"
proc_name = "archives-portal"
# gunicornc's control socket only where one is named: by default every gunicorn of the user shares
# one path ($HOME/.gunicorn/gunicorn.ctl), and a second portal on the machine would take it over.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True

# Prometheus in multiprocess mode: each worker writes its figures to files in this directory and
# /metrics sums them. Set before any worker imports prometheus_client (the value class is chosen at
# import); a fresh directory unless the operator names one (emptied at start, see on_starting).
METRICS_DIR_PREFIX = "archives-portal-metrics-"
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix=METRICS_DIR_PREFIX)
prometheus_multiproc_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"]


def on_starting(server):
    """Before any worker: refuse to start without SECRET_KEY (one line saying how to make one), warn
    when the workers would count rate limits apart, and start the metrics from zero."""
    # portal/config.py read, not imported: the master imports nothing of the portal, so the workers a
    # graceful reload (SIGHUP) starts after a deploy import all of the new code.
    portal_config = runpy.run_path(os.path.join(PROJECT_DIR, "portal", "config.py"))
    if portal_config["secret_key_missing"](os.environ.get("SECRET_KEY")):
        print(portal_config["MISSING_SECRET_KEY"], file=sys.stderr)
        on_exit(server)
        sys.exit(1)
    if server.cfg.workers > 1 and not (os.environ.get("RATELIMIT_STORAGE_URI") or os.environ.get("REDIS_URL")):
        server.log.warning("no REDIS_URL: each of the %d workers counts sign-in attempts on its own",
                           server.cfg.workers)
    os.makedirs(prometheus_multiproc_dir, exist_ok=True)
    for stale in glob.glob(os.path.join(prometheus_multiproc_dir, "*.db")):
        os.remove(stale)


def post_worker_init(worker):
    """Each worker chains the audit rows its requests (and the others') wrote, in a thread of its own;
    one at a time holds the chain's lock (portal/audit/sequencer.py)."""
    from portal.audit.sequencer import start_sequencer

    start_sequencer(worker.wsgi)


def child_exit(server, worker):
    """A worker ended (restarted, killed, max_requests): its live figures (gauges) are dropped;
    its counters and histograms stay counted."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, prometheus_multiproc_dir)


def on_exit(server):
    """The metrics directory this file made goes with the server; one the operator named stays."""
    if os.path.basename(prometheus_multiproc_dir).startswith(METRICS_DIR_PREFIX):
        shutil.rmtree(prometheus_multiproc_dir, ignore_errors=True)
