"""The day each placement's next retention check falls due (`Placement.next_check_due`).

The weekly sheet and the placement list ask for the placements past a missed check. Asked of
the facts, that is an anti-join of every placement against the checks, once per milestone —
half a second and more at national scale. Stored, it is a range on one indexed column.

The rule, in one place (`first_due` in Python, `due_sql` in SQL): the due day (start + m
months, `models.add_months`) of the earliest milestone m in MILESTONES with no check recorded
for it and that the placement had not ended before (end date empty, or on or after that
day); none when every milestone is checked or fell after the end.

It changes when a placement is recorded or its end date changes, and when a check is
recorded or deleted, so the writers keep it: a new placement gets it in its own row (it has
no checks yet), a batch of checks refreshes its placements with one UPDATE (`refresh`), the
end-date edit and the check deletion likewise. `rebuild()` refills it from the facts (the
bulk loads, `rebuild_figures`), `check()` names every placement whose stored day differs.
"""
import datetime

from django.db import connection, models

from xiezuo.core.arrays import any_of, is_postgres
from xiezuo.core.bulkrows import chunks, select

from . import duecounts
from .choices import MILESTONES

TABLE = "labour_placement"
KEYS = ("placement",)


def first_due(start: datetime.date, end: datetime.date | None, checked=()) -> datetime.date | None:
    """The rule, for one placement whose checks are at the milestones `checked`."""
    from .models import add_months

    for m in MILESTONES:
        due = add_months(start, m)
        if end is not None and end < due:
            return None  # ended before this one was due: the later ones too
        if m not in checked:
            return due
    return None


def add_months_sql(column: str, months: int) -> str:
    """`column` + n calendar months as `models.add_months` counts them (clamped to the end of
    a shorter month). PostgreSQL's interval arithmetic clamps alike; SQLite's date() rolls
    over into the next month (31 January + 1 month = 3 March), brought back to the month's
    last day."""
    months = int(months)
    if is_postgres():
        return f"CAST({column} + interval '{months} months' AS date)"
    rolled = f"date({column}, '+{months} months')"
    return (f"(CASE WHEN strftime('%%d', {rolled}) = strftime('%%d', {column}) THEN {rolled} "
            f"ELSE date({rolled}, 'start of month', '-1 day') END)")


def due_sql(alias: str = "p", checked=None) -> str:
    """SQL of the rule for the placement row `alias`. `checked(m)` is the SQL condition that
    check m is recorded (by default an EXISTS on the unique (placement, milestone) index)."""
    if checked is None:
        def checked(m):
            return f"EXISTS (SELECT 1 FROM labour_retentioncheck r WHERE r.placement_id = {alias}.id AND r.milestone = {m})"
    arms = []
    for m in MILESTONES:  # in order: the first open milestone wins, an end before a due day stops the search
        day = add_months_sql(f"{alias}.start_date", m)
        arms.append(f"WHEN {alias}.end_date IS NOT NULL AND {alias}.end_date < {day} THEN NULL WHEN NOT {checked(m)} THEN {day}")
    return f"CASE {' '.join(arms)} END"


