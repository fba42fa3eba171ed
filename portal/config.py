"""Configuration from the environment (and an optional .env file); see .env.example."""
from __future__ import annotations

import logging
import os
import secrets

from dotenv import load_dotenv

log = logging.getLogger(__name__)


def _int(name: str, default: int | None) -> int | None:
    value = os.environ.get(name)
    return int(value) if value else default


MISSING_SECRET_KEY = ("SECRET_KEY is not set (or is .env.example's placeholder): the portal will not start "
                      "without it (every worker must sign sessions and CSRF tokens with the same key). Make one "
                      "with `python -c 'import secrets; print(secrets.token_hex(32))'` and put it in the "
                      "environment or in .env as SECRET_KEY=…")


# .env.example's placeholder: a copy of the example left as it is has no secret at all.
PLACEHOLDER_SECRET_KEYS = frozenset(("change-me",))


class MissingSecretKey(RuntimeError):
    """No SECRET_KEY outside debug and tests: the portal refuses to start."""


def secret_key_missing(value: str | None) -> bool:
    return not value or value.strip() in PLACEHOLDER_SECRET_KEYS


def require_secret_key(config: dict, debug: bool) -> None:
    """Outside debug and tests a missing SECRET_KEY (or .env.example's placeholder) stops the start-up
    with one line saying how to make one; in debug and tests a random key for this process only does."""
    if not secret_key_missing(config.get("SECRET_KEY")):
        return
    if not (debug or config.get("TESTING")):
        raise MissingSecretKey(MISSING_SECRET_KEY)
    log.warning("SECRET_KEY is not set: using a random key for this process only (debug or tests)")
    config["SECRET_KEY"] = secrets.token_hex(32)


def _csv(name: str, default: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in os.environ.get(name, default).split(",") if part.strip())


