"""The consumption figures kept as a summary table (`PurchaseTotal`), written in the same
transaction as the purchases, so that the dashboard's channel panel and the purchase page's
figures read a few hundred rows instead of summing every purchase of the year with the
certificate condition evaluated per purchase.

A row holds the fen of purchases by (buyer's region, product's county, year, month, channel,
counted or not) at the grains the readers ask for — a purchase by a buyer of region B of a
product of county C (codes) adds to:

    ("", "")   month, channel, counted   the national view
    (B, "")    month, channel, counted   an office's view through its buyers' regions
    ("", C)    month, channel, counted   an office's view through its counties
    (B, C)     month, channel, counted   only when B and C lie in one province: the purchases an
                                          office would see from both sides, counted once
    (B, C)     month 0, channel "", counted only   the agreements of county and prefecture pairings
    (B[:2], C[:2]) month 0, "", counted only       the agreements of province pairings

(keying every purchase by its buyer's region and county alone gives about one row per purchase
at national scale: the readers would sum half a million rows.) An office sees the purchases
whose county or buyer's region lies in its subtree (`Purchase.scope_paths`): its (B, "") rows
plus its ("", C) rows minus its (B, C) rows.

"Counted" is the rule of `models.counted_exists`: the product held a certificate in force on
the day of purchase. That rule looks only at the purchase's date and the product's
certificates, so time passing changes nothing (a purchase dated after the certificate's end
never counted); only a certification decision does — an approval makes the purchases within its
validity count, a revocation stops those from its day on. So:

- the purchase writer (`purchases.write_purchases`: the single record, the batch, the Excel
  import and the bulk ingestion) adds its rows with `add_purchases`, once per batch;
- the certification actions wrap their change in `recounting(product, first, last)`, which
  moves that product's purchases of those days between counted and not counted in the same
  transaction.

On PostgreSQL the two meet on the product row: the purchase writer takes `FOR KEY SHARE` on
its products before it reads their certificates (`lock_products`), the certification actions
`FOR UPDATE` before they change one, so either the writer reads the decided certificate or the
decision recounts the writer's committed purchases — never neither.

Two writers add up in the database (`INSERT … ON CONFLICT DO UPDATE SET fen = fen + excluded.fen`,
keys sorted). `rebuild()` refills the table from the purchases (the generators' bulk load),
`check()` names every difference (`manage.py rebuild_figures`).
"""
import contextlib
import datetime

from django.db import connection, models

from xiezuo.core.arrays import is_postgres
from xiezuo.core.scoping import scope_for
from xiezuo.projects.totals import differences, replace_all, upsert


class PurchaseTotal(models.Model):
    """Fen of the purchases under one key (see the module): "" where a side is not split, month
    0 and channel "" for the agreements' pair sums."""

    year = models.IntegerField()
    east = models.CharField(max_length=6)
    west = models.CharField(max_length=6)
    month = models.SmallIntegerField()
    channel = models.CharField(max_length=10)
    counted = models.SmallIntegerField()
    fen = models.BigIntegerField(default=0)

    class Meta:
        app_label = "consumption"
        constraints = [models.UniqueConstraint(fields=["year", "east", "west", "month", "channel", "counted"],
                                               name="consumption_purchase_total_key")]
        indexes = [models.Index(fields=["year", "west", "east"], name="consumption_total_west")]


TABLE = "consumption_purchasetotal"
KEYS = ("year", "east", "west", "month", "channel", "counted")


def _part(column: str, part: str) -> str:
    if is_postgres():
        return f"EXTRACT({part.upper()} FROM {column})::integer"
    return f"CAST(strftime('%%{'Y' if part == 'year' else 'm'}', {column}) AS INTEGER)"


def _counted(p: str) -> str:
    """1 when purchase `p`'s product held a certificate in force on the day of purchase."""
    return (f"CASE WHEN EXISTS (SELECT 1 FROM consumption_certificate c WHERE c.product_id = {p}.product_id "
            f"AND c.status = 'approved' AND c.valid_from <= {p}.purchased_on AND c.valid_to >= {p}.purchased_on "
            f"AND (c.revoked_on IS NULL OR c.revoked_on > {p}.purchased_on)) THEN 1 ELSE 0 END")


