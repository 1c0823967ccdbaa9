"""The keyed hash of every member's name, so a household is found by its head's name (a
payout's beneficiary chosen from the registry, the land-quota shares recorded by name before
the link) without decrypting a county's names at each search. The backfill decrypts each name
once, here, in batches by id, and writes the hashes with one UPDATE per batch."""
from django.db import migrations, models

BATCH = 5000


def fill(apps, schema_editor):
    from xiezuo.households.models import name_key

    Member = apps.get_model("households", "Member")
    table = Member._meta.db_table
    conn = schema_editor.connection
    last = 0
    while True:
        rows = list(Member.objects.filter(id__gt=last).order_by("id").values_list("id", "name")[:BATCH])
        if not rows:
            break
        last = rows[-1][0]
        pairs = [(pk, name_key(name)) for pk, name in rows if name]
        if not pairs:
            continue
        with conn.cursor() as cur:
            if conn.vendor == "postgresql":
                values = ",".join(["(%s, %s)"] * len(pairs))
                cur.execute(f"UPDATE {table} AS m SET name_index = v.k FROM (VALUES {values}) AS v(id, k) WHERE m.id = v.id",
                            [x for pair in pairs for x in pair])
            else:
                cur.executemany(f"UPDATE {table} SET name_index = %s WHERE id = %s", [(k, pk) for pk, k in pairs])


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
