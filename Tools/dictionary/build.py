#!/usr/bin/env python3
"""Builds Protocol/dictionaries/visits-1.bin, the preset deflate dictionary of compression mode 2
(PROTOCOL.md §9.2). Deterministic. Needs protoc and the `protobuf` Python package (pip).

What goes in (at most 32 KiB, the deflate window; what is most likely to recur goes last, where
matches are cheapest):
  1. the real reference data: district, commune and agency names of Điện Biên (../shared/domain),
     and the activity categories' Vietnamese titles;
  2. serialized Visit messages from Tools/demo/make-visits.py (a hand-written sample generator,
     NOT Tools/datagen, whose visits the benchmarks measure — so the benchmark does not test the
     dictionary on the text it was built from).
A real deployment would rebuild it from a sample of the province's own acknowledged visits and
ship it as visits-2 (a new id; old ids stay valid)."""
import csv, datetime, hashlib, json, os, subprocess, sys, tempfile, uuid

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
domain = os.path.join(root, "..", "shared", "domain")
limit = 32 * 1024

with tempfile.TemporaryDirectory() as tmp:
    subprocess.run(["protoc", "-I", os.path.join(root, "Protocol"), f"--python_out={tmp}",
                    os.path.join(root, "Protocol/giupxa/v1/visits.proto"), os.path.join(root, "Protocol/giupxa/v1/connection.proto")],
                   check=True)
    sys.path.insert(0, tmp)
    from giupxa.v1 import visits_pb2 as pb

    names = []
    with open(os.path.join(domain, "dien-bien-communes-2017.csv"), encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    names += sorted({r["district_name"] for r in rows}) + [r["commune_name"] for r in rows]
    with open(os.path.join(domain, "dien-bien-agencies.csv"), encoding="utf-8-sig") as f:
        names += [r["agency_name"] for r in csv.DictReader(f)]
    titles = ["Rà soát thông tin kinh tế - xã hội, hộ nghèo", "Định hướng phát triển, quy hoạch nông thôn mới",
              "Mô hình sản xuất nông, lâm nghiệp bền vững", "Tập huấn, chuyển giao khoa học kỹ thuật",
              "Mục tiêu giảm nghèo, dự án đầu tư", "Giáo dục, y tế, an sinh xã hội", "Xây dựng hệ thống chính trị cơ sở",
              "An ninh chính trị, trật tự xã hội", "Lồng ghép chương trình, vốn cho hạ tầng", "Hỗ trợ vật chất"]
    head = "\n".join(names + titles).encode("utf-8")

    visits = json.loads(subprocess.run([sys.executable, os.path.join(root, "Tools/demo/make-visits.py"), "400", "5"],
                                       check=True, capture_output=True).stdout)
    cats = ["socio_economic_review", "development_planning", "production_models", "training_technology", "poverty_reduction",
            "education_health_social", "political_system", "security_order", "infrastructure", "material_support"]
    tz = datetime.timezone(datetime.timedelta(hours=7))
    body = b""
    for v in visits:
        m = pb.Visit(id=uuid.UUID(v["id"]).bytes, commune_code=v["commune"],
                     start_time=int(datetime.datetime.strptime(v["start"], "%d/%m/%Y %H:%M").replace(tzinfo=tz).timestamp()),
                     end_time=int(datetime.datetime.strptime(v["end"], "%d/%m/%Y %H:%M").replace(tzinfo=tz).timestamp()),
                     results=v["results"], commune_requests=v["commune_requests"])
        for c in v["cadres"]: m.cadres.add(name=c["name"], position=c["position"])
        m.plan.has_written_plan = v["plan"]["written"]; m.plan.summary = v["plan"]["summary"]
        for a in v["activities"]: m.activities.add(category=cats.index(a["category"]) + 1, description=a["description"])
        for s in v["support"]: m.support.add(description=s["description"], quantity=s["quantity"], unit=s["unit"], value_vnd=s["value_vnd"])
        # Ids and times are random: they never match, so keep only the text-bearing fields.
        m.ClearField("id"); m.ClearField("start_time"); m.ClearField("end_time")
        s = m.SerializeToString()
        if len(head) + len(body) + len(s) > limit: break
        body += s
    data = head + body
    out = os.path.join(root, "Protocol/dictionaries/visits-1.bin")
    with open(out, "wb") as f: f.write(data)
    print(f"{out}: {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}", file=sys.stderr)
