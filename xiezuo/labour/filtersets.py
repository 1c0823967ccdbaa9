"""The lists of 劳务协作, once each: the pages, the API list endpoints and the Excel exports
all call these `(user, **filters) → scoped queryset` functions."""
import datetime

from django.db.models import DateField, Exists, F, OuterRef, Q, Value
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from xiezuo.core.scoping import visible, visible_by_columns
from xiezuo.regions.filtersets import in_subtree
from xiezuo.regions.matching import region_named

from .choices import MILESTONES, SKILL_BIT
from .models import Job, Placement, RetentionCheck, SubsidyPayment, Training, Worker, add_months

GRACE_DAYS = 15  # a retention check is missed this many days after its due day


def workers(user, *, q="", region="", household_status="", skill="", merged=False, duplicates_only=False, **_ignored):
    qs = visible(user, Worker.objects.select_related("county").defer("id_number", "phone"))  # lists show the masked columns
    if not merged:
        qs = qs.filter(merged_into__isnull=True)
    if region:
        region = region_named(region)
        qs = qs.filter(in_subtree(region, "county__code")) if region else qs.none()
    if household_status:
        qs = qs.filter(household_status=household_status)
    if skill in SKILL_BIT:
        qs = qs.annotate(_s=F("skills").bitand(SKILL_BIT[skill])).filter(_s__gt=0)
    q = (q or "").strip()
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("county__code", "name", "id")


def jobs(user, *, q="", province="", skill="", status="open", housing=None, employer=None, **_ignored):
    qs = Job.objects.visible_to(user).select_related("employer__region", "place")
    if status:
        qs = qs.filter(status=status)
    if province:
        qs = qs.filter(province_code=str(province)[:2])
    if skill in SKILL_BIT:
        qs = qs.annotate(_s=F("skills").bitand(SKILL_BIT[skill])).filter(_s__gt=0)
    if housing:
        qs = qs.filter(housing=True)
    if employer is not None:
        qs = qs.filter(employer=employer)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(employer__name__icontains=q))
    return qs.order_by("-posted_on", "id")


def trainings(user, *, q="", region="", **_ignored):
    qs = visible(user, Training.objects.select_related("county", "employer__region"))
    if region:
        region = region_named(region)
        qs = qs.filter(in_subtree(region, "county__code", "employer__region__code")) if region else qs.none()
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(course__icontains=q) | Q(employer__name__icontains=q))
    return qs.order_by("-starts_on", "id")


def missed_check_q(today: datetime.date) -> Q:
    """Placements past a retention check not recorded, as of today: the earliest milestone
    still owed (`Placement.next_check_due`) was due GRACE_DAYS days ago or more."""
    return Q(next_check_due__lte=today - datetime.timedelta(days=GRACE_DAYS))


def missed_checks(in_scope: Q, as_of: datetime.date, *, counties: str | None = None):
    """The placements (matching `in_scope`) past a missed retention check as of `as_of`: a
    milestone m due GRACE_DAYS or more before `as_of` (start + m months), which the
    placement had not ended before, with no check m recorded by `as_of`.

    From today on, the stored day of the next check owed answers it (`due`: one indexed
    range; no check is dated after today, so "recorded by `as_of`" is "recorded"). For a
    past day the checks recorded since did not exist then: asked of the facts, one anti-join
    per milestone, their ids united (an OR of the three NOT EXISTS would be tested row by
    row; each arm alone is a hash anti-join, with the scope inside it).

    `counties`, the region code prefix ("" the country) that `in_scope` stands for, lets the
    stored path name the counties' ids: the planner then reads each county's range of the
    (county, next check day) index, where it estimates a sub-select of region ids too small
    and scans every placement of the country (province 52 of 4.6M placements: 0.9 s -> 0.1 s).
    """
    if as_of >= timezone.localdate():
        if counties is not None:
            from xiezuo.regions.models import Region

            ids = list(Region.objects.filter(code__startswith=counties).values_list("id", flat=True)) if counties else None
            return Placement.objects.filter(Q(county_id__in=ids) if counties else Q()).filter(missed_check_q(as_of))
        return Placement.objects.filter(in_scope).filter(missed_check_q(as_of))
    parts = [Placement.objects.order_by().filter(in_scope).filter(_missed_by(m, as_of)).values("pk") for m in MILESTONES]
    return Placement.objects.filter(in_scope).filter(pk__in=parts[0].union(*parts[1:]))


