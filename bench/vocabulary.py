"""The words synthetic records are made of: agencies, topics, document types, names, sentences.

Only data lives here; `generate` decides how it is combined. The provinces (the 34 current ones,
the 63 former ones and their districts) are not here: they come from `vietnam-provinces` and
`vietnamadminunits` through `schema.provinces`. Title templates use str.format slots that
`generate` fills: {unit} ("tỉnh Bến Tre"), {district}, {dept}, {person}, {position}, {project},
{sector}, {disaster}, {school}, {movement}, {epidemic}, {relic}, {fund}, {year}, {next_year},
{period}, {session}, {term}.
"""
from __future__ import annotations

from dataclasses import dataclass

from demo import vocabulary as demo_vocabulary


@dataclass(frozen=True)
class Agency:
    """An agency whose records form a fonds (cơ quan hình thành phông)."""

    key: str  # in local ids: ASCII
    doc_code: str  # in document numbers: "125/QĐ-UBND"
    name: str  # followed by the unit: "Sở Nội vụ tỉnh Bến Tre"
    first_year: int
    head_title: str  # who signs
    topics: tuple[str, ...]
    district_level: bool = False  # a fonds of a district's committee, named after the district


@dataclass(frozen=True)
class Topic:
    """What a hồ sơ is about: its title, the documents it is made of (doc type, rest of the title)."""

    file_title: str
    steps: tuple[tuple[str, str], ...]
    subjects: tuple[str, ...]
    theme: str  # the series (mục lục) it is filed under
    min_year: int = 1975
    sensitive: bool = False  # personal or inspection files: more often restricted or closed


AGENCIES = (
    Agency("UBND", "UBND", "Ủy ban nhân dân", 1975, "Chủ tịch",
           ("planning", "disaster", "land", "emulation", "school_founding", "construction", "complaint",
            "budget", "organisation")),
    Agency("HDND", "HĐND", "Hội đồng nhân dân", 1977, "Chủ tịch", ("council_session", "budget", "emulation")),
    Agency("SNV", "SNV", "Sở Nội vụ", 1976, "Giám đốc", ("appointment", "organisation", "emulation", "personnel")),
    Agency("STC", "STC", "Sở Tài chính", 1976, "Giám đốc", ("budget", "appointment", "construction")),
    Agency("SGDDT", "SGDĐT", "Sở Giáo dục và Đào tạo", 1976, "Giám đốc",
           ("school_founding", "school_year", "appointment", "emulation")),
    Agency("SYT", "SYT", "Sở Y tế", 1976, "Giám đốc", ("epidemic", "appointment", "construction")),
    Agency("SXD", "SXD", "Sở Xây dựng", 1976, "Giám đốc", ("construction", "planning", "land")),
    Agency("SGTVT", "SGTVT", "Sở Giao thông vận tải", 1976, "Giám đốc", ("construction", "planning", "disaster")),
    Agency("STP", "STP", "Sở Tư pháp", 1982, "Giám đốc", ("complaint", "organisation", "personnel")),
    Agency("SNN", "SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn", 1996, "Giám đốc",
           ("rice_season", "disaster", "planning", "epidemic")),
    Agency("STNMT", "STNMT", "Sở Tài nguyên và Môi trường", 2003, "Giám đốc", ("land", "complaint", "planning")),
    Agency("SVHTTDL", "SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", 2008, "Giám đốc",
           ("heritage", "emulation", "planning")),
    Agency("SLDTBXH", "SLĐTBXH", "Sở Lao động – Thương binh và Xã hội", 1976, "Giám đốc",
           ("merit", "emulation", "budget")),
    Agency("TTR", "TTr", "Thanh tra", 1976, "Chánh Thanh tra", ("inspection", "complaint")),
    Agency("UBNDH", "UBND", "Ủy ban nhân dân", 1975, "Chủ tịch",
           ("land", "disaster", "rice_season", "school_year", "complaint", "merit", "heritage"),
           district_level=True),
)

# Series (mục lục / nhóm tài liệu) a fonds is arranged in.
THEMES = {
    "general": "Tài liệu tổng hợp",
    "staff": "Tài liệu tổ chức – cán bộ",
    "finance": "Tài liệu kế hoạch – tài chính",
    "building": "Tài liệu xây dựng cơ bản",
    "society": "Tài liệu văn hóa – xã hội",
    "internal": "Tài liệu thanh tra – nội chính",
}


