"""The text of one part of Tika's /rmeta/xml answer, with what Tesseract read told apart.

Tika's text handler (/rmeta/text) writes nothing but the character data of the XHTML Tika builds,
so the same text is read here from the XHTML itself (checked equal on PDF and DOCX files). What
the XHTML adds is Tesseract's hOCR, which the harvester asks for (`X-Tika-OCRoutputType: hocr`):
each word it read in a span of class `ocrx_word` whose title carries `x_wconf`, its confidence
(0–100). An hOCR page is written here as its lines, the words of a line joined by a space, its
paragraphs apart by a blank line; the whitespace between hOCR's tags is not text.

The mean confidence of a file is the plain mean of its words' confidences, as Tesseract's own
mean text confidence (TessBaseAPI::MeanTextConf) is; Tika 3.2 puts no confidence in its metadata.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

# Tika's XHTML has no DTD and no entities of its own; nothing named in it is ever fetched. `recover`
# reads an answer cut off by Tika's write limit (its last element left open).
_PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, load_dtd=False)
_CONFIDENCE = re.compile(r"\bx_wconf\s+(-?\d+(?:\.\d+)?)")
_LINE_CLASSES = {"ocr_line", "ocr_textfloat", "ocr_header", "ocr_caption"}


@dataclass
class PartText:
    text: str
    ocr_words: int = 0  # words Tesseract read
    ocr_confidence_total: float = 0  # the sum of their confidences
    own_characters: int = 0  # characters of the body (not the head's title) that OCR did not read

    def add(self, other: "PartText") -> None:
        self.ocr_words += other.ocr_words
        self.ocr_confidence_total += other.ocr_confidence_total
        self.own_characters += other.own_characters


def part_text(xhtml: str) -> PartText:
    """The text of one part's XHTML; empty for an empty or unreadable one."""
    if not xhtml or not xhtml.strip():
        return PartText("")
    try:
        root = etree.fromstring(xhtml.encode("utf-8"), _PARSER)
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        return PartText("")
    reading = _Reading()
    reading.element(root, in_body=False)
    return PartText("".join(reading.chunks), reading.words, reading.confidence_total, reading.own_characters)


class _Reading:
    """Walks the XHTML in document order, writing its character data and each hOCR page as lines."""

    def __init__(self):
        self.chunks: list[str] = []
        self.words = 0
        self.confidence_total = 0.0
        self.own_characters = 0

    def element(self, element, in_body: bool) -> None:
        if isinstance(element.tag, str):  # not a comment or processing instruction
            if "ocr_page" in _classes(element):
                self.chunks.append(self.ocr_page(element))
            else:
                in_body = in_body or etree.QName(element).localname == "body"
                self.characters(element.text, in_body)
                for child in element:
                    self.element(child, in_body)
                    self.characters(child.tail, in_body)

    def characters(self, text: str | None, in_body: bool) -> None:
        if text:
            self.chunks.append(text)
            if in_body:
                self.own_characters += len("".join(text.split()))

    def ocr_page(self, page) -> str:
        paragraphs = []
        for paragraph in page.iter():
            if "ocr_par" not in _classes(paragraph):
                continue
            lines = [" ".join(word for word in (self.word(span) for span in line.iter()
                                                if "ocrx_word" in _classes(span)) if word)
                     for line in paragraph.iter() if _classes(line) & _LINE_CLASSES]
            paragraphs.append("\n".join(line for line in lines if line))
        return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)

    def word(self, word) -> str:
        text = "".join(word.itertext()).strip()
        match = _CONFIDENCE.search(word.get("title") or "")
        if text and match:
            self.words += 1
            self.confidence_total += float(match.group(1))
        return text


def _classes(element) -> set[str]:
    return set((element.get("class") or "").split()) if isinstance(element.tag, str) else set()
