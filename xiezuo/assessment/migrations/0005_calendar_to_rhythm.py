"""The working-day calendar moves to the rhythm app, below the assessment: rhythm's
consultation deadlines count working days too, and an app never imports one above it.
The tables are renamed and kept with their rows; rhythm's 0003 takes the models over."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('assessment', '0004_work_calendar'),
    ]

    operations = [
        migrations.AlterModelTable(name='calendaryear', table='rhythm_calendaryear'),
        migrations.AlterModelTable(name='calendarday', table='rhythm_calendarday'),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='CalendarDay'),
                migrations.DeleteModel(name='CalendarYear'),
            ],
            database_operations=[],
        ),
    ]
