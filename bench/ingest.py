"""Bulk ingestion throughput: batches of 10,000 items, all-or-nothing, audited, chained.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiezuo_ingest \\
        .venv/bin/python bench/ingest.py --runs 5 --http [--port 8103] [--only report,posting] [--clients 2]

Four batch mixes — report-only, dispatch-only, posting-only (chains of allocate → confirm
arrival → disburse → record spending → reverse the spending, referring to each other by client
id, so every stage's rules and the overdraft check are exercised) and mixed (40 % reports,
30 % dispatches, 30 % postings) — each measured `--runs` times:
- directly: the `xiezuo.ingest.batch.ingest` function, commit included;
- with --http: POST /api/v1/ingest to gunicorn on 127.0.0.1:--port (2 workers) with a
  bearer token, through urllib (request body encoding outside the timing, JSON parsing of
  the request and the answer inside).
With --clients N (N > 1) there are N clients at once, as N offices would send their weekly
batches: each its own share of the projects, pairings and aid flows (so they meet only where
the data does: the chain head, shared accounts), each sending --runs batches back to back
from the same start; the figure is all their items over the time from that start to the
last answer. Directly that is N processes, each with its own database connection; over HTTP
N threads against gunicorn with N workers (bodies encoded before the start).

Prints every run and the median items/s per mix and path, the CPU seconds the Python process
and its PostgreSQL backend spent on each direct batch (a figure that does not depend on how
busy the machine is; over HTTP the CPU of the gunicorn workers and of the database's
backends), the load average, and the machine's yardsticks (`_common.python_yardstick`, a
SHA-256 loop, and `_common.sql_yardstick`, a fixed query) measured before and after in the
same run. The CPU a batch takes is not quite independent of the machine either: on a
machine whose speed drifts (another tenant's load) the same batch takes up to 1.6 times the
CPU in a slow spell. So the Python yardstick is also taken just before each direct run and
printed on its line, and the summary gives, beside the median, the run that took the least
CPU with its yardstick. Between runs (outside the timing) the projects
table is vacuumed, as autovacuum would between weekly batches (--no-vacuum to skip). Every batch is fresh (new client
ids, new weeks), so nothing is a duplicate; the data it adds stays in the database (the
ledger is append-only), which is why this runs against its own database, never a shared one.
Needs the national dataset (`manage.py generate_national --scale 0.1` or so) for projects,
agreements and offices; `manage.py ledger verify` passes afterwards.
"""
import argparse
import copy
import multiprocessing
import threading
import datetime
import json
import os
import statistics
import time
import urllib.error
import urllib.request
import uuid

from _common import ROOT, python_yardstick, setup_django, sql_yardstick

MIXES = {"report": {"report": 1.0}, "dispatch": {"dispatch": 1.0}, "posting": {"posting": 1.0},
         "mixed": {"report": 0.4, "dispatch": 0.3, "posting": 0.3}}


