"""Allocations indexed by agreement, with what the funds page's arrival timeliness tests. See Posting.Meta."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0012_account_order_indexes'),
        ('orgs', '0001_initial'),
        ('pairings', '0002_override_requests'),
        ('projects', '0009_project_list_order'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='posting',
            index=models.Index(condition=models.Q(('kind', 'allocation')), fields=['agreement'], include=('id', 'amount_fen', 'west_org', 'east_org', 'project'), name='ledger_posting_allocations'),
        ),
    ]
