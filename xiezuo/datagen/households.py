"""A realistic monitoring registry over the western former poverty counties.

At scale 1: about 3 million households (some 6,500 per former poverty county, each county's
share drawn between half and one and a half times the mean) and about 10 million members,
in villages of some 150 households under townships of some 12 villages; two income records
per household (the 12 months ending last month and a year before that, with a monthly
update for about a tenth); about 5 % monitored in the three categories with their decided
cases and help measures, 2 % whose risk was eliminated, 0.5 % being identified with an open
case at some step; a monitoring line per western province for this year and last.

Personal fields are encrypted and indexed exactly as the actions do (`Member.prepare`,
`EncryptedTextField`), so the screening, the search and the pages meet what production
holds. ID numbers are generated (`make_id_number`) from the county, a birth date and a
sequence free for that date in the county: never a real person's, unique nationally.
Rows go in with COPY (`datagen.bulkload.copy_rows`); one audit entry records the load.
"""
import datetime
import random
import time

from django.db import connection, transaction
from django.utils import timezone

from xiezuo.core.audit import record_bulk
from xiezuo.core.personal.crypto import blind_index, encrypt
from xiezuo.core.personal.idnumbers import make_id_number
from xiezuo.datagen.bulkload import copy_rows
from xiezuo.households.models import (Case, CaseStep, HelpMeasure, Household, IncomeRecord, Member, MonitoringLine,
                                      Village, name_key)
from xiezuo.households.screening import add_months
from xiezuo.regions.models import Region

HOUSEHOLDS_PER_COUNTY = 6500  # × 462 western former poverty counties ≈ 3 million at scale 1
SURNAMES = "阿依 吉克 沙马 俄木 曲比 阿苦 海来 吉伍 马海 的日 王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗".split()
GIVEN = "拉且 木呷 阿呷 石者 尔古 友布 伍沙 日哈 克惹 依洛 建国 秀英 桂兰 志强 海燕 小芳 明 伟 芳 军 丽 勇 静 杰 娟 强 磊 艳".split()
TOWNSHIP_SUFFIX = ["乡", "镇"]
VILLAGE_SUFFIX = ["村"]


# Incomes, calibrated so that the screening flags about as many households as the policy
# monitors. What is assumed (orders of magnitude from public figures, not exact statistics):
# - monitoring objects (防止返贫监测对象) are some 5–7 million people nationally in 2023–24, against
#   some 480–500 million rural residents, i.e. 1–1.5 % nationally; in the western former poverty
#   counties, where most of them live, a few percent of rural households: the generator keeps
#   about 5 % monitored and 2 % exited (above);
# - most monitored households have been helped above the line (help measures, 兜底 transfers),
#   so only a part of them are still under it at a screening: the flags "below the line" should
#   be some 1–3 % of households and "near the line" (up to 150 % of it, the default) some 3–6 %;
# - the others' per-capita disposable income follows the former poverty counties' rural
#   distribution: a median near 16,000 yuan (2023: 16,396 yuan per rural resident of the former
#   poverty counties) and a log-normal spread; the screening exists to find the few that fell
#   unnoticed, so a household drawn under the near line stays there with probability 7 %
#   (the rest are drawn again: they would have been found and be monitored).
# Per category, as multiples of the province's line: monitored 35 % in [0.7, 1.0), 45 % in
# [1.0, 1.5), 20 % in [1.5, 2.0); being identified: half under, half near; exited: [1.3, 2.2).
# (The near line taken is the province's own percent, 150 unless set otherwise.)
# Expected at seed 2026: below ≈ 2 %, near ≈ 4 % of households (the report in the commit).
MEDIAN_YUAN, SPREAD, UNNOTICED = 16_000, 0.38, 0.07


def _per_capita_fen(rng, status: str, line_fen: int, near_percent: int = 150) -> int:
    if status == "monitored":
        u = rng.random()
        factor = rng.uniform(0.7, 1.0) if u < 0.35 else rng.uniform(1.0, 1.5) if u < 0.8 else rng.uniform(1.5, 2.0)
        return int(line_fen * factor)
    if status == "identifying":
        return int(line_fen * (rng.uniform(0.6, 1.0) if rng.random() < 0.5 else rng.uniform(1.0, 1.5)))
    if status == "exited":
        return int(line_fen * rng.uniform(1.3, 2.2))
    while True:
        fen = int(rng.lognormvariate(0, SPREAD) * MEDIAN_YUAN * 100)
        if fen * 100 >= line_fen * near_percent or rng.random() < UNNOTICED:
            return fen


def _tables():
    return {m: m._meta.db_table for m in (Village, Household, Member, IncomeRecord, Case, CaseStep, HelpMeasure)}


def _next_id(model) -> int:
    with connection.cursor() as cur:
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")
        return cur.fetchone()[0] + 1


def _reset_sequence(model):
    if connection.vendor == "postgresql":
        table = model._meta.db_table
        with connection.cursor() as cur:
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1))")


