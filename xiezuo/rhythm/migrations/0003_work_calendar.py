"""The working-day calendar, taken over from the assessment app with its tables and rows
(see assessment 0005): only the migration state is created here, and the content types
are relabelled so permissions and admin history stay with the models."""
import django.db.models.deletion
from django.db import migrations, models

MODELS = ('calendaryear', 'calendarday')


def relabel_content_types(apps, schema_editor):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    for model in MODELS:
        if not ContentType.objects.filter(app_label='rhythm', model=model).exists():
            ContentType.objects.filter(app_label='assessment', model=model).update(app_label='rhythm')


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('rhythm', '0002_consultations_plans'),
        ('assessment', '0005_calendar_to_rhythm'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CalendarYear',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(unique=True, verbose_name='year')),
                        ('source', models.CharField(help_text='the notice the days were taken from', max_length=200, verbose_name='source')),
                    ],
                    options={
                        'verbose_name': 'holiday arrangement',
                        'verbose_name_plural': 'holiday arrangements',
                        'ordering': ('year',),
                    },
                ),
                migrations.CreateModel(
                    name='CalendarDay',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('date', models.DateField(unique=True, verbose_name='date')),
                        ('is_working', models.BooleanField(verbose_name='working day')),
                        ('name', models.CharField(blank=True, help_text='e.g. 春节, or 春节调休', max_length=50, verbose_name='name')),
                        ('arrangement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='days', to='rhythm.calendaryear', verbose_name='holiday arrangement')),
                    ],
                    options={
                        'verbose_name': 'calendar day',
                        'verbose_name_plural': 'calendar days',
                        'ordering': ('date',),
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel_content_types, migrations.RunPython.noop),
    ]
