"""Consumption help: purchase ingestion throughput, and the consumption and social figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test_consumption_bench \\
        .venv/bin/python bench/consumption.py --runs 5 [--batch 10000] [--user national] [--http [--port 8621]]

Needs a database with the region tree, the demo and generated consumption data
(`manage.py load_regions && manage.py seed_demo && manage.py generate_consumption --scale 0.25`),
never a shared one: every run adds its purchases (fresh evidence numbers and client ids, so
nothing is a duplicate).

Prints, per run, the items/s of one batch of `--batch` purchase items through
`xiezuo.ingest.batch.ingest` (checks, permission, evidence numbers against the table, the
pairing each counts under, COPY of the rows, their audit rows and receipts, commit included)
with the CPU seconds it took in this process and in its database backend (read from
/proc when the database runs on this machine: on a shared machine these say more than the
wall time) and the median (with --http, also through POST /api/v1/ingest to gunicorn on 127.0.0.1:--port,
2 workers, with a bearer token: `bench/ingest.py`'s server and client, the body encoded
outside the timing); then the time of the figures the pages and the dashboard ask for (purchases
by channel and month against the commitment for the national view and for a province office,
the consumption facts of a western province for the year, needs by status); the table sizes,
the load average and the machine's yardsticks (`_common.python_yardstick`, `sql_yardstick`)
before and after.
"""
import argparse
import os
import random
import resource
import statistics
import time
import uuid

from _common import load_average, python_yardstick, setup_django, sql_yardstick


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--user", default="national")
    parser.add_argument("--http", action="store_true")
    parser.add_argument("--port", type=int, default=8621)
    args = parser.parse_args()
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from xiezuo.consumption.figures import channel_figures
    from xiezuo.consumption.models import Buyer, Product, Purchase
    from xiezuo.core.context import acting
    from xiezuo.core.periods import Period
    from xiezuo.ingest.batch import ingest
    from xiezuo.pairings.models import Pairing
    from xiezuo.regions.models import Region
    from xiezuo.social.figures import needs_by_status

    User = get_user_model()
    user = User.objects.get(username=args.user)
    print(f"yardsticks before: python {python_yardstick():.0f} ms, sql {sql_yardstick(connection):.0f} ms; load {load_average()}")
    print(f"purchases in the table: {Purchase.objects.count():,}; products {Product.objects.count():,}; buyers {Buyer.objects.count():,}")
    pairs = {}
    for e, w in Pairing.objects.filter(kind="province").values_list("east_region__province_code", "west_region__province_code"):
        pairs.setdefault(e, []).append(w)
    buyers = [(b.pk, b.region.province_code) for b in Buyer.objects.select_related("region") if b.region.province_code in pairs]
    products = {}
    for pid, prov in Product.objects.values_list("id", "county__province_code"):
        products.setdefault(prov, []).append(pid)
    rnd = random.Random(1)
    today = timezone.localdate()
    channels = ["direct", "ecommerce", "platform", "store", "fair", "locker"]
    def make_batch():
        tag = uuid.uuid4().hex[:8]
        items = []
        while len(items) < args.batch:
            bid, prov = buyers[rnd.randrange(len(buyers))]
            pool = products.get(rnd.choice(pairs[prov]))
            if not pool:
                continue
            i = len(items)
            items.append({"type": "purchase", "client_id": f"b-{tag}-{i}", "buyer": bid, "product": pool[rnd.randrange(len(pool))],
                          "amount_fen": rnd.randrange(1_000, 5_000_000), "purchased_on": (today - __import__("datetime").timedelta(
                              days=rnd.randrange(300))).isoformat(), "channel": channels[i % 6], "evidence_number": f"B{tag}{i:06d}"})
        return items

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()" if connection.vendor == "postgresql" else "SELECT NULL")
        backend = cur.fetchone()[0]

    def cpu():
        usage = resource.getrusage(resource.RUSAGE_SELF)
        own = usage.ru_utime + usage.ru_stime
        try:
            fields = open(f"/proc/{backend}/stat").read().rsplit(")", 1)[1].split()
            return own, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return own, None

    rates, py_cpu, db_cpu = [], [], []
    for run in range(args.runs):
        items = make_batch()
        c0 = cpu()
        t0 = time.perf_counter()
        with acting(user, via="api"):
            out = ingest(user, items)
        dt = time.perf_counter() - t0
        c1 = cpu()
        assert out.ok and out.applied == len(items), out.refused[:3]
        rates.append(len(items) / dt)
        py_cpu.append(c1[0] - c0[0])
        db = None if c0[1] is None or c1[1] is None else c1[1] - c0[1]
        if db is not None:
            db_cpu.append(db)
        print(f"run {run + 1}: {len(items):,} purchase items in {dt:.2f} s = {rates[-1]:,.0f} items/s; CPU python {py_cpu[-1]:.2f} s"
              + (f", database backend {db:.2f} s" if db is not None else ""))
    print(f"purchase ingestion: median {statistics.median(rates):,.0f} items/s over {len(rates)} runs of {args.batch:,}; "
          f"median CPU per batch: python {statistics.median(py_cpu):.2f} s"
          + (f", database backend {statistics.median(db_cpu):.2f} s" if db_cpu else ""))
    if args.http:
        import json

        from ingest import post, start_server

        from xiezuo.users.models import ApiToken

        token = ApiToken.issue(user)
        server = start_server(args.port)
        try:
            post(args.port, token, json.dumps({"items": make_batch()[:10]}).encode())  # warm both workers' connections
            post(args.port, token, json.dumps({"items": make_batch()[:10]}).encode())
            http_rates = []
            for run in range(args.runs):
                body = json.dumps({"items": make_batch()}).encode()
                t0 = time.perf_counter()
                answer = post(args.port, token, body)
                dt = time.perf_counter() - t0
                assert answer.get("applied") == args.batch, str(answer)[:300]
                http_rates.append(args.batch / dt)
                print(f"http run {run + 1}: {args.batch:,} purchase items in {dt:.2f} s = {http_rates[-1]:,.0f} items/s")
            print(f"purchase ingestion over HTTP: median {statistics.median(http_rates):,.0f} items/s over {len(http_rates)} runs")
        finally:
            server.terminate()
            server.wait()

    def timed(label, fn, n=5):
        ms = []
        for _ in range(n):
            t0 = time.perf_counter()
            fn()
            ms.append((time.perf_counter() - t0) * 1000)
        print(f"{label}: median {statistics.median(ms):.0f} ms (n={n})")

    east_admin = User.objects.get(username="east_office")
    west_admin = User.objects.get(username="west_office")
    for u in (user, east_admin, west_admin):
        u._xiezuo_scope = None
    timed("channel figures, national view", lambda: channel_figures(User.objects.get(pk=user.pk)))
    timed("channel figures, Zhejiang office", lambda: channel_figures(User.objects.get(pk=east_admin.pk)))
    from xiezuo.consumption import facts

    sichuan = Region.objects.get(code="510000")
    timed("consumption facts, Sichuan, this year", lambda: facts.for_region(sichuan, Period.year(today.year))["actual_fen"])
    timed("needs by status, Sichuan office", lambda: needs_by_status(User.objects.get(pk=west_admin.pk)))
    print(f"purchases in the table after: {Purchase.objects.count():,}")
    print(f"yardsticks after: python {python_yardstick():.0f} ms, sql {sql_yardstick(connection):.0f} ms; load {load_average()}")


if __name__ == "__main__":
    main()
