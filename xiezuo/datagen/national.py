"""A realistic national dataset over the real region tree and the real province pairings.

At scale 1.0: every western county of the ten western provinces paired with an eastern
county of its partner province; the five years ending with this one, agreements whose fiscal aid sums
to about 230亿元 a year; about 100,000 projects with milestones and about 5 million weekly
reports; about 25,000 professionals and 3,000 cadres dispatched a year. Smaller scales
serve the demo and the tests. Everything generated is marked is_demo and its pairings carry
the source note "generated", so it is never mistaken for real data.
"""
import datetime
import random
import time
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone, translation

from xiezuo.core.audit import record_bulk
from xiezuo.core.periods import monday_of
from xiezuo.ledger import generate as ledger_generate
from xiezuo.orgs.credit_code import make_credit_code
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Agreement, Pairing
from xiezuo.projects.choices import Category
from xiezuo.projects.models import Project
from xiezuo.regions.models import Region

from .bulkload import copy_rows, foreign_keys_set_aside

FISCAL_AID_PER_YEAR_FEN = 230_0000_0000_00  # 230亿元
PROJECTS_TOTAL = 100_000
REPORTS_TOTAL = 5_000_000
PROFESSIONALS_PER_YEAR = 25_000
CADRES_PER_YEAR = 3_000
GENERATED = "generated"
# the tables written in bulk: their foreign keys are checked once, after the load
BULK_TABLES = ("projects_project", "projects_milestone", "projects_progressreport", "projects_projectoutput", "people_dispatch",
               "ledger_account", "ledger_posting", "ledger_entry")
CATEGORY_WEIGHTS = [
    (Category.INDUSTRY, 40), (Category.LABOUR, 12), (Category.CONSUMPTION, 12), (Category.TALENT, 8),
    (Category.SOCIAL, 10), (Category.ECOLOGICAL, 6), (Category.INNOVATION, 5), (Category.PARK, 7),
]


@dataclass
class Report:
    counts: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)

    def add(self, name, n, t0):
        self.counts[name] = self.counts.get(name, 0) + n
        self.seconds[name] = round(self.seconds.get(name, 0) + time.perf_counter() - t0, 2)


_monday = monday_of


