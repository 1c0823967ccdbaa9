"""`ledger verify` throughput: bulk-load N hash-chained entries, then time the verification.

    createdb -h 127.0.0.1 -U postgres xiezuo_ledger_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiezuo_ledger_bench
    .venv/bin/python manage.py migrate -v0 && .venv/bin/python manage.py load_regions && .venv/bin/python manage.py seed_demo
    .venv/bin/python bench/ledger_verify.py --entries 1000000

Appends N entries (N/2 two-line postings between a demo office's eastern budget and its
pool account, memo “bench”) to the chain that is already there, exactly as the actions
would have chained them (xiezuo.ledger.bulk.ChainWriter: COPY through psycopg on
PostgreSQL, bulk_create on SQLite). Then
runs `manage.py ledger verify` over the whole ledger and prints entries per second. Use a
database of its own: the ledger is append-only, the bench rows stay.
"""
import argparse
import datetime
import io
import time
from contextlib import redirect_stdout

from _common import setup_django


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=1_000_000, help="entries to append (even; two per posting)")
    ap.add_argument("--chunk-size", type=int, default=10_000, help="rows per batch for verify")
    ap.add_argument("--skip-load", action="store_true", help="only time verify over what is there")
    args = ap.parse_args()
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from xiezuo.ledger.models import Entry

    print(f"database {connection.vendor} {connection.settings_dict.get('NAME')}")
    if not args.skip_load:
        n = max(2, args.entries - args.entries % 2)
        t0 = time.perf_counter()
        load(n)
        seconds = time.perf_counter() - t0
        print(f"loaded {n:,} chained entries in {seconds:.1f} s ({n / seconds:,.0f} entries/s, hashes computed in Python)")
    total = Entry.objects.count()
    out = io.StringIO()
    t0 = time.perf_counter()
    with redirect_stdout(out):
        call_command("ledger", "verify", "--chunk-size", str(args.chunk_size), stdout=out)
    seconds = time.perf_counter() - t0
    print(out.getvalue().strip())
    print(f"ledger verify: {total:,} entries in {seconds:.1f} s = {total / seconds:,.0f} entries/s")


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
