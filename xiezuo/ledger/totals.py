"""The ledger's money figures kept as a summary table (`MoneyTotal`), written in the same
transaction as the postings, so that any web process on any node reads the dashboard's and
the funds page's stage figures at once — no per-process build, no warm-up.

A row holds the fen in force of one stage (allocation, arrival, disbursement, spending) for
one key: allocations and arrivals by their agreement (they count in its year, which is read
at query time), disbursements and spending by the year booked; the western and eastern
office and the project's county (the scoping rule of `Posting`: any of the three in the
user's subtree); for disbursements also the project's pairing and category (the Sankey).
At national scale that is some 50,000 rows for 2.8 million postings.

Writers: `chain`'s single posting (`actions.post`) calls `add_postings(ids)` after the
entries are chained: one INSERT … SELECT … ON CONFLICT DO UPDATE SET fen = fen + excluded.fen
over the new postings — a reversal takes its original back out under the original's key, as
`balances.standing` leaves it out. The batch (`batch.PostingBatch.write`) holds every field
of the key already, so it makes the same rows itself (`summary_key`) and sends them with
`add_rows`: reading 10,000 postings back cost more than writing them. Two
writers at once add up in the database, never read-modify-write in Python. A project that
changes pairing or category moves its disbursements (`projects.totals.project_moved`). The
national generator's bulk load refills the table from the facts (`rebuild`), and
`manage.py rebuild_figures` compares it with them (`check`).
"""
from django.db import connection, models

from xiezuo.core.arrays import is_postgres
from xiezuo.core.scoping import scope_for
from xiezuo.projects.totals import differences, project_moved, replace_all, subtree_orgs, subtree_regions, upsert, upsert_select

STAGES = {"allocation": "allocated", "arrival": "arrived", "disbursement": "disbursed", "spending": "spent"}
BY_AGREEMENT = ("allocation", "arrival")


class MoneyTotal(models.Model):
    """Fen in force of one stage under one key (0 or "" where the key does not apply)."""

    stage = models.CharField(max_length=16)
    agreement_id = models.BigIntegerField(default=0)  # allocations and arrivals
    year = models.IntegerField(default=0)  # disbursements and spending: the year booked
    west_org_id = models.BigIntegerField(default=0)
    east_org_id = models.BigIntegerField(default=0)
    county_id = models.BigIntegerField(default=0)  # the project's county
    pairing_id = models.BigIntegerField(default=0)  # disbursements: the project's pairing
    category = models.CharField(max_length=12, default="")  # disbursements: the project's category
    fen = models.BigIntegerField(default=0)

    class Meta:
        app_label = "ledger"
        constraints = [models.UniqueConstraint(
            fields=["stage", "agreement_id", "year", "west_org_id", "east_org_id", "county_id", "pairing_id", "category"],
            name="ledger_money_total_key")]


TABLE = "ledger_moneytotal"
KEYS = ("stage", "agreement_id", "year", "west_org_id", "east_org_id", "county_id", "pairing_id", "category")


def _sum(column: str) -> str:
    """A sum of fen that cannot overflow on SQLite (as `core.sums` does for the ORM's Sum):
    one absurd row stored before amounts were bounded must not break every reader's page."""
    if is_postgres():
        return f"sum({column})"
    return f"CAST(sum(CAST({column} AS REAL)) AS INTEGER)"


def _year(column: str) -> str:
    if is_postgres():
        return f"EXTRACT(YEAR FROM {column})::integer"
    return f"CAST(strftime('%%Y', {column}) AS INTEGER)"


