#!/usr/bin/env python3
"""Independent calculation of the periodic compliance report (Protocol/REPORT.md) over a directory
written by Tools/datagen/generate.py, to check what `giupxa-server report --format json` emits.

    python3 Tools/datagen/expected_report.py DATA_DIR --period 2019              # expected JSON on stdout
    python3 Tools/datagen/expected_report.py DATA_DIR --period 2019-H1 --compare actual.json
    python3 Tools/datagen/expected_report.py DATA_DIR --from 01/01/2019 --to 31/03/2019 [--policy policy.json]

With --compare, nothing goes to stdout: each difference ("path: expected X vs actual Y", at most
50, then a count) goes to stderr and the exit status is 1; on a match one summary line goes to
stderr and the exit status is 0. Exit status 2: bad arguments or unreadable input.

Python 3.11 standard library only. Deliberately shares no code with generate.py: the decision
CSVs are resolved here from scratch (NFC, then agency by code or name search key, commune by code
or by name search key + district), and supersession follows REPORT.md, not the generator."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import math
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DEFAULT_DOMAIN = REPO.parent / "shared" / "domain"
EMBEDDED = REPO / "Sources" / "GiupXaModels" / "DefaultData" / "EmbeddedCSV.swift"
COMMUNES_CSV = "dien-bien-communes-2017.csv"

# The category order of the domain brief.
CATEGORIES = [
    "socio_economic_review", "development_planning", "production_models", "training_technology",
    "poverty_reduction", "education_health_social", "political_system", "security_order",
    "infrastructure", "material_support",
]
CATEGORY_RANK = {c: i for i, c in enumerate(CATEGORIES)}
MATERIAL = "material_support"

DEFAULT_POLICY = {
    "year_starts": "15/12",
    "half_year_starts": "15/06",
    "token_visit": {"min_hours_on_site": 24, "require_written_plan": True, "gift_only": True},
    "mostly_gifts_share": 0.5,
    "mostly_token_share": 0.5,
    "min_visits_for_share": 3,
    "silent_days": 90,
}

PROVINCE_KEYS = ["agencies", "assignments", "assignments_visited", "assignments_not_visited", "visits",
                 "days_on_site", "hours_on_site", "token_visits", "gift_only_visits", "support_vnd",
                 "plan_share", "agencies_silent", "agencies_mostly_gifts", "agencies_mostly_token"]
AGENCY_KEYS = ["code", "name", "communes_assigned", "communes_visited", "visits", "days_on_site",
               "hours_on_site", "cadres", "plan_share", "categories", "category_visits", "support_vnd",
               "token_visits", "gift_only_visits", "last_visit", "days_silent", "flags"]
ROW_KEYS = ["code", "name", "district", "in_scope", "visits", "days_on_site", "hours_on_site", "cadres",
            "plan_share", "categories", "support_vnd", "token_visits", "last_visit", "flags"]
SET_KEYS = {"categories", "flags"}  # compared as sets


class InputError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Text


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def search_key(s: str) -> str:
    """Lowercase, tones and other marks stripped (NFD, combining marks dropped), đ → d,
    whitespace collapsed."""
    decomposed = unicodedata.normalize("NFD", s)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.replace("đ", "d").replace("Đ", "d").lower().split())


# ---------------------------------------------------------------------------------------------
# Dates


def parse_day(s: str, what: str) -> dt.date:
    s = s.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            pass
    raise InputError(f"{what}: not a date (dd/mm/yyyy): {s!r}")


def parse_local(s: str, what: str) -> dt.datetime:
    """'dd/mm/yyyy HH:MM' in local time (UTC+7, no daylight saving: naive datetimes suffice)."""
    try:
        return dt.datetime.strptime(s.strip(), "%d/%m/%Y %H:%M")
    except (ValueError, AttributeError):
        raise InputError(f"{what}: not a local time (dd/mm/yyyy HH:MM): {s!r}") from None


def parse_day_month(s, key: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})", s) if isinstance(s, str) else None
    if not m:
        raise InputError(f"policy: {key} must be dd/mm, got {s!r}")
    d, mo = int(m.group(1)), int(m.group(2))
    try:
        dt.date(2019, mo, d)  # a non-leap year: 29/02 cannot start a period every year
    except ValueError:
        raise InputError(f"policy: {key} out of range: {s!r}") from None
    return d, mo


# ---------------------------------------------------------------------------------------------
# Policy


def load_policy(path: str | None) -> dict:
    pol = json.loads(json.dumps(DEFAULT_POLICY))
    if path is None:
        return pol
    try:
        given = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as e:
        raise InputError(f"policy: cannot read {path}: {e}") from None
    if not isinstance(given, dict):
        raise InputError("policy: not a JSON object")
    for k, v in given.items():
        if k not in DEFAULT_POLICY:
            raise InputError(f"policy: unknown key {k!r}")
        if k == "token_visit":
            if not isinstance(v, dict):
                raise InputError("policy: token_visit must be an object")
            for k2, v2 in v.items():
                if k2 not in DEFAULT_POLICY["token_visit"]:
                    raise InputError(f"policy: unknown key 'token_visit.{k2}'")
                pol["token_visit"][k2] = v2
        else:
            pol[k] = v

    def number(v):
        return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)

    def integer(v):
        return isinstance(v, int) and not isinstance(v, bool)

    parse_day_month(pol["year_starts"], "year_starts")
    parse_day_month(pol["half_year_starts"], "half_year_starts")
    tv = pol["token_visit"]
    if not number(tv["min_hours_on_site"]) or tv["min_hours_on_site"] < 0:
        raise InputError("policy: token_visit.min_hours_on_site out of range")
    for k in ("require_written_plan", "gift_only"):
        if not isinstance(tv[k], bool):
            raise InputError(f"policy: token_visit.{k} must be true or false")
    for k in ("mostly_gifts_share", "mostly_token_share"):
        if not number(pol[k]) or not 0 <= pol[k] <= 1:
            raise InputError(f"policy: {k} out of range (0…1)")
    if not integer(pol["min_visits_for_share"]) or pol["min_visits_for_share"] < 0:
        raise InputError("policy: min_visits_for_share out of range")
    if not integer(pol["silent_days"]) or pol["silent_days"] < 0:
        raise InputError("policy: silent_days out of range")
    return pol


# ---------------------------------------------------------------------------------------------
# Periods


def anniversary(year: int, dm: tuple[int, int]) -> dt.date:
    return dt.date(year, dm[1], dm[0])


def year_period(year: int, pol: dict) -> tuple[dt.date, dt.date]:
    """The yearly period labelled `year` is the one that ENDS in that year: with 15/12 it runs
    15/12/(year-1)–14/12/year, with 01/01 it runs 01/01/year–31/12/year."""
    ys = parse_day_month(pol["year_starts"], "year_starts")
    for start in (anniversary(year - 1, ys), anniversary(year, ys)):
        end = anniversary(start.year + 1, ys) - dt.timedelta(days=1)
        if end.year == year:
            return start, end
    raise AssertionError("unreachable")


def resolve_period(args, pol: dict) -> tuple[str, dt.date, dt.date]:
    if args.period:
        m = re.fullmatch(r"(\d{4})(?:-([Hh])([12]))?", args.period.strip())
        if not m:
            raise InputError(f"--period: expected YYYY, YYYY-H1 or YYYY-H2, got {args.period!r}")
        year = int(m.group(1))
        start, end = year_period(year, pol)
        if not m.group(2):
            return f"{year}", start, end
        hs = parse_day_month(pol["half_year_starts"], "half_year_starts")
        # The occurrence of half_year_starts inside the year period (after its first day).
        mid = anniversary(start.year, hs)
        if mid <= start:
            mid = anniversary(start.year + 1, hs)
        if mid > end:
            raise InputError("policy: half_year_starts does not fall inside the year")
        if m.group(3) == "1":
            return f"{year}-H1", start, mid - dt.timedelta(days=1)
        return f"{year}-H2", mid, end
    start, end = parse_day(args.date_from, "--from"), parse_day(args.date_to, "--to")
    if end < start:
        raise InputError("--to is before --from")
    return f"{start.strftime('%d/%m/%Y')}–{end.strftime('%d/%m/%Y')}", start, end


def months_overlapping(start: dt.date, end: dt.date) -> list[str]:
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


# ---------------------------------------------------------------------------------------------
# Inputs


def read_csv_text(path: Path) -> list[list[str]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")  # strips a BOM if there is one
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read {path}: {e}") from None
    return list(csv.reader(io.StringIO(text, newline="")))  # csv handles CRLF and LF


def find_domain(domain: str | None) -> str:
    """Text of the communes CSV: from --domain, else ../shared/domain beside the repository, else the
    copy embedded in the Swift package (same content)."""
    if domain:
        return (Path(domain) / COMMUNES_CSV).read_text(encoding="utf-8-sig")
    if (DEFAULT_DOMAIN / COMMUNES_CSV).exists():
        return (DEFAULT_DOMAIN / COMMUNES_CSV).read_text(encoding="utf-8-sig")
    swift = EMBEDDED.read_text(encoding="utf-8")
    m = re.search(r'communes2017\s*=\s*#"""\n(.*?)\n"""#', swift, re.S)
    if not m:
        raise InputError(f"no {COMMUNES_CSV}: pass --domain DIR")
    return m.group(1) + "\n"


def load_communes(domain: str | None) -> dict[str, dict]:
    try:
        text = find_domain(domain)
    except OSError as e:
        raise InputError(f"cannot read the communes: {e}") from None
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    communes = {}
    for r in rows:
        code = r["commune_code"].strip()
        communes[code] = {"code": code, "name": nfc(r["commune_name"].strip()),
                          "district": nfc(r["district_name"].strip())}
    if not communes:
        raise InputError("the communes CSV is empty")
    return communes


def load_agencies(root: Path) -> dict[str, dict]:
    table = read_csv_text(root / "agencies.csv")
    if not table or [nfc(h).strip() for h in table[0]][:2] != ["agency_code", "agency_name"]:
        raise InputError("agencies.csv: header must start agency_code,agency_name")
    agencies = {}
    for n, row in enumerate(table[1:], 2):
        if not row or all(not c.strip() for c in row):
            continue
        code, name = nfc(row[0]).strip(), nfc(row[1]).strip()
        if code in agencies:
            raise InputError(f"agencies.csv row {n}: duplicate code {code}")
        agencies[code] = {"code": code, "name": name}
    return agencies


class Resolver:
    def __init__(self, agencies: dict, communes: dict):
        self.agencies = agencies
        self.communes = communes
        self.agency_by_key: dict[str, list[str]] = {}
        for a in agencies.values():
            self.agency_by_key.setdefault(search_key(a["name"]), []).append(a["code"])
        self.commune_by_key: dict[str, list[dict]] = {}
        for c in communes.values():
            self.commune_by_key.setdefault(search_key(c["name"]), []).append(c)

    def agency(self, cell: str, where: str) -> str:
        cell = nfc(cell).strip()
        if cell in self.agencies:
            return cell
        if cell.upper() in self.agencies:
            return cell.upper()
        hits = self.agency_by_key.get(search_key(cell), [])
        if len(hits) == 1:
            return hits[0]
        raise InputError(f"{where}: agency {cell!r} {'ambiguous' if hits else 'unknown'}")

    def commune(self, cell: str, district: str, where: str) -> str:
        cell, district = nfc(cell).strip(), nfc(district).strip()
        if cell in self.communes:
            return cell
        cands = self.commune_by_key.get(search_key(cell), [])
        if district:
            dk = search_key(district)
            exact = [c for c in cands if search_key(c["district"]) == dk]
            # "Tuần Giáo" for "Huyện Tuần Giáo": fall back to containment.
            cands = exact or [c for c in cands if dk and dk in search_key(c["district"])]
        if len(cands) == 1:
            return cands[0]["code"]
        raise InputError(f"{where}: commune {cell!r} ({district!r}) "
                         f"{'ambiguous' if cands else 'unknown'}")


def number_key(number: str):
    """'Greater number': the decision numbers compared as text (REPORT.md); only breaks exact ties."""
    return nfc(number)


def load_decisions(root: Path, resolver: Resolver) -> list[dict]:
    try:
        meta = json.loads((root / "decisions.json").read_text(encoding="utf-8-sig"))["decisions"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise InputError(f"decisions.json: {e}") from None
    decisions = []
    for i, d in enumerate(meta, 1):
        where = f"decisions.json[{i}]"
        try:
            number, csv_name = d["number"], d["csv"]
            signed = parse_day(d["signed_on"], f"{where}.signed_on")
            start, end = parse_day(d["from"], f"{where}.from"), parse_day(d["to"], f"{where}.to")
        except KeyError as e:
            raise InputError(f"{where}: missing {e}") from None
        table = read_csv_text(root / csv_name)
        if not table:
            raise InputError(f"{csv_name}: empty")
        header = [search_key(nfc(h)) for h in table[0]]
        try:
            ia, ic, idist = header.index("co quan"), header.index("xa"), header.index("huyen")
        except ValueError:
            raise InputError(f"{csv_name}: header must name Cơ quan, Xã, Huyện, got {table[0]}") from None
        pairs = set()
        for n, row in enumerate(table[1:], 2):
            if not row or all(not c.strip() for c in row):
                continue
            loc = f"{csv_name} row {n}"
            if len(row) <= max(ia, ic, idist):
                raise InputError(f"{loc}: {len(row)} cells")
            a = resolver.agency(row[ia], loc)
            c = resolver.commune(row[ic], row[idist], loc)
            pairs.add((a, c))
        decisions.append({"number": nfc(number), "signed": signed, "from": start, "to": end, "pairs": pairs})
    return decisions


def in_force(decisions: list[dict], day: dt.date):
    """Among the decisions whose period contains `day`, the latest period start; ties: latest
    signing date, then the greater number."""
    live = [d for d in decisions if d["from"] <= day <= d["to"]]
    if not live:
        return None
    return max(live, key=lambda d: (d["from"], d["signed"], number_key(d["number"])))


def load_visits(root: Path, agencies: dict, communes: dict) -> list[dict]:
    vdir = root / "visits"
    files = sorted(vdir.glob("*.json")) if vdir.is_dir() else []
    by_id: dict[str, dict] = {}
    order = []
    for f in files:
        code = f.stem
        if code not in agencies:
            raise InputError(f"visits/{f.name}: agency {code} is not in agencies.csv")
        try:
            items = json.loads(f.read_text(encoding="utf-8-sig"))
        except (OSError, ValueError) as e:
            raise InputError(f"visits/{f.name}: {e}") from None
        if not isinstance(items, list):
            raise InputError(f"visits/{f.name}: not a JSON array")
        for n, v in enumerate(items):
            where = f"visits/{f.name}[{n}]"
            try:
                vid = v.get("id") or f"{code}#{n}"
                commune = str(v["commune"]).strip()
                start = parse_local(v["start"], f"{where}.start")
                end = parse_local(v["end"], f"{where}.end")
                cadres = [search_key(nfc(c["name"])) for c in v.get("cadres", [])]
                plan = v.get("plan") or {}
                written = bool(plan.get("written", False))
                cats = [a["category"] for a in v.get("activities", [])]
                support = [it.get("value_vnd", 0) for it in v.get("support", [])]
            except (KeyError, TypeError, AttributeError) as e:
                raise InputError(f"{where}: malformed visit ({type(e).__name__}: {e})") from None
            if commune not in communes:
                raise InputError(f"{where}: unknown commune {commune!r}")
            if vid in by_id:
                if by_id[vid]["agency"] != code:
                    raise InputError(f"{where}: visit id {vid} also appears under {by_id[vid]['agency']}")
                print(f"note: {where}: visit {vid} repeated, the later revision counts", file=sys.stderr)
            else:
                order.append(vid)
            hours = (end - start).total_seconds() / 3600.0
            gift_only = len(support) > 0 and all(c == MATERIAL for c in cats)
            by_id[vid] = {
                "id": vid, "agency": code, "commune": commune, "start": start, "end": end,
                "start_day": start.date(), "end_day": end.date(), "hours": hours,
                "days": (end.date() - start.date()).days + 1,
                "cadres": {k for k in cadres if k}, "written": written, "categories": set(cats),
                "support_vnd": sum(support), "gift_only": gift_only,
            }
    return [by_id[i] for i in order]


# ---------------------------------------------------------------------------------------------
# The report


def category_sorted(cats) -> list[str]:
    return sorted(cats, key=lambda c: (CATEGORY_RANK.get(c, len(CATEGORIES)), c))


def is_token(v: dict, pol: dict) -> bool:
    tv = pol["token_visit"]
    return (v["hours"] < tv["min_hours_on_site"]
            or (tv["require_written_plan"] and not v["written"])
            or (tv["gift_only"] and v["gift_only"]))


def aggregate(visits: list[dict], pol: dict) -> dict:
    cadres, cats = set(), set()
    for v in visits:
        cadres |= v["cadres"]
        cats |= v["categories"]
    n = len(visits)
    return {
        "visits": n,
        "days_on_site": sum(v["days"] for v in visits),
        "hours_on_site": math.fsum(v["hours"] for v in visits),
        "cadres": len(cadres),
        "plan_share": (sum(1 for v in visits if v["written"]) / n) if n else None,
        "categories": category_sorted(cats),
        "support_vnd": sum(v["support_vnd"] for v in visits),
        "token_visits": sum(1 for v in visits if is_token(v, pol)),
    }


def build_report(root: Path, label: str, p_from: dt.date, p_to: dt.date, pol: dict, domain: str | None) -> dict:
    communes = load_communes(domain)
    agencies = load_agencies(root)
    resolver = Resolver(agencies, communes)
    decisions = load_decisions(root, resolver)
    visits = load_visits(root, agencies, communes)

    # Assignments in scope: those of every decision in force on at least one day of the period.
    in_scope: set[tuple[str, str]] = set()
    seen = set()
    day = p_from
    while day <= p_to:
        d = in_force(decisions, day)
        if d is not None and id(d) not in seen:
            seen.add(id(d))
            in_scope |= d["pairs"]
        day += dt.timedelta(days=1)

    in_period = [v for v in visits if p_from <= v["start_day"] <= p_to]
    by_pair: dict[tuple[str, str], list[dict]] = {}
    for v in in_period:
        by_pair.setdefault((v["agency"], v["commune"]), []).append(v)
    pairs = in_scope | set(by_pair)

    # Agency last visit: any visit that started on or before the period's end, also before it.
    last_any: dict[str, dt.date] = {}
    for v in visits:
        if v["start_day"] <= p_to:
            if v["agency"] not in last_any or v["end_day"] > last_any[v["agency"]]:
                last_any[v["agency"]] = v["end_day"]

    period_days = (p_to - p_from).days + 1
    share_min = pol["min_visits_for_share"]
    out_agencies = []
    for code in sorted({a for a, _ in pairs}, key=lambda c: (search_key(agencies[c]["name"]), agencies[c]["name"], c)):
        rows = []
        mine = sorted((c for a, c in pairs if a == code),
                      key=lambda c: (search_key(communes[c]["name"]), communes[c]["name"], c))
        all_visits = []
        for c in mine:
            vs = by_pair.get((code, c), [])
            all_visits += vs
            scope = (code, c) in in_scope
            row = {"code": c, "name": communes[c]["name"], "district": communes[c]["district"], "in_scope": scope}
            row.update(aggregate(vs, pol))
            row["last_visit"] = max(v["end_day"] for v in vs).isoformat() if vs else None
            row["flags"] = ["not_visited"] if scope and not vs else []
            rows.append(row)
        agg = aggregate(all_visits, pol)
        n = agg["visits"]
        category_visits = {}
        for cat in category_sorted({c for v in all_visits for c in v["categories"]}):
            category_visits[cat] = sum(1 for v in all_visits if cat in v["categories"])
        gift_only = sum(1 for v in all_visits if v["gift_only"])
        last = last_any.get(code)
        # A visit that started by the period's end may end after it: never silent below 0.
        days_silent = max(0, (p_to - last).days) if last is not None else period_days
        flags = []
        if days_silent > pol["silent_days"]:
            flags.append("silent")
        if n >= share_min and n > 0 and gift_only / n > pol["mostly_gifts_share"]:
            flags.append("mostly_gifts")
        if n >= share_min and n > 0 and agg["token_visits"] / n > pol["mostly_token_share"]:
            flags.append("token_visits")
        out_agencies.append({
            "code": code, "name": agencies[code]["name"],
            "communes_assigned": sum(1 for r in rows if r["in_scope"]),
            "communes_visited": sum(1 for r in rows if r["visits"] > 0),
            "visits": n, "days_on_site": agg["days_on_site"], "hours_on_site": agg["hours_on_site"],
            "cadres": agg["cadres"], "plan_share": agg["plan_share"], "categories": agg["categories"],
            "category_visits": category_visits, "support_vnd": agg["support_vnd"],
            "token_visits": agg["token_visits"], "gift_only_visits": gift_only,
            "last_visit": last.isoformat() if last else None, "days_silent": days_silent,
            "flags": flags, "communes": rows,
        })

    all_rows = [r for a in out_agencies for r in a["communes"]]
    n_visits = sum(a["visits"] for a in out_agencies)
    written = sum(1 for v in in_period if v["written"])
    per_month = {m: 0 for m in months_overlapping(p_from, p_to)}
    for v in in_period:
        per_month[v["start_day"].strftime("%Y-%m")] += 1
    province = {
        "agencies": len(out_agencies),
        "assignments": sum(1 for r in all_rows if r["in_scope"]),
        "assignments_visited": sum(1 for r in all_rows if r["in_scope"] and r["visits"] > 0),
        "assignments_not_visited": sum(1 for r in all_rows if "not_visited" in r["flags"]),
        "visits": n_visits,
        "days_on_site": sum(a["days_on_site"] for a in out_agencies),
        "hours_on_site": math.fsum(v["hours"] for v in in_period),
        "token_visits": sum(a["token_visits"] for a in out_agencies),
        "gift_only_visits": sum(a["gift_only_visits"] for a in out_agencies),
        "support_vnd": sum(a["support_vnd"] for a in out_agencies),
        "plan_share": written / len(in_period) if in_period else None,
        "agencies_silent": sum(1 for a in out_agencies if "silent" in a["flags"]),
        "agencies_mostly_gifts": sum(1 for a in out_agencies if "mostly_gifts" in a["flags"]),
        "agencies_mostly_token": sum(1 for a in out_agencies if "token_visits" in a["flags"]),
        "visits_per_month": [{"month": m, "visits": k} for m, k in per_month.items()],
    }
    assert n_visits == len(in_period)
    return {
        "period": {"label": label, "from": p_from.isoformat(), "to": p_to.isoformat()},
        "policy": pol,
        "province": province,
        "agencies": out_agencies,
    }


# ---------------------------------------------------------------------------------------------
# Comparison


def show(x) -> str:
    return json.dumps(x, ensure_ascii=False, sort_keys=True)


def is_int(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def is_num(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def close(e: float, a: float) -> bool:
    if not (math.isfinite(e) and math.isfinite(a)):
        return e == a
    return abs(e - a) <= max(1e-9 * max(abs(e), abs(a)), 1e-6)


class Comparer:
    def __init__(self):
        self.diffs: list[str] = []

    def diff(self, path: str, expected, actual):
        self.diffs.append(f"{path}: expected {expected} vs actual {actual}")

    def value(self, path: str, e, a, as_set=False, numeric=False):
        """numeric: any number matches an equal number (24 vs 24.0), for the policy's thresholds."""
        if numeric and is_num(e):
            if not is_num(a) or not close(float(e), float(a)):
                self.diff(path, show(e), show(a))
        elif as_set:
            if not isinstance(a, list):
                self.diff(path, show(e), show(a))
            elif sorted(map(show, e)) != sorted(map(show, a)) or len(set(map(show, a))) != len(a):
                missing = [x for x in e if x not in a]
                extra = [x for x in a if x not in e]
                detail = f" (missing {show(missing)}, extra {show(extra)})" if missing or extra else " (duplicates)"
                self.diff(path, show(e), show(a) + detail)
        elif isinstance(e, bool) or e is None or isinstance(e, str):
            if type(a) is not type(e) or a != e:
                self.diff(path, show(e), show(a))
        elif is_int(e):
            if not is_int(a) or a != e:
                self.diff(path, show(e), show(a) + ("" if is_int(a) or not is_num(a) else " (not an integer)"))
        elif isinstance(e, float):
            if not is_num(a) or not close(e, float(a)):
                self.diff(path, repr(e), show(a))
        elif isinstance(e, dict):
            if not isinstance(a, dict):
                self.diff(path, "an object", show(a))
                return
            for k, ev in e.items():
                if k not in a:
                    self.diff(f"{path}.{k}", show(ev), "(missing)")
                else:
                    self.value(f"{path}.{k}", ev, a[k], numeric=numeric)
        elif isinstance(e, list):
            if not isinstance(a, list) or len(a) != len(e):
                self.diff(path, show(e), show(a))
                return
            for i, (ev, av) in enumerate(zip(e, a)):
                self.value(f"{path}[{i}]", ev, av, numeric=numeric)
        else:
            raise AssertionError(f"unexpected value at {path}: {e!r}")

    def fields(self, path: str, keys: list[str], e: dict, a: dict):
        for k in keys:
            if k not in a:
                self.diff(f"{path}.{k}", show(e[k]), "(missing)")
            elif k == "category_visits":
                self.counts(f"{path}.{k}", e[k], a[k])
            else:
                self.value(f"{path}.{k}", e[k], a[k], as_set=k in SET_KEYS)

    def counts(self, path: str, e: dict, a):
        """category_visits: the expected object holds only non-zero counts; so must the actual one."""
        if not isinstance(a, dict):
            self.diff(path, show(e), show(a))
            return
        self.value(path, e, a)
        for k, av in a.items():
            if k not in e:
                self.diff(f"{path}.{k}", "absent (only non-zero counts are listed)", show(av))

    def keyed(self, path: str, e_list: list, a_list, key: str, what: str):
        """Match two lists of objects by `key`, ignoring order; return [(expected, actual)]."""
        if not isinstance(a_list, list):
            self.diff(path, f"a list of {len(e_list)} {what}", show(a_list)[:200])
            return []
        a_by: dict = {}
        for i, a in enumerate(a_list):
            k = a.get(key) if isinstance(a, dict) else None
            if k is None:
                self.diff(f"{path}[{i}]", f"a {what} with a {key}", show(a)[:200])
            elif k in a_by:
                self.diff(f"{path}[{k}]", "once", "listed twice")
            else:
                a_by[k] = a
        e_by = {e[key]: e for e in e_list}
        for k in e_by:
            if k not in a_by:
                self.diff(f"{path}[{k}]", f"{what} present", "missing")
        for k in a_by:
            if k not in e_by:
                self.diff(f"{path}[{k}]", f"no such {what}", f"extra {what}")
        return [(e_by[k], a_by[k]) for k in e_by if k in a_by]


