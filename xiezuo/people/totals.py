"""The dashboard's “people on post” kept as a summary table (`PeopleTotal`), written in the
transaction that records or changes a dispatch.

Who is on post depends on the day asked about (started on or before it, not ended before
it), so the table holds changes by day: +1 on a record's actual start, −1 on the day after
its actual end, per kind — under every part of the tree that sees the record (the scoping
rule of `Dispatch`: either organisation's region in the user's subtree), i.e. under "" (the
whole country) and the 2-, 4- and 6-digit code prefixes of the two organisations' regions.
The number on post on a day, for a user, is the sum of the changes up to that day under the
user's prefix: one index range of at most (kinds × days) rows, whatever the number of
records. A record without an actual start, or ending before it starts, is never on post.
The prefixes are those of the organisations' regions when the record was written; an
organisation moved to another region since shows in `rebuild_figures`, which refills them.

Writers: `actions.save_dispatch` calls `count_dispatches` (a change: before and after the
save): one INSERT … SELECT … ON CONFLICT DO UPDATE SET n = n + excluded.n over the records
written, so two writers at once add up. The batch (`dispatches.write_dispatches`) holds every
record it writes with its organisations' regions, so it counts them in Python
(`count_records`: the same deltas, grouped before they reach the database) and sends only the
grouped rows — one upsert of a few thousand keys instead of joining 10,000 records to their
70,000 prefixes in SQL. The national generator refills the table (`rebuild`) and `manage.py rebuild_figures`
compares it with the records (`check`).
"""
import datetime

from django.db import connection, models

from xiezuo.core.arrays import any_of, is_postgres, pg_array
from xiezuo.core.scoping import scope_for
from xiezuo.projects.totals import differences, replace_all, upsert_select


class PeopleTotal(models.Model):
    """The change on one day of the number on post of one kind, as seen from one part of the
    tree: `scope` is a region code prefix ("" for the whole country, 2, 4 or 6 digits)."""

    scope = models.CharField(max_length=6)
    kind = models.CharField(max_length=12)
    day = models.DateField()
    n = models.BigIntegerField(default=0)

    class Meta:
        app_label = "people"
        constraints = [models.UniqueConstraint(fields=["scope", "day", "kind"], name="people_total_key")]


TABLE = "people_peopletotal"
KEYS = ("scope", "day", "kind")


def _day_after(column: str) -> str:
    if is_postgres():
        return f"({column} + 1)"
    return f"date({column}, '+1 day')"


def _deltas(where: str = "") -> str:
    """The grouped deltas of the records matching `where` (or all): each record counted once
    under every prefix that sees it — "" and the 2-, 4- and 6-digit prefixes of its two
    organisations' regions (UNION drops a prefix the two share)."""
    seen = " UNION ".join(
        ["SELECT id, '' AS scope FROM d"]
        + [f"SELECT id, substr({c}, 1, {n}) FROM d" for c in ("fc", "tc") for n in (2, 4, 6)])
    return f"""
        WITH d AS (
            SELECT x.id, x.kind, x.actual_start, x.actual_end, fr.code AS fc, tr.code AS tc FROM people_dispatch x
            JOIN orgs_organisation fo ON fo.id = x.from_org_id JOIN regions_region fr ON fr.id = fo.region_id
            JOIN orgs_organisation t ON t.id = x.to_org_id JOIN regions_region tr ON tr.id = t.region_id
            WHERE x.actual_start IS NOT NULL AND (x.actual_end IS NULL OR x.actual_end >= x.actual_start) {where}
        ), s AS ({seen})
        SELECT scope, day, kind, sum(n) AS n FROM (
            SELECT s.scope, d.actual_start AS day, d.kind, 1 AS n FROM d JOIN s ON s.id = d.id
            UNION ALL
            SELECT s.scope, {_day_after("d.actual_end")}, d.kind, -1 FROM d JOIN s ON s.id = d.id WHERE d.actual_end IS NOT NULL
        ) AS f GROUP BY 1, 2, 3"""


FACTS = _deltas()


def _ids(ids) -> tuple[str, list]:
    """The records written, as one array parameter behind a sub-select (`core.arrays.any_of`):
    a constant array of 10,000 ids makes PostgreSQL plan for the whole table."""
    where, params = any_of("x.id", [int(i) for i in ids], "bigint")
    return "AND " + where, params


