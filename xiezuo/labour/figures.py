"""Figures of 劳务协作 for the dashboard (per office) and the weekly dispatch sheet.

- `office_figures(user)`: read from the summary table `totals` (kept by the writers): workers placed this year in what the user sees (a western office:
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

from . import totals
from .choices import MILESTONES
from .filtersets import missed_check_q, placements
from .models import Placement, RetentionCheck, add_months


def retention(qs, today: datetime.date, milestones=MILESTONES) -> dict:
    """{milestone: {"due", "checked", "employed", "rate"}} over the placements `qs`: due when
    the milestone's day has passed; the rate is employed / checked (None when none checked)."""
    out = {}
    for m in milestones:
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


def kept_retention(user, prefix: str, today: datetime.date) -> dict:
    """`retention()` of the placements the user sees, from the summary table for the months
    wholly before each milestone's last start day, and from the facts for the days of that
    month up to it (a few days of placements, through the (county, start) index)."""
    rows = totals.stored(prefix, totals.MEASURES)
    qs = visible(user, Placement.objects.all())
    out = {}
    for m in MILESTONES:
        last = add_months(today, -m)
        first = last.replace(day=1)
        kept = {"due": totals.PLACEMENTS, "checked": f"checked_{m}", "employed": f"employed_{m}"}
        sums = {k: sum(n for period, measure, n in rows if measure == what and period < first) for k, what in kept.items()}
        part = retention(qs.filter(start_date__gte=first), today, milestones=(m,))[m]
        agg = {k: sums[k] + part[k] for k in ("due", "checked", "employed")}
        agg["rate"] = round(100 * agg["employed"] / agg["checked"], 1) if agg["checked"] else None
        out[m] = agg
    return out


def office_figures(user, today: datetime.date | None = None) -> dict:
    """The dashboard's labour figures for the user's part of the tree: placed workers and
    retention from the summary table (`totals`), kept by the writers."""
    today = today or timezone.localdate()
    prefix = totals.prefix_of(user)
    qs = visible(user, Placement.objects.all())
    year = datetime.date(today.year, 1, 1)
    counts = {m: n for _p, m, n in totals.stored(prefix, (totals.PLACED, totals.PAIRED), since=year) if _p == year} \
        if prefix is not None else {}
    placed = counts.get(totals.PLACED, 0)
    commitment = committed(user, today.year)
    return {
        "year": today.year, "placed": placed, "committed": commitment,
        "percent": round(100 * placed / commitment, 1) if commitment else None,
        "paired_province": counts.get(totals.PAIRED, 0),
        "retention": kept_retention(user, prefix, today) if prefix is not None else retention(qs.none(), today),
        "missed_checks": qs.filter(missed_check_q(today)).count(),
    }


def office_figures_from_facts(user, today: datetime.date | None = None) -> dict:
    """The same figures counted from the placements and checks on every call (what the
    summary table must equal; the tests compare them)."""
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
