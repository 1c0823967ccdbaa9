"""Fifty users of mixed roles against one server, with live dashboards open: the capacity
check of issue 13 (p95 under 1 s and no errors for five minutes at national scale).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test_i13funds .venv/bin/python bench/load.py \\
        --users 50 --dashboards 10 --seconds 300

Starts gunicorn on 127.0.0.1:--port (--workers × --threads, DEBUG off) with the current
DATABASE_URL, or targets a server already running with --url (loopback only: this script
must never be pointed at someone else's machine). Each simulated user is a thread with its own
session, logged in through the real login form as one of the demo accounts (password
xiezuo-demo; several users share an account, as colleagues of one office would): it opens a
page its role uses, waits an exponential think time (mean --think s), and repeats until
--seconds have passed. About --writes of its actions are a weekly report on a project it can
see (`POST /api/v1/projects/{code}/reports`, with a token from `POST /api/v1/auth/token`);
viewers and auditors only read. Each of --dashboards threads holds `/dashboard/events/` open
and re-fetches the figures fragment as the page's script does: after a money or project event
(or a resync), at most once every 5 s, naming the last event id (`&after=`), reconnecting from
it when the stream breaks.

A request gets --client-timeout seconds, then counts as a timeout. Prints requests per second,
median / p90 / p95 / max per kind of page, errors and timeouts by kind, the events the
dashboards received, and the calibration yardsticks and load averages before and after (the
machine is shared: compare figures from two machines through them).
"""
import argparse
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import http.cookiejar
from collections import Counter, defaultdict
from datetime import date, timedelta

from _common import ROOT, load_average, python_yardstick, setup_django, sql_yardstick

MAX_SECONDS = 3600
ROLES = ("west_office", "county_office", "east_office", "national", "viewer", "auditor")
DASHBOARD_ROLES = ("national", "west_office", "east_office", "county_office")
READ_ONLY = {"viewer", "auditor"}
# kind of page -> path ("{project}" is a project the user can see)
PAGES = {
    "home": "/", "projects": "/projects/", "project": "/projects/{project}/", "funds": "/funds/",
    "postings": "/funds/postings/", "scorecards": "/scorecards/", "weekly": "/weekly/", "my items": "/my-items/",
    "people": "/people/", "pairings": "/pairings/",
}
# what each role opens, with weights (an office works on its projects; the centre looks at money and scores)
ROLE_PAGES = {
    "national": {"home": 3, "projects": 2, "project": 3, "funds": 2, "postings": 1, "scorecards": 2, "people": 1, "pairings": 1},
    "west_office": {"home": 2, "projects": 2, "project": 4, "funds": 2, "postings": 1, "weekly": 2, "my items": 2, "people": 1,
                    "pairings": 1, "scorecards": 1},
    "east_office": {"home": 2, "projects": 2, "project": 4, "funds": 2, "postings": 1, "weekly": 1, "my items": 2, "people": 2,
                    "pairings": 1, "scorecards": 1},
    "county_office": {"home": 2, "projects": 2, "project": 5, "funds": 1, "weekly": 3, "my items": 3, "people": 1},
    "viewer": {"home": 3, "projects": 3, "project": 3, "funds": 2, "scorecards": 1, "pairings": 1},
    "auditor": {"home": 2, "projects": 2, "project": 3, "funds": 3, "postings": 3, "people": 1, "scorecards": 1},
}
FIGURE_EVENTS = {"ledger", "project", "resync"}  # what makes the page re-fetch its figures (static/js/dashboard.js)
FIGURES_EVERY = 5.0
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
RUN_ID = f"{int(time.time()):x}"  # a report's client_id is unique for good: runs must not reuse one


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)  # kind -> ms of answered requests (any status)
        self.failures = defaultdict(Counter)  # kind -> outcome -> n
        self.events = Counter()
        self.samples = {}  # (kind, outcome) -> the first answer's start, to say why
        self.done = 0

    def record(self, kind, ms, outcome, body=b""):
        with self.lock:
            if outcome != "ok":
                self.samples.setdefault((kind, outcome), body[:300].decode(errors="replace"))
            self.done += 1
            if outcome == "timeout":
                self.failures[kind]["timeout"] += 1
                return
            self.times[kind].append(ms)
            if outcome != "ok":
                self.failures[kind][outcome] += 1


