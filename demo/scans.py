"""Scans of the demo archives: a document's Vietnamese text rendered to a page image as a scanner gives it
(speckle, blur, a slight skew, the agency's red round stamp over the signature), saved as an image-only PDF
or a TIFF. The text the page was rendered from is the truth OCR is measured against (bench/ocr.py).

Everything is drawn from a seed (noise from `random.Random`, never Pillow's own random noise), so the same
document renders to the same bytes on every run and its checksum stays stable across harvests.
"""

from __future__ import annotations

import io
import math
import random
import textwrap
import zlib
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from demo.files import FONT_PATH, RENDERED_AT
from demo.models import PDF_MEDIA_TYPE

DPI = 200
PAGE_SIZE = (1654, 2339)  # A4 at 200 dpi
MARGIN = 150
FONT_SIZE = 34  # about 12 pt at 200 dpi
LINE_HEIGHT = 50
CHARACTERS_PER_LINE = 62
STAMP_RED = (200, 30, 40)
STAMP_CLEARS = 12  # characters of a line that end left of the stamp


@dataclass(frozen=True)
class NoiseLevel:
    name: str
    speckle: float  # share of pixels turned dark or light
    blur: float  # Gaussian blur radius, pixels
    skew: float  # the page's rotation at most, degrees (either way)
    contrast: float  # ink darkness: 1 black, less greyer


NOISE_LEVELS = {
    "clean": NoiseLevel("clean", speckle=0.0, blur=0.0, skew=0.3, contrast=1.0),
    "light": NoiseLevel("light", speckle=0.004, blur=0.5, skew=0.8, contrast=0.9),
    "heavy": NoiseLevel("heavy", speckle=0.012, blur=0.9, skew=1.2, contrast=0.8),
}


@lru_cache(maxsize=4)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT_PATH, size)


def page_lines(text: str) -> list[str]:
    """The text as the page shows it: each line of the document wrapped to the page's width."""
    lines = []
    for line in text.splitlines():
        lines += textwrap.wrap(line, CHARACTERS_PER_LINE) or [""]
    return lines


def render_pages(text: str, noise: str, seed: int, stamp_text: str = "") -> list[Image.Image]:
    """The scanned pages of a text (RGB, DPI dots an inch), the stamp on the last one."""
    level = NOISE_LEVELS[noise]
    rng = random.Random(seed)
    per_page = (PAGE_SIZE[1] - 2 * MARGIN) // LINE_HEIGHT
    lines = page_lines(text)
    chunks = [lines[start:start + per_page] for start in range(0, len(lines), per_page)] or [[]]
    pages = []
    for number, chunk in enumerate(chunks):
        page = Image.new("RGB", PAGE_SIZE, "white")
        draw = ImageDraw.Draw(page)
        ink = int(255 * (1 - level.contrast))
        for row, line in enumerate(chunk):
            draw.text((MARGIN, MARGIN + row * LINE_HEIGHT), line, font=_font(FONT_SIZE), fill=(ink, ink, ink))
        if number == len(chunks) - 1 and stamp_text:
            # Over the signature block at the foot of the text (its short last lines), right of the words, as
            # an agency's seal overlaps the signature; below the text when it ends with no such lines.
            short_tail = next((n for n, line in enumerate(reversed(chunk)) if len(line) > STAMP_CLEARS), len(chunk))
            top = MARGIN + (len(chunk) - short_tail) * LINE_HEIGHT
            _stamp(page, (MARGIN + 280, min(top, PAGE_SIZE[1] - 360)), stamp_text)
        pages.append(_scanned(page, level, rng))
    return pages


def _stamp(page: Image.Image, corner: tuple[int, int], text: str) -> None:
    """A red round seal: two rings, the agency's name around, a star in the middle, half transparent."""
    size = 300
    seal = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(seal)
    colour = (*STAMP_RED, 170)
    draw.ellipse((6, 6, size - 6, size - 6), outline=colour, width=8)
    draw.ellipse((62, 62, size - 62, size - 62), outline=colour, width=4)
    font = _font(22)
    letters = text.upper()[:34]
    for index, letter in enumerate(letters):
        angle = math.pi * (1.1 + 1.8 * index / max(len(letters), 1))
        x, y = size / 2 + 112 * math.cos(angle), size / 2 + 112 * math.sin(angle)
        draw.text((x, y), letter, font=font, fill=colour, anchor="mm")
    star = [(size / 2 + (40 if k % 2 == 0 else 16) * math.cos(math.pi / 2 + k * math.pi / 5),
             size / 2 - (40 if k % 2 == 0 else 16) * math.sin(math.pi / 2 + k * math.pi / 5)) for k in range(10)]
    draw.polygon(star, fill=colour)
    page.paste(seal, corner, seal)


def _scanned(page: Image.Image, level: NoiseLevel, rng: random.Random) -> Image.Image:
    """The page as the scanner saw it: skewed, blurred, speckled."""
    angle = rng.uniform(-level.skew, level.skew)
    page = page.rotate(angle, resample=Image.BICUBIC, fillcolor="white")
    if level.blur:
        page = page.filter(ImageFilter.GaussianBlur(level.blur))
    if level.speckle:
        # Seeded bytes, thresholded: dark specks where a byte is low, light ones (dropped ink) where high.
        noise = Image.frombytes("L", page.size, rng.randbytes(page.size[0] * page.size[1]))
        cut = int(255 * level.speckle / 2)
        dark = noise.point(lambda value: 255 if value < cut else 0)
        light = noise.point(lambda value: 255 if value > 255 - cut else 0)
        page.paste((60, 60, 60), mask=dark)
        page.paste((255, 255, 255), mask=light)
    return page


def scan_pdf(text: str, noise: str, seed: int, stamp_text: str = "") -> bytes:
    """An image-only PDF of the text's scanned pages: no text layer at all."""
    pages = [page.convert("L") if not stamp_text else page for page in render_pages(text, noise, seed, stamp_text)]
    saved = io.BytesIO()
    pages[0].save(saved, "PDF", resolution=DPI, save_all=True, append_images=pages[1:], quality=90,
                  creationDate=RENDERED_AT.timetuple(), modDate=RENDERED_AT.timetuple(),  # not the wall clock
                  producer="demo archives (scanner)")
    return saved.getvalue()


def scan_tiff(text: str, noise: str, seed: int, stamp_text: str = "") -> bytes:
    """A (multi-page) TIFF of the text's scanned pages, deflate-compressed."""
    pages = render_pages(text, noise, seed, stamp_text)
    saved = io.BytesIO()
    pages[0].save(saved, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate",
                  dpi=(DPI, DPI))
    return saved.getvalue()



@lru_cache(maxsize=64)
def render_scan(name: str, media_type: str, text: str, noise: str, stamp_text: str) -> bytes:
    """A demo file's scan, seeded by its name: an image-only PDF, or a TIFF."""
    seed = zlib.crc32(name.encode())
    if media_type == PDF_MEDIA_TYPE:
        return scan_pdf(text, noise, seed, stamp_text)
    return scan_tiff(text, noise, seed, stamp_text)
