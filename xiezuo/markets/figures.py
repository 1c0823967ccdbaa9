"""Figures and items of the markets for the lead to wire into the dashboard and the weekly sheet.

    office_figures(user)   per the user's part of the tree: quota sold (area, proceeds) and bought,
                           tonnes issued / subscribed / delivered / retired, deals and their returns
    weekly_items(user, today)  listings open for 90 days or more without a sale, and subscriptions
                           behind delivery (delivered less than the share of issuances due so far)
"""
import datetime

from django.db.models import Exists, F, OuterRef, Sum
from django.utils import timezone

from xiezuo.core.scoping import visible

from .carbon.actions import due_t
from .carbon.filtersets import projects, subscriptions
from .choices import ListingStatus, Movement
from .land.filtersets import trades
from .models import CarbonMove, DealReturn, QuotaListing, QuotaTrade
from .tech.filtersets import deals

UNSOLD_DAYS = 90


def office_figures(user) -> dict:
    t = trades(user).aggregate(fen=Sum("amount_fen"), u=Sum(F("end_u") - F("start_u")))
    moves = CarbonMove.objects.filter(block__project__in=projects(user).values("pk"))
    carbon = {kind: moves.filter(kind=kind).aggregate(s=Sum("units"))["s"] or 0
              for kind in (Movement.ISSUE, Movement.DELIVER, Movement.RETIRE)}
    my_deals = deals(user)
    ret = DealReturn.objects.filter(deal__in=my_deals.values("pk")).aggregate(r=Sum("revenue_fen"), c=Sum("cost_fen"))
    return {
        "quota_traded_u": t["u"] or 0, "quota_traded_fen": t["fen"] or 0,
        "tonnes_issued": carbon[Movement.ISSUE], "tonnes_delivered": carbon[Movement.DELIVER],
        "tonnes_retired": carbon[Movement.RETIRE],
        "tonnes_subscribed": subscriptions(user).aggregate(s=Sum("tonnes"))["s"] or 0,
        "deals": my_deals.count(), "deal_revenue_fen": ret["r"] or 0, "deal_cost_fen": ret["c"] or 0,
    }


def unsold_listings(user, today: datetime.date | None = None):
    """Listings of the user's part of the tree open for UNSOLD_DAYS or more with no trade at all."""
    today = today or timezone.localdate()
    return (visible(user, QuotaListing.objects.select_related("county"))
            .filter(status=ListingStatus.OPEN, listed_on__lte=today - datetime.timedelta(days=UNSOLD_DAYS))
            .exclude(Exists(QuotaTrade.objects.filter(listing=OuterRef("pk")))).order_by("listed_on"))


def behind_delivery(user) -> list:
    """[(subscription, due tonnes)] whose delivery is behind the share of issuances due."""
    out = []
    for s in subscriptions(user):
        due = due_t(s)
        if s.delivered_t < due:
            out.append((s, due))
    return out


def weekly_items(user, today: datetime.date | None = None) -> dict:
    return {"unsold_listings": list(unsold_listings(user, today)), "subscriptions_behind": behind_delivery(user)}
