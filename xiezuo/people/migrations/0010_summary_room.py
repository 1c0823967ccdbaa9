"""Room on every page of the summary tables, so that adding to a row is a HOT update
(`xiezuo.core.hotupdates`)."""
from django.db import migrations

from xiezuo.core.hotupdates import leave_room


class Migration(migrations.Migration):
    dependencies = [("people", "0009_dispatch_references_by_statement")]

    operations = [
        migrations.RunPython(*leave_room("people_peopletotal", "people_total_key")),
    ]
