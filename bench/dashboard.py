"""Dashboard response time over real HTTP (gunicorn): the page and its figures endpoint,
for the national coordinator and a western province office (and a county office).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiezuo_bench .venv/bin/python bench/dashboard.py --n 40

Starts gunicorn on 127.0.0.1:8104 (2 workers, DEBUG off, persistent connections) with the
current DATABASE_URL, logs in through the real login form, warms up, then times `--n`
sequential GETs of `/dashboard/` and of `/dashboard/?partial=figures` (the fragment the open
page re-fetches on every event) per user, each a full request–response over HTTP with
cookies. Prints the dataset it ran on, the load average before and after, the median and
p90 per URL and user. Run `generate_national` on that database first.
"""
import argparse

from _common import Browser, dataset_counts, load_average, setup_django, start_server, summary

PAGES = (("page", "/dashboard/"), ("figures", "/dashboard/?partial=figures"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=40, help="timed requests per user and URL")
    ap.add_argument("--port", type=int, default=8104)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--warm", type=int, default=4, help="untimed requests per user and URL first")
    ap.add_argument("--users", default="national,west_office,county_office")
    args = ap.parse_args()
    setup_django()
    from django.db import connection

    print(f"database {connection.vendor} {connection.settings_dict.get('NAME')}")
    print("dataset: " + ", ".join(f"{k} {v:,}" for k, v in dataset_counts().items()))
    connection.close()
    server = start_server(args.port, workers=args.workers)
    try:
        print(f"load average before: {load_average()}")
        for username in args.users.split(","):
            b = Browser(f"http://127.0.0.1:{args.port}")
            b.login(username)
            for name, path in PAGES:
                # warm up both workers: connections, and the ledger rollup each process
                # reads once (the first request of a process pays for it; shown here)
                warm = [b.get(path)[1] for _ in range(args.warm)]
                times = []
                for _ in range(args.n):
                    status, ms = b.get(path)
                    assert status == 200, (username, path, status)
                    times.append(ms)
                print(f"dashboard {name:8s} as {username:14s}: {summary(times)}   [load {load_average()}]"
                      f"   (warm-up: {', '.join(f'{ms:.0f}' for ms in warm)} ms)", flush=True)
        print(f"load average after: {load_average()}")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
