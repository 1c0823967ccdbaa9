"""An arrival is booked on the day the money arrived (every writer does so): on PostgreSQL a
check says it, so that "arrivals after a day" is one range of the (kind, booked_on) index
(`totals.agreements_arrived_after`, the weekly sheet). SQLite would remake the table to add
a check, which the ledger's triggers do not survive; there the writers alone keep it."""
from django.db import migrations

ADD = ("ALTER TABLE ledger_posting ADD CONSTRAINT ledger_posting_arrival_booked_on_arrival "
       "CHECK (kind <> 'arrival' OR booked_on = arrived_on)")
DROP = "ALTER TABLE ledger_posting DROP CONSTRAINT IF EXISTS ledger_posting_arrival_booked_on_arrival"


def add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [("ledger", "0014_postings_one_agreement_index")]

    operations = [migrations.RunPython(add, drop)]
