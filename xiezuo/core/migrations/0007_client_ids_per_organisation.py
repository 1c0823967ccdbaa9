"""Client ids are an organisation's own: a receipt's id belongs to the organisation its sender
acts for (for the receipts kept before: the organisation its user acts for now)."""

from django.db import migrations, models


def own_ids(apps, schema_editor):
    profiles = schema_editor.quote_name(apps.get_model("users", "Profile")._meta.db_table)
    schema_editor.execute(
        f"UPDATE core_ingestreceipt SET client_ns = COALESCE((SELECT MAX(p.organisation_id) FROM auth_user u "
        f"JOIN {profiles} p ON p.user_id = u.id WHERE u.username = core_ingestreceipt.username), 0)")


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0006_export_jobs'),
        ('users', '0001_initial'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='ingestreceipt',
            name='core_ingestreceipt_client_id_uniq',
        ),
        migrations.AddField(
            model_name='ingestreceipt',
            name='client_ns',
            field=models.BigIntegerField(db_default=0, default=0),
        ),
        migrations.RunPython(own_ids, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='ingestreceipt',
            constraint=models.UniqueConstraint(fields=('client_id', 'client_ns'), name='core_receipt_client_id_per_org'),
        ),
    ]