def _facts(where: str = "1 = 1") -> str:
    """The summary's rows computed from the purchases matching `where` (on `p`)."""
    base = (f"SELECT e.code AS e, w.code AS w, {_part('p.purchased_on', 'year')} AS y, {_part('p.purchased_on', 'month')} AS m, "
            f"p.channel AS ch, {_counted('p')} AS k, p.amount_fen AS fen FROM consumption_purchase p "
            f"JOIN regions_region e ON e.id = p.buyer_region_id JOIN regions_region w ON w.id = p.county_id WHERE {where}")
    return f"""
        WITH base AS ({base})
        SELECT y, e, w, m, ch, k, sum(fen) AS fen FROM (
            SELECT y, '' AS e, '' AS w, m, ch, k, fen FROM base
            UNION ALL SELECT y, e, '', m, ch, k, fen FROM base
            UNION ALL SELECT y, '', w, m, ch, k, fen FROM base
            UNION ALL SELECT y, e, w, m, ch, k, fen FROM base WHERE substr(e, 1, 2) = substr(w, 1, 2)
            UNION ALL SELECT y, e, w, 0, '', 1, fen FROM base WHERE k = 1
            UNION ALL SELECT y, substr(e, 1, 2), substr(w, 1, 2), 0, '', 1, fen FROM base WHERE k = 1
        ) AS g GROUP BY 1, 2, 3, 4, 5, 6"""


FACTS = _facts()


def rebuild() -> int:
    return replace_all(TABLE, KEYS, "fen", FACTS)


def check() -> list[tuple]:
    return differences(TABLE, KEYS, "fen", FACTS)


# --- writers ----------------------------------------------------------------------------------


def keyed(rows) -> list[tuple]:
    """The summary's (key…, fen) of purchases given as (buyer's region code, county code,
    purchased on, channel, counted, fen), merged."""
    sums = {}

    def add(key, fen):
        sums[key] = sums.get(key, 0) + fen

    for east, west, day, channel, counted, fen in rows:
        y, m, k = day.year, day.month, 1 if counted else 0
        add((y, "", "", m, channel, k), fen)
        add((y, east, "", m, channel, k), fen)
        add((y, "", west, m, channel, k), fen)
        if east[:2] == west[:2]:
            add((y, east, west, m, channel, k), fen)
        if k:
            add((y, east, west, 0, "", 1), fen)
            add((y, east[:2], west[:2], 0, "", 1), fen)
    return [(*key, fen) for key, fen in sums.items()]


_TYPES = ("integer", "text", "text", "integer", "text", "integer", "bigint")


def _add(rows) -> None:
    """`projects.totals.upsert` for this table: on PostgreSQL the columns go as array literals
    (`core.arrays.pg_array`; psycopg's adaptation of 20,000 values per column, element by element
    in Python, costs more than the statement)."""
    if not is_postgres():
        upsert(TABLE, KEYS, "fen", rows)
        return
    from xiezuo.core.arrays import pg_array

    items = sorted(r for r in rows if r[-1])
    if not items:
        return
    cols = ", ".join(KEYS)
    arrays = [pg_array([r[i] for r in items]) for i in range(len(KEYS) + 1)]
    unnest = ", ".join(f"%s::{t}[]" for t in _TYPES)
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {TABLE} ({cols}, fen) SELECT * FROM unnest({unnest}) ON CONFLICT ({cols}) "
                    f"DO UPDATE SET fen = {TABLE}.fen + excluded.fen", arrays)


def add_purchases(rows) -> None:
    """Fold purchases just written into the summary (rows as `keyed` takes them): one
    statement, whatever the batch's size, its keys in order (two writers lock the rows they
    share in one order)."""
    _add(keyed(rows))


def lock_products(product_ids) -> None:
    """The purchase writer's side of the meeting with certification (see the docstring): the
    products' rows in key-share mode, in id order, before their certificates are read."""
    if not is_postgres() or not product_ids:
        return
    from xiezuo.core.arrays import pg_array

    with connection.cursor() as cur:
        cur.execute("SELECT id FROM consumption_product WHERE id = ANY(%s::bigint[]) ORDER BY id FOR KEY SHARE",
                    [pg_array(sorted(set(product_ids)))])


def _product_sums(product_id: int, first: datetime.date, last: datetime.date | None) -> list[tuple]:
    where, params = "p.product_id = %s AND p.purchased_on >= %s", [product_id, first]
    if last is not None:
        where += " AND p.purchased_on <= %s"
        params.append(last)
    with connection.cursor() as cur:
        cur.execute(_facts(where), params)
        return cur.fetchall()


@contextlib.contextmanager
def recounting(product_id: int, first: datetime.date, last: datetime.date | None = None):
    """Around a change of the product's certificates that may change whether its purchases
    dated `first`..`last` count: the product locked (`FOR UPDATE`, see the docstring), those
    purchases' rows taken out before the change and put back after it."""
    if is_postgres():
        with connection.cursor() as cur:
            cur.execute("SELECT id FROM consumption_product WHERE id = %s FOR UPDATE", [product_id])
    before = _product_sums(product_id, first, last)
    yield
    after = _product_sums(product_id, first, last)
    sums = {}
    for sign, rows in ((-1, before), (1, after)):
        for r in rows:
            key = tuple(r[:-1])
            sums[key] = sums.get(key, 0) + sign * int(r[-1])
    _add([(*k, v) for k, v in sums.items()])