def _from_demo(key: str, theme: str) -> Topic:
    """A topic the demo archives also use, taken from them so the two never drift apart."""
    topic = demo_vocabulary.TOPICS[key]
    return Topic(topic.file_title, topic.steps, topic.subjects, theme, topic.min_year)


TOPICS = {
    "school_founding": _from_demo("school_founding", theme="society"),
    "school_year": _from_demo("school_year", theme="society"),
    "planning": _from_demo("planning", theme="finance"),
    "appointment": Topic(
        "Hồ sơ về việc bổ nhiệm cán bộ lãnh đạo {dept} năm {year}",
        (("Tờ trình", "về việc đề nghị bổ nhiệm {position} {dept}"),
         ("Biên bản", "kiểm phiếu lấy phiếu tín nhiệm nhân sự đề nghị bổ nhiệm {position} {dept}"),
         ("Công văn", "về việc thẩm định hồ sơ nhân sự đề nghị bổ nhiệm {position} {dept}"),
         ("Quyết định", "về việc bổ nhiệm ông (bà) {person} giữ chức {position} {dept}"),
         ("Thông báo", "kết luận về công tác cán bộ của {dept}")),
        ("Cán bộ", "Bổ nhiệm"), "staff"),
    "personnel": Topic(
        "Hồ sơ cán bộ, công chức: {person}, {position} {dept}",
        (("Sơ yếu lý lịch", "của ông (bà) {person}"),
         ("Quyết định", "về việc tuyển dụng ông (bà) {person} vào làm việc tại {dept}"),
         ("Quyết định", "về việc nâng bậc lương đối với ông (bà) {person}"),
         ("Bản tự kiểm điểm", "của ông (bà) {person} năm {year}"),
         ("Quyết định", "về việc nghỉ hưu đối với ông (bà) {person}")),
        ("Cán bộ", "Hồ sơ nhân sự"), "staff", sensitive=True),
    "budget": _from_demo("budget", theme="finance"),
    "disaster": Topic(
        "Hồ sơ về công tác phòng, chống và khắc phục hậu quả {disaster} năm {year}",
        (("Chỉ thị", "về việc tăng cường công tác phòng, chống thiên tai, tìm kiếm cứu nạn năm {year}"),
         ("Công văn", "về việc khẩn trương khắc phục hậu quả {disaster} tại {district}"),
         ("Báo cáo", "thiệt hại do {disaster} gây ra trên địa bàn {unit}"),
         ("Biên bản", "kiểm tra thiệt hại đê điều, cống, đập tại {district}"),
         ("Quyết định", "về việc hỗ trợ kinh phí khắc phục hậu quả {disaster} cho {district}")),
        ("Phòng, chống thiên tai",), "general"),
    "land": _from_demo("land", theme="building"),
    "construction": Topic(
        "Hồ sơ dự án đầu tư xây dựng công trình {project}",
        (("Tờ trình", "về việc đề nghị phê duyệt chủ trương đầu tư công trình {project}"),
         ("Quyết định", "về việc phê duyệt báo cáo kinh tế – kỹ thuật công trình {project}"),
         ("Quyết định", "về việc phê duyệt kết quả lựa chọn nhà thầu thi công công trình {project}"),
         ("Biên bản", "nghiệm thu hoàn thành công trình {project} đưa vào sử dụng"),
         ("Báo cáo", "quyết toán vốn đầu tư công trình {project} hoàn thành")),
        ("Xây dựng cơ bản", "Đầu tư công"), "building"),
    "organisation": _from_demo("organisation", theme="staff"),
    "emulation": _from_demo("emulation", theme="general"),
    "rice_season": _from_demo("rice_season", theme="general"),
    "council_session": _from_demo("council_session", theme="general"),
    "epidemic": Topic(
        "Hồ sơ về công tác phòng, chống dịch {epidemic} trên địa bàn {unit} năm {year}",
        (("Kế hoạch", "phòng, chống dịch {epidemic} năm {year}"),
         ("Công văn", "về việc triển khai các biện pháp cấp bách phòng, chống dịch {epidemic}"),
         ("Báo cáo", "tình hình dịch {epidemic} tại {district}"),
         ("Quyết định", "về việc công bố hết dịch {epidemic} tại {district}")),
        ("Y tế", "Phòng, chống dịch bệnh"), "society"),
    "complaint": Topic(
        "Hồ sơ giải quyết đơn khiếu nại của ông (bà) {person} tại {district} năm {year}",
        (("Đơn khiếu nại", "của ông (bà) {person} về việc bồi thường đất tại {district}"),
         ("Thông báo", "về việc thụ lý giải quyết khiếu nại của ông (bà) {person}"),
         ("Báo cáo", "kết quả xác minh nội dung khiếu nại của ông (bà) {person}"),
         ("Biên bản", "đối thoại với người khiếu nại tại {district}"),
         ("Quyết định", "về việc giải quyết khiếu nại của ông (bà) {person}")),
        ("Khiếu nại, tố cáo",), "internal", sensitive=True),
    "inspection": Topic(
        "Hồ sơ thanh tra việc quản lý, sử dụng {fund} tại {dept} năm {year}",
        (("Quyết định", "về việc thanh tra việc quản lý, sử dụng {fund} tại {dept}"),
         ("Kế hoạch", "tiến hành thanh tra tại {dept}"),
         ("Biên bản", "làm việc với {dept} về việc quản lý, sử dụng {fund}"),
         ("Báo cáo", "kết quả thanh tra việc quản lý, sử dụng {fund} tại {dept}"),
         ("Kết luận", "thanh tra việc quản lý, sử dụng {fund} tại {dept}")),
        ("Thanh tra",), "internal", sensitive=True),
    "merit": Topic(
        "Hồ sơ về việc xác nhận người có công với cách mạng tại {district} năm {year}",
        (("Tờ trình", "về việc đề nghị công nhận liệt sĩ và cấp Bằng Tổ quốc ghi công"),
         ("Công văn", "về việc xác minh thông tin người có công với cách mạng tại {district}"),
         ("Quyết định", "về việc trợ cấp ưu đãi đối với người có công với cách mạng"),
         ("Báo cáo", "kết quả rà soát chế độ chính sách người có công năm {year}")),
        ("Chính sách xã hội", "Người có công"), "society"),
    "heritage": Topic(
        "Hồ sơ về việc xếp hạng di tích lịch sử – văn hóa {relic} năm {year}",
        (("Tờ trình", "về việc đề nghị xếp hạng di tích lịch sử – văn hóa {relic}"),
         ("Biên bản", "kiểm kê di tích {relic} tại {district}"),
         ("Quyết định", "về việc xếp hạng di tích lịch sử – văn hóa {relic}"),
         ("Công văn", "về việc tu bổ, tôn tạo di tích {relic}")),
        ("Di tích", "Văn hóa"), "society"),
}

