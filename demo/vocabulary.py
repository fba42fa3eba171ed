"""The words the demo catalogue is made of: archives, the units whose fonds they hold, agencies, topics and names.

Only data lives here; `catalogue` decides how it is combined. Title templates use str.format slots that
`catalogue` fills: {unit} ("tỉnh Bến Tre"), {place}, {district}, {school}, {project}, {sector}, {disaster},
{dept}, {deputy}, {honorific}, {person}, {monument}, {movement}, {year}, {next_year}, {period}, {session}, {term}.
The administrative-history sentences of agencies use {agency} ("Sở Tài chính tỉnh Bến Tre"), {unit} and {year}.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Agency:
    """An agency whose records form a fonds (cơ quan hình thành phông)."""

    key: str  # in local ids: ASCII
    doc_code: str  # in document numbers: "125/QĐ-UBND"
    name: str  # followed by the unit: "Sở Nội vụ tỉnh Bến Tre"
    first_year: int  # when agencies of this kind came to exist in their present form
    head_title: str  # who signs: "Chủ tịch", "Giám đốc", "Trưởng phòng"
    topics: tuple[str, ...]
    # For the fonds' administrative history (lịch sử đơn vị hình thành phông):
    role: str = ""  # what the agency is, after "{agency} là …"
    formation: str = ""  # a sentence: how it formed in `first_year`, when that is later than its unit's first year
    change_on: str = ""  # ISO date of its reorganisation in the 2025 reform, if any
    change: str = ""  # what happened then, after "Từ ngày …, "
    ended: bool = False  # whether that reorganisation dissolved it (its fonds closed)


@dataclass(frozen=True)
class OriginUnit:
    """A province or city (current or former) that produced fonds now held by one of the demo archives."""

    key: str  # first part of local ids: "BT" in "BT.UBND/ML01"
    reference_prefix: str  # first part of reference codes: "BTE" in "BTE.P21.ML01"
    province_name: str  # dc:coverage, e.g. "Tỉnh Bến Tre"
    unit_name: str  # after an agency name: "tỉnh Bến Tre"
    place: str  # the place on a document's date line: "Bến Tre, ngày …"
    first_year: int  # first year of its records
    last_year: int  # last year of its records
    fonds_end_year: int  # closing year in fonds titles
    fonds_code_base: int  # its fonds are numbered P<base>, P<base+1>, … within the holding archive
    agencies: tuple[str, ...]
    districts: tuple[str, ...]
    projects: tuple[str, ...]
    disasters: tuple[str, ...]
    departments: tuple[str, ...]  # other agencies named in titles (without the unit)
    # One sentence on how its fonds came to the holding archive; empty for the archive's own province.
    succession: str = ""
    founding: str = ""  # a sentence: how the unit came to be in its present form
    change_on: str = ""  # ISO date of the unit's change in the 2024–2025 reorganisation, if any
    change: str = ""  # what happened then, after "Từ ngày …, "
    ended: bool = False  # whether the unit ceased to exist then (a former province: all its fonds are closed)
    extra_topics: tuple[str, ...] = ()  # topics only this unit's Ủy ban nhân dân has
    monuments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Topic:
    """What a hồ sơ is about: its title and the documents (doc type, rest of the title) it is made of."""

    key: str
    file_title: str
    steps: tuple[tuple[str, str], ...]
    subjects: tuple[str, ...]
    min_year: int = 1975


@dataclass(frozen=True)
class ArchiveSpec:
    slug: str
    name: str
    province_code: int
    repository_domain: str
    origins: tuple[str, ...]  # keys of ORIGIN_UNITS, own province first


_SPECIALISED_AGENCY = ("cơ quan chuyên môn thuộc Ủy ban nhân dân {unit}, tham mưu, giúp Ủy ban nhân dân quản lý nhà "
                       "nước về ")
_REFORM_2025 = "2025-03-01"  # the provincial departments reorganised under Nghị định 45/2025/NĐ-CP
_DISTRICTS_END = "2025-07-01"  # the district level of local government ends

AGENCIES = {
    "UBND": Agency(
        "UBND", "UBND", "Ủy ban nhân dân", 1975, "Chủ tịch",
        ("planning", "disaster", "land", "emulation", "school_founding"),
        role="cơ quan chấp hành của Hội đồng nhân dân, cơ quan hành chính nhà nước ở địa phương",
    ),
    "HDND": Agency(
        "HDND", "HĐND", "Hội đồng nhân dân", 1977, "Chủ tịch", ("council_session", "budget"),
        role="cơ quan quyền lực nhà nước ở địa phương, do cử tri {unit} bầu ra, nhiệm kỳ mỗi khóa 5 năm",
    ),
    "SNV": Agency(
        "SNV", "SNV", "Sở Nội vụ", 2008, "Giám đốc", ("appointment", "organisation", "emulation"),
        role=_SPECIALISED_AGENCY + "tổ chức bộ máy, biên chế, cán bộ, công chức, viên chức và thi đua, khen thưởng",
        formation="{agency} được tổ chức lại năm {year} theo Nghị định số 13/2008/NĐ-CP ngày 04 tháng 02 năm 2008 "
                  "của Chính phủ; tiền thân là Ban Tổ chức chính quyền {unit}.",
        change_on=_REFORM_2025,
        change="{agency} tiếp nhận chức năng, nhiệm vụ của Sở Lao động – Thương binh và Xã hội {unit}",
    ),
    "STC": Agency(
        "STC", "STC", "Sở Tài chính", 1976, "Giám đốc", ("budget", "appointment", "organisation"),
        role=_SPECIALISED_AGENCY + "tài chính, ngân sách nhà nước, tài sản công và giá",
        change_on=_REFORM_2025,
        change="{agency} tiếp nhận chức năng, nhiệm vụ của Sở Kế hoạch và Đầu tư {unit}",
    ),
    "SGDDT": Agency(
        "SGDDT", "SGDĐT", "Sở Giáo dục và Đào tạo", 1990, "Giám đốc",
        ("school_founding", "school_year", "appointment"),
        role=_SPECIALISED_AGENCY + "giáo dục mầm non, giáo dục phổ thông, giáo dục thường xuyên và đào tạo",
        formation="{agency} được thành lập năm {year} trên cơ sở Sở Giáo dục {unit}, khi Bộ Giáo dục, Bộ Đại học "
                  "và Trung học chuyên nghiệp và Tổng cục Dạy nghề hợp nhất thành Bộ Giáo dục và Đào tạo.",
    ),
    "SNN": Agency(
        "SNN", "SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn", 1996, "Giám đốc",
        ("rice_season", "disaster", "planning"),
        role=_SPECIALISED_AGENCY + "nông nghiệp, lâm nghiệp, thủy sản, thủy lợi và phát triển nông thôn",
        formation="{agency} được thành lập năm {year} trên cơ sở hợp nhất các cơ quan quản lý nông nghiệp, lâm "
                  "nghiệp và thủy lợi của {unit}.",
        change_on=_REFORM_2025,
        change="{agency} hợp nhất với Sở Tài nguyên và Môi trường {unit} thành Sở Nông nghiệp và Môi trường {unit} "
               "và chấm dứt hoạt động",
        ended=True,
    ),
    "PGDDT": Agency(
        "PGDDT", "PGDĐT", "Phòng Giáo dục và Đào tạo", 1990, "Trưởng phòng", ("school_year", "emulation"),
        role=_SPECIALISED_AGENCY + "giáo dục mầm non, tiểu học và trung học cơ sở",
        formation="{agency} được thành lập năm {year} trên cơ sở Phòng Giáo dục {unit}.",
        change_on=_DISTRICTS_END,
        change="chính quyền địa phương cấp huyện kết thúc hoạt động; {agency} chấm dứt hoạt động",
        ended=True,
    ),
    "PVHTT": Agency(
        "PVHTT", "PVHTT", "Phòng Văn hóa và Thông tin", 2008, "Trưởng phòng", ("heritage", "emulation"),
        role=_SPECIALISED_AGENCY + "văn hóa, gia đình, thể dục, thể thao, du lịch, thông tin và truyền thông",
        formation="{agency} được tổ chức lại năm {year} theo Nghị định số 14/2008/NĐ-CP ngày 04 tháng 02 năm 2008 "
                  "của Chính phủ, trên cơ sở Phòng Văn hóa – Thông tin – Thể thao {unit}.",
        change_on=_DISTRICTS_END,
        change="chính quyền địa phương cấp huyện kết thúc hoạt động; {agency} chấm dứt hoạt động",
        ended=True,
    ),
}

_PROVINCIAL_DEPARTMENTS = (
    "Sở Tài chính", "Sở Y tế", "Sở Xây dựng", "Sở Giao thông vận tải", "Sở Tư pháp", "Sở Công Thương",
    "Sở Kế hoạch và Đầu tư", "Sở Văn hóa, Thể thao và Du lịch", "Sở Tài nguyên và Môi trường",
)
_MEKONG_DISASTERS = ("hạn hán và xâm nhập mặn", "triều cường", "sạt lở bờ sông", "lũ lụt", "cơn bão số 9")
_CENTRAL_DISASTERS = ("lũ lụt", "cơn bão số 10", "lũ quét", "sạt lở bờ biển", "đợt mưa lớn kéo dài")
_HUE_MONUMENTS = ("Ngọ Môn", "Điện Thái Hòa", "lăng Minh Mạng", "lăng Tự Đức", "Hiển Lâm Các", "Thế Miếu",
                  "cung Diên Thọ")
_PROVINCES_MERGED_ON = "2025-07-01"
_PROVINCES_RESOLUTION = ("theo Nghị quyết số 202/2025/QH15 ngày 12 tháng 6 năm 2025 của Quốc hội về việc sắp xếp đơn vị "
                         "hành chính cấp tỉnh")
_CUU_LONG_SPLIT = ("theo Nghị quyết ngày 26 tháng 12 năm 1991 của Quốc hội khóa VIII chia tỉnh Cửu Long thành hai "
                   "tỉnh Vĩnh Long và Trà Vinh")
_CAN_THO_SPLIT = ("theo Nghị quyết số 22/2003/QH11 ngày 26 tháng 11 năm 2003 của Quốc hội chia tỉnh Cần Thơ thành "
                  "thành phố Cần Thơ trực thuộc trung ương và tỉnh Hậu Giang")
_VINH_LONG_MERGER = (_PROVINCES_RESOLUTION + ", tỉnh Vĩnh Long, tỉnh Bến Tre và tỉnh Trà Vinh được sắp xếp thành "
                     "tỉnh Vĩnh Long")
_CAN_THO_MERGER = (_PROVINCES_RESOLUTION + ", thành phố Cần Thơ, tỉnh Sóc Trăng và tỉnh Hậu Giang được sắp xếp "
                   "thành thành phố Cần Thơ")

ORIGIN_UNITS = {
    "VL": OriginUnit(
        "VL", "VLG", "Tỉnh Vĩnh Long", "tỉnh Vĩnh Long", "Vĩnh Long", 1992, 2024, 2025, 1,
        ("UBND", "HDND", "SNV", "SGDDT"),
        ("huyện Long Hồ", "huyện Mang Thít", "huyện Vũng Liêm", "huyện Tam Bình", "huyện Trà Ôn",
         "thị xã Bình Minh", "thành phố Vĩnh Long"),
        ("xây dựng Khu công nghiệp Hòa Phú", "nâng cấp Quốc lộ 53 đoạn qua huyện Long Hồ",
         "kè chống sạt lở bờ sông Cổ Chiên", "xây dựng cầu Cổ Chiên"),
        _MEKONG_DISASTERS, _PROVINCIAL_DEPARTMENTS,
        founding="Tỉnh Vĩnh Long được tái lập từ tháng 5 năm 1992 " + _CUU_LONG_SPLIT + ".",
        change_on=_PROVINCES_MERGED_ON, change=_VINH_LONG_MERGER,
    ),
    "BT": OriginUnit(
        "BT", "BTE", "Tỉnh Bến Tre", "tỉnh Bến Tre", "Bến Tre", 1976, 2024, 2025, 21,
        ("UBND", "STC", "SNN"),
        ("huyện Châu Thành", "huyện Mỏ Cày Nam", "huyện Giồng Trôm", "huyện Ba Tri", "huyện Bình Đại",
         "huyện Thạnh Phú", "thành phố Bến Tre"),
        ("xây dựng cầu Rạch Miễu", "xây dựng cầu Hàm Luông", "nâng cấp Quốc lộ 60",
         "xây dựng Khu công nghiệp Giao Long"),
        _MEKONG_DISASTERS, _PROVINCIAL_DEPARTMENTS,
        succession="Từ ngày 01 tháng 7 năm 2025, tỉnh Bến Tre hợp nhất vào tỉnh Vĩnh Long; phông được giao nộp "
                   "về Trung tâm Lưu trữ lịch sử tỉnh Vĩnh Long và giữ nguyên là một phông đóng.",
        founding="Sau ngày thống nhất đất nước, tỉnh Bến Tre được giữ nguyên địa giới hành chính khi các tỉnh miền "
                 "Nam được sắp xếp lại năm 1976.",
        change_on=_PROVINCES_MERGED_ON, change=_VINH_LONG_MERGER + "; các cơ quan của tỉnh Bến Tre kết thúc hoạt động",
        ended=True,
    ),
    "TV": OriginUnit(
        "TV", "TVH", "Tỉnh Trà Vinh", "tỉnh Trà Vinh", "Trà Vinh", 1992, 2024, 2025, 41,
        ("UBND", "SGDDT"),
        ("huyện Càng Long", "huyện Cầu Kè", "huyện Tiểu Cần", "huyện Trà Cú", "huyện Duyên Hải",
         "thành phố Trà Vinh"),
        ("xây dựng Trung tâm Điện lực Duyên Hải", "nâng cấp Quốc lộ 54", "xây dựng Khu công nghiệp Long Đức",
         "xây dựng luồng cho tàu biển trọng tải lớn vào sông Hậu"),
        _MEKONG_DISASTERS, _PROVINCIAL_DEPARTMENTS,
        succession="Từ ngày 01 tháng 7 năm 2025, tỉnh Trà Vinh hợp nhất vào tỉnh Vĩnh Long; phông được giao nộp "
                   "về Trung tâm Lưu trữ lịch sử tỉnh Vĩnh Long và giữ nguyên là một phông đóng.",
        founding="Tỉnh Trà Vinh được tái lập từ tháng 5 năm 1992 " + _CUU_LONG_SPLIT + ".",
        change_on=_PROVINCES_MERGED_ON, change=_VINH_LONG_MERGER + "; các cơ quan của tỉnh Trà Vinh kết thúc hoạt động",
        ended=True,
    ),
    "TTH": OriginUnit(
        "TTH", "TTH", "Tỉnh Thừa Thiên Huế", "tỉnh Thừa Thiên Huế", "Huế", 1989, 2024, 2024, 1,
        ("UBND", "HDND", "SNV", "STC", "SGDDT", "SNN"),
        ("huyện Phong Điền", "huyện Quảng Điền", "huyện Phú Vang", "huyện Phú Lộc", "huyện A Lưới",
         "thị xã Hương Thủy", "thị xã Hương Trà", "thành phố Huế"),
        ("chỉnh trang bờ sông Hương", "xây dựng đường Tự Đức – Thuận An", "nâng cấp Quốc lộ 49",
         "xây dựng hầm đường bộ Phú Gia – Phước Tượng"),
        _CENTRAL_DISASTERS, _PROVINCIAL_DEPARTMENTS,
        succession="Từ ngày 01 tháng 01 năm 2025, tỉnh Thừa Thiên Huế trở thành thành phố Huế trực thuộc trung "
                   "ương; phông được bảo quản tại Trung tâm Lưu trữ lịch sử thành phố Huế.",
        extra_topics=("heritage",), monuments=_HUE_MONUMENTS,
        founding="Tỉnh Thừa Thiên Huế được tái lập từ ngày 01 tháng 7 năm 1989 theo Nghị quyết ngày 30 tháng 6 năm "
                 "1989 của Quốc hội chia tỉnh Bình Trị Thiên thành ba tỉnh Quảng Bình, Quảng Trị và Thừa Thiên Huế.",
        change_on="2025-01-01",
        change="theo Nghị quyết số 175/2024/QH15 ngày 30 tháng 11 năm 2024 của Quốc hội, tỉnh Thừa Thiên Huế trở thành "
               "thành phố Huế trực thuộc trung ương; các cơ quan của tỉnh Thừa Thiên Huế kết thúc hoạt động",
        ended=True,
    ),
    "HUE": OriginUnit(
        "HUE", "HUE", "Thành phố Huế", "thành phố Huế", "Huế", 1975, 2024, 2024, 31,
        ("UBND", "PVHTT", "PGDDT"),
        ("phường Phú Hội", "phường Vĩnh Ninh", "phường Thuận Thành", "phường Tây Lộc", "phường Kim Long",
         "phường Phú Cát"),
        ("chỉnh trang khu vực Thượng Thành", "giải tỏa dân cư khu vực Kinh thành Huế", "tu bổ cầu Trường Tiền",
         "xây dựng đường Lê Lợi nối dài"),
        _CENTRAL_DISASTERS,
        ("Phòng Tài chính – Kế hoạch", "Phòng Nội vụ", "Phòng Quản lý đô thị", "Phòng Tài nguyên và Môi trường"),
        succession="Phông của thành phố Huế trực thuộc tỉnh Thừa Thiên Huế (đến năm 2024), nay bảo quản tại "
                   "Trung tâm Lưu trữ lịch sử thành phố Huế.",
        extra_topics=("heritage",), monuments=_HUE_MONUMENTS,
        founding="Từ năm 1976, thành phố Huế là thành phố thuộc tỉnh Bình Trị Thiên, từ ngày 01 tháng 7 năm 1989 "
                 "thuộc tỉnh Thừa Thiên Huế.",
        change_on="2025-01-01",
        change="khi thành lập thành phố Huế trực thuộc trung ương, địa bàn thành phố Huế thuộc tỉnh được tổ chức "
               "thành hai quận Phú Xuân và Thuận Hóa; các cơ quan của thành phố Huế thuộc tỉnh kết thúc hoạt động",
        ended=True,
    ),
    "CT": OriginUnit(
        "CT", "CTO", "Thành phố Cần Thơ", "thành phố Cần Thơ", "Cần Thơ", 2004, 2024, 2025, 1,
        ("UBND", "HDND", "STC", "SNN"),
        ("quận Ninh Kiều", "quận Bình Thủy", "quận Cái Răng", "quận Ô Môn", "huyện Phong Điền", "huyện Cờ Đỏ",
         "huyện Vĩnh Thạnh"),
        ("xây dựng cầu Cần Thơ", "kè sông Cần Thơ", "mở rộng Cảng hàng không quốc tế Cần Thơ",
         "xây dựng Khu đô thị Nam Cần Thơ"),
        _MEKONG_DISASTERS, _PROVINCIAL_DEPARTMENTS,
        founding="Thành phố Cần Thơ trực thuộc trung ương được thành lập từ ngày 01 tháng 01 năm 2004 "
                 + _CAN_THO_SPLIT + ".",
        change_on=_PROVINCES_MERGED_ON, change=_CAN_THO_MERGER,
    ),
    "ST": OriginUnit(
        "ST", "STG", "Tỉnh Sóc Trăng", "tỉnh Sóc Trăng", "Sóc Trăng", 1992, 2024, 2025, 21,
        ("UBND", "SGDDT"),
        ("huyện Mỹ Xuyên", "huyện Kế Sách", "huyện Long Phú", "huyện Trần Đề", "thị xã Vĩnh Châu",
         "thành phố Sóc Trăng"),
        ("xây dựng Cảng biển Trần Đề", "nâng cấp Quốc lộ Nam Sông Hậu", "xây dựng đê biển Vĩnh Châu"),
        _MEKONG_DISASTERS, _PROVINCIAL_DEPARTMENTS,
        succession="Từ ngày 01 tháng 7 năm 2025, tỉnh Sóc Trăng hợp nhất vào thành phố Cần Thơ; phông được giao "
                   "nộp về Trung tâm Lưu trữ lịch sử thành phố Cần Thơ và giữ nguyên là một phông đóng.",
        founding="Tỉnh Sóc Trăng được tái lập từ tháng 4 năm 1992 theo Nghị quyết ngày 26 tháng 12 năm 1991 của "
                 "Quốc hội khóa VIII chia tỉnh Hậu Giang thành hai tỉnh Cần Thơ và Sóc Trăng.",
        change_on=_PROVINCES_MERGED_ON, change=_CAN_THO_MERGER + "; các cơ quan của tỉnh Sóc Trăng kết thúc hoạt động",
        ended=True,
    ),
    "HG": OriginUnit(
        "HG", "HGG", "Tỉnh Hậu Giang", "tỉnh Hậu Giang", "Vị Thanh", 2004, 2024, 2025, 41,
        ("UBND", "SNV"),
        ("huyện Châu Thành A", "huyện Phụng Hiệp", "huyện Long Mỹ", "thị xã Ngã Bảy", "thành phố Vị Thanh"),
        ("nạo vét kênh Xà No", "xây dựng Khu công nghiệp Sông Hậu", "nâng cấp Quốc lộ 61"),
        _MEKONG_DISASTERS, _PROVINCIAL_DEPARTMENTS,
        succession="Từ ngày 01 tháng 7 năm 2025, tỉnh Hậu Giang hợp nhất vào thành phố Cần Thơ; phông được giao "
                   "nộp về Trung tâm Lưu trữ lịch sử thành phố Cần Thơ và giữ nguyên là một phông đóng.",
        founding="Tỉnh Hậu Giang được thành lập từ ngày 01 tháng 01 năm 2004 " + _CAN_THO_SPLIT + ".",
        change_on=_PROVINCES_MERGED_ON, change=_CAN_THO_MERGER + "; các cơ quan của tỉnh Hậu Giang kết thúc hoạt động",
        ended=True,
    ),
}

ARCHIVES = (
    ArchiveSpec("vinhlong", "Trung tâm Lưu trữ lịch sử tỉnh Vĩnh Long", 86, "vinhlong.luutru.gov.vn",
                ("VL", "BT", "TV")),
    ArchiveSpec("hue", "Trung tâm Lưu trữ lịch sử thành phố Huế", 46, "hue.luutru.gov.vn", ("TTH", "HUE")),
    ArchiveSpec("cantho", "Trung tâm Lưu trữ lịch sử thành phố Cần Thơ", 92, "cantho.luutru.gov.vn",
                ("CT", "ST", "HG")),
)

TOPICS = {
    "school_founding": Topic(
        "school_founding", "Hồ sơ về việc thành lập Trường Trung học phổ thông {school} năm {year}",
        (("Tờ trình", "về việc đề nghị thành lập Trường Trung học phổ thông {school}"),
         ("Công văn", "về việc thẩm định hồ sơ thành lập Trường Trung học phổ thông {school}"),
         ("Biên bản", "khảo sát địa điểm xây dựng Trường Trung học phổ thông {school} tại {district}"),
         ("Quyết định", "về việc thành lập Trường Trung học phổ thông {school}, {unit}"),
         ("Quyết định", "về việc bổ nhiệm Hiệu trưởng Trường Trung học phổ thông {school}"),
         ("Thông báo", "tuyển sinh lớp 10 Trường Trung học phổ thông {school} năm học {year}–{next_year}")),
        ("Giáo dục", "Trường học"),
    ),
    "school_year": Topic(
        "school_year", "Hồ sơ tổng kết năm học {year}–{next_year} của ngành giáo dục {unit}",
        (("Chỉ thị", "về nhiệm vụ năm học {year}–{next_year}"),
         ("Kế hoạch", "thực hiện nhiệm vụ năm học {year}–{next_year} trên địa bàn {unit}"),
         ("Công văn", "về việc tổ chức kỳ thi tốt nghiệp năm học {year}–{next_year}"),
         ("Quyết định", "về việc công nhận trường đạt chuẩn quốc gia tại {district}"),
         ("Báo cáo", "tổng kết năm học {year}–{next_year} và phương hướng nhiệm vụ năm học mới")),
        ("Giáo dục", "Tổng kết năm học"),
    ),
    "planning": Topic(
        "planning", "Hồ sơ về việc phê duyệt quy hoạch phát triển {sector} {unit} giai đoạn {period}",
        (("Tờ trình", "về việc đề nghị phê duyệt quy hoạch phát triển {sector} {unit} giai đoạn {period}"),
         ("Công văn", "về việc góp ý dự thảo quy hoạch phát triển {sector} {unit}"),
         ("Biên bản", "họp Hội đồng thẩm định quy hoạch phát triển {sector} {unit}"),
         ("Báo cáo", "thẩm định quy hoạch phát triển {sector} {unit} giai đoạn {period}"),
         ("Quyết định", "về việc phê duyệt quy hoạch phát triển {sector} {unit} giai đoạn {period}"),
         ("Kế hoạch", "triển khai thực hiện quy hoạch phát triển {sector} {unit} giai đoạn {period}")),
        ("Quy hoạch", "Kinh tế – xã hội"),
    ),
    "appointment": Topic(
        "appointment", "Hồ sơ về việc bổ nhiệm cán bộ lãnh đạo {dept} năm {year}",
        (("Tờ trình", "về việc đề nghị bổ nhiệm {deputy} {dept}"),
         ("Biên bản", "kiểm phiếu lấy phiếu tín nhiệm nhân sự đề nghị bổ nhiệm {deputy} {dept}"),
         ("Công văn", "về việc thẩm định hồ sơ nhân sự đề nghị bổ nhiệm {deputy} {dept}"),
         ("Quyết định", "về việc bổ nhiệm {honorific} {person} giữ chức {deputy} {dept}"),
         ("Thông báo", "kết luận về công tác cán bộ của {dept}")),
        ("Cán bộ", "Bổ nhiệm"),
    ),
    "budget": Topic(
        "budget", "Hồ sơ về việc lập và giao dự toán ngân sách nhà nước {unit} năm {next_year}",
        (("Công văn", "về việc hướng dẫn xây dựng dự toán ngân sách nhà nước năm {next_year}"),
         ("Báo cáo", "tình hình thực hiện dự toán ngân sách nhà nước {unit} năm {year}"),
         ("Tờ trình", "về việc giao dự toán thu, chi ngân sách nhà nước năm {next_year}"),
         ("Nghị quyết", "về dự toán thu, chi ngân sách địa phương {unit} năm {next_year}"),
         ("Quyết định", "về việc giao dự toán thu, chi ngân sách nhà nước năm {next_year} cho các sở, ban, "
                        "ngành {unit}")),
        ("Tài chính", "Ngân sách nhà nước"),
    ),
    "disaster": Topic(
        "disaster", "Hồ sơ về công tác phòng, chống và khắc phục hậu quả {disaster} năm {year}",
        (("Chỉ thị", "về việc tăng cường công tác phòng, chống thiên tai, tìm kiếm cứu nạn năm {year}"),
         ("Công văn", "về việc khẩn trương khắc phục hậu quả {disaster} tại {district}"),
         ("Báo cáo", "thiệt hại do {disaster} gây ra trên địa bàn {unit}"),
         ("Biên bản", "kiểm tra thiệt hại đê bao, cống, đập tại {district}"),
         ("Quyết định", "về việc hỗ trợ kinh phí khắc phục hậu quả {disaster} cho {district}")),
        ("Phòng, chống thiên tai",),
    ),
    "land": Topic(
        "land", "Hồ sơ về việc thu hồi đất, bồi thường, hỗ trợ và tái định cư dự án {project} năm {year}",
        (("Thông báo", "thu hồi đất để thực hiện dự án {project}"),
         ("Kế hoạch", "bồi thường, hỗ trợ và tái định cư dự án {project}"),
         ("Quyết định", "về việc thu hồi đất để thực hiện dự án {project} tại {district}"),
         ("Quyết định", "về việc phê duyệt phương án bồi thường, hỗ trợ và tái định cư dự án {project}"),
         ("Công văn", "về việc giải quyết kiến nghị của các hộ dân bị ảnh hưởng bởi dự án {project}")),
        ("Đất đai", "Bồi thường, giải phóng mặt bằng"),
        min_year=1994,  # the Land Law of 1993 is where compensation files of this shape begin
    ),
    "organisation": Topic(
        "organisation", "Hồ sơ về việc kiện toàn tổ chức bộ máy {dept} năm {year}",
        (("Tờ trình", "về việc quy định chức năng, nhiệm vụ, quyền hạn và cơ cấu tổ chức của {dept}"),
         ("Báo cáo", "kết quả rà soát, sắp xếp tổ chức bộ máy của {dept}"),
         ("Quyết định", "về việc quy định chức năng, nhiệm vụ, quyền hạn và cơ cấu tổ chức của {dept}"),
         ("Công văn", "về việc giao biên chế công chức năm {next_year} cho {dept}")),
        ("Tổ chức bộ máy",),
    ),
    "emulation": Topic(
        "emulation", "Hồ sơ khen thưởng tập thể, cá nhân có thành tích xuất sắc trong {movement} năm {year}",
        (("Kế hoạch", "tổ chức {movement} năm {year}"),
         ("Tờ trình", "về việc đề nghị khen thưởng tập thể, cá nhân có thành tích xuất sắc trong {movement}"),
         ("Biên bản", "họp Hội đồng Thi đua – Khen thưởng {unit} năm {year}"),
         ("Quyết định", "về việc tặng Bằng khen cho các tập thể, cá nhân có thành tích xuất sắc trong "
                        "{movement}")),
        ("Thi đua, khen thưởng",),
    ),
    "rice_season": Topic(
        "rice_season", "Hồ sơ về việc chỉ đạo sản xuất vụ lúa Đông Xuân {year}–{next_year} {unit}",
        (("Kế hoạch", "sản xuất vụ lúa Đông Xuân {year}–{next_year} trên địa bàn {unit}"),
         ("Thông báo", "lịch thời vụ gieo sạ vụ lúa Đông Xuân {year}–{next_year}"),
         ("Công văn", "về việc phòng trừ rầy nâu và dịch bệnh trên lúa vụ Đông Xuân {year}–{next_year}"),
         ("Quyết định", "về việc hỗ trợ giống lúa cho nông dân bị thiệt hại tại {district}"),
         ("Báo cáo", "sơ kết sản xuất vụ lúa Đông Xuân {year}–{next_year}")),
        ("Nông nghiệp", "Sản xuất lúa"),
    ),
    "council_session": Topic(
        "council_session", "Hồ sơ kỳ họp thứ {session} Hội đồng nhân dân {unit} khóa {term}",
        (("Thông báo", "triệu tập kỳ họp thứ {session} Hội đồng nhân dân {unit} khóa {term}"),
         ("Báo cáo", "thẩm tra của Ban Kinh tế – Ngân sách tại kỳ họp thứ {session}"),
         ("Biên bản", "kỳ họp thứ {session} Hội đồng nhân dân {unit} khóa {term}"),
         ("Nghị quyết", "về nhiệm vụ phát triển kinh tế – xã hội {unit} năm {next_year}"),
         ("Nghị quyết", "về việc thông qua danh mục công trình xây dựng cơ bản năm {next_year}")),
        ("Hội đồng nhân dân", "Kỳ họp"),
    ),
    "heritage": Topic(
        "heritage", "Hồ sơ về việc trùng tu, tôn tạo di tích {monument} thuộc Quần thể di tích Cố đô Huế năm {year}",
        (("Tờ trình", "về việc đề nghị phê duyệt dự án trùng tu, tôn tạo di tích {monument}"),
         ("Công văn", "về việc thỏa thuận phương án bảo tồn di tích {monument}"),
         ("Quyết định", "về việc phê duyệt dự án trùng tu, tôn tạo di tích {monument}, Quần thể di tích Cố đô "
                        "Huế"),
         ("Biên bản", "nghiệm thu hoàn thành hạng mục trùng tu di tích {monument}"),
         ("Báo cáo", "kết quả trùng tu, tôn tạo di tích {monument} năm {year}")),
        ("Di tích", "Cố đô Huế"),
    ),
}

# Abbreviations of the doc types in document numbers ("125/QĐ-UBND").
DOC_TYPE_CODES = {
    "Quyết định": "QĐ", "Công văn": "CV", "Tờ trình": "TTr", "Báo cáo": "BC", "Thông báo": "TB",
    "Kế hoạch": "KH", "Chỉ thị": "CT", "Biên bản": "BB", "Nghị quyết": "NQ",
}

SCHOOL_NAMESAKES = (
    "Nguyễn Đình Chiểu", "Phan Thanh Giản", "Lê Quý Đôn", "Trần Văn Ơn", "Nguyễn Thị Minh Khai", "Lưu Văn Liệt",
    "Phạm Hùng", "Võ Văn Kiệt", "Nguyễn Huệ", "Hai Bà Trưng", "Lê Lợi", "Châu Văn Liêm", "Hoàng Diệu",
    "Nguyễn Trường Tộ", "Trần Hưng Đạo", "Bùi Thị Xuân",
)
SECTORS = ("nông nghiệp", "thủy sản", "giáo dục và đào tạo", "giao thông vận tải", "du lịch", "công nghiệp",
           "mạng lưới chợ", "y tế")
MOVEMENTS = ("phong trào thi đua yêu nước", "phong trào Toàn dân đoàn kết xây dựng đời sống văn hóa",
             "phong trào thi đua lao động giỏi, lao động sáng tạo", "công tác cải cách hành chính")

FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
                "Dương", "Lý", "Trương")
MALE_MIDDLE_NAMES = ("Văn", "Minh", "Hoàng", "Thanh", "Quốc", "Hữu", "Ngọc", "Đức", "Công")
FEMALE_MIDDLE_NAMES = ("Thị", "Thị", "Ngọc", "Thanh", "Thu", "Kim")
MALE_GIVEN_NAMES = ("Hùng", "Dũng", "Hải", "Tâm", "Phúc", "Sơn", "Tuấn", "Bình", "Thành", "Nghĩa", "Trung", "Hiếu",
                    "Khánh", "Long", "Quang", "Vinh")
FEMALE_GIVEN_NAMES = ("Lan", "Hoa", "Thảo", "Phương", "Hằng", "Mai", "Hương", "Nga", "Trinh", "Yến")

# The security-test fixture: a title that must come out escaped everywhere it is shown.
SCRIPT_TITLE = "<script>alert(1)</script> Công văn thử nghiệm"