class Source:
    """What the batches are made of, read once from the database."""

    def __init__(self):
        from django.utils import timezone

        from xiezuo.orgs.models import Organisation
        from xiezuo.pairings.models import Agreement, Pairing
        from xiezuo.projects.models import Project

        self.today = timezone.localdate()
        # projects that take reports for any new week: not cancelled, not completed (a completed
        # project takes none for a week after its end)
        self.codes = list(Project.objects.exclude(status__in=("cancelled", "completed")).order_by("id")
                          .values_list("code", flat=True))
        offices = {}
        for org_id, region_id in Organisation.objects.filter(kind="office").order_by("-id").values_list("id", "region_id"):
            offices[region_id] = org_id
        self.pairs = [(p.id, offices[p.east_region_id], offices[p.west_region_id])
                      for p in Pairing.objects.filter(kind="county") if p.east_region_id in offices and p.west_region_id in offices]
        agreements = {a.pairing_id: a.id for a in Agreement.objects.filter(year__lte=self.today.year).order_by("year")}
        # a project in progress under a county pairing with an agreement: where aid flows end to end
        self.flows = [(agreements[pairing_id], code, pairing_id) for code, pairing_id in
                      Project.objects.filter(status="in_progress", pairing__kind="county").values_list("code", "pairing_id")
                      if pairing_id in agreements]
        from django.db.models import Max

        from xiezuo.projects.models import ProgressReport

        last = ProgressReport.objects.aggregate(m=Max("week"))["m"] or self.today
        self.next_week = max(last, self.today) + datetime.timedelta(weeks=1)  # every batch reports new weeks

    def reports(self, run, n):
        base = self.next_week - datetime.timedelta(days=self.next_week.weekday())
        self.next_week = base + datetime.timedelta(weeks=1 + n // max(1, len(self.codes)))
        return [{"type": "report", "client_id": f"b-{run}-r{i}", "project": self.codes[i % len(self.codes)],
                 "week": (base + datetime.timedelta(weeks=i // len(self.codes))).isoformat(), "percent": 1 + i % 100,
                 "done": "完成基础设施建设，带动农户增收", "problems": ""} for i in range(n)]

    def dispatches(self, run, n):
        out = []
        for i in range(n):
            pairing, east, west = self.pairs[i % len(self.pairs)]
            w2e = i % 7 == 0
            out.append({"type": "dispatch", "client_id": f"b-{run}-d{i}", "person_name": f"人才{i}", "kind": "education",
                        "direction": "w2e" if w2e else "e2w", "from_org": west if w2e else east, "to_org": east if w2e else west,
                        "pairing": pairing, "planned_start": "2026-03-01", "planned_end": "2027-02-28",
                        "actual_start": "2026-03-01"})
        return out

    def postings(self, run, n):
        out = []
        for c in range(n // 5):
            agreement, code, _pairing = self.flows[c % len(self.flows)]
            k = f"b-{run}-p{c}"
            out += [
                {"type": "posting", "client_id": f"{k}a", "stage": "allocate", "agreement": agreement, "amount_fen": 50_000_000},
                {"type": "posting", "client_id": f"{k}r", "stage": "confirm_arrival", "allocation": f"{k}a",
                 "arrived_on": self.today.isoformat()},
                {"type": "posting", "client_id": f"{k}d", "stage": "disburse", "project": code, "amount_fen": 30_000_000},
                {"type": "posting", "client_id": f"{k}s", "stage": "record_spending", "project": code, "amount_fen": 20_000_000},
                {"type": "posting", "client_id": f"{k}x", "stage": "reverse", "posting": f"{k}s", "reason": "重复记账"},
            ]
        return out

    def part(self, k, n):
        """The k-th of n disjoint shares of what batches are made of (one per client); aid flows
        by pairing, as each office sends its own (one pairing's flows share its accounts)."""
        share = copy.copy(self)
        share.codes, share.pairs = self.codes[k::n], self.pairs[k::n]
        share.flows = [f for f in self.flows if f[2] % n == k]
        return share

    def batch(self, mix, n):
        run = uuid.uuid4().hex[:10]
        items = []
        for kind, share in MIXES[mix].items():
            make = {"report": self.reports, "dispatch": self.dispatches, "posting": self.postings}[kind]
            items += make(run, int(n * share))
        return items


def cpu_seconds(pid) -> float:
    """User + system CPU seconds of a process on this machine (0 when it is gone)."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def http_cpu_clock(connection, server):
    """A function returning the CPU seconds gunicorn's workers and the PostgreSQL backends of
    this database (other than the script's own) have used: the HTTP path's figure, read
    before and after each request (the workers keep their connections, XIEZUO_CONN_MAX_AGE)."""
    def pids():
        try:
            workers = open(f"/proc/{server.pid}/task/{server.pid}/children").read().split()
        except OSError:
            workers = []
        with connection.cursor() as cur:
            cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
                        "AND backend_type = 'client backend'")
            backends = [row[0] for row in cur.fetchall()]
        return [int(w) for w in workers] + backends

    def read():
        return {pid: cpu_seconds(pid) for pid in pids()}

    return read


def cpu_spent(before: dict, after: dict) -> float:
    """CPU seconds spent between two readings of http_cpu_clock (a process new since counts whole)."""
    return sum(t - before.get(pid, 0.0) for pid, t in after.items())


def backend_cpu_clock(connection):
    """A function returning the CPU seconds the PostgreSQL backend serving `connection` has
    used (from /proc, when the server runs on this machine), or always 0 when unknown."""
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            pid = cur.fetchone()[0]
        tick = os.sysconf("SC_CLK_TCK")

        def read():
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / tick

        read()
        return read
    except Exception:  # noqa: BLE001 - SQLite, or a server elsewhere
        return lambda: 0.0


def start_server(port: int, workers: int = 2):
    """gunicorn on 127.0.0.1:port (the current DATABASE_URL), with a worker timeout long enough
    for a 10,000-item batch on a busy machine (gunicorn's default is 30 s)."""
    import subprocess

    env = dict(os.environ, XIEZUO_DEBUG="0", XIEZUO_CONN_MAX_AGE="600")
    proc = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "xiezuo.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers),
                             "--timeout", "600", "--log-level", "warning"], cwd=ROOT, env=env)
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=1)
            return proc
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


def post(port, token, body: bytes) -> dict:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/ingest", data=body, method="POST",
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=600) as resp:
            return json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        raise SystemExit(f"HTTP {exc.code}: {exc.read()[:500]!r}") from exc


def direct_client(batches, warm, start_at, answers):
    """One client process (forked: the parent closed its connection first, so this one opens
    its own): waits for the common start, sends its batches back to back."""
    from django.contrib.auth import get_user_model

    from xiezuo.ingest.batch import ingest

    user = get_user_model().objects.get(username="national")
    ingest(user, warm)  # connect and warm the caches outside the timing
    time.sleep(max(0.0, start_at - time.time()))
    ends = []
    for items in batches:
        outcome = ingest(user, items)
        assert outcome.ok and outcome.applied == len(items), outcome.refused[:3]
        ends.append(time.time())
    answers.put((sum(len(b) for b in batches), ends))


def concurrent(args, src, mixes, settle, token=None):
    """--clients N: all clients' items over the time from their common start to the last answer."""
    from django.db import connection

    results = {}
    n = args.clients
    paths = ["direct"] + (["http"] if args.http else [])
    for path in paths:
        server = start_server(args.port, workers=n) if path == "http" else None
        try:
            if server is not None:
                for _ in range(2 * n):  # every worker loads Django before anything is timed
                    post(args.port, token, b'{"items": []}')
            for mix in mixes:
                settle()
                shares = [src.part(k, n) for k in range(n)]
                # made here, not in the clients: the reports' weeks move on in `src` for the next mix and path
                warm = [sh.batch(mix, 5) for sh in shares]  # first: its weeks come before the timed ones
                batches = [[sh.batch(mix, args.size) for _ in range(args.runs)] for sh in shares]
                src.next_week = max(sh.next_week for sh in shares)
                if path == "direct":
                    connection.close()  # the children must not share the parent's socket
                    ctx = multiprocessing.get_context("fork")
                    answers = ctx.Queue()
                    start_at = time.time() + 3
                    procs = [ctx.Process(target=direct_client, args=(own, w, start_at, answers)) for own, w in zip(batches, warm)]
                    for proc in procs:
                        proc.start()
                    done = [answers.get(timeout=900) for _ in procs]
                    for proc in procs:
                        proc.join()
                        assert proc.exitcode == 0, f"a client failed (exit code {proc.exitcode})"
                else:
                    bodies = [[json.dumps({"items": items}, ensure_ascii=False).encode() for items in own] for own in batches]
                    start_at = time.time() + 1
                    done = []

                    def client(own):
                        time.sleep(max(0.0, start_at - time.time()))
                        ends, count = [], 0
                        for body in own:
                            answer = post(args.port, token, body)
                            assert answer.get("applied") == args.size, answer
                            count += args.size
                            ends.append(time.time())
                        done.append((count, ends))

                    threads = [threading.Thread(target=client, args=(own,)) for own in bodies]
                    for t in threads:
                        t.start()
                    for t in threads:
                        t.join()
                    assert len(done) == n, "a client failed"
                items = sum(count for count, _ends in done)
                seconds = max(ends[-1] for _count, ends in done) - start_at
                results[(f"{path}×{n}", mix)] = items / seconds
                firsts = ", ".join(f"{ends[0] - start_at:.2f}" for _count, ends in done)
                print(f"  {path} ×{n} {mix:8}: {items:,} items in {seconds:.2f} s = {items / seconds:,.0f} items/s "
                      f"(each client's first batch answered after {firsts} s)")
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=30)
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--size", type=int, default=10_000)
    ap.add_argument("--http", action="store_true")
    ap.add_argument("--port", type=int, default=8103)
    ap.add_argument("--clients", type=int, default=1, help="clients sending at once (default 1: one batch at a time)")
    ap.add_argument("--only", default=",".join(MIXES), help="comma-separated mixes: " + ", ".join(MIXES))
    ap.add_argument("--no-vacuum", action="store_true", help="do not VACUUM the updated tables between runs")
    args = ap.parse_args()
    os.environ.setdefault("XIEZUO_DEBUG", "0")  # as in production (DEBUG keeps every query's SQL)
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from xiezuo.ingest.batch import ingest

    user = get_user_model().objects.get(username="national")
    src = Source()
    mixes = args.only.split(",")
    print(f"database {connection.vendor} {connection.settings_dict['NAME']}: {len(src.codes):,} projects, "
          f"{len(src.pairs):,} county pairings, {len(src.flows):,} projects with an agreement; batches of {args.size:,}")
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    if connection.vendor == "postgresql":  # fresh statistics first: autovacuum may be off (it is on these machines)
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    yardsticks = [(python_yardstick(), sql_yardstick(connection))]
    print(f"yardsticks before: Python sha256 300k rounds {yardsticks[0][0]:.0f} ms, "
          f"PostgreSQL count(generate_series(1, 3M)) {yardsticks[0][1]:.0f} ms")
    backend_cpu = backend_cpu_clock(connection)
    results, cpu, http_cpu = {}, {}, {}
    best = {}  # mix → (the least CPU a direct run took, the Python yardstick just before it)

    def settle():
        """Between runs, outside the timing: VACUUM what a batch updates in place. Every run
        moves all 10,000 projects' latest week within seconds, where real projects report
        once a week and autovacuum cleans up in between (it may not keep up on a busy box)."""
        if args.no_vacuum or connection.vendor != "postgresql":
            return
        with connection.cursor() as cur:
            cur.execute("VACUUM (ANALYZE) projects_project")

    token = None
    if args.http:
        from xiezuo.users.models import ApiToken

        token = ApiToken.issue(user)
    if args.clients > 1:
        results = concurrent(args, src, mixes, settle, token)
        print(f"\nitems/s of {args.clients} clients sending {args.runs} batches of {args.size:,} items each at once "
              f"(load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())})")
        for (path, mix), rate in results.items():
            print(f"  {path:9} {mix:8} {rate:>9,.0f}")
        return

    for mix in mixes:
        rates, cpus = [], []
        for r in range(args.runs):
            items = src.batch(mix, args.size)
            settle()
            # the machine's speed right before this run: its speed moves within minutes
            yard = python_yardstick()
            pg0, py0, t0 = backend_cpu(), time.process_time(), time.perf_counter()
            outcome = ingest(user, items)
            dt = time.perf_counter() - t0
            py, pg = time.process_time() - py0, backend_cpu() - pg0
            assert outcome.ok and outcome.applied == len(items), outcome.refused[:3]
            rates.append(len(items) / dt)
            cpus.append(py + pg)
            best[mix] = min(best.get(mix, (float("inf"), 0.0)), (py + pg, yard))
            print(f"  direct {mix:8} run {r + 1}: {len(items):,} items in {dt:.3f} s = {len(items) / dt:,.0f} items/s "
                  f"(CPU: Python {py:.2f} s, PostgreSQL backend {pg:.2f} s; Python yardstick just before {yard:.0f} ms)")
        results[("direct", mix)] = statistics.median(rates)
        cpu[mix] = statistics.median(cpus)
    if args.http:
        server = start_server(args.port)
        try:
            for _ in range(4):  # let both workers load Django before anything is timed
                post(args.port, token, b'{"items": []}')
            served_cpu = http_cpu_clock(connection, server)
            for mix in mixes:
                rates, cpus = [], []
                for r in range(args.runs):
                    items = src.batch(mix, args.size)
                    settle()
                    body = json.dumps({"items": items}, ensure_ascii=False).encode()
                    c0 = served_cpu()
                    t0 = time.perf_counter()
                    answer = post(args.port, token, body)
                    dt = time.perf_counter() - t0
                    spent = cpu_spent(c0, served_cpu())
                    assert answer.get("applied") == len(items), answer
                    rates.append(len(items) / dt)
                    cpus.append(spent)
                    print(f"  HTTP   {mix:8} run {r + 1}: {len(items):,} items in {dt:.3f} s = {len(items) / dt:,.0f} items/s "
                          f"({len(body) / 1e6:.1f} MB; CPU of gunicorn workers + backends {spent:.2f} s)")
                results[("http", mix)] = statistics.median(rates)
                http_cpu[mix] = statistics.median(cpus)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"\nmedian items/s over {args.runs} runs of {args.size:,} items "
          f"(load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())})")
    for (path, mix), rate in results.items():
        extra = ""
        if path == "direct" and cpu.get(mix):
            extra = (f"   ({args.size / cpu[mix]:,.0f} items per CPU-second of Python + PostgreSQL backend; "
                     f"best run {args.size / best[mix][0]:,.0f} at a yardstick of {best[mix][1]:.0f} ms)")
        if path == "http" and http_cpu.get(mix):
            extra = f"   ({args.size / http_cpu[mix]:,.0f} items per CPU-second of gunicorn worker + PostgreSQL backend)"
        print(f"  {path:6} {mix:8} {rate:>9,.0f}{extra}")
    yardsticks.append((python_yardstick(), sql_yardstick(connection)))
    print(f"yardsticks after: Python sha256 300k rounds {yardsticks[1][0]:.0f} ms, "
          f"PostgreSQL count(generate_series(1, 3M)) {yardsticks[1][1]:.0f} ms")


if __name__ == "__main__":
    main()