def _quarter_end(d):
    """The last day of the quarter containing `d`."""
    first_of_next = datetime.date(d.year + (d.month > 9), (d.month - 1) // 3 * 3 % 12 + 4 if d.month <= 9 else 1, 1)
    return first_of_next - datetime.timedelta(days=1)


def ensure_county_pairings(rng: random.Random) -> list[Pairing]:
    """Pair every western county with an eastern county of a partner province."""
    existing = {(p.west_region_id) for p in Pairing.objects.filter(kind="county")}
    start = datetime.date(2021, 1, 1)
    new = []
    province_pairs = list(Pairing.objects.filter(kind="province").select_related("east_region", "west_region"))
    by_west = {}
    for p in province_pairs:
        by_west.setdefault(p.west_region.province_code, []).append(p.east_region.province_code)
    for west_pc, east_pcs in sorted(by_west.items()):
        west_counties = list(Region.objects.filter(province_code=west_pc, level="county").order_by("code"))
        east_pools = {pc: list(Region.objects.filter(province_code=pc, level="county").order_by("code")) for pc in east_pcs}
        for i, county in enumerate(west_counties):
            if county.id in existing:
                continue
            east_pc = east_pcs[i % len(east_pcs)]
            pool = east_pools[east_pc]
            east = pool[(i // len(east_pcs)) % len(pool)]
            new.append(Pairing(kind="county", east_region=east, west_region=county, valid_from=start,
                               source_note=GENERATED, is_demo=True))
    Pairing.objects.bulk_create(new, batch_size=2000)
    return list(Pairing.objects.filter(kind="county").select_related("east_region", "west_region"))


def ensure_offices(regions) -> dict[int, Organisation]:
    have = {o.region_id: o for o in Organisation.objects.filter(kind="office", region__in=regions)}
    seq = Organisation.objects.count() + 1
    new = []
    for r in regions:
        if r.id not in have:
            new.append(Organisation(name=f"{r.name}东西部协作办公室", kind="office", region=r, is_demo=True,
                                    credit_code=make_credit_code(f"12{r.code}MB{seq:07d}"[:17])))
            seq += 1
    Organisation.objects.bulk_create(new, batch_size=2000)
    return {o.region_id: o for o in Organisation.objects.filter(kind="office", region__in=regions)}


def generate(scale: float = 1.0, seed: int = 2021, today: datetime.date | None = None, log=print) -> Report:
    """Everything in one transaction; the commit is timed on its own, because PostgreSQL
    checks the deferred foreign keys of every copied row then."""
    timings = {}
    with translation.override("zh-hans"):  # generated names use the Chinese labels
        with transaction.atomic():
            with foreign_keys_set_aside(BULK_TABLES, timings):
                report = _generate(scale, seed, today, log)
            for name, (n, t0) in timings.items():
                report.add(f"{name} (checked)", n, t0)
            t0 = time.perf_counter()
        report.add("commit", 0, t0)
    if connection.vendor == "postgresql":
        t0 = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        report.add("analyze", 0, t0)
    return report


def _generate(scale: float = 1.0, seed: int = 2021, today: datetime.date | None = None, log=print) -> Report:
    rng = random.Random(seed)
    report = Report()
    today = today or timezone.localdate()
    YEARS = tuple(range(today.year - 4, today.year + 1))  # five years ending with this one

    t0 = time.perf_counter()
    pairs = ensure_county_pairings(rng)
    offices = ensure_offices({p.east_region for p in pairs} | {p.west_region for p in pairs})
    report.add("county pairings", len(pairs), t0)
    weights = {p.id: (3 if p.west_region.key_assistance else 2 if p.west_region.former_poverty else 1) for p in pairs}
    log(f"pairings {len(pairs)}, offices {len(offices)}")

    t0 = time.perf_counter()
    have = dict(((pid, y), fen) for pid, y, fen in
                Agreement.objects.filter(pairing__in=pairs).values_list("pairing_id", "year", "fiscal_aid_fen"))
    rows = []
    aid = {}
    for year in YEARS:
        # The year's total commitment is the published figure: agreements already there
        # (the demo's province and county agreements) count towards it, and the rest is
        # shared among the county pairs without one, weighted by tier. The ledger moves
        # each county pair's agreed amount.
        target = int(FISCAL_AID_PER_YEAR_FEN * scale) if scale < 1 else FISCAL_AID_PER_YEAR_FEN
        already = Agreement.objects.filter(year=year).aggregate(s=Sum("fiscal_aid_fen"))["s"] or 0
        budget = remaining = max(0, target - already)
        todo = [p for p in pairs if (p.id, year) not in have]
        year_weight = sum(weights[p.id] for p in todo) or 1
        for p in pairs:
            if (p.id, year) in have:
                aid[(p.id, year)] = have[(p.id, year)]
        for i, p in enumerate(todo):
            share = budget * weights[p.id] // year_weight if i < len(todo) - 1 else remaining
            remaining -= share
            aid[(p.id, year)] = share
            rows.append(Agreement(pairing=p, year=year, fiscal_aid_fen=share, funds_due_date=datetime.date(year, 6, 30),
                                  cadres=rng.randint(1, 4), professionals=rng.randint(15, 40), labour_placements=rng.randint(300, 1500),
                                  consumption_fen=share * rng.randint(30, 50) // 10, projects=rng.randint(15, 30),
                                  signed_on=datetime.date(year, 3, 1), note=GENERATED, is_demo=True))
    Agreement.objects.bulk_create(rows, batch_size=5000)
    report.add("agreements", len(rows), t0)

    n_projects = max(len(YEARS), int(PROJECTS_TOTAL * scale))
    reports_per_project = REPORTS_TOTAL / PROJECTS_TOTAL
    cats = [c for c, w in CATEGORY_WEIGHTS for _ in range(w)]
    prefix = f"N{seed}"
    start_id = (Project.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1

    t0 = time.perf_counter()
    project_rows, meta = [], []
    for i in range(n_projects):
        year = YEARS[i % len(YEARS)]
        p = pairs[rng.randrange(len(pairs))]
        start = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(300))
        weeks = max(4, int(rng.gauss(reports_per_project * 1.1, 12)))
        end = start + datetime.timedelta(weeks=weeks)
        cat = cats[rng.randrange(len(cats))]
        late = rng.random() < 0.12
        if end < today:
            status = "completed" if not late else "in_progress"
        elif start <= today:
            status = "in_progress"
        else:
            status = "planned"
        if rng.random() < 0.02:
            status = "cancelled"
        last_week = min(_monday(today), _monday(end)) if start <= today else None
        pct = 100 if status == "completed" else min(99, max(0, int(100 * (min(today, end) - start).days / max(1, (end - start).days))))
        pid = start_id + i
        project_rows.append((pid, f"{prefix}-{pid:07d}", f"{p.west_region.name}{cat.label}项目{pid}", cat,
                             "forward" if cat == Category.PARK and rng.random() < 0.5 else "", p.west_region_id, p.id, status,
                             start, end, start if status != "planned" else None, end if status == "completed" else None,
                             "", pct if status != "planned" else 0, last_week if status not in ("planned",) else None, True))
        meta.append((pid, start, end, status, late, p))
    cols = ["id", "code", "name", "category", "enclave", "county_id", "pairing_id", "status", "planned_start", "planned_end",
            "actual_start", "actual_end", "description", "percent_done", "last_report_week", "is_demo"]
    copy_rows("projects_project", cols, iter(project_rows))
    _reset_sequence("projects_project")
    report.add("projects", len(project_rows), t0)
    log(f"projects {len(project_rows)}")

    t0 = time.perf_counter()

    def milestones():
        for pid, start, end, status, late, _p in meta:
            span = (end - start).days
            for seq in (1, 2, 3):
                planned = start + datetime.timedelta(days=span * seq // 3)
                done = None
                if planned <= today and status != "cancelled":
                    slip = rng.randint(20, 60) if late else rng.randint(-5, 10)
                    done = planned + datetime.timedelta(days=slip)
                    if done > today or (late and status == "in_progress" and seq == 3):
                        done = None
                yield (pid, seq, ("开工", "主体完工", "竣工验收")[seq - 1], planned, done)

    n = copy_rows("projects_milestone", ["project_id", "seq", "name", "planned_date", "actual_date"], milestones())
    report.add("milestones", n, t0)

    t0 = time.perf_counter()

    def reports():
        now = timezone.now()
        for pid, start, end, status, late, _p in meta:
            if status == "planned":
                continue
            week = _monday(start)
            last = min(_monday(today), _monday(end))
            total = max(1, (last - week).days // 7 + 1)
            k = 0
            while week <= last:
                k += 1
                pct = min(100, 100 * k // total)
                yield (pid, week, pct, "按计划推进", "", now, None)
                week += datetime.timedelta(days=7)

    n = copy_rows("projects_progressreport", ["project_id", "week", "percent", "done", "problems", "reported_at", "client_id"], reports())
    report.add("weekly reports", n, t0)
    log(f"weekly reports {n}")

    t0 = time.perf_counter()

    def outputs():
        """Quarterly output reports while a project runs (cumulative figures as of each
        quarter's end that has passed): jobs, procurement (local never above total) and,
        for industry, innovation and talent projects, technology-transfer money."""
        for pid, start, end, status, _late, _p in meta:
            if status in ("planned", "cancelled") or start > today:
                continue
            cat = cat_of[pid]
            scale_fen = rng.randint(50, 2000) * 10_000_00  # 50万–2000万元 of purchases over the project
            local_share = rng.randint(15, 75)
            tech = cat in (Category.INDUSTRY, Category.INNOVATION, Category.TALENT) and rng.random() < 0.4
            tech_invest = rng.randint(20, 500) * 10_000_00 if tech else 0
            tech_return = rng.randint(0, 25)
            last = min(today, end + datetime.timedelta(days=92))
            day = _quarter_end(start)
            span = max(1, (min(end, last) - start).days)
            while day <= last:
                done = min(1.0, max(0.05, (day - start).days / span))
                total = int(scale_fen * done)
                yield (pid, day, int(rng.randint(5, 80) * done), total * local_share // 100, total,
                       int(tech_invest * tech_return * done) // 100, int(tech_invest * done))
                day = _quarter_end(day + datetime.timedelta(days=1))

    cat_of = {row[0]: row[3] for row in project_rows}
    n = copy_rows("projects_projectoutput", ["project_id", "as_of", "jobs_created", "local_procurement_fen", "total_procurement_fen",
                                             "tech_income_fen", "tech_investment_fen"], outputs())
    report.add("output reports", n, t0)

    t0 = time.perf_counter()
    kinds = ["education"] * 35 + ["medical"] * 30 + ["agriculture"] * 20 + ["science"] * 10 + ["other"] * 5

    def dispatches():
        k = 0
        for year in YEARS:
            for j in range(int((PROFESSIONALS_PER_YEAR + CADRES_PER_YEAR) * scale)):
                k += 1
                p = pairs[rng.randrange(len(pairs))]
                cadre = j < CADRES_PER_YEAR * scale
                kind = "cadre" if cadre else kinds[rng.randrange(len(kinds))]
                w2e = rng.random() < 0.15
                east, west = offices[p.east_region_id], offices[p.west_region_id]
                start = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(200))
                end = start + datetime.timedelta(days=rng.choice((182, 365, 730)))
                actual_end = None
                if end <= today:
                    actual_end = end if rng.random() > 0.06 else start + datetime.timedelta(days=rng.randrange(30, 150))
                yield (f"干部{k}" if cadre else f"人才{k}", "", kind, "w2e" if w2e else "e2w",
                       (west if w2e else east).id, (east if w2e else west).id, p.id, start, end, start, actual_end, None, True)

    n = copy_rows("people_dispatch", ["person_name", "id_number", "kind", "direction", "from_org_id", "to_org_id", "pairing_id",
                                      "planned_start", "planned_end", "actual_start", "actual_end", "client_id", "is_demo"], dispatches())
    report.add("dispatch records", n, t0)

    t0 = time.perf_counter()
    n = ledger_generate.generate_flows(meta=meta, aid=aid, offices=offices, pairs=pairs, rng=rng, today=today)
    report.add("ledger entries", n, t0)

    record_bulk("projects.project", f"national dataset generated (scale {scale}, seed {seed})", count=sum(report.counts.values()))
    return report


def _reset_sequence(table: str):
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