def load_config(instance_path: str) -> dict:
    load_dotenv(override=False)
    redis_url = os.environ.get("REDIS_URL", "")
    return {
        # Checked by create_app once overrides are in (require_secret_key): empty only in debug and tests.
        "SECRET_KEY": os.environ.get("SECRET_KEY", ""),
        # Fernet key(s) encrypting readers' ID numbers, comma-separated: the first encrypts, all decrypt.
        "PERSONAL_DATA_KEY": os.environ.get("PERSONAL_DATA_KEY", ""),
        # Key of the HMAC that hides anonymous visitors' addresses in the audit log (default: from SECRET_KEY).
        "AUDIT_IP_KEY": os.environ.get("AUDIT_IP_KEY", ""),
        # How often each gunicorn worker's audit sequencer chains the rows requests wrote (0: not at all,
        # e.g. when `flask audit chain --every 1` runs as a service of its own).
        "AUDIT_SEQUENCER_SECONDS": float(os.environ.get("AUDIT_SEQUENCER_SECONDS", "1")),
        # Connections each process keeps open for audit rows: at least its threads (GUNICORN_THREADS).
        "AUDIT_POOL_SIZE": int(os.environ.get("AUDIT_POOL_SIZE", "10")),
        # Ed25519 key signing checkpoints of the chain's head, and where the checkpoints go: both outside
        # the database, so that whoever owns it cannot rewrite the chain unseen (`flask audit checkpoint`).
        "AUDIT_CHECKPOINT_KEY_FILE": os.environ.get("AUDIT_CHECKPOINT_KEY_FILE", ""),
        "AUDIT_CHECKPOINT_PUBLIC_KEY_FILE": os.environ.get("AUDIT_CHECKPOINT_PUBLIC_KEY_FILE", ""),
        "AUDIT_CHECKPOINT_DIR": os.environ.get("AUDIT_CHECKPOINT_DIR", ""),
        "DATABASE_URL": os.environ.get("DATABASE_URL")
        or f"sqlite:///{os.path.join(instance_path, 'portal.db')}",
        "OPENSEARCH_URL": os.environ.get("OPENSEARCH_URL", "http://127.0.0.1:9200"),
        "OPENSEARCH_INDEX_PREFIX": os.environ.get("OPENSEARCH_INDEX_PREFIX", ""),
        "OPENSEARCH_TIMEOUT": _int("OPENSEARCH_TIMEOUT", 30),
        # A request whose node cannot be reached goes to the next node named in OPENSEARCH_URL, this many times.
        "OPENSEARCH_RETRIES": _int("OPENSEARCH_RETRIES", 3),
        # Of a new index: primary shards, and replicas (unset: 1 when OPENSEARCH_URL names several nodes, else 0).
        "OPENSEARCH_SHARDS": _int("OPENSEARCH_SHARDS", 1),
        "OPENSEARCH_REPLICAS": _int("OPENSEARCH_REPLICAS", None),
        # A secured cluster: basic credentials and the CA bundle its certificates chain to.
        "OPENSEARCH_USERNAME": os.environ.get("OPENSEARCH_USERNAME", ""),
        "OPENSEARCH_PASSWORD": os.environ.get("OPENSEARCH_PASSWORD", ""),
        "OPENSEARCH_CA_CERTS": os.environ.get("OPENSEARCH_CA_CERTS", ""),
        # Where `flask index snapshot` keeps snapshots: a directory in every node's path.repo (shared on a cluster).
        "OPENSEARCH_SNAPSHOT_PATH": os.environ.get("OPENSEARCH_SNAPSHOT_PATH",
                                                   "/var/tmp/archives-portal/opensearch-snapshots"),
        "TIKA_SERVER_ENDPOINT": os.environ.get("TIKA_SERVER_ENDPOINT", "http://127.0.0.1:9998"),
        "TIKA_MAX_FILE_BYTES": _int("TIKA_MAX_FILE_BYTES", 50 * 1024 * 1024),
        "TIKA_TIMEOUT": _int("TIKA_TIMEOUT", 120),
        "TIKA_MAX_CHARS": _int("TIKA_MAX_CHARS", 1_000_000),
        # OCR of scans (indexer/ocr.py): a PDF of more pages is read by its text layer only; Tesseract's time
        # limit per image or page, when set here instead of in Tika's configuration (deploy/tika/tika-config.xml).
        "TIKA_OCR_MAX_PAGES": _int("TIKA_OCR_MAX_PAGES", 30),
        "TIKA_OCR_TIMEOUT": _int("TIKA_OCR_TIMEOUT", 0),
        "HARVEST_HTTP_TIMEOUT": _int("HARVEST_HTTP_TIMEOUT", 60),
        # Bounded retries of a source that stumbles (HTTP 429/5xx, timeouts): tries, first wait, longest wait.
        "HARVEST_RETRIES": _int("HARVEST_RETRIES", 4),
        "HARVEST_BACKOFF": float(os.environ.get("HARVEST_BACKOFF", "2")),
        "HARVEST_RETRY_MAX_WAIT": float(os.environ.get("HARVEST_RETRY_MAX_WAIT", "120")),
        # A running harvest whose heartbeat is older than this is taken to be dead and is resumed.
        "HARVEST_LEASE_SECONDS": _int("HARVEST_LEASE_SECONDS", 300),
        # How often `flask harvest --due` runs (deploy/systemd/archives-harvest.timer): what the admin pages
        # tell people who ask for a harvest about when it starts.
        "HARVEST_ROUND_MINUTES": _int("HARVEST_ROUND_MINUTES", 15),
        # Harvest runs on Celery workers (portal/harvest_queue.py): the broker (Redis), the queue's name, a
        # prefix of every key the queue writes there, and how long a message taken by a worker that vanished
        # (its host gone) stays unseen before Redis hands it to another worker.
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL") or redis_url,
        "HARVEST_QUEUE": os.environ.get("HARVEST_QUEUE", "harvest"),
        "HARVEST_QUEUE_KEY_PREFIX": os.environ.get("HARVEST_QUEUE_KEY_PREFIX", "archives-portal:"),
        "CELERY_VISIBILITY_TIMEOUT": _int("CELERY_VISIBILITY_TIMEOUT", 3600),
        # A run's pages shared among worker processes (page tasks on their own queue, so that runs waiting
        # for their pages never hold every process), and how many pages a run has in flight at most.
        "HARVEST_PAGE_TASKS": os.environ.get("HARVEST_PAGE_TASKS", "0") == "1",
        "HARVEST_PAGE_QUEUE": os.environ.get("HARVEST_PAGE_QUEUE")
        or os.environ.get("HARVEST_QUEUE", "harvest") + "-pages",
        "HARVEST_PAGE_WINDOW": _int("HARVEST_PAGE_WINDOW", 8),
        # The list's pages imported together until they hold this many records: one mapping pass, bulk
        # request, commit (and page task) for them all. 1: page by page, as the source sends them.
        "HARVEST_IMPORT_RECORDS": _int("HARVEST_IMPORT_RECORDS", 500),
        # A page no process has started after this many seconds is imported by its run's coordinator itself.
        "HARVEST_PAGE_STALL_SECONDS": float(os.environ.get("HARVEST_PAGE_STALL_SECONDS", "15")),
        # PEM bundle of the roots a PDF signer must chain to; empty: no signature shows as valid.
        "SIGNATURE_TRUST_ROOTS": os.environ.get("SIGNATURE_TRUST_ROOTS", ""),
        # Outgoing mail (verification, password reset, notifications); the demo uses a local sink.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "").lower() in ("1", "true"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "no-reply@archives-portal.invalid"),
        "MAIL_SENDER_NAME": os.environ.get("MAIL_SENDER_NAME", "Cổng thông tin lưu trữ"),
        "MAIL_TIMEOUT": _int("MAIL_TIMEOUT", 10),
        # The portal's address for links in mails sent outside a request (`flask grants expire`).
        "PORTAL_BASE_URL": os.environ.get("PORTAL_BASE_URL", ""),
        # Rate limits (per client address) on the forms a script would hammer; see Flask-Limiter.
        # Shared by every worker and host through Redis (REDIS_URL); memory:// counts per process.
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI") or redis_url or "memory://",
        "RATELIMIT_KEY_PREFIX": os.environ.get("RATELIMIT_KEY_PREFIX", "archives-portal"),
        "RATELIMIT_SIGN_IN": os.environ.get("RATELIMIT_SIGN_IN", "20 per minute;200 per hour"),
        "RATELIMIT_MAIL_FORMS": os.environ.get("RATELIMIT_MAIL_FORMS", "5 per minute;30 per hour"),
        "RATELIMIT_OAI": os.environ.get("RATELIMIT_OAI", "60 per minute;2000 per hour"),
        # The OAI-PMH provider (/oai, portal/oai/): its name, the identifier its OAI identifiers carry
        # (oai:<it>:<record id>; a domain name), whom harvesters write to, how long a resumption token
        # lives, records a page, and how long caches may keep an answer.
        "OAI_REPOSITORY_NAME": os.environ.get("OAI_REPOSITORY_NAME", "Cổng thông tin lưu trữ liên thông"),
        "OAI_REPOSITORY_IDENTIFIER": os.environ.get("OAI_REPOSITORY_IDENTIFIER", "archives-portal.invalid"),
        "OAI_ADMIN_EMAIL": os.environ.get("OAI_ADMIN_EMAIL", ""),
        "OAI_TOKEN_SECONDS": _int("OAI_TOKEN_SECONDS", 86_400),
        "OAI_PAGE_SIZE": _int("OAI_PAGE_SIZE", 100),
        "OAI_CACHE_SECONDS": _int("OAI_CACHE_SECONDS", 60),
        # A finding aid export reads a whole fonds (EAD or PDF).
        "RATELIMIT_EXPORTS": os.environ.get("RATELIMIT_EXPORTS", "10 per minute;100 per hour"),
        # Behind a reverse proxy: how many proxies set X-Forwarded-For/-Proto (0: none trusted).
        "PROXY_FIX_HOPS": _int("PROXY_FIX_HOPS", 0),
        # Who may read /metrics: these client addresses or networks, or a bearer token (empty: none).
        "METRICS_ALLOWED_IPS": _csv("METRICS_ALLOWED_IPS", "127.0.0.1,::1"),
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN", ""),
        # OpenID Connect sign-in for officials (portal/auth/oidc.py); no issuer: no SSO.
        "OIDC_ISSUER": os.environ.get("OIDC_ISSUER", ""),
        "OIDC_CLIENT_ID": os.environ.get("OIDC_CLIENT_ID", ""),
        "OIDC_CLIENT_SECRET": os.environ.get("OIDC_CLIENT_SECRET", ""),
        "OIDC_SCOPE": os.environ.get("OIDC_SCOPE", "openid profile email"),
        "OIDC_TIMEOUT": _int("OIDC_TIMEOUT", 10),
        # Which ID token claims carry the groups and the province, and which group gives which
        # role (portal/auth/claims.py; empty: the default mapping of the shipped Keycloak realm).
        "OIDC_ROLE_CLAIM": os.environ.get("OIDC_ROLE_CLAIM", "groups"),
        "OIDC_PROVINCE_CLAIM": os.environ.get("OIDC_PROVINCE_CLAIM", "province"),
        "OIDC_GROUP_ROLES": os.environ.get("OIDC_GROUP_ROLES", ""),
        # Log lines on stderr: json (the default) or text (the default in debug and tests); and their level.
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", ""),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO").upper(),
        "SEARCH_MAX_PAGE_SIZE": 100,
        "SEARCH_MAX_WINDOW": 10_000,
        "BABEL_DEFAULT_LOCALE": "vi",
        # Times are stored in UTC and shown to people in Việt Nam's time.
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("PORTAL_TIMEZONE", "Asia/Ho_Chi_Minh"),
        "LANGUAGES": ("vi", "en"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "").lower() in ("1", "true"),
    }
