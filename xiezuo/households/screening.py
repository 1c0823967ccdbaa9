"""The monthly risk screening: the rules of `rules.py` as SQL over every household at once.

The screening of month M reads, per household, the latest income record of the 12 months
before M (records ending M−12 … M−1) and, for the sharp-fall rule, the latest record ending
M−24 … M−13; the monitoring line of the county (or its province) for M's year; the
household's housing and water; whether a member is out of school or uninsured. One temporary
table holds these figures, one INSERT … SELECT per rule writes the flags: no Python per
household, so millions of households take seconds (bench/households.py). Re-running a month
replaces its flags. Income per person is the integer quotient, as in rules.py (incomes are
not negative).
"""
import datetime
import time

from django.db import connection, transaction
from django.utils import timezone

from xiezuo.core.arrays import is_postgres
from xiezuo.regions.models import Region

from .choices import Rule
from .lines import lines_for
from .models import Household, IncomeRecord, Member, MonitoringLine, RiskFlag, ScreeningRun


def add_months(day: datetime.date, n: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def first_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def window(month: datetime.date):
    """(first month of the current window, first month of the previous window, last month of
    the previous window) for the screening of `month`."""
    month = first_of(month)
    return add_months(month, -12), add_months(month, -24), add_months(month, -13)


def _p(value):
    return value if is_postgres() else (value.isoformat() if isinstance(value, datetime.date) else value)


# rule → (condition on the screen table, the figure columns written)
FLAG_SQL = {
    Rule.BELOW_LINE: ("pc IS NOT NULL AND line IS NOT NULL AND pc < line", "pc, line, NULL, NULL, NULL, NULL"),
    Rule.NEAR_LINE: ("pc IS NOT NULL AND line IS NOT NULL AND pc >= line AND pc * 100 < line * near",
                     "pc, line, NULL, NULL, NULL, near"),
    Rule.SHARP_FALL: ("pc IS NOT NULL AND line IS NOT NULL AND prev_pc > 0 AND pc * 100 < prev_pc * (100 - fall)",
                      "pc, NULL, prev_pc, NULL, NULL, fall"),
    Rule.RIGID_COSTS: ("income IS NOT NULL AND line IS NOT NULL AND costs > 0 AND costs * 100 > income * rigid",
                       "NULL, NULL, NULL, income, costs, rigid"),
    Rule.HOUSING: ("housing_bad = 1", "NULL, NULL, NULL, NULL, NULL, NULL"),
    Rule.WATER: ("water_bad = 1", "NULL, NULL, NULL, NULL, NULL, NULL"),
    Rule.SCHOOLING: ("out_of_school = 1", "NULL, NULL, NULL, NULL, NULL, NULL"),
    Rule.MEDICAL: ("uninsured = 1", "NULL, NULL, NULL, NULL, NULL, NULL"),
}


def run_screening(month: datetime.date, prefix: str = "") -> ScreeningRun:
    """Screen every household (of the counties under `prefix`, if given) for `month`."""
    month = first_of(month)
    started = time.perf_counter()
    cur_from, prev_from, prev_until = window(month)
    hh, inc, mem, flag, reg = (Household._meta.db_table, IncomeRecord._meta.db_table, Member._meta.db_table,
                               RiskFlag._meta.db_table, Region._meta.db_table)
    line_regions = MonitoringLine.objects.filter(year=month.year).values_list("region__code", flat=True)
    provinces = {c[:2] for c in line_regions}
    counties = dict(Region.objects.filter(level="county", province_code__in=provinces).values_list("code", "id"))
    if prefix:
        counties = {c: i for c, i in counties.items() if c.startswith(prefix)}
    lines = lines_for(month.year, counties)
    with transaction.atomic(), connection.cursor() as cur:
        run = ScreeningRun.objects.create(month=month, prefix=prefix, started_at=timezone.now())
        # one DELETE (the ORM's delete() would fetch every flag first, as delete signals are connected)
        cur.execute(f"DELETE FROM {flag} WHERE month = %s" + (" AND county_code LIKE %s" if prefix else ""),
                    [_p(month)] + ([prefix + "%"] if prefix else []))
        if is_postgres():
            cur.execute("SET LOCAL work_mem = '256MB'")
            # one long statement: compiling it (JIT) cost seconds and saves none
            cur.execute("SET LOCAL jit = off")
        for name in ("hh_screen", "hh_lines"):
            cur.execute(f"DROP TABLE IF EXISTS {name}")
        cur.execute("CREATE TEMP TABLE hh_lines (county_id bigint PRIMARY KEY, line bigint, near integer, fall integer, rigid integer)")
        if lines:
            cur.executemany("INSERT INTO hh_lines VALUES (%s, %s, %s, %s, %s)", [
                (counties[code], l.line_fen, l.near_percent, l.fall_percent, l.rigid_percent) for code, l in lines.items()])
        where_prefix = "AND c.code LIKE %s" if prefix else ""
        income = "(i.wages_fen + i.production_fen + i.property_fen + i.transfer_fen)"
        if is_postgres():
            cur.execute(*_screen_table_postgres(month, prefix))
        else:
            cur.execute(f"""
                CREATE TEMP TABLE hh_screen AS
                WITH cur_m AS (SELECT household_id, MAX(month) AS m FROM {inc} WHERE month >= %s AND month < %s GROUP BY household_id),
                     prev_m AS (SELECT household_id, MAX(month) AS m FROM {inc} WHERE month >= %s AND month <= %s GROUP BY household_id),
                     ms AS (SELECT household_id,
                                   MAX(CASE WHEN out_of_school THEN 1 ELSE 0 END) AS out_of_school,
                                   MAX(CASE WHEN medical_insured THEN 0 ELSE 1 END) AS uninsured
                            FROM {mem} WHERE active AND (out_of_school OR NOT medical_insured) GROUP BY household_id)
                SELECT h.id AS household_id, c.code AS county_code,
                       {income} AS income,
                       (i.medical_cost_fen + i.education_cost_fen + i.other_cost_fen) AS costs,
                       {income} / (CASE WHEN i.persons < 1 THEN 1 ELSE i.persons END) AS pc,
                       (p.wages_fen + p.production_fen + p.property_fen + p.transfer_fen) / (CASE WHEN p.persons < 1 THEN 1 ELSE p.persons END) AS prev_pc,
                       l.line, l.near, l.fall, l.rigid,
                       CASE WHEN h.housing_safe THEN 0 ELSE 1 END AS housing_bad,
                       CASE WHEN h.water_safe THEN 0 ELSE 1 END AS water_bad,
                       COALESCE(ms.out_of_school, 0) AS out_of_school, COALESCE(ms.uninsured, 0) AS uninsured
                FROM {hh} h
                JOIN {reg} c ON c.id = h.county_id
                LEFT JOIN cur_m ON cur_m.household_id = h.id
                LEFT JOIN {inc} i ON i.household_id = h.id AND i.month = cur_m.m
                LEFT JOIN prev_m ON prev_m.household_id = h.id
                LEFT JOIN {inc} p ON p.household_id = h.id AND p.month = prev_m.m
                LEFT JOIN hh_lines l ON l.county_id = h.county_id
                LEFT JOIN ms ON ms.household_id = h.id
                WHERE h.erased_on IS NULL {where_prefix}
            """, [_p(cur_from), _p(month), _p(prev_from), _p(prev_until)] + ([prefix + "%"] if prefix else []))
        cur.execute("SELECT COUNT(*) FROM hh_screen")
        screened = cur.fetchone()[0]
        flags = 0
        for rule, (condition, columns) in FLAG_SQL.items():
            cur.execute(f"""
                INSERT INTO {flag} (run_id, household_id, county_code, month, rule,
                                    per_capita_fen, line_fen, previous_fen, income_fen, costs_fen, threshold)
                SELECT %s, household_id, county_code, %s, %s, {columns} FROM hh_screen WHERE {condition}
            """, [run.pk, _p(month), rule.value])
            flags += cur.rowcount
        cur.execute(f"SELECT COUNT(DISTINCT household_id) FROM {flag} WHERE run_id = %s", [run.pk])
        flagged = cur.fetchone()[0]
        cur.execute("DROP TABLE hh_screen")
        cur.execute("DROP TABLE hh_lines")
        run.households, run.flags, run.flagged = screened, flags, flagged
        run.seconds = time.perf_counter() - started
        run.save(update_fields=["households", "flags", "flagged", "seconds"])
    return run


def _screen_table_postgres(month, prefix):
    """The screening's table of figures per household on PostgreSQL, in one pass over the
    income records: the latest record of each window is the greatest [month, figures…] array
    of the household's group, so no second read joins the records back (the portable SQL
    above reads them four times); the members' schooling and insurance come through their
    partial index, not the wide members table. Answers (sql, params) for `cur.execute`."""
    hh, inc, mem, reg = (Household._meta.db_table, IncomeRecord._meta.db_table, Member._meta.db_table,
                         Region._meta.db_table)
    cur_from, prev_from, prev_until = window(month)
    income = "(i.wages_fen + i.production_fen + i.property_fen + i.transfer_fen)"
    costs = "(i.medical_cost_fen + i.education_cost_fen + i.other_cost_fen)"
    where_prefix = "AND h.village_code LIKE %(prefix)s" if prefix else ""
    sql = f"""
        CREATE TEMP TABLE hh_screen AS
        WITH inc AS (
                SELECT i.household_id,
                       max(ARRAY[i.month - DATE '2000-01-01', {income}, {costs}, i.persons]::bigint[])
                           FILTER (WHERE i.month >= %(cur_from)s) AS c,
                       max(ARRAY[i.month - DATE '2000-01-01', {income}, i.persons]::bigint[])
                           FILTER (WHERE i.month <= %(prev_until)s) AS p
                FROM {inc} i WHERE i.month >= %(prev_from)s AND i.month < %(month)s
                GROUP BY i.household_id),
             ms AS (
                SELECT household_id, MAX(CASE WHEN out_of_school THEN 1 ELSE 0 END) AS out_of_school,
                       MAX(CASE WHEN medical_insured THEN 0 ELSE 1 END) AS uninsured
                FROM {mem} WHERE active AND (out_of_school OR NOT medical_insured) GROUP BY household_id)
        SELECT h.id AS household_id, c.code AS county_code,
               inc.c[2] AS income, inc.c[3] AS costs,
               inc.c[2] / greatest(inc.c[4], 1) AS pc,
               inc.p[2] / greatest(inc.p[3], 1) AS prev_pc,
               l.line, l.near, l.fall, l.rigid,
               CASE WHEN h.housing_safe THEN 0 ELSE 1 END AS housing_bad,
               CASE WHEN h.water_safe THEN 0 ELSE 1 END AS water_bad,
               COALESCE(ms.out_of_school, 0) AS out_of_school, COALESCE(ms.uninsured, 0) AS uninsured
        FROM {hh} h
        JOIN {reg} c ON c.id = h.county_id
        LEFT JOIN inc ON inc.household_id = h.id
        LEFT JOIN hh_lines l ON l.county_id = h.county_id
        LEFT JOIN ms ON ms.household_id = h.id
        WHERE h.erased_on IS NULL {where_prefix}
    """
    return sql, {"cur_from": cur_from, "prev_from": prev_from, "prev_until": prev_until, "month": month,
                 **({"prefix": prefix + "%"} if prefix else {})}
