#!/usr/bin/env python3
"""Deterministic generator of a realistic (but invented) Điện Biên province for GiupXa tests and
benchmarks: 82 agencies, two assignment decisions (the second supersedes the first), and a few
years of field visits per agency in the JSON that `giupxa visit add --file` reads.

    python3 Tools/datagen/generate.py --out DIR [--seed 2017] [--start 2018-01-01] [--years 3] [--scale 1.0]
    python3 Tools/datagen/generate.py --check DIR

Python 3.11 standard library only. Same arguments → byte-identical files (every random choice
comes from a `random.Random` seeded from --seed; nothing iterates over a set or a hash order).
Sample data, not an official record: only the 29 real agencies, the 130 communes of 2017 and the
pair Sở Tài nguyên và Môi trường → Keo Lôm, Phì Nhừ, Chiềng Sơ come from the domain data.
See README.md next to this file."""

from __future__ import annotations

import argparse
import bisect
import csv
import datetime as dt
import io
import json
import math
import os
import random
import re
import sys
import time
import unicodedata
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DEFAULT_DOMAIN = REPO.parent / "shared" / "domain"
EMBEDDED = REPO / "Sources" / "GiupXaModels" / "DefaultData" / "EmbeddedCSV.swift"

CATEGORIES = [
    "socio_economic_review", "development_planning", "production_models", "training_technology",
    "poverty_reduction", "education_health_social", "political_system", "security_order",
    "infrastructure", "material_support",
]
PROFILES = ["diligent", "mixed", "gifts", "token", "silent"]
# How many of the 82 agencies get each profile (shuffled over the agencies by the seed).
PROFILE_COUNTS = {"diligent": 16, "mixed": 24, "gifts": 14, "token": 17, "silent": 11}
KINDS = ["so", "ban", "van_phong", "doan_the", "chi_cuc", "don_vi", "luc_luong_vu_trang"]
CSV_HEADER = ["Cơ quan", "Xã", "Huyện", "Vai trò"]
LEAD, SUPPORT = "Chủ trì", "Phối hợp"
VISIT_KEYS = ["id", "commune", "start", "end", "cadres", "plan", "activities", "support", "results",
              "commune_requests"]

# Validation limits (Sources/GiupXaModels/Validation/VisitLimits.swift).
MAX_SHORT, MAX_LONG, MAX_UNIT = 200, 4000, 32
MAX_CADRES, MAX_ACTIVITIES, MAX_SUPPORT = 50, 30, 100
MAX_DAYS, EARLIEST_YEAR, MAX_VND = 60, 2012, 1_000_000_000_000

# Decision 708/QĐ-UBND (domain brief): signed 17/08/2017, renewed the assignments until 2020.
D1 = {"number": "708/QĐ-UBND", "signed_on": dt.date(2017, 8, 17), "from": dt.date(2017, 8, 17),
      "to": dt.date(2020, 12, 31)}
# Decision 2072/QĐ-UBND as it really was: 17/11/2021, for 2021–2025. Used as is when the generated
# range starts in 2021 or later; otherwise moved earlier (see decision_two()).
D2_REAL = {"number": "2072/QĐ-UBND", "signed_on": dt.date(2021, 11, 17), "from": dt.date(2021, 1, 1),
           "to": dt.date(2025, 12, 31)}
STNMT_COMMUNES = ["03376", "03208", "03211"]  # Keo Lôm, Phì Nhừ, Chiềng Sơ (Điện Biên Đông)

# The 15 rural communes (xã) left out of decision 1, so that it covers 101: the two xã of the city
# of Điện Biên Phủ, the xã of the town of Mường Lay, and the lowland rice communes of the Mường
# Thanh valley (huyện Điện Biên), the least "especially difficult" xã of the province.
EXCLUDED_FROM_D1 = ["03144", "03145", "03184", "03322", "03328", "03331", "03334", "03337", "03343",
                    "03346", "03349", "03352", "03355", "03356", "03358"]

# 53 invented (but plausible) provincial agencies, in addition to the 29 of dien-bien-agencies.csv.
INVENTED_AGENCIES = [
    ("SNGV", "Sở Ngoại vụ", "so"),
    ("TTRA", "Thanh tra tỉnh", "so"),
    ("BTCTU", "Ban Tổ chức Tỉnh ủy", "ban"),
    ("BTGTU", "Ban Tuyên giáo Tỉnh ủy", "ban"),
    ("BDVTU", "Ban Dân vận Tỉnh ủy", "ban"),
    ("UBKTTU", "Ủy ban Kiểm tra Tỉnh ủy", "ban"),
    ("BNCTU", "Ban Nội chính Tỉnh ủy", "ban"),
    ("BQLKKT", "Ban Quản lý các khu kinh tế tỉnh", "ban"),
    ("BQLDADD", "Ban Quản lý dự án các công trình dân dụng và công nghiệp tỉnh", "ban"),
    ("BQLDAGT", "Ban Quản lý dự án các công trình giao thông tỉnh", "ban"),
    ("BQLDANN", "Ban Quản lý dự án các công trình nông nghiệp và phát triển nông thôn tỉnh", "ban"),
    ("DUKCCQ", "Đảng ủy Khối các cơ quan tỉnh", "ban"),
    ("DUKDN", "Đảng ủy Khối doanh nghiệp tỉnh", "ban"),
    ("VPTU", "Văn phòng Tỉnh ủy", "van_phong"),
    ("VPHDND", "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân tỉnh", "van_phong"),
    ("HCCB", "Hội Cựu chiến binh tỉnh", "doan_the"),
    ("LMHTX", "Liên minh Hợp tác xã tỉnh", "doan_the"),
    ("HCTD", "Hội Chữ thập đỏ tỉnh", "doan_the"),
    ("LHHKHKT", "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh", "doan_the"),
    ("HVHNT", "Hội Văn học Nghệ thuật tỉnh", "doan_the"),
    ("HNCT", "Hội Người cao tuổi tỉnh", "doan_the"),
    ("HKH", "Hội Khuyến học tỉnh", "doan_the"),
    ("HLG", "Hội Luật gia tỉnh", "doan_the"),
    ("HNB", "Hội Nhà báo tỉnh", "doan_the"),
    ("LHTCHN", "Liên hiệp các tổ chức hữu nghị tỉnh", "doan_the"),
    ("HDY", "Hội Đông y tỉnh", "doan_the"),
    ("HBTNKT", "Hội Bảo trợ người khuyết tật và trẻ mồ côi tỉnh", "doan_the"),
    ("HNNDC", "Hội Nạn nhân chất độc da cam/dioxin tỉnh", "doan_the"),
    ("CCKL", "Chi cục Kiểm lâm", "chi_cuc"),
    ("CCPTNT", "Chi cục Phát triển nông thôn", "chi_cuc"),
    ("CCTL", "Chi cục Thủy lợi", "chi_cuc"),
    ("CCTTBVTV", "Chi cục Trồng trọt và Bảo vệ thực vật", "chi_cuc"),
    ("CCCNTY", "Chi cục Chăn nuôi và Thú y", "chi_cuc"),
    ("CCDSKHHGD", "Chi cục Dân số - Kế hoạch hóa gia đình", "chi_cuc"),
    ("CCTCDLCL", "Chi cục Tiêu chuẩn Đo lường Chất lượng", "chi_cuc"),
    ("KBNN", "Kho bạc Nhà nước tỉnh", "don_vi"),
    ("CTHUE", "Cục Thuế tỉnh", "don_vi"),
    ("CTK", "Cục Thống kê tỉnh", "don_vi"),
    ("BHXH", "Bảo hiểm xã hội tỉnh", "don_vi"),
    ("NHNN", "Ngân hàng Nhà nước chi nhánh tỉnh", "don_vi"),
    ("AGRIBANK", "Chi nhánh Ngân hàng Nông nghiệp và Phát triển nông thôn tỉnh", "don_vi"),
    ("VIETINBANK", "Chi nhánh Ngân hàng TMCP Công thương tỉnh", "don_vi"),
    ("BIDV", "Chi nhánh Ngân hàng TMCP Đầu tư và Phát triển tỉnh", "don_vi"),
    ("PCDB", "Công ty Điện lực Điện Biên", "don_vi"),
    ("VNPTDB", "Viễn thông Điện Biên", "don_vi"),
    ("VIETTELDB", "Viettel Điện Biên", "don_vi"),
    ("BDTINH", "Bưu điện tỉnh Điện Biên", "don_vi"),
    ("DPTTH", "Đài Phát thanh và Truyền hình tỉnh", "don_vi"),
    ("TCT", "Trường Chính trị tỉnh", "don_vi"),
    ("CDNGHE", "Trường Cao đẳng Nghề Điện Biên", "don_vi"),
    ("CDYT", "Trường Cao đẳng Y tế Điện Biên", "don_vi"),
    ("BVDK", "Bệnh viện Đa khoa tỉnh", "don_vi"),
    ("QBVPTR", "Quỹ Bảo vệ và Phát triển rừng tỉnh", "don_vi"),
]

# ---------------------------------------------------------------------------------------------
# Text helpers


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def search_key(s: str) -> str:
    """As VietnameseText.searchKey: lower-case, marks stripped, đ → d, whitespace collapsed."""
    out = "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")
    return " ".join(out.replace("đ", "d").replace("Đ", "d").lower().split())


def vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đ"


def ddmmyyyy(d: dt.date) -> str:
    return d.strftime("%d/%m/%Y")


def parse_dmy(s: str) -> dt.date:
    return dt.datetime.strptime(s, "%d/%m/%Y").date()


def parse_dmy_hm(s: str) -> dt.datetime:
    return dt.datetime.strptime(s, "%d/%m/%Y %H:%M")


# ---------------------------------------------------------------------------------------------
# Domain data


def read_domain(domain: Path | None):
    """Communes and real agencies: from the domain CSVs if present, else from the copy the Swift
    package embeds (Tools/embed-default-data.sh), which has the same content."""
    if domain is None and (DEFAULT_DOMAIN / "dien-bien-communes-2017.csv").exists():
        domain = DEFAULT_DOMAIN
    if domain is not None:
        communes_text = (domain / "dien-bien-communes-2017.csv").read_text(encoding="utf-8-sig")
        agencies_text = (domain / "dien-bien-agencies.csv").read_text(encoding="utf-8-sig")
    else:
        swift = EMBEDDED.read_text(encoding="utf-8")
        blocks = re.findall(r'#"""\n(.*?)\n"""#', swift, re.S)
        communes_text, agencies_text = blocks[0] + "\n", blocks[1] + "\n"
    communes = [{k: nfc(v) for k, v in row.items()} for row in csv.DictReader(io.StringIO(communes_text))]
    agencies = [{k: nfc(v) for k, v in row.items()} for row in csv.DictReader(io.StringIO(agencies_text))]
    return communes, agencies


# ---------------------------------------------------------------------------------------------
# Names, villages, positions

