"""A realistic national dataset over the real region tree and the real province pairings.

At scale 1.0: every western county of the ten western provinces paired with an eastern
county of its partner province; the five years ending with this one, agreements whose fiscal aid sums
to about 230亿元 a year; about 100,000 projects with milestones and about 5 million weekly
reports; about 25,000 professionals and 3,000 cadres dispatched a year. Smaller scales
serve the demo and the tests. Everything generated is marked is_demo and its pairings carry
the source note "generated", so it is never mistaken for real data.

The data must look like the real work, or the closed loop computed on it is noise:

* Each county pairing has a standing (`Profile`): most pairs perform, a minority lag, a
  few fail (`TIERS`); a pair keeps its standing from year to year, with an occasional move
  up or down. Everything the assessment reads follows it — how much of the agreement is
  dispatched, how many professionals leave early, how many milestones slip, how much of the
  money arrives by its due date, how much of a project's procurement is local, what
  technology transfer returns — each with its own scatter, so a performing pair can still
  have a bad quarter.
* Commitments are planned before anything is dispatched, and what is dispatched is drawn
  from them: a county pair commits cadres and professionals in proportion to its tier
  weight, and the commitments of the province and city agreements already on the platform
  (the demo's) are shared out over the county pairs nested in them, so a province pair's
  commitment is met (or missed) by the work of its counties, as in reality. Nobody is
  committed to a county that receives nobody, except by the shortfall of its standing.
* Terms of professionals and cadres run within the agreement year, and a completed project
  ends when its acceptance milestone is reached, never before.
* The channels are part of the agreement: a county pair commits labour placements and
  consumption purchases (the published national totals, scaled, shared by tier weight), and
  its western county's workers are placed, its products bought by its eastern county's
  buyers and technology licensed from its eastern county according to its standing
  (`channels`), drawn from a generator of their own so the rest of the world stays as it was.
"""
import datetime
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone, translation

from xiezuo.core.audit import record_bulk
from xiezuo.core.periods import monday_of
from xiezuo.ledger import generate as ledger_generate
from xiezuo.orgs.credit_code import make_credit_code
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Agreement, Pairing
from xiezuo.projects.choices import Category
from xiezuo.projects.models import Project
from xiezuo.regions.models import Region, subtree_prefix

from . import channels
from .bulkload import copy_rows, foreign_keys_set_aside

FISCAL_AID_PER_YEAR_FEN = 230_0000_0000_00  # 230亿元
LABOUR_PER_YEAR = 815_000  # rural workers placed through labour cooperation in 2024 (81.5万)
CONSUMPTION_PER_YEAR_FEN = 1129_0000_0000_00  # western products bought or sold in 2024 (1,129亿元)
PROJECTS_TOTAL = 100_000
REPORTS_TOTAL = 5_000_000
PROFESSIONALS_PER_YEAR = 25_000
CADRES_PER_YEAR = 3_000
GENERATED = "generated"
# the tables written in bulk: their foreign keys are checked once, after the load
BULK_TABLES = ("projects_project", "projects_milestone", "projects_progressreport", "projects_projectoutput", "people_dispatch",
               "ledger_account", "ledger_posting", "ledger_entry", "labour_worker", "labour_placement", "labour_retentioncheck",
               "consumption_product", "consumption_certificate", "consumption_buyer", "consumption_purchase")
CATEGORY_WEIGHTS = [
    (Category.INDUSTRY, 40), (Category.LABOUR, 12), (Category.CONSUMPTION, 12), (Category.TALENT, 8),
    (Category.SOCIAL, 10), (Category.ECOLOGICAL, 6), (Category.INNOVATION, 5), (Category.PARK, 7),
]
REGION_PAIRING_KINDS = ("province", "prefecture")
SECTOR_PAIRING_KINDS = ("school", "hospital", "enterprise_village", "social_village")


@dataclass(frozen=True)
class Profile:
    """How a pair of a standing does its work (ranges are drawn per pair-year or per row)."""

    tier: str
    fulfil: tuple  # share of committed professionals dispatched
    cadre_missing: float  # chance a committed cadre is not sent
    left_early: float  # chance a professional leaves before the end of the term
    on_time: float  # chance a milestone is reached by its planned date
    stuck: float  # chance a project stops (no more milestones, reports stop)
    funds_on_time: float  # chance a tranche arrives by the agreement's due date
    funds_moved: tuple  # share of the committed fiscal aid allocated at all
    local_share: tuple  # local procurement, % of total
    tech_return: tuple  # technology-transfer income, % of the investment
    labour: tuple = (1.0, 1.0)  # workers placed, share of the agreement's labour commitment
    consumption: tuple = (1.0, 1.0)  # counted purchases, share of the consumption commitment
    tech_deal: float = 0.0  # chance the pair has a technology partner (a licensed deal with returns)