def generate(scale: float = 1.0, seed: int = 2026, today: datetime.date | None = None, log=print) -> dict:
    rng = random.Random(seed)
    today = today or timezone.localdate()
    month = today.replace(day=1)
    counties = list(Region.objects.filter(level="county", role="west", former_poverty=True).order_by("code"))
    if not counties:
        raise RuntimeError("no western former poverty counties: run load_regions first")
    started = time.perf_counter()
    counts = {}
    with transaction.atomic():
        for province in {c.code[:2] for c in counties}:
            region = Region.objects.get(code=province + "0000")
            for year in (today.year - 1, today.year):
                MonitoringLine.objects.get_or_create(region=region, year=year, defaults=dict(
                    line_fen=(7_200 + 100 * (int(province) % 7) + 300 * (year - today.year + 1)) * 100,
                    note="generated"))
        # this year's line of each province: what the incomes are drawn against (see `_per_capita_fen`)
        lines = {(r.region.code[:2], r.year): (r.line_fen, r.near_percent) for r in MonitoringLine.objects.filter(
            year=today.year, region__level="province").select_related("region")}
        ids = {m: _next_id(m) for m in (Village, Household, Member, IncomeRecord, Case, CaseStep, HelpMeasure)}
        rows = {m: [] for m in ids}
        for model in rows:
            counts[model._meta.model_name] = 0
        now = timezone.now()

        def flush(force=False):
            for model, buf in rows.items():
                if buf and (force or len(buf) >= 50_000):
                    counts[model._meta.model_name] += copy_rows(model._meta.db_table, COLUMNS[model], buf)
                    buf.clear()

        for county in counties:
            n = max(1, int(HOUSEHOLDS_PER_COUNTY * scale * rng.uniform(0.5, 1.5)))
            used = set()
            # what the county holds already (the demo's, an earlier run's): never generated twice
            taken_codes = set(Village.objects.filter(county=county).values_list("code", flat=True))
            taken_ids = set(Member.objects.filter(household__county=county, id_index__isnull=False)
                            .values_list("id_index", flat=True))
            villages = []
            n_villages = max(1, n // 150)
            slot = 0
            for v in range(n_villages):
                while True:
                    code = f"{county.code}{201 + slot // 12:03d}{201 + slot % 12:03d}"
                    slot += 1
                    if code not in taken_codes:
                        break
                vid = ids[Village]; ids[Village] += 1
                tname = f"{rng.choice(GIVEN)}{rng.choice(TOWNSHIP_SUFFIX)}"
                rows[Village].append((vid, code, f"{rng.choice(GIVEN)}{rng.choice(VILLAGE_SUFFIX)}", code[:9], tname, county.id, False))
                villages.append((vid, code))
            for k in range(n):
                vid, vcode = villages[k % n_villages]
                hid = ids[Household]; ids[Household] += 1
                size = rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 6))
                draw = rng.random()
                status, category, identified, exited = "normal", "", None, None
                if draw < 0.05:
                    status, category = "monitored", rng.choice(("unstable", "marginal", "marginal", "sudden"))
                    identified = today - datetime.timedelta(days=rng.randint(1, 900))
                elif draw < 0.07:
                    status, category = "exited", rng.choice(("unstable", "marginal", "sudden"))
                    identified = today - datetime.timedelta(days=rng.randint(400, 1400))
                    exited = identified + datetime.timedelta(days=rng.randint(180, 380))
                elif draw < 0.075:
                    status = "identifying"
                housing, water = rng.random() > 0.01, rng.random() > 0.015
                rows[Household].append((hid, f"{vcode}{k:05d}", county.id, vid, vcode, encrypt(f"{k % 9 + 1}组{k % 40 + 1}号"),
                                        "", size, rng.random() < 0.45, housing, water, status, category, identified, exited,
                                        None, None, 0, False, now, 1, "address"))
                for j in range(size):
                    while True:
                        born = datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randint(0, 30_000))
                        seq = rng.randint(0, 899)  # 900–999 are the demo's
                        if (born, seq) not in used:
                            used.add((born, seq))
                            number = make_id_number(county.code, born, seq)
                            if not taken_ids or blind_index("id", number) not in taken_ids:
                                break
                    phone = f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}" if j < 2 else ""
                    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
                    relation = "head" if j == 0 else "spouse" if j == 1 else rng.choice(("child", "child", "parent", "grandchild"))
                    rows[Member].append((ids[Member], hid, relation, encrypt(name), name_key(name), encrypt(number), blind_index("id", number),
                                         encrypt(phone), blind_index("phone", phone) if phone else "",
                                         "M" if int(number[16]) % 2 else "F", born, "healthy" if rng.random() > 0.08 else "chronic",
                                         "", "", "farming", rng.random() < 0.003, rng.random() > 0.004, True, False,
                                         1 if phone else 1, "name,id_number,phone" if phone else "name,id_number"))
                    ids[Member] += 1
                per_capita = _per_capita_fen(rng, status, *lines[(county.code[:2], today.year)])
                income = per_capita * size
                costs = int(income * rng.uniform(0.6, 0.9)) if rng.random() < 0.01 else int(income * rng.uniform(0, 0.1))
                before = int(income * (rng.uniform(1.5, 2.2) if rng.random() < 0.02 else rng.uniform(0.85, 1.05)))
                for m_end, total, cost in ((add_months(month, -13), before, int(before * 0.05)), (add_months(month, -1), income, costs)):
                    rows[IncomeRecord].append((ids[IncomeRecord], hid, m_end, size, total * 55 // 100, total * 30 // 100,
                                               total * 3 // 100, total - total * 88 // 100, cost * 7 // 10, cost * 2 // 10,
                                               cost - cost * 9 // 10, False))
                    ids[IncomeRecord] += 1
                if rng.random() < 0.1:  # a monthly update
                    rows[IncomeRecord].append((ids[IncomeRecord], hid, add_months(month, -2), size, income * 55 // 100,
                                               income * 30 // 100, income * 3 // 100, income - income * 88 // 100, 0, 0, 0, False))
                    ids[IncomeRecord] += 1
                if status != "normal":
                    _case_rows(rng, rows, ids, hid, status, category, identified, exited, today, county)
            flush()
        flush(force=True)
        for model in ids:
            _reset_sequence(model)
        record_bulk("households.household", f"registry generated (scale {scale}, seed {seed})",
                    count=counts["household"])
        from xiezuo.households import totals  # the figures' summary, refilled from the rows copied

        totals.rebuild()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for model in (Household, Member, IncomeRecord, Case):
                cur.execute(f"ANALYZE {model._meta.db_table}")
    counts["seconds"] = round(time.perf_counter() - started, 1)
    log(f"households generated: {counts}")
    return counts


def _case_rows(rng, rows, ids, hid, status, category, identified, exited, today, county):
    def case(kind, clue, step, decision, decided, due):
        cid = ids[Case]; ids[Case] += 1
        rows[Case].append((cid, hid, kind, rng.choice(("application", "cadre", "department")), "", clue, clue, "户主", category,
                           step, due, clue + datetime.timedelta(days=15), None, None, 0, None, decision, decided, None, False))
        return cid

    def steps(cid, clue, upto):
        day = clue
        for step in ("clue", "visit", "review", "notice", "township", "county")[:upto]:
            rows[CaseStep].append((ids[CaseStep], cid, step, day, None, False, None, "村委会" if step in ("review", "notice") else "驻村第一书记",
                                   "", True))
            ids[CaseStep] += 1
            day += datetime.timedelta(days=rng.randint(1, 3))

    if status == "identifying":
        clue = today - datetime.timedelta(days=rng.randint(0, 20))
        upto = rng.randint(1, 5)
        step = ("visit", "review", "notice", "township", "county")[upto - 1]
        due = clue + datetime.timedelta(days={"visit": 3, "review": 6, "notice": 12, "township": 13, "county": 15}[step])
        steps(case("identify", clue, step, "", None, due), clue, upto)
        return
    clue = identified - datetime.timedelta(days=rng.randint(6, 15))
    steps(case("identify", clue, "closed", "approved", identified, None), clue, 6)
    for kind in rng.sample(("employment", "project", "insurance", "medical", "education", "social"), rng.randint(1, 2)):
        rows[HelpMeasure].append((ids[HelpMeasure], hid, None, kind, None, "generated", 0, identified, None, None, "监测专干", False))
        ids[HelpMeasure] += 1
    if exited:
        clue = exited - datetime.timedelta(days=rng.randint(6, 15))
        steps(case("exit", clue, "closed", "approved", exited, None), clue, 6)


COLUMNS = {
    Village: ["id", "code", "name", "township_code", "township_name", "county_id", "is_demo"],
    Household: ["id", "number", "county_id", "village_id", "village_code", "address", "bank_account", "size", "formerly_poor",
                "housing_safe", "water_safe", "status", "category", "identified_on", "exited_on", "erased_on", "client_id",
                "client_ns", "is_demo", "created_at", "personal_revision", "personal_changed"],
    Member: ["id", "household_id", "relation", "name", "name_index", "id_number", "id_index", "phone", "phone_index", "sex", "birth_date",
             "health", "health_note", "education", "employment", "out_of_school", "medical_insured", "active", "is_demo",
             "personal_revision", "personal_changed"],
    IncomeRecord: ["id", "household_id", "month", "persons", "wages_fen", "production_fen", "property_fen", "transfer_fen",
                   "medical_cost_fen", "education_cost_fen", "other_cost_fen", "is_demo"],
    Case: ["id", "household_id", "kind", "channel", "source", "clue_on", "consent_on", "consent_by", "proposed_category", "step",
           "step_due", "decision_due", "notice_from", "notice_to", "escalation", "escalated_on", "decision", "decided_on",
           "created_by_id", "is_demo"],
    CaseStep: ["id", "case_id", "step", "done_on", "due_on", "late", "by_id", "post", "finding", "passed"],
    HelpMeasure: ["id", "household_id", "member_id", "kind", "project_id", "description", "amount_fen", "started_on", "ended_on",
                  "by_id", "post", "is_demo"],
}
