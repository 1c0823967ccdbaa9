"""The dashboard's labour figures kept as a summary table, written in the transaction that
records placements and retention checks (`LabourTotal`).

A row counts, for one part of the tree (a code prefix: "" the whole country, 2 digits a
province, 4 a prefecture, 6 a county) and one period, one measure:

- `placed` / `paired` (period: 1 January of the year): the workers with a placement starting
  in the year that the part of the tree sees (the worker's registering county or the place
  of work in it, as `Placement.scope_paths` say), each counted once however many placements
  they have — `paired`: in the paired eastern province;
- `placements` (period: the first day of the start month): the placements started that month;
- `checked_3`, `employed_3`, … (the same period): those of them with the retention check at 3,
  6 or 12 months recorded, and found still employed.

An office reads its own prefix: one indexed range instead of a count over every placement
and an EXISTS per check. Writers add what they change with one upsert (`INSERT … ON CONFLICT
DO UPDATE SET n = n + excluded.n`, keys sorted, `projects.totals.upsert`), so two batches at
once add up. `check()` names every difference from the facts; `rebuild()` refills the table
from them (the national generator's bulk load, `manage.py rebuild_figures`).
"""
import datetime
from collections import Counter

from django.db import models

from xiezuo.core.arrays import any_of, is_postgres
from xiezuo.core.bulkrows import select
from xiezuo.projects.totals import differences, replace_all, upsert

from .choices import MILESTONES

TABLE = "labour_labourtotal"
KEYS = ("prefix", "period", "measure")
PLACED, PAIRED, PLACEMENTS = "placed", "paired", "placements"


class LabourTotal(models.Model):
    """How many of one measure one part of the tree counts in one period (see the module)."""

    prefix = models.CharField(max_length=6)
    period = models.DateField()
    measure = models.CharField(max_length=12)
    n = models.BigIntegerField(default=0)

    class Meta:
        app_label = "labour"
        constraints = [models.UniqueConstraint(fields=["prefix", "period", "measure"], name="labour_total_key")]


def prefixes(*codes) -> set:
    """The parts of the tree that see a row placed at these region codes."""
    out = {""}
    for code in codes:
        out.update((code[:2], code[:4], code[:6]))
    return out


def _day(value):
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def year_of(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 1, 1)


def _worker_cover(placements) -> dict:
    """{(worker id, year): {(prefix, measure)}} the workers' placements make them count in."""
    cover = {}
    for worker_id, start, county_code, place_code, paired in placements:
        seen = cover.setdefault((worker_id, start.year), set())
        for prefix in prefixes(county_code, place_code):
            seen.add((prefix, PLACED))
            if paired:
                seen.add((prefix, PAIRED))
    return cover


def existing_placements(worker_ids, years) -> list[tuple]:
    """[(worker id, start, county code, place code, paired)] already recorded for these
    workers in these years (one query)."""
    if not worker_ids or not years:
        return []
    where, params = any_of("p.worker_id", sorted(worker_ids), "bigint")
    rows = select(f"SELECT p.worker_id, p.start_date, c.code, pl.code, p.in_paired_province FROM labour_placement p "
                  f"JOIN regions_region c ON c.id = p.county_id JOIN regions_region pl ON pl.id = p.place_id "
                  f"WHERE {where} AND p.start_date >= %s AND p.start_date < %s",
                  [*params, datetime.date(min(years), 1, 1), datetime.date(max(years) + 1, 1, 1)])
    return [(w, _day(d), cc, pc, bool(paired)) for w, d, cc, pc, paired in rows]


def count_placements(new, before) -> None:
    """Add placements about to be written: `new` and `before` (the same workers' placements
    already recorded, `existing_placements`) as (worker id, start, county code, place code,
    paired). A worker counts once per part of the tree and year: only the parts the new
    placements add to the worker's are counted. Grouped in Python before the one upsert: a
    batch of 10,000 places most workers once, from a few hundred (county, place) pairs."""
    parts = {}  # (county code, place code) → its prefixes, made once per pair
    months, simple, by_worker = Counter(), Counter(), {}
    for worker_id, start, county_code, place_code, paired in new:
        pair = (county_code, place_code)
        if pair not in parts:
            parts[pair] = tuple(prefixes(county_code, place_code))
        months[(pair, month_of(start))] += 1
        by_worker.setdefault((worker_id, start.year), []).append((pair, paired))
    old = _worker_cover(before)
    acc = Counter()  # (prefix, period, measure) → n: merged here, so the upsert gets each key once
    for (worker_id, year), placed in by_worker.items():
        if len(placed) == 1 and (worker_id, year) not in old:  # the usual case: the worker's first placement of the year
            simple[(placed[0][0], placed[0][1], year)] += 1
            continue
        after = set()
        for pair, paired in placed:
            after.update((prefix, PLACED) for prefix in parts[pair])
            if paired:
                after.update((prefix, PAIRED) for prefix in parts[pair])
        jan = datetime.date(year, 1, 1)
        for prefix, measure in after - old.get((worker_id, year), set()):
            acc[(prefix, jan, measure)] += 1
    for (pair, paired, year), n in simple.items():
        jan = datetime.date(year, 1, 1)
        for prefix in parts[pair]:
            acc[(prefix, jan, PLACED)] += n
            if paired:
                acc[(prefix, jan, PAIRED)] += n
    for (pair, month), n in months.items():
        for prefix in parts[pair]:
            acc[(prefix, month, PLACEMENTS)] += n
    upsert(TABLE, KEYS, "n", [(*key, n) for key, n in acc.items()])