SURNAMES = {
    "kinh": ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Đặng", "Ngô", "Đinh", "Dương", "Phan", "Hà", "Cao"],
    "thai": ["Lò", "Quàng", "Lường", "Cầm", "Điêu", "Tòng", "Khoàng", "Bạc", "Vì", "Lừ", "Lò", "Quàng"],
    "hmong": ["Giàng", "Vàng", "Sùng", "Mùa", "Thào", "Lý", "Hờ", "Lầu", "Cứ", "Chá", "Vừ"],
}
MIDDLE = {
    ("kinh", "m"): ["Văn", "Đức", "Minh", "Quang", "Hữu", "Thanh", "Mạnh", "Xuân", "Tiến", "Ngọc"],
    ("kinh", "f"): ["Thị", "Thu", "Ngọc", "Thanh", "Thị Thu", "Thị Hồng", "Minh"],
    ("thai", "m"): ["Văn", "Văn", "Văn", "Xuân", "Đình"],
    ("thai", "f"): ["Thị", "Thị", "Thị"],
    ("hmong", "m"): ["A", "A", "Văn", "Seo"],
    ("hmong", "f"): ["Thị", "Thị", "Y"],
}
GIVEN = {
    ("kinh", "m"): ["Anh", "Dũng", "Hải", "Huy", "Long", "Nam", "Quân", "Sơn", "Thành", "Tuấn", "Việt", "Hưng", "Cường", "Khánh", "Tùng", "Đạt", "Bình", "Phúc", "Trung", "Hiếu"],
    ("kinh", "f"): ["Hương", "Lan", "Hà", "Hằng", "Huyền", "Linh", "Nga", "Phương", "Thủy", "Trang", "Yến", "Nhung", "Hạnh", "Mai", "Thảo", "Dung"],
    ("thai", "m"): ["Minh", "Thắng", "Tuấn", "Hùng", "Xôm", "Ún", "Sướng", "Pánh", "Chăn", "Hặc", "Khum", "Inh", "Thiêm", "Pâng", "Chiến", "Sơn", "Duẩn", "Hoan"],
    ("thai", "f"): ["Mai", "Pọm", "Bun", "Ín", "Xuân", "Hương", "Lả", "Tiên", "Ngọc", "Lả", "Piếng", "Oanh", "Hoa", "Thoa"],
    ("hmong", "m"): ["Páo", "Chứ", "Dơ", "Sềnh", "Lử", "Tủa", "Cở", "Sính", "Vừ", "Chính", "Dình", "Thái", "Sang", "Phừ", "Chang"],
    ("hmong", "f"): ["Dợ", "Mỷ", "Mai", "Sua", "Chơ", "Dua", "Súa", "Pà", "Dê", "Cở"],
}

# Positions per kind: (head, deputy, middle, junior). "{d}" is one of the agency's departments.
POSITIONS = {
    "so": (["Giám đốc Sở"], ["Phó Giám đốc Sở"],
           ["Chánh Văn phòng Sở", "Trưởng phòng {d}", "Phó Trưởng phòng {d}", "Chánh Thanh tra Sở"],
           ["Chuyên viên phòng {d}", "Chuyên viên chính", "Chuyên viên", "Cán bộ kỹ thuật"]),
    "ban": (["Trưởng ban"], ["Phó Trưởng ban"],
            ["Chánh Văn phòng Ban", "Trưởng phòng {d}", "Phó Trưởng phòng {d}"],
            ["Chuyên viên", "Chuyên viên phòng {d}", "Cán bộ"]),
    "van_phong": (["Chánh Văn phòng"], ["Phó Chánh Văn phòng"],
                  ["Trưởng phòng {d}", "Phó Trưởng phòng {d}"],
                  ["Chuyên viên", "Chuyên viên phòng {d}"]),
    "doan_the": (["Chủ tịch"], ["Phó Chủ tịch"],
                 ["Trưởng ban {d}", "Phó Trưởng ban {d}", "Chánh Văn phòng"],
                 ["Cán bộ ban {d}", "Cán bộ chuyên trách", "Chuyên viên"]),
    "chi_cuc": (["Chi cục trưởng"], ["Phó Chi cục trưởng"],
                ["Trưởng phòng {d}", "Phó Trưởng phòng {d}"],
                ["Kỹ thuật viên", "Cán bộ kỹ thuật", "Chuyên viên"]),
    "don_vi": (["Giám đốc"], ["Phó Giám đốc"],
               ["Trưởng phòng {d}", "Phó Trưởng phòng {d}"],
               ["Chuyên viên", "Nhân viên phòng {d}", "Cán bộ"]),
    "luc_luong_vu_trang": (["Đại tá, Chỉ huy trưởng"], ["Đại tá, Phó Chỉ huy trưởng", "Thượng tá, Phó Chính ủy"],
                           ["Trung tá, Trưởng phòng {d}", "Thiếu tá, Phó Trưởng phòng {d}"],
                           ["Đại úy, Trợ lý {d}", "Thượng úy, cán bộ {d}", "Trung úy, cán bộ {d}"]),
}
POSITION_OVERRIDES = {
    "CAT": (["Đại tá, Giám đốc Công an tỉnh"], ["Đại tá, Phó Giám đốc Công an tỉnh"],
            ["Trung tá, Trưởng phòng {d}", "Thiếu tá, Phó Trưởng phòng {d}"],
            ["Đại úy, cán bộ phòng {d}", "Thượng úy, cán bộ phòng {d}"]),
    "BDBP": (["Đại tá, Chỉ huy trưởng"], ["Đại tá, Phó Chỉ huy trưởng", "Đại tá, Phó Chính ủy"],
             ["Trung tá, Đồn trưởng Đồn Biên phòng", "Thiếu tá, Trưởng phòng {d}"],
             ["Đại úy, Đội trưởng Đội vận động quần chúng", "Thượng úy, cán bộ vận động quần chúng"]),
    "TDOAN": (["Bí thư Tỉnh đoàn"], ["Phó Bí thư Tỉnh đoàn"], ["Trưởng ban {d}", "Phó Trưởng ban {d}"],
              ["Cán bộ Tỉnh đoàn", "Cán bộ ban {d}"]),
    "MTTQ": (["Chủ tịch Ủy ban MTTQ tỉnh"], ["Phó Chủ tịch Ủy ban MTTQ tỉnh"], ["Trưởng ban {d}", "Phó Trưởng ban {d}"],
             ["Cán bộ ban {d}", "Chuyên viên"]),
    "UBKTTU": (["Chủ nhiệm Ủy ban Kiểm tra Tỉnh ủy"], ["Phó Chủ nhiệm Ủy ban Kiểm tra Tỉnh ủy"],
               ["Trưởng phòng {d}"], ["Kiểm tra viên", "Kiểm tra viên chính"]),
    "DUKCCQ": (["Bí thư Đảng ủy Khối"], ["Phó Bí thư Đảng ủy Khối"], ["Trưởng ban {d}"], ["Chuyên viên"]),
    "DUKDN": (["Bí thư Đảng ủy Khối"], ["Phó Bí thư Đảng ủy Khối"], ["Trưởng ban {d}"], ["Chuyên viên"]),
    "TTRA": (["Chánh Thanh tra tỉnh"], ["Phó Chánh Thanh tra tỉnh"], ["Trưởng phòng {d}"],
             ["Thanh tra viên", "Thanh tra viên chính"]),
    "CDSP": (["Hiệu trưởng"], ["Phó Hiệu trưởng"], ["Trưởng khoa {d}", "Trưởng phòng Đào tạo"], ["Giảng viên khoa {d}", "Giảng viên"]),
    "CDNGHE": (["Hiệu trưởng"], ["Phó Hiệu trưởng"], ["Trưởng khoa {d}", "Trưởng phòng Đào tạo"], ["Giáo viên khoa {d}", "Giáo viên"]),
    "CDYT": (["Hiệu trưởng"], ["Phó Hiệu trưởng"], ["Trưởng khoa {d}"], ["Giảng viên khoa {d}", "Giảng viên"]),
    "TCT": (["Hiệu trưởng"], ["Phó Hiệu trưởng"], ["Trưởng khoa {d}"], ["Giảng viên khoa {d}"]),
    "BVDK": (["Giám đốc Bệnh viện"], ["Phó Giám đốc Bệnh viện"], ["Trưởng khoa {d}", "Phó Trưởng khoa {d}"],
             ["Bác sĩ khoa {d}", "Điều dưỡng", "Dược sĩ"]),
    "BAODBP": (["Tổng Biên tập"], ["Phó Tổng Biên tập"], ["Trưởng ban {d}"], ["Phóng viên", "Phóng viên ban {d}"]),
    "DPTTH": (["Giám đốc Đài"], ["Phó Giám đốc Đài"], ["Trưởng phòng {d}"], ["Phóng viên", "Biên tập viên", "Quay phim"]),
    "CTHUE": (["Cục trưởng"], ["Phó Cục trưởng"], ["Trưởng phòng {d}"], ["Công chức phòng {d}", "Chuyên viên"]),
    "CTK": (["Cục trưởng"], ["Phó Cục trưởng"], ["Trưởng phòng {d}"], ["Thống kê viên", "Chuyên viên"]),
    "LDLD": (["Chủ tịch Liên đoàn Lao động tỉnh"], ["Phó Chủ tịch"], ["Trưởng ban {d}"], ["Cán bộ ban {d}"]),
}
DEPARTMENTS = {
    "STNMT": ["Đất đai", "Tài nguyên nước và Khoáng sản", "Môi trường"],
    "SNNPTNT": ["Kế hoạch - Tài chính", "Quản lý xây dựng công trình", "Tổ chức cán bộ"],
    "SYT": ["Nghiệp vụ Y", "Nghiệp vụ Dược", "Kế hoạch - Tài chính"],
    "SGDDT": ["Giáo dục Tiểu học", "Giáo dục Trung học", "Giáo dục Dân tộc"],
    "SLDTBXH": ["Bảo trợ xã hội", "Lao động - Việc làm", "Người có công"],
    "SKHDT": ["Tổng hợp, Quy hoạch", "Kinh tế ngành", "Đăng ký kinh doanh"],
    "STC": ["Quản lý ngân sách", "Tài chính đầu tư", "Quản lý giá và Công sản"],
    "SGTVT": ["Quản lý kết cấu hạ tầng giao thông", "Kế hoạch - Tài chính"],
    "SXD": ["Quy hoạch - Kiến trúc", "Quản lý xây dựng"],
    "STTTT": ["Bưu chính - Viễn thông", "Thông tin - Báo chí - Xuất bản"],
    "SVHTTDL": ["Quản lý Văn hóa", "Quản lý Thể dục thể thao", "Quản lý Du lịch"],
    "SNV": ["Xây dựng chính quyền và công tác thanh niên", "Tổ chức - Biên chế"],
    "STP": ["Phổ biến, giáo dục pháp luật", "Hành chính tư pháp"],
    "SCT": ["Quản lý thương mại", "Quản lý năng lượng"],
    "SKHCN": ["Quản lý khoa học", "Quản lý công nghệ và chuyên ngành"],
    "SNGV": ["Lãnh sự", "Quản lý biên giới"],
    "CAT": ["An ninh nội địa", "Cảnh sát điều tra tội phạm về ma túy", "Xây dựng phong trào bảo vệ an ninh Tổ quốc"],
    "BCHQS": ["Tham mưu", "Chính trị", "Hậu cần"],
    "BDBP": ["Tham mưu", "Chính trị", "Trinh sát"],
    "BVDK": ["Nội", "Nhi", "Khám bệnh"],
    "CDSP": ["Tiểu học - Mầm non", "Tự nhiên"],
    "CDNGHE": ["Nông lâm", "Điện - Cơ khí"],
    "CDYT": ["Điều dưỡng", "Y học cộng đồng"],
    "TCT": ["Xây dựng Đảng", "Dân vận"],
    "BAODBP": ["Phóng viên", "Báo điện tử"],
    "CCKL": ["Quản lý bảo vệ rừng", "Sử dụng và phát triển rừng"],
    "NHCSXH": ["Kế hoạch - Nghiệp vụ tín dụng", "Hành chính - Tổ chức"],
    "AGRIBANK": ["Khách hàng cá nhân", "Tổng hợp"],
}
DEFAULT_DEPARTMENTS = {
    "so": ["Kế hoạch - Tài chính", "Tổng hợp", "Nghiệp vụ"],
    "ban": ["Tổng hợp", "Chính sách", "Kế hoạch"],
    "van_phong": ["Hành chính - Tổ chức", "Tổng hợp", "Quản trị - Tài vụ"],
    "doan_the": ["Tổ chức - Kiểm tra", "Kinh tế - Xã hội", "Tuyên giáo"],
    "chi_cuc": ["Kỹ thuật", "Hành chính - Tổng hợp"],
    "don_vi": ["Tổng hợp", "Kế hoạch - Kinh doanh", "Hành chính - Nhân sự"],
    "luc_luong_vu_trang": ["Tham mưu", "Chính trị", "Dân vận"],
}

