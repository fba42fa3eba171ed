"""What the harvester asks of Tika's OCR for one file, within the limits it is given.

Tika's own configuration (deploy/tika/tika-config.xml) sets OCR up for every client: Tesseract with
the Vietnamese and English models, the PDF pages without text OCR'd (`ocrStrategy` auto), and a
time limit for each image Tesseract reads. Per file the harvester adds, through Tika's request headers:

- hOCR as Tesseract's output, so that each word comes with its confidence (indexer/tika_xhtml.py);
- no OCR for office documents: Tika would otherwise read the images inside them, starting with the
  page thumbnail Word saves in every DOCX (about a second a file, for a line of noise);
- a page limit: a PDF of more pages than `max_pages` is read by its text layer only (Tika 3.2 has no
  page limit for OCR of its own), so that one long scan cannot hold the harvest for hours;
- Tesseract's time limit, when the operator sets one here (TIKA_OCR_TIMEOUT) instead of Tika's.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from io import BytesIO
from typing import BinaryIO

from pyhanko.pdf_utils.reader import PdfFileReader

from indexer.signatures import is_pdf

log = logging.getLogger(__name__)

OCR_OUTPUT_HEADERS = {"X-Tika-OCRoutputType": "hocr"}
_OFFICE_EXTENSIONS = {".doc", ".docx", ".docm", ".dot", ".dotx", ".odt", ".ott", ".rtf", ".xls", ".xlsx", ".xlsm",
                      ".ods", ".ppt", ".pptx", ".odp", ".epub"}
_OFFICE_MEDIA_PREFIXES = ("application/vnd.openxmlformats-officedocument.", "application/vnd.oasis.opendocument.",
                          "application/msword", "application/vnd.ms-", "application/rtf", "application/epub")


@dataclass
class OcrLimits:
    max_pages: int = 30  # a PDF of more pages is not OCR'd
    timeout_seconds: int | None = None  # Tesseract's limit per image; None: the Tika configuration's


@dataclass
class OcrRequest:
    headers: dict
    skipped: str | None = None  # why the file's scanned pages, if any, are not read


def is_office_document(media_type: str | None, name: str | None) -> bool:
    media_type = (media_type or "").lower()
    return media_type.startswith(_OFFICE_MEDIA_PREFIXES) or os.path.splitext((name or "").lower())[1] in _OFFICE_EXTENSIONS


def ocr_request(content: bytes | BinaryIO, name: str, media_type: str | None, limits: OcrLimits) -> OcrRequest:
    """The Tika headers for one file (a file object is left where it was found)."""
    headers = dict(OCR_OUTPUT_HEADERS)
    if limits.timeout_seconds:
        headers["X-Tika-OCRtimeoutSeconds"] = str(int(limits.timeout_seconds))
    if is_office_document(media_type, name):
        headers["X-Tika-OCRskipOcr"] = "true"
        return OcrRequest(headers)
    if is_pdf(media_type, name):
        pages = pdf_page_count(content)
        if pages is not None and pages > limits.max_pages:
            headers["X-Tika-PDFocrStrategy"] = "no_ocr"
            return OcrRequest(headers, f"{pages} pages, more than the {limits.max_pages} pages OCR reads in a file")
    return OcrRequest(headers)


def pdf_page_count(content: bytes | BinaryIO) -> int | None:
    """The number of pages a PDF says it has; None when it cannot be read (Tika will say why)."""
    stream = BytesIO(content) if isinstance(content, (bytes, bytearray)) else content
    start = stream.tell()
    try:
        count = PdfFileReader(stream, strict=False).root["/Pages"]["/Count"]
        return int(count)
    except Exception as error:  # pyHanko raises many kinds for a malformed or encrypted PDF
        log.debug("could not count the pages of a PDF: %s", error)
        return None
    finally:
        stream.seek(start)
