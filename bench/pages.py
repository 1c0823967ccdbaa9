"""Server time and size of the main pages for each demo office, at national scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test_i13funds .venv/bin/python bench/pages.py [--runs 7] [--pages /funds/ /]

Each page is requested through Django's test client in this process, logged in as the demo
user, so the figure is the server's time (middleware, queries, template), no network.
Medians and 90th percentiles of --runs requests after one warm-up, with the CPU seconds the
Python process and its PostgreSQL backend spent per request, and the size of the HTML.
Goal (issue 13): every page under 300 ms median on an idle server; no page over ~300 KB.

Calibration, from the same run (the machine is shared; compare figures through these):
- Python: 300,000 rounds of sha256 over 64 bytes;
- PostgreSQL: `SELECT count(*) FROM generate_series(1, 3000000)`.
Both are timed before and after the pages.

Needs the national dataset: migrate, load_regions, seed_demo, `generate_national --scale 0.3`,
seed_demo_work.
"""
import argparse
import os
import statistics
import time

from _common import load_average, setup_django
from ingest import backend_cpu_clock
from _common import python_yardstick, sql_yardstick
from weekly_sheet import p90, timed

USERS = ("national", "west_office", "east_office", "county_office")
PAGES = ("/funds/", "/funds/postings/", "/projects/", "/people/", "/pairings/", "/orgs/", "/scorecards/", "/weekly/", "/",
         "/dashboard/")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pages", nargs="*", default=list(PAGES))
    parser.add_argument("--users", nargs="*", default=list(USERS))
    args = parser.parse_args()
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from xiezuo.ledger.models import Entry

    backend_cpu = backend_cpu_clock(connection)
    entries = Entry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    print(f"database {connection.vendor} {connection.settings_dict['NAME']} ({entries:,} ledger entries), "
          f"{timezone.localtime():%Y-%m-%d %H:%M} Beijing time, load average {load_average()} on {os.cpu_count()} CPUs")
    cal = [(python_yardstick(), sql_yardstick(connection))]
    print(f"calibration before: Python yardstick {cal[0][0]:.0f} ms, PostgreSQL yardstick {cal[0][1]:.0f} ms")
    over = []
    for name in args.users:
        user = get_user_model().objects.filter(username=name).first()
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        print(f"\n{name}")
        for page in args.pages:
            def get():
                response = client.get(page)
                assert response.status_code == 200, (page, response.status_code)
                get.size = len(response.content)

            ms, cpu = timed(get, args.runs, backend_cpu)
            median = statistics.median(ms)
            print(f"  {page:20} median {median:7.1f} ms  p90 {p90(ms):7.1f} ms  CPU {statistics.median(cpu) * 1000:6.0f} ms  "
                  f"{get.size / 1024:6.0f} KiB  (n={len(ms)})")
            if median >= 300 or get.size > 300 * 1024:
                over.append(f"{name} {page}")
    cal.append((python_yardstick(), sql_yardstick(connection)))
    print(f"\ncalibration after: Python yardstick {cal[1][0]:.0f} ms, PostgreSQL yardstick {cal[1][1]:.0f} ms; "
          f"load average {load_average()}")
    print("over 300 ms median or 300 KiB: " + (", ".join(over) if over else "none"))


if __name__ == "__main__":
    main()
