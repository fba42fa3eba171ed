"""The Vietnamese prose of a document's file, laid out as an administrative document (văn bản hành chính).

A file of a restricted or closed item carries the record's leak-test token in its body (see
`models.content_token`); a public item's file never does.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from demo.models import DemoRecord, content_token


@dataclass(frozen=True)
class Letterhead:
    """Who issued a document and who signed it, as the document's header and signature block show them."""

    agency_name: str  # "Ủy ban nhân dân tỉnh Bến Tre"
    agency_key: str  # "UBND", "HDND", "SNV", …
    unit_name: str  # "tỉnh Bến Tre"
    place: str  # "Bến Tre"
    head_title: str  # "Chủ tịch", "Giám đốc", "Trưởng phòng"
    signer_is_deputy: bool
    district: str  # a district the body may mention
    department: str  # an agency the body may mention, e.g. "Sở Tài chính tỉnh Bến Tre"


_FILLER_SENTENCES = (
    "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các cơ quan, đơn vị kịp thời báo cáo về "
    "{agency} để được hướng dẫn, giải quyết.",
    "Tổng kinh phí dự kiến là {amount} triệu đồng, từ nguồn ngân sách địa phương và các nguồn vốn hợp pháp khác.",
    "Các cơ quan, đơn vị có liên quan phối hợp chặt chẽ với Ủy ban nhân dân {district} trong quá trình triển "
    "khai.",
    "Kết quả thực hiện được tổng hợp, báo cáo định kỳ hằng quý về {agency}.",
    "Việc triển khai phải bảo đảm đúng quy định của pháp luật, công khai, minh bạch và hiệu quả.",
    "Nhân dân trên địa bàn {district} đồng tình, ủng hộ và tích cực tham gia thực hiện chủ trương này.",
    "Đến nay đã hoàn thành {percent}% khối lượng công việc theo kế hoạch đề ra.",
)


def document_text(record: DemoRecord, letterhead: Letterhead, rng: random.Random) -> str:
    """The full text of an item's main document: header, title block, body by doc type, signature."""
    year, month, day = (int(part) for part in record.date_start.split("-"))
    lines = [
        letterhead.agency_name.upper(),
        f"Số: {record.doc_number}",
        *_national_motto(year),
        f"{letterhead.place}, ngày {day:02d} tháng {month:02d} năm {year}",
        record.doc_type.upper(),
        _capitalised(_subject_line(record)),
    ]
    body = _body(record, letterhead, rng, year)
    token_sentence = _token_sentence(record)
    if token_sentence:
        # In the middle of the body, as a real marking would be, not in a header a harvester might skip.
        body.insert(len(body) // 2 + 1, token_sentence)
    lines += body
    lines += ["Nơi nhận:", "- Như trên;", f"- {letterhead.department};", "- Lưu: VT."]
    lines += _signature_block(record, letterhead)
    return "\n".join(lines)


def appendix_text(record: DemoRecord, letterhead: Letterhead, rng: random.Random) -> str:
    """The text of an appendix (phụ lục) attached to an item: a short table of figures by district."""
    year, month, day = (int(part) for part in record.date_start.split("-"))
    lines = [
        "PHỤ LỤC",
        f"Kèm theo {record.doc_type} số {record.doc_number} ngày {day:02d}/{month:02d}/{year} của "
        f"{letterhead.agency_name}",
        _capitalised(_subject_line(record)),
        "STT | Đơn vị | Nội dung | Kinh phí (triệu đồng)",
    ]
    for row_number in range(1, rng.randint(3, 6)):
        lines.append(f"{row_number} | {letterhead.district} | Hạng mục {row_number} | {rng.randint(50, 4000)}")
    token_sentence = _token_sentence(record)
    if token_sentence:
        lines.append(token_sentence)
    lines.append(f"Phụ lục này là bộ phận không tách rời của {record.doc_type} số {record.doc_number}.")
    return "\n".join(lines)


def _token_sentence(record: DemoRecord) -> str | None:
    token = content_token(record)
    if token is None:
        return None
    marking = "Tài liệu mật" if record.access == "closed" else "Tài liệu thuộc diện sử dụng có điều kiện"
    return f"{marking}, mã kiểm soát nội bộ: {token}."


def _national_motto(year: int) -> list[str]:
    # Before the 1976 reunification the South used the Republic of South Việt Nam's heading.
    if year < 1976:
        return ["CỘNG HÒA MIỀN NAM VIỆT NAM", "Độc lập - Dân chủ - Hòa bình - Trung lập"]
    return ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]


def _legal_basis(year: int) -> str:
    # The law on local government in force in the document's year.
    if year >= 2016:
        return "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;"
    if year >= 2004:
        return "Căn cứ Luật Tổ chức Hội đồng nhân dân và Ủy ban nhân dân ngày 26 tháng 11 năm 2003;"
    if year >= 1994:
        return "Căn cứ Luật Tổ chức Hội đồng nhân dân và Ủy ban nhân dân ngày 21 tháng 6 năm 1994;"
    if year >= 1989:
        return "Căn cứ Luật Tổ chức Hội đồng nhân dân và Ủy ban nhân dân ngày 30 tháng 6 năm 1989;"
    if year >= 1983:
        return "Căn cứ Luật Tổ chức Hội đồng nhân dân và Ủy ban nhân dân ngày 30 tháng 6 năm 1983;"
    return "Căn cứ Luật Tổ chức Hội đồng nhân dân và Ủy ban hành chính các cấp ngày 27 tháng 10 năm 1962;"


def _subject_line(record: DemoRecord) -> str:
    """The trích yếu: the title without its leading doc type ("về việc phê duyệt …")."""
    prefix = f"{record.doc_type} "
    return record.title[len(prefix):] if record.title.startswith(prefix) else record.title