def _keyed(alias: str, sign: str) -> str:
    """The summary key and signed amount of postings `alias` (joined to its project `pr`)."""
    p = alias
    return f"""
        {p}.kind AS k0,
        CASE WHEN {p}.kind IN ('allocation', 'arrival') THEN {p}.agreement_id ELSE 0 END AS k1,
        CASE WHEN {p}.kind IN ('allocation', 'arrival') THEN 0 ELSE {_year(f"{p}.booked_on")} END AS k2,
        COALESCE({p}.west_org_id, 0) AS k3, COALESCE({p}.east_org_id, 0) AS k4, COALESCE(pr.county_id, 0) AS k5,
        CASE WHEN {p}.kind = 'disbursement' THEN COALESCE(pr.pairing_id, 0) ELSE 0 END AS k6,
        CASE WHEN {p}.kind = 'disbursement' THEN COALESCE(pr.category, '') ELSE '' END AS k7,
        {sign}{p}.amount_fen AS fen"""


def _counts(alias: str) -> str:
    return (f"({alias}.kind IN ('disbursement', 'spending') OR "
            f"({alias}.kind IN ('allocation', 'arrival') AND {alias}.agreement_id IS NOT NULL))")


GROUP = "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"

# every posting in force: not a reversal, not reversed
FACTS = f"""
    SELECT {', '.join(f"k{i}" for i in range(8))}, sum(fen) AS fen FROM (
        SELECT {_keyed("p", "")} FROM ledger_posting p LEFT JOIN projects_project pr ON pr.id = p.project_id
        WHERE {_counts("p")} AND NOT EXISTS (SELECT 1 FROM ledger_posting r WHERE r.reversal_of_id = p.id)
    ) AS f {GROUP}"""


def _ids(ids) -> tuple[str, list]:
    ids = [int(i) for i in ids]
    if is_postgres():
        return "= ANY(%s::bigint[])", [ids]
    return f"IN ({', '.join(['%s'] * len(ids))})", ids


def add_postings(ids) -> None:
    """Fold postings just written (their ids) into the summary, in the writer's transaction:
    each posting of a stage adds its amount, each reversal subtracts its original's. One
    statement, whatever the batch's size."""
    ids = list(ids)
    if not ids:
        return
    match, params = _ids(ids)
    select = f"""
        SELECT {', '.join(f"k{i}" for i in range(8))}, sum(fen) AS fen FROM (
            SELECT {_keyed("p", "")} FROM ledger_posting p LEFT JOIN projects_project pr ON pr.id = p.project_id
            WHERE p.id {match} AND {_counts("p")}
            UNION ALL
            SELECT {_keyed("o", "-")} FROM ledger_posting r JOIN ledger_posting o ON o.id = r.reversal_of_id
            LEFT JOIN projects_project pr ON pr.id = o.project_id
            WHERE r.id {match} AND r.kind = 'reversal' AND {_counts("o")}
        ) AS f {GROUP}"""
    upsert_select(TABLE, KEYS, "fen", select, params + params)


def summary_key(kind: str, agreement_id, booked_on, west_org_id, east_org_id, county_id, pairing_id, category) -> tuple | None:
    """The key (in KEYS order) a posting of `kind` in force counts under, None where it counts
    nowhere: the rule of `_keyed` and `_counts`, for a writer that holds the posting already."""
    if kind in BY_AGREEMENT:
        if agreement_id is None:
            return None
        return (kind, agreement_id, 0, west_org_id or 0, east_org_id or 0, county_id or 0, 0, "")
    if kind not in STAGES:
        return None
    disbursement = kind == "disbursement"
    return (kind, 0, booked_on.year, west_org_id or 0, east_org_id or 0, county_id or 0,
            (pairing_id or 0) if disbursement else 0, (category or "") if disbursement else "")


def add_rows(rows) -> None:
    """Add (key…, fen) rows made by `summary_key` (one statement, keys sorted)."""
    upsert(TABLE, KEYS, "fen", rows)


