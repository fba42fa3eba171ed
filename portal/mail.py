"""Sending e-mail through the configured SMTP server (MAIL_* settings).

In the demo and the tests the server is a local sink (demo/mail_sink.py) whose mails can be read.
"""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from datetime import datetime
from email.utils import format_datetime, formataddr, make_msgid
from zoneinfo import ZoneInfo

from flask import current_app

log = logging.getLogger(__name__)


class MailNotSent(Exception):
    """The SMTP server is not configured, refused the mail, or could not be reached."""


def send_mail(to: str, subject: str, body: str, headers: dict[str, str] | None = None) -> None:
    """`headers`: more header fields, e.g. List-Unsubscribe."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        raise MailNotSent("MAIL_SERVER is not configured")
    message = EmailMessage()
    message["From"] = formataddr((config["MAIL_SENDER_NAME"], config["MAIL_SENDER"]))
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")))  # RFC 5322 wants one
    message["Message-ID"] = make_msgid(domain=config["MAIL_SENDER"].rpartition("@")[2] or None)
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        # The address is personal data and the body may hold a one-time link: log neither.
        log.error("mail %r not sent: %s", subject, type(error).__name__)
        raise MailNotSent(str(error)) from error