def _operative_clause(record: DemoRecord) -> str:
    subject = _subject_line(record)
    if subject.startswith("về việc "):
        return _capitalised(subject[len("về việc "):])
    if subject.startswith("về "):
        return "Thông qua " + subject[len("về "):]
    return _capitalised(subject)


def _fillers(letterhead: Letterhead, rng: random.Random, count: int) -> list[str]:
    chosen = rng.sample(_FILLER_SENTENCES, count)
    return [
        sentence.format(agency=letterhead.agency_name, district=letterhead.district,
                        amount=rng.randint(120, 95000), percent=rng.randint(40, 100))
        for sentence in chosen
    ]


def _body(record: DemoRecord, letterhead: Letterhead, rng: random.Random, year: int) -> list[str]:
    subject = _subject_line(record)
    unit = letterhead.unit_name
    agency = letterhead.agency_name
    doc_type = record.doc_type
    if doc_type in ("Quyết định", "Nghị quyết"):
        verdict = "QUYẾT NGHỊ:" if doc_type == "Nghị quyết" else "QUYẾT ĐỊNH:"
        return [
            _legal_basis(year),
            f"Xét đề nghị của {letterhead.department},",
            verdict,
            f"Điều 1. {_operative_clause(record)}.",
            f"Điều 2. Giao {letterhead.department} chủ trì, phối hợp với các cơ quan, đơn vị có liên quan tổ "
            "chức triển khai thực hiện.",
            *_fillers(letterhead, rng, 1),
            f"Điều 3. Thủ trưởng các cơ quan, đơn vị và cá nhân có liên quan chịu trách nhiệm thi hành "
            f"{doc_type} này. {doc_type} có hiệu lực kể từ ngày ký.",
        ]
    if doc_type == "Công văn":
        # The committee writes on its own authority; other agencies cite its instruction.
        opening = (f"{agency} có ý kiến {subject} như sau:" if letterhead.agency_key == "UBND" else
                   f"Thực hiện chỉ đạo của Ủy ban nhân dân {unit}, {agency} có ý kiến {subject} như sau:")
        return [
            "Kính gửi: Các sở, ban, ngành; Ủy ban nhân dân các huyện, thị xã, thành phố.",
            opening,
            *_fillers(letterhead, rng, 3),
            "Đề nghị các cơ quan, đơn vị quan tâm, phối hợp thực hiện./.",
        ]
    if doc_type == "Tờ trình":
        # The committee submits to the council; departments submit to the committee.
        addressee = (f"Hội đồng nhân dân {unit}" if letterhead.agency_key in ("UBND", "HDND")
                     else f"Ủy ban nhân dân {unit}")
        return [
            f"Kính gửi: {addressee}.",
            _legal_basis(year),
            f"{agency} kính trình {subject}.",
            *_fillers(letterhead, rng, 2),
            f"Kính trình {addressee} xem xét, quyết định./.",
        ]
    if doc_type == "Biên bản":
        hour = rng.randint(7, 14)
        return [
            f"Hôm nay, vào lúc {hour} giờ 00 ngày {record.date_start[8:]} tháng {record.date_start[5:7]} năm {year}, "
            f"tại trụ sở {agency}, chúng tôi tiến hành {subject}.",
            *_fillers(letterhead, rng, 2),
            f"Biên bản kết thúc lúc {hour + 2} giờ 30 cùng ngày, đã được đọc lại cho các thành viên tham dự cùng "
            "nghe và thống nhất ký tên.",
        ]
    if doc_type in ("Báo cáo", "Kế hoạch"):
        headings = (("I. TÌNH HÌNH CHUNG", "II. KẾT QUẢ THỰC HIỆN", "III. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI")
                    if doc_type == "Báo cáo" else
                    ("I. MỤC ĐÍCH, YÊU CẦU", "II. NỘI DUNG THỰC HIỆN", "III. TỔ CHỨC THỰC HIỆN"))
        fillers = _fillers(letterhead, rng, 3)
        return [
            f"{agency} {doc_type.lower()} {subject} như sau:",
            headings[0], fillers[0],
            headings[1], fillers[1],
            headings[2], fillers[2],
        ]
    if doc_type == "Chỉ thị":
        return [
            f"Trong thời gian qua, các cấp, các ngành {unit} đã triển khai nhiều giải pháp, đạt được kết quả "
            "quan trọng; tuy nhiên vẫn còn những hạn chế cần khắc phục.",
            f"Để thực hiện tốt nhiệm vụ {subject}, Chủ tịch Ủy ban nhân dân {unit} chỉ thị:",
            *_fillers(letterhead, rng, 2),
            "Yêu cầu Thủ trưởng các cơ quan, đơn vị nghiêm túc thực hiện Chỉ thị này./.",
        ]
    # Thông báo and anything else: a short notice.
    return [
        f"{agency} thông báo {subject}.",
        *_fillers(letterhead, rng, 2),
        "Các cơ quan, đơn vị và cá nhân có liên quan biết, thực hiện./.",
    ]


def _signature_block(record: DemoRecord, letterhead: Letterhead) -> list[str]:
    head = letterhead.head_title.upper()
    if record.doc_type == "Biên bản":
        block = ["CHỦ TRÌ CUỘC HỌP"]
    elif letterhead.signer_is_deputy:
        block = [f"KT. {head}", f"PHÓ {head}"]
    else:
        block = [head]
    if letterhead.agency_key in ("UBND", "HDND") and record.doc_type != "Biên bản":
        collective = "ỦY BAN NHÂN DÂN" if letterhead.agency_key == "UBND" else "HỘI ĐỒNG NHÂN DÂN"
        block.insert(0, f"TM. {collective}")
    return [*block, "(Đã ký)", record.signer]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
