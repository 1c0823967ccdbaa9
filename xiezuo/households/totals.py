"""The registry's figures kept as a summary table (`HouseholdFigure`), so that the figures
page, the dashboard and the weekly sheet read a few thousand rows instead of grouping
millions of households, their help measures and an anti-join between the two on a request.

Two kinds of row, per village (12-digit code, with its county's region id for the scope):

- kind "": households by status (identified, monitored, exit under review, risk eliminated;
  not the unmonitored ones), category and `helped` (whether it has ever had a help measure):
  the counts by status and category ("without help" means none in force: the ANY rows);
- kind = a kind of help: households that had help of that kind, by `until`, the last day the
  latest such measure runs (`OPEN` while one runs with no end): help in force on a day is
  `until >= day`, so the table keeps no date of "today";
- kind `ANY` ("*"): households by status, category and `until` of their help of any kind
  ("" when they never had any): "monitored without help in force on a day" is the monitored
  rows with `until < day` (`figures.without_help_counts`, which also corrects for the few
  households whose help starts after the day, which `until` cannot tell).

The figures that depend on the day asked (identified, exited and decided in its month; open
steps past their deadline) stay queries, served by narrow indexes (`models`).

Writers: every action that changes a household's status, category or village or adds a help
measure calls `touch(village codes)` in its own transaction: the rows of those villages are
recomputed from the facts (a village holds some 150 households, so this is a millisecond),
under a lock on the village rows so that two writers in one village recompute one after the
other, each reading what the other committed. A recomputation, unlike a delta, cannot drift.
The generator's bulk load refills the table (`rebuild`); `manage.py rebuild_figures`
compares it with the facts (`check`).
"""
from django.db import connection

from xiezuo.core.arrays import is_postgres
from xiezuo.projects.totals import differences, replace_all

from .models import HelpMeasure, Household, HouseholdFigure, Village

TABLE = HouseholdFigure._meta.db_table
KEYS = ("village_code", "county_id", "status", "category", "helped", "kind", "until")
OPEN = "9999-12-31"
ANY = "*"  # the kind of the rows of help of any kind (no HelpKind value is "*")
COUNTED = ("identifying", "monitored", "exiting", "exited")


def facts_sql(villages: bool = False) -> str:
    """The table's rows computed from the facts (for some villages: `code IN %s`-style list
    given by the caller as `village_code IN (…)`)."""
    hh, help_ = Household._meta.db_table, HelpMeasure._meta.db_table
    only = " AND h.village_code IN ({places})" if villages else ""
    statuses = ", ".join(f"'{s}'" for s in COUNTED)
    return f"""
        SELECT h.village_code, h.county_id, h.status, h.category,
               CASE WHEN EXISTS (SELECT 1 FROM {help_} m WHERE m.household_id = h.id) THEN 1 ELSE 0 END AS helped,
               '' AS kind, '{OPEN}' AS until, count(*) AS n
        FROM {hh} h WHERE h.status IN ({statuses}){only}
        GROUP BY 1, 2, 3, 4, 5
        UNION ALL
        SELECT village_code, county_id, '', '', 1, kind, until, count(*) FROM (
            SELECT h.village_code, h.county_id, m.kind,
                   MAX(CASE WHEN m.ended_on IS NULL THEN '{OPEN}' ELSE {_date_text('m.ended_on')} END) AS until
            FROM {help_} m JOIN {hh} h ON h.id = m.household_id
            WHERE true{only}
            GROUP BY h.id, h.village_code, h.county_id, m.kind) x
        GROUP BY 1, 2, 3, 4, 5, 6, 7
        UNION ALL
        SELECT village_code, county_id, status, category, CASE WHEN until = '' THEN 0 ELSE 1 END, '{ANY}', until, count(*) FROM (
            SELECT h.village_code, h.county_id, h.status, h.category,
                   COALESCE((SELECT MAX(CASE WHEN m.ended_on IS NULL THEN '{OPEN}' ELSE {_date_text('m.ended_on')} END)
                             FROM {help_} m WHERE m.household_id = h.id), '') AS until
            FROM {hh} h WHERE h.status IN ({statuses}){only}) y
        GROUP BY 1, 2, 3, 4, 5, 6, 7"""


def _date_text(column):
    return f"to_char({column}, 'YYYY-MM-DD')" if is_postgres() else column


def _facts(villages=None):
    if villages is None:
        return facts_sql().format(places=""), []
    places = ", ".join(["%s"] * len(villages))
    return facts_sql(True).format(places=places), list(villages) * 3


def touch(village_codes) -> None:
    """Recompute the rows of these villages from the facts (in the caller's transaction)."""
    codes = sorted({c for c in village_codes if c})
    if not codes:
        return
    places = ", ".join(["%s"] * len(codes))
    with connection.cursor() as cur:
        if is_postgres():  # one writer per village at a time, in code order (no deadlock)
            cur.execute(f"SELECT id FROM {Village._meta.db_table} WHERE code IN ({places}) ORDER BY code FOR UPDATE", codes)
        cur.execute(f"DELETE FROM {TABLE} WHERE village_code IN ({places})", codes)
        sql, params = _facts(codes)
        cols = ", ".join(KEYS)
        cur.execute(f"INSERT INTO {TABLE} ({cols}, n) SELECT * FROM ({sql}) AS d WHERE d.n <> 0", params)


def touch_households(ids) -> None:
    touch(Household.objects.filter(pk__in=list(ids)).values_list("village_code", flat=True).distinct())


def rebuild() -> int:
    sql, params = _facts()
    return replace_all(TABLE, KEYS, "n", sql, params)


def check() -> list[tuple]:
    sql, params = _facts()
    return differences(TABLE, KEYS, "n", sql, params)