# --- reading ---------------------------------------------------------------------------------


def _sum(column: str) -> str:
    if is_postgres():
        return f"sum({column})"
    return f"CAST(sum(CAST({column} AS REAL)) AS INTEGER)"


def _range(column: str, prefix: str) -> tuple[str, list]:
    """`column` starts with the code prefix, as a range the key's index can serve (codes are digits)."""
    return f"{column} >= %s AND {column} < %s", [prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)]


def by_month_and_channel(user, year: int) -> list[tuple[int, str, int, int]]:
    """[(month, channel, counted 0/1, fen)] of the purchases of the year the user sees: the
    product's county or the buyer's region in the user's own subtree (`Purchase.scope_paths`)."""
    scope = scope_for(user)
    if scope.everything:
        sql, params = f"SELECT month, channel, counted, fen FROM {TABLE} WHERE year = %s AND east = '' AND west = ''", [year]
    elif not scope.active or scope.own is None:
        return []
    else:
        east, ep = _range("east", scope.own)
        west, wp = _range("west", scope.own)
        sql = f"""SELECT month, channel, counted, fen FROM {TABLE} WHERE year = %s AND west = '' AND {east}
                  UNION ALL SELECT month, channel, counted, fen FROM {TABLE} WHERE year = %s AND east = '' AND {west}
                  UNION ALL SELECT month, channel, counted, -fen FROM {TABLE} WHERE year = %s AND month > 0 AND {east} AND {west}"""
        params = [year, *ep, year, *wp, year, *ep, *wp]
    with connection.cursor() as cur:
        cur.execute(f"SELECT month, channel, counted, {_sum('fen')} FROM ({sql}) AS t GROUP BY 1, 2, 3", params)
        return [(int(m), c, int(k), int(f or 0)) for m, c, k, f in cur.fetchall() if f]


def recorded_and_counted(user) -> dict:
    """{"recorded", "counted"} fen of every purchase the user sees, all years: the unfiltered
    purchase list's totals, from the summary (the list's own sum reads millions of rows with
    the certificate rule per row). The same scope arithmetic as `by_month_and_channel`."""
    scope = scope_for(user)
    if scope.everything:
        sql, params = f"SELECT counted, fen FROM {TABLE} WHERE east = '' AND west = ''", []
    elif not scope.active or scope.own is None:
        return {"recorded": 0, "counted": 0}
    else:
        east, ep = _range("east", scope.own)
        west, wp = _range("west", scope.own)
        sql = f"""SELECT counted, fen FROM {TABLE} WHERE west = '' AND {east}
                  UNION ALL SELECT counted, fen FROM {TABLE} WHERE east = '' AND {west}
                  UNION ALL SELECT counted, -fen FROM {TABLE} WHERE month > 0 AND {east} AND {west}"""
        params = [*ep, *wp, *ep, *wp]
    with connection.cursor() as cur:
        cur.execute(f"SELECT counted, {_sum('fen')} FROM ({sql}) AS t GROUP BY 1", params)
        by = {int(k): int(f or 0) for k, f in cur.fetchall()}
    return {"recorded": by.get(0, 0) + by.get(1, 0), "counted": by.get(1, 0)}


def counted_between(year: int, pairs) -> dict:
    """{(eastern prefix, western prefix): counted fen of the year} of purchases by buyers in
    the eastern subtree of products of the western subtree, for each pair of code prefixes."""
    pairs = set(pairs)
    out = {}
    with connection.cursor() as cur:
        if any(len(e) == 2 and len(w) == 2 for e, w in pairs):
            cur.execute(f"SELECT east, west, fen FROM {TABLE} WHERE year = %s AND month = 0 AND east <> '' AND west <> '' "
                        "AND length(east) = 2", [year])
            provinces = {(e, w): int(f) for e, w, f in cur.fetchall()}
        for e, w in pairs:
            if len(e) == 2 and len(w) == 2:
                out[(e, w)] = provinces.get((e, w), 0)
                continue
            east, ep = _range("east", e)
            west, wp = _range("west", w)
            cur.execute(f"SELECT {_sum('fen')} FROM {TABLE} WHERE year = %s AND month = 0 AND length(east) = 6 AND {east} AND {west}",
                        [year, *ep, *wp])
            out[(e, w)] = int(cur.fetchone()[0] or 0)
    return out