def compare(expected: dict, actual, custom_period: bool) -> list[str]:
    c = Comparer()
    if not isinstance(actual, dict):
        return ["(root): expected a JSON object"]
    ap = actual.get("period")
    if not isinstance(ap, dict):
        c.diff("period", show(expected["period"]), show(ap))
    else:
        # A custom --from/--to period has no fixed label format: compare its dates only.
        c.fields("period", ["from", "to"] if custom_period else ["label", "from", "to"], expected["period"], ap)
    if "policy" not in actual:
        c.diff("policy", show(expected["policy"]), "(missing)")
    else:
        c.value("policy", expected["policy"], actual["policy"], numeric=True)

    ep, aprov = expected["province"], actual.get("province")
    if not isinstance(aprov, dict):
        c.diff("province", "an object", show(aprov)[:200])
    else:
        c.fields("province", PROVINCE_KEYS, ep, aprov)
        em = ep["visits_per_month"]
        for e, a in c.keyed("province.visits_per_month", em, aprov.get("visits_per_month"), "month", "month"):
            c.value(f"province.visits_per_month[{e['month']}].visits", e["visits"], a.get("visits"))
        am = aprov.get("visits_per_month")
        if isinstance(am, list):
            months = [x.get("month") for x in am if isinstance(x, dict)]
            wanted = [x["month"] for x in em]
            if sorted(months, key=str) == sorted(wanted) and months != wanted:
                c.diff("province.visits_per_month", "months in order", "months out of order")

    for e, a in c.keyed("agencies", expected["agencies"], actual.get("agencies"), "code", "agency"):
        path = f"agencies[{e['code']}]"
        c.fields(path, AGENCY_KEYS, e, a)
        for er, ar in c.keyed(f"{path}.communes", e["communes"], a.get("communes"), "code", "row"):
            c.fields(f"{path}.communes[{er['code']}]", ROW_KEYS, er, ar)
    return c.diffs