# Abbreviations of the doc types in document numbers ("125/QĐ-UBND"); None: no number.
DOC_TYPE_CODES = {
    "Quyết định": "QĐ", "Công văn": "", "Tờ trình": "TTr", "Báo cáo": "BC", "Thông báo": "TB",
    "Kế hoạch": "KH", "Chỉ thị": "CT", "Biên bản": "BB", "Nghị quyết": "NQ", "Kết luận": "KL",
    "Đơn khiếu nại": None, "Sơ yếu lý lịch": None, "Bản tự kiểm điểm": None,
}

POSITIONS = ("Giám đốc", "Phó Giám đốc", "Trưởng phòng", "Phó Trưởng phòng", "Chánh Văn phòng",
             "Phó Chánh Văn phòng", "Chuyên viên")
DEPARTMENTS = ("Sở Tài chính", "Sở Y tế", "Sở Xây dựng", "Sở Giao thông vận tải", "Sở Tư pháp", "Sở Công Thương",
               "Sở Kế hoạch và Đầu tư", "Sở Tài nguyên và Môi trường", "Sở Nội vụ", "Văn phòng Ủy ban nhân dân",
               "Ban Quản lý dự án đầu tư xây dựng", "Trung tâm Y tế", "Phòng Giáo dục và Đào tạo")
SECTORS = ("nông nghiệp", "thủy sản", "giáo dục và đào tạo", "giao thông vận tải", "du lịch", "công nghiệp",
           "mạng lưới chợ", "y tế", "lâm nghiệp", "thương mại")
DISASTERS = ("lũ lụt", "hạn hán và xâm nhập mặn", "triều cường", "sạt lở bờ sông", "lũ quét", "mưa đá",
             "cơn bão số 9", "cơn bão số 10", "rét đậm, rét hại", "đợt mưa lớn kéo dài")
EPIDEMICS = ("sốt xuất huyết", "tay chân miệng", "cúm gia cầm", "lở mồm long móng", "sốt rét")
MOVEMENTS = ("phong trào thi đua yêu nước", "phong trào Toàn dân đoàn kết xây dựng đời sống văn hóa",
             "phong trào thi đua lao động giỏi, lao động sáng tạo", "công tác cải cách hành chính",
             "phong trào xây dựng nông thôn mới")
