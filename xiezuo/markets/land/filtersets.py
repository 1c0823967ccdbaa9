"""The land exchange's lists, once for the page, the API and the Excel export."""
from django.db.models import Q

from xiezuo.core.scoping import scope_for, visible
from xiezuo.regions.filtersets import in_subtree
from xiezuo.regions.matching import region_named

from ..choices import ListingStatus
from ..models import QuotaListing, QuotaTrade


def listings(user, *, q="", land_class="", status="", region="", **_ignored):
    """A user sees the listings of their part of the tree, and every listing open for sale
    (the exchange is a market: an eastern buyer must see what it may buy)."""
    if not scope_for(user).active:
        return QuotaListing.objects.none()
    mine = visible(user, QuotaListing.objects.all()).values("pk")
    qs = QuotaListing.objects.filter(Q(pk__in=mine) | Q(status__in=[ListingStatus.OPEN, ListingStatus.AUCTION])).select_related(
        "county", "seller")
    if land_class:
        qs = qs.filter(land_class=land_class)
    if status:
        qs = qs.filter(status=status)
    if region:
        region = region_named(region)
        qs = qs.filter(in_subtree(region, "county__code")) if region else qs.none()
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(source_project__icontains=q) | Q(approval_doc__icontains=q))
    return qs.order_by("-listed_on", "-id")


def trades(user, *, q="", land_class="", method="", region="", buyer=None, **_ignored):
    """Trades the user's part of the tree sold or bought."""
    qs = visible(user, QuotaTrade.objects.select_related("listing__county", "buyer__region"))
    if land_class:
        qs = qs.filter(listing__land_class=land_class)
    if method:
        qs = qs.filter(method=method)
    if buyer is not None:
        qs = qs.filter(buyer=buyer)
    if region:
        region = region_named(region)
        qs = qs.filter(in_subtree(region, "listing__county__code", "buyer__region__code")) if region else qs.none()
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(listing__code__icontains=q) | Q(buyer__name__icontains=q))
    return qs.order_by("-traded_on", "-id")


def public_trades(*, land_class="", province="", **_ignored):
    """Every trade, for the public list: area, class, price and the parties' regions (no names of people)."""
    qs = QuotaTrade.objects.select_related("listing__county", "buyer__region")
    if land_class:
        qs = qs.filter(listing__land_class=land_class)
    if province:
        qs = qs.filter(Q(listing__county__province_code=province) | Q(buyer__region__province_code=province))
    return qs.order_by("-traded_on", "-id")
