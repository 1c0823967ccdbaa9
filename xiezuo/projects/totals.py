"""The dashboard's project figures kept as a summary table, written in the transaction that
changes a project (`ProjectTotal`), and the small SQL kit the other summaries share.

A summary row counts the projects of one (western county, pairing, status). The dashboard
reads its counts by status and its map points (projects in progress per county) from these
rows, deciding what a user sees from the current regions and pairings — the scoping rule of
`Project` (county or the pairing's eastern side in the user's subtree) applied to a few
thousand rows instead of 100,000 projects. Writers call `count_projects` with the keys a
change leaves and enters: one upsert (`INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`),
so two web nodes writing at once add up, never overwrite each other.

A project that moves to another pairing or category sends `project_moved`, so the ledger's
money summary (`ledger.totals`, keyed by them for the Sankey) moves its sums too.
`rebuild()` recomputes the table from the projects (the national generator's bulk load,
`manage.py rebuild_figures`).
"""
from django.db import connection, models
from django.dispatch import Signal

from xiezuo.core.arrays import is_postgres, pg_array

# sent with project_ids=[…] and before={project id: (county id, pairing id, category)} when the
# county, pairing or category of projects changed (after the rows were written)
project_moved = Signal()


class ProjectTotal(models.Model):
    """How many projects of one western county and pairing (0: none) have one status."""

    county_id = models.BigIntegerField()
    pairing_id = models.BigIntegerField(default=0)
    status = models.CharField(max_length=12)
    n = models.BigIntegerField(default=0)

    class Meta:
        app_label = "projects"
        constraints = [models.UniqueConstraint(fields=["county_id", "pairing_id", "status"], name="projects_total_key")]


# --- the SQL kit shared by the summaries (ledger.totals, people.totals) ----------------------

def subtree_regions(scope) -> tuple[str, list]:
    """SQL for the ids of the regions in the scope's own subtree (a code prefix), and its
    parameters. None of the summarised models counts paired regions (`scope_include_partners`
    is False for projects, postings, dispatches), so the subtree is the whole rule."""
    return "SELECT id FROM regions_region WHERE code LIKE %s", [scope.own + "%"]


def subtree_orgs(scope) -> tuple[str, list]:
    """SQL for the ids of the organisations placed in the scope's subtree."""
    regions, params = subtree_regions(scope)
    return f"SELECT id FROM orgs_organisation WHERE region_id IN ({regions})", params


def upsert(table: str, keys: tuple, value: str, rows) -> int:
    """Add rows (key values…, delta) to a summary table: one statement; the rows sorted by key
    so that two writers lock the rows they share in the same order (no deadlock). Zero
    deltas are dropped. Answers the number of rows sent."""
    merged = {}
    for row in rows:
        key, delta = tuple(row[:-1]), row[-1]
        merged[key] = merged.get(key, 0) + delta
    items = sorted((k, d) for k, d in merged.items() if d)
    if not items:
        return 0
    cols = ", ".join(keys)
    conflict = f"ON CONFLICT ({cols}) DO UPDATE SET {value} = {table}.{value} + excluded.{value}"
    with connection.cursor() as cur:
        if is_postgres():
            types = [_pg_type(items[0][0][i]) for i in range(len(keys))]
            # array literals made at once (`pg_array`), not adapted by psycopg value by value
            arrays = [pg_array([k[i] for k, _d in items]) for i in range(len(keys))] + [pg_array([d for _k, d in items])]
            unnest = ", ".join(f"%s::{t}[]" for t in types + ["bigint"])
            cur.execute(f"INSERT INTO {table} ({cols}, {value}) SELECT * FROM unnest({unnest}) AS t ORDER BY "
                        f"{', '.join(str(i + 1) for i in range(len(keys)))} {conflict}", arrays)
        else:
            marks = ", ".join(["%s"] * (len(keys) + 1))
            cur.executemany(f"INSERT INTO {table} ({cols}, {value}) VALUES ({marks}) {conflict}", [(*k, d) for k, d in items])
    return len(items)


def _pg_type(value) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        return "date" if hasattr(value, "isoformat") else "text"
    return "bigint"


def upsert_select(table: str, keys: tuple, value: str, select_sql: str, params) -> None:
    """Add the rows a SELECT yields (key columns…, delta) to a summary table in one statement,
    in key order (see `upsert`)."""
    cols = ", ".join(keys)
    order = ", ".join(str(i + 1) for i in range(len(keys)))
    with connection.cursor() as cur:
        # "WHERE true": SQLite reads an ON CONFLICT after a bare SELECT … FROM as a join's ON
        cur.execute(f"INSERT INTO {table} ({cols}, {value}) SELECT * FROM ({select_sql}) AS d WHERE d.{value} <> 0 "
                    f"ORDER BY {order} ON CONFLICT ({cols}) DO UPDATE SET {value} = {table}.{value} + excluded.{value}", params)


