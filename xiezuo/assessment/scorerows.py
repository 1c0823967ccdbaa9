"""Writing one period's score rows in bulk: the upsert behind `actions.save_scores`.

On PostgreSQL the rows go through COPY into a temporary table and one
`INSERT … SELECT … ON CONFLICT (version, subject, period) DO UPDATE`; the scores no longer
in the period are found by comparing the period's subjects. Django's `bulk_create(update_conflicts=True)`
binds every value of every row on the client — for a national period (2,418 rows of
JSON facts and values) that quoting cost more than everything else in the recomputation
together (docs/BENCHMARKS.md, 6 December, session 2). Elsewhere (SQLite) it is still
`bulk_create`, which is fast enough there.

The values written are those the ORM would write: the same columns, JSON as `json.dumps`
of the same objects (stored as jsonb, so key order and spacing do not matter), Decimals
and dates as they are. A score that exists keeps its id, so what links to it (warnings,
orders, incentives) still does.
"""
import json

from django.db import connection

from xiezuo.core.arrays import is_postgres

from .models import Score

TEMP = "_assessment_score_rows"


def _columns(update_fields):
    """(every column but the id, the columns an existing row takes from the new one)."""
    fields = [f for f in Score._meta.concrete_fields if not f.primary_key]
    names = {f.name for f in fields}
    unknown = set(update_fields) - names
    if unknown:
        raise ValueError(f"not fields of Score: {sorted(unknown)}")
    return fields, [f.column for f in fields if f.name in set(update_fields)]


def _value(field, row):
    value = getattr(row, field.attname)
    if value is not None and field.get_internal_type() == "JSONField":
        return json.dumps(value, cls=field.encoder)
    return value


def upsert(rows: list[Score], *, update_fields, system, period) -> list[int]:
    """Insert or update `rows` (unsaved Score instances, their computation set) keyed on
    (version, subject, period kind, period start); return the ids of the period's scores
    whose subject is not among `rows` (the caller deletes them through the ORM, so whatever
    links to them goes too)."""
    if not is_postgres():
        Score.objects.bulk_create(rows, batch_size=1000, update_conflicts=True,
                                  unique_fields=["system", "subject_key", "period_kind", "period_start"],
                                  update_fields=update_fields)
        return list(Score.objects.filter(system=system, period_kind=period.kind, period_start=period.start)
                    .exclude(subject_key__in=[r.subject_key for r in rows]).values_list("pk", flat=True))
    fields, updated = _columns(update_fields)
    columns = [f.column for f in fields]
    table = Score._meta.db_table
    cols = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS pg_temp.{TEMP}")
        cur.execute(f"CREATE TEMP TABLE {TEMP} ON COMMIT DROP AS SELECT {cols}, 0 AS ord FROM {table} WITH NO DATA")
        with cur.cursor.copy(f"COPY {TEMP} ({cols}, ord) FROM STDIN") as copy:
            for i, row in enumerate(rows):
                copy.write_row([_value(f, row) for f in fields] + [i])
        sets = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in updated)
        cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {TEMP} ORDER BY ord "
                    f"ON CONFLICT (system_id, subject_key, period_kind, period_start) DO UPDATE SET {sets}")
        cur.execute(f"DROP TABLE {TEMP}")
    # The period's few thousand (id, subject) pairs compared here rather than by an anti-join:
    # the planner, misled by the score table's statistics between two analyses, nests loops.
    keep = {r.subject_key for r in rows}
    return sorted(pk for pk, key in Score.objects.filter(system=system, period_kind=period.kind, period_start=period.start)
                  .values_list("pk", "subject_key") if key not in keep)
