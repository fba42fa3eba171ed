"""Text kept by checksum (indexer/file_texts.py): what is kept, what is reused, and that a file's text is
taken from what was kept rather than from Tika. OpenSearch is a fake here; tests/integration/test_text_reuse.py
harvests twice against the real one."""
from __future__ import annotations

import io

import pytest
from opensearchpy import ConnectionError as OpenSearchConnectionError

from indexer import files
from indexer.file_texts import FileTexts, kept_document, limits_key, reused_result
from indexer.ocr import OcrLimits
from indexer.text_extraction import TEXT_OCR, ExtractionResult, TikaLimits

LIMITS = limits_key(TikaLimits())
READ = ExtractionResult("Quyết định số 5", text_source=TEXT_OCR, ocr_confidence=88.5)


@pytest.mark.parametrize("failed", [
    ExtractionResult("", "Tika is not reachable: ConnectionError", unavailable=True),
    ExtractionResult("", "Tika took longer than 120 s", retry=True),
    ExtractionResult("", "OCR failed: Tesseract took longer than its time limit", retry=True, ocr_failed=True),
    ExtractionResult("", "Tika could not read a.pdf (HTTP 500)"),
    ExtractionResult("", "no text in the file"),
])
def test_a_failed_extraction_is_never_kept(failed):
    assert kept_document(failed, LIMITS) is None


def test_a_kept_extraction_gives_back_its_text_source_and_confidence():
    reused = reused_result(kept_document(READ, LIMITS), LIMITS)

    assert (reused.text, reused.text_source, reused.ocr_confidence, reused.error) == ("Quyết định số 5", TEXT_OCR,
                                                                                      88.5, None)
    assert not reused.read_again


def test_text_read_under_other_limits_is_not_reused():
    kept = kept_document(READ, LIMITS)

    assert reused_result(kept, limits_key(TikaLimits(max_chars=10))) is None
    assert reused_result(kept, limits_key(TikaLimits(ocr=OcrLimits(max_pages=100)))) is None
    assert reused_result(None, LIMITS) is None


class FakeIndex:
    """What FileTexts asks of OpenSearch: get, index, and the index's existence."""

    def __init__(self, down: bool = False):
        self.documents: dict[str, dict] = {}
        self.down = down
        self.indices = self

    def exists(self, index):
        return True

    def get(self, index, id, ignore):
        if self.down:
            raise OpenSearchConnectionError("N/A", "refused", None)
        return {"found": True, "_source": self.documents[id]} if id in self.documents else {"found": False}

    def index(self, index, id, body):
        self.documents[id] = body


class CountingExtractor:
    limits = TikaLimits()

    def __init__(self, result: ExtractionResult):
        self.result, self.calls = result, 0

    def extract(self, *args, **kwargs):
        self.calls += 1
        return self.result


def examine(texts: FileTexts, extractor: CountingExtractor, sha256: str = "ab" * 32) -> files.FetchedFile:
    entry = {"name": "a.txt", "media_type": "text/plain", "size": 3, "sha256": sha256, "text_extracted": False}
    return files._examine(entry, io.BytesIO(b"abc"), extractor, None, texts)


def test_the_same_bytes_are_sent_to_tika_once_and_their_entry_is_the_same_again():
    texts = FileTexts(FakeIndex(), "test-", TikaLimits())
    extractor = CountingExtractor(READ)

    first, second = examine(texts, extractor), examine(texts, extractor)

    assert extractor.calls == 1 and not first.reused and second.reused
    assert (second.entry, second.text) == (first.entry, first.text)


def test_a_file_whose_extraction_failed_is_sent_to_tika_again():
    texts = FileTexts(FakeIndex(), "test-", TikaLimits())
    extractor = CountingExtractor(ExtractionResult("", "Tika took longer than 120 s", retry=True))

    examine(texts, extractor)
    again = examine(texts, extractor)

    assert extractor.calls == 2 and not again.reused and again.extraction_pending


def test_opensearch_unreachable_costs_only_the_saving():
    extractor = CountingExtractor(READ)

    fetched = examine(FileTexts(FakeIndex(down=True), "test-", TikaLimits()), extractor)

    assert extractor.calls == 1 and fetched.text == READ.text and not fetched.reused


def test_without_reuse_every_file_goes_to_tika_and_its_text_is_still_kept():
    index = FakeIndex()
    extractor = CountingExtractor(READ)
    texts = FileTexts(index, "test-", TikaLimits(), reuse=False)

    examine(texts, extractor)
    again = examine(texts, extractor)

    assert extractor.calls == 2 and not again.reused
    assert reused_result(index.documents["ab" * 32], LIMITS).text == READ.text
