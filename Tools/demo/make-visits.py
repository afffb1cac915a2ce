#!/usr/bin/env python3
"""Writes realistic, deterministic field visits of Sở Tài nguyên và Môi trường (STNMT) to its
three communes (Keo Lôm, Phì Nhừ, Chiềng Sơ) as the JSON `giupxa visit add --file` reads.
Used by Tools/demo.sh and the integration tests: `make-visits.py COUNT SEED > file.json`."""
import json, random, sys, uuid, datetime

count = int(sys.argv[1]) if len(sys.argv) > 1 else 20
seed = int(sys.argv[2]) if len(sys.argv) > 2 else 708
rng = random.Random(seed)

communes = ["03376", "03208", "03211"]
cadres = [("Lò Văn Minh", "Phó Giám đốc Sở"), ("Nguyễn Thị Hương", "Trưởng phòng Đất đai"),
          ("Quàng Văn Thắng", "Chuyên viên"), ("Lường Thị Mai", "Chuyên viên"),
          ("Trần Đức Anh", "Phó Chánh Văn phòng"), ("Vàng A Chứ", "Cán bộ địa chính"),
          ("Giàng Thị Dợ", "Chuyên viên môi trường"), ("Phạm Quốc Huy", "Trưởng phòng Khoáng sản")]
plans = ["Rà soát hộ nghèo và cận nghèo các bản {b}", "Khảo sát hiện trạng sử dụng đất bản {b}",
         "Hướng dẫn cấp giấy chứng nhận quyền sử dụng đất cho hộ đồng bào bản {b}",
         "Kiểm tra nguồn nước sinh hoạt và vệ sinh môi trường bản {b}",
         "Làm việc với Đảng ủy, UBND xã về tiêu chí nông thôn mới"]
villages = ["Keo Lôm 1", "Keo Lôm 2", "Phì Nhừ", "Háng Tàu", "Chiềng Sơ", "Co Kham", "Pú Nhi", "Na Sang"]
activities = [
    ("socio_economic_review", "Rà soát {n} hộ nghèo, cập nhật thông tin thu nhập và nhà ở"),
    ("development_planning", "Góp ý quy hoạch sử dụng đất gắn với tiêu chí nông thôn mới của huyện"),
    ("production_models", "Hỗ trợ mô hình trồng sa nhân dưới tán rừng cho {n} hộ"),
    ("training_technology", "Tập huấn kỹ thuật ủ phân hữu cơ cho {n} người dân"),
    ("poverty_reduction", "Đề xuất dự án nước sinh hoạt tập trung cho bản {b}"),
    ("education_health_social", "Phối hợp trạm y tế tuyên truyền vệ sinh môi trường"),
    ("political_system", "Trao đổi với cán bộ địa chính xã về quy trình hồ sơ đất đai"),
    ("security_order", "Hòa giải tranh chấp ranh giới đất giữa {n} hộ"),
    ("infrastructure", "Khảo sát tuyến đường nội bản, lồng ghép vốn chương trình 135"),
]
gifts = [("Chăn ấm", "chiếc", 200000), ("Áo ấm trẻ em", "chiếc", 150000), ("Sách vở", "bộ", 80000),
         ("Gạo", "kg", 15000), ("Quà Tết", "suất", 500000), ("Máy lọc nước", "chiếc", 4500000)]

tz = datetime.timezone(datetime.timedelta(hours=7))
visits = []
placed = []  # (visit, start, end) of those written so far
for i in range(count):
    day = datetime.datetime(2018, 1, 8, tzinfo=tz) + datetime.timedelta(days=rng.randrange(0, 1000))
    start = day.replace(hour=rng.choice([7, 8, 13]), minute=rng.choice([0, 30]))
    token = rng.random() < 0.25  # some visits are the "beating the drum" kind
    hours = rng.choice([3, 4, 5]) if token else rng.choice([26, 30, 50, 54, 74])
    end = start + datetime.timedelta(hours=hours)
    b = rng.choice(villages)
    n = rng.randrange(8, 60)
    team = rng.sample(cadres, 1 if token else rng.randrange(2, 5))
    acts = [] if token else rng.sample(activities, rng.randrange(1, 4))
    items = [rng.choice(gifts) for _ in range(rng.randrange(1, 3) if token or rng.random() < 0.4 else 0)]
    visit_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    commune = rng.choice(communes)
    # One cadre cannot be on two visits to a commune at once (`visit add` refuses such a
    # duplicate): move the visit a week on until it overlaps none, drawing nothing more.
    names = {c[0] for c in team}
    while any(v["commune"] == commune and start < e and s < end and names & {c["name"] for c in v["cadres"]} for v, s, e in placed):
        start, end = start + datetime.timedelta(days=7), end + datetime.timedelta(days=7)
    visit = {
        "id": visit_id,
        "commune": commune,
        "start": start.strftime("%d/%m/%Y %H:%M"),
        "end": end.strftime("%d/%m/%Y %H:%M"),
        "cadres": [{"name": c[0], "position": c[1]} for c in team],
        "plan": {"written": not token, "summary": "" if token else rng.choice(plans).format(b=b)},
        "activities": [{"category": a[0], "description": a[1].format(n=n, b=b)} for a in acts],
        "support": [{"description": g[0], "quantity": q, "unit": g[1], "value_vnd": g[2] * q}
                    for g in items for q in [rng.randrange(5, 40)]],
        "results": "" if token else f"Đã hoàn thành kế hoạch; {n} hộ được hỗ trợ hồ sơ, xã thống nhất lộ trình tiếp theo.",
        "commune_requests": rng.choice(["", "Đề nghị hỗ trợ đo đạc, cấp giấy chứng nhận cho bản " + b,
                                        "Xin hỗ trợ kinh phí xây bể nước sinh hoạt", "Đề nghị mở lớp tập huấn trồng cây dược liệu"]),
    }
    visits.append(visit)
    placed.append((visit, start, end))
json.dump(visits, sys.stdout, ensure_ascii=False, indent=1)
print()