# Village (bản) syllables: Thái names in the valleys, H'Mông names in the highlands.
THAI_A = ["Huổi", "Nậm", "Nà", "Pá", "Hua", "Co", "Phiêng", "Pú", "Na", "Tà", "Xá", "Hát", "Bó", "Noong", "Púng", "Kéo", "Lọng", "Mường", "Huổi", "Nà"]
THAI_B = ["Sang", "Khoang", "Lếch", "Pết", "Luông", "Mứn", "Chan", "Cáy", "Thanh", "Hẹ", "Ban", "Cọ", "Dên", "Hỏm", "Mòn", "Nọi", "Pao", "Sản", "Tạng", "Un", "Xôm", "Cang", "Ten", "Pục", "Củ", "Bon", "Lếnh", "Hịa"]
HMONG_A = ["Háng", "Sáng", "Tìa", "Pa", "Sín", "Lồng", "Phì", "Lao", "Xà", "Chua", "Tả", "Pờ", "Dề", "Hồ", "Sì", "Xín", "Ma", "Chống"]
HMONG_B = ["Tàu", "Lìa", "Dình", "Sua", "Chải", "Phình", "Páo", "Chô", "Xá", "Cáy", "Lử", "Dào", "Sông", "Mý", "Pao", "Khư", "Thàng", "Chua", "Tờ", "Lềnh", "Chang", "Dê", "Sán", "Ngài"]
HMONG_DISTRICTS = {"096", "103", "098", "101", "097"}  # Mường Nhé, Nậm Pồ, Tủa Chùa, Điện Biên Đông, Mường Chà

# ---------------------------------------------------------------------------------------------
# Activity, plan, result and request texts. Placeholders: {b} {b2} villages, {x} commune,
# {n} {m} {k} numbers, {crop} {tree} {animal} {topic} {field} {ha} {km} {y} {y1} {p0} {y2} {term} {season}.

ACTIVITIES = {
    "socio_economic_review": [
        ("Rà soát {n} hộ nghèo, cận nghèo tại bản {b}, cập nhật thông tin thu nhập, nhà ở và nước sinh hoạt",
         "Đã rà soát xong {n} hộ bản {b}; xác định {m} hộ nghèo, {k} hộ cận nghèo"),
        ("Phối hợp UBND xã điều tra, phân loại hộ nghèo năm {y} tại các bản {b}, {b2}",
         "Hoàn thành phiếu điều tra {n} hộ, gửi UBND xã tổng hợp báo cáo huyện"),
        ("Thu thập số liệu kinh tế - xã hội của xã {x}: dân số, diện tích lúa nương, đàn gia súc",
         "Đã cập nhật bộ số liệu kinh tế - xã hội năm {y} của xã"),
        ("Cập nhật danh sách hộ thoát nghèo và hộ tái nghèo, tìm hiểu nguyên nhân tái nghèo tại bản {b}",
         "{m} hộ thoát nghèo, {k} hộ tái nghèo do thiếu đất sản xuất và ốm đau"),
        ("Khảo sát đời sống {n} hộ đồng bào dân tộc thiểu số bản {b}",
         "Nắm được hoàn cảnh {n} hộ; {k} hộ thiếu đói giáp hạt cần hỗ trợ gạo"),
        ("Rà soát các tiêu chí nông thôn mới xã {x} đã đạt và chưa đạt",
         "Xã đạt {k}/19 tiêu chí; đã chỉ ra các tiêu chí có thể đạt trong năm {y1}"),
    ],
    "development_planning": [
        ("Làm việc với Đảng ủy, UBND xã {x} về định hướng phát triển kinh tế - xã hội giai đoạn {p0}–{y2}",
         "Thống nhất các định hướng chính, xã hoàn thiện dự thảo trình Đảng ủy"),
        ("Góp ý dự thảo đề án xây dựng nông thôn mới xã {x} gắn với quy hoạch của huyện",
         "Xã tiếp thu {k} nội dung góp ý, chỉnh sửa đề án"),
        ("Hướng dẫn xã xây dựng kế hoạch phát triển kinh tế - xã hội năm {y1}",
         "Cán bộ xã nắm được khung kế hoạch và các chỉ tiêu chủ yếu"),
        ("Rà soát quy hoạch sử dụng đất, bố trí đất sản xuất cho các hộ bản {b}",
         "Xác định {ha} ha đất có thể giao cho {k} hộ thiếu đất sản xuất"),
        ("Tư vấn lộ trình đạt tiêu chí thu nhập và hộ nghèo theo Bộ tiêu chí quốc gia về nông thôn mới",
         "Xã thống nhất lộ trình thực hiện đến năm {y2}"),
        ("Khảo sát quỹ đất để quy hoạch điểm dân cư tập trung bản {b}",
         "Đề xuất vị trí điểm dân cư mới, báo cáo UBND huyện"),
    ],
    "production_models": [
        ("Hỗ trợ mô hình trồng {crop} cho {n} hộ bản {b}",
         "{n} hộ tham gia, diện tích {ha} ha đã xuống giống"),
        ("Kiểm tra mô hình chăn nuôi {animal} sinh sản tại bản {b}, hướng dẫn phòng bệnh",
         "Đàn {animal} phát triển tốt, {k} hộ đã có con giống luân chuyển"),
        ("Triển khai mô hình trồng {tree} trên đất dốc, diện tích {ha} ha",
         "Trồng xong {ha} ha {tree}, tỷ lệ cây sống ước đạt {p}%"),
        ("Hướng dẫn kỹ thuật thâm canh lúa ruộng bậc thang {season} tại bản {b}",
         "{n} hộ áp dụng, năng suất dự kiến tăng {p}% so với vụ trước"),
        ("Đánh giá hiệu quả mô hình nuôi cá ao kết hợp trồng cỏ chăn nuôi tại bản {b}",
         "Mô hình cho thu nhập khá, đề xuất nhân rộng cho {k} hộ"),
        ("Vận động {n} hộ tham gia tổ hợp tác trồng {tree}",
         "Thành lập tổ hợp tác gồm {n} hộ, bầu tổ trưởng"),
    ],
    "training_technology": [
        ("Mở lớp tập huấn kỹ thuật {topic} cho {n} người dân bản {b}",
         "{n} lượt người tham dự, phần lớn nắm được kỹ thuật cơ bản"),
        ("Chuyển giao quy trình kỹ thuật {topic} cho cán bộ khuyến nông xã",
         "Cán bộ khuyến nông xã được cấp tài liệu và thực hành tại bản {b}"),
        ("Tổ chức hội nghị đầu bờ về {topic} tại bản {b}",
         "{n} hộ dự hội nghị, {k} hộ đăng ký áp dụng"),
        ("Hướng dẫn {n} hộ ứng dụng {topic}",
         "{k} hộ đã áp dụng ngay tại gia đình"),
        ("Tập huấn sử dụng dịch vụ công trực tuyến cho cán bộ một cửa và trưởng bản",
         "{n} cán bộ được hướng dẫn, xã thành lập tổ công nghệ số cộng đồng"),
    ],
    "poverty_reduction": [
        ("Khảo sát, đề xuất dự án nước sinh hoạt tập trung cho bản {b}",
         "Đã đo đạc nguồn nước, lập đề xuất gửi UBND huyện"),
        ("Hướng dẫn {n} hộ nghèo lập hồ sơ vay vốn Ngân hàng Chính sách xã hội",
         "{n} hộ hoàn thiện hồ sơ, tổng nhu cầu vay {loan}"),
        ("Kết nối doanh nghiệp bao tiêu sản phẩm {crop} cho bà con bản {b}",
         "Doanh nghiệp cam kết thu mua, ký biên bản ghi nhớ với {k} hộ"),
        ("Rà soát nhu cầu hỗ trợ nhà ở cho {n} hộ nghèo bản {b}",
         "Lập danh sách {k} hộ ưu tiên hỗ trợ làm nhà năm {y1}"),
        ("Tư vấn, giới thiệu việc làm cho {n} lao động trẻ đi làm tại các khu công nghiệp",
         "{k} lao động đăng ký tham gia tuyển dụng"),
        ("Đề xuất danh mục công trình đầu tư năm {y1} từ Chương trình mục tiêu quốc gia giảm nghèo bền vững",
         "Thống nhất {k} công trình ưu tiên, xã gửi huyện tổng hợp"),
        ("Hỗ trợ xây dựng phương án thoát nghèo cho {n} hộ bản {b}",
         "Mỗi hộ có phương án sản xuất cụ thể, cán bộ Sở theo dõi định kỳ"),
    ],
    "education_health_social": [
        ("Phối hợp trạm y tế xã khám bệnh, cấp thuốc miễn phí cho {n} người dân",
         "{n} lượt người được khám, cấp thuốc trị giá {amount}"),
        ("Kiểm tra điều kiện ăn, ở của học sinh bán trú điểm trường bản {b}",
         "Đề nghị bổ sung chăn, màn và sửa bếp ăn cho {k} học sinh"),
        ("Vận động học sinh bỏ học ở bản {b} trở lại lớp",
         "{k} em đã trở lại trường"),
        ("Tuyên truyền phòng chống tảo hôn và hôn nhân cận huyết thống tại bản {b}",
         "{n} người dự buổi tuyên truyền, bản đưa nội dung vào hương ước"),
        ("Tuyên truyền tiêm chủng mở rộng và vệ sinh môi trường tại bản {b}",
         "{k} hộ cam kết làm nhà tiêu hợp vệ sinh"),
        ("Rà soát đối tượng bảo trợ xã hội, hướng dẫn thủ tục hưởng trợ cấp",
         "Bổ sung {k} đối tượng vào danh sách hưởng trợ cấp hằng tháng"),
        ("Thăm hỏi gia đình chính sách, người có công với cách mạng tại xã {x}",
         "Thăm {k} gia đình, nắm tâm tư nguyện vọng"),
    ],
    "political_system": [
        ("Trao đổi kinh nghiệm với cán bộ chuyên môn UBND xã về {field}",
         "Cán bộ xã nắm được quy trình, thống nhất lịch làm việc lần sau"),
        ("Dự sinh hoạt chi bộ bản {b}, hướng dẫn nội dung sinh hoạt chuyên đề",
         "Chi bộ bản xây dựng được kế hoạch sinh hoạt chuyên đề quý"),
        ("Góp ý công tác quy hoạch cán bộ xã nhiệm kỳ {term}",
         "Xã bổ sung {k} cán bộ trẻ, cán bộ nữ vào danh sách quy hoạch"),
        ("Hướng dẫn xã nghiệp vụ {field}",
         "Khắc phục được các tồn tại trong hồ sơ, sổ sách của xã"),
        ("Bồi dưỡng kỹ năng cho trưởng bản, bí thư chi bộ {k} bản",
         "{n} người tham dự, được phát tài liệu song ngữ"),
        ("Làm việc với Mặt trận và các đoàn thể xã về quy chế phối hợp",
         "Các đoàn thể xã thống nhất sửa đổi quy chế phối hợp"),
    ],
    "security_order": [
        ("Phối hợp Công an xã tuyên truyền phòng chống ma túy, mua bán người tại bản {b}",
         "{n} người dân dự, {k} hộ ký cam kết không vi phạm"),
        ("Nắm tình hình an ninh nông thôn, tình hình di cư tự do tại bản {b}",
         "Tình hình ổn định; phát hiện {k} hộ di cư tự do, báo cáo huyện"),
        ("Hòa giải tranh chấp đất nương giữa {k} hộ bản {b}",
         "Hòa giải thành, các hộ ký biên bản thống nhất ranh giới"),
        ("Tuyên truyền pháp luật về tín ngưỡng, tôn giáo và phòng chống tà đạo tại bản {b}",
         "{n} người dự, không phát sinh vụ việc phức tạp"),
        ("Hướng dẫn xây dựng mô hình bản an toàn về an ninh trật tự tại bản {b}",
         "Bản {b} đăng ký xây dựng mô hình trong năm {y1}"),
    ],
    "infrastructure": [
        ("Khảo sát tuyến đường từ trung tâm xã đến bản {b} dài {km} km, đề xuất lồng ghép vốn Chương trình 135",
         "Lập hồ sơ đề xuất đầu tư, dự toán sơ bộ {amount}"),
        ("Kiểm tra tiến độ xây dựng nhà văn hóa bản {b}",
         "Công trình đạt khoảng {p}% khối lượng"),
        ("Hỗ trợ xi măng làm đường bê tông nội bản {b}, nhân dân góp ngày công",
         "Hoàn thành {km} km đường bê tông nội bản"),
        ("Khảo sát, đề xuất sửa chữa công trình thủy lợi, kênh mương bản {b}",
         "Đề xuất sửa chữa {km} km kênh mương, tưới cho {ha} ha lúa"),
        ("Vận động nguồn xã hội hóa xây dựng phòng học điểm trường bản {b}",
         "Vận động được {amount} từ các doanh nghiệp"),
        ("Khảo sát lưới điện, đề nghị kéo điện về bản {b}",
         "Ngành điện ghi nhận, đưa vào danh mục đầu tư năm {y1}"),
    ],
}
MATERIAL_DESCRIPTIONS = [
    "Trao quà cho hộ nghèo bản {b}", "Trao quà hỗ trợ gia đình chính sách và hộ có hoàn cảnh khó khăn",
    "Trao quà của {agency} cho nhân dân bản {b}", "Trao hỗ trợ cho xã {x}",
]
CHILDREN_ITEMS = {"Áo ấm trẻ em", "Sách vở", "Cặp sách", "Xe đạp cho học sinh nghèo vượt khó", "Quà thiếu nhi ngày 1/6",
                  "Bánh kẹo, đèn Trung thu"}
