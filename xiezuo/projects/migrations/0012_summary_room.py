"""Room on every page of the summary tables, so that adding to a row is a HOT update
(`xiezuo.core.hotupdates`)."""
from django.db import migrations

from xiezuo.core.hotupdates import leave_room


class Migration(migrations.Migration):
    dependencies = [("projects", "0011_milestones_reached")]

    operations = [
        migrations.RunPython(*leave_room("projects_projecttotal", "projects_total_key")),
    ]
