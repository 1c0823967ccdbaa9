"""The project list, once: the page, the API's list endpoint and the Excel export all ask
`projects(user, **filters)`, which returns a queryset that has already passed the scoping
rule, so none of them can disagree about what a user sees or what a filter means."""
import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from xiezuo.core.scoping import visible
from xiezuo.pairings.models import Pairing
from xiezuo.regions.filtersets import in_subtree
from xiezuo.regions.matching import region_named

from .choices import Status
from .models import Milestone, Project

CLOSED = (Status.CANCELLED, Status.COMPLETED)


def late_q(today: datetime.date):
    """An open project with a milestone past its planned date and not reached."""
    return Exists(Milestone.objects.filter(project=OuterRef("pk"), planned_date__lt=today, actual_date__isnull=True)) & ~Q(
        status__in=CLOSED)


def projects(user, *, q="", category="", status="", region="", pairing=None, year=None, late=None, **_ignored):
    """`region` (a Region, or a code or name typed) means its whole subtree; `pairing` an id or a Pairing;
    `year` running in that year; `late` True for late projects only, False for the others."""
    qs = visible(user, Project.objects.select_related("county", "pairing__east_region", "pairing__west_region")).annotate(
        is_late=late_q(timezone.localdate()))
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    if region:
        region = region_named(region)
        qs = qs.filter(in_subtree(region, "county__code")) if region else qs.none()
    if pairing is not None:
        qs = qs.filter(pairing=pairing)
    if year:
        # Running in the year: started on or before its end, ends on or after its start.
        qs = qs.filter(planned_start__lte=datetime.date(year, 12, 31), planned_end__gte=datetime.date(year, 1, 1))
    if late is not None:
        qs = qs.filter(is_late=late)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__istartswith=q) | Q(county__name__icontains=q))
    return qs.order_by("-planned_start", "code")


def project_years(user) -> list[int]:
    first = visible(user, Project.objects.all()).order_by("planned_start").values_list("planned_start", flat=True).first()
    last = visible(user, Project.objects.all()).order_by("-planned_end").values_list("planned_end", flat=True).first()
    if not first:
        return []
    return list(range(last.year, first.year - 1, -1))


def visible_pairings(user):
    """The pairings a user may pick in a filter or a form (projects' and dispatches')."""
    return visible(user, Pairing.objects.approved().select_related("east_region", "west_region")).order_by(
        "kind", "east_region__code", "west_region__code")
