"""`manage.py ledger verify` throughput over the ledger that is there (the national dataset),
against the limit of this machine measured in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiezuo_bench .venv/bin/python bench/ledger_verify.py [--workers N]

Runs `manage.py ledger verify` (the real command, in this process) over the whole chain and
prints entries, seconds and entries per second, with the load average. On the national
dataset (`generate_national --scale 1.0`) the chain holds over five million entries.

Calibration, from the same run, so that figures from two machines compare:
- the raw SHA-256 rate: the hashes verify must compute (one per entry over its link text,
  one per posting over its columns' text), over byte strings of the very lengths of a sample
  of this chain's texts, timed in one Python process; as entries per second on one core and
  on the cores verify uses, it is the ceiling of a verify written in Python;
- a PostgreSQL yardstick: `SELECT count(*) FROM generate_series(1, 3000000)`.

`--append N` first appends N entries (N/2 two-line postings between a demo office's eastern
budget and its pool account, memo “bench”) exactly as the actions would have chained them
(xiezuo.ledger.bulk.ChainWriter: COPY through psycopg on PostgreSQL, bulk_create on SQLite),
for a database without the national dataset. The ledger is append-only: those rows stay,
so use a database of its own for that.
"""
import argparse
import datetime
import hashlib
import io
import time
from contextlib import redirect_stdout

from _common import load_average, setup_django, sql_yardstick


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--append", type=int, default=0, help="entries to append first (even; two per posting); default none")
    ap.add_argument("--chunk-size", type=int, default=10_000, help="rows per batch for verify")
    ap.add_argument("--workers", type=int, default=None, help="verify's worker processes (default: one per core; 1: one walk)")
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
    from xiezuo.ledger.verify import default_workers

    total = Entry.objects.count()
    workers = args.workers or default_workers()
    print(f"load average before: {load_average()}")
    limit = sha256_limit()
    print(f"PostgreSQL yardstick (count over generate_series(1, 3000000)): {sql_yardstick(connection):.0f} ms")
    out = io.StringIO()
    t0 = time.perf_counter()
    options = ["--workers", str(workers)] if args.workers else []
    with redirect_stdout(out):
        call_command("ledger", "verify", "--chunk-size", str(args.chunk_size), *options, stdout=out)
    seconds = time.perf_counter() - t0
    print(out.getvalue().strip())
    rate = total / seconds
    cores = min(workers, default_workers())
    print(f"ledger verify: {total:,} entries in {seconds:.1f} s = {rate:,.0f} entries/s   [load {load_average()}]")
    print(f"raw SHA-256 limit: {limit:,.0f} entries/s on one core, {limit * cores:,.0f} on {cores} core(s); "
          f"verify reached {rate / (limit * cores):.0%} of it ({workers} worker(s))")
    print(f"PostgreSQL yardstick after: {sql_yardstick(connection):.0f} ms")



def sha256_limit(sample: int = 20_000, seconds: float = 2.0) -> float:
    """Entries per second one core can hash: the texts verify hashes for a sample of the
    chain (an entry's link text each, a posting's column text once per posting), recorded
    through chain.py's own functions, hashed again and again in this process."""
    from xiezuo.ledger import chain
    from xiezuo.ledger.models import Account, Entry, Posting

    texts = []

    class Recorder:
        @staticmethod
        def sha256(data):
            texts.append(data)
            return hashlib.sha256(data)

    rows = list(Entry.objects.order_by("-seq").values_list("seq", "posting_id", "account_id", "side", "amount_fen", "booked_on",
                                                           "prev_hash")[:sample])
    if not rows:
        return float("nan")
    postings = {p.id: p for p in Posting.objects.filter(id__in={r[1] for r in rows})}
    accounts = {a.id: a for a in Account.objects.filter(id__in={r[2] for r in rows})}
    real, chain.hashlib = chain.hashlib, Recorder
    try:
        digests = {pid: chain.posting_digest(chain.posting_values(p)) for pid, p in postings.items()}
        for seq, pid, aid, side, amount, day, prev in rows:
            chain.link(prev, chain.entry_content(seq, digests[pid], chain.account_text(chain.account_values(accounts[aid])),
                                                 side, amount, day))
    finally:
        chain.hashlib = real
    sha = hashlib.sha256
    rounds, t0 = 0, time.perf_counter()
    while True:
        for data in texts:
            sha(data).hexdigest()
        rounds += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= seconds:
            break
    per_entry = elapsed / (rounds * len(rows))
    mean = sum(map(len, texts)) / len(texts)
    print(f"raw SHA-256 (hashlib, hex digest) over {len(texts):,} texts of this chain ({len(rows):,} entries, "
          f"{len(postings):,} postings, mean {mean:.0f} bytes): {rounds * len(texts) / elapsed:,.0f} hashes/s = "
          f"{1 / per_entry:,.0f} entries/s on one core")
    return 1 / per_entry


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
