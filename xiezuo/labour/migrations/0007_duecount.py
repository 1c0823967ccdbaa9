"""The placements' next check days counted per county and month (`labour.duecounts`),
filled set-based from the days migration 0006 stored."""
from django.db import migrations, models


def fill(apps, schema_editor):
    from xiezuo.labour.duecounts import refill

    refill()


class Migration(migrations.Migration):

    dependencies = [
        ("labour", "0006_placement_next_check_due"),
    ]

    operations = [
        migrations.CreateModel(
            name="DueCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("county_id", models.BigIntegerField()),
                ("month", models.DateField()),
                ("n", models.BigIntegerField(default=0)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("county_id", "month"), name="labour_duecount_key")],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
