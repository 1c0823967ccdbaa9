"""Two web nodes on one machine, as two machines would run them: each its own gunicorn and
its own Celery worker, sharing one PostgreSQL database, one Redis (events, broker) and one
media folder (the shared storage of background exports).

Used by tests/web/test_two_nodes.py; scripts/two-nodes.sh starts the same layout for a
person to try. The nodes are subprocesses in their own process groups, so stopping one ends
its gunicorn workers and Celery children with it, and nothing else.
"""
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def redis_reachable(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001 - any failure means "not here": the test is skipped
        return False


def _admin(settings_dict):
    """An autocommit connection to the server's maintenance database (CREATE/DROP DATABASE
    cannot run in a transaction, nor while connected to the database concerned)."""
    import psycopg

    return psycopg.connect(host=settings_dict.get("HOST") or "127.0.0.1", port=settings_dict.get("PORT") or 5432,
                           user=settings_dict.get("USER") or None, password=settings_dict.get("PASSWORD") or None,
                           dbname="postgres", autocommit=True)


def copy_database(settings_dict, source: str, target: str):
    """`target` as a copy of `source` (its migrations, the region tree, the demo): seconds,
    where migrating and seeding a fresh database would take most of a minute. PostgreSQL
    copies a template only while nobody is connected to it."""
    import psycopg

    with _admin(settings_dict) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        for attempt in range(50):  # a connection another thread of this run just closed may linger a moment
            try:
                conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
                return
            except psycopg.errors.ObjectInUse:
                if attempt == 49:
                    raise
                time.sleep(0.1)


def drop_database(settings_dict, name: str):
    with _admin(settings_dict) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def using_database(name: str):
    """The test process's default connection pointed at another database for the block, so
    the usual actions and builders write the nodes' world there (committed: the nodes are
    other processes)."""
    from django.db import connections

    conn = connections["default"]
    before = conn.settings_dict["NAME"]
    conn.close()
    conn.settings_dict["NAME"] = name
    try:
        yield
    finally:
        conn.close()
        conn.settings_dict["NAME"] = before


def database_url(settings_dict, name: str) -> str:
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    at = f"{user}{password}@" if user else ""
    return f"postgres://{at}{settings_dict.get('HOST') or '127.0.0.1'}:{settings_dict.get('PORT') or 5432}/{name}"


class Node:
    """One web node: gunicorn (threads, for the event streams) and its Celery worker."""

    def __init__(self, name: str, port: int, env: dict, logs: Path):
        self.name, self.port, self.logs = name, port, logs
        self.url = f"http://127.0.0.1:{port}"
        self.env = {**os.environ, **env, "PYTHONUNBUFFERED": "1"}
        self.processes = []

    def _spawn(self, what: str, args: list[str]):
        out = open(self.logs / f"{self.name}-{what}.log", "wb")
        proc = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append((what, proc, out))
        return proc

    def start(self):
        self._spawn("web", [str(BIN / "gunicorn"), "xiezuo.wsgi", "-k", "gthread", "--workers", "1", "--threads", "8",
                            "--bind", f"127.0.0.1:{self.port}", "--graceful-timeout", "2", "--timeout", "60"])
        self._spawn("worker", [str(BIN / "celery"), "-A", "xiezuo", "worker", "-l", "warning", "--concurrency", "1",
                               "-n", f"{self.name}@%h", "--without-gossip", "--without-mingle"])
        return self

    def wait_ready(self, deadline: float):
        """Until the node answers its login page (every process of it still running)."""
        while True:
            for what, proc, _out in self.processes:
                if proc.poll() is not None:
                    raise RuntimeError(f"node {self.name}: {what} exited ({proc.returncode}); see {self.logs}/{self.name}-{what}.log")
            try:
                if httpx.get(self.url + "/login/", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"node {self.name} did not answer on {self.url} in time; see {self.logs}")
            time.sleep(0.2)

    def terminate(self):
        """TERM to each of the node's process groups (gunicorn and its workers, Celery and its children)."""
        for _what, proc, _out in self.processes:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)

    def stop(self, grace: float = 3.0):
        """Terminate, then KILL what still runs after `grace` seconds (a Celery worker's warm
        shutdown can take longer; nothing is running by then)."""
        self.terminate()
        until = time.monotonic() + grace
        for _what, proc, out in self.processes:
            try:
                proc.wait(timeout=max(0.1, until - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
            out.close()
        self.processes = []
