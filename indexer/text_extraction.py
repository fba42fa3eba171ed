"""Text from files through the Apache Tika server, within limits set by configuration.

The `tika` client is told the server's address and to stay a client: otherwise it would try
to download and start a server jar of its own at run time.
"""
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass
class ExtractionResult:
    text: str
    error: str | None = None  # why there is no text, when there is none
    unavailable: bool = False  # Tika itself could not be reached: try the file again on a later run


@dataclass
class TikaLimits:
    max_file_bytes: int = 50 * 1024 * 1024
    timeout_seconds: float = 120
    max_chars: int = 1_000_000


class TikaExtractor:
    def __init__(self, endpoint: str, limits: TikaLimits | None = None):
        os.environ["TIKA_CLIENT_ONLY"] = "True"
        os.environ["TIKA_SERVER_ENDPOINT"] = endpoint
        self.endpoint = endpoint.rstrip("/")
        self.limits = limits or TikaLimits()

    def extract(self, content: bytes, name: str = "") -> ExtractionResult:
        if len(content) > self.limits.max_file_bytes:
            return ExtractionResult("", f"file larger than {self.limits.max_file_bytes} bytes")
        from tika import parser  # imported late: the module reads the environment at import

        try:
            parsed = parser.from_buffer(
                content,
                serverEndpoint=self.endpoint,
                requestOptions={"timeout": self.limits.timeout_seconds},
            )
        except Exception as error:  # the client raises bare exceptions for network faults
            return ExtractionResult("", f"Tika failed: {type(error).__name__}: {error}",
                                    unavailable=_is_network_fault(error))
        status = parsed.get("status")
        if status != 200:
            return ExtractionResult("", f"Tika could not read {name or 'the file'} (HTTP {status})")
        text = (parsed.get("content") or "").strip()
        if not text:
            return ExtractionResult("", "no text in the file")
        return ExtractionResult(text[: self.limits.max_chars])

    def is_available(self) -> bool:
        import requests

        try:
            return requests.get(f"{self.endpoint}/version", timeout=5).ok
        except requests.RequestException:
            return False


def _is_network_fault(error: Exception) -> bool:
    """Tika down or not answering (as opposed to a file it cannot read)."""
    import requests

    return isinstance(error, (requests.ConnectionError, requests.Timeout, ConnectionError, TimeoutError)) \
        or "Connection refused" in str(error) or "Max retries exceeded" in str(error)
