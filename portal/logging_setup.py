"""One logging configuration for the portal, its pages and its commands (`flask harvest` included):
lines on stderr, JSON by default (`LOG_FORMAT=json`: time, level, logger, message and the fields a
line carries, such as a harvest's `source` and `run`), or text for a person at a terminal
(`LOG_FORMAT=text`, the default in debug and in tests).

Each request gets an id: the caller's `X-Request-ID` when it is a sane token (a proxy's, say), else
a new one. It goes back in the `X-Request-ID` header, on every line logged while the request is
served, in the request's own line (route, method, path, status, duration, user) and in the details
of the audit rows the request writes, so one id ties the three together.

Nothing secret is logged here: no header, cookie, body or query string; a token in a path (e-mail
confirmation, password reset) is masked. Werkzeug's own access lines, which carry whole query
strings (an OpenID Connect callback's code and state), are dropped in favour of the request's line.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone

from flask import Flask, Response, g, has_request_context, request, session
from flask.logging import default_handler

LOG_FORMATS = ("json", "text")
REQUEST_ID_HEADER = "X-Request-ID"
# What a request id from outside may look like: a proxy's hex or UUID, a load balancer's trace id.
# Anything else (spaces, quotes, line breaks, a kilobyte of text) is replaced by an id of our own.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,127}")
# Extra fields whose values are never written, should a caller ever pass one.
_SECRET_FIELD = re.compile(r"pass(word)?|secret|token|cookie|authori[sz]ation|csrf|id_number", re.IGNORECASE)
REDACTED = "[redacted]"
# `127.0.0.1 - - [06/Dec/2026 06:46:20] "GET /search?q=… HTTP/1.1" 200 -`, as werkzeug's server writes it.
_WERKZEUG_ACCESS_LINE = re.compile(r'\S+ - - \[[^\]]*\] "')
# Libraries that log every HTTP call (or every plugin) at INFO: kept to their warnings.
# fontTools writes some forty INFO lines each time fpdf2 subsets a font (a finding aid's PDF).
_QUIET_LOGGERS = ("opensearch", "urllib3", "alembic.runtime.plugins", "fontTools")
# pyHanko logs a traceback for every untrusted signer: a harvest's report already says "unknown".
_ERRORS_ONLY_LOGGERS = ("pyhanko",)

# The attributes every LogRecord has; the others on a record are the fields it was given (`extra=`).
_RECORD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}

request_log = logging.getLogger("portal.request")


def _fields(record: logging.LogRecord) -> dict:
    return {key: (REDACTED if _SECRET_FIELD.search(key) else value)
            for key, value in vars(record).items() if key not in _RECORD_ATTRIBUTES and not key.startswith("_")}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, then the line's fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`time level logger: message key=value …`, for a person reading a terminal."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = " ".join(f"{key}={value}" for key, value in _fields(record).items())
        if not fields:
            return line
        first, newline, rest = line.partition("\n")  # after the message, before a traceback
        return f"{first} {fields}{newline}{rest}"


class _RequestIdFilter(logging.Filter):
    """Every line logged while a request is served carries its id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and "request_id" in g and not hasattr(record, "request_id"):
            record.request_id = g.request_id
        return True


class _NoWerkzeugAccessLines(logging.Filter):
    """The development server's access lines repeat the request's line, query string and all."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == "werkzeug" and _WERKZEUG_ACCESS_LINE.match(str(record.msg)))


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a line is written (test runners swap it)."""

    def __init__(self):
        logging.Handler.__init__(self)

    @property
    def stream(self):
        return sys.stderr


def log_format_of(app: Flask) -> str:
    log_format = (app.config.get("LOG_FORMAT") or ("text" if app.debug or app.testing else "json")).lower()
    if log_format not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}")
    return log_format


def configure_logging(log_format: str, level: str | int = "INFO") -> None:
    """Install the portal's handler on the root logger, replacing the one an earlier app installed,
    so that creating several apps (the tests do) never doubles the lines."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _StderrHandler)]:
        root.removeHandler(handler)
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(_RequestIdFilter())
    root.addHandler(handler)
    werkzeug_log = logging.getLogger("werkzeug")  # on the logger: no handler at all gets those lines
    if not any(isinstance(f, _NoWerkzeugAccessLines) for f in werkzeug_log.filters):
        werkzeug_log.addFilter(_NoWerkzeugAccessLines())
    root.setLevel(level)
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in _ERRORS_ONLY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)


# --- requests ------------------------------------------------------------------------------------------------------

def sane_request_id(candidate: str | None) -> str | None:
    return candidate if candidate and _SANE_REQUEST_ID.fullmatch(candidate) else None


def current_request_id() -> str | None:
    """The id of the request being served, None outside a request."""
    return g.get("request_id") if has_request_context() else None


def _start_request() -> None:
    g.request_id = sane_request_id(request.headers.get(REQUEST_ID_HEADER)) or uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _user_id() -> str:
    """The signed-in user's id as the request knew it, without loading anyone for the log's sake."""
    identity = g.get("identity")
    if identity is not None:
        return identity.user_id or "anonymous"
    user = g.get("_login_user")  # Flask-Login's user, once loaded
    if user is not None:
        return str(user.get_id()) if user.is_authenticated else "anonymous"
    # dict.get, not session.get: reading the session that way would add `Vary: Cookie` to static files.
    return str(dict.get(session._get_current_object(), "_user_id") or "anonymous")


def _logged_path() -> str:
    """The path without its query string, a token in it masked."""
    path = request.path
    for name, value in (request.view_args or {}).items():
        if "token" in name and isinstance(value, str) and value:
            path = path.replace(value, REDACTED)
    return path


def _finish_request(response: Response) -> Response:
    if "request_id" not in g:  # a request turned away before ours began
        _start_request()
    response.headers[REQUEST_ID_HEADER] = g.request_id
    duration_ms = round((time.perf_counter() - g.request_started) * 1000, 1)
    path = _logged_path()
    request_log.log(
        logging.ERROR if response.status_code >= 500 else logging.INFO,
        "%s %s %s", request.method, path, response.status_code,
        extra={"route": request.endpoint, "method": request.method, "path": path,
               "status": response.status_code, "duration_ms": duration_ms, "user": _user_id()})
    return response


def init_app(app: Flask) -> None:
    """Logging for the app and its commands; call first in create_app, so the request's id is set
    before any other hook runs and its line is written after every other hook has run."""
    configure_logging(log_format_of(app), app.config.get("LOG_LEVEL") or "INFO")
    app.logger.removeHandler(default_handler)  # the app's lines go through the root handler only
    app.before_request(_start_request)
    app.after_request(_finish_request)
