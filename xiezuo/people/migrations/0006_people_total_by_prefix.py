from django.db import migrations, models


def fill(apps, schema_editor):
    """Sum the dispatch records already kept into the table, so an upgraded database shows its
    figures at once (set-based: one grouped INSERT … SELECT)."""
    from xiezuo.people.totals import rebuild

    rebuild()


class Migration(migrations.Migration):
    """People on post by part of the tree (a region code prefix) rather than by pair of
    organisations: the national figure reads at most kinds × days rows, not 285,000."""

    dependencies = [
        ('people', '0005_summary_totals'),
    ]

    operations = [
        migrations.DeleteModel(name='PeopleTotal'),
        migrations.CreateModel(
            name='PeopleTotal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('scope', models.CharField(max_length=6)),
                ('kind', models.CharField(max_length=12)),
                ('day', models.DateField()),
                ('n', models.BigIntegerField(default=0)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('scope', 'day', 'kind'), name='people_total_key')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
