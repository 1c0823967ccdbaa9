"""Labour cooperation benchmarks: ranked jobs for a worker over 100,000 open jobs, bulk
ingestion of placements and retention checks, the Excel import of 10,000 workers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test_labour_bench \\
        .venv/bin/python bench/labour.py [--runs 5] [--workers 50]

Needs a database with the region tree, the province pairings, the demo users and the labour
generator's data with at least 100,000 open jobs:
    manage.py migrate; manage.py load_regions; manage.py load_pairings;
    manage.py shell -c "from xiezuo.web.demo import seed_demo; seed_demo()"
    manage.py shell -c "from xiezuo.datagen.labour import generate; generate(0.2, jobs=100000)"
It adds rows (placements, checks, workers) every run: use its own database, never a shared one.

Ingestion also prints the CPU seconds each batch cost (the script's Python and its PostgreSQL
backend, from /proc, as bench/ingest.py does): a figure the machine's load does not change.

Prints each figure with the machine's yardsticks (`_common.python_yardstick`,
`_common.sql_yardstick`) before and after, and the load average.
"""
import argparse
import datetime
import io
import random
import statistics
import time

from _common import load_average, python_yardstick, setup_django, sql_yardstick


def ranked_jobs(n_workers: int):
    from xiezuo.labour.matching import jobs_for
    from xiezuo.labour.models import Job, Worker

    open_jobs = Job.objects.open().count()
    ids = list(Worker.objects.order_by("?").values_list("pk", flat=True)[:n_workers])
    times = []
    for pk in ids:
        w = Worker.objects.select_related("county").get(pk=pk)
        t0 = time.perf_counter()
        ranked = jobs_for(w, limit=20)
        times.append((time.perf_counter() - t0) * 1000)
        assert ranked is not None
    times.sort()
    p90 = times[max(0, -(-len(times) * 9 // 10) - 1)]
    print(f"ranked jobs for one worker over {open_jobs:,} open jobs: median {statistics.median(times):.1f} ms, "
          f"p90 {p90:.1f} ms, max {times[-1]:.1f} ms (n={len(times)}, top 20 with reasons)")
    return statistics.median(times)


def ingestion(runs: int):
    from django.contrib.auth import get_user_model

    from xiezuo.ingest.batch import ingest
    from xiezuo.labour.models import Placement, Worker
    from xiezuo.orgs.models import Organisation
    from xiezuo.regions.models import Region

    user = get_user_model().objects.get(username="national")
    workers = list(Worker.objects.order_by("?").values_list("pk", flat=True)[:10_000])
    employers = list(Organisation.objects.filter(name__startswith="劳务用工企业").values_list("pk", flat=True))
    places = list(Region.objects.filter(level="county", role="east").values_list("code", flat=True))
    from django.db import connection
    from ingest import backend_cpu_clock

    backend = backend_cpu_clock(connection)
    rnd = random.Random(time.time_ns())  # fresh start dates every run: a placement is once per worker, employer and day
    p_rates, c_rates, p_cpu, c_cpu = [], [], [], []
    for run in range(runs):
        tag = f"{time.time_ns()}"
        start = (datetime.date.today() - datetime.timedelta(days=100 + rnd.randrange(4000))).isoformat()
        items = [{"type": "placement", "client_id": f"bp-{tag}-{i}", "worker": w, "employer": rnd.choice(employers),
                  "place": rnd.choice(places), "start_date": start, "occupation_code": "6-25-04-01", "monthly_wage_fen": 600000}
                 for i, w in enumerate(workers)]
        t0, c0, b0 = time.perf_counter(), time.process_time(), backend()
        out = ingest(user, items)
        dt = time.perf_counter() - t0
        p_cpu.append((time.process_time() - c0, backend() - b0))
        assert out.ok, out.refused[:3]
        p_rates.append(len(items) / dt)
        ids = list(Placement.objects.filter(client_id__startswith=f"bp-{tag}-").values_list("pk", flat=True))
        checks = [{"type": "retention_check", "client_id": f"bc-{tag}-{i}", "placement": pk, "milestone": 3,
                   "checked_on": datetime.date.today().isoformat(), "employed": True, "wage_months": 3}
                  for i, pk in enumerate(ids)]
        t0, c0, b0 = time.perf_counter(), time.process_time(), backend()
        out = ingest(user, checks)
        dt2 = time.perf_counter() - t0
        c_cpu.append((time.process_time() - c0, backend() - b0))
        assert out.ok, out.refused[:3]
        c_rates.append(len(checks) / dt2)
        print(f"  run {run + 1}: placements {len(items):,} in {dt:.2f} s ({p_rates[-1]:,.0f}/s; CPU python {p_cpu[-1][0]:.2f} s, "
              f"database {p_cpu[-1][1]:.2f} s); retention checks {len(checks):,} in {dt2:.2f} s ({c_rates[-1]:,.0f}/s; "
              f"CPU python {c_cpu[-1][0]:.2f} s, database {c_cpu[-1][1]:.2f} s)")
    print(f"ingestion, batches of 10,000: placements median {statistics.median(p_rates):,.0f} items/s, "
          f"retention checks median {statistics.median(c_rates):,.0f} items/s (n={runs}, audited, with receipts, commit included)")
    # the CPU a batch costs does not depend on how busy the machine is: 10,000 / (python + database
    # CPU seconds) is what one batch at a time reaches on an idle machine of this speed
    for name, cpu in (("placements", p_cpu), ("retention checks", c_cpu)):
        total = statistics.median(a + b for a, b in cpu)
        print(f"  {name}: median CPU per batch {total:.2f} s (python {statistics.median(a for a, _b in cpu):.2f} s, "
              f"database {statistics.median(b for _a, b in cpu):.2f} s): {10_000 / total:,.0f} items per CPU second")


def excel_import(runs: int):
    import openpyxl
    from django.contrib.auth import get_user_model

    from xiezuo.core.importing import DATA_SHEET, IMPORTERS, run_import
    from xiezuo.core.personal.crypto import blind_index
    from xiezuo.core.personal.idnumbers import make_id_number
    from xiezuo.labour.models import Worker
    from xiezuo.regions.models import Region

    user = get_user_model().objects.get(username="national")
    counties = list(Region.objects.filter(level="county", role="west").values_list("code", flat=True))
    importer = IMPORTERS["labour-workers"]
    times = []
    for run in range(runs):
        rnd = random.Random(time.time_ns())
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = DATA_SHEET
        ws.append([c.header for c in importer.columns])
        seen = {}
        while len(seen) < 10_000:
            code = rnd.choice(counties)
            number = make_id_number(code, datetime.date(rnd.randint(1966, 2006), rnd.randint(1, 12), rnd.randint(1, 28)),
                                    rnd.randint(0, 999))
            seen.setdefault(number, code)
            if len(seen) == 10_000:  # numbers registered before (by the generator or a run) would refuse the file
                taken = set(Worker.objects.filter(id_index__in=[blind_index("id", n) for n in seen]).values_list("id_index", flat=True))
                seen = {n: c for n, c in seen.items() if blind_index("id", n) not in taken}
        for number, code in seen.items():
            ws.append([code, "测试工人", number, f"139{rnd.randint(0, 99999999):08d}", "脱贫人口", "电工、焊工", "浙江、广东", 4500])
        buf = io.BytesIO()
        wb.save(buf)
        data = buf.getvalue()
        t0 = time.perf_counter()
        result = run_import(importer, user, data)
        dt = time.perf_counter() - t0
        if not result.ok:  # a generated number may exist already in its county: name it and go on
            print(f"  run {run + 1}: refused ({len(result.errors)} rows, e.g. {result.errors[0]})")
            continue
        times.append(dt)
        print(f"  run {run + 1}: 10,000 workers imported in {dt:.2f} s ({10_000 / dt:,.0f} rows/s, {len(data) / 1e6:.1f} MB)")
    if times:
        print(f"Excel import of 10,000 workers: median {statistics.median(times):.2f} s (n={len(times)}; "
              f"read, checked, encrypted, indexed, written and audited, all or nothing)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=50, help="workers to rank jobs for")
    parser.add_argument("--only", default="rank,ingest,import")
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    only = set(args.only.split(","))
    print(f"yardsticks before: python {python_yardstick():.0f} ms, sql {sql_yardstick(connection):.0f} ms; load {load_average()}")
    if "rank" in only:
        ranked_jobs(args.workers)
    if "ingest" in only:
        ingestion(args.runs)
    if "import" in only:
        excel_import(min(args.runs, 3))
    print(f"yardsticks after: python {python_yardstick():.0f} ms, sql {sql_yardstick(connection):.0f} ms; load {load_average()}")


if __name__ == "__main__":
    main()
