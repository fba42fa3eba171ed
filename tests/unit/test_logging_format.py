"""The log line formats of portal/logging_setup.py, and which request ids from outside are kept."""
from __future__ import annotations

import json
import logging
import sys

import pytest

from portal.logging_setup import JsonFormatter, TextFormatter, sane_request_id


def _record(message: str = "harvest of %s done", *args, exc_info=None, **fields) -> logging.LogRecord:
    record = logging.LogRecord("indexer.harvest", logging.INFO, __file__, 1, message, args or ("hue",), exc_info)
    record.created = 1_767_225_600.25  # 2026-01-01 00:00:00.250 UTC
    for name, value in fields.items():
        setattr(record, name, value)
    return record


def test_a_json_line_has_time_level_logger_message_then_its_fields():
    line = json.loads(JsonFormatter().format(_record(source="hue", run=7)))
    assert line == {"time": "2026-01-01T00:00:00.250Z", "level": "INFO", "logger": "indexer.harvest",
                    "message": "harvest of hue done", "source": "hue", "run": 7}


def test_a_json_line_keeps_vietnamese_as_it_is_and_carries_the_traceback():
    try:
        raise ValueError("hỏng")
    except ValueError:
        record = _record("Huế: %s", "lỗi", exc_info=sys.exc_info())
    text = JsonFormatter().format(record)
    assert "\n" not in text and "Huế: lỗi" in text
    assert json.loads(text)["exception"].endswith("ValueError: hỏng")


@pytest.mark.parametrize("field", ["password", "csrf_token", "session_cookie", "authorization", "id_number",
                                   "client_secret"])
def test_a_field_named_like_a_secret_is_never_written(field):
    for formatter in (JsonFormatter(), TextFormatter()):
        text = formatter.format(_record(**{field: "do-not-log-me"}))
        assert "do-not-log-me" not in text and "[redacted]" in text


def test_a_text_line_puts_the_fields_after_the_message():
    assert TextFormatter().format(_record(source="hue", run=7)).endswith(
        "INFO indexer.harvest: harvest of hue done source=hue run=7")


@pytest.mark.parametrize("offered, kept", [
    ("4bf92f3577b34da6a3ce929d0e0e4736", True), ("Root=1-67891233-abcdef012345678912345678", True),
    ("req.42:a@b+c", True), ("", False), (None, False), ("two words", False), ("line\nbreak", False),
    ("x" * 129, False), ("-starts-with-dash", False), ("ünïcode", False)])
def test_only_a_sane_token_from_outside_is_kept_as_the_request_id(offered, kept):
    assert sane_request_id(offered) == (offered if kept else None)
