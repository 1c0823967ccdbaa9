"""Client ids are an organisation's own: a report's id belongs to the organisation its
reporter acts for, so one office's id never collides with another's."""

from django.db import migrations, models


def _profiles(apps, schema_editor):
    Profile = apps.get_model("users", "Profile")
    return schema_editor.quote_name(Profile._meta.db_table)


def own_ids(apps, schema_editor):
    """Reports already carrying a client id: their reporter's organisation, as a retry will name it."""
    schema_editor.execute(
        f"UPDATE projects_progressreport SET client_ns = COALESCE((SELECT p.organisation_id FROM {_profiles(apps, schema_editor)} p "
        f"WHERE p.user_id = projects_progressreport.reported_by_id), 0) WHERE client_id IS NOT NULL")


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0005_output_recorded_at'),
        ('users', '0001_initial'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='progressreport',
            name='projects_progressreport_client_id_uniq',
        ),
        migrations.AddField(
            model_name='progressreport',
            name='client_ns',
            field=models.BigIntegerField(db_default=0, default=0, editable=False, verbose_name='client id namespace'),
        ),
        migrations.RunPython(own_ids, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='progressreport',
            constraint=models.UniqueConstraint(fields=('client_id', 'client_ns'), name='projects_report_client_id_per_org'),
        ),
    ]
