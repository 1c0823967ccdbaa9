"""Dashboard response time over real HTTP (gunicorn): the page and its figures fragment for
every kind of office — national, eastern and western province, eastern and western
prefecture, county — with the machine's yardsticks printed in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiezuo_bench .venv/bin/python bench/dashboard.py --n 40

Starts gunicorn on 127.0.0.1:8104 (2 workers, DEBUG off, persistent connections) with the
current DATABASE_URL, logs in through the real login form, and times `--n` sequential GETs of
`/dashboard/` and of `/dashboard/?partial=figures` (the fragment the open page re-fetches on
every event) per user, each a full request–response over HTTP with cookies. The first
requests of each user (`--warm`, untimed in the figure) are printed beside it: the very first
ones are the first requests of the two fresh worker processes, which keep nothing between
requests (the figures come from summary tables), so they should cost what the later ones do.
`--fresh` restarts the server that many times and times the first dashboard request of each
fresh server on its own.

The two prefecture offices are not demo users: `bench_east_pref` (宁波市) and
`bench_west_pref` (凉山州) are made, as viewers, when missing (`--no-prefectures`
leaves them out). Prints the dataset, the calibration yardsticks (Python sha256 rounds and a
fixed PostgreSQL query, bench/_common.py) and the load average before and after. Run
`generate_national` on that database first.
"""
import argparse

from _common import Browser, dataset_counts, load_average, python_yardstick, setup_django, sql_yardstick, start_server, summary

PAGES = (("page", "/dashboard/"), ("figures", "/dashboard/?partial=figures"))
PREFECTURES = {"bench_east_pref": "330200", "bench_west_pref": "513400"}


def ensure_prefecture_users():
    """Office viewers of an eastern and a western prefecture office (password xiezuo-demo)."""
    from django.contrib.auth import get_user_model

    from xiezuo.orgs.models import Organisation
    from xiezuo.users.models import Profile

    made = []
    for username, code in PREFECTURES.items():
        office = Organisation.objects.filter(kind="office", region__code=code).first()
        if office is None:
            continue
        user, created = get_user_model().objects.get_or_create(username=username)
        if created:
            user.set_password("xiezuo-demo")
            user.save()
        Profile.objects.update_or_create(user=user, defaults={"organisation": office, "role": "viewer"})
        made.append(username)
    return made


def stop(server):
    """Stop gunicorn (on a loaded machine it may take longer than a quiet one)."""
    server.terminate()
    try:
        server.wait(60)
    except Exception:
        server.kill()
        server.wait(10)


def calibration(connection) -> str:
    return f"Python yardstick {python_yardstick():.0f} ms, PostgreSQL yardstick {sql_yardstick(connection):.0f} ms"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=40, help="timed requests per user and URL")
    ap.add_argument("--port", type=int, default=8104)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--warm", type=int, default=4, help="untimed requests per user and URL first (printed)")
    ap.add_argument("--users", default="national,east_office,west_office,county_office")
    ap.add_argument("--no-prefectures", action="store_true")
    ap.add_argument("--fresh", type=int, default=3, help="fresh servers whose first dashboard request is timed alone")
    args = ap.parse_args()
    setup_django()
    from django.db import connection

    print(f"database {connection.vendor} {connection.settings_dict.get('NAME')}")
    print("dataset: " + ", ".join(f"{k} {v:,}" for k, v in dataset_counts().items()))
    users = args.users.split(",")
    if not args.no_prefectures:
        users += ensure_prefecture_users()
    print(f"calibration before: {calibration(connection)}   [load {load_average()}]", flush=True)
    connection.close()
    for i in range(args.fresh):
        server = start_server(args.port, workers=args.workers)
        try:
            b = Browser(f"http://127.0.0.1:{args.port}")
            b.login("national")
            status, first = b.get("/dashboard/")
            _status, second = b.get("/dashboard/")
            print(f"fresh server {i + 1}: first dashboard request {first:.0f} ms, the next {second:.0f} ms   [load {load_average()}]",
                  flush=True)
        finally:
            stop(server)
    server = start_server(args.port, workers=args.workers)
    try:
        print(f"load average before: {load_average()}")
        for username in users:
            b = Browser(f"http://127.0.0.1:{args.port}")
            b.login(username)
            for name, path in PAGES:
                warm = [b.get(path)[1] for _ in range(args.warm)]
                times = []
                for _ in range(args.n):
                    status, ms = b.get(path)
                    assert status == 200, (username, path, status)
                    times.append(ms)
                print(f"dashboard {name:8s} as {username:15s}: {summary(times)}   [load {load_average()}]"
                      f"   (first requests: {', '.join(f'{ms:.0f}' for ms in warm)} ms)", flush=True)
        print(f"load average after: {load_average()}")
    finally:
        stop(server)
    print(f"calibration after: {calibration(connection)}   [load {load_average()}]")


if __name__ == "__main__":
    main()