FUNDS = ("ngân sách nhà nước", "vốn đầu tư xây dựng cơ bản", "quỹ phòng, chống thiên tai",
         "kinh phí hỗ trợ người có công", "đất công")
PROJECT_FORMS = ("xây dựng cầu {name}", "nâng cấp đường tỉnh {number}", "xây dựng Khu công nghiệp {name}",
                 "kè chống sạt lở bờ sông {name}", "xây dựng chợ {name}", "nâng cấp Quốc lộ {number}",
                 "xây dựng Trường Tiểu học {name}", "xây dựng Khu dân cư {name}",
                 "nạo vét kênh {name}", "xây dựng Trạm y tế xã {name}")
RELIC_FORMS = ("đình {name}", "chùa {name}", "miếu {name}", "Khu di tích lịch sử {name}", "đền thờ {name}")
SCHOOL_NAMESAKES = ("Nguyễn Đình Chiểu", "Phan Thanh Giản", "Lê Quý Đôn", "Trần Văn Ơn", "Nguyễn Thị Minh Khai",
                    "Phạm Hùng", "Võ Văn Kiệt", "Nguyễn Huệ", "Hai Bà Trưng", "Lê Lợi", "Châu Văn Liêm",
                    "Hoàng Diệu", "Nguyễn Trường Tộ", "Trần Hưng Đạo", "Bùi Thị Xuân", "Chu Văn An",
                    "Nguyễn Du", "Lương Thế Vinh", "Phan Bội Châu", "Huỳnh Thúc Kháng")

