"""How many placements owe their next retention check in each month, per registering county
(`DueCount`): the weekly sheet's national count of placements past a missed check without
reading the 750k placements it counts.

A row is (county id, first day of the month of `Placement.next_check_due`, n). The days are
kept by their writers (`due`); each writer adds here, in the same transaction, what it changed:
+1 for a new placement with a due day, -1 at the old month and +1 at the new for each
placement whose day `due.refresh` rewrites, the move for the placements a worker merge gives
another county. The deltas are merged in Python and sent as one additive upsert in key order
(`projects.totals.upsert`), so two writers at once add up and never wait on each other in a
circle.

A count "due on or before a day" is then the whole months before that day's month summed from
here, plus that month itself counted exactly from the placements (one month of the
(county, next check day) index): `filtersets.missed_check_counts`.
"""
import datetime
from collections import Counter

from django.db import models

from xiezuo.core.arrays import any_of, is_postgres
from xiezuo.core.bulkrows import chunks, select
from xiezuo.projects.totals import differences, replace_all, upsert

TABLE = "labour_duecount"
KEYS = ("county_id", "month")


class DueCount(models.Model):
    """The placements of one county whose next check falls due in one month (see the module)."""

    county_id = models.BigIntegerField()
    month = models.DateField()
    n = models.BigIntegerField(default=0)

    class Meta:
        app_label = "labour"
        constraints = [models.UniqueConstraint(fields=["county_id", "month"], name="labour_duecount_key")]


def _day(value):
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _month(value):
    day = _day(value)
    return day.replace(day=1) if day is not None else None


def add(changes) -> None:
    """Add (county id, old due day or None, new due day or None) changes: one upsert."""
    acc = Counter()
    for county_id, old, new in changes:
        old, new = _month(old), _month(new)
        if old == new:
            continue
        if old is not None:
            acc[(int(county_id), old)] -= 1
        if new is not None:
            acc[(int(county_id), new)] += 1
    upsert(TABLE, KEYS, "n", [(*key, n) for key, n in acc.items() if n])


def stored_days(placement_ids) -> dict:
    """{placement id: (county id, stored due day)} of these placements (SQLite's refresh reads
    them before and after: its UPDATE cannot return the old value)."""
    out = {}
    for part in chunks(sorted({int(i) for i in placement_ids})):
        where, params = any_of("id", part, "bigint")
        for pk, county_id, day in select(f"SELECT id, county_id, next_check_due FROM labour_placement WHERE {where}", params):
            out[pk] = (county_id, _day(day))
    return out


def month_sql(column: str) -> str:
    if is_postgres():
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def _facts_sql() -> str:
    return (f"SELECT county_id, {month_sql('next_check_due')} AS month, count(*) AS n FROM labour_placement "
            f"WHERE next_check_due IS NOT NULL GROUP BY 1, 2")


def refill() -> int:
    """Refill the table from the placements' stored days; the rows written."""
    return replace_all(TABLE, KEYS, "n", _facts_sql())


def rebuild() -> int:
    return refill()


def check() -> list[tuple]:
    """[(county id, month, stored, from the placements)] wherever they differ."""
    return differences(TABLE, KEYS, "n", _facts_sql())


def summed_before(month: datetime.date, width: int, prefix: str = "") -> Counter:
    """{code prefix of `width`: n} of the placements due in the months before `month`."""
    # summed per county first (some tens of thousands of rows into a few thousand; an office's
    # counties alone, by the (county, month) key), then grouped by code
    within, params = "", [month]
    if prefix:
        within = " AND county_id IN (SELECT id FROM regions_region WHERE code LIKE %s)"
        params.append(prefix + "%")
    sql = (f"SELECT substr(r.code, 1, {int(width)}) AS g, sum(d.n) FROM (SELECT county_id, sum(n) AS n FROM {TABLE} "
           f"WHERE month < %s{within} GROUP BY county_id) d JOIN regions_region r ON r.id = d.county_id")
    out = Counter()
    for g, n in select(sql + " GROUP BY 1", params):
        if n:
            out[g] += int(n)
    return out


def counted_between(first: datetime.date, last: datetime.date, width: int, prefix: str = "") -> Counter:
    """{code prefix of `width`: n} of the placements due from `first` to `last`, from the rows."""
    sql = (f"SELECT substr(r.code, 1, {int(width)}) AS g, count(*) FROM labour_placement p JOIN regions_region r ON r.id = p.county_id "
           f"WHERE p.next_check_due >= %s AND p.next_check_due <= %s")
    params = [first, last]
    if prefix:
        sql += " AND r.code LIKE %s"
        params.append(prefix + "%")
    return Counter({g: int(n) for g, n in select(sql + " GROUP BY 1", params)})
