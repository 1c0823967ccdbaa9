"""Figures of consumption help for an office (the dashboard's and the purchase page's):
purchases by channel and by month in a year, the counted ones against the consumption
commitments of the office's own agreements.

Which commitments: those of the agreements of the year whose pairing has the office's own
region on one side (a province office: its province pairings; a county: its county pairing;
the national coordinator and auditors: every province pairing). A commitment covers the
purchases by buyers in the eastern region's subtree of products of the western region's
subtree (nested pairings below it count towards it too), so lower pairings are not added on
top of the one that contains them."""
import datetime

from django.db.models import Q, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from xiezuo.core.scoping import scope_for
from xiezuo.pairings.models import Agreement
from xiezuo.users.scopes import organisation_of

from .choices import Channel
from .filtersets import purchases
from .models import Purchase, counted_q


def own_agreements(user, year: int):
    scope = scope_for(user)
    qs = Agreement.objects.filter(year=year, pairing__status="approved").select_related("pairing__east_region", "pairing__west_region")
    if not scope.active:
        return qs.none()
    if scope.everything:
        return qs.filter(pairing__kind="province")
    org = organisation_of(user)
    if org is None:
        return qs.none()
    region = org.region
    return qs.filter(pairing__kind__in=("province", "prefecture", "county")).filter(
        Q(pairing__east_region=region) | Q(pairing__west_region=region))


def counted_for(agreement, upto: datetime.date | None = None) -> int:
    """The counted purchases against one agreement: buyers in its eastern subtree, products of
    its western subtree, in its year (up to `upto`)."""
    pairing, year = agreement.pairing, agreement.year
    end = datetime.date(year, 12, 31) if upto is None else min(upto, datetime.date(year, 12, 31))
    qs = Purchase.objects.filter(counted_q(), buyer_region__code__startswith=pairing.east_region.prefix,
                                 county__code__startswith=pairing.west_region.prefix,
                                 purchased_on__gte=datetime.date(year, 1, 1), purchased_on__lte=end)
    return qs.aggregate(s=Sum("amount_fen"))["s"] or 0


def counted_by_agreement(agreements) -> dict:
    """{agreement id: counted purchases against it}, from one grouped query per year: the
    counted purchases summed by (buyer's region, county), then each agreement takes the
    groups inside its two subtrees."""
    from xiezuo.regions.models import Region

    out, by_year = {}, {}
    for a in agreements:
        by_year.setdefault(a.year, []).append(a)
    for year, items in by_year.items():
        groups = (Purchase.objects.filter(counted_q(), purchased_on__gte=datetime.date(year, 1, 1), purchased_on__lte=datetime.date(year, 12, 31))
                  .order_by().values("buyer_region_id", "county_id").annotate(s=Sum("amount_fen")))
        groups = [(g["buyer_region_id"], g["county_id"], g["s"] or 0) for g in groups]
        codes = dict(Region.objects.filter(pk__in={b for b, _c, _s in groups} | {c for _b, c, _s in groups}).values_list("pk", "code"))
        for a in items:
            east, west = a.pairing.east_region.prefix, a.pairing.west_region.prefix
            out[a.pk] = sum(s for b, c, s in groups if codes[b].startswith(east) and codes[c].startswith(west))
    return out


def channel_figures(user, year: int | None = None) -> dict:
    year = year or timezone.localdate().year
    qs = purchases(user, year=year).order_by()
    by_channel = dict(qs.values_list("channel").annotate(s=Sum("amount_fen")).values_list("channel", "s"))
    month_rows = qs.annotate(m=ExtractMonth("purchased_on")).values("m").annotate(
        recorded=Sum("amount_fen"), counted=Sum("amount_fen", filter=counted_q()))
    months = {r["m"]: (r["recorded"] or 0, r["counted"] or 0) for r in month_rows}
    agreements = list(own_agreements(user, year))
    committed = sum(a.consumption_fen for a in agreements)
    per_agreement = counted_by_agreement(agreements)
    against = sum(per_agreement.values())
    recorded = sum(by_channel.values())
    counted = sum(c for _r, c in months.values())
    return {
        "year": year,
        "by_channel": [(c.value, c.label, by_channel.get(c.value, 0) or 0) for c in Channel],
        "by_month": [(m, *months.get(m, (0, 0))) for m in range(1, 13)],
        "recorded_fen": recorded,
        "counted_fen": counted,
        "committed_fen": committed,
        "counted_against_fen": against,
        "percent": round(100 * against / committed, 1) if committed else None,
        "agreements": [(a, per_agreement[a.pk]) for a in agreements],
    }
