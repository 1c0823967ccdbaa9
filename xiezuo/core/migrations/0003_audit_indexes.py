"""The audit log keeps only the indexes its readers use (see AuditEntry.Meta).

Before: db_index on request_id, object_type, region_code and other_region_code, which on
PostgreSQL is two indexes per column (a plain one and a `_like` one with
varchar_pattern_ops), twelve in all, each paid for on every insert. After: request_id
(plain), region_code and other_region_code (pattern ops, for the prefix matches), and the
(object_type, object_id) pair that already covers object_type.

The state operations are what `makemigrations` writes. The database side does not rebuild
what already exists: on PostgreSQL the `_like` indexes of the two region columns and the plain
request_id index are renamed (instant, where CREATE INDEX on a large log would block its
writers for minutes), the rest dropped; any index that is missing (a database not built by
0001) is created. SQLite has no `_like` indexes: plain ones are dropped and created.
"""
from django.db import migrations, models

TABLE = "core_auditentry"
OLD = ("request_id", "object_type", "region_code", "other_region_code")
# new name → (column, PostgreSQL operator class or "", the old index PostgreSQL renames)
NEW = {
    "core_audit_request_id_idx": ("request_id", "", ""),
    "core_audit_region_like": ("region_code", "varchar_pattern_ops", "_like"),
    "core_audit_other_region_like": ("other_region_code", "varchar_pattern_ops", "_like"),
}


def _old_name(schema_editor, column, suffix=""):
    """The name 0001's db_index gave the column's index (Django's own naming)."""
    return schema_editor._create_index_name(TABLE, [column], suffix=suffix)


def forward(apps, schema_editor):
    q = schema_editor.quote_name
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        for name, (column, _opclass, suffix) in NEW.items():
            schema_editor.execute(f"ALTER INDEX IF EXISTS {q(_old_name(schema_editor, column, suffix))} RENAME TO {q(name)}")
    for column in OLD:
        for suffix in ("", "_like") if postgres else ("",):
            schema_editor.execute(f"DROP INDEX IF EXISTS {q(_old_name(schema_editor, column, suffix))}")
    for name, (column, opclass, _suffix) in NEW.items():
        opclass = f" {opclass}" if postgres and opclass else ""
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {q(name)} ON {q(TABLE)} ({q(column)}{opclass})")


def backward(apps, schema_editor):
    q = schema_editor.quote_name
    postgres = schema_editor.connection.vendor == "postgresql"
    for name in NEW:
        schema_editor.execute(f"DROP INDEX IF EXISTS {q(name)}")
    for column in OLD:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {q(_old_name(schema_editor, column))} ON {q(TABLE)} ({q(column)})")
        if postgres:
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {q(_old_name(schema_editor, column, '_like'))} "
                                  f"ON {q(TABLE)} ({q(column)} varchar_pattern_ops)")


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_ingest_receipt"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditentry",
                    name="object_type",
                    field=models.CharField(max_length=64, verbose_name="object type"),
                ),
                migrations.AlterField(
                    model_name="auditentry",
                    name="other_region_code",
                    field=models.CharField(blank=True, max_length=6, verbose_name="other region code"),
                ),
                migrations.AlterField(
                    model_name="auditentry",
                    name="region_code",
                    field=models.CharField(blank=True, max_length=6, verbose_name="region code"),
                ),
                migrations.AlterField(
                    model_name="auditentry",
                    name="request_id",
                    field=models.CharField(blank=True, max_length=64, verbose_name="request id"),
                ),
                migrations.AddIndex(
                    model_name="auditentry",
                    index=models.Index(fields=["request_id"], name="core_audit_request_id_idx"),
                ),
                migrations.AddIndex(
                    model_name="auditentry",
                    index=models.Index(fields=["region_code"], name="core_audit_region_like", opclasses=["varchar_pattern_ops"]),
                ),
                migrations.AddIndex(
                    model_name="auditentry",
                    index=models.Index(fields=["other_region_code"], name="core_audit_other_region_like",
                                       opclasses=["varchar_pattern_ops"]),
                ),
            ],
            database_operations=[migrations.RunPython(forward, backward)],
        ),
    ]
