"""The keyed hash of a member's name, so a household is found by its head's name (a payout's
beneficiary chosen from the registry, the land-quota shares recorded by name before the link)
without decrypting a county's names at each search. Every save writes it (`Member.prepare`),
and so does the generator. Here only the heads of household are filled: the search and the
matching of markets 0006 go by the head's name, and rewriting every member's row of a national
registry (some 10 million, wide with their encrypted fields) would hold the migration for tens
of minutes (a measured 86 s for 527,000 members on a loaded 2-core machine). The other members
are filled by `manage.py households index-names`, which can run while the platform is up. The
backfill decrypts each head's name once, in batches by id, and writes the hashes with one
UPDATE per batch."""
from django.db import migrations, models


def fill(apps, schema_editor):
    from xiezuo.households.lookup import fill_names

    fill_names(apps.get_model("households", "Member"), schema_editor.connection, heads_only=True)


class Migration(migrations.Migration):

    dependencies = [
        ('households', '0004_flags_without_key_checks'),
    ]

    operations = [
        migrations.AddField(
            model_name='member',
            name='name_index',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='name index'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name='member',
            index=models.Index(fields=['name_index'], name='households_member_name'),
        ),
    ]
