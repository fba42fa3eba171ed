"""Text already extracted, kept by the SHA-256 of the file's bytes, so that a re-harvest sends Tika (and OCR)
only the files that are new or changed.

The checksum is ours, computed from the bytes downloaded, never one a source states. Only a successful
extraction is kept: a file whose extraction failed, timed out or found Tika away has nothing here and is
read again on the next run. A text read under other limits (characters kept, OCR's page limit) is not
reused: the same bytes could give more text now. The index is the harvest's own (its index prefix);
readers never see it, and what it holds is what Tika would answer again for the same bytes.

A lookup or a write that fails costs only the saving: the file is extracted as if nothing were kept.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone

from opensearchpy import OpenSearch, OpenSearchException

from indexer.text_extraction import ExtractionResult, TikaLimits
from schema.index import FILE_TEXTS_BODY, file_texts_index_name

log = logging.getLogger(__name__)


def limits_key(limits: TikaLimits) -> str:
    """What in the extraction limits changes the text of the same bytes."""
    return f"chars={limits.max_chars};ocr_pages={limits.ocr.max_pages}"


def kept_document(result: ExtractionResult, limits: str) -> dict | None:
    """The document kept for a file's extraction, or None when it is not to be reused (it failed)."""
    if result.error or result.read_again or not result.text:
        return None
    return {"text": result.text, "text_source": result.text_source, "ocr_confidence": result.ocr_confidence,
            "ocr_skipped": result.ocr_skipped, "limits": limits,
            "extracted_at": datetime.now(timezone.utc).isoformat()}


def reused_result(document: dict | None, limits: str) -> ExtractionResult | None:
    """The extraction a kept document stands for, if it was read under these limits."""
    if not document or document.get("limits") != limits or not document.get("text"):
        return None
    return ExtractionResult(document["text"], text_source=document.get("text_source"),
                            ocr_confidence=document.get("ocr_confidence"), ocr_skipped=document.get("ocr_skipped"))


class FileTexts:
    """The kept texts of the harvest's index prefix; used from the run's file threads at once."""

    def __init__(self, client: OpenSearch, index_prefix: str, limits: TikaLimits, reuse: bool = True):
        self.client = client
        self.reuse = reuse  # False: nothing is found, what Tika reads is still kept
        self.index = file_texts_index_name(index_prefix)
        self.limits = limits_key(limits)
        self._created = False
        self._create_lock = threading.Lock()

    def find(self, sha256: str) -> ExtractionResult | None:
        """The text extracted before from the bytes of this checksum (a real-time get: a file met twice in one
        run is read once), or None."""
        if not self.reuse:
            return None
        try:
            found = self.client.get(index=self.index, id=sha256, ignore=[404])
        except OpenSearchException as error:
            log.warning("could not read kept file texts from %s: %s", self.index, error)
            return None
        return reused_result(found.get("_source") if found.get("found") else None, self.limits)

    def keep(self, sha256: str, result: ExtractionResult) -> None:
        document = kept_document(result, self.limits)
        if document is None:
            return
        try:
            self._ensure_index()
            self.client.index(index=self.index, id=sha256, body=document)
        except OpenSearchException as error:
            log.warning("could not keep the text of file %s in %s: %s", sha256, self.index, error)

    def _ensure_index(self) -> None:
        if self._created:
            return
        with self._create_lock:
            if not self._created and not self.client.indices.exists(index=self.index):
                self.client.indices.create(index=self.index, body=FILE_TEXTS_BODY, ignore=[400])
            self._created = True
