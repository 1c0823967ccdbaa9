"""The pairing and agreement lists as one user sees them: each page, its Excel export and
the API's list call the same function here, so they cannot disagree about what a filter
keeps. A region filter (`region`, `east`, `west`: Regions) keeps its subtree; `region`
means either side."""
import datetime

from django.db.models import Case, Q, Value, When
from django.utils import timezone

from xiezuo.regions.filtersets import in_subtree

from .models import Agreement, Pairing, in_force_q


def pairings(user, *, kind="", status="", current=None, on: datetime.date | None = None, q="", region=None, east=None, west=None,
             organisation=None, **_):
    """`current`: True keeps the pairings in force on `on` (default today), False the others.
    `q` matches the name, either region's name or exact code, the village and either
    organisation's name; `organisation` keeps the pairings it is a side of."""
    qs = Pairing.objects.visible_to(user).select_related("east_region", "west_region", "east_org", "west_org")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if current is not None:
        day = on or timezone.localdate()
        qs = qs.in_force(day) if current else qs.exclude(in_force_q(day))
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(east_region__name__icontains=q) | Q(west_region__name__icontains=q)
            | Q(west_village__icontains=q) | Q(east_org__name__icontains=q) | Q(west_org__name__icontains=q)
            | Q(east_region__code=q) | Q(west_region__code=q)
        )
    if region is not None:
        qs = qs.filter(in_subtree(region, "east_region__code", "west_region__code"))
    if east is not None:
        qs = qs.filter(in_subtree(east, "east_region__code"))
    if west is not None:
        qs = qs.filter(in_subtree(west, "west_region__code"))
    if organisation is not None:
        qs = qs.filter(Q(east_org=organisation) | Q(west_org=organisation))
    return qs.order_by("kind", "east_region__code", "west_region__code", "id")


def agreements(user, *, year=None, kind="", q="", pairing=None, region=None, **_):
    """`pairing` is a Pairing or its id; `kind` the pairing's kind; `q` matches the
    pairing's name, either region's name, the village or the note."""
    qs = Agreement.objects.visible_to(user).select_related("pairing__east_region", "pairing__west_region")
    if year is not None:
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
    if region is not None:
        qs = qs.filter(in_subtree(region, "pairing__east_region__code", "pairing__west_region__code"))
    return qs.order_by("-year", "pairing__kind", "pairing__east_region__code", "pairing__west_region__code", "id")


def agreement_years(user):
    return list(Agreement.objects.visible_to(user).order_by("-year").values_list("year", flat=True).distinct())


def touching(user, region):
    """The pairings in the region's subtree, those of the region itself first (a province
    page opens with its province pairings, then its cities' and counties')."""
    itself = Case(When(Q(east_region=region) | Q(west_region=region), then=Value(0)), default=Value(1))
    return pairings(user, region=region).annotate(itself=itself).order_by("itself", "kind", "-valid_from", "id")
