"""Room on every page of the summary tables, so that adding to a row is a HOT update
(`xiezuo.core.hotupdates`)."""
from django.db import migrations

from xiezuo.core.hotupdates import leave_room


class Migration(migrations.Migration):
    dependencies = [("labour", "0008_placement_list_order")]

    operations = [
        migrations.RunPython(*leave_room("labour_labourtotal", "labour_total_key")),
        migrations.RunPython(*leave_room("labour_duecount", "labour_duecount_key")),
    ]
