"""Version 1 of the indicator system, so a fresh database can compute scores at once."""
from django.db import migrations


def forwards(apps, schema_editor):
    from xiezuo.assessment.defaults import seed

    seed(apps.get_model("assessment", "IndicatorSystem"), apps.get_model("assessment", "Indicator"),
         apps.get_model("assessment", "GradeCutoffs"))


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