def _project_moved(sender, project_ids, before, **kwargs):
    """Projects changed county, pairing or category: their disbursements (and the county of
    every stage) leave the old key for the new one. One statement."""
    if not project_ids:
        return
    match, params = _ids(project_ids)
    if is_postgres():
        old = "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::text[]) AS o (id, county_id, pairing_id, category)"
        old_params = [list(before), [b[0] for b in before.values()], [b[1] for b in before.values()],
                      [b[2] for b in before.values()]]
    else:
        old = " UNION ALL ".join(["SELECT %s AS id, %s AS county_id, %s AS pairing_id, %s AS category"] * len(before))
        old_params = [v for pid, b in before.items() for v in (pid, *b)]
    in_force = f"{_counts('p')} AND NOT EXISTS (SELECT 1 FROM ledger_posting r WHERE r.reversal_of_id = p.id)"
    select = f"""
        SELECT {', '.join(f"k{i}" for i in range(8))}, sum(fen) AS fen FROM (
            SELECT {_keyed("p", "-")} FROM ledger_posting p JOIN ({old}) AS pr ON pr.id = p.project_id
            WHERE p.project_id {match} AND {in_force}
            UNION ALL
            SELECT {_keyed("p", "")} FROM ledger_posting p JOIN projects_project pr ON pr.id = p.project_id
            WHERE p.project_id {match} AND {in_force}
        ) AS f {GROUP}"""
    upsert_select(TABLE, KEYS, "fen", select, old_params + params + params)


project_moved.connect(_project_moved, dispatch_uid="ledger-money-follows-projects")


def rebuild() -> int:
    return replace_all(TABLE, KEYS, "fen", FACTS)


def check() -> list[tuple]:
    return differences(TABLE, KEYS, "fen", FACTS)


# --- what the weekly sheet asks: which agreements can owe an arrival ------------------------


def agreements_owing_arrival() -> list[int]:
    """Ids of the agreements whose allocated fen in force exceeds their arrived fen in force.
    Only these can hold an allocation in force with no arrival standing: an allocation
    arrives once and in full, and is not reversed while its arrival stands, so an agreement
    whose every allocation has arrived has the two sums equal. From the summary (a row or two
    per agreement and stage) instead of an anti-join of every allocation against the arrivals."""
    owed = _sum("CASE WHEN stage = 'allocation' THEN fen ELSE -fen END")
    with connection.cursor() as cur:
        cur.execute(f"SELECT agreement_id FROM {TABLE} WHERE stage IN ('allocation', 'arrival') AND agreement_id <> 0 "
                    f"GROUP BY agreement_id HAVING {owed} > 0")
        return sorted(row[0] for row in cur.fetchall())


def agreements_short_of_aid(due_before) -> list[int]:
    """Ids of the agreements with fiscal aid due before `due_before` whose arrived fen in
    force (all arrivals, whatever their day) is below the aid committed."""
    with connection.cursor() as cur:
        cur.execute(f"""SELECT a.id FROM pairings_agreement a
                        LEFT JOIN (SELECT agreement_id, {_sum("fen")} AS fen FROM {TABLE} WHERE stage = 'arrival'
                                   GROUP BY agreement_id) m ON m.agreement_id = a.id
                        WHERE a.funds_due_date < %s AND a.fiscal_aid_fen > 0 AND COALESCE(m.fen, 0) < a.fiscal_aid_fen""",
                    [due_before])
        return sorted(row[0] for row in cur.fetchall())


def agreements_arrived_after(day) -> list[int]:
    """Ids of the agreements with an arrival in force dated after `day` (an arrival's booking
    day is its arrival day, a constraint on PostgreSQL: one range of the (kind, booked_on)
    index). The summary counts these arrivals; a sheet as of `day` must not: for the current
    week there are none, for a past week these agreements are judged from the postings."""
    from .models import Posting

    return sorted(set(Posting.objects.filter(kind="arrival", booked_on__gt=day, reversal__isnull=True,
                                             agreement__isnull=False).values_list("agreement_id", flat=True)))


# --- reading ----------------------------------------------------------------------------------

def years_of(year) -> list[int]:
    """A year, or several (a range for the figures to date), as a list."""
    return [year] if isinstance(year, int) else list(year)


def _scoped(user) -> tuple[str, list] | None:
    """The condition on summary rows `m` for what the user sees (None: nothing)."""
    scope = scope_for(user)
    if scope.everything:
        return "TRUE", []
    if not scope.active or scope.own is None:
        return None
    orgs, op = subtree_orgs(scope)
    regions, rp = subtree_regions(scope)
    return f"(m.west_org_id IN ({orgs}) OR m.east_org_id IN ({orgs}) OR m.county_id IN ({regions}))", op + op + rp


