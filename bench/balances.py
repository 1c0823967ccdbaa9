"""Reading account balances at national scale: the carried balance (each account's latest
entry, one index probe) against the replay of every entry (a SUM over the account's history).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiezuo_bench .venv/bin/python bench/balances.py [--accounts 6000]

Takes the accounts with the most entries (the western offices' receiving and in-transit
accounts, then project accounts), as an ingestion batch's overdraft check reads them, and
prints the time of both ways over three runs each, and whether every balance agrees.
"""
import argparse
import statistics
import time

from _common import load_average, setup_django


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=6000)
    args = ap.parse_args()
    setup_django()
    from django.db.models import Count

    from xiezuo.ledger.balances import latest, replayed
    from xiezuo.ledger.models import Account, Entry

    ids = list(Entry.objects.values("account_id").annotate(n=Count("id")).order_by("-n")
               .values_list("account_id", flat=True)[:args.accounts])
    accounts = list(Account.objects.filter(pk__in=ids))
    entries = Entry.objects.filter(account_id__in=ids).count()
    print(f"{len(accounts):,} accounts with {entries:,} entries of {Entry.objects.count():,}   [load {load_average()}]")
    timings = {"carried (latest entry)": [], "replayed (sum of entries)": []}
    for _ in range(3):
        t0 = time.perf_counter()
        carried = latest(ids)
        timings["carried (latest entry)"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        summed = replayed(accounts)
        timings["replayed (sum of entries)"].append(time.perf_counter() - t0)
    for name, values in timings.items():
        print(f"  {name:27} median {statistics.median(values) * 1000:8.1f} ms  (runs: {', '.join(f'{v * 1000:.1f}' for v in values)})")
    print(f"  every balance agrees: {carried == summed}")


if __name__ == "__main__":
    main()
