"""Labour cooperation at the published national size (scale 1):

- 1,000,000 workers registered by the western counties (in proportion to nothing better than
  an even spread with noise), ID numbers well-formed (GB 11643 check digit, the county's own
  prefix, birth 1966–2006) and never a real person's, encrypted at rest with their keyed
  hash and masked forms like any registration; a phone for two thirds; 脱贫人口 55 %,
  监测对象 10 %; two or three skills from the vocabulary; one to three preferred provinces,
  the paired eastern province first for most;
- 2,000 employers (enterprises in eastern and western counties) and 100,000 open jobs;
- 800,000 placements a year (`years` years back from today): 35 % 县内, 25 % 省内县外,
  40 % 省外 (most of them in the paired eastern province), with the 2022 occupation codes of
  the usual trades and wages by place;
- their retention checks at 3, 6 and 12 months when due: 92 % recorded, employment falling
  from 88 % to 70 %, three months of wage transfers when employed; each placement's next
  check owed (`labour.due.first_due`) written with it.

Rows go in with COPY on PostgreSQL (`datagen.bulkload.copy_rows`); one audit entry per table
records the load. Everything generated is marked as not demo; the registrations are real
rows that pages, matching and figures read like any other.
"""
import datetime
import random
import time

from django.db import connection, transaction
from django.utils import timezone

from xiezuo.core.audit import record_bulk
from xiezuo.core.personal.crypto import blind_index, encrypt
from xiezuo.core.personal.idnumbers import make_id_number
from xiezuo.core.personal.masking import mask_id_number, mask_phone
from xiezuo.datagen.bulkload import copy_model as _copy, next_id as _next_id, reset_sequences as _reset
from xiezuo.labour import rules
from xiezuo.labour.choices import SKILL_BIT
from xiezuo.labour.due import first_due
from xiezuo.labour.models import Job, Placement, RetentionCheck, Worker, add_months
from xiezuo.orgs.models import Organisation
from xiezuo.regions.models import Region

WORKERS, EMPLOYERS, JOBS, PLACEMENTS_A_YEAR = 1_000_000, 2_000, 100_000, 800_000
SURNAMES = "吉阿曲海沙俄马杨王李张刘陈赵黄周吴徐孙胡朱高林何郭罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "克依日火拉者木呷说伍古金明华建国军平勇强杰涛磊敏静丽艳娟秀英兰芳玲燕红霞梅琳雪婷"
TRADES = [("6-25-04-01", ["电子装配", "普工"], 5500), ("6-29-01-01", ["建筑施工", "砌筑工"], 6500),
          ("6-05-01-01", ["服装缝纫"], 4800), ("4-03-02-01", ["餐饮服务"], 4200), ("4-03-01-01", ["厨师"], 5800),
          ("4-10-01-01", ["家政服务"], 5000), ("4-02-06-03", ["快递配送", "驾驶"], 6800), ("4-07-05-01", ["保安"], 4300),
          ("6-18-01-01", ["焊工"], 7200), ("5-01-02-01", ["种植", "采摘"], 3600), ("6-02-02-03", ["茶叶加工"], 4000),
          ("4-02-05-01", ["物流仓储", "叉车"], 5600), ("4-14-01-01", ["养老护理"], 5200)]


def _mask(names):
    m = 0
    for n in names:
        m |= SKILL_BIT[n]
    return m


def _paired_east(west_province: str) -> list[str]:
    from xiezuo.pairings.models import Pairing

    return sorted(set(Pairing.objects.filter(kind="province", west_region__province_code=west_province)
                      .values_list("east_region__province_code", flat=True)))


