"""The households registry's three yardsticks (issue 16):

- the monthly risk screening over every household (goal: under 60 s);
- finding a person by ID number through the keyed hash (goal: under 50 ms);
- the county page of figures over real HTTP (goal: under 300 ms median).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test_households_bench .venv/bin/python bench/households.py

Run the generator first (`manage.py generate_households --scale 1`, or its function
`xiezuo.datagen.households.generate`); an empty summary table of the figures
(`households.totals`) is refilled from the facts first, and said. The screening writes its flags (re-running a month
replaces them). The search draws `--n` members at random, decrypts their numbers (outside the
timing) and times `households.actions.find_person` for each. The figures page is timed with
gunicorn on 127.0.0.1:--port, logged in as the demo's county office (美姑县, its townships)
and as the national coordinator (every county). The Python and PostgreSQL yardsticks and the
load average are printed before and after (the machine is shared).
"""
import argparse
import datetime
import os
import time

from _common import Browser, load_average, python_yardstick, setup_django, sql_yardstick, start_server, summary


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200, help="ID numbers searched")
    ap.add_argument("--pages", type=int, default=20, help="timed figure pages per user")
    ap.add_argument("--port", type=int, default=8161)
    ap.add_argument("--month", default="", help="screening month (YYYY-MM-01), default this month")
    ap.add_argument("--skip-screening", action="store_true")
    args = ap.parse_args()
    setup_django()
    from django.db import connection, transaction
    from django.utils import timezone

    from xiezuo.households.actions import find_person
    from xiezuo.households.models import Household, IncomeRecord, Member

    print(f"database {connection.vendor} {connection.settings_dict.get('NAME')}; load average {load_average()} on {os.cpu_count()} CPUs")
    with connection.cursor() as cur:
        for model in (Household, Member, IncomeRecord):
            cur.execute(f"SELECT count(*) FROM {model._meta.db_table}")
            print(f"  {model._meta.db_table}: {cur.fetchone()[0]:,}")
    from xiezuo.households import totals
    from xiezuo.households.models import HouseholdFigure

    if not HouseholdFigure.objects.exists() and Household.objects.exclude(status="normal").exists():
        # a registry loaded in bulk before the generator refilled the figures' summary table
        t0 = time.perf_counter()
        with transaction.atomic():
            n = totals.rebuild()
        print(f"  figures' summary table was empty: rebuilt from the facts, {n:,} rows in {time.perf_counter() - t0:.1f} s")
    cal = [(python_yardstick(), sql_yardstick(connection))]
    print(f"calibration before: Python yardstick {cal[0][0]:.0f} ms, PostgreSQL yardstick {cal[0][1]:.0f} ms")

    if not args.skip_screening:
        from xiezuo.households.screening import run_screening

        month = datetime.date.fromisoformat(args.month) if args.month else timezone.localdate().replace(day=1)
        t0 = time.perf_counter()
        run = run_screening(month)
        took = time.perf_counter() - t0
        print(f"screening {month:%Y-%m}: {run.households:,} households, {run.flagged:,} flagged, {run.flags:,} flags "
              f"in {took:.1f} s (goal < 60 s)")

    ids = list(Member.objects.filter(id_index__isnull=False).order_by("?").values_list("id", flat=True)[:args.n])
    numbers = [m.id_number for m in Member.objects.filter(id__in=ids)]
    find_person(numbers[0])  # warm
    ms = []
    for n in numbers:
        t0 = time.perf_counter()
        found = find_person(n)
        ms.append((time.perf_counter() - t0) * 1000)
        assert found is not None and found.id_number == n
    print(f"find a person by ID number: {summary(ms)} (goal < 50 ms)")
    connection.close()

    server = start_server(args.port)
    try:
        for username, path in (("county_office", "/households/figures/?level=township&prefix=513436"),
                               ("county_office", "/households/figures/"),
                               ("national", "/households/figures/")):
            b = Browser(f"http://127.0.0.1:{args.port}")
            b.login(username)
            for _ in range(3):
                b.get(path)
            ms = []
            for _ in range(args.pages):
                status, took = b.get(path)
                assert status == 200
                ms.append(took)
            print(f"figures page {username:14} {path:52} {summary(ms)} (goal median < 300 ms)")
    finally:
        server.terminate()
        server.wait()
    cal.append((python_yardstick(), sql_yardstick(connection)))
    print(f"calibration after: Python yardstick {cal[1][0]:.0f} ms, PostgreSQL yardstick {cal[1][1]:.0f} ms; "
          f"load average {load_average()}")


if __name__ == "__main__":
    main()
