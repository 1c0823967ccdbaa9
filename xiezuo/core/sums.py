"""Sums of whole numbers that cannot overflow on SQLite.

SQLite's SUM() over integers stops with "integer overflow" once a total passes 2^63 − 1; a
single row that got in before amounts were bounded (core.money.MAX_FEN) then broke the
dashboard, the funds page and `ledger balances` for every user. PostgreSQL sums bigints as
numeric and never overflows, so only SQLite needs this.

On SQLite, Sum over an integer column is computed as CAST(SUM(CAST(x AS REAL)) AS INTEGER):
no overflow whatever the rows hold (a total past the 64-bit range reads as the largest
integer), NULL over no rows as before, and exact for every total below 2^53 fen (about
90万亿元, several times China's whole yearly budget): each amount is at most MAX_FEN = 10^12 <
2^53, and adding whole numbers in double precision is exact while the total stays below
2^53. It is Django's documented way of giving a function another SQL on one backend
(`as_<vendor>`), installed once at start-up by `CoreConfig.ready`.
"""
from django.core.exceptions import FieldError
from django.db.models import Sum

INTEGER_TYPES = {"IntegerField", "BigIntegerField", "SmallIntegerField", "PositiveIntegerField",
                 "PositiveBigIntegerField", "PositiveSmallIntegerField", "AutoField", "BigAutoField", "SmallAutoField"}


def _integer(expression) -> bool:
    try:
        return expression.output_field.get_internal_type() in INTEGER_TYPES
    except (FieldError, AttributeError):
        return False


def _sqlite_sum(self, compiler, connection, **extra_context):
    if not _integer(self):
        return self.as_sql(compiler, connection, **extra_context)
    # On a copy's template rather than as a keyword: with a filter, Aggregate.as_sql passes
    # its own `template` on and would receive two.
    clone = self.copy()
    clone.template = extra_context.pop("template", self.template).replace("%(expressions)s", "CAST(%(expressions)s AS REAL)")
    sql, params = clone.as_sql(compiler, connection, **extra_context)
    return f"CAST({sql} AS INTEGER)", params


def install():
    Sum.as_sqlite = _sqlite_sum
