"""The lists of consumption help, once: each page, API list and Excel export asks these
functions, which start from the scoping rule.

* products: the western county's own, and its paired eastern offices';
* purchases: the western county sees the purchases of its products, an eastern office the
  purchases of its buyers (not the purchases other provinces made of the same products);
* buyers and canteen shares: the office of the buyer's region (and, for buyers, the paired side).
"""
import datetime

from django.db.models import Count, DateField, Exists, ExpressionWrapper, F, OuterRef, Q, Sum, Value
from django.utils import timezone

from xiezuo.core.arrays import is_postgres
from xiezuo.core.scoping import scope_for, visible, visible_by_columns
from xiezuo.regions.filtersets import in_subtree
from xiezuo.regions.matching import region_named

from .choices import CertStatus
from .models import Buyer, CanteenShare, Certificate, Product, Purchase, counted_q, in_force_q


def _region(value):
    if not value:
        return None
    return value if hasattr(value, "code") else region_named(value)


def certified_now(day=None):
    day = day or timezone.localdate()
    return Exists(Certificate.objects.filter(in_force_q(day), product=OuterRef("pk")))


def products(user, *, q="", region="", certified="", supplier=None, **_ignored):
    """`certified`: "yes" (a certificate in force today), "no", or "applied" (waiting for a decision)."""
    qs = visible(user, Product.objects.select_related("supplier", "county")).annotate(certified=certified_now())
    if region:
        r = _region(region)
        qs = qs.filter(in_subtree(r, "county__code")) if r else qs.none()
    if certified == "yes":
        qs = qs.filter(certified=True)
    elif certified == "no":
        qs = qs.filter(certified=False)
    elif certified == "applied":
        qs = qs.filter(Exists(Certificate.objects.filter(product=OuterRef("pk"), status=CertStatus.APPLIED)))
    if supplier is not None:
        qs = qs.filter(supplier=supplier)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(supplier__name__icontains=q) | Q(category__icontains=q))
    return qs.order_by("county__code", "name", "id")


def purchases(user, *, q="", channel="", region="", buyer_kind="", counted="", date_from=None, date_to=None, product=None, buyer=None,
              year=None, **_ignored):
    """`region` (a Region or a code or name typed): the product's county or the buyer's region
    in its subtree; `counted` "yes" / "no": the product's certificate in force on the day."""
    qs = visible_by_columns(user, Purchase.objects.select_related("buyer", "product", "supplier", "county", "buyer_region"))
    if channel:
        qs = qs.filter(channel=channel)
    if region:
        r = _region(region)
        qs = qs.filter(in_subtree(r, "county__code", "buyer_region__code")) if r else qs.none()
    if buyer_kind:
        qs = qs.filter(buyer__kind=buyer_kind)
    if counted == "yes":
        qs = qs.filter(counted_q())
    elif counted == "no":
        qs = qs.exclude(counted_q())
    if year:
        qs = qs.filter(purchased_on__gte=datetime.date(int(year), 1, 1), purchased_on__lte=datetime.date(int(year), 12, 31))
    if date_from:
        qs = qs.filter(purchased_on__gte=date_from)
    if date_to:
        qs = qs.filter(purchased_on__lte=date_to)
    # a product's and a buyer's purchases through its county and region (no index of their own)
    if product is not None:
        qs = qs.filter(product=product, county_id=product.county_id) if hasattr(product, "county_id") else qs.filter(product=product)
    if buyer is not None:
        qs = qs.filter(buyer=buyer, buyer_region_id=buyer.region_id) if hasattr(buyer, "region_id") else qs.filter(buyer=buyer)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(evidence_number=q) | Q(product__name__icontains=q) | Q(buyer__name__icontains=q)
                       | Q(supplier__name__icontains=q))
    return newest_first(user, qs)


def newest_first(user, qs):
    """The list's order (newest first, then by id). A county office sees a few thousand of
    millions of purchases: walking the index on the order (`consumption_purchase_order`) and
    testing each purchase against the scope would pass tens of thousands of others' before the
    first page is full, so on PostgreSQL its order is written as an expression that index does
    not serve (the same order: `purchased_on + 0` is the date): its purchases are found through
    the indexes on their county and buyer's region, and sorted."""
    scope = scope_for(user)
    if is_postgres() and not scope.everything and scope.own is not None and len(scope.own) >= 6:
        day = ExpressionWrapper(F("purchased_on") + Value(0), output_field=DateField())
        return qs.order_by(day.desc(), F("id").desc())
    return qs.order_by("-purchased_on", "-id")


def totals(qs) -> dict:
    """The recorded and the counted amounts of a purchase list, and its length."""
    row = qs.order_by().aggregate(recorded=Sum("amount_fen"), counted=Sum("amount_fen", filter=counted_q()), n=Count("id"))
    return {"recorded": row["recorded"] or 0, "counted": row["counted"] or 0, "n": row["n"]}


def buyers(user, *, q="", kind="", region="", **_ignored):
    qs = visible(user, Buyer.objects.select_related("region", "organisation"))
    if kind:
        qs = qs.filter(kind=kind)
    if region:
        r = _region(region)
        qs = qs.filter(in_subtree(r, "region__code")) if r else qs.none()
    q = (q or "").strip()
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("region__code", "name", "id")


def canteen_shares(user, *, year=None, **_ignored):
    """Each budget unit's filed share with what it bought (counted) in the year."""
    qs = visible(user, CanteenShare.objects.select_related("buyer__region"))
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "buyer__name")


def share_progress(shares) -> list[tuple]:
    """[(share, counted purchases of the year in fen, percent of the reserved amount)]."""
    shares = list(shares)
    out = []
    for s in shares:
        bought = Purchase.objects.filter(counted_q(), buyer_id=s.buyer_id, buyer_region_id=s.buyer.region_id,
                                         purchased_on__year=s.year).aggregate(t=Sum("amount_fen"))["t"] or 0
        reserved = s.reserved_fen
        out.append((s, bought, round(100 * bought / reserved, 1) if reserved else None))
    return out
