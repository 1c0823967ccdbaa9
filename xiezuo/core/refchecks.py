"""References checked once per INSERT statement instead of by per-row foreign keys, for the
tables that batches fill with COPY (the SQL a migration installs).

A per-row foreign key probes and share-locks the referenced row once for every row written,
and a deferred one does it all at COMMIT: a batch of 10,000 dispatch records naming a few
hundred organisations made 30,000 probes and locks (0.14 s of a 0.9 s batch). A statement
trigger over the rows just inserted or updated (a transition table) probes and locks each
distinct id once, with the lock a foreign key takes (FOR KEY SHARE), so a delete of that row in another
transaction still waits for the batch to commit; a single row written by a model's save()
passes through the same trigger.

The delete side of the key becomes a guard on each referenced table: deleting (or
renumbering) a row that the table names is refused, as the foreign key refused it. Django's
own PROTECT still answers first in the application.

On SQLite (the embedded default, one writer at a time) a row-level trigger per reference
checks existence, and deletes are left to Django's on_delete.

The ledger's postings (ledger migration 0006) and the labour placements' delete guards
(labour migration 0005) were done this way first, each migration with its own copy of this
SQL (installed migrations keep what they ran); later tables use these functions. A migration that calls them keeps
working as long as they produce the same SQL for the same arguments: change them only in a
way that keeps that.
"""


def _pg_check(table: str, column: str, referenced: str) -> str:
    return f"""    ids := ARRAY(SELECT DISTINCT {column} FROM new_rows WHERE {column} IS NOT NULL);
    PERFORM 1 FROM {referenced} t WHERE t.id = ANY(ids) FOR KEY SHARE;
    SELECT n.id INTO missing FROM unnest(ids) AS n(id) WHERE NOT EXISTS (SELECT 1 FROM {referenced} t WHERE t.id = n.id) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '{table}: {column} names #% of {referenced}, which does not exist', missing
            USING ERRCODE = 'foreign_key_violation';
    END IF;
"""


def install(schema_editor, table: str, references: dict) -> None:
    """Check `references` ({column: referenced table}) of `table` per statement and guard the
    referenced tables' deletes. Drop the foreign keys' constraints (db_constraint=False) in
    the same migration."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        body = "".join(_pg_check(table, column, referenced) for column, referenced in references.items())
        schema_editor.execute(
            f"CREATE OR REPLACE FUNCTION {table}_references() RETURNS trigger AS $$\n"
            f"DECLARE\n    ids bigint[];\n    missing bigint;\nBEGIN\n{body}    RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql;",
            params=None)
        # one trigger per event: a trigger with transition tables takes one
        for event, name in (("INSERT", f"{table}_references"), ("UPDATE", f"{table}_references_upd")):
            schema_editor.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING NEW TABLE AS new_rows "
                                  f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_references()")
        schema_editor.execute(f"""
CREATE OR REPLACE FUNCTION {table}_referenced() RETURNS trigger AS $$
DECLARE
    col text;
    found_id bigint;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NEW;
    END IF;
    FOREACH col IN ARRAY TG_ARGV LOOP
        EXECUTE format('SELECT id FROM {table} WHERE %I = $1 LIMIT 1', col) INTO found_id USING OLD.id;
        IF found_id IS NOT NULL THEN
            RAISE EXCEPTION '% #% of % is named by {table} #% (%): refused', TG_OP, OLD.id, TG_TABLE_NAME, found_id, col
                USING ERRCODE = 'foreign_key_violation';
        END IF;
    END LOOP;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;""", params=None)
        for referenced, columns in _by_referenced(references).items():
            schema_editor.execute(
                f"CREATE TRIGGER {referenced}_{table}_referenced BEFORE DELETE OR UPDATE OF id ON {referenced} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_referenced({', '.join(repr(c) for c in columns)})")
    elif vendor == "sqlite":
        for column, referenced in references.items():
            for event, name in (("INSERT", f"{table}_{column}_exists"), (f"UPDATE OF {column}", f"{table}_{column}_exists_upd")):
                schema_editor.execute(f"""
CREATE TRIGGER {name} BEFORE {event} ON {table}
WHEN NEW.{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {referenced} WHERE id = NEW.{column})
BEGIN
    SELECT RAISE(ABORT, '{table}: the row named by {column} does not exist');
END""")


def uninstall(schema_editor, table: str, references: dict) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_references ON {table}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_references_upd ON {table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_references()")
        for referenced in _by_referenced(references):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {referenced}_{table}_referenced ON {referenced}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_referenced()")
    elif vendor == "sqlite":
        for column in references:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{column}_exists")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{column}_exists_upd")


def _by_referenced(references: dict) -> dict:
    out = {}
    for column, referenced in references.items():
        out.setdefault(referenced, []).append(column)
    return out
