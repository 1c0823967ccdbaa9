#!/usr/bin/env bash
# The production layout on one machine, on loopback, to try: two web nodes (gunicorn, threads
# for the dashboards' event streams), each with its own Celery worker, one Celery beat, all
# sharing one PostgreSQL database, one Redis (events, task broker, cache) and one media folder (the
# shared storage of uploads and background exports). See README, "Running in production".
#
#   scripts/two-nodes.sh            # builds the demo database on first use, then runs until Ctrl-C
#
# Then log in as county_office (password xiezuo-demo) on both nodes: open the dashboard on
# node B and submit a weekly report or a disbursement on node A — the event appears on B;
# the figures on both nodes are the same. Settings (environment):
#   DATABASE_URL   PostgreSQL only (default postgres://postgres@127.0.0.1:5432/xiezuo_two_nodes;
#                  created and filled with the demo when missing)
#   REDIS_URL      events (default redis://127.0.0.1:6379/0)
#   XIEZUO_CELERY_BROKER  tasks (default redis://127.0.0.1:6379/1)
#   XIEZUO_CACHE_URL      the dashboards' shared figures (default redis://127.0.0.1:6379/2)
#   PORT_A, PORT_B (default 8001, 8002); RUN_DIR logs, media, beat schedule (default /tmp/xiezuo-two-nodes)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PY:-$ROOT/.venv/bin/python}
BIN=$(dirname "$PY")

export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/xiezuo_two_nodes}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export XIEZUO_CELERY_BROKER=${XIEZUO_CELERY_BROKER:-redis://127.0.0.1:6379/1}
export XIEZUO_CACHE_URL=${XIEZUO_CACHE_URL:-redis://127.0.0.1:6379/2}
export XIEZUO_EVENTS=redis
export XIEZUO_DEBUG=0
export XIEZUO_SECRET_KEY=${XIEZUO_SECRET_KEY:-two-nodes-local-only-key-the-same-on-every-node}
export XIEZUO_ALLOWED_HOSTS=${XIEZUO_ALLOWED_HOSTS:-127.0.0.1,localhost}
export XIEZUO_CONN_MAX_AGE=${XIEZUO_CONN_MAX_AGE:-60}
PORT_A=${PORT_A:-8001}
PORT_B=${PORT_B:-8002}
RUN_DIR=${RUN_DIR:-/tmp/xiezuo-two-nodes}
export XIEZUO_MEDIA_ROOT=${XIEZUO_MEDIA_ROOT:-$RUN_DIR/media}
mkdir -p "$RUN_DIR" "$XIEZUO_MEDIA_ROOT"

case "$DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "two nodes share a PostgreSQL database; DATABASE_URL=$DATABASE_URL is not one" >&2; exit 2 ;;
esac
"$PY" - <<'EOF' || { echo "Redis is not reachable at $REDIS_URL / $XIEZUO_CELERY_BROKER" >&2; exit 2; }
import os, redis
for url in (os.environ["REDIS_URL"], os.environ["XIEZUO_CELERY_BROKER"], os.environ["XIEZUO_CACHE_URL"]):
    redis.Redis.from_url(url, socket_connect_timeout=2).ping()
EOF

# The database: created when missing, then migrated and given the demo (each step skips what is there).
"$PY" - <<'EOF'
import os, psycopg
from urllib.parse import urlparse
u = urlparse(os.environ["DATABASE_URL"])
name = u.path.lstrip("/")
with psycopg.connect(host=u.hostname or "127.0.0.1", port=u.port or 5432, user=u.username, password=u.password,
                     dbname="postgres", autocommit=True) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        conn.execute(f'CREATE DATABASE "{name}"')
        print(f"created database {name}")
EOF
make -s setup

pids=()
start() {  # start NAME COMMAND... : in its own process group, output to RUN_DIR/NAME.log
  local name=$1; shift
  setsid "$@" >"$RUN_DIR/$name.log" 2>&1 &
  pids+=($!)
  echo "$name: pid $! (log $RUN_DIR/$name.log)"
}
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

for node in A B; do
  port=PORT_$node
  start "web-$node" "$BIN/gunicorn" xiezuo.wsgi -k gthread --workers 2 --threads 16 --bind "127.0.0.1:${!port}" --graceful-timeout 5
  start "worker-$node" "$BIN/celery" -A xiezuo worker -l info --concurrency 1 -n "node$node@%h"
done
start beat "$BIN/celery" -A xiezuo beat -l info -s "$RUN_DIR/celerybeat-schedule"   # one beat for the whole cluster

for port in "$PORT_A" "$PORT_B"; do
  for _ in $(seq 100); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/login/" && break
    sleep 0.3
  done
done
cat <<EOF

Two nodes, one database ($DATABASE_URL), one Redis:
  node A  http://127.0.0.1:$PORT_A/dashboard/
  node B  http://127.0.0.1:$PORT_B/dashboard/
Log in on each (county_office / xiezuo-demo). A session begun on one node is valid on the
other, as behind a load balancer without sticky sessions. Ctrl-C stops everything.
EOF
wait
