from django.db.models import Q

from xiezuo.core.scoping import visible
from xiezuo.regions.filtersets import in_subtree
from xiezuo.regions.matching import region_named

from ..choices import BlockStatus
from ..models import CarbonBlock, SinkProject, Subscription


def projects(user, *, q="", kind="", region="", **_ignored):
    qs = visible(user, SinkProject.objects.select_related("county", "owner"))
    if kind:
        qs = qs.filter(kind=kind)
    if region:
        region = region_named(region)
        qs = qs.filter(in_subtree(region, "county__code")) if region else qs.none()
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(methodology__icontains=q))
    return qs.order_by("code")


def subscriptions(user, **_ignored):
    return visible(user, Subscription.objects.select_related("project__county", "subscriber")).order_by("-signed_on", "-id")


def registry(*, serial="", status="", vintage=None, **_ignored):
    """The public registry: every live block (held or retired), or those holding the serial typed."""
    from .actions import find_serial

    qs = CarbonBlock.objects.exclude(status=BlockStatus.SPLIT).select_related("project__county", "holder")
    if serial:
        qs = find_serial(serial, qs)
    if status:
        qs = qs.filter(status=status)
    if vintage:
        qs = qs.filter(vintage=vintage)
    return qs.order_by("project__code", "first")
