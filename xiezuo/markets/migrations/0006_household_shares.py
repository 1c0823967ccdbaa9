"""The farmers' shares of a land-quota split become rows pointing at registry households
(`HouseholdShare`) instead of free-text names in a JSON list ([[name, weight, fen], …]).

Each recorded share is matched by name within the registry of the listing's county, through
the keyed hash of the names (`households.Member.name_index`, filled by households 0005): a
household whose head bears the name, else one with a member of that name. It is linked only
when exactly one household of the county answers; otherwise (no household, or two households
with the same name, as is common among Yi and Han villagers alike) the share is kept with its
recorded name as "unmatched". Why not guess, nor drop: a share is money already decided (and
perhaps paid out through the ledger, whose postings carry the farmers' total): linking it to
the wrong family would show a payout on a household that never got it, and dropping it would
lose the record that the money went to someone. Kept unmatched, it stays visible on the trade
page, with its weight and fen, for the county office to resolve. Weights and fen are copied
as they were: the parts still sum to the farmers' part. The reverse rebuilds the JSON lists
(a matched share under its head's name); 0007 drops them (on PostgreSQL, not in the
transaction that wrote the rows)."""
import django.db.models.deletion
from django.db import migrations, models


def match(Member, county_id, name, taken):
    """The one household of the county whose head (else a member) bears `name`, not already
    linked in the same split; None when there is none or more than one."""
    from xiezuo.households.models import name_key

    key = name_key(name)
    if not key:
        return None
    members = Member.objects.filter(household__county_id=county_id, name_index=key)
    found = set(members.filter(relation="head").values_list("household_id", flat=True)) or set(
        members.values_list("household_id", flat=True))
    return next(iter(found)) if len(found) == 1 and not found & taken else None


def forward(apps, schema_editor):
    Split = apps.get_model("markets", "ProceedsSplit")
    Share = apps.get_model("markets", "HouseholdShare")
    Member = apps.get_model("households", "Member")
    for split in Split.objects.select_related("trade__listing").order_by("id"):
        if not split.households:
            continue
        county_id = split.trade.listing.county_id
        rows = []
        for position, item in enumerate(split.households or []):
            name, weight, fen = str(item[0]).strip(), int(item[1]), int(item[2])
            household_id = match(Member, county_id, name, {r.household_id for r in rows})
            rows.append(Share(split=split, position=position, household_id=household_id, weight=weight, fen=fen,
                              unmatched_name="" if household_id else (name[:50] or "?")))
        Share.objects.bulk_create(rows)


def backward(apps, schema_editor):
    Split = apps.get_model("markets", "ProceedsSplit")
    Share = apps.get_model("markets", "HouseholdShare")
    Member = apps.get_model("households", "Member")
    for split in Split.objects.all():
        out = []
        for share in Share.objects.filter(split=split).order_by("position"):
            name = share.unmatched_name
            if share.household_id:
                head = Member.objects.filter(household_id=share.household_id, relation="head").first()
                name = head.name if head else f"#{share.household_id}"
            out.append([name, share.weight, share.fen])
        if out:
            split.households = out
            split.save(update_fields=["households"])


class Migration(migrations.Migration):

    dependencies = [
        ('households', '0005_member_name_index'),
        ('markets', '0005_payouts_and_deal_payments'),
    ]

    operations = [
        migrations.CreateModel(
            name='HouseholdShare',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField(verbose_name='position')),
                ('unmatched_name', models.CharField(blank=True, default='', max_length=50, verbose_name='name recorded, not matched in the registry')),
                ('weight', models.BigIntegerField(verbose_name='weight')),
                ('fen', models.BigIntegerField(verbose_name='share (fen)')),
                ('household', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='land_shares', to='households.household', verbose_name='household')),
                ('split', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='shares', to='markets.proceedssplit')),
            ],
            options={
                'verbose_name': 'household share of land-quota proceeds',
                'ordering': ['split_id', 'position'],
                'constraints': [models.CheckConstraint(condition=models.Q(('weight__gt', 0), ('fen__gte', 0)), name='markets_share_pos'), models.CheckConstraint(condition=models.Q(('household__isnull', False), models.Q(('unmatched_name', ''), _negated=True), _connector='OR'), name='markets_share_named'), models.UniqueConstraint(condition=models.Q(('household__isnull', False)), fields=('split', 'household'), name='markets_share_once'), models.UniqueConstraint(fields=('split', 'position'), name='markets_share_position')],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
