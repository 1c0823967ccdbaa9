"""Quarterly assessment at national scale: PostgreSQL recomputation against a DuckDB yardstick.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiezuo_bench .venv/bin/python bench/assessment.py --period 2026Q3

1. PostgreSQL: `xiezuo.assessment.compute.recompute` — every indicator of the current
   indicator system for every county and every pairing valid in the quarter, exactly what
   `manage.py assess compute 2026Q3 --as-of <quarter end>` does: the grouped fact queries
   (`facts.compute`), the formulas, scores, composites, grades, ranks, and the upsert of
   the score rows. Timed in total, and the fact queries alone.
2. Export: the columns those facts read, from the same tables, to Parquet (psycopg
   COPY … TO STDOUT as CSV, then DuckDB's own Parquet writer). Timed separately.
3. DuckDB: the same grouped aggregations, written in SQL over the Parquet files (one query
   per family of rows, the filters of `facts.py` for the window), rolled up onto the same
   subjects by the same attribution rule (`subjects.Rollup`) and run through the same
   formulas (`formula.evaluate`). No writes.
4. Checks that every fact and every indicator value of every subject agrees between the
   two, and prints the times, their ratios and the load average, the CPU each side used
   (Python plus the PostgreSQL backend; DuckDB's whole process, all its threads) and the
   machine's yardsticks (`_common.python_yardstick`, `sql_yardstick`) before and after.

`--dump FILE` / `--compare FILE` keep and compare everything a recomputation produced (see
`snapshot` below): run the old code with --dump and the new with --compare to show a change
of code changes no result; `--fresh` computes the period anew; `--no-duckdb` stops there.

The SQL here mirrors the fact definitions in xiezuo/assessment/facts.py; a change there
must be made here too (the agreement check fails loudly when they drift apart).
"""
import argparse
import os
import tempfile
import time
from pathlib import Path

import hashlib
import json

from _common import dataset_counts, load_average, python_yardstick, setup_django, sql_yardstick
from ingest import backend_cpu_clock

# table → the columns the facts read (nothing else is exported)
EXPORT = {
    "regions_region": "id, code",
    "orgs_organisation": "id, region_id",
    "pairings_pairing": "id, kind, east_region_id, west_region_id",
    "pairings_agreement": "id, pairing_id, year, fiscal_aid_fen, funds_due_date, cadres, professionals, labour_placements, consumption_fen",
    "projects_project": "id, county_id, pairing_id, status",
    "projects_milestone": "id, project_id, planned_date, actual_date",
    "projects_projectoutput": "id, project_id, as_of, local_procurement_fen, total_procurement_fen",
    "people_dispatch": "id, kind, direction, from_org_id, to_org_id, pairing_id, actual_start, actual_end, planned_end",
    "ledger_posting": "id, kind, amount_fen, agreement_id, allocation_id, reversal_of_id, booked_on, arrived_on",
    "labour_placement": "id, worker_id, county_id, place_id, start_date",
    "consumption_purchase": "id, product_id, county_id, buyer_region_id, pairing_id, amount_fen, purchased_on",
    "consumption_certificate": "id, product_id, status, valid_from, valid_to, revoked_on",
    "markets_technology": "id, owner_id",
    "markets_techdeal": "id, technology_id, county_id",
    "markets_dealreturn": "id, deal_id, period_end, revenue_fen, cost_fen",
}


