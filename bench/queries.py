"""The fixed, seeded mix of searches the load driver sends to every target.

Each query is the list of (parameter, value) pairs of a search address, as a reader's browser
would send them to `/search` or `/api/v1/search`: single words with and without diacritics,
quoted phrases, province / level / access / document-type filters, year ranges and deep pages.
The words are ones the synthetic records contain (see `bench.vocabulary`), so most queries find
something, as real ones do.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from bench.generate import fold
from schema.provinces import current_provinces

WORDS = (
    # single syllables
    "trường", "cầu", "lúa", "đê", "chùa", "đình", "dịch", "lũ", "Huế", "chợ", "kênh", "đất",
    # words of several syllables, as Vietnamese words are
    "quyết định", "ngân sách", "bổ nhiệm", "khiếu nại", "thanh tra", "quy hoạch", "khen thưởng",
    "tái định cư", "sốt xuất huyết", "người có công", "di tích", "năm học", "thiên tai", "biên chế",
    # places and people
    "Vĩnh Long", "Bến Tre", "Cà Mau", "Đồng Tháp", "Hà Giang", "Quảng Nam", "Đà Nẵng", "Lê Quý Đôn",
    "Nguyễn Văn Hùng", "Trần Thị Lan",
)
COMMON_WORDS = ("quyết định", "công văn", "ủy ban nhân dân", "báo cáo", "hồ sơ")  # for deep pages
PHRASES = (
    '"quyết định về việc"', '"ngân sách nhà nước"', '"bồi thường, hỗ trợ và tái định cư"',
    '"Trung học phổ thông"', '"khắc phục hậu quả"', '"người có công với cách mạng"', '"vinh long"',
    '"bo nhiem"', '"tổ chức bộ máy"', '"ho so can bo"',
)
PAIRS = (
    "quyết định khen thưởng", "bổ nhiệm Giám đốc", "thu hồi đất", "lũ lụt Quảng Nam", "trường Nguyễn Du",
    "quy hoach giao thong", "khieu nai dat", "chùa Huế",
)
DOC_TYPES = ("Quyết định", "Công văn", "Tờ trình", "Báo cáo", "Biên bản", "Nghị quyết")
LEVELS = ("fonds", "series", "file", "item")

# kind → weight (of 100); see `build_query_mix`.
KINDS = {
    "word": 15,
    "word_folded": 15,
    "phrase": 10,
    "words": 8,
    "word+province": 10,
    "browse+facets": 10,
    "word+years": 8,
    "browse+years": 6,
    "deep_page": 6,
    "word+deep_page": 6,
    "word+doc_type": 6,
}


@dataclass(frozen=True)
class Query:
    kind: str
    args: tuple[tuple[str, str], ...]  # as in a query string; a parameter may repeat


def build_query_mix(count: int, seed: int) -> list[Query]:
    """`count` queries drawn with a seeded rng: the same seed, the same list."""
    rng = random.Random(seed)
    provinces = sorted(current_provinces())
    kinds = list(KINDS)
    weights = list(KINDS.values())
    return [_query(rng.choices(kinds, weights)[0], rng, provinces) for _ in range(count)]


def _years(rng: random.Random) -> list[tuple[str, str]]:
    start = rng.randint(1975, 2018)
    return [("from", str(start)), ("to", str(min(2024, start + rng.choice((0, 4, 9, 19)))))]


def _query(kind: str, rng: random.Random, provinces: list[str]) -> Query:
    word = rng.choice(WORDS)
    args: list[tuple[str, str]]
    if kind == "word":
        args = [("q", word)]
    elif kind == "word_folded":
        args = [("q", fold(word).lower())]
    elif kind == "phrase":
        args = [("q", rng.choice(PHRASES))]
    elif kind == "words":
        args = [("q", rng.choice(PAIRS))]
    elif kind == "word+province":
        args = [("q", word)] + [("province", p) for p in rng.sample(provinces, rng.choice((1, 1, 2)))]
    elif kind == "browse+facets":
        args = [("province", rng.choice(provinces)), ("level", rng.choice(LEVELS))]
        if rng.random() < 0.4:
            args.append(("access", rng.choice(("public", "restricted"))))
    elif kind == "word+years":
        args = [("q", word)] + _years(rng)
    elif kind == "browse+years":
        args = [("level", rng.choice(("file", "item")))] + _years(rng) + [("sort", "date_desc")]
    elif kind == "deep_page":
        args = [("page", "400"), ("size", "25")]
        if rng.random() < 0.5:
            args.append(("level", "item"))
    elif kind == "word+deep_page":
        args = [("q", rng.choice(COMMON_WORDS)), ("page", str(rng.choice((100, 200, 400)))), ("size", "25")]
    elif kind == "word+doc_type":
        args = [("q", word), ("doc_type", rng.choice(DOC_TYPES))]
    else:
        raise ValueError(kind)
    return Query(kind, tuple(args))
