"""The dashboard's “people on post” kept as a summary table (`PeopleTotal`), written in the
transaction that records or changes a dispatch.

Who is on post depends on the day asked about (started on or before it, not ended before
it), so the table holds changes by day: +1 on a record's actual start, −1 on the day after
its actual end, per (sending organisation, receiving organisation, kind). The number on
post on a day is the sum of the changes up to that day — a few thousand rows nationally,
whatever the number of records. A record without an actual start, or ending before it
starts, is never on post and adds nothing. Visibility is the scoping rule of `Dispatch`
(either organisation in the user's subtree), decided from the current organisations.

Writers: `dispatches.write_dispatches` (the batch) and `actions.save_dispatch` call
`count_dispatches` once: one upsert adding the deltas (`SET n = n + excluded.n`), so two
writers at once add up. The national generator refills the table (`rebuild`) and
`manage.py rebuild_figures` compares it with the records (`check`).
"""
import datetime

from django.db import connection, models

from xiezuo.core.arrays import is_postgres
from xiezuo.core.scoping import scope_for
from xiezuo.projects.totals import differences, replace_all, subtree_orgs, upsert


class PeopleTotal(models.Model):
    """The change on one day of the number on post between two organisations, of one kind."""

    from_org_id = models.BigIntegerField()
    to_org_id = models.BigIntegerField()
    kind = models.CharField(max_length=12)
    day = models.DateField()
    n = models.BigIntegerField(default=0)

    class Meta:
        app_label = "people"
        constraints = [models.UniqueConstraint(fields=["from_org_id", "to_org_id", "kind", "day"], name="people_total_key")]


TABLE = "people_peopletotal"
KEYS = ("from_org_id", "to_org_id", "kind", "day")


def _day_after(column: str) -> str:
    if is_postgres():
        return f"({column} + 1)"
    return f"date({column}, '+1 day')"


FACTS = f"""
    SELECT from_org_id, to_org_id, kind, day, sum(n) AS n FROM (
        SELECT from_org_id, to_org_id, kind, actual_start AS day, 1 AS n FROM people_dispatch
        WHERE actual_start IS NOT NULL AND (actual_end IS NULL OR actual_end >= actual_start)
        UNION ALL
        SELECT from_org_id, to_org_id, kind, {_day_after("actual_end")}, -1 FROM people_dispatch
        WHERE actual_start IS NOT NULL AND actual_end IS NOT NULL AND actual_end >= actual_start
    ) AS f GROUP BY 1, 2, 3, 4"""


def deltas(from_org_id, to_org_id, kind, actual_start, actual_end, sign: int = 1) -> list[tuple]:
    """The summary rows one record adds (sign 1) or takes back (sign −1)."""
    if actual_start is None or (actual_end is not None and actual_end < actual_start):
        return []
    rows = [(from_org_id, to_org_id, str(kind), actual_start, sign)]
    if actual_end is not None:
        rows.append((from_org_id, to_org_id, str(kind), actual_end + datetime.timedelta(days=1), -sign))
    return rows


def of(d, sign: int = 1) -> list[tuple]:
    """`deltas` of a record (a Dispatch or a DispatchRow)."""
    return deltas(d.from_org_id, d.to_org_id, d.kind, d.actual_start, d.actual_end, sign)


def count_dispatches(rows) -> None:
    """Add the deltas (from `of`/`deltas`) of records written: one statement."""
    upsert(TABLE, KEYS, "n", rows)


def rebuild() -> int:
    return replace_all(TABLE, KEYS, "n", FACTS)


def check() -> list[tuple]:
    return differences(TABLE, KEYS, "n", FACTS)


def on_post(user, day: datetime.date) -> dict:
    """{kind: people on post on `day`} of the dispatches the user sees."""
    scope = scope_for(user)
    where, params = "day <= %s", [day]
    if not scope.everything:
        if not scope.active or scope.own is None:
            return {}
        orgs, op = subtree_orgs(scope)
        where += f" AND (from_org_id IN ({orgs}) OR to_org_id IN ({orgs}))"
        params += op + op
    with connection.cursor() as cur:
        cur.execute(f"SELECT kind, sum(n) FROM {TABLE} WHERE {where} GROUP BY kind", params)
        return {kind: int(n) for kind, n in cur.fetchall() if n}