CHILDREN_DESCRIPTIONS = ["Tặng quà cho học sinh điểm trường bản {b}", "Tặng quà cho thiếu nhi bản {b}",
                         "Trao quà cho học sinh bán trú trường xã {x}"]
PLAN_INTENT = {
    "socio_economic_review": "rà soát hộ nghèo, cận nghèo và số liệu kinh tế - xã hội",
    "development_planning": "góp ý định hướng phát triển, kế hoạch nông thôn mới của xã",
    "production_models": "hỗ trợ, kiểm tra mô hình sản xuất nông lâm nghiệp",
    "training_technology": "tập huấn, chuyển giao kỹ thuật cho người dân",
    "poverty_reduction": "đề xuất dự án, phương án giảm nghèo",
    "education_health_social": "công tác giáo dục, y tế, an sinh xã hội",
    "political_system": "củng cố hệ thống chính trị cơ sở",
    "security_order": "nắm tình hình an ninh trật tự",
    "infrastructure": "khảo sát, lồng ghép nguồn vốn cho hạ tầng",
    "material_support": "thăm hỏi, trao quà",
}
CROPS = ["ngô lai", "lúa nương giống mới", "đậu tương", "rau an toàn", "lạc", "dong riềng"]
TREES = ["sơn tra", "mắc ca", "cà phê", "thảo quả", "sa nhân dưới tán rừng", "quế", "chè Shan tuyết", "cây ăn quả có múi"]
ANIMALS = ["lợn đen", "dê", "bò", "gà đen", "trâu", "vịt bầu"]
TOPICS = ["ủ phân hữu cơ vi sinh", "trồng và chăm sóc {tree}", "tiêm phòng cho gia súc, gia cầm",
          "làm chuồng trại hợp vệ sinh", "ghép cải tạo vườn cây ăn quả", "sử dụng thuốc bảo vệ thực vật an toàn",
          "chế biến thức ăn chăn nuôi từ phụ phẩm nông nghiệp", "phòng chống đói, rét cho trâu bò"]
FIELDS = ["quản lý ngân sách xã", "lưu trữ hồ sơ", "cải cách thủ tục hành chính", "hồ sơ đất đai",
          "soạn thảo văn bản", "hộ tịch, chứng thực", "thống kê, báo cáo"]
REQUESTS = [
    "Đề nghị hỗ trợ kinh phí sửa chữa đường vào bản {b}",
    "Xin hỗ trợ xây dựng bể nước sinh hoạt tập trung cho bản {b}",
    "Đề nghị mở lớp tập huấn trồng {tree}",
    "Đề nghị hỗ trợ giống {animal} cho các hộ nghèo",
    "Xin hỗ trợ xi măng làm nhà văn hóa bản {b}",
    "Đề nghị kéo điện lưới quốc gia về bản {b}",
    "Xin hỗ trợ máy tính cho bộ phận một cửa UBND xã",
    "Đề nghị quan tâm bố trí vốn làm kênh mương bản {b}",
    "Xin hỗ trợ chăn, áo ấm cho học sinh bán trú",
    "Đề nghị hỗ trợ đo đạc, cấp giấy chứng nhận quyền sử dụng đất cho các hộ bản {b}",
    "Đề nghị tăng cường cán bộ xuống giúp xã hoàn thiện hồ sơ nông thôn mới",
    "Xin hỗ trợ sửa chữa phòng học điểm trường bản {b} bị hư hỏng do mưa lũ",
    "Đề nghị hỗ trợ khắc phục sạt lở trên tuyến đường {b} – {b2}",
    "Đề nghị hỗ trợ gạo cứu đói giáp hạt cho {k} hộ",
    "Xin hỗ trợ loa truyền thanh cho các bản vùng sâu",
]
# (item, unit, unit price range in VND, quantity range, seasons it fits: tet, winter, school, children, midautumn, any)
SUPPORT_ITEMS = [  # (item, unit, unit price range VND, quantity range, seasons, how common)
    ("Chăn ấm", "chiếc", (180_000, 250_000), (10, 60), {"winter", "tet"}, 3),
    ("Áo ấm trẻ em", "chiếc", (120_000, 180_000), (20, 100), {"winter", "tet"}, 3),
    ("Quà Tết (gạo, bánh chưng, dầu ăn)", "suất", (300_000, 700_000), (10, 40), {"tet"}, 3),
    ("Quà Tết", "suất", (500_000, 500_000), (10, 40), {"tet"}, 3),
    ("Gạo", "kg", (14_000, 18_000), (100, 1_000), {"tet", "winter", "any"}, 2),
    ("Máy lọc nước", "chiếc", (4_500_000, 7_000_000), (1, 2), {"any", "school"}, 1),
    ("Sách vở", "bộ", (60_000, 120_000), (30, 150), {"school"}, 3),
    ("Cặp sách", "chiếc", (100_000, 150_000), (20, 100), {"school"}, 2),
    ("Xe đạp cho học sinh nghèo vượt khó", "chiếc", (1_500_000, 2_200_000), (2, 10), {"school"}, 1),
    ("Tủ sách dùng chung", "bộ", (3_000_000, 5_000_000), (1, 1), {"school", "any"}, 0.5),
    ("Ti vi cho nhà văn hóa bản", "chiếc", (6_000_000, 9_000_000), (1, 1), {"any"}, 0.3),
    ("Bộ loa truyền thanh", "bộ", (8_000_000, 15_000_000), (1, 1), {"any"}, 0.3),
    ("Máy tính để bàn", "bộ", (12_000_000, 15_000_000), (1, 2), {"any"}, 0.2),
    ("Giống ngô lai", "kg", (90_000, 130_000), (50, 300), {"any"}, 1),
    ("Phân bón NPK", "kg", (8_000, 12_000), (200, 1_000), {"any"}, 1),
    ("Lợn giống", "con", (1_200_000, 2_000_000), (5, 20), {"any"}, 0.6),
    ("Dê giống", "con", (2_500_000, 3_500_000), (5, 10), {"any"}, 0.4),
    ("Gà giống", "con", (30_000, 50_000), (100, 500), {"any"}, 1),
    ("Cây giống mắc ca", "cây", (25_000, 40_000), (200, 1_000), {"any"}, 0.6),
    ("Cây giống sơn tra", "cây", (15_000, 25_000), (300, 2_000), {"any"}, 0.6),
    ("Xi măng", "bao", (80_000, 95_000), (50, 300), {"any"}, 0.8),
    ("Tôn lợp", "tấm", (120_000, 180_000), (20, 100), {"any", "winter"}, 0.5),
    ("Quà thiếu nhi ngày 1/6", "suất", (50_000, 150_000), (30, 200), {"children"}, 3),
    ("Bánh kẹo, đèn Trung thu", "suất", (50_000, 100_000), (50, 250), {"midautumn"}, 3),
    ("Quần áo đã qua sử dụng", "bộ", (20_000, 40_000), (50, 300), {"winter", "any"}, 1.5),
    ("Tiền mặt hỗ trợ hộ nghèo", "suất", (500_000, 1_000_000), (5, 20), {"tet", "any"}, 1),
    ("Nhà Đại đoàn kết", "căn", (40_000_000, 60_000_000), (1, 1), {"any"}, 0.05),
    ("Màn chống muỗi", "chiếc", (60_000, 90_000), (50, 200), {"any"}, 1),
]
# Categories an agency works on most (weight ×4); others get weight 1.
SPECIALTIES = {
    "STNMT": ["socio_economic_review", "development_planning"], "SLDTBXH": ["poverty_reduction", "education_health_social"],
    "SCT": ["poverty_reduction", "infrastructure"], "STTTT": ["training_technology", "political_system"],
    "SKHCN": ["training_technology", "production_models"], "SKHDT": ["development_planning", "poverty_reduction"],
    "STC": ["infrastructure", "development_planning"], "SNNPTNT": ["production_models", "training_technology"],
    "SGDDT": ["education_health_social"], "SYT": ["education_health_social"], "SNV": ["political_system"],
    "STP": ["political_system", "security_order"], "SXD": ["infrastructure", "development_planning"],
    "SGTVT": ["infrastructure"], "SVHTTDL": ["education_health_social"], "BDT": ["socio_economic_review", "poverty_reduction"],
    "VPUBND": ["development_planning"], "TDOAN": ["education_health_social", "infrastructure"], "LDLD": ["poverty_reduction"],
    "HND": ["production_models", "training_technology"], "HLHPN": ["education_health_social", "poverty_reduction"],
    "MTTQ": ["political_system", "poverty_reduction"], "CCQLTT": ["security_order"], "CDSP": ["education_health_social"],
    "BAODBP": ["political_system"], "BCHQS": ["security_order", "infrastructure"], "BDBP": ["security_order"],
    "CAT": ["security_order"], "NHCSXH": ["poverty_reduction"], "SNGV": ["security_order"], "TTRA": ["political_system"],
    "BTCTU": ["political_system"], "BTGTU": ["political_system"], "BDVTU": ["political_system", "security_order"],
    "UBKTTU": ["political_system"], "BNCTU": ["security_order", "political_system"], "BQLKKT": ["poverty_reduction"],
    "BQLDADD": ["infrastructure"], "BQLDAGT": ["infrastructure"], "BQLDANN": ["infrastructure", "production_models"],
    "VPTU": ["political_system"], "VPHDND": ["development_planning"], "HCCB": ["security_order", "production_models"],
    "LMHTX": ["production_models"], "HCTD": ["education_health_social"], "LHHKHKT": ["training_technology"],
    "HKH": ["education_health_social"], "HLG": ["security_order"], "CCKL": ["production_models", "security_order"],
    "CCPTNT": ["production_models", "development_planning"], "CCTL": ["infrastructure"],
    "CCTTBVTV": ["training_technology", "production_models"], "CCCNTY": ["production_models", "training_technology"],
    "CCDSKHHGD": ["education_health_social"], "KBNN": ["political_system"], "CTK": ["socio_economic_review"],
    "BHXH": ["education_health_social"], "AGRIBANK": ["poverty_reduction"], "PCDB": ["infrastructure"],
    "VNPTDB": ["infrastructure", "training_technology"], "VIETTELDB": ["infrastructure", "training_technology"],
    "DPTTH": ["political_system"], "TCT": ["political_system"], "CDNGHE": ["training_technology", "poverty_reduction"],
    "CDYT": ["education_health_social"], "BVDK": ["education_health_social"], "QBVPTR": ["production_models"],
}