def generate(scale: float = 1.0, seed: int = 2026, years: int = 1, jobs: int | None = None, log=print) -> dict:
    rnd = random.Random(seed)
    today = timezone.localdate()
    counts = {}
    counties = list(Region.objects.filter(level="county", role="west").values_list("id", "code", "province_code"))
    east_counties = list(Region.objects.filter(level="county", role="east").values_list("id", "code", "province_code"))
    if not counties or not east_counties:
        raise RuntimeError("load the region tree first (manage.py load_regions)")
    by_province: dict[str, list] = {}
    for c in counties + east_counties:
        by_province.setdefault(c[2], []).append(c)
    paired = {p: _paired_east(p) for p in {c[2] for c in counties}}
    east_provinces = sorted({c[2] for c in east_counties})
    t0 = time.perf_counter()
    with transaction.atomic():
        # employers
        n_emp = max(20, int(EMPLOYERS * scale))
        first_org = _next_id(Organisation)
        emp_rows, employers = [], []
        for i in range(n_emp):
            region = rnd.choice(east_counties) if i % 3 else rnd.choice(counties)
            emp_rows.append((first_org + i, f"劳务用工企业{first_org + i:07d}", "enterprise", region[0], None, "", False))
            employers.append((first_org + i, region))
        counts["employers"] = _copy(Organisation, ["id", "name", "kind", "region", "credit_code", "contact", "is_demo"], emp_rows)
        # jobs
        n_jobs = int(jobs if jobs is not None else JOBS * scale)
        first_job = _next_id(Job)

        def job_rows():
            for i in range(n_jobs):
                emp_id, region = employers[rnd.randrange(len(employers))]
                code, skills, wage = rnd.choice(TRADES)
                lo = int(wage * rnd.uniform(0.8, 1.1)) * 100
                yield (first_job + i, emp_id, f"{skills[0]}岗位", region[0], region[2], rnd.randint(1, 50), lo,
                       lo + rnd.randint(5, 20) * 10000, _mask(skills), rnd.random() < 0.6, code, "open",
                       today - datetime.timedelta(days=rnd.randint(0, 120)), False)

        counts["jobs"] = _copy(Job, ["id", "employer", "title", "place", "province_code", "positions", "wage_min_fen",
                                     "wage_max_fen", "skills", "housing", "occupation_code", "status", "posted_on", "is_demo"],
                               job_rows())
        log(f"employers and jobs: {time.perf_counter() - t0:.1f} s")
        # workers
        n_workers = int(WORKERS * scale)
        first_worker = _next_id(Worker)
        seq: dict[tuple, int] = {}
        worker_county = []

        def worker_rows():
            for i in range(n_workers):
                cid, code, prov = counties[rnd.randrange(len(counties))]
                born = datetime.date(rnd.randint(1966, 2006), rnd.randint(1, 12), rnd.randint(1, 28))
                key = (code, born)
                seq[key] = seq.get(key, 0) + 1
                number = make_id_number(code, born, 2 * seq[key] + (i & 1))
                phone = f"1{rnd.choice('3589')}{rnd.randint(0, 999999999):09d}" if rnd.random() < 0.67 else ""
                r = rnd.random()
                status = "alleviated" if r < 0.55 else "monitored" if r < 0.65 else "other"
                skills = rnd.choice(TRADES)[1] + ([rnd.choice(list(SKILL_BIT))] if rnd.random() < 0.4 else [])
                prefs = (paired.get(prov) or [])[:1] + rnd.sample(east_provinces, k=rnd.randint(0, 2))
                prefs = list(dict.fromkeys(prefs))
                worker_county.append((cid, code, prov))
                yield (first_worker + i, cid, rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN), encrypt(number),
                       blind_index("id", number), mask_id_number(number), encrypt(phone), blind_index("phone", phone),
                       mask_phone(phone), status, _mask(set(skills)), ",".join(prefs), rnd.randint(35, 70) * 10000,
                       today - datetime.timedelta(days=rnd.randint(0, 365 * years)), False)

        counts["workers"] = _copy(Worker, ["id", "county", "name", "id_number", "id_index", "id_masked", "phone", "phone_index",
                                           "phone_masked", "household_status", "skills", "preferred_provinces",
                                           "expected_wage_fen", "registered_on", "is_demo"], worker_rows())
        log(f"workers: {counts['workers']:,} in {time.perf_counter() - t0:.1f} s")
        # placements and their checks
        n_place = int(PLACEMENTS_A_YEAR * scale * years)
        first_place = _next_id(Placement)
        first_check = _next_id(RetentionCheck)
        checks = []
        placed = rnd.sample(range(n_workers), k=min(n_place, n_workers)) if n_place <= n_workers else \
            [rnd.randrange(n_workers) for _ in range(n_place)]
        seen = set()

        def placement_rows():
            cid_next = first_check
            for j, w in enumerate(placed):
                cid, code, prov = worker_county[w]
                r = rnd.random()
                if r < 0.35:
                    place = (cid, code, prov)
                elif r < 0.60:
                    place = rnd.choice(by_province[prov])
                else:
                    east = (paired.get(prov) or east_provinces) if rnd.random() < 0.7 else east_provinces
                    place = rnd.choice(by_province[rnd.choice(east)])
                start = today - datetime.timedelta(days=rnd.randint(0, 365 * years - 1))
                emp_id = employers[rnd.randrange(len(employers))][0]
                if (w, emp_id, start) in seen:
                    continue
                seen.add((w, emp_id, start))
                code_o, _skills, wage = rnd.choice(TRADES)
                kind = rules.place_kind(code, place[1])
                pk = first_place + j
                ended, checked = None, set()
                for m, keep in ((3, 0.88), (6, 0.8), (12, 0.7)):
                    due = add_months(start, m)
                    if due > today or rnd.random() > 0.92:
                        continue
                    checked.add(m)
                    employed = ended is None and rnd.random() < keep / (0.88 if m > 3 else 1)
                    if not employed and ended is None:
                        ended = due - datetime.timedelta(days=rnd.randint(1, 60))
                    checks.append((cid_next, pk, m, due + datetime.timedelta(days=rnd.randint(0, 10)), employed,
                                   min(m, 3) if employed else 0, "", None, 0))
                    cid_next += 1
                yield (pk, w + first_worker, cid, emp_id, place[0], kind, place[2] in (paired.get(prov) or []), start, ended,
                       code_o, int(wage * rnd.uniform(0.9, 1.3)) * 100, None, 0, False, first_due(start, ended, checked))

        counts["placements"] = _copy(Placement, ["id", "worker", "county", "employer", "place", "place_kind",
                                                 "in_paired_province", "start_date", "end_date", "occupation_code",
                                                 "monthly_wage_fen", "client_id", "client_ns", "is_demo", "next_check_due"],
                                     placement_rows())
        log(f"placements: {counts['placements']:,} in {time.perf_counter() - t0:.1f} s")
        counts["retention checks"] = _copy(RetentionCheck, ["id", "placement", "milestone", "checked_on", "employed",
                                                            "wage_months", "note", "client_id", "client_ns"], iter(checks))
        log(f"retention checks: {counts['retention checks']:,} in {time.perf_counter() - t0:.1f} s")
        _reset(Organisation, Job, Worker, Placement, RetentionCheck)
        from xiezuo.labour import totals  # the dashboard's summary, refilled from the rows copied

        totals.rebuild()
        for name, n in counts.items():
            record_bulk("labour." + name.replace(" ", "_"), f"generated {n:,} {name} (scale {scale}, seed {seed})", count=n)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for m in (Organisation, Job, Worker, Placement, RetentionCheck):
                cur.execute(f"ANALYZE {m._meta.db_table}")
    return counts
