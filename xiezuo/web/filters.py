"""The lists behind the pages and their Excel exports: one function per list.

Each takes the user and the cleaned filter values and returns a queryset that has already
passed the scoping rule, so a page and its export can never disagree about what a user
sees.
"""
import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from xiezuo.core.models import AuditEntry
from xiezuo.core.scoping import audit_visible, visible
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Agreement, Pairing, in_force_q
from xiezuo.regions.models import Region


def current_q(today: datetime.date | None = None, prefix: str = "") -> Q:
    """Pairings in force on `today` (default: today in Beijing)."""
    return in_force_q(today or timezone.localdate(), prefix)


# --- regions -------------------------------------------------------------------------


def visible_regions(user):
    return visible(user, Region.objects.all())


def with_children_flag(user, qs):
    """Annotate `has_children`: does the region have children this user may see?"""
    return qs.annotate(has_children=Exists(visible(user, Region.objects.filter(parent=OuterRef("pk")))))


def region_roots(user):
    """The top of the tree as this user sees it: visible regions whose parent is not visible."""
    regions = visible_regions(user)
    return with_children_flag(user, regions.exclude(parent__in=visible_regions(user)))


def region_children(user, region):
    return with_children_flag(user, visible(user, region.children.all()))


def regions(user, *, q="", level="", **_):
    qs = visible_regions(user).select_related("parent")
    q = (q or "").strip()
    if q:
        qs = qs.filter(code__startswith=q) if q.isdigit() else qs.filter(Q(name__icontains=q) | Q(full_name__icontains=q))
    if level:
        qs = qs.filter(level=level)
    return qs.order_by("code")


def suggest_regions(user, q: str, role: str = "", limit: int = 20):
    """Region choices for a code field: by code prefix or name."""
    q = (q or "").strip()
    if not q:
        return Region.objects.none()
    qs = visible_regions(user)
    qs = qs.filter(code__startswith=q) if q.isdigit() else qs.filter(name__icontains=q)
    if role:
        qs = qs.filter(role=role)
    return qs.order_by("level", "code")[:limit]


# --- pairings ------------------------------------------------------------------------


def pairings(user, *, kind="", current="", q="", region=None, **_):
    qs = visible(user, Pairing.objects.all()).select_related("east_region", "west_region", "east_org", "west_org")
    if kind:
        qs = qs.filter(kind=kind)
    if current == "yes":
        qs = qs.filter(current_q())
    elif current == "no":
        qs = qs.exclude(current_q())
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(east_region__name__icontains=q) | Q(west_region__name__icontains=q)
            | Q(west_village__icontains=q) | Q(east_org__name__icontains=q) | Q(west_org__name__icontains=q)
            | Q(east_region__code=q) | Q(west_region__code=q)
        )
    if region is not None:
        qs = qs.filter(Q(east_region=region) | Q(west_region=region))
    return qs


def pairings_touching(user, region):
    return pairings(user, region=region).order_by("kind", "-valid_from")


# --- agreements ----------------------------------------------------------------------


def agreements(user, *, year=None, kind="", q="", pairing=None, **_):
    qs = visible(user, Agreement.objects.all()).select_related("pairing__east_region", "pairing__west_region")
    if year:
        qs = qs.filter(year=year)
    if kind:
        qs = qs.filter(pairing__kind=kind)
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(pairing__name__icontains=q) | Q(pairing__east_region__name__icontains=q)
            | Q(pairing__west_region__name__icontains=q) | Q(note__icontains=q) | Q(pairing__west_village__icontains=q)
        )
    if pairing is not None:
        qs = qs.filter(pairing=pairing)
    return qs.order_by("-year", "pairing__kind", "pairing__east_region__code", "pairing__west_region__code", "id")


def agreement_years(user):
    return list(visible(user, Agreement.objects.all()).order_by("-year").values_list("year", flat=True).distinct())


# --- organisations -------------------------------------------------------------------


def organisations(user, *, kind="", q="", region=None, **_):
    qs = visible(user, Organisation.objects.all()).select_related("region")
    if kind:
        qs = qs.filter(kind=kind)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(credit_code__iexact=q) | Q(region__name__icontains=q) | Q(region__code=q))
    if region is not None:
        qs = qs.filter(region=region)
    return qs.order_by("region__code", "name")


# --- audit log -----------------------------------------------------------------------


def audit_entries(user, *, object_type="", username="", action="", date_from=None, date_to=None, request_id="", **_):
    qs = audit_visible(user, AuditEntry.objects.all())
    if object_type:
        qs = qs.filter(object_type=object_type)
    if username:
        qs = qs.filter(username__iexact=username.strip())
    if action:
        qs = qs.filter(action=action)
    if date_from:
        qs = qs.filter(time__date__gte=date_from)
    if date_to:
        qs = qs.filter(time__date__lte=date_to)
    if request_id:
        qs = qs.filter(request_id=request_id.strip())
    return qs.order_by("-time", "-id")


def audit_object_types(user):
    return list(audit_visible(user, AuditEntry.objects.all()).order_by("object_type").values_list("object_type", flat=True).distinct())
