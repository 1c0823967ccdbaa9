"""The consumption figures kept as a summary table (`PurchaseTotal`), written in the same
transaction as the purchases, so that the dashboard's channel panel and the purchase page's
figures read a few hundred rows instead of summing every purchase of the year with the
certificate condition evaluated per purchase.

A row holds the fen and the number of purchases by (buyer's region, product's county, year,
month, channel, counted or not) at the grains the readers ask for — a purchase by a buyer of region B of a
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

The number (`n`) lets the purchase list count what an office sees without visiting the
hundreds of thousands of purchases of a province.

Two writers add up in the database (`INSERT … ON CONFLICT DO UPDATE SET fen = fen + excluded.fen`,
keys sorted). A batch of 10,000 purchases touches some 25,000 keys and changes only `fen` and
`n`, which no index holds: the table keeps room on its pages (fillfactor 70, migration 0005)
so that PostgreSQL rewrites such a row on its own page without new index entries (a heap-only
update). That room comes back only when a page is pruned or vacuumed, which a transaction left
open anywhere on the server holds back: the upsert then costs more with every batch until the
next vacuum. `rebuild()` refills the table from the purchases (the generators' bulk load),
`check()` names every difference (`manage.py rebuild_figures`).
"""
import contextlib
import datetime

from django.db import connection, models

from xiezuo.core.arrays import is_postgres
from xiezuo.core.scoping import scope_for
from xiezuo.projects.totals import differences


class PurchaseTotal(models.Model):
    """Fen and number of the purchases under one key (see the module): "" where a side is not
    split, month 0 and channel "" for the agreements' pair sums."""

    year = models.IntegerField()
    east = models.CharField(max_length=6)
    west = models.CharField(max_length=6)
    month = models.SmallIntegerField()
    channel = models.CharField(max_length=10)
    counted = models.SmallIntegerField()
    fen = models.BigIntegerField(default=0)
    n = models.BigIntegerField(default=0, db_default=0)  # a writer that knows no number leaves 0, never fails

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
    """The summary's rows (key…, fen, n) computed from the purchases matching `where` (on `p`)."""
    base = (f"SELECT e.code AS e, w.code AS w, {_part('p.purchased_on', 'year')} AS y, {_part('p.purchased_on', 'month')} AS m, "
            f"p.channel AS ch, {_counted('p')} AS k, p.amount_fen AS fen FROM consumption_purchase p "
            f"JOIN regions_region e ON e.id = p.buyer_region_id JOIN regions_region w ON w.id = p.county_id WHERE {where}")
    return f"""
        WITH base AS ({base})
        SELECT y, e, w, m, ch, k, sum(fen) AS fen, count(*) AS n FROM (
            SELECT y, '' AS e, '' AS w, m, ch, k, fen FROM base
            UNION ALL SELECT y, e, '', m, ch, k, fen FROM base
            UNION ALL SELECT y, '', w, m, ch, k, fen FROM base
            UNION ALL SELECT y, e, w, m, ch, k, fen FROM base WHERE substr(e, 1, 2) = substr(w, 1, 2)
            UNION ALL SELECT y, e, w, 0, '', 1, fen FROM base WHERE k = 1
            UNION ALL SELECT y, substr(e, 1, 2), substr(w, 1, 2), 0, '', 1, fen FROM base WHERE k = 1
        ) AS g GROUP BY 1, 2, 3, 4, 5, 6"""


FACTS = _facts()
_COLS = ", ".join(KEYS)


def rebuild() -> int:
    """`projects.totals.replace_all` with the two value columns."""
    order = ", ".join(str(i + 1) for i in range(len(KEYS)))
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {TABLE}")
        cur.execute(f"INSERT INTO {TABLE} ({_COLS}, fen, n) SELECT * FROM ({FACTS}) AS d WHERE d.fen <> 0 ORDER BY {order}", [])
        return cur.rowcount


def check() -> list[tuple]:
    """`projects.totals.differences` of the fen, then of the numbers (the key's last part "n")."""
    fen = f"SELECT y, e, w, m, ch, k, fen FROM ({FACTS}) AS d"
    n = f"SELECT y, e, w, m, ch, k, n FROM ({FACTS}) AS d"
    return differences(TABLE, KEYS, "fen", fen) + [(*r[:len(KEYS)], "n", *r[len(KEYS):])
                                                   for r in differences(TABLE, KEYS, "n", n)]


# --- writers ----------------------------------------------------------------------------------


def keyed(rows) -> list[tuple]:
    """The summary's (key…, fen, n) of purchases given as (buyer's region code, county code,
    purchased on, channel, counted, fen), merged."""
    sums = {}

    def add(key, fen):
        found = sums.get(key)
        sums[key] = (fen, 1) if found is None else (found[0] + fen, found[1] + 1)

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
    return [(*key, fen, n) for key, (fen, n) in sums.items()]


_TYPES = ("integer", "text", "text", "integer", "text", "integer", "bigint", "bigint")
_SET = f"fen = {TABLE}.fen + excluded.fen, n = {TABLE}.n + excluded.n"