def export_parquet(directory: Path) -> dict:
    """Write every EXPORT table to directory/<table>.parquet; return {table: rows}."""
    import duckdb
    from django.db import connection

    out = {}
    con = duckdb.connect()
    with connection.cursor() as cur:
        for table, columns in EXPORT.items():
            csv_path = directory / f"{table}.csv"
            with open(csv_path, "wb") as f, cur.cursor.copy(f"COPY (SELECT {columns} FROM {table}) TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
                for chunk in copy:
                    f.write(chunk)
            parquet = directory / f"{table}.parquet"
            con.execute(f"COPY (SELECT * FROM read_csv('{csv_path}', header=true, auto_detect=true, sample_size=-1)) "
                        f"TO '{parquet}' (FORMAT parquet)")
            out[table] = con.execute(f"SELECT count(*) FROM '{parquet}'").fetchone()[0]
            csv_path.unlink()
    con.close()
    return out


def family_sql(w) -> dict:
    """{family: SQL} giving (west, east, pairing, fact columns…) per group, with the filters
    of facts.py for the window (the period's days up to the cut, the agreement year, the due
    date in force, reversals and reversed allocations left out)."""
    start, cut, year = f"DATE '{w.period.start}'", f"DATE '{w.cut}'", w.year
    year_start, year_end = f"DATE '{w.year_start}'", f"DATE '{w.year_end}'"
    from xiezuo.assessment.facts import elapsed_share

    elapsed, days = elapsed_share(w)  # 序时进度 of the channels' commitments
    year_end_within = "TRUE" if w.period.start <= w.year_end <= w.cut else "FALSE"

    def due_within(col):
        """facts._due_within: due within the period; no due date → due on the year's last day."""
        return f"(({col} >= {start} AND {col} <= {cut}) OR ({year_end_within} AND {col} IS NULL))"

    term_ended = f"(d.kind <> 'cadre' AND d.planned_end >= {start} AND d.planned_end <= {cut})"
    term_due = f"({term_ended} AND d.actual_end IS NOT NULL)"
    in_post = f"(d.actual_end IS NULL OR d.actual_end >= {year_start})"
    # a posting is in force when no reversal names it
    not_reversed = "NOT EXISTS (SELECT 1 FROM ledger_posting r WHERE r.reversal_of_id = {a}.id)"
    live_arrival = f"p.kind = 'arrival' AND {not_reversed.format(a='p')} AND (al.id IS NULL OR {not_reversed.format(a='al')})"
    return {
        "milestones": f"""
            SELECT p.county_id AS west, pr.east_region_id AS east, p.pairing_id AS pairing,
                   count(*) AS milestones_due,
                   count(*) FILTER (WHERE m.actual_date IS NOT NULL AND m.actual_date <= m.planned_date) AS milestones_due_on_time
            FROM projects_milestone m JOIN projects_project p ON p.id = m.project_id
                 LEFT JOIN pairings_pairing pr ON pr.id = p.pairing_id
            WHERE m.planned_date >= {start} AND m.planned_date <= {cut} AND p.status <> 'cancelled'
            GROUP BY 1, 2, 3""",
        "dispatches": f"""
            SELECT t.region_id AS west, f.region_id AS east, d.pairing_id AS pairing,
                   count(*) FILTER (WHERE {term_due}) AS professionals_due,
                   count(*) FILTER (WHERE {term_due} AND d.actual_end >= d.planned_end) AS professionals_completed,
                   count(*) FILTER (WHERE {term_ended} AND d.actual_end IS NULL) AS professionals_end_missing,
                   count(*) FILTER (WHERE d.kind = 'cadre' AND {in_post}) AS cadres_dispatched,
                   count(*) FILTER (WHERE d.kind <> 'cadre' AND {in_post}) AS professionals_dispatched
            FROM people_dispatch d JOIN orgs_organisation t ON t.id = d.to_org_id JOIN orgs_organisation f ON f.id = d.from_org_id
            WHERE d.direction = 'e2w' AND d.actual_start IS NOT NULL AND d.actual_start <= {cut}
            GROUP BY 1, 2, 3""",
        "outputs": f"""
            WITH latest AS (
                SELECT o.*, row_number() OVER (PARTITION BY o.project_id ORDER BY o.as_of DESC) AS k
                FROM projects_projectoutput o WHERE o.as_of >= {start} AND o.as_of <= {cut})
            SELECT p.county_id AS west, pr.east_region_id AS east, p.pairing_id AS pairing,
                   sum(o.local_procurement_fen) AS local_procurement_fen, sum(o.total_procurement_fen) AS total_procurement_fen
            FROM latest o JOIN projects_project p ON p.id = o.project_id LEFT JOIN pairings_pairing pr ON pr.id = p.pairing_id
            WHERE o.k = 1
            GROUP BY 1, 2, 3""",
        "agreements": f"""
            WITH arrived AS (
                SELECT p.agreement_id, sum(p.amount_fen) AS fen
                FROM ledger_posting p LEFT JOIN ledger_posting al ON al.id = p.allocation_id
                WHERE {live_arrival} AND p.arrived_on <= {cut} AND p.agreement_id IS NOT NULL
                GROUP BY 1)
            SELECT pr.west_region_id AS west, pr.east_region_id AS east, a.pairing_id AS pairing,
                   sum(a.fiscal_aid_fen) AS fiscal_aid_committed_fen,
                   sum(a.fiscal_aid_fen) FILTER (WHERE {due_within('a.funds_due_date')}) AS fiscal_aid_due_fen,
                   sum(a.cadres) AS cadres_committed, sum(a.professionals) AS professionals_committed,
                   sum((a.labour_placements * {2 * elapsed} + {days}) // {2 * days}) AS labour_committed,
                   sum((a.consumption_fen * {2 * elapsed} + {days}) // {2 * days}) AS consumption_committed_fen,
                   sum(least(coalesce(ar.fen, 0), a.fiscal_aid_fen)) FILTER (WHERE {due_within('a.funds_due_date')})
                       AS fiscal_aid_arrived_fen
            FROM pairings_agreement a JOIN pairings_pairing pr ON pr.id = a.pairing_id
                 LEFT JOIN arrived ar ON ar.agreement_id = a.id
            WHERE a.year = {year}
            GROUP BY 1, 2, 3""",
        "allocations": f"""
            SELECT pr.west_region_id AS west, pr.east_region_id AS east, a.pairing_id AS pairing,
                   sum(p.amount_fen) AS funds_allocated_due_fen
            FROM ledger_posting p JOIN pairings_agreement a ON a.id = p.agreement_id JOIN pairings_pairing pr ON pr.id = a.pairing_id
            WHERE p.kind = 'allocation' AND {not_reversed.format(a='p')} AND a.year = {year} AND p.booked_on <= {cut}
                  AND {due_within('a.funds_due_date')}
            GROUP BY 1, 2, 3""",
        "arrivals": f"""
            SELECT pr.west_region_id AS west, pr.east_region_id AS east, a.pairing_id AS pairing,
                   sum(p.amount_fen) FILTER (WHERE al.booked_on <= {cut} AND {due_within('a.funds_due_date')}
                                             AND ((a.funds_due_date IS NULL AND p.arrived_on <= {year_end})
                                                  OR p.arrived_on <= a.funds_due_date)) AS funds_arrived_on_time_fen
            FROM ledger_posting p JOIN pairings_agreement a ON a.id = p.agreement_id JOIN pairings_pairing pr ON pr.id = a.pairing_id
                 LEFT JOIN ledger_posting al ON al.id = p.allocation_id
            WHERE {live_arrival} AND a.year = {year} AND p.arrived_on <= {cut}
            GROUP BY 1, 2, 3""",
        # facts fed by other apps (facts.py, "facts fed by other apps"); a table that is empty
        # exports columns without a type, hence the casts
        "placements": f"""
            WITH firsts AS (
                SELECT pl.county_id, pl.place_id,
                       row_number() OVER (PARTITION BY pl.worker_id ORDER BY CAST(pl.start_date AS DATE), pl.id) AS k
                FROM labour_placement pl
                WHERE CAST(pl.start_date AS DATE) >= {year_start} AND CAST(pl.start_date AS DATE) <= {cut})
            SELECT county_id AS west, place_id AS east, CAST(NULL AS BIGINT) AS pairing, count(*) AS labour_placed
            FROM firsts WHERE k = 1
            GROUP BY 1, 2, 3""",
        "purchases": f"""
            SELECT pu.county_id AS west, pu.buyer_region_id AS east, CAST(pu.pairing_id AS BIGINT) AS pairing,
                   sum(pu.amount_fen) AS consumption_actual_fen
            FROM consumption_purchase pu
            WHERE CAST(pu.purchased_on AS DATE) >= {year_start} AND CAST(pu.purchased_on AS DATE) <= {cut}
                  AND pu.pairing_id IS NOT NULL
                  AND EXISTS (SELECT 1 FROM consumption_certificate c
                              WHERE c.product_id = pu.product_id AND c.status = 'approved'
                                    AND CAST(c.valid_from AS DATE) <= CAST(pu.purchased_on AS DATE)
                                    AND CAST(c.valid_to AS DATE) >= CAST(pu.purchased_on AS DATE)
                                    AND (c.revoked_on IS NULL OR CAST(c.revoked_on AS DATE) > CAST(pu.purchased_on AS DATE)))
            GROUP BY 1, 2, 3""",
        "deal_returns": f"""
            SELECT d.county_id AS west, o.region_id AS east, CAST(NULL AS BIGINT) AS pairing,
                   sum(r.revenue_fen) AS tech_income_fen, sum(r.cost_fen) AS tech_investment_fen
            FROM markets_dealreturn r JOIN markets_techdeal d ON d.id = r.deal_id
                 JOIN markets_technology t ON t.id = d.technology_id JOIN orgs_organisation o ON o.id = t.owner_id
            WHERE CAST(r.period_end AS DATE) >= {start} AND CAST(r.period_end AS DATE) <= {cut}
            GROUP BY 1, 2, 3""",
    }


def duckdb_facts(directory: Path, subjects, window, names) -> tuple[dict, dict]:
    """{subject key: {fact: value}} computed in DuckDB over the Parquet files, and
    {family: seconds} of its queries."""
    import duckdb

    from xiezuo.assessment import facts
    from xiezuo.assessment.subjects import Rollup

    con = duckdb.connect()
    for table in EXPORT:
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM '{directory / table}.parquet'")
    out = {s.key: {} for s in subjects}
    by_family = {}
    for name in names:
        family = facts.source_of(name)
        for values in out.values():
            values[name] = None if family is None else 0
        if family is not None:
            by_family.setdefault(family.name, []).append(name)
    rollup = Rollup(subjects)
    sql, seconds = family_sql(window), {}
    missing = sorted(set(by_family) - set(sql))
    if missing:
        raise SystemExit(f"no DuckDB query for the families {missing}: add them to family_sql in bench/assessment.py")
    for family_name, fact_names in by_family.items():
        t0 = time.perf_counter()
        cur = con.execute(sql[family_name])
        columns = [c[0] for c in cur.description]
        rows = cur.fetchall()
        seconds[family_name] = time.perf_counter() - t0
        attribute = facts.FAMILIES[family_name].attribution(rollup)
        for row in rows:
            row = dict(zip(columns, row))
            keys = attribute(row["west"], row["east"], row["pairing"])
            for name in fact_names:
                v = int(row[name] or 0)
                if v:
                    for key in keys:
                        out[key][name] += v
    con.close()
    return out, seconds


def indicator_values(system, values_by_subject, subjects) -> dict:
    """{subject key: {indicator code: value as text}} from facts, as compute.recompute does."""
    from xiezuo.assessment import formula
    from xiezuo.assessment.scoring import q4

    indicators = list(system.indicators.all())
    trees = {i.code: formula.parse(i.formula) for i in indicators}
    out = {}
    for s in subjects:
        known = values_by_subject[s.key]
        out[s.key] = {i.code: (None if (v := q4(formula.evaluate(trees[i.code], known))) is None else str(v))
                      for i in indicators if i.applies_to(s.level)}
    return out


# --- equality before and after a change of code ---------------------------------------------
#
#     bench/assessment.py --period 2026Q3 --fresh --dump /tmp/before.json     (old code)
#     bench/assessment.py --period 2026Q3 --fresh --compare /tmp/before.json  (new code)
#
# Kept per score of the period (every subject): every field but the database ids and the
# times of the run (`computed_at`, `closed_at`): the facts, indicator values and scores,
# composites, coverage, grade, rank, peers, peer group, the pending restatement. Kept per
# run: the computation's stored evidence (which rows count, in words, per fact). Kept per
# sampled subject (every EVERY-th subject by key, and every province pair) and fact: the
# rows behind the number (`facts.evidence`) as their count, a digest of their sorted ids
# and the total they add up to — so a query that returned other rows shows even when the
# number stays the same.


EVERY = 40  # one subject in EVERY is sampled for its evidence rows (plus every province pair)
TIMES = {"id", "computed_at", "closed_at", "computation", "computation_id", "system_id"}


def _plain(value):
    if value is None or isinstance(value, (int, str, bool, float, dict, list)):
        return value
    return str(value)


def snapshot(system, period, as_of, *, evidence_rows: bool = True) -> dict:
    from xiezuo.assessment import facts
    from xiezuo.assessment.models import Computation, Score
    from xiezuo.assessment.subjects import all_subjects

    fields = [f for f in Score._meta.concrete_fields if f.attname not in TIMES]
    scores = {}
    for s in Score.objects.filter(system=system, period_kind=period.kind, period_start=period.start).order_by("subject_key"):
        row = {f.name: _plain(getattr(s, f.attname)) for f in fields}
        if isinstance(row.get("restatement"), dict):
            row["restatement"] = {k: v for k, v in row["restatement"].items() if k != "computed_at"}
        scores[s.subject_key] = row
    run = Computation.objects.get(system=system, period_kind=period.kind, period_start=period.start)
    out = {"period": period.label, "as_of": str(as_of), "system": system.number, "scores": scores,
           "computation": {"as_of": str(run.as_of), "scores": run.scores, "evidence": run.evidence}, "evidence": {}}
    if not evidence_rows:
        return out
    window = facts.Window.of(period, as_of)
    subjects = sorted(all_subjects(period), key=lambda s: s.key)
    sample = [s for i, s in enumerate(subjects) if i % EVERY == 0 or s.level == "province_pair"]
    for s in sample:
        stored = scores.get(s.key, {}).get("facts") or {}
        per = {}
        for name in sorted(stored):
            rows = facts.evidence(name, s, window)
            if rows is None:
                per[name] = None
                continue
            ids = sorted(rows.values_list("pk", flat=True))
            per[name] = {"count": len(ids), "ids": hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:16],
                         "total": facts.total(rows, name, window)}
        out["evidence"][s.key] = per
    return out


