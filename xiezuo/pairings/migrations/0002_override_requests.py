"""A pairing outside its province pairing (an override) becomes a request that the office
above approves: the status, who asked, from which area, who decided, when and why.

Existing rows: every pairing is approved, except an override whose creation the history
ascribes to an office (anyone but the national coordinator): an office could grant itself
such a pairing before, so it goes back to 申请中 for the office above to confirm. Overrides
made by the national coordinator, by the loaders or by commands stay in force.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _prefix(code, level):
    return {"province": code[:2], "prefecture": code[:4]}.get(level, code)


def office_overrides_to_requests(apps, schema_editor):
    Pairing = apps.get_model("pairings", "Pairing")
    PairingChange = apps.get_model("pairings", "PairingChange")
    Profile = apps.get_model("users", "Profile")
    for p in Pairing.objects.exclude(override_reason="").exclude(kind="province"):
        created = PairingChange.objects.filter(pairing=p, kind="created").order_by("time", "id").first()
        if created is None or created.user_id is None:
            continue
        profile = Profile.objects.select_related("organisation__region").filter(user_id=created.user_id).first()
        if profile is None or profile.role == "national" or profile.organisation is None:
            continue
        region = profile.organisation.region
        p.status = "requested"
        p.requested_by_id = created.user_id
        p.requested_in = _prefix(region.code, region.level)
        p.save(update_fields=["status", "requested_by", "requested_in"])
        PairingChange.objects.create(
            pairing=p, kind="requested", user=None,
            reason="升级：办公室自行设立的例外结对改为申请，经上级办公室批准后生效",
        )


class Migration(migrations.Migration):

    dependencies = [
        ('pairings', '0001_initial'),
        ('users', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='pairing',
            name='decided_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='decided at'),
        ),
        migrations.AddField(
            model_name='pairing',
            name='decided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by'),
        ),
        migrations.AddField(
            model_name='pairing',
            name='decision_reason',
            field=models.CharField(blank=True, max_length=300, verbose_name='decision reason'),
        ),
        migrations.AddField(
            model_name='pairing',
            name='requested_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by'),
        ),
        migrations.AddField(
            model_name='pairing',
            name='requested_in',
            field=models.CharField(blank=True, max_length=6, verbose_name="requesting office's area"),
        ),
        migrations.AddField(
            model_name='pairing',
            name='status',
            field=models.CharField(choices=[('requested', 'requested'), ('approved', 'approved'), ('rejected', 'rejected')], db_index=True, default='approved', max_length=10, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='pairingchange',
            name='kind',
            field=models.CharField(choices=[('created', 'created'), ('adjusted', 'adjusted'), ('ended', 'ended'), ('requested', 'requested'), ('approved', 'approved'), ('rejected', 'rejected')], max_length=10, verbose_name='change'),
        ),
        migrations.RunPython(office_overrides_to_requests, migrations.RunPython.noop),
    ]