# ---------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Expected compliance report (Protocol/REPORT.md) over a datagen directory.")
    p.add_argument("data_dir", metavar="DATA_DIR")
    p.add_argument("--period", help="YYYY, YYYY-H1 or YYYY-H2")
    p.add_argument("--from", dest="date_from", metavar="dd/mm/yyyy")
    p.add_argument("--to", dest="date_to", metavar="dd/mm/yyyy")
    p.add_argument("--policy", help="policy JSON (missing keys take the defaults)")
    p.add_argument("--compare", metavar="ACTUAL_JSON", help="compare with this report instead of printing")
    p.add_argument("--domain", help="folder with dien-bien-communes-2017.csv (default: ../shared/domain "
                                    "beside the repository, else the copy in EmbeddedCSV.swift)")
    args = p.parse_args(argv)
    if bool(args.period) == bool(args.date_from or args.date_to):
        p.error("give either --period or both --from and --to")
    if not args.period and not (args.date_from and args.date_to):
        p.error("--from and --to go together")

    try:
        pol = load_policy(args.policy)
        label, p_from, p_to = resolve_period(args, pol)
        report = build_report(Path(args.data_dir), label, p_from, p_to, pol, args.domain)
    except InputError as e:
        print(f"expected_report: {e}", file=sys.stderr)
        return 2

    if not args.compare:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0

    try:
        actual = json.loads(Path(args.compare).read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as e:
        print(f"expected_report: cannot read {args.compare}: {e}", file=sys.stderr)
        return 2
    diffs = compare(report, actual, custom_period=not args.period)
    if diffs:
        for d in diffs[:50]:
            print(d, file=sys.stderr)
        more = f" ({len(diffs) - 50} not shown)" if len(diffs) > 50 else ""
        print(f"report differs: {len(diffs)} difference{'s' if len(diffs) != 1 else ''}{more}", file=sys.stderr)
        return 1
    rows = sum(len(a["communes"]) for a in report["agencies"])
    print(f"report matches: {len(report['agencies'])} agencies, {rows} rows, "
          f"{report['province']['visits']} visits", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