def count_dispatches(ids, sign: int = 1) -> None:
    """Add (sign 1) or take back (sign −1) what the records `ids`, as they are stored now,
    count for: one statement. A change is taken back before it is saved and added after."""
    ids = [i for i in ids if i is not None]
    if not ids:
        return
    where, params = _ids(ids)
    select = _deltas(where)
    if sign < 0:
        select = f"SELECT scope, day, kind, -n AS n FROM ({select}) AS g"
    upsert_select(TABLE, KEYS, "n", select, params)


_ONE_DAY = datetime.timedelta(days=1)


def record_deltas(records) -> dict:
    """{(scope, day, kind): n} of records given as (kind, actual start, actual end, from
    region code, to region code): what `_deltas` computes in SQL for stored records — each
    record on post (a start, no end before it) counted once under "" and under each distinct
    2-, 4- and 6-digit prefix of its two regions, +1 on its start, −1 the day after its end.
    Alike records are counted together first (a batch holds far fewer shapes than records)."""
    alike = {}
    for record in records:
        alike[record] = alike.get(record, 0) + 1
    out = {}
    get = out.get
    scopes_of = {}
    for (kind, start, end, fc, tc), count in alike.items():
        if start is None or (end is not None and end < start):
            continue
        scopes = scopes_of.get((fc, tc))
        if scopes is None:
            scopes = scopes_of[(fc, tc)] = tuple({"", fc[:2], fc[:4], fc[:6], tc[:2], tc[:4], tc[:6]})
        for scope in scopes:
            key = (scope, start, kind)
            out[key] = get(key, 0) + count
        if end is not None:
            after = end + _ONE_DAY
            for scope in scopes:
                key = (scope, after, kind)
                out[key] = get(key, 0) - count
    return out


def count_records(records) -> int:
    """Add what records just written count for (see `record_deltas`), in one statement: the
    batch's way, from the values it holds. Answers the number of keys sent."""
    rows = sorted((key, n) for key, n in record_deltas(records).items() if n)
    if not rows:
        return 0
    conflict = "ON CONFLICT (scope, day, kind) DO UPDATE SET n = people_peopletotal.n + excluded.n"
    with connection.cursor() as cur:
        if is_postgres():
            columns = [pg_array(column) for column in zip(*(key for key, _n in rows))] + [pg_array(n for _k, n in rows)]
            cur.execute(f"INSERT INTO {TABLE} (scope, day, kind, n) SELECT * FROM unnest(%s::text[], %s::date[], %s::text[], "
                        f"%s::bigint[]) ORDER BY 1, 2, 3 {conflict}", columns)
        else:
            cur.executemany(f"INSERT INTO {TABLE} (scope, day, kind, n) VALUES (%s, %s, %s, %s) {conflict}",
                            [(scope, day.isoformat(), kind, n) for (scope, day, kind), n in rows])
    return len(rows)


def rebuild() -> int:
    return replace_all(TABLE, KEYS, "n", FACTS)


def check() -> list[tuple]:
    return differences(TABLE, KEYS, "n", FACTS)


def on_post(user, day: datetime.date) -> dict:
    """{kind: people on post on `day`} of the dispatches the user sees: one index range over
    the rows of the user's prefix."""
    scope = scope_for(user)
    if scope.everything:
        prefix = ""
    elif not scope.active or scope.own is None:
        return {}
    elif len(scope.own) in (2, 4, 6):
        prefix = scope.own
    else:  # a prefix the table does not keep: count the records
        return _on_post_from_records(user, day)
    with connection.cursor() as cur:
        cur.execute(f"SELECT kind, sum(n) FROM {TABLE} WHERE scope = %s AND day <= %s GROUP BY kind", [prefix, day])
        return {kind: int(n) for kind, n in cur.fetchall() if n}


def _on_post_from_records(user, day):
    from django.db.models import Count, Q

    from xiezuo.core.scoping import visible

    from .models import Dispatch

    qs = visible(user, Dispatch.objects.filter(actual_start__lte=day).filter(Q(actual_end__isnull=True) | Q(actual_end__gte=day)))
    return {row["kind"]: row["n"] for row in qs.values("kind").annotate(n=Count("id")).order_by()}