def _in_years(years) -> tuple[str, list]:
    years = [int(y) for y in years]
    lo, hi = min(years), max(years)
    if years == list(range(lo, hi + 1)):  # the figures to date: a range, bound by two values
        return ("((m.stage IN ('allocation', 'arrival') AND a.year BETWEEN %s AND %s) OR "
                "(m.stage IN ('disbursement', 'spending') AND m.year BETWEEN %s AND %s))"), [lo, hi, lo, hi]
    marks = ", ".join(["%s"] * len(years))
    return (f"((m.stage IN ('allocation', 'arrival') AND a.year IN ({marks})) OR "
            f"(m.stage IN ('disbursement', 'spending') AND m.year IN ({marks})))"), years + years


def stage_totals(user, year) -> dict:
    """{"allocated", "arrived", "disbursed", "spent"} in fen for the year (or years), as the
    user sees them — the figures of `ledger.figures.stage_totals`, from the summary."""
    out = {label: 0 for label in STAGES.values()}
    scoped = _scoped(user)
    if scoped is None:
        return out
    where, params = scoped
    years, yp = _in_years(years_of(year))
    with connection.cursor() as cur:
        cur.execute(f"""SELECT m.stage, {_sum("m.fen")} FROM {TABLE} m LEFT JOIN pairings_agreement a ON a.id = m.agreement_id
                        WHERE m.fen <> 0 AND {years} AND {where} GROUP BY m.stage""", yp + params)
        for stage, fen in cur.fetchall():
            out[STAGES[stage]] = int(fen or 0)
    return out


def committed_fen(user, year) -> int:
    from django.db.models import Sum

    from xiezuo.core.scoping import visible
    from xiezuo.pairings.models import Agreement

    return visible(user, Agreement.objects.filter(year__in=years_of(year))).aggregate(s=Sum("fiscal_aid_fen"))["s"] or 0


def money_stages(user, year) -> dict:
    """committed / allocated / arrived / disbursed / spent for the year (or the years, e.g.
    every year up to this one for the figures to date), in fen. Over a single year the
    stages may not chain (money disbursed last year is spent this year); over every year to
    date each stage is at most the one before it, for what the user sees of it."""
    stages = {"committed": committed_fen(user, year)}
    stages.update(stage_totals(user, year))
    return stages


def disbursed_by_group(user, year) -> list[tuple[str | None, str | None, str | None, str | None, int]]:
    """[(eastern province code of the project's pairing, western county code, county name,
    project category, fen)] disbursed in the year or years, as the user sees it — the groups
    of `ledger.figures.disbursed_by_project_group`, from the summary."""
    scoped = _scoped(user)
    if scoped is None:
        return []
    where, params = scoped
    years = [int(y) for y in years_of(year)]
    marks = ", ".join(["%s"] * len(years))
    with connection.cursor() as cur:
        # summed by pairing, county and category first, then named: the joins see the groups
        # (a third of the rows nationally), not every row of the summary
        cur.execute(f"""
            SELECT er.province_code, c.code, c.name, NULLIF(g.category, ''), {_sum("g.fen")}
            FROM (SELECT m.pairing_id, m.county_id, m.category, {_sum("m.fen")} AS fen FROM {TABLE} m
                  WHERE m.stage = 'disbursement' AND m.fen <> 0 AND m.year IN ({marks}) AND {where}
                  GROUP BY 1, 2, 3) g
            LEFT JOIN regions_region c ON c.id = g.county_id
            LEFT JOIN pairings_pairing pp ON pp.id = g.pairing_id LEFT JOIN regions_region er ON er.id = pp.east_region_id
            GROUP BY 1, 2, 3, 4 HAVING {_sum("g.fen")} <> 0""", years + params)
        return [(province, code, name, category, int(fen)) for province, code, name, category, fen in cur.fetchall()]
