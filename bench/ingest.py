"""Bulk ingestion throughput: batches of 10,000 weekly reports, all-or-nothing, audited.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiezuo_bench .venv/bin/python bench/ingest.py --batches 3 [--http]

Measures the ingestion function directly and, with --http, POST /api/v1/ingest through
gunicorn with a bearer token (JSON encoding and HTTP included).
"""
import argparse
import datetime
import json
import time
import urllib.request
import uuid

from _common import setup_django, start_server


def make_batch(codes, week, n):
    run = uuid.uuid4().hex[:8]
    return [{"type": "report", "client_id": f"bench-{run}-{i}", "project": codes[i % len(codes)], "week": week,
             "percent": 50 + i % 50, "done": "基准测试周报"} for i in range(n)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batches", type=int, default=3)
    ap.add_argument("--size", type=int, default=10_000)
    ap.add_argument("--http", action="store_true")
    ap.add_argument("--port", type=int, default=8792)
    args = ap.parse_args()
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from xiezuo.ingest.batch import ingest
    from xiezuo.projects.models import Project

    user = get_user_model().objects.get(username="national")
    codes = list(Project.objects.filter(status="in_progress").values_list("code", flat=True)[: args.size])
    print(f"database {connection.vendor}, {len(codes):,} projects in progress used")
    base = datetime.date(2027, 1, 4)
    rates = []
    for b in range(args.batches):
        items = make_batch(codes, (base + datetime.timedelta(weeks=b)).isoformat(), args.size)
        t0 = time.perf_counter()
        outcome = ingest(user, items)
        dt = time.perf_counter() - t0
        assert outcome.ok, outcome.refused[:3]
        rates.append(len(items) / dt)
        print(f"function batch {b + 1}: {len(items):,} items in {dt:.2f} s = {len(items) / dt:,.0f} items/s")
    if args.http:
        from xiezuo.accounts.models import ApiToken

        token = ApiToken.issue(user)
        server = start_server(args.port)
        try:
            for b in range(args.batches):
                items = make_batch(codes, (base + datetime.timedelta(weeks=10 + b)).isoformat(), args.size)
                body = json.dumps({"items": items}).encode()
                req = urllib.request.Request(f"http://127.0.0.1:{args.port}/api/v1/ingest", data=body, method="POST",
                                             headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
                t0 = time.perf_counter()
                with urllib.request.urlopen(req, timeout=300) as resp:
                    answer = json.loads(resp.read())
                dt = time.perf_counter() - t0
                print(f"HTTP batch {b + 1}: {len(items):,} items in {dt:.2f} s = {len(items) / dt:,.0f} items/s ({answer.get('applied')} applied)")
        finally:
            server.terminate()


if __name__ == "__main__":
    main()