# Lunar new year's day (Tết Nguyên đán), 2012–2031.
TET = [dt.date(*d) for d in [(2012, 1, 23), (2013, 2, 10), (2014, 1, 31), (2015, 2, 19), (2016, 2, 8), (2017, 1, 28),
                             (2018, 2, 16), (2019, 2, 5), (2020, 1, 25), (2021, 2, 12), (2022, 2, 1), (2023, 1, 22),
                             (2024, 2, 10), (2025, 1, 29), (2026, 2, 17), (2027, 2, 6), (2028, 1, 26), (2029, 2, 13),
                             (2030, 2, 3), (2031, 1, 23)]]
MONTH_WEIGHT = {1: 1.0, 2: 0.6, 3: 1.2, 4: 1.2, 5: 1.1, 6: 0.8, 7: 0.55, 8: 0.7, 9: 1.0, 10: 1.2, 11: 1.2, 12: 1.1}
WEEKDAY_WEIGHT = [1.0, 1.0, 1.0, 1.0, 0.9, 0.25, 0.08]  # Monday … Sunday

# Visits per year to a commune the agency leads (supporting: × SUPPORT_RATE), before --scale.
PROFILE_RATE = {"diligent": 56, "mixed": 40, "gifts": 28, "token": 5, "silent": 36}
SUPPORT_RATE = 0.6


# ---------------------------------------------------------------------------------------------
# Structure: agencies, communes chosen, decisions


def build_agencies(real):
    agencies = [{"code": a["agency_code"], "name": a["agency_name"], "kind": a["agency_kind"]} for a in real]
    agencies += [{"code": c, "name": nfc(n), "kind": k} for c, n, k in INVENTED_AGENCIES]
    codes = [a["code"] for a in agencies]
    keys = [search_key(a["name"]) for a in agencies]
    assert len(agencies) == 82, len(agencies)
    assert len(set(codes)) == 82, "duplicate agency code"
    assert len(set(keys)) == 82, "two agencies share a name (search key)"
    assert all(re.fullmatch(r"[A-Z0-9_]{2,16}", c) for c in codes)
    assert not set(codes) & {n.upper() for n in (a["name"] for a in agencies)}
    return agencies


def standing_agency(agencies) -> str:
    codes = [a["code"] for a in agencies]
    if "BDT" in codes:
        return "BDT"
    return next(a["code"] for a in agencies if search_key(a["name"]).startswith("ban dan toc"))


def decision_one_assignments(rng, agencies, communes):
    """101 communes (rural xã except EXCLUDED_FROM_D1); every agency 1–3 communes, every commune
    at least one agency and exactly one lead (Chủ trì); STNMT leads its three confirmed communes.
    Agencies mostly get communes of one district, as in the real lists."""
    by_code = {c["commune_code"]: c for c in communes}
    chosen = [c["commune_code"] for c in communes if c["commune_kind"] == "xa" and c["commune_code"] not in EXCLUDED_FROM_D1]
    assert len(chosen) == 101, len(chosen)
    pairs = {a["code"]: [] for a in agencies}  # agency -> [(commune, role)]
    for code in STNMT_COMMUNES:
        pairs["STNMT"].append((code, LEAD))
    others = [a["code"] for a in agencies if a["code"] != "STNMT"]
    rest = [c for c in chosen if c not in STNMT_COMMUNES]
    # Communes ordered district by district (districts in a seeded order), shuffled within.
    districts = sorted({by_code[c]["district_code"] for c in rest})
    rng.shuffle(districts)
    ordered = []
    for d in districts:
        group = [c for c in rest if by_code[c]["district_code"] == d]
        rng.shuffle(group)
        ordered += group
    # Lead slots: one per agency, the remaining communes spread so no agency leads more than 3.
    leads = {a: 1 for a in others}
    for _ in range(len(rest) - len(others)):
        a = rng.choice([a for a in others if leads[a] < 3])
        leads[a] += 1
    order = others[:]
    rng.shuffle(order)
    it = iter(ordered)
    for a in order:
        for _ in range(leads[a]):
            pairs[a].append((next(it), LEAD))
    # Supporting pairs: most agencies with room also help one more commune of the same district.
    for a in order:
        if len(pairs[a]) < 3 and rng.random() < 0.8:
            mine = [c for c, _ in pairs[a]]
            district = by_code[mine[0]]["district_code"]
            pool = [c for c in chosen if by_code[c]["district_code"] == district and c not in mine]
            if not pool:
                pool = [c for c in chosen if c not in mine]
            pairs[a].append((rng.choice(pool), SUPPORT))
    fix_leads(pairs, chosen)
    return chosen, pairs


def decision_two_assignments(rng, agencies, communes, chosen1, pairs1):
    """Decision 2 keeps ~80% of the pairs: four communes leave the list (their pairs move), two
    enter it from those decision 1 left out, and other agencies swap one commune for another."""
    by_code = {c["commune_code"]: c for c in communes}
    pairs = {a: list(p) for a, p in pairs1.items()}
    total = sum(len(p) for p in pairs1.values())
    candidates = [c for c in chosen1 if c not in STNMT_COMMUNES and c not in ("03263", "03365")]
    dropped = sorted(rng.sample(candidates, 4))
    added = sorted(rng.sample([c for c in EXCLUDED_FROM_D1 if c != "03144"], 2))
    chosen2 = sorted([c for c in chosen1 if c not in dropped] + added)

    def holders(c):
        return [a for a in pairs if any(x == c for x, _ in pairs[a])]

    # Pairs of the dropped communes move to the added ones, or to other communes.
    targets = added[:]
    for c in dropped:
        for a in holders(c):
            idx = next(i for i, (x, _) in enumerate(pairs[a]) if x == c)
            role = pairs[a][idx][1]
            mine = [x for x, _ in pairs[a]]
            new = targets.pop(0) if targets else rng.choice([x for x in chosen2 if x not in mine])
            pairs[a][idx] = (new, role)
    order = sorted(a for a in pairs if a != "STNMT")
    before = {(a, c) for a, lst in pairs1.items() for c, _ in lst}

    def removed():
        return len(before - {(a, c) for a, lst in pairs.items() for c, _ in lst})

    while removed() < round(total * 0.2):
        a = rng.choice(order)
        idx = rng.randrange(len(pairs[a]))
        old, role = pairs[a][idx]
        if len(holders(old)) == 1:
            continue  # the commune's only helper stays (another agency may take the lead later)
        mine = [x for x, _ in pairs[a]]
        district = by_code[old]["district_code"]
        pool = [x for x in chosen2 if x not in mine and by_code[x]["district_code"] == district] or \
               [x for x in chosen2 if x not in mine]
        new = rng.choice(pool)
        pairs[a][idx] = (new, role)
    fix_leads(pairs, chosen2)
    return chosen2, pairs, removed()


def fix_leads(pairs, chosen):
    """Exactly one Chủ trì per commune: the first agency (in code order) that holds it."""
    for c in chosen:
        hs = [a for a in sorted(pairs) if any(x == c for x, _ in pairs[a])]
        assert hs, f"commune {c} has no agency"
        leads = [a for a in hs if (c, LEAD) in pairs[a]]
        keep = leads[0] if leads else hs[0]
        for a in hs:
            pairs[a] = [(x, (LEAD if a == keep else SUPPORT) if x == c else r) for x, r in pairs[a]]


