"""Room on every page of the summary tables, so that adding to a row is a HOT update.

The summary tables (`ledger.totals`, `projects.totals`, `people.totals`, `labour.totals`,
`labour.duecounts`) are written by adding to rows in place (`INSERT … ON CONFLICT DO UPDATE
SET n = n + excluded.n`): a batch of 10,000 postings updates thousands of rows of the money
summary. At PostgreSQL's default fill factor of 100 a page has no room for a row's new
version, so every update writes the row to another page and a new entry into the key's
index: the index grows by a batch's rows each time and every update pays for that entry.
With half of each page left free, the new version stays on the row's page and the index is
not touched (a heap-only tuple), and page pruning reclaims the old versions without waiting
for VACUUM. Twice the pages cost the readers little: a scan of a summary spends its time on
the rows it sums, not on the pages it reads (docs/BENCHMARKS.md, session 7).

The consumption summary was the first to get this (its migration 0005 keeps its own copy,
at 70 %); the old versions' room comes back only when a page is pruned or vacuumed, which a
transaction left open anywhere on the server holds back.

`leave_room` is a migration step (RunPython): it sets the fill factor and rewrites the table
in its key's order (CLUSTER, inside the migration's transaction, which holds the table's
exclusive lock for some seconds per million rows), so rows already stored get their room
too; the rebuilds (`replace_all`) write at the fill factor from then on. On SQLite, which has
no such setting, it does nothing.
"""

FILLFACTOR = 50


def leave_room(table: str, key_index: str, fillfactor: int = FILLFACTOR):
    """The forward and backward functions of a RunPython step for `table`, rewritten in the
    order of its unique `key_index`."""

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {int(fillfactor)})")
            schema_editor.execute(f"CLUSTER {table} USING {key_index}")

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")

    return forward, backward
