"""Helpers shared by the benchmark scripts (not tests: they print figures)."""
import hashlib
import http.cookiejar
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuo.settings")
    import django

    django.setup()


def start_server(port: int, workers: int = 2):
    """gunicorn serving the project on 127.0.0.1:port with the current DATABASE_URL."""
    env = dict(os.environ, XIEZUO_DEBUG="0", XIEZUO_CONN_MAX_AGE="600")
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "xiezuo.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers), "--threads", "4", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=1)
            return proc
        except Exception:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


class Browser:
    """A cookie-keeping HTTP client that logs in through the real login form."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def login(self, username, password="xiezuo-demo"):
        page = self.opener.open(self.base + "/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token}).encode()
        req = urllib.request.Request(self.base + "/login/", data=data, headers={"Referer": self.base + "/login/"})
        self.opener.open(req).read()

    def get(self, path):
        t0 = time.perf_counter()
        with self.opener.open(self.base + path) as resp:
            resp.read()
            status = resp.status
        return status, (time.perf_counter() - t0) * 1000


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (the machine is shared: note them with every figure)."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def dataset_counts() -> dict:
    """Row counts of the national dataset's big tables (exact counts, in SQL)."""
    from django.db import connection

    tables = {"projects": "projects_project", "milestones": "projects_milestone", "weekly reports": "projects_progressreport",
              "dispatch records": "people_dispatch", "agreements": "pairings_agreement", "ledger postings": "ledger_posting",
              "ledger entries": "ledger_entry"}
    out = {}
    with connection.cursor() as cur:
        for name, table in tables.items():
            cur.execute(f"SELECT count(*) FROM {table}")
            out[name] = cur.fetchone()[0]
    return out


def summary(ms):
    ms = sorted(ms)
    p90 = ms[max(0, -(-len(ms) * 9 // 10) - 1)]  # nearest-rank 90th percentile
    return f"median {statistics.median(ms):7.1f} ms, p90 {p90:7.1f} ms, n={len(ms)}"


def python_yardstick() -> float:
    """300,000 rounds of sha256 over 64 bytes (ms): the Python side of the machine, printed
    next to every figure so that two machines' figures can be compared."""
    t0 = time.perf_counter()
    block = b"x" * 64
    for _ in range(300_000):
        block = hashlib.sha256(block).digest() * 2
    return (time.perf_counter() - t0) * 1000


def sql_yardstick(connection) -> float:
    """A fixed query's time (ms): the database side of the machine (NaN off PostgreSQL)."""
    if connection.vendor != "postgresql":
        return float("nan")
    with connection.cursor() as cur:
        t0 = time.perf_counter()
        cur.execute("SELECT count(*) FROM generate_series(1, 3000000)")
        cur.fetchone()
        return (time.perf_counter() - t0) * 1000
