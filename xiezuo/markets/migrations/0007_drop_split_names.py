"""The free-text shares, now rows of `HouseholdShare` (0006)."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('markets', '0006_household_shares'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='proceedssplit',
            name='households',
        ),
    ]