def _add(rows) -> None:
    """`projects.totals.upsert` for this table's rows (key…, fen, n), in key order: on
    PostgreSQL the columns go as array literals (psycopg's adaptation of 25,000 values per
    column, element by element in Python, costs more than the statement)."""
    items = sorted(r for r in rows if r[-1] or r[-2])
    if not items:
        return
    conflict = f"ON CONFLICT ({_COLS}) DO UPDATE SET {_SET}"
    with connection.cursor() as cur:
        if not is_postgres():
            cur.executemany(f"INSERT INTO {TABLE} ({_COLS}, fen, n) VALUES ({', '.join(['%s'] * (len(KEYS) + 2))}) {conflict}", items)
            return
        from xiezuo.core.arrays import pg_array

        arrays = [_literal(column, pg_array) for column in zip(*items)]
        unnest = ", ".join(f"%s::{t}[]" for t in _TYPES)
        cur.execute(f"INSERT INTO {TABLE} ({_COLS}, fen, n) SELECT * FROM unnest({unnest}) {conflict}", arrays)


def _literal(values, fallback) -> str:
    """`core.arrays.pg_array(values)` written with one join when the values are whole numbers,
    or text with no quote or backslash to escape (codes, channel names): value by value, the
    25,000 keys of a batch cost a tenth of its Python time. Anything else goes to `fallback`."""
    kinds = set(map(type, values))
    if kinds == {int}:
        return "{" + ",".join(map(str, values)) + "}"
    if kinds == {str}:
        text = '","'.join(values)
        if "\\" not in text and text.count('"') == 2 * (len(values) - 1):
            return '{"' + text + '"}'
    return fallback(values)


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
    # through the product's county (its purchases carry it; the index on county and day finds them)
    where = ("p.county_id = (SELECT county_id FROM consumption_product WHERE id = %s) AND p.product_id = %s "
             "AND p.purchased_on >= %s")
    params = [product_id, product_id, first]
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
            key = tuple(r[:-2])
            fen, n = sums.get(key, (0, 0))
            sums[key] = (fen + sign * int(r[-2]), n + sign * int(r[-1]))
    _add([(*k, fen, n) for k, (fen, n) in sums.items()])


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


def _years() -> tuple[str, list]:
    """The summary's years as a condition its indexes (which start with the year) can serve:
    one value each, from the first year to the last (two index look-ups)."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT min(year), max(year) FROM {TABLE}")
        first, last = cur.fetchone()
    if first is None:
        return "1 = 0", []
    years = list(range(int(first), int(last) + 1))
    return f"year IN ({', '.join(['%s'] * len(years))})", years


def recorded_and_counted(user) -> dict:
    """{"recorded", "counted", "n"}: the fen and the number of every purchase the user sees, all
    years — the unfiltered purchase list's totals and count, from the summary (the list's own
    sum and count read hundreds of thousands of purchases for a province office, the sum with
    the certificate rule per row). The same scope arithmetic as `by_month_and_channel`."""
    scope = scope_for(user)
    years, yp = _years()
    if scope.everything:
        sql, params = f"SELECT counted, fen, n FROM {TABLE} WHERE {years} AND east = '' AND west = ''", yp
    elif not scope.active or scope.own is None:
        return {"recorded": 0, "counted": 0, "n": 0}
    else:
        east, ep = _range("east", scope.own)
        west, wp = _range("west", scope.own)
        sql = f"""SELECT counted, fen, n FROM {TABLE} WHERE {years} AND west = '' AND {east}
                  UNION ALL SELECT counted, fen, n FROM {TABLE} WHERE {years} AND east = '' AND {west}
                  UNION ALL SELECT counted, -fen, -n FROM {TABLE} WHERE {years} AND month > 0 AND {east} AND {west}"""
        params = [*yp, *ep, *yp, *wp, *yp, *ep, *wp]
    with connection.cursor() as cur:
        cur.execute(f"SELECT counted, {_sum('fen')}, {_sum('n')} FROM ({sql}) AS t GROUP BY 1", params)
        by = {int(k): (int(f or 0), int(n or 0)) for k, f, n in cur.fetchall()}
    zero = (0, 0)
    return {"recorded": by.get(0, zero)[0] + by.get(1, zero)[0], "counted": by.get(1, zero)[0],
            "n": by.get(0, zero)[1] + by.get(1, zero)[1]}


def counted_between(year: int, pairs) -> dict:
    """{(eastern prefix, western prefix): counted fen of the year} of purchases by buyers in
    the eastern subtree of products of the western subtree, for each pair of code prefixes."""
    pairs = set(pairs)
    out = {}
    with connection.cursor() as cur:
        easts = sorted({e for e, w in pairs if len(e) == 2 and len(w) == 2})
        if easts:
            # a two-digit code is a key's eastern side only in the province pair sums: the
            # provinces asked for, each found through the key's index (year, east, …)
            cur.execute(f"SELECT east, west, fen FROM {TABLE} WHERE year = %s AND east IN ({', '.join(['%s'] * len(easts))}) "
                        "AND month = 0 AND west <> ''", [year, *easts])
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