def missed_check_counts(as_of: datetime.date, width: int, prefix: str = "", *, today: datetime.date | None = None) -> dict:
    """{region code prefix of `width` (the placement's registering county): n} of the
    placements past a missed check as of `as_of`, within `prefix` ("" the country) — the
    weekly sheet's grouping of `missed_checks`, exact.

    From today on: the months wholly before the cut-off day's month summed from the per-month
    counts (`duecounts`: some thousands of rows instead of the 750k placements they count),
    plus the cut-off month itself counted from the placements (one month of the next check day
    index): the stored days describe the present only. A past day (before the local date, or
    before the sheet's `today`) asks the facts (`missed_checks`), grouped."""
    from django.db.models import Count
    from django.db.models.functions import Substr

    from . import duecounts

    width = int(width)
    if as_of < max(today or timezone.localdate(), timezone.localdate()):
        scope = Q(county__code__startswith=prefix) if prefix else Q()
        rows = (missed_checks(scope, as_of).order_by().annotate(g=Substr("county__code", 1, width))
                .values("g").annotate(n=Count("pk")).values_list("g", "n"))
        return {g: n for g, n in rows if n}
    cutoff = as_of - datetime.timedelta(days=GRACE_DAYS)
    month = cutoff.replace(day=1)
    out = duecounts.summed_before(month, width, prefix)
    out.update(duecounts.counted_between(month, cutoff, width, prefix))
    return {g: n for g, n in out.items() if n}


def _missed_by(m: int, as_of: datetime.date) -> Q:
    """Q: check m was due GRACE_DAYS or more before `as_of`, the placement had not ended
    before it was due, and no check m was recorded by `as_of`. The start is bounded first
    (an indexed range: every start of the month whose m-th month holds the cut-off day),
    then the due day compared exactly (a start on the 31st is due on the last of a shorter
    month)."""
    from .due import AddMonths

    cutoff = as_of - datetime.timedelta(days=GRACE_DAYS)
    month = add_months(cutoff.replace(day=1), -m)
    last_start = add_months(month, 1) - datetime.timedelta(days=1)
    done = RetentionCheck.objects.filter(placement=OuterRef("pk"), milestone=m, checked_on__lte=as_of)
    day = AddMonths(F("start_date"), m)
    return (Q(start_date__lte=last_start) & Q(LessThanOrEqual(day, Value(cutoff, output_field=DateField())))
            & (Q(end_date__isnull=True) | Q(end_date__gte=day)) & ~Exists(done))


def placements(user, *, q="", region="", county="", place_kind="", paired=None, year=None, missed_check=False,
               worker=None, **_ignored):
    qs = visible_by_columns(user, Placement.objects.select_related("worker", "county", "place", "employer"))
    if region:
        region = region_named(region)
        qs = qs.filter(in_subtree(region, "county__code", "place__code")) if region else qs.none()
    if county:
        county = region_named(county)
        qs = qs.filter(in_subtree(county, "county__code")) if county else qs.none()
    if place_kind:
        qs = qs.filter(place_kind=place_kind)
    if paired:
        qs = qs.filter(in_paired_province=True)
    if year:
        qs = qs.filter(start_date__year=int(year))
    if worker is not None:
        qs = qs.filter(worker=worker)
    if missed_check:
        qs = qs.filter(missed_check_q(timezone.localdate()))
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(worker__name__icontains=q) | Q(employer__name__icontains=q))
    return qs.order_by("-start_date", "id")


def checks(user, *, region="", milestone=None, employed="", **_ignored):
    qs = visible(user, RetentionCheck.objects.select_related("placement__worker", "placement__county", "placement__place",
                                                             "placement__employer"))
    if region:
        region = region_named(region)
        qs = qs.filter(in_subtree(region, "placement__county__code", "placement__place__code")) if region else qs.none()
    if milestone:
        qs = qs.filter(milestone=int(milestone))
    if employed in ("yes", "no"):
        qs = qs.filter(employed=employed == "yes")
    # the latest recorded first: a page of ten million checks by the primary key, where the day
    # checked would need an index that every batch of checks pays for
    return qs.order_by("-id")


def payments(user, *, q="", region="", kind="", year=None, **_ignored):
    """Subsidy payments the user sees (the placement's county or place of work in the user's
    subtree, as `SubsidyPayment.scope_paths` say); the worker is shown by the stored masked
    number only (the encrypted columns are not read)."""
    qs = visible(user, SubsidyPayment.objects.select_related("worker", "placement__county", "placement__place",
                                                             "placement__employer", "project").defer("worker__id_number", "worker__phone"))
    if region:
        region = region_named(region)
        qs = qs.filter(in_subtree(region, "placement__county__code", "placement__place__code")) if region else qs.none()
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(year=int(year))
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(worker__name__icontains=q) | Q(placement__employer__name__icontains=q))
    return qs.order_by("-paid_on", "id")