def refresh(placement_ids) -> int:
    """Recompute the stored day of these placements from their facts: one UPDATE (per 2,000
    ids on SQLite), the rule evaluated once per row; only rows whose day changes are written.
    The caller holds the placements' rows (`lock`) when others may add checks to them at the
    same time: this statement then reads every check committed before it. The per-month
    counts (`duecounts`) follow in the same transaction. Answers the rows written."""
    ids = sorted({int(i) for i in placement_ids})
    if not ids:
        return 0
    n = 0
    with connection.cursor() as cur:
        if is_postgres():
            where, params = any_of("p.id", ids, "bigint")
            cur.execute(f"UPDATE labour_placement AS t SET next_check_due = f.due FROM (SELECT p.id, p.next_check_due AS old, "
                        f"{due_sql('p')} AS due FROM labour_placement p WHERE {where}) AS f "
                        f"WHERE t.id = f.id AND t.next_check_due IS DISTINCT FROM f.due RETURNING t.county_id, f.old, f.due",
                        params)
            changes = cur.fetchall()
            duecounts.add(changes)
            return len(changes)
        before = duecounts.stored_days(ids)
        for part in chunks(ids):
            where, params = any_of("p.id", part, "bigint")
            cur.execute(f"UPDATE labour_placement AS p SET next_check_due = {due_sql('p')} "
                        f"WHERE {where} AND {_differs('p')}", params)
            n += max(cur.rowcount, 0)
    if n:
        after = duecounts.stored_days(ids)
        duecounts.add((after[pk][0], before[pk][1], after[pk][1]) for pk in ids if pk in after and before.get(pk) != after[pk])
    return n


def lock(placement_ids) -> None:
    """Hold these placements' rows (PostgreSQL, in id order: two batches never wait on each
    other in a circle) before their checks change, so that two writers adding checks to one
    placement at once refresh it one after the other, the second seeing the first's check."""
    ids = sorted({int(i) for i in placement_ids})
    if not ids or not is_postgres():
        return
    where, params = any_of("id", ids, "bigint")
    select(f"SELECT id FROM labour_placement WHERE {where} ORDER BY id FOR NO KEY UPDATE", params)


def _differs(alias: str) -> str:
    expr = due_sql(alias)
    if is_postgres():
        return f"{alias}.next_check_due IS DISTINCT FROM ({expr})"
    return f"{alias}.next_check_due IS NOT ({expr})"


def _facts_sql() -> str:
    """(placement id, due day from the facts) of every placement: the checks grouped once per
    placement and joined (a correlated probe per placement and milestone costs more over
    hundreds of thousands of rows)."""
    flags = ", ".join(f"max(CASE WHEN milestone = {m} THEN 1 ELSE 0 END) AS c{m}" for m in MILESTONES)
    expr = due_sql("p", checked=lambda m: f"(COALESCE(c.c{m}, 0) = 1)")
    return (f"SELECT p.id AS id, {expr} AS due FROM labour_placement p LEFT JOIN "
            f"(SELECT placement_id, {flags} FROM labour_retentioncheck GROUP BY placement_id) c ON c.placement_id = p.id")


def rebuild() -> int:
    """Refill every placement's stored day from the facts (set-based; only the rows that
    change are written). Answers the rows written. The per-month counts are not refilled
    here (migration 0006 calls this before their table exists): `duecounts.refill` after."""
    with connection.cursor() as cur:
        if is_postgres():
            cur.execute(f"UPDATE labour_placement AS t SET next_check_due = f.due FROM ({_facts_sql()}) AS f "
                        f"WHERE f.id = t.id AND t.next_check_due IS DISTINCT FROM f.due")
        else:
            cur.execute(f"UPDATE labour_placement AS p SET next_check_due = {due_sql('p')} WHERE {_differs('p')}", [])
        return max(cur.rowcount, 0)


def check(limit: int | None = None) -> list[tuple]:
    """[(placement id, stored, from the facts)] wherever they differ."""
    sql = (f"SELECT t.id, t.next_check_due, f.due FROM labour_placement t JOIN ({_facts_sql()}) AS f ON f.id = t.id "
           f"WHERE {'t.next_check_due IS DISTINCT FROM f.due' if is_postgres() else 't.next_check_due IS NOT f.due'} ORDER BY t.id")
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [(pk, _day(stored), _day(facts)) for pk, stored, facts in select(sql, [])]


def _day(value):
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


class AddMonths(models.Func):
    """date + n calendar months in a queryset, counted as `models.add_months` counts them."""

    output_field = models.DateField()

    def __init__(self, expression, months: int, **extra):
        self.months = int(months)
        super().__init__(expression, **extra)

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return add_months_sql(f"({sql})", self.months), params
