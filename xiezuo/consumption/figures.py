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
from django.utils import timezone

from xiezuo.core.scoping import scope_for
from xiezuo.pairings.models import Agreement
from xiezuo.users.scopes import organisation_of

from .choices import Channel
from .models import Purchase, counted_q
from .totals import by_month_and_channel, counted_between


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
    """{agreement id: counted purchases against it}, from the summary table (`totals`): the
    counted fen of the year by buyers in the eastern subtree of products of the western one."""
    out, by_year = {}, {}
    for a in agreements:
        by_year.setdefault(a.year, []).append(a)
    for year, items in by_year.items():
        sums = counted_between(year, {(a.pairing.east_region.prefix, a.pairing.west_region.prefix) for a in items})
        for a in items:
            out[a.pk] = sums[(a.pairing.east_region.prefix, a.pairing.west_region.prefix)]
    return out


def channel_figures(user, year: int | None = None) -> dict:
    """The purchases the user sees in the year by channel and by month (recorded, counted), and
    the counted ones against the office's own agreements, from the summary table (`totals`)."""
    year = year or timezone.localdate().year
    by_channel, months = {}, {}
    for month, channel, counted, fen in by_month_and_channel(user, year):
        by_channel[channel] = by_channel.get(channel, 0) + fen
        recorded, counted_fen = months.get(month, (0, 0))
        months[month] = (recorded + fen, counted_fen + (fen if counted else 0))
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
