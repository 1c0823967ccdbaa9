"""Server time of the weekly dispatch sheet (周调度) for the national, province and county users.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test_h5 .venv/bin/python bench/weekly_sheet.py [--runs 10] [--old]

Each page is requested through Django's test client in this process, logged in as the demo
user, so the figure is the server's time (middleware, queries, template), no network:
- the sheet closed (`/weekly/`, the user's own office): one row per region with its counts;
- the largest region opened (`/weekly/group/?group=…`): its first page of each category;
- with --old, the sheet as it was compiled before 6 December 2026 (`compile_sheet` with 100
  lines a category and every open item built), without the template.
Medians and 90th percentiles of --runs requests after one warm-up, with the CPU seconds the
Python process and its PostgreSQL backend spent per request.

Calibration, from the same run (the machine is shared; compare figures through these):
- Python: 300,000 rounds of sha256 over 64 bytes;
- PostgreSQL: `SELECT count(*) FROM generate_series(1, 3000000)`.
Both are timed before and after the pages; a page figure divided by the Python yardstick
compares across machines and loads better than the raw milliseconds.

Needs the national dataset: migrate, load_regions, seed_demo, `generate_national --scale 0.1`,
seed_demo_work (its consequence rules make the thousands of open items).
"""
import argparse
import os
import statistics
import time

from _common import load_average, python_yardstick, setup_django, sql_yardstick
from ingest import backend_cpu_clock

USERS = ("national", "west_office", "east_office", "county_office")




def p90(values):
    values = sorted(values)
    return values[max(0, -(-len(values) * 9 // 10) - 1)]


def timed(fn, runs, backend_cpu):
    fn()  # warm-up: templates, translations, the planner's caches
    ms, cpu = [], []
    for _ in range(runs):
        pg0, py0, t0 = backend_cpu(), time.process_time(), time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - py0) + (backend_cpu() - pg0))
    return ms, cpu


def line(label, ms, cpu):
    return (f"  {label:34} median {statistics.median(ms):7.1f} ms  p90 {p90(ms):7.1f} ms  "
            f"CPU {statistics.median(cpu) * 1000:6.0f} ms  (n={len(ms)})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--old", action="store_true", help="also time the sheet as compiled before (all lines, every item)")
    args = parser.parse_args()
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from xiezuo.rhythm import sheets
    from xiezuo.rhythm.permissions import default_office

    backend_cpu = backend_cpu_clock(connection)
    print(f"database {connection.vendor} {connection.settings_dict['NAME']}, {timezone.localtime():%Y-%m-%d %H:%M} Beijing time, "
          f"load average {load_average()} on {os.cpu_count()} CPUs")
    cal = [(python_yardstick(), sql_yardstick(connection))]
    print(f"calibration before: Python yardstick {cal[0][0]:.0f} ms, PostgreSQL yardstick {cal[0][1]:.0f} ms")
    week = sheets.parse_week(None)
    for name in USERS:
        user = get_user_model().objects.filter(username=name).first()
        if user is None:
            continue
        office = default_office(user)
        client = Client()
        client.force_login(user)
        sheet = sheets.compile_groups(office, week)
        print(f"\n{name}: {office.name} — {len(sheet.groups)} regions, {sheet.total:,} lines "
              f"({', '.join(f'{c.key} {c.count:,}' for c in sheet.categories)}), {sheet.overdue:,} overdue")

        def closed():
            response = client.get("/weekly/")
            assert response.status_code == 200, response.status_code
            closed.size = len(response.content)

        ms, cpu = timed(closed, args.runs, backend_cpu)
        print(line("sheet closed (/weekly/)", ms, cpu) + f"  {closed.size / 1024:.0f} KiB")
        biggest = max(sheet.groups, key=lambda g: g.open, default=None)
        if biggest is not None:
            def opened():
                response = client.get("/weekly/group/", {"group": biggest.code}, HTTP_HX_REQUEST="true")
                assert response.status_code == 200, response.status_code

            ms, cpu = timed(opened, args.runs, backend_cpu)
            print(line(f"region opened ({biggest.name}, {biggest.open:,})", ms, cpu))
        if args.old:
            ms, cpu = timed(lambda: sheets.compile_sheet(office, week), max(3, args.runs // 3), backend_cpu)
            print(line("old compile (100 lines a category)", ms, cpu))
    cal.append((python_yardstick(), sql_yardstick(connection)))
    print(f"\ncalibration after: Python yardstick {cal[1][0]:.0f} ms, PostgreSQL yardstick {cal[1][1]:.0f} ms; "
          f"load average {load_average()}")


if __name__ == "__main__":
    main()
