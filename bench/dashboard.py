"""Dashboard response time over real HTTP (gunicorn), national view and a western province.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiezuo_bench .venv/bin/python bench/dashboard.py --n 30

Run `generate_national` on that database first; the script prints the row counts it sees.
"""
import argparse

from _common import Browser, setup_django, start_server, summary


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("--port", type=int, default=8791)
    args = ap.parse_args()
    setup_django()
    from xiezuo.ledger import models as ledger_models  # noqa: F401
    from xiezuo.projects.models import ProgressReport, Project

    print(f"projects {Project.objects.count():,}, weekly reports {ProgressReport.objects.count():,}")
    server = start_server(args.port)
    try:
        for username in ("national", "west_office", "county_office"):
            b = Browser(f"http://127.0.0.1:{args.port}")
            b.login(username)
            b.get("/dashboard/")  # warm up
            times = []
            for _ in range(args.n):
                status, ms = b.get("/dashboard/")
                assert status == 200, status
                times.append(ms)
            print(f"dashboard as {username:14s}: {summary(times)}")
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