def count_checks(checks, sign: int = 1) -> None:
    """Add retention checks written (`sign` -1: take away checks deleted): (placement start,
    county code, place code, milestone, employed)."""
    rows = []
    for start, county_code, place_code, milestone, employed in checks:
        month = month_of(start)
        for prefix in prefixes(county_code, place_code):
            rows.append((prefix, month, f"checked_{milestone}", sign))
            if employed:
                rows.append((prefix, month, f"employed_{milestone}", sign))
    upsert(TABLE, KEYS, "n", rows)


def contributions(worker_ids) -> Counter:
    """What these workers' placements and checks count for, from the facts: taken before and
    after a change that moves placements between workers or counties (a merge), the
    difference is what to add (`recount`)."""
    if not worker_ids:
        return Counter()
    where, params = any_of("p.worker_id", sorted(worker_ids), "bigint")
    rows = select(f"SELECT p.id, p.worker_id, p.start_date, c.code, pl.code, p.in_paired_province FROM labour_placement p "
                  f"JOIN regions_region c ON c.id = p.county_id JOIN regions_region pl ON pl.id = p.place_id WHERE {where}", params)
    out = Counter()
    starts = {}
    for pk, worker_id, start, cc, pc, _paired in rows:
        starts[pk] = (_day(start), cc, pc)
        for prefix in prefixes(cc, pc):
            out[(prefix, month_of(_day(start)), PLACEMENTS)] += 1
    for (worker_id, year), cover in _worker_cover([(w, _day(d), cc, pc, bool(p)) for _pk, w, d, cc, pc, p in rows]).items():
        for prefix, measure in cover:
            out[(prefix, datetime.date(year, 1, 1), measure)] += 1
    if starts:
        where, params = any_of("placement_id", sorted(starts), "bigint")
        for placement_id, milestone, employed in select(
                f"SELECT placement_id, milestone, employed FROM labour_retentioncheck WHERE {where}", params):
            start, cc, pc = starts[placement_id]
            for prefix in prefixes(cc, pc):
                out[(prefix, month_of(start), f"checked_{milestone}")] += 1
                if employed:
                    out[(prefix, month_of(start), f"employed_{milestone}")] += 1
    return out


def recount(before: Counter, worker_ids) -> None:
    """Add the difference between these workers' contributions now and `before`."""
    after = contributions(worker_ids)
    upsert(TABLE, KEYS, "n", [(*key, after.get(key, 0) - before.get(key, 0)) for key in before.keys() | after.keys()])


# --- reading ---------------------------------------------------------------------------------


def stored(prefix: str, measures, since=None) -> list[tuple]:
    """[(period, measure, n)] of one part of the tree."""
    where, params = any_of("measure", list(measures))
    sql = f"SELECT period, measure, n FROM {TABLE} WHERE prefix = %s AND {where}"
    args = [prefix, *params]
    if since is not None:
        sql += " AND period >= %s"
        args.append(since)
    return [(_day(p), m, n) for p, m, n in select(sql, args)]


def prefix_of(user) -> str | None:
    """The summary prefix of the part of the tree the user sees ("" the country), None for nothing."""
    from xiezuo.core.scoping import scope_for

    scope = scope_for(user)
    if scope.everything:
        return ""
    if not scope.active or scope.own is None:
        return None
    return scope.own