class Client:
    """One browser: a session cookie, the CSRF token, and an API token when it writes."""

    def __init__(self, base, timeout):
        self.base, self.timeout = base, timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.token = None

    def login(self, username, password="xiezuo-demo"):
        page = self.opener.open(self.base + "/login/", timeout=self.timeout).read().decode()
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": csrf}).encode()
        req = urllib.request.Request(self.base + "/login/", data=data, headers={"Referer": self.base + "/login/"})
        with self.opener.open(req, timeout=self.timeout) as resp:
            resp.read()
            if resp.url.rstrip("/").endswith("/login"):
                raise RuntimeError(f"login refused for {username}")

    def api_token(self, username, password="xiezuo-demo"):
        status, body = self.request("/api/v1/auth/token", {"username": username, "password": password})
        self.token = json.loads(body)["token"]

    def request(self, path, payload=None, headers=None):
        """(status, body); raises socket.timeout / URLError on no answer."""
        headers = dict(headers or {})
        data = None
        if payload is not None:
            data = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        if self.token and path.startswith("/api/"):
            headers["Authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(self.base + path, data=data, headers=headers)
        try:
            with self.opener.open(req, timeout=self.timeout) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def timed(self, stats, kind, path, payload=None, headers=None, ok=(200,)):
        t0 = time.perf_counter()
        try:
            status, body = self.request(path, payload, headers)
            outcome = "ok" if status in ok else f"HTTP {status}"
        except (socket.timeout, TimeoutError):
            status, body, outcome = None, b"", "timeout"
        except urllib.error.URLError as exc:
            reason = exc.reason
            outcome = "timeout" if isinstance(reason, (socket.timeout, TimeoutError)) else f"error {type(reason).__name__}"
            status, body = None, b""
        except (ConnectionError, OSError) as exc:
            status, body, outcome = None, b"", f"error {type(exc).__name__}"
        stats.record(kind, (time.perf_counter() - t0) * 1000, outcome, body)
        return status, body


def user_loop(client, role, projects, codes, args, stats, deadline, rng):
    kinds, weights = zip(*ROLE_PAGES[role].items())
    while time.monotonic() < deadline:
        time.sleep(min(rng.expovariate(1 / args.think), max(0.0, deadline - time.monotonic())))
        if time.monotonic() >= deadline:
            break
        if codes and role not in READ_ONLY and rng.random() < args.writes:
            week = date.today() - timedelta(weeks=rng.randrange(4))
            payload = {"week": week.isoformat(), "percent": rng.randrange(10, 100), "done": "load test: work of the week",
                       "problems": "", "client_id": f"load-{RUN_ID}-{rng.getrandbits(40):x}"}
            client.timed(stats, "write report (API)", f"/api/v1/projects/{rng.choice(codes)}/reports", payload, ok=(200, 201))
            continue
        kind = rng.choices(kinds, weights)[0]
        if kind == "project" and not projects:
            kind = "projects"
        client.timed(stats, kind, PAGES[kind].format(project=rng.choice(projects) if projects else 0))


def dashboard_loop(client, args, stats, deadline, rng, open_streams):
    """The live page: one event stream, figures re-fetched after the events that change them."""
    client.timed(stats, "dashboard page", "/dashboard/")
    state = {"last": "", "wanted": False, "last_fetch": 0.0}
    cond = threading.Condition()

    def fetcher():
        while time.monotonic() < deadline:
            with cond:
                while not state["wanted"] and time.monotonic() < deadline:
                    cond.wait(1)
                if time.monotonic() >= deadline:
                    return
            now = time.monotonic()
            time.sleep(max(0.3 + rng.random() * 0.7, state["last_fetch"] + FIGURES_EVERY - now))
            with cond:
                state["wanted"] = False
                after = state["last"]
            state["last_fetch"] = time.monotonic()
            if time.monotonic() < deadline:
                client.timed(stats, "figures re-fetch", "/dashboard/?partial=figures"
                             + (f"&after={urllib.parse.quote(after)}" if after else ""), headers={"X-Requested-With": "fetch"})

    threading.Thread(target=fetcher, daemon=True).start()
    while time.monotonic() < deadline:
        path = "/dashboard/events/" + (f"?last={urllib.parse.quote(state['last'])}" if state["last"] else "")
        req = urllib.request.Request(client.base + path, headers={"Accept": "text/event-stream"})
        try:
            resp = client.opener.open(req, timeout=40)  # the page reopens a stream silent for 40 s
        except Exception as exc:
            stats.events[f"stream open failed ({type(exc).__name__})"] += 1
            time.sleep(2 + rng.random() * 2)
            continue
        stats.events["stream opened"] += 1
        open_streams.append(resp)
        kind = None
        try:
            for raw in resp:
                line = raw.decode().rstrip("\n")
                if line.startswith("id: "):
                    with cond:
                        state["last"] = line[4:]
                elif line.startswith("event: "):
                    kind = line[7:]
                elif line == "" and kind:
                    stats.events[kind] += 1
                    if kind in args.refetch_on:
                        with cond:
                            state["wanted"] = True
                            cond.notify()
                    kind = None
                if time.monotonic() >= deadline:
                    break
        except Exception as exc:
            if time.monotonic() < deadline:
                stats.events[f"stream broke ({type(exc).__name__})"] += 1
        finally:
            resp.close()
        if time.monotonic() < deadline:
            time.sleep(2 + rng.random() * 2)


def start_server(port, workers, threads):
    env = dict(os.environ, XIEZUO_DEBUG="0", XIEZUO_CONN_MAX_AGE="600")
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "xiezuo.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers), "--threads",
         str(threads), "--log-level", "warning"], cwd=ROOT, env=env)
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=1)
            return proc
        except Exception:
            if proc.poll() is not None:
                break
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


