"""Client ids are an organisation's own: a dispatch record's id belongs to the organisation
its writer acts for, so one office's id never collides with another's."""

from django.db import migrations, models


def _profiles(apps, schema_editor):
    Profile = apps.get_model("users", "Profile")
    return schema_editor.quote_name(Profile._meta.db_table)


def own_ids(apps, schema_editor):
    """Records already carrying a client id: the organisation of whoever created them (the audit
    log's creation entry names the user); 0 when the log does not tell."""
    audit = schema_editor.quote_name(apps.get_model("core", "AuditEntry")._meta.db_table)
    schema_editor.execute(
        f"UPDATE people_dispatch SET client_ns = COALESCE((SELECT MAX(p.organisation_id) FROM {audit} a "
        f"JOIN auth_user u ON u.username = a.username JOIN {_profiles(apps, schema_editor)} p ON p.user_id = u.id "
        f"WHERE a.object_type = 'people.dispatch' AND a.action = 'create' AND a.object_id = CAST(people_dispatch.id AS VARCHAR(64))), 0) "
        f"WHERE client_id IS NOT NULL")


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0003_dispatch_recorded_at'),
        ('users', '0001_initial'),
        ('core', '0005_audit_user_without_key'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='dispatch',
            name='people_dispatch_client_id_uniq',
        ),
        migrations.AddField(
            model_name='dispatch',
            name='client_ns',
            field=models.BigIntegerField(db_default=0, default=0, editable=False, verbose_name='client id namespace'),
        ),
        migrations.RunPython(own_ids, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='dispatch',
            constraint=models.UniqueConstraint(fields=('client_id', 'client_ns'), name='people_dispatch_client_id_per_org'),
        ),
    ]