PROFILES = {
    "performing": Profile("performing", (0.97, 1.05), 0.02, 0.02, 0.97, 0.01, 0.98, (1.0, 1.0), (32, 72), (6, 22),
                          (1.0, 1.12), (1.0, 1.15), 0.55),
    "lagging": Profile("lagging", (0.8, 0.97), 0.12, 0.06, 0.88, 0.04, 0.88, (0.92, 1.0), (30, 56), (5, 15),
                       (0.6, 0.92), (0.6, 0.95), 0.4),
    "failing": Profile("failing", (0.45, 0.75), 0.45, 0.2, 0.55, 0.15, 0.45, (0.6, 0.88), (10, 32), (0, 7),
                       (0.15, 0.5), (0.2, 0.5), 0.2),
}
TIERS = (("performing", 0.77), ("lagging", 0.18), ("failing", 0.05))
MOVE = 0.08  # chance a pair's standing moves one step from one year to the next


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


def _draw_tier(rng) -> str:
    x, acc = rng.random(), 0.0
    for tier, p in TIERS:
        acc += p
        if x < acc:
            return tier
    return TIERS[-1][0]


def standings(pairs, years, rng) -> dict:
    """{(pairing id, year): tier}: drawn once per pair, moving a step now and then."""
    order = [t for t, _p in TIERS]
    out = {}
    for p in pairs:
        tier = _draw_tier(rng)
        for year in years:
            if rng.random() < MOVE:
                i = order.index(tier) + (1 if rng.random() < 0.5 else -1)
                tier = order[min(len(order) - 1, max(0, i))]
            out[(p.id, year)] = tier
    return out


def apportion(total: int, weights: dict) -> dict:
    """`total` shared over the keys of `weights` in proportion, in whole units that sum
    exactly (largest remainder; ties by key, so it is deterministic)."""
    wsum = sum(weights.values())
    if total <= 0 or wsum <= 0:
        return {k: 0 for k in weights}
    exact = {k: total * w / wsum for k, w in weights.items()}
    out = {k: int(v) for k, v in exact.items()}
    left = total - sum(out.values())
    for k in sorted(weights, key=lambda k: (-(exact[k] - out[k]), k))[:left]:
        out[k] += 1
    return out


def _nested(pairs, agreement_pairing) -> list:
    """The county pairings inside a region pairing's two subtrees."""
    p = agreement_pairing
    west = subtree_prefix(p.west_region.code, p.west_region.level)
    east = subtree_prefix(p.east_region.code, p.east_region.level)
    return [c for c in pairs if c.west_region.code.startswith(west) and c.east_region.code.startswith(east)]


