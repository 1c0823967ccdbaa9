from django.db.models import Q

from xiezuo.core.scoping import scope_for, visible

from ..models import TechDeal, TechNeed, Technology


def technologies(user, *, q="", ipc="", kind="", **_ignored):
    """The catalogue is a market: every active user sees every technology offered."""
    if not scope_for(user).active:
        return Technology.objects.none()
    qs = Technology.objects.select_related("owner__region")
    if kind:
        qs = qs.filter(kind=kind)
    if ipc:
        qs = qs.filter(ipc__istartswith=ipc.strip())
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(title__icontains=q) | Q(owner__name__icontains=q))
    return qs.order_by("-listed_on", "-id")


def needs(user, *, q="", **_ignored):
    if not scope_for(user).active:
        return TechNeed.objects.none()
    qs = TechNeed.objects.select_related("county", "requester")
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(problem__icontains=q) | Q(sector__icontains=q))
    return qs.order_by("-posted_on", "-id")


def deals(user, **_ignored):
    return visible(user, TechDeal.objects.select_related("technology__owner", "licensee", "county")).order_by("-signed_on", "-id")
