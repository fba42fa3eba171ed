"""A local SMTP server that keeps every mail it receives, for the demo and the tests.

    python -m demo.mail_sink --port 8025 --dir /var/tmp/archives-portal/mail

Each mail is kept in memory (`MailSink.messages`) and, with a directory, written there as an
.eml file a person can open. Nothing is relayed anywhere.
"""
from __future__ import annotations

import argparse
import email
import email.policy
import os
import signal
import sys
import threading
import time
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class MailSink:
    """aiosmtpd handler: accepts every mail for any address and keeps it."""

    def __init__(self, directory: str | None = None):
        self.directory = directory
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        if directory:
            os.makedirs(directory, exist_ok=True)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
            number = len(self.messages)
        if self.directory:
            name = f"{time.strftime('%Y%m%dT%H%M%S')}-{number:05d}.eml"
            with open(os.path.join(self.directory, name), "wb") as out:
                out.write(envelope.original_content or envelope.content)
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    def wait_for(self, address: str, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        """The mails to an address, once at least `count` have arrived (SMTP delivery is async)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.to(address)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise TimeoutError(f"{count} mail(s) to {address} did not arrive within {timeout}s")


def start_sink(host: str = "127.0.0.1", port: int = 0, directory: str | None = None) -> tuple[Controller, MailSink]:
    """Start a sink in a background thread; port 0 picks a free one (controller.port tells it)."""
    sink = MailSink(directory)
    controller = Controller(sink, hostname=host, port=port or _free_port(host))
    controller.start()
    return controller, sink


def _free_port(host: str) -> int:
    import socket

    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo.mail_sink", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--dir", required=True, help="where each received mail is written as .eml")
    arguments = parser.parse_args(argv)
    controller, _sink = start_sink(arguments.host, arguments.port, arguments.dir)
    print(f"SMTP sink on {arguments.host}:{controller.port}, mails in {arguments.dir}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
