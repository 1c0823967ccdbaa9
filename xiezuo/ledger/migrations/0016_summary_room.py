"""Room on every page of the summary tables, so that adding to a row is a HOT update
(`xiezuo.core.hotupdates`)."""
from django.db import migrations

from xiezuo.core.hotupdates import leave_room


class Migration(migrations.Migration):
    dependencies = [("ledger", "0015_arrival_booked_on_its_day")]

    operations = [
        migrations.RunPython(*leave_room("ledger_moneytotal", "ledger_money_total_key")),
    ]