def ensure_county_pairings(rng: random.Random) -> list[Pairing]:
    """Pair every western county with an eastern county of a partner province; where the
    western county's city has a city pairing, with a county of the paired eastern city."""
    existing = {(p.west_region_id) for p in Pairing.objects.filter(kind="county")}
    start = datetime.date(2021, 1, 1)
    new = []
    province_pairs = list(Pairing.objects.filter(kind="province").select_related("east_region", "west_region"))
    city_partner = {p.west_region.code[:4]: p.east_region.code[:4]
                    for p in Pairing.objects.filter(kind="prefecture").select_related("east_region", "west_region").order_by("id")}
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
            city = city_partner.get(county.code[:4])
            if city and city[:2] in east_pools:
                pool = [r for r in east_pools[city[:2]] if r.code.startswith(city)] or pool
            east = pool[(i // len(east_pcs)) % len(pool)]
            new.append(Pairing(kind="county", east_region=east, west_region=county, valid_from=start,
                               source_note=GENERATED, is_demo=True))
    Pairing.objects.bulk_create(new, batch_size=2000)
    return list(Pairing.objects.filter(kind="county").select_related("east_region", "west_region").order_by("id"))


def ensure_offices(regions) -> dict[int, Organisation]:
    have = {o.region_id: o for o in Organisation.objects.filter(kind="office", region__in=regions)}
    seq = Organisation.objects.count() + 1
    new = []
    for r in sorted(regions, key=lambda r: r.code):
        if r.id not in have:
            new.append(Organisation(name=f"{r.name}东西部协作办公室", kind="office", region=r, is_demo=True,
                                    credit_code=make_credit_code(f"12{r.code}MB{seq:07d}"[:17])))
            seq += 1
    Organisation.objects.bulk_create(new, batch_size=2000)
    return {o.region_id: o for o in Organisation.objects.filter(kind="office", region__in=regions).order_by("-id")}


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
            report.add("dashboard summaries (rebuilt)", rebuild_summaries(), t0)
            t0 = time.perf_counter()
        report.add("commit", 0, t0)
    if connection.vendor == "postgresql":
        t0 = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        report.add("analyze", 0, t0)
    return report


def rebuild_summaries() -> int:
    """The dashboard's summary tables refilled from the facts just loaded (the rows were
    copied, not written through the actions that keep them): one grouped INSERT … SELECT per
    table, in the load's transaction. Answers the summary rows written."""
    from xiezuo.consumption import totals as purchases
    from xiezuo.labour import totals as labour
    from xiezuo.ledger import totals as money
    from xiezuo.people import totals as people
    from xiezuo.projects import totals as projects

    return projects.rebuild() + people.rebuild() + money.rebuild() + labour.rebuild() + purchases.rebuild()


COMMITTED = ("fiscal_aid_fen", "cadres", "professionals", "labour_placements", "consumption_fen")
# Labour is not topped up to the region agreements: the demo's province agreements commit
# people at a larger scale than the generated counties (30,000 workers a province pair), and
# every committed worker is a row; their shortfall shows on the province pairs alone.
TOPPED_UP = ("fiscal_aid_fen", "cadres", "professionals", "consumption_fen")


def plan_commitments(pairs, years, weights, region_agreements, have, scale) -> dict:
    """{(pairing id, year): {"fiscal_aid_fen", "cadres", "professionals", "labour_placements",
    "consumption_fen"}} for the county pairs without an agreement: the national figure
    (scaled) shared by tier weight, then topped up (`TOPPED_UP`) wherever a city or province
    agreement on the platform commits more than the county pairs nested in it do (the city
    agreements first, being inside the province's)."""
    national = {"fiscal_aid_fen": int(FISCAL_AID_PER_YEAR_FEN * min(scale, 1.0)),
                "cadres": int(CADRES_PER_YEAR * scale), "professionals": int(PROFESSIONALS_PER_YEAR * scale),
                "labour_placements": int(LABOUR_PER_YEAR * scale),
                "consumption_fen": int(CONSUMPTION_PER_YEAR_FEN * min(scale, 1.0))}
    out = {}
    for year in years:
        todo = {p.id: weights[p.id] for p in pairs if (p.id, year) not in have}
        shares = {name: apportion(total, todo) for name, total in national.items()}
        for pid in todo:
            out[(pid, year)] = {name: shares[name][pid] for name in national}
        for a in sorted(region_agreements.get(year, []), key=lambda a: (a.pairing.kind != "prefecture", a.pk)):
            nested = _nested(pairs, a.pairing)
            for name in TOPPED_UP:
                committed = getattr(a, name)
                held = sum((have[(c.id, year)][name] if (c.id, year) in have else out[(c.id, year)][name]) for c in nested)
                free = {c.id: weights[c.id] for c in nested if (c.id, year) in out}
                if committed > held and free:
                    for pid, extra in apportion(committed - held, free).items():
                        out[(pid, year)][name] += extra
    return out


def _generate(scale: float = 1.0, seed: int = 2021, today: datetime.date | None = None, log=print) -> Report:
    rng = random.Random(seed)
    report = Report()
    today = today or timezone.localdate()
    YEARS = tuple(range(today.year - 4, today.year + 1))  # five years ending with this one

    t0 = time.perf_counter()
    pairs = ensure_county_pairings(rng)
    sectors = list(Pairing.objects.filter(kind__in=SECTOR_PAIRING_KINDS).select_related("east_region", "west_region").order_by("id"))
    offices = ensure_offices({p.east_region for p in pairs + sectors} | {p.west_region for p in pairs + sectors})
    report.add("county pairings", len(pairs), t0)
    weights = {p.id: (3 if p.west_region.key_assistance else 2 if p.west_region.former_poverty else 1) for p in pairs}
    tier = standings(pairs + sectors, YEARS, rng)
    log(f"pairings {len(pairs)}, offices {len(offices)}")

    t0 = time.perf_counter()
    existing = list(Agreement.objects.filter(year__in=YEARS).select_related("pairing__east_region", "pairing__west_region"))
    have = {(a.pairing_id, a.year): {name: getattr(a, name) for name in COMMITTED}
            for a in existing if a.pairing.kind not in REGION_PAIRING_KINDS}
    region_agreements = defaultdict(list)
    for a in existing:
        if a.pairing.kind in REGION_PAIRING_KINDS:
            region_agreements[a.year].append(a)
    committed = plan_commitments(pairs, YEARS, weights, region_agreements, have, scale)

    # projects first: an agreement's project commitment is the number of projects it started
    # every county pair runs at least one project a year (an agreement that commits work
    # has work to show); the rest of the scale's projects go to pairs by tier weight
    n_projects = max(len(YEARS) * len(pairs), int(PROJECTS_TOTAL * scale))
    reports_per_project = REPORTS_TOTAL / PROJECTS_TOTAL
    cats = [c for c, w in CATEGORY_WEIGHTS for _ in range(w)]
    pair_pool = [p for p in pairs for _ in range(weights[p.id])]
    drawn = []
    for i in range(n_projects):
        year = YEARS[i % len(YEARS)]
        p = pairs[i // len(YEARS)] if i < len(YEARS) * len(pairs) else pair_pool[rng.randrange(len(pair_pool))]
        start = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(300))
        weeks = max(4, int(rng.gauss(reports_per_project * 1.1, 12)))
        drawn.append((year, p, start, start + datetime.timedelta(weeks=weeks), cats[rng.randrange(len(cats))]))
    started = defaultdict(int)
    for year, p, *_rest in drawn:
        started[(p.id, year)] += 1

    rows, aid, moved = [], {}, {}
    for year in YEARS:
        for p in pairs + sectors:
            key = (p.id, year)
            prof = PROFILES[tier[key]]
            if key in have:
                aid[key] = have[key]["fiscal_aid_fen"]
            elif key in committed:
                c = committed[key]
                aid[key] = c["fiscal_aid_fen"]
                # two draws of an earlier version kept, so the rest of the generated world is as it was
                rng.randint(300, 1500), rng.randint(30, 50)
                rows.append(Agreement(pairing=p, year=year, fiscal_aid_fen=c["fiscal_aid_fen"], funds_due_date=datetime.date(year, 6, 30),
                                      cadres=c["cadres"], professionals=c["professionals"], labour_placements=c["labour_placements"],
                                      consumption_fen=c["consumption_fen"], projects=started[key],
                                      signed_on=datetime.date(year, 3, 1), note=GENERATED, is_demo=True))
            else:
                continue
            moved[key] = int(aid[key] * rng.uniform(*prof.funds_moved))
    Agreement.objects.bulk_create(rows, batch_size=5000)
    report.add("agreements", len(rows), t0)

    prefix = f"N{seed}"
    start_id = (Project.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1

    t0 = time.perf_counter()
    project_rows, meta, plan = [], [], {}
    for i, (year, p, start, end, cat) in enumerate(drawn):
        prof = PROFILES[tier[(p.id, year)]]
        stuck = rng.random() < prof.stuck
        span = (end - start).days
        milestones, reached = [], start
        for seq in (1, 2, 3):
            due = start + datetime.timedelta(days=span * seq // 3)
            done = None
            if due <= today and not (stuck and seq >= 2):
                slip = -rng.randint(0, 10) if rng.random() < prof.on_time else rng.randint(5, 60)
                done = max(reached, due + datetime.timedelta(days=slip))
                if done > today:
                    done = None
            if done is None:
                milestones.append((seq, due, None))
                for later in range(seq + 1, 4):  # nothing is reached after a milestone that is not
                    milestones.append((later, start + datetime.timedelta(days=span * later // 3), None))
                break
            milestones.append((seq, due, done))
            reached = done
        finished = milestones[-1][2]
        if rng.random() < 0.02 and finished is None:
            status = "cancelled"
        elif finished is not None:
            status = "completed"
        elif start <= today:
            status = "in_progress"
        else:
            status = "planned"
        if status == "completed":
            last_week, pct = _monday(finished), 100
        elif status == "in_progress":
            # a stuck project stopped reporting some weeks ago; the others report every week
            last_week = _monday(today) - datetime.timedelta(weeks=rng.randint(4, 12) if stuck else 0)
            last_week = max(last_week, _monday(start))
            pct = min(99, max(0, int(100 * (min(today, end) - start).days / max(1, span))))
        else:  # planned, or cancelled before any report
            last_week, pct = None, 0
        pid = start_id + i
        project_rows.append((pid, f"{prefix}-{pid:07d}", f"{p.west_region.name}{cat.label}项目{pid}", cat,
                             "forward" if cat == Category.PARK and rng.random() < 0.5 else "", p.west_region_id, p.id, status,
                             start, end, start if status not in ("planned",) else None, finished if status == "completed" else None,
                             "", pct, last_week, True))
        meta.append((pid, start, end, status, status == "in_progress" and stuck, p))
        plan[pid] = (milestones, last_week, cat, prof)
    cols = ["id", "code", "name", "category", "enclave", "county_id", "pairing_id", "status", "planned_start", "planned_end",
            "actual_start", "actual_end", "description", "percent_done", "last_report_week", "is_demo"]
    copy_rows("projects_project", cols, iter(project_rows))
    _reset_sequence("projects_project")
    report.add("projects", len(project_rows), t0)
    log(f"projects {len(project_rows)}")

    t0 = time.perf_counter()

    def milestones():
        for pid, *_rest in meta:
            for seq, planned, done in plan[pid][0]:
                yield (pid, seq, ("开工", "主体完工", "竣工验收")[seq - 1], planned, done)

    n = copy_rows("projects_milestone", ["project_id", "seq", "name", "planned_date", "actual_date"], milestones())
    report.add("milestones", n, t0)

    t0 = time.perf_counter()

    def reports():
        now = timezone.now()
        for pid, start, end, status, _stuck, _p in meta:
            last = plan[pid][1]
            if status == "planned" or last is None:
                continue
            week = _monday(start)
            total = max(1, (last - week).days // 7 + 1)
            k = 0
            while week <= last:
                k += 1
                pct = min(100, 100 * k // total) if status == "completed" else min(99, 100 * k // max(total, (_monday(end) - _monday(start)).days // 7 + 1))
                yield (pid, week, pct, "按计划推进", "", now, None)
                week += datetime.timedelta(days=7)

    n = copy_rows("projects_progressreport", ["project_id", "week", "percent", "done", "problems", "reported_at", "client_id"], reports())
    report.add("weekly reports", n, t0)
    log(f"weekly reports {n}")

    t0 = time.perf_counter()

    def outputs():
        """Quarterly output reports while a project runs (cumulative figures as of each
        quarter's end that has passed): jobs, procurement (local never above total) and,
        for industry, innovation and talent projects, technology-transfer money. The local
        share and the return follow the pair's standing, scattered per project."""
        for pid, start, end, status, _stuck, _p in meta:
            if status in ("planned", "cancelled") or start > today:
                continue
            _ms, _last, cat, prof = plan[pid]
            scale_fen = rng.randint(50, 2000) * 10_000_00  # 50万–2000万元 of purchases over the project
            local_share = rng.uniform(*prof.local_share)
            tech = cat in (Category.INDUSTRY, Category.INNOVATION, Category.TALENT) and rng.random() < 0.4
            tech_invest = rng.randint(20, 500) * 10_000_00 if tech else 0
            tech_return = rng.uniform(*prof.tech_return)
            last = min(today, end + datetime.timedelta(days=92))
            day = _quarter_end(start)
            span = max(1, (min(end, last) - start).days)
            while day <= last:
                done = min(1.0, max(0.05, (day - start).days / span))
                total = int(scale_fen * done)
                yield (pid, day, int(rng.randint(5, 80) * done), int(total * local_share / 100), total,
                       int(tech_invest * tech_return * done / 100), int(tech_invest * done))
                day = _quarter_end(day + datetime.timedelta(days=1))

    n = copy_rows("projects_projectoutput", ["project_id", "as_of", "jobs_created", "local_procurement_fen", "total_procurement_fen",
                                             "tech_income_fen", "tech_investment_fen"], outputs())
    report.add("output reports", n, t0)

    t0 = time.perf_counter()
    commitments = {key: {"cadres": c["cadres"], "professionals": c["professionals"]} for key, c in committed.items()}
    commitments.update({key: {"cadres": c["cadres"], "professionals": c["professionals"]} for key, c in have.items()})
    n = copy_rows("people_dispatch", ["person_name", "id_number", "kind", "direction", "from_org_id", "to_org_id", "pairing_id",
                                      "planned_start", "planned_end", "actual_start", "actual_end", "client_id", "is_demo"],
                  dispatches(pairs + sectors, YEARS, commitments, tier, offices, rng, today))
    report.add("dispatch records", n, t0)

    t0 = time.perf_counter()
    n = ledger_generate.generate_flows(meta=meta, aid=moved, offices=offices, pairs=pairs + sectors, rng=rng, today=today,
                                       on_time={key: PROFILES[t].funds_on_time for key, t in tier.items()})
    report.add("ledger entries", n, t0)

    # the channels, from a generator of their own so the rest of the world is as it was
    t0 = time.perf_counter()
    crng = random.Random(seed + 1)
    county_pairs = {p.id: p for p in pairs}
    plan = {**{key: {n: c[n] for n in ("labour_placements", "consumption_fen")} for key, c in committed.items()},
            **{key: {n: c[n] for n in ("labour_placements", "consumption_fen")} for key, c in have.items() if key[0] in county_pairs}}
    keys = sorted(k for k in plan if k[0] in county_pairs)
    n = channels.labour([(county_pairs[pid], year, plan[(pid, year)]["labour_placements"]) for pid, year in keys],
                        tier, PROFILES, crng, today)
    report.add("labour placements", n["placements"], t0)
    t0 = time.perf_counter()
    n = channels.consumption([(county_pairs[pid], year, plan[(pid, year)]["consumption_fen"]) for pid, year in keys],
                             tier, PROFILES, crng, today, scale, YEARS)
    report.add("consumption purchases", n["purchases"], t0)
    t0 = time.perf_counter()
    n = channels.technology(pairs, tier, PROFILES, crng, today, YEARS, offices)
    report.add("technology deal returns", n["deal returns"], t0)

    record_bulk("projects.project", f"national dataset generated (scale {scale}, seed {seed})", count=sum(report.counts.values()))
    return report


KINDS = ["education"] * 35 + ["medical"] * 30 + ["agriculture"] * 20 + ["science"] * 10 + ["other"] * 5


def dispatches(pairs, years, commitments, tier, offices, rng, today):
    """The people each agreement commits, as dispatched by a pair of its standing: cadres
    for the agreement year, professionals for terms of four to ten months starting in the
    first weeks of the year (both within the year, so a year's figures are that year's
    people); a few western cadres and professionals learning in the east besides."""
    k = 0
    for year in years:
        year_end = datetime.date(year, 12, 31)
        for p in pairs:
            key = (p.id, year)
            if key not in commitments or p.east_region_id not in offices or p.west_region_id not in offices:
                continue
            prof = PROFILES[tier[key]]
            east, west = offices[p.east_region_id], offices[p.west_region_id]
            c = commitments[key]
            cadres = sum(1 for _ in range(c["cadres"]) if rng.random() >= prof.cadre_missing)
            professionals = round(c["professionals"] * rng.uniform(*prof.fulfil))
            if c["cadres"] + c["professionals"] > 0 and cadres + professionals == 0:
                professionals = 1  # a shortfall, never a commitment to a county that receives nobody
            people = [("cadre", "e2w")] * cadres + [(KINDS[rng.randrange(len(KINDS))], "e2w") for _ in range(professionals)]
            people += [("cadre" if rng.random() < 0.1 else KINDS[rng.randrange(len(KINDS))], "w2e")
                       for _ in range(round(0.15 * (cadres + professionals) + rng.random() - 0.5))]
            for kind, direction in people:
                k += 1
                start = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(75))
                if start > today:
                    continue
                if kind == "cadre":
                    end = year_end
                else:
                    end = min(year_end, start + datetime.timedelta(days=rng.choice((120, 182, 240, 300))))
                actual_end = None
                if kind != "cadre" and rng.random() < prof.left_early:
                    left = start + datetime.timedelta(days=rng.randrange(20, max(21, (end - start).days - 10)))
                    actual_end = left if left <= today else None
                if actual_end is None and end <= today:
                    actual_end = end
                w2e = direction == "w2e"
                yield (f"干部{k}" if kind == "cadre" else f"人才{k}", "", kind, direction, (west if w2e else east).id,
                       (east if w2e else west).id, p.id, start, end, start, actual_end, None, True)


def _reset_sequence(table: str):
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