def dump(path, data) -> None:
    with open(path, "w") as f:
        json.dump(data, f, ensure_ascii=False, sort_keys=True, indent=0)


def compare(path, now: dict) -> list[str]:
    """Every difference between the snapshot in `path` and `now`, as lines of text."""
    with open(path) as f:
        before = json.load(f)
    now = json.loads(json.dumps(now, sort_keys=True))  # the same types as a reloaded file
    diffs = []
    for part in ("period", "as_of", "system", "computation"):
        if before[part] != now[part]:
            diffs.append(f"{part}: {before[part]!r} → {now[part]!r}")
    for section in ("scores", "evidence"):
        a, b = before[section], now[section]
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                diffs.append(f"{section} {key}: {a.get(key)!r} → {b.get(key)!r}")
    return diffs


def summary(data) -> str:
    n_rows = sum(1 for per in data["evidence"].values() for v in per.values() if v is not None)
    n_ids = sum(v["count"] for per in data["evidence"].values() for v in per.values() if v is not None)
    grades = {}
    for s in data["scores"].values():
        grades[s["grade"] or "-"] = grades.get(s["grade"] or "-", 0) + 1
    return (f"{len(data['scores']):,} scores (grades {', '.join(f'{k} {v}' for k, v in sorted(grades.items()))}); "
            f"evidence of {len(data['evidence'])} sampled subjects: {n_rows} facts, {n_ids:,} rows")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--period", default="2026Q3", help="a quarter label, e.g. 2026Q3")
    ap.add_argument("--as-of", default="", help="count data up to this day (default: the period's last day)")
    ap.add_argument("--dir", default="", help="where to write the Parquet files (default: a temporary folder)")
    ap.add_argument("--fresh", action="store_true",
                    help="delete the period's scores and computation first, so the timed run computes them anew "
                         "(not a recomputation of a closed period, which keeps the figures in force)")
    ap.add_argument("--dump", default="", help="write what the recomputation produced to this JSON file")
    ap.add_argument("--compare", default="", help="compare what it produced with this JSON file (from --dump); fail if different")
    ap.add_argument("--no-duckdb", action="store_true", help="PostgreSQL only (no export, no DuckDB, no ratio)")
    args = ap.parse_args()
    setup_django()
    import datetime

    from django.db import connection

    from xiezuo.assessment import facts, formula
    from xiezuo.assessment.compute import recompute
    from xiezuo.assessment.models import IndicatorSystem, Score
    from xiezuo.core.periods import Period
    from xiezuo.assessment.subjects import all_subjects

    period = Period.parse(args.period)
    as_of = datetime.date.fromisoformat(args.as_of) if args.as_of else period.end
    system = IndicatorSystem.current()
    print(f"database {connection.vendor} {connection.settings_dict.get('NAME')}, period {period.label}, as of {as_of}, "
          f"indicator system v{system.number}")
    print("dataset: " + ", ".join(f"{k} {v:,}" for k, v in dataset_counts().items()))

    yardsticks = [(python_yardstick(), sql_yardstick(connection))]
    print(f"yardsticks before: Python sha256 {yardsticks[0][0]:.0f} ms, PostgreSQL generate_series {yardsticks[0][1]:.0f} ms")
    if args.fresh:
        from xiezuo.assessment.models import Computation

        Score.objects.filter(system=system, period_kind=period.kind, period_start=period.start).delete()
        Computation.objects.filter(system=system, period_kind=period.kind, period_start=period.start).delete()

    # --- PostgreSQL: the real recomputation ---------------------------------------------
    print(f"load average before PostgreSQL: {load_average()}")
    backend_cpu = backend_cpu_clock(connection)
    t0, c0, b0 = time.perf_counter(), time.process_time(), backend_cpu()
    result = recompute(period, system, as_of=as_of)
    pg_seconds = time.perf_counter() - t0
    pg_cpu = (time.process_time() - c0, backend_cpu() - b0)
    pg_load = load_average()
    subjects = all_subjects(period)
    window = facts.Window.of(period, as_of)
    names = sorted({n.name for i in system.indicators.all() for n in formula.names(formula.parse(i.formula))})
    t0 = time.perf_counter()
    pg_facts = facts.compute(subjects, window, names)
    pg_fact_seconds = time.perf_counter() - t0
    print(f"PostgreSQL recompute {period.label}: {result.scores:,} scores ({len(subjects):,} subjects, "
          f"{system.indicators.count()} indicators) in {pg_seconds:.2f} s; CPU: Python {pg_cpu[0]:.2f} s + "
          f"PostgreSQL backend {pg_cpu[1]:.2f} s   [load {pg_load}]")
    print(f"PostgreSQL fact queries alone (facts.compute, {len(names)} facts): {pg_fact_seconds:.2f} s   [load {load_average()}]")
    if args.dump or args.compare:
        t0 = time.perf_counter()
        data = snapshot(system, period, as_of)
        print(f"snapshot: {summary(data)} ({time.perf_counter() - t0:.1f} s)")
        if args.dump:
            dump(args.dump, data)
            print(f"written to {args.dump}")
        if args.compare:
            diffs = compare(args.compare, data)
            print(f"compared with {args.compare}: {len(diffs)} differences")
            for line in diffs[:20]:
                print("  DIFFERENT:", line[:400])
            if diffs:
                raise SystemExit(1)
    if args.no_duckdb:
        yardsticks.append((python_yardstick(), sql_yardstick(connection)))
        print(f"yardsticks after: Python sha256 {yardsticks[1][0]:.0f} ms, PostgreSQL generate_series {yardsticks[1][1]:.0f} ms")
        return

    # --- export and DuckDB ---------------------------------------------------------------
    with tempfile.TemporaryDirectory(prefix="xiezuo-parquet-") as tmp:
        directory = Path(args.dir or tmp)
        directory.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        rows = export_parquet(directory)
        export_seconds = time.perf_counter() - t0
        size = sum(os.path.getsize(directory / f"{t}.parquet") for t in EXPORT)
        print(f"export to Parquet: {sum(rows.values()):,} rows of {len(rows)} tables, {size / 2**20:.0f} MiB, in {export_seconds:.1f} s")
        t0, c0 = time.perf_counter(), time.process_time()
        dk_facts, per_family = duckdb_facts(directory, subjects, window, names)
        dk_values = indicator_values(system, dk_facts, subjects)
        dk_seconds = time.perf_counter() - t0
        dk_cpu = time.process_time() - c0
        dk_load = load_average()
    print(f"DuckDB {period.label}: facts and indicator values of {len(subjects):,} subjects in {dk_seconds:.2f} s "
          f"(queries: {', '.join(f'{k} {v:.2f} s' for k, v in per_family.items())}); CPU (all its threads) {dk_cpu:.2f} s"
          f"   [load {dk_load}]")

    # --- agreement -------------------------------------------------------------------------
    stored = {s.subject_key: s for s in Score.objects.filter(system=system, period_kind=period.kind, period_start=period.start)}
    fact_diffs = [(k, n, pg_facts[k][n], dk_facts[k][n]) for k in pg_facts for n in names if pg_facts[k][n] != dk_facts[k][n]]
    value_diffs = []
    for key, values in dk_values.items():
        row = stored.get(key)
        have = {code: v["value"] for code, v in row.values.items()} if row else None
        if have != values:
            value_diffs.append((key, have, values))
    nonzero = sum(1 for k in pg_facts for n in names if pg_facts[k][n])
    print(f"agreement: {len(subjects):,} subjects × {len(names)} facts ({nonzero:,} non-zero): {len(fact_diffs)} differ; "
          f"indicator values of {len(dk_values):,} stored scores: {len(value_diffs)} differ")
    for diff in (fact_diffs + value_diffs)[:10]:
        print("  DIFFERENT:", diff)
    yardsticks.append((python_yardstick(), sql_yardstick(connection)))
    print(f"yardsticks after: Python sha256 {yardsticks[1][0]:.0f} ms, PostgreSQL generate_series {yardsticks[1][1]:.0f} ms")
    print(f"ratio PostgreSQL recompute / DuckDB: {pg_seconds / dk_seconds:.1f}×; "
          f"PostgreSQL fact queries / DuckDB: {pg_fact_seconds / dk_seconds:.1f}×; "
          f"CPU (Python + backend) / DuckDB CPU: {sum(pg_cpu) / dk_cpu:.1f}×")
    if fact_diffs or value_diffs:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
