"""Figures of 劳务协作 for the dashboard (per office) and the weekly dispatch sheet.

- `office_figures(user)`: workers placed this year in what the user sees (a western office:
  its workers; an eastern office: the placements in its area) against the labour placements
  committed in this year's agreements of the user's own region (either side of the pairing),
  and the retention rate at 3, 6 and 12 months.
- `missed_checks(user)`: the placements past a missed retention check (the weekly sheet's
  list): a check due more than `filtersets.GRACE_DAYS` days ago and not recorded, the
  placement not ended before it was due.
"""
import datetime

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from xiezuo.core.scoping import scope_for, visible
from xiezuo.pairings.models import Agreement

from .choices import MILESTONES
from .filtersets import missed_check_q, placements
from .models import Placement, RetentionCheck, add_months


def retention(qs, today: datetime.date) -> dict:
    """{milestone: {"due", "checked", "employed", "rate"}} over the placements `qs`: due when
    the milestone's day has passed; the rate is employed / checked (None when none checked)."""
    out = {}
    for m in MILESTONES:
        due = qs.filter(start_date__lte=add_months(today, -m))
        agg = due.aggregate(
            due=Count("id"),
            checked=Count("id", filter=Q(Exists(RetentionCheck.objects.filter(placement=OuterRef("pk"), milestone=m)))),
            employed=Count("id", filter=Q(Exists(RetentionCheck.objects.filter(placement=OuterRef("pk"), milestone=m,
                                                                                employed=True)))))
        agg["rate"] = round(100 * agg["employed"] / agg["checked"], 1) if agg["checked"] else None
        out[m] = agg
    return out


def committed(user, year: int) -> int:
    scope = scope_for(user)
    qs = Agreement.objects.filter(year=year)
    if not scope.everything:
        if scope.own is None:
            return 0
        qs = qs.filter(Q(pairing__west_region__code=scope.own.ljust(6, "0")) | Q(pairing__east_region__code=scope.own.ljust(6, "0")))
    return qs.aggregate(n=Sum("labour_placements"))["n"] or 0


def office_figures(user, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    qs = visible(user, Placement.objects.all())
    this_year = qs.filter(start_date__gte=datetime.date(today.year, 1, 1), start_date__lte=today)
    placed = this_year.aggregate(n=Count("worker_id", distinct=True))["n"]
    commitment = committed(user, today.year)
    return {
        "year": today.year, "placed": placed, "committed": commitment,
        "percent": round(100 * placed / commitment, 1) if commitment else None,
        "paired_province": this_year.filter(in_paired_province=True).aggregate(n=Count("worker_id", distinct=True))["n"],
        "retention": retention(qs, today),
        "missed_checks": qs.filter(missed_check_q(today)).count(),
    }


def missed_checks(user, today: datetime.date | None = None):
    """The placements past a missed retention check, oldest first (a queryset: the sheet
    counts it or lists its first rows)."""
    return placements(user, missed_check=True).order_by("start_date", "id")