def pct(ms, p):
    return ms[max(0, -(-len(ms) * p // 100) - 1)]  # nearest rank


def calibrate(connection):
    return python_yardstick(), sql_yardstick(connection)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", help="a server already running on loopback (default: start gunicorn)")
    ap.add_argument("--port", type=int, default=8113)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=32)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--dashboards", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=300)
    ap.add_argument("--think", type=float, default=5.0, help="mean think time between a user's requests (s)")
    ap.add_argument("--writes", type=float, default=0.10, help="share of a writer's actions that are writes")
    ap.add_argument("--client-timeout", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--refetch-on", default=",".join(sorted(FIGURE_EVENTS)),
                    help="events after which a dashboard re-fetches its figures (default: as the page's script does; "
                         "add 'reports' to load the figures after every weekly report)")
    args = ap.parse_args()
    args.refetch_on = set(args.refetch_on.split(","))
    if not 0 < args.seconds <= MAX_SECONDS:
        ap.error(f"--seconds must be in (0, {MAX_SECONDS}]")
    if args.url:
        host = urllib.parse.urlsplit(args.url).hostname
        if host not in LOOPBACK:
            ap.error(f"refusing {args.url}: this load runs against loopback only (127.0.0.1, localhost, ::1)")
        base = args.url.rstrip("/")
    else:
        base = f"http://127.0.0.1:{args.port}"

    setup_django()
    from django.db import connection
    from django.utils import timezone

    print(f"database {connection.vendor} {connection.settings_dict.get('NAME')}, {timezone.localtime():%Y-%m-%d %H:%M} "
          f"Beijing time, {os.cpu_count()} CPUs")
    cal_before = calibrate(connection)
    connection.close()
    print(f"calibration before: Python yardstick {cal_before[0]:.0f} ms, PostgreSQL yardstick {cal_before[1]:.0f} ms; "
          f"load average {load_average()}", flush=True)

    server = None if args.url else start_server(args.port, args.workers, args.threads)
    try:
        if server:
            print(f"gunicorn on {base}: {args.workers} workers × {args.threads} threads")
        stats = Stats()
        rng = random.Random(args.seed)
        setup_t0 = time.perf_counter()
        sessions = []
        by_account = {}
        for i in range(args.users):
            role = ROLES[i % len(ROLES)]
            client = Client(base, args.client_timeout)
            client.login(role)
            if role not in by_account:  # what this account sees: pages' project ids, the API's project codes
                status, html = client.request("/projects/")
                projects = sorted(set(re.findall(rb'href="/projects/(\d+)/"', html)))
                codes = []
                if role not in READ_ONLY:
                    client.api_token(role)
                    for wanted in ("in_progress", "planned"):  # a completed or cancelled project takes no new weeks
                        status, body = client.request(f"/api/v1/projects?status={wanted}&limit=100")
                        codes += [p["code"] for p in json.loads(body)["items"]] if status == 200 else []
                by_account[role] = ([p.decode() for p in projects], codes, client.token)
            client.token = by_account[role][2]
            sessions.append((client, role))
        dashboards = []
        for i in range(args.dashboards):
            client = Client(base, args.client_timeout)
            client.login(DASHBOARD_ROLES[i % len(DASHBOARD_ROLES)])
            dashboards.append(client)
        print(f"{args.users} users ({', '.join(f'{r} {n}' for r, n in Counter(r for _, r in sessions).items())}), "
              f"{args.dashboards} dashboards logged in in {time.perf_counter() - setup_t0:.1f} s; "
              + "; ".join(f"{r}: {len(p)} projects on its list page, {len(c)} to report on" for r, (p, c, _) in by_account.items()),
              flush=True)

        load_before = load_average()
        t0 = time.monotonic()
        deadline = t0 + args.seconds
        open_streams = []
        users = [threading.Thread(target=user_loop, daemon=True,
                                    args=(c, role, by_account[role][0], by_account[role][1], args, stats, deadline,
                                          random.Random(rng.random())))
                   for c, role in sessions]
        threads = users + [threading.Thread(target=dashboard_loop, daemon=True,
                                     args=(c, args, stats, deadline, random.Random(rng.random()), open_streams))
                    for c in dashboards]
        for t in threads:
            t.start()
        while time.monotonic() < deadline:
            time.sleep(min(15, max(0.0, deadline - time.monotonic())))
            with stats.lock:
                done, fails = stats.done, sum(sum(c.values()) for c in stats.failures.values())
            print(f"  {time.monotonic() - t0:5.0f} s: {done} requests answered or given up, {fails} failed; "
                  f"load {load_average()}", flush=True)
        # open streams are left to the process's end (closing one another thread reads blocks)
        end_wait = time.monotonic() + args.client_timeout + 5  # requests in flight get their full time
        for t in users:
            t.join(max(0.0, end_wait - time.monotonic()))
        elapsed = max(args.seconds, time.monotonic() - t0)
        load_after = load_average()

        with stats.lock:
            kinds = sorted(set(stats.times) | set(stats.failures), key=lambda k: -len(stats.times.get(k, ())))
            all_ms = sorted(ms for k in kinds for ms in stats.times.get(k, ()))
            print(f"\n{stats.done} requests in {elapsed:.0f} s (the run and the requests still in flight at its end): {stats.done / elapsed:.1f} requests/s "
                  f"({args.users} users, think {args.think:g} s, writes {args.writes:.0%}, {args.dashboards} dashboards, "
                  f"client timeout {args.client_timeout:g} s)")
            print(f"{'kind':22} {'n':>6} {'median':>9} {'p90':>9} {'p95':>9} {'max':>9}  failures")
            for kind in kinds + ["all"]:
                ms = all_ms if kind == "all" else sorted(stats.times.get(kind, ()))
                fails = (sum((stats.failures[k] for k in kinds), Counter()) if kind == "all" else stats.failures.get(kind, Counter()))
                figures = (f"{statistics.median(ms):7.0f}ms {pct(ms, 90):7.0f}ms {pct(ms, 95):7.0f}ms {ms[-1]:7.0f}ms"
                           if ms else f"{'—':>9} {'—':>9} {'—':>9} {'—':>9}")
                print(f"{kind:22} {len(ms):6} {figures}  {', '.join(f'{o} {n}' for o, n in fails.items()) or 'none'}")
            for (kind, outcome), body in stats.samples.items():
                if body:
                    print(f"first {outcome} of {kind}: {body}")
            print(f"dashboards re-fetch figures after: {', '.join(sorted(args.refetch_on))}")
            print("dashboard events received: " + (", ".join(f"{k} {n}" for k, n in stats.events.most_common()) or "none"))
    finally:
        if server:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
    cal_after = calibrate(connection)
    print(f"load average before: {load_before}, after: {load_after}")
    print(f"calibration after: Python yardstick {cal_after[0]:.0f} ms, PostgreSQL yardstick {cal_after[1]:.0f} ms "
          f"(before: {cal_before[0]:.0f} / {cal_before[1]:.0f} ms)")


if __name__ == "__main__":
    sys.exit(main())
