"""The full text shown on a record page: no lines naming a package's resources, no title said twice."""
from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_babel import Babel, force_locale

from portal.labels import media_type_label
from portal.records.full_text import shown_full_text
from schema.full_text import without_package_paths

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"
TITLE = "Quyết định về việc thành lập Hội đồng"
INDEXED = f"{TITLE}\n\n{TITLE}\nCăn cứ Luật Lưu trữ 2024;\nSố: 12/QĐ-UBND\n\n/docProps/thumbnail.jpeg\n/word/media/image1.png"


def test_lines_that_are_only_a_package_path_are_dropped_and_text_lines_kept():
    kept = without_package_paths(INDEXED)
    assert "/docProps/thumbnail.jpeg" not in kept and "image1.png" not in kept
    assert "Số: 12/QĐ-UBND" in kept and "Căn cứ Luật Lưu trữ 2024;" in kept
    assert without_package_paths("Bảng 1\nimage1.emf", ["image1.emf"]) == "Bảng 1"


def test_the_title_repeated_at_the_head_of_the_text_is_shown_once_on_the_page():
    shown = shown_full_text(INDEXED, TITLE)
    assert shown.startswith("Căn cứ Luật Lưu trữ 2024;") and shown.endswith("Số: 12/QĐ-UBND")
    # A text that does not begin with the title is left whole; one that is only the title too.
    assert shown_full_text("Căn cứ Luật Lưu trữ\n" + TITLE, TITLE) == "Căn cứ Luật Lưu trữ\n" + TITLE
    assert shown_full_text(TITLE, TITLE) == TITLE


def test_a_highlighted_text_loses_its_repeated_title_and_paths_too():
    marked = "Quyết định về việc <mark>thành</mark> lập Hội đồng\nĐiều 1. <mark>Thành</mark> lập\n/docProps/thumbnail.jpeg"
    assert shown_full_text(marked, TITLE, marked=True) == "Điều 1. <mark>Thành</mark> lập"


def test_media_types_are_named_in_words_in_both_languages():
    app = Flask(__name__)
    Babel(app, default_translation_directories=str(TRANSLATIONS))
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    with app.test_request_context():
        with force_locale("en"):
            assert media_type_label(docx) == "Word document (DOCX)"
            assert media_type_label("application/pdf; charset=binary") == "PDF document"
            assert media_type_label("application/x-made-up") == "application/x-made-up"
        with force_locale("vi"):
            assert media_type_label(docx) == "Văn bản Word (DOCX)"
