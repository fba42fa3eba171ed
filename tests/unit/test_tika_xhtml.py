"""Text and OCR confidence from Tika's /rmeta/xml parts (indexer/tika_xhtml.py), on answers shaped as Tika 3.2
writes them: a PDF's text layer, a scan's hOCR, both in one file, and an answer cut off by the write limit."""
from __future__ import annotations

from indexer.tika_xhtml import part_text
from indexer.text_extraction import TEXT_EMBEDDED, TEXT_MIXED, TEXT_OCR, _mean_confidence, _text_source

HEAD = '<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n<meta name="dc:title" content="QĐ 12" />\n' \
       '<title>QĐ 12</title>\n</head>\n'


def hocr_page(lines: list[list[tuple[str, int]]]) -> str:
    spans = "".join(
        f'\n     <span class="ocr_line" id="line_1_{n}" title="bbox 0 0 10 10; baseline 0 0">'
        + "".join(f'\n      <span class="ocrx_word" id="w_{n}_{k}" title="bbox 0 0 1 1; x_wconf {conf}">{word}</span>'
                  for k, (word, conf) in enumerate(words)) + "\n     </span>"
        for n, words in enumerate(lines))
    return ('<div class="ocr">\n \n  <div class="ocr_page" id="page_1" title="image &quot;/tmp/x.png&quot;; bbox 0 0 '
            '10 10">\n   <div class="ocr_carea" id="block_1_1">\n    <p class="ocr_par" id="par_1_1" lang="vie">'
            f'{spans}\n    </p>\n   </div>\n  </div>\n</div>\n')


SCAN = [[("ỦY", 96), ("BAN", 95), ("NHÂN", 96), ("DÂN", 93)], [("Quyết", 90), ("định", 80)]]


def test_a_text_layer_reads_as_tikas_text_handler_writes_it():
    read = part_text(HEAD + "<body><div class=\"page\"><p>Điều 1. Giao Sở Nội vụ\nchủ trì.</p>\n</div>\n</body></html>")
    assert read.text == "\n\n\nQĐ 12\n\nĐiều 1. Giao Sở Nội vụ\nchủ trì.\n\n"
    assert read.ocr_words == 0 and read.own_characters == len("Điều1.GiaoSởNộivụchủtrì.")
    assert _text_source(read) == TEXT_EMBEDDED and _mean_confidence(read) is None


def test_a_scan_reads_as_its_lines_with_tesseracts_mean_word_confidence():
    read = part_text(HEAD + '<body><div class="page"><p />\n' + hocr_page(SCAN) + "</div></body></html>")
    assert "ỦY BAN NHÂN DÂN\nQuyết định" in read.text
    assert "/tmp/x.png" not in read.text  # hOCR's titles are not text
    assert read.ocr_words == 6 and _mean_confidence(read) == round((96 + 95 + 96 + 93 + 90 + 80) / 6, 1)
    assert read.own_characters == 0 and _text_source(read) == TEXT_OCR  # the PDF's title is not a text layer


def test_a_pdf_with_a_text_layer_and_a_scanned_page_is_mixed():
    read = part_text(HEAD + "<body><div class=\"page\"><p>Trang một có chữ.</p></div><div class=\"page\">"
                     + hocr_page(SCAN) + "</div></body></html>")
    assert read.text.index("Trang một") < read.text.index("ỦY BAN")
    assert _text_source(read) == TEXT_MIXED


def test_an_answer_cut_off_by_the_write_limit_keeps_what_came():
    read = part_text(HEAD + "<body><p>Biên bản bàn giao tài liệu &amp; &lt;lưu trữ&gt; Biên bản b")
    assert read.text.strip().endswith("Biên bản bàn giao tài liệu & <lưu trữ> Biên bản b")


def test_nothing_and_garbage_read_as_no_text():
    assert part_text("").text == "" and part_text("   ").text == ""
    assert part_text("<<<not xml").text == ""


def test_no_entity_or_external_file_is_read():
    read = part_text('<!DOCTYPE html [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
                     '<html><body><p>a &secret; b</p></body></html>')
    assert "root:" not in read.text