def decision_two(range_start: dt.date, range_end: dt.date):
    """Decision 2 as it really was if the generated range starts in 2021 or later; otherwise it
    starts on the first of the month about two thirds into the range (never after 01/01/2021), is
    signed a fortnight before, and runs to 31/12/2025, so both decisions matter."""
    if range_start >= D2_REAL["from"]:
        return dict(D2_REAL), False
    span = (range_end - range_start).days
    t = range_start + dt.timedelta(days=round(span * 2 / 3))
    start = dt.date(t.year, t.month, 1)
    lower = max(range_start + dt.timedelta(days=1), D1["from"] + dt.timedelta(days=60))
    if start < lower:  # the first of the month after `lower`
        start = dt.date(lower.year + lower.month // 12, lower.month % 12 + 1, 1)
    start = min(start, D2_REAL["from"])
    return {"number": D2_REAL["number"], "signed_on": start - dt.timedelta(days=15), "from": start,
            "to": D2_REAL["to"]}, True


def write_decision_csv(path, rng, pairs, agencies, communes, bom: bool, crlf: bool, nfd_rows: int):
    by_code = {c["commune_code"]: c for c in communes}
    agency_by_code = {a["code"]: a for a in agencies}
    agency_order = {a["code"]: i for i, a in enumerate(agencies)}
    rows = []
    for a, lst in pairs.items():
        for c, role in lst:
            rows.append((by_code[c]["district_code"], c, 0 if role == LEAD else 1, agency_order[a], a, role))
    rows.sort()
    out_rows = []
    for _, c, _, _, a, role in rows:
        agency_cell = agency_by_code[a]["name"] if rng.random() < 0.55 else a
        out_rows.append([agency_cell, by_code[c]["commune_name"], by_code[c]["district_name"], role])
    # A few cells in NFD, as some exports and keyboards produce them.
    nfd_cells = []
    def candidates(cols):
        return [(i, j) for i, r in enumerate(out_rows) for j in cols if unicodedata.normalize("NFD", r[j]) != r[j]]
    picked = rng.sample(candidates((0, 1)), nfd_rows - 1) + rng.sample(candidates((2,)), 1)
    for i, j in sorted(set(picked)):
        out_rows[i][j] = unicodedata.normalize("NFD", out_rows[i][j])
        nfd_cells.append((i + 2, CSV_HEADER[j]))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n" if crlf else "\n")
    w.writerow(CSV_HEADER)
    w.writerows(out_rows)
    data = buf.getvalue().encode("utf-8")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return len(out_rows), nfd_cells


# ---------------------------------------------------------------------------------------------
# People and villages


def make_person(rng, ethnic_weights=(0.55, 0.30, 0.15)):
    group = rng.choices(["kinh", "thai", "hmong"], weights=ethnic_weights)[0]
    sex = "m" if rng.random() < 0.62 else "f"
    return f"{rng.choice(SURNAMES[group])} {rng.choice(MIDDLE[(group, sex)])} {rng.choice(GIVEN[(group, sex)])}"


def make_roster(rng, agency):
    code, kind = agency["code"], agency["kind"]
    head, deputy, middle, junior = POSITION_OVERRIDES.get(code, POSITIONS[kind])
    depts = DEPARTMENTS.get(code, DEFAULT_DEPARTMENTS[kind])
    names, roster = set(), []

    def person(pos, tier):
        while True:
            n = make_person(rng)
            if n not in names:
                names.add(n)
                break
        roster.append({"name": n, "position": nfc(pos.format(d=rng.choice(depts))), "tier": tier})

    person(rng.choice(head), 0)
    for _ in range(rng.randint(2, 3)):
        person(rng.choice(deputy), 1)
    for _ in range(rng.randint(3, 6)):
        person(rng.choice(middle), 2)
    for _ in range(rng.randint(5, 10)):
        person(rng.choice(junior), 3)
    return roster


def make_villages(rng, commune):
    hmong = commune["district_code"] in HMONG_DISTRICTS
    n = rng.randint(6, 12)
    out = [f"{commune['commune_name']} 1", f"{commune['commune_name']} 2", "Trung Tâm"] if rng.random() < 0.5 else []
    while len(out) < n:
        a, b = (HMONG_A, HMONG_B) if (hmong and rng.random() < 0.75) or (not hmong and rng.random() < 0.15) else (THAI_A, THAI_B)
        name = f"{rng.choice(a)} {rng.choice(b)}"
        if name not in out:
            out.append(name)
    return [nfc(v) for v in out]


# ---------------------------------------------------------------------------------------------
# Visits


def season_of(d: dt.date) -> set:
    s = {"any"}
    tet = next((t for t in TET if t >= d), None)
    if tet is not None and (tet - d).days <= 30:
        s.add("tet")
    if d.month in (11, 12, 1, 2):
        s.add("winter")
    if (d.month == 8 and d.day >= 10) or (d.month == 9 and d.day <= 15):
        s.add("school")
    if (d.month == 5 and d.day >= 20) or (d.month == 6 and d.day <= 3):
        s.add("children")
    if d.month == 9 or (d.month == 10 and d.day <= 5):
        s.add("midautumn")
    return s


def day_weight(d: dt.date, profile: str) -> float:
    for t in TET:
        if -3 <= (d - t).days <= 6:
            return 0.0  # Tết holidays
    if (d.month, d.day) in ((4, 30), (5, 1), (9, 2), (1, 1)):
        return 0.0
    w = MONTH_WEIGHT[d.month] * WEEKDAY_WEIGHT[d.weekday()]
    s = season_of(d)
    if profile in ("gifts", "token"):
        if "tet" in s:
            w *= 5.0
        elif "school" in s or "children" in s:
            w *= 2.0
        elif "midautumn" in s:
            w *= 1.5
    elif profile == "mixed" and "tet" in s:
        w *= 2.0
    elif profile == "diligent" and d.month in (10, 11):
        w *= 1.4  # the yearly poor-household survey
    return w


def poisson(rng, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 60:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def duration_for(rng, profile: str, start_day: dt.date):
    """(start datetime, end datetime) of a visit beginning on start_day, by profile."""
    def at(day, h, m):
        return dt.datetime.combine(day, dt.time(h, m))

    if profile == "token" or (profile == "gifts" and rng.random() < 0.8) or (profile in ("mixed", "silent") and rng.random() < 0.5) \
            or (profile == "diligent" and rng.random() < 0.12):
        if profile == "token":
            hours = rng.choice([2, 2.5, 3, 3, 3.5, 4, 4, 5, 6])
        elif profile == "gifts":
            hours = rng.choice([3, 3.5, 4, 4.5, 5, 6, 7, 8])
        else:
            hours = rng.choice([4, 5, 6, 7, 8, 8.5, 9])
        if hours <= 4.5 and rng.random() < 0.35:
            start = at(start_day, rng.choice([13, 13, 14]), rng.choice([0, 15, 30]))
        else:
            start = at(start_day, rng.choice([7, 7, 8, 8, 8, 9]), rng.choice([0, 15, 30, 45]))
        minutes = round(hours * 60) + rng.choice([-15, 0, 0, 10, 20])
        if profile == "token":
            minutes = min(max(minutes, 120), 360)  # 2–6 hours
        end = min(start + dt.timedelta(minutes=minutes), at(start_day, 21, 30))
        return start, end
    if profile == "diligent":
        nights = rng.choices([1, 2, 3, 4, 6, 9], weights=[30, 32, 20, 10, 5, 3])[0]
    elif profile == "gifts":
        nights = 1
    else:
        nights = rng.choices([1, 2], weights=[65, 35])[0]
    start = at(start_day, rng.choice([6, 7, 7, 8, 8, 9, 13, 14]), rng.choice([0, 15, 30, 45]))
    last = start_day + dt.timedelta(days=nights)
    end = at(last, rng.choice([11, 15, 16, 16, 17, 17]), rng.choice([0, 15, 30, 45]))
    return start, end


def item_phrase(item) -> str:
    """"55 chiếc chăn ấm", "300 cây giống mắc ca" (the unit is not repeated)."""
    desc = item["description"][0].lower() + item["description"][1:]
    if desc.split()[0] == item["unit"]:
        return f"{item['quantity']} {desc}"
    return f"{item['quantity']} {item['unit']} {desc}"


class VisitMaker:
    def __init__(self, rng, agency, roster, profile, communes_by_code, villages):
        self.rng, self.agency, self.roster, self.profile = rng, agency, roster, profile
        self.communes, self.villages = communes_by_code, villages
        spec = SPECIALTIES.get(agency["code"], [])
        self.weights = [4.0 if c in spec else 1.0 for c in CATEGORIES[:-1]]
        self.plan_no = 0

    def ctx(self, commune, start):
        rng = self.rng
        vs = self.villages[commune]
        b, b2 = rng.sample(vs, 2)
        n = rng.randint(12, 120)
        tree = rng.choice(TREES)
        y = start.year
        c = {
            "b": b, "b2": b2, "x": self.communes[commune]["commune_name"], "n": n, "m": rng.randint(3, max(4, n // 3)),
            "k": rng.randint(2, 14), "p": rng.randint(60, 95), "crop": rng.choice(CROPS), "tree": tree,
            "animal": rng.choice(ANIMALS), "topic": rng.choice(TOPICS).format(tree=tree), "field": rng.choice(FIELDS),
            "ha": rng.choice([2, 3, 5, 8, 10, 12, 15, 20, 25]), "km": rng.choice(["1,2", "2", "2,5", "3", "4,5", "6", "8"]),
            "y": y, "y1": y + 1, "p0": y if y <= 2019 else 2021 if y <= 2024 else 2026,
            "y2": 2020 if y <= 2019 else 2025 if y <= 2024 else 2030, "term": "2020–2025" if y < 2020 else "2025–2030",
            "season": "vụ xuân" if start.month <= 6 else "vụ mùa", "agency": self.agency["name"],
            "amount": vnd(rng.randrange(20, 900) * 1_000_000 // 10),
        }
        return c

    def team(self, size, leader_p):
        rng = self.rng
        leaders = [p for p in self.roster if p["tier"] <= 1]
        others = [p for p in self.roster if p["tier"] >= 2]
        team = []
        if rng.random() < leader_p:
            team.append(rng.choice(leaders))
        team += rng.sample(others, min(len(others), max(0, size - len(team))))
        return [{"name": p["name"], "position": p["position"]} for p in team]

    def support(self, start, count):
        rng = self.rng
        s = season_of(start.date())
        fitting = [it for it in SUPPORT_ITEMS if it[4] & s - {"any"}] or [it for it in SUPPORT_ITEMS if "any" in it[4]]
        anyitems = [it for it in SUPPORT_ITEMS if "any" in it[4]]
        items, seen = [], set()
        for _ in range(count):
            pool = fitting if rng.random() < 0.75 else anyitems
            it = rng.choices(pool, weights=[x[5] for x in pool])[0]
            if it[0] in seen:
                continue
            seen.add(it[0])
            price = rng.randint(*it[2])
            step = 100_000 if price >= 1_000_000 else 10_000 if price >= 100_000 else 1_000
            price = max(it[2][0], price // step * step)
            qty = rng.randint(*it[3])
            if it[1] == "kg" and qty >= 100:
                qty = qty // 10 * 10
            items.append({"description": it[0], "quantity": qty, "unit": it[1], "value_vnd": price * qty})
        return items

    def visit(self, commune, start, end):
        rng, profile = self.rng, self.profile
        p = "mixed" if profile == "silent" else profile
        c = self.ctx(commune, start)
        # Activities (non-material categories) and support items, by profile.
        if p == "diligent":
            cats = self.pick_categories(rng.choices([1, 2, 3, 4, 5], weights=[5, 30, 35, 20, 10])[0])
            support = self.support(start, rng.randint(1, 2)) if rng.random() < 0.2 else []
            written, cadres = rng.random() < 0.95, self.team(rng.randint(3, 7), 0.3)
        elif p == "mixed":
            cats = self.pick_categories(rng.choices([0, 1, 2, 3], weights=[15, 45, 30, 10])[0])
            support = self.support(start, rng.randint(1, 3)) if rng.random() < 0.35 else []
            written, cadres = rng.random() < 0.6, self.team(rng.randint(2, 5), 0.4)
        elif p == "gifts":
            cats = self.pick_categories(1) if rng.random() < 0.3 else []
            support = self.support(start, rng.randint(1, 4)) if rng.random() < 0.95 else []
            written, cadres = rng.random() < 0.4, self.team(rng.randint(2, 6), 0.75)
        else:  # token
            cats = []
            support = self.support(start, rng.randint(1, 3)) if rng.random() < 0.85 else []
            written, cadres = rng.random() < 0.2, self.team(rng.randint(1, 3), 0.6)
        activities, results = [], []
        for cat in cats:
            desc, res = rng.choice(ACTIVITIES[cat])
            c2 = dict(c, n=rng.randint(12, 120), k=rng.randint(2, 14))
            c2["loan"] = vnd(c2["n"] * rng.choice([20, 30, 40, 50]) * 1_000_000)
            activities.append({"category": cat, "description": nfc(desc.format(**c2))})
            results.append(nfc(res.format(**c2)))
        if support and (p != "token" or rng.random() < 0.6):
            items = ", ".join(item_phrase(s) for s in support)
            kids = all(s["description"] in CHILDREN_ITEMS for s in support)
            head = rng.choice(CHILDREN_DESCRIPTIONS if kids else MATERIAL_DESCRIPTIONS).format(**c)
            activities.append({"category": "material_support", "description": nfc(f"{head}: {items}")})
        if support:
            total = sum(s["value_vnd"] for s in support)
            if len(support) == 1:
                what = item_phrase(support[0])
            else:
                what = f"{len(support)} loại quà và hiện vật"
            results.append(f"Đã trao {what}, tổng trị giá {vnd(total)}")
        # The plan.
        if written:
            self.plan_no += 1
            planned = start.date() - dt.timedelta(days=rng.randint(4, 20))
            intents = [PLAN_INTENT[a["category"]] for a in activities] or [PLAN_INTENT["material_support"]]
            summary = (f"Kế hoạch số {self.plan_no}/KH-{self.agency['code']} ngày {ddmmyyyy(planned)}: làm việc tại xã "
                       f"{c['x']}, " + "; ".join(intents) + f". Thời gian {(end.date() - start.date()).days + 1} ngày"
                       f", {len(cadres)} cán bộ.")
            plan = {"written": True, "summary": nfc(summary)}
        else:
            summary = "" if rng.random() < 0.8 else rng.choice(["Thăm hỏi, tặng quà", "Đi cùng đoàn công tác của huyện",
                                                                 "Nắm tình hình theo đề nghị của xã"])
            plan = {"written": False, "summary": summary}
        if p == "token" and rng.random() < 0.6:
            result_text = ""
        else:
            results = results[:1] + [r[0].lower() + r[1:] for r in results[1:]]
            result_text = nfc("; ".join(results) + "." if results else rng.choice(
                ["Xã báo cáo tình hình, đoàn ghi nhận các kiến nghị.", "Đoàn làm việc với lãnh đạo xã, nắm tình hình chung."]))
        request = nfc(rng.choice(REQUESTS).format(**c)) if rng.random() < (0.6 if p in ("diligent", "mixed") else 0.35) else ""
        return {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "commune": commune,
            "start": start.strftime("%d/%m/%Y %H:%M"),
            "end": end.strftime("%d/%m/%Y %H:%M"),
            "cadres": cadres,
            "plan": plan,
            "activities": activities,
            "support": support,
            "results": result_text,
            "commune_requests": request,
        }

    def pick_categories(self, k):
        rng, cats, ws, out = self.rng, CATEGORIES[:-1], self.weights[:], []
        for _ in range(min(k, len(cats))):
            i = rng.choices(range(len(cats)), weights=ws)[0]
            out.append(cats[i])
            ws[i] = 0.0
        return out


def schedule(rng, profile, role, window, scale, weights_by_day):
    """Start days for one assignment within window=(first day, last day), no two visits overlapping."""
    first, last = window
    if last < first:
        return []
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    ws = [weights_by_day[d] for d in days]
    total = sum(ws)
    if total <= 0:
        return []
    lam = PROFILE_RATE[profile] * (1.0 if role == LEAD else SUPPORT_RATE) * len(days) / 365.25 * scale
    n = poisson(rng, lam)
    cum, acc = [], 0.0
    for w in ws:
        acc += w
        cum.append(acc)
    picked = sorted({days[min(len(days) - 1, bisect.bisect_left(cum, rng.random() * acc))] for _ in range(n)})
    return picked


# ---------------------------------------------------------------------------------------------
# Generation


def generate(args):
    t0 = time.monotonic()
    out = Path(args.out)
    real_communes, real_agencies = read_domain(Path(args.domain) if args.domain else None)
    start = dt.date.fromisoformat(args.start)
    if start.year < EARLIEST_YEAR:
        sys.exit(f"--start must be in {EARLIEST_YEAR} or later")
    try:
        range_end = dt.date(start.year + args.years, start.month, start.day) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        range_end = dt.date(start.year + args.years, 3, 1) - dt.timedelta(days=1)

    agencies = build_agencies(real_agencies)
    communes_by_code = {c["commune_code"]: c for c in real_communes}
    rng_struct = random.Random(f"giupxa-datagen/{args.seed}/structure")
    chosen1, pairs1 = decision_one_assignments(rng_struct, agencies, real_communes)
    chosen2, pairs2, changed = decision_two_assignments(rng_struct, agencies, real_communes, chosen1, pairs1)
    d2, shifted = decision_two(start, range_end)
    d1 = dict(D1)
    standing = standing_agency(agencies)

    out.mkdir(parents=True, exist_ok=True)
    (out / "visits").mkdir(exist_ok=True)
    for old in sorted((out / "visits").glob("*.json")):
        old.unlink()

    # agencies.csv
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["agency_code", "agency_name", "agency_kind"])
    for a in agencies:
        w.writerow([a["code"], a["name"], a["kind"]])
    (out / "agencies.csv").write_bytes(buf.getvalue().encode("utf-8"))

    rng_csv = random.Random(f"giupxa-datagen/{args.seed}/csv")
    rows1, nfd1 = write_decision_csv(out / "decision-1.csv", rng_csv, pairs1, agencies, real_communes, bom=True, crlf=True, nfd_rows=6)
    rows2, nfd2 = write_decision_csv(out / "decision-2.csv", rng_csv, pairs2, agencies, real_communes, bom=False, crlf=False, nfd_rows=5)

    # Effective windows: decision 2 supersedes decision 1 from its first day.
    eff1 = (max(d1["from"], start), min(d1["to"], d2["from"] - dt.timedelta(days=1), range_end))
    eff2 = (max(d2["from"], start), min(d2["to"], range_end))
    decisions = []
    for i, (d, f, rows, nfd, eff) in enumerate([(d1, "decision-1.csv", rows1, nfd1, eff1),
                                                (d2, "decision-2.csv", rows2, nfd2, eff2)], 1):
        entry = {
            "number": d["number"], "signed_on": ddmmyyyy(d["signed_on"]), "from": ddmmyyyy(d["from"]),
            "to": ddmmyyyy(d["to"]), "standing_agency": standing, "csv": f, "sample": True,
            "assignments": rows, "communes": len(chosen1 if i == 1 else chosen2),
            "visits_from": ddmmyyyy(eff[0]) if eff[0] <= eff[1] else None,
            "visits_to": ddmmyyyy(eff[1]) if eff[0] <= eff[1] else None,
            "nfd_cells": [f"row {r} {col}" for r, col in nfd],
        }
        if i == 2:
            entry["supersedes"] = d1["number"]
            entry["changed_pairs"] = changed
            if shifted:
                entry["note"] = ("Sample dates: the real 2072/QĐ-UBND was signed 17/11/2021 for 01/01/2021–31/12/2025; "
                                 "moved earlier so that both decisions fall in the generated range.")
        decisions.append(entry)
    (out / "decisions.json").write_text(json.dumps({"decisions": decisions}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    # Profiles.
    rng_prof = random.Random(f"giupxa-datagen/{args.seed}/profiles")
    names = [p for p in PROFILES for _ in range(PROFILE_COUNTS[p])]
    rng_prof.shuffle(names)
    profiles = {a["code"]: names[i] for i, a in enumerate(agencies)}
    (out / "profiles.json").write_text(json.dumps(profiles, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    # Villages (fixed per commune and seed).
    villages = {}
    for c in real_communes:
        villages[c["commune_code"]] = make_villages(random.Random(f"giupxa-datagen/{args.seed}/villages/{c['commune_code']}"), c)

    # Day weights per profile over the whole range.
    all_days = [start + dt.timedelta(days=i) for i in range((range_end - start).days + 1)]
    weights = {p: {d: day_weight(d, p) for d in all_days} for p in PROFILES if p != "silent"}
    weights["silent"] = weights["mixed"]

    silent_codes = [a["code"] for a in agencies if profiles[a["code"]] == "silent"]
    total, per_profile, per_year = 0, {p: 0 for p in PROFILES}, {}
    never_visited = 0
    for a in agencies:
        code, profile = a["code"], profiles[a["code"]]
        rng = random.Random(f"giupxa-datagen/{args.seed}/visits/{code}")
        roster = make_roster(rng, a)
        maker = VisitMaker(rng, a, roster, profile, communes_by_code, villages)
        stop = None
        if profile == "silent":
            first = max(start, eff1[0] if eff1[0] <= eff1[1] else eff2[0])
            span = max(0, (range_end - first).days)
            stop = first if code == silent_codes[0] else first + dt.timedelta(days=rng.randint(span // 6, span * 2 // 3))
        visits = []
        for (pairs, eff) in ((pairs1, eff1), (pairs2, eff2)):
            for commune, role in pairs[code]:
                last_day = eff[1] if stop is None else min(eff[1], stop - dt.timedelta(days=1))
                # Some supporting agencies never go to the commune they only "help".
                if role == SUPPORT and profile in ("token", "gifts", "mixed") and rng.random() < 0.3:
                    never_visited += eff[0] <= last_day
                    continue
                days = schedule(rng, profile, role, (eff[0], last_day), args.scale, weights[profile])
                if not days and eff[0] <= last_day:
                    never_visited += 1
                busy_until = None
                for day in days:
                    s, e = duration_for(rng, profile, day)
                    if e.date() > last_day:
                        e = dt.datetime.combine(s.date(), dt.time(17, 0))
                        if e <= s:
                            continue
                    if busy_until is not None and s < busy_until + dt.timedelta(hours=12):
                        continue
                    busy_until = e
                    v = maker.visit(commune, s, e)
                    visits.append((s, v["id"], v))
                    per_year[s.year] = per_year.get(s.year, 0) + 1
        visits = [v for _, _, v in sorted(visits, key=lambda t: (t[0], t[1]))]
        per_profile[profile] += len(visits)
        total += len(visits)
        (out / "visits" / f"{code}.json").write_text(json.dumps(visits, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    elapsed = time.monotonic() - t0
    print(f"giupxa datagen seed={args.seed} {ddmmyyyy(start)}–{ddmmyyyy(range_end)} scale={args.scale}: "
          f"{len(agencies)} agencies, {len(set(chosen1) | set(chosen2))} communes ({len(chosen1)} in decision 1, "
          f"{len(chosen2)} in decision 2), 2 decisions ({rows1} + {rows2} assignments, {changed} changed), "
          f"{total} visits ({', '.join(f'{p} {n}' for p, n in per_profile.items())}; "
          f"{', '.join(f'{y}: {n}' for y, n in sorted(per_year.items()))}), "
          f"{never_visited} assignments never visited, {elapsed:.1f}s", file=sys.stderr)
    if dt.datetime.combine(range_end, dt.time(23, 59)) > dt.datetime.now():
        print("warning: some visits may lie in the future and be refused as in_future", file=sys.stderr)


# ---------------------------------------------------------------------------------------------
# Self-check


class CheckError(Exception):
    pass


def check(directory: str, domain: str | None):
    root = Path(directory)
    problems: list[str] = []

    def fail(msg):
        problems.append(msg)
        if len(problems) >= 50:
            raise CheckError

    def is_nfc(s):
        return unicodedata.normalize("NFC", s) == s

    try:
        real_communes, real_agencies = read_domain(Path(domain) if domain else None)
        communes = {c["commune_code"]: c for c in real_communes}
        commune_keys = {}
        for c in real_communes:
            commune_keys.setdefault(search_key(c["commune_name"]), []).append(c)

        # agencies.csv
        raw = (root / "agencies.csv").read_bytes()
        if raw.startswith(b"\xef\xbb\xbf"):
            fail("agencies.csv: unexpected BOM")
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
        if rows[0] != ["agency_code", "agency_name", "agency_kind"]:
            fail(f"agencies.csv: header {rows[0]}")
        agencies = [{"code": r[0], "name": r[1], "kind": r[2]} for r in rows[1:]]
        if len(agencies) != 82:
            fail(f"agencies.csv: {len(agencies)} agencies, expected 82")
        codes = [a["code"] for a in agencies]
        if len(set(codes)) != len(codes):
            fail("agencies.csv: duplicate codes")
        if len({search_key(a["name"]) for a in agencies}) != len(agencies):
            fail("agencies.csv: two agencies share a name (search key)")
        for a in agencies:
            if not re.fullmatch(r"[A-Z0-9_]{2,16}", a["code"]):
                fail(f"agencies.csv: bad code {a['code']!r}")
            if not is_nfc(a["name"]) or not a["name"] or len(a["name"]) > MAX_SHORT:
                fail(f"agencies.csv: bad name for {a['code']}")
            if a["kind"] not in KINDS:
                fail(f"agencies.csv: bad kind {a['kind']!r} for {a['code']}")
        by_code = {a["code"]: a for a in agencies}
        for r in real_agencies:
            got = by_code.get(r["agency_code"])
            if got is None or got["name"] != r["agency_name"] or got["kind"] != r["agency_kind"]:
                fail(f"agencies.csv: real agency {r['agency_code']} missing or changed")
        agency_by_key = {search_key(a["name"]): a["code"] for a in agencies}

        # decisions
        meta = json.loads((root / "decisions.json").read_text(encoding="utf-8"))["decisions"]
        if len(meta) != 2:
            fail(f"decisions.json: {len(meta)} decisions, expected 2")
        decisions = []
        for i, d in enumerate(meta, 1):
            for k in ("number", "signed_on", "from", "to", "standing_agency", "csv"):
                if k not in d:
                    fail(f"decisions.json: decision {i} lacks {k}")
            if d["standing_agency"] not in by_code:
                fail(f"decisions.json: unknown standing agency {d['standing_agency']}")
            signed, start, end = parse_dmy(d["signed_on"]), parse_dmy(d["from"]), parse_dmy(d["to"])
            if end < start:
                fail(f"decisions.json: decision {i} ends before it starts")
            raw = (root / d["csv"]).read_bytes()
            if (i == 1) != raw.startswith(b"\xef\xbb\xbf"):
                fail(f"{d['csv']}: BOM {'missing' if i == 1 else 'unexpected'}")
            text = raw.decode("utf-8-sig")
            table = list(csv.reader(io.StringIO(text)))
            if table[0] != CSV_HEADER:
                fail(f"{d['csv']}: header {table[0]}")
            pairs, nfd_cells = {}, 0
            for line, row in enumerate(table[1:], 2):
                if len(row) != 4:
                    fail(f"{d['csv']} row {line}: {len(row)} cells")
                    continue
                for cell in row:
                    if not is_nfc(cell):
                        nfd_cells += 1
                        if unicodedata.normalize("NFD", cell) != cell:
                            fail(f"{d['csv']} row {line}: a cell is neither NFC nor NFD")
                ag, cm, dist, role = (nfc(x) for x in row)
                if row[3] != role:
                    fail(f"{d['csv']} row {line}: role cell not NFC")
                code = ag if ag in by_code else agency_by_key.get(search_key(ag))
                if code is None:
                    fail(f"{d['csv']} row {line}: unknown agency {ag!r}")
                    continue
                cands = [c for c in commune_keys.get(search_key(cm), []) if c["district_name"] == dist]
                if len(commune_keys.get(search_key(cm), [])) > 1 and not dist:
                    fail(f"{d['csv']} row {line}: ambiguous commune {cm!r} without district")
                if len(cands) != 1:
                    fail(f"{d['csv']} row {line}: commune {cm!r} ({dist!r}) not found once")
                    continue
                # As the server's AssignmentTable resolves it: by search key, then district "contains".
                swift = commune_keys.get(search_key(cm), [])
                if len(swift) > 1 and dist:
                    swift = [c for c in swift if search_key(dist) in search_key(c["district_name"])]
                if len(swift) != 1 or swift[0] is not cands[0]:
                    fail(f"{d['csv']} row {line}: the server would not resolve {cm!r} ({dist!r}) uniquely")
                if role not in (LEAD, SUPPORT):
                    fail(f"{d['csv']} row {line}: bad role {role!r}")
                key = (code, cands[0]["commune_code"])
                if key in pairs:
                    fail(f"{d['csv']} row {line}: duplicate pair {key}")
                pairs[key] = role
            if nfd_cells == 0:
                fail(f"{d['csv']}: no NFD cell (expected a few)")
            per_agency, per_commune, leads = {}, {}, {}
            for (a, c), role in pairs.items():
                per_agency.setdefault(a, []).append(c)
                per_commune.setdefault(c, []).append(a)
                if role == LEAD:
                    leads[c] = leads.get(c, 0) + 1
            if set(per_agency) != set(codes):
                fail(f"{d['csv']}: covers {len(per_agency)} agencies, expected all {len(codes)}")
            for a, cs in per_agency.items():
                if not 1 <= len(cs) <= 3:
                    fail(f"{d['csv']}: agency {a} has {len(cs)} communes")
            for c in per_commune:
                if leads.get(c, 0) != 1:
                    fail(f"{d['csv']}: commune {c} has {leads.get(c, 0)} leads")
            if i == 1:
                if len(per_commune) != 101:
                    fail(f"{d['csv']}: {len(per_commune)} distinct communes, expected 101")
                if sorted(per_agency.get("STNMT", [])) != sorted(STNMT_COMMUNES):
                    fail(f"{d['csv']}: STNMT communes {per_agency.get('STNMT')}")
                if any(communes[c]["commune_kind"] != "xa" for c in per_commune):
                    fail(f"{d['csv']}: a ward or town in the list")
            decisions.append({"number": d["number"], "signed": signed, "from": start, "to": end, "pairs": pairs})

        def in_force(day):
            live = [d for d in decisions if d["from"] <= day <= d["to"]]
            return max(live, key=lambda d: (d["signed"], d["from"])) if live else None

        # profiles.json
        profiles = json.loads((root / "profiles.json").read_text(encoding="utf-8"))
        if sorted(profiles) != sorted(codes) or any(p not in PROFILES for p in profiles.values()):
            fail("profiles.json: keys must be the agency codes, values one of " + ", ".join(PROFILES))

        # visits
        ids, count, files = set(), 0, sorted((root / "visits").glob("*.json"))
        if sorted(f.stem for f in files) != sorted(codes):
            fail("visits/: expected one file per agency")
        for f in files:
            agency = f.stem
            visits = json.loads(f.read_text(encoding="utf-8"))
            spans, previous_start = {}, None
            for n, v in enumerate(visits):
                where = f"visits/{f.name}[{n}]"
                count += 1
                if list(v) != VISIT_KEYS:
                    fail(f"{where}: keys {list(v)}")
                    continue
                try:
                    u = uuid.UUID(v["id"])
                    if u.version != 4 or str(u) != v["id"]:
                        fail(f"{where}: id not a canonical UUID v4")
                except ValueError:
                    fail(f"{where}: bad id")
                if v["id"] in ids:
                    fail(f"{where}: duplicate id")
                ids.add(v["id"])
                if v["commune"] not in communes:
                    fail(f"{where}: unknown commune {v['commune']}")
                s, e = parse_dmy_hm(v["start"]), parse_dmy_hm(v["end"])
                if e <= s:
                    fail(f"{where}: end not after start")
                if e - s > dt.timedelta(days=MAX_DAYS):
                    fail(f"{where}: longer than {MAX_DAYS} days")
                if s.year < EARLIEST_YEAR:
                    fail(f"{where}: before {EARLIEST_YEAR}")
                d = in_force(s.date())
                if d is None or d is not in_force(e.date()) or (agency, v["commune"]) not in d["pairs"]:
                    fail(f"{where}: {agency} → {v['commune']} {v['start']}–{v['end']} not assigned by the decision in force")
                spans.setdefault(v["commune"], []).append((s, e, where))
                if previous_start is not None and s < previous_start:
                    fail(f"{where}: visits not in order of start time")
                previous_start = s
                if not 1 <= len(v["cadres"]) <= MAX_CADRES:
                    fail(f"{where}: {len(v['cadres'])} cadres")
                if len(v["activities"]) > MAX_ACTIVITIES or len(v["support"]) > MAX_SUPPORT:
                    fail(f"{where}: too many activities or support items")
                texts = []
                for c in v["cadres"]:
                    if list(c) != ["name", "position"] or not c["name"]:
                        fail(f"{where}: bad cadre {c}")
                    texts += [(c["name"], MAX_SHORT), (c["position"], MAX_SHORT)]
                if not isinstance(v["plan"]["written"], bool) or (v["plan"]["written"] and not v["plan"]["summary"]):
                    fail(f"{where}: bad plan")
                texts.append((v["plan"]["summary"], MAX_LONG))
                for a in v["activities"]:
                    if a["category"] not in CATEGORIES:
                        fail(f"{where}: unknown category {a['category']}")
                    texts.append((a["description"], MAX_LONG))
                for it in v["support"]:
                    if not it["description"] or it["value_vnd"] < 0 or it["value_vnd"] > MAX_VND or it["quantity"] < 0:
                        fail(f"{where}: bad support item {it}")
                    if not isinstance(it["value_vnd"], int):
                        fail(f"{where}: value_vnd not an integer")
                    texts += [(it["description"], MAX_SHORT), (it["unit"], MAX_UNIT)]
                texts += [(v["results"], MAX_LONG), (v["commune_requests"], MAX_LONG)]
                for t, limit in texts:
                    if not isinstance(t, str) or len(t) > limit:
                        fail(f"{where}: text over {limit} characters")
                    elif not is_nfc(t):
                        fail(f"{where}: text not NFC: {t[:40]!r}")
                    elif t != t.strip() or any(unicodedata.category(ch) == "Cc" and ch not in "\n\t\r" for ch in t):
                        fail(f"{where}: untrimmed text or control character")
            for lst in spans.values():
                lst.sort()
                for (s0, e0, _), (s1, _, where) in zip(lst, lst[1:]):
                    if s1 < e0:
                        fail(f"{where}: overlaps the agency's previous visit to the same commune")
    except CheckError:
        pass
    except (OSError, ValueError, KeyError, IndexError, TypeError) as e:
        problems.append(f"cannot read {directory}: {type(e).__name__}: {e}")
    if problems:
        for p in problems:
            print("check: " + p, file=sys.stderr)
        sys.exit(1)
    print(f"check OK: {directory}: {len(agencies)} agencies, 2 decisions, {count} visits", file=sys.stderr)


def main(argv=None):
    p = argparse.ArgumentParser(description="Deterministic sample data for GiupXa (agencies, decisions, visits).")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--out", help="directory to write into (created if missing; visits/*.json replaced)")
    g.add_argument("--check", metavar="DIR", help="re-read a generated directory and check its invariants")
    p.add_argument("--seed", type=int, default=2017)
    p.add_argument("--start", default="2018-01-01", help="first day of the visits, yyyy-mm-dd")
    p.add_argument("--years", type=int, default=3)
    p.add_argument("--scale", type=float, default=1.0, help="multiplies the number of visits")
    p.add_argument("--domain", help="folder with dien-bien-communes-2017.csv and dien-bien-agencies.csv "
                                    "(default: ../shared/domain beside the repository, else the copy in EmbeddedCSV.swift)")
    args = p.parse_args(argv)
    if args.check:
        check(args.check, args.domain)
    else:
        if args.years < 1 or args.scale < 0:
            p.error("--years must be ≥ 1 and --scale ≥ 0")
        generate(args)


if __name__ == "__main__":
    main()
