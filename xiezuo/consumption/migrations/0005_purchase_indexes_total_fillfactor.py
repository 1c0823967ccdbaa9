import django.db.models.deletion
from django.db import migrations, models


def leave_room(apps, schema_editor):
    """The summary's pages a third empty, rewritten in the key's order: a batch's upsert
    changes only the value columns of twenty thousand rows, which PostgreSQL then rewrites on
    their own page without new index entries (a heap-only update) as long as the page has
    room; in the key's order, the rows one batch touches lie on a few pages (the keys of a
    region's months and channels are neighbours). Rows added later fill the room the
    same way (the table's fillfactor). The rewrite holds the table's exclusive lock for
    some seconds per million rows."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE consumption_purchasetotal SET (fillfactor = 70)")
    schema_editor.execute("CLUSTER consumption_purchasetotal USING consumption_purchase_total_key")


def full_pages(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE consumption_purchasetotal RESET (fillfactor)")


class Migration(migrations.Migration):

    dependencies = [
        ('consumption', '0004_purchase_total_count'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='purchase',
            name='consumption_purchase_product',
        ),
        migrations.AlterField(
            model_name='purchase',
            name='buyer',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='purchases', to='consumption.buyer', verbose_name='buyer'),
        ),
        migrations.RunPython(leave_room, full_pages),
    ]
