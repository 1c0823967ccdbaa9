from django.db import migrations


def fill(apps, schema_editor):
    """Count the placements and retention checks already kept into the summary, so an upgraded
    database shows its labour figures at once (set-based, as `rebuild_figures --fix`)."""
    from xiezuo.labour.totals import refill  # the summary alone: the placements' next due day came later (0006)

    refill()


class Migration(migrations.Migration):

    dependencies = [
        ("labour", "0003_labourtotal"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