FAMILY_NAMES = ("Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Vũ",
                "Phan", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Trương", "Đinh", "Lâm", "Mai")
MIDDLE_NAMES = ("Văn", "Văn", "Thị", "Thị", "Minh", "Hoàng", "Thanh", "Quốc", "Hữu", "Ngọc", "Đức", "Công",
                "Thu", "Kim", "Xuân", "Anh")
GIVEN_NAMES = ("Hùng", "Dũng", "Hải", "Tâm", "Phúc", "Sơn", "Tuấn", "Bình", "Thành", "Nghĩa", "Trung", "Hiếu",
               "Khánh", "Long", "Quang", "Vinh", "Lan", "Hoa", "Thảo", "Phương", "Hằng", "Mai", "Hương", "Nga",
               "Trinh", "Yến", "Đông", "Thắng", "Lợi", "Cường", "Hòa", "Hóa", "Thủy", "Thúy", "Nhân", "Tín")

RETENTION = ("vĩnh viễn", "vĩnh viễn", "vĩnh viễn", "70 năm", "50 năm", "30 năm", "20 năm", "10 năm")
COPY_KINDS = ("Bản chính", "Bản chính", "Bản sao y", "Bản gốc", "Bản sao lục")
RESTRICTED_REASONS = ("Tài liệu có thông tin cá nhân", "Tài liệu chứa thông tin về đời tư",
                      "Tài liệu đang trong thời hạn hạn chế sử dụng", "Tài liệu thanh tra chưa công khai")
CLOSED_REASONS = ("Tài liệu thuộc danh mục bí mật nhà nước độ Mật", "Tài liệu bí mật nhà nước độ Tối mật")
COUNCIL_TERMS = ((1977, "I"), (1981, "II"), (1985, "III"), (1989, "IV"), (1994, "V"), (1999, "VI"),
                 (2004, "VII"), (2011, "VIII"), (2016, "IX"), (2021, "X"))

# Sentences the body of a document is drawn from; {unit}, {district}, {year}, {sector} are filled once
# per sentence of the pool, so bodies vary without formatting text per record.
BODY_SENTENCES = (
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015.",
    "Căn cứ Luật Ngân sách nhà nước và các văn bản hướng dẫn thi hành.",
    "Căn cứ Luật Lưu trữ và Thông tư hướng dẫn về hồ sơ, tài liệu lưu trữ điện tử.",
    "Xét đề nghị của Giám đốc Sở Nội vụ tại Tờ trình số {number}/TTr-SNV.",
    "Xét đề nghị của Chủ tịch Ủy ban nhân dân {district} về việc hỗ trợ kinh phí năm {year}.",
    "Ủy ban nhân dân {unit} yêu cầu các sở, ban, ngành và Ủy ban nhân dân các huyện triển khai thực hiện.",
    "Giao Sở Tài chính chủ trì, phối hợp với các đơn vị liên quan thẩm định dự toán kinh phí.",
    "Trong năm {year}, tình hình kinh tế – xã hội trên địa bàn {unit} tiếp tục phát triển ổn định.",
    "Tổng giá trị sản xuất ngành {sector} tăng khoảng {number} phần trăm so với cùng kỳ năm trước.",
    "Thiệt hại do thiên tai gây ra ước tính {number} triệu đồng, chủ yếu tại {district}.",
    "Công tác bồi thường, giải phóng mặt bằng được thực hiện công khai, đúng quy định của pháp luật.",
    "Các hộ dân bị ảnh hưởng đã được thông báo và niêm yết công khai phương án bồi thường.",
    "Đề nghị Ủy ban nhân dân {district} chỉ đạo các xã, thị trấn rà soát, tổng hợp và báo cáo kết quả.",
    "Thủ trưởng các cơ quan, đơn vị chịu trách nhiệm thi hành Quyết định này kể từ ngày ký.",
    "Quyết định này có hiệu lực thi hành kể từ ngày ký ban hành.",
    "Chánh Văn phòng Ủy ban nhân dân {unit} chịu trách nhiệm theo dõi, đôn đốc việc thực hiện.",
    "Hội đồng đã tiến hành kiểm phiếu, kết quả có {number} phiếu đồng ý, đạt tỷ lệ trên hai phần ba.",
    "Đoàn kiểm tra đã làm việc trực tiếp tại {district} và lập biên bản ghi nhận hiện trạng.",
    "Kinh phí thực hiện được bố trí từ nguồn ngân sách tỉnh năm {year} và nguồn vốn hợp pháp khác.",
    "Ngành {sector} cần tập trung khắc phục những tồn tại, hạn chế đã được chỉ ra trong năm {year}.",
    "Việc chấp hành chế độ báo cáo của một số đơn vị chưa kịp thời, chất lượng báo cáo còn hạn chế.",
    "Đề nghị các đơn vị gửi báo cáo về Văn phòng trước ngày {day} tháng {month} năm {year} để tổng hợp.",
    "Qua kiểm tra, xác minh, nội dung khiếu nại của công dân là có cơ sở một phần.",
    "Thanh tra tỉnh phát hiện một số sai sót trong việc lập, thẩm định và phê duyệt dự toán.",
    "Yêu cầu thu hồi nộp ngân sách nhà nước số tiền {number} triệu đồng do chi sai quy định.",
    "Các trường học trên địa bàn {district} đã hoàn thành chương trình năm học {year} đúng kế hoạch.",
    "Tỷ lệ học sinh tốt nghiệp trung học phổ thông đạt {number} phần trăm.",
    "Diện tích gieo sạ vụ Đông Xuân đạt {number} héc-ta, năng suất bình quân ước đạt sáu tấn một héc-ta.",
    "Dịch bệnh được kiểm soát, không để lây lan ra diện rộng, không có trường hợp tử vong.",
    "Ủy ban nhân dân {district} đã huy động lực lượng gia cố đê bao, di dời dân đến nơi an toàn.",
    "Đề nghị Trung ương hỗ trợ thêm kinh phí để khắc phục hậu quả thiên tai năm {year}.",
    "Công trình được khởi công trong quý II năm {year} và dự kiến hoàn thành sau mười tám tháng.",
    "Nhà thầu thi công có trách nhiệm bảo đảm chất lượng, tiến độ và an toàn lao động.",
    "Hồ sơ được lập thành ba bản, một bản lưu tại Văn phòng, hai bản gửi các cơ quan liên quan.",
    "Việc sắp xếp tổ chức bộ máy bảo đảm tinh gọn, hoạt động hiệu lực, hiệu quả.",
    "Biên chế công chức được giao năm {year} là {number} người, giảm so với năm trước.",
    "Tập thể và cá nhân có thành tích xuất sắc được đề nghị tặng Bằng khen của Chủ tịch Ủy ban nhân dân.",
    "Di tích có giá trị lịch sử, văn hóa tiêu biểu, gắn với truyền thống cách mạng của địa phương.",
    "Ban quản lý di tích có trách nhiệm bảo vệ, giữ gìn nguyên trạng các hạng mục kiến trúc cổ.",
    "Chế độ trợ cấp ưu đãi được thực hiện kể từ ngày {day} tháng {month} năm {year}.",
    "Phòng Lao động – Thương binh và Xã hội {district} đã rà soát, đối chiếu hồ sơ gốc.",
    "Tài liệu được số hóa từ bản giấy lưu trữ tại kho của Trung tâm Lưu trữ lịch sử.",
    "Văn bản được ký số bởi cơ quan ban hành theo quy định về chữ ký số chuyên dùng.",
)
