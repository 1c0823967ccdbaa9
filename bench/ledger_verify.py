"""`manage.py ledger verify` throughput over the ledger that is there (the national dataset).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiezuo_bench .venv/bin/python bench/ledger_verify.py

Runs `manage.py ledger verify` (the real command, in this process) over the whole chain and
prints entries, seconds and entries per second, with the load average. On the national
dataset (`generate_national --scale 1.0`) the chain holds over five million entries.

`--append N` first appends N entries (N/2 two-line postings between a demo office's eastern
budget and its pool account, memo “bench”) exactly as the actions would have chained them
(xiezuo.ledger.bulk.ChainWriter: COPY through psycopg on PostgreSQL, bulk_create on SQLite),
for a database without the national dataset. The ledger is append-only: those rows stay,
so use a database of its own for that.
"""
import argparse
import datetime
import io
import time
from contextlib import redirect_stdout

from _common import load_average, setup_django


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--append", type=int, default=0, help="entries to append first (even; two per posting); default none")
    ap.add_argument("--chunk-size", type=int, default=10_000, help="rows per batch for verify")
    args = ap.parse_args()
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from xiezuo.ledger.models import Entry

    print(f"database {connection.vendor} {connection.settings_dict.get('NAME')}")
    if args.append:
        n = max(2, args.append - args.append % 2)
        t0 = time.perf_counter()
        load(n)
        seconds = time.perf_counter() - t0
        print(f"loaded {n:,} chained entries in {seconds:.1f} s ({n / seconds:,.0f} entries/s, hashes computed in Python)")
    total = Entry.objects.count()
    print(f"load average before: {load_average()}")
    out = io.StringIO()
    t0 = time.perf_counter()
    with redirect_stdout(out):
        call_command("ledger", "verify", "--chunk-size", str(args.chunk_size), stdout=out)
    seconds = time.perf_counter() - t0
    print(out.getvalue().strip())
    print(f"ledger verify: {total:,} entries in {seconds:.1f} s = {total / seconds:,.0f} entries/s   [load {load_average()}]")


def load(n: int):
    from django.db import connection, transaction
    from django.utils import timezone

    from xiezuo.ledger.actions import account_for
    from xiezuo.ledger.bulk import ChainWriter
    from xiezuo.ledger.choices import Kind, Purpose
    from xiezuo.orgs.models import Organisation

    office = Organisation.objects.filter(kind="office").order_by("id").first()
    if office is None:
        raise SystemExit("no organisation to own the bench accounts: run migrate, load_regions and seed_demo first")
    postings = n // 2
    today = timezone.localdate()
    run = timezone.now().strftime("%Y%m%d%H%M%S")
    with transaction.atomic():
        budget = account_for(office, Purpose.EAST_BUDGET).id
        pool = account_for(office, Purpose.POOL).id
        writer = ChainWriter(key_prefix=f"bench-{run}")  # holds the chain head: nobody appends while we load
        for i in range(postings):
            amount = (i % 9973 + 1) * 100
            writer.add({"kind": Kind.ALLOCATION, "booked_on": today - datetime.timedelta(days=(postings - i) * 1000 // postings),
                        "east_org_id": office.id, "west_org_id": office.id, "memo": "bench"},
                       [(pool, "D", amount), (budget, "C", amount)])
        writer.close()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE ledger_posting")
            cur.execute("ANALYZE ledger_entry")


if __name__ == "__main__":
    main()