def replace_all(table: str, keys: tuple, value: str, select_sql: str, params=()) -> int:
    """Empty a summary table and fill it from a grouped SELECT over the facts (set-based: the
    bulk load and `rebuild_figures --fix`). Answers the rows written."""
    cols = ", ".join(keys)
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {table}")
        # in key order, so the rows one reader sums (a prefix, a stage) lie together on disk
        order = ", ".join(str(i + 1) for i in range(len(keys)))
        cur.execute(f"INSERT INTO {table} ({cols}, {value}) SELECT * FROM ({select_sql}) AS d WHERE d.{value} <> 0 "
                    f"ORDER BY {order}", list(params))
        return cur.rowcount


def _key(row) -> tuple:
    """A row's key, dates as ISO text (SQLite gives a stored date column as a date and a
    computed one as text)."""
    return tuple(v.isoformat() if hasattr(v, "isoformat") else v for v in row[:-1])


def differences(table: str, keys: tuple, value: str, select_sql: str, params=()) -> list[tuple]:
    """[(key…, stored, from the facts)] wherever the summary table and the facts disagree
    (a row of 0 stands for no row)."""
    cols = ", ".join(keys)
    with connection.cursor() as cur:
        cur.execute(f"SELECT {cols}, {value} FROM {table} WHERE {value} <> 0")
        stored = {_key(r): r[-1] for r in cur.fetchall()}
        cur.execute(f"SELECT * FROM ({select_sql}) AS d WHERE d.{value} <> 0", list(params))
        facts = {_key(r): r[-1] for r in cur.fetchall()}
    return sorted(((*k, stored.get(k, 0), facts.get(k, 0)) for k in stored.keys() | facts.keys()
                   if stored.get(k, 0) != facts.get(k, 0)), key=lambda r: tuple(str(v) for v in r))


# --- projects -----------------------------------------------------------------------------

TABLE = "projects_projecttotal"
KEYS = ("county_id", "pairing_id", "status")
FACTS = "SELECT county_id, COALESCE(pairing_id, 0), status, count(*) AS n FROM projects_project GROUP BY 1, 2, 3"


def key_of(project) -> tuple:
    return (project.county_id, project.pairing_id or 0, str(project.status))


def count_projects(changes) -> None:
    """changes: [(key before or None, key after or None)] for projects created, changed or
    deleted (keys from `key_of`): one upsert of the deltas."""
    rows = []
    for before, after in changes:
        if before == after:
            continue
        if before is not None:
            rows.append((*before, -1))
        if after is not None:
            rows.append((*after, 1))
    upsert(TABLE, KEYS, "n", rows)


def moved(project, before: tuple | None) -> None:
    """Record in the summaries what writing `project` changed; `before` is its
    (county id, pairing id, status, category) before the write, None for a new project."""
    count_projects([(before[:3] if before else None, key_of(project))])
    if before is not None and (before[0], before[1], before[3]) != (project.county_id, project.pairing_id or 0, project.category):
        project_moved.send(sender=ProjectTotal, project_ids=[project.pk],
                           before={project.pk: (before[0], before[1], before[3])})


def state_of(project) -> tuple:
    """What `moved` needs to know of a project before it is written."""
    return (project.county_id, project.pairing_id or 0, str(project.status), project.category)


def rebuild() -> int:
    return replace_all(TABLE, KEYS, "n", FACTS)


def check() -> list[tuple]:
    return differences(TABLE, KEYS, "n", FACTS)


def counts_and_points(scope, limit: int = 400) -> tuple[dict, list]:
    """({status: projects}, [(county id, projects in progress)] the largest first) of the
    projects the scope sees: county or pairing's eastern side in its subtree."""
    where, params = "n <> 0", []
    if not scope.everything:
        if not scope.active or scope.own is None:
            return {}, []
        regions, rp = subtree_regions(scope)
        where += (f" AND (county_id IN ({regions}) OR pairing_id IN "
                  f"(SELECT id FROM pairings_pairing WHERE east_region_id IN ({regions})))")
        params = rp + rp
    with connection.cursor() as cur:
        cur.execute(f"SELECT county_id, status, sum(n) FROM {TABLE} WHERE {where} GROUP BY 1, 2", params)
        rows = cur.fetchall()
    counts, active = {}, {}
    for county, status, n in rows:
        counts[status] = counts.get(status, 0) + int(n)
        if status == "in_progress" and n:
            active[county] = active.get(county, 0) + int(n)
    top = sorted(active.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return counts, top