def placements_seen(user, year: int | None = None) -> int:
    """How many placements the user sees (started in `year`, or ever): the unfiltered
    placement list's length. A placement is seen from its registering county's and its place
    of work's parts of the tree, and the `placements` measure counts it once under each
    prefix of either code, so the user's own prefix has the number: a province office's
    800,000 placements are a few hundred summary rows instead of a parallel scan."""
    prefix = prefix_of(user)
    if prefix is None:
        return 0
    sql = f"SELECT COALESCE(SUM(n), 0) FROM {TABLE} WHERE prefix = %s AND measure = %s"
    args = [prefix, PLACEMENTS]
    if year is not None:
        sql += " AND period >= %s AND period < %s"
        args += [datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)]
    return int(select(sql, args)[0][0])


def checks_seen(user, milestone: int | None = None, employed: bool | None = None) -> int:
    """How many retention checks the user sees (at one milestone, or all; found employed or
    not, or either): the unfiltered check list's length, from the `checked_*` and
    `employed_*` measures of the user's prefix, which count each check once under each part of
    the tree that sees its placement — ten million checks nationally are not counted one by
    one on every page view."""
    prefix = prefix_of(user)
    if prefix is None:
        return 0
    milestones = [milestone] if milestone else list(MILESTONES)
    totals = dict.fromkeys(("checked", "employed"), 0)
    where, params = any_of("measure", [f"{what}_{m}" for m in milestones for what in totals])
    for measure, n in select(f"SELECT measure, COALESCE(SUM(n), 0) FROM {TABLE} WHERE prefix = %s AND {where} GROUP BY measure",
                             [prefix, *params]):
        totals[measure.split("_")[0]] += int(n)
    if employed is None:
        return totals["checked"]
    return totals["employed"] if employed else totals["checked"] - totals["employed"]


# --- the facts ---------------------------------------------------------------------------------


def _facts_sql() -> str:
    """(prefix, period, measure, n) from the placements and checks, in one statement: each
    placement once per part of the tree that sees it (a prefix of the place's code is added
    only where it differs from the county's of the same length), then grouped."""
    if is_postgres():
        month, year = "CAST(date_trunc('month', x.start_date) AS date)", "CAST(date_trunc('year', x.start_date) AS date)"
    else:
        month, year = "date(x.start_date, 'start of month')", "date(x.start_date, 'start of year')"
    parts = ["SELECT id, worker_id, start_date, paired, '' AS prefix FROM b"]
    for k in (2, 4, 6):
        parts.append(f"SELECT id, worker_id, start_date, paired, substr(cc, 1, {k}) FROM b")
        parts.append(f"SELECT id, worker_id, start_date, paired, substr(pc, 1, {k}) FROM b WHERE substr(pc, 1, {k}) <> substr(cc, 1, {k})")
    return (f"WITH b AS (SELECT p.id, p.worker_id, p.start_date, p.in_paired_province AS paired, c.code AS cc, pl.code AS pc "
            f"FROM labour_placement p JOIN regions_region c ON c.id = p.county_id JOIN regions_region pl ON pl.id = p.place_id), "
            f"x AS ({' UNION ALL '.join(parts)}) "
            f"SELECT x.prefix, {month} AS period, '{PLACEMENTS}' AS measure, count(*) AS n FROM x GROUP BY 1, 2 "
            f"UNION ALL SELECT x.prefix, {year}, '{PLACED}', count(DISTINCT x.worker_id) FROM x GROUP BY 1, 2 "
            f"UNION ALL SELECT x.prefix, {year}, '{PAIRED}', count(DISTINCT x.worker_id) FROM x WHERE x.paired GROUP BY 1, 2 "
            f"UNION ALL SELECT x.prefix, {month}, 'checked_' || r.milestone, count(*) FROM x "
            f"JOIN labour_retentioncheck r ON r.placement_id = x.id GROUP BY 1, 2, 3 "
            f"UNION ALL SELECT x.prefix, {month}, 'employed_' || r.milestone, count(*) FROM x "
            f"JOIN labour_retentioncheck r ON r.placement_id = x.id WHERE r.employed GROUP BY 1, 2, 3")


def rebuild() -> int:
    """Refill the table from the placements and checks; the rows written. The placements'
    next check owed (`due`) is refilled too: the bulk loads that call this (the generators)
    copy placements and checks in without it, and its per-month counts (`duecounts`)."""
    from . import due, duecounts

    due.rebuild()
    duecounts.refill()
    return refill()


def refill() -> int:
    """Refill the summary table alone from the facts; the rows written."""
    return replace_all(TABLE, KEYS, "n", _facts_sql())


def check() -> list[tuple]:
    """[(prefix, period, measure, stored, from the facts)] wherever they differ."""
    return differences(TABLE, KEYS, "n", _facts_sql())


MEASURES = (PLACEMENTS, *(f"{what}_{m}" for m in MILESTONES for what in ("checked", "employed")))
