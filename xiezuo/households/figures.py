"""The registry's figures per county, township or village, as counts only (no person): for the
figures page, the dashboard and the weekly sheet (the lead wires those), and the indicator
system as facts.

`figures(user, level, prefix, day)` → rows of {unit, name, monitored by category and
status, identified and exited in the month of `day`, days from clue to decision, households
with each kind of help, open clues past their deadline, monitored households without help
in force on `day`}. "Without help" has one meaning here and on the weekly sheet
(`without_help_counts`): monitored (or exit under review), identified by the day, no help
measure running on it — not "never helped", which an official would compare with the sheet.
Counts are seen by every office over its own subtree and the regions paired with it
(`scope.q(..., include_partners=True)`): the eastern side sees its partners' counts, never
their rows.
"""
import datetime
import statistics
from collections import Counter

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from xiezuo.core.scoping import scope_for
from xiezuo.regions.models import Region

from .choices import CaseKind, Category, Decision, HelpKind, Status, Step
from .models import Case, HelpMeasure, Household, HouseholdFigure, Village
from .totals import ANY

LEVELS = {"county": 6, "township": 9, "village": 12}
CATEGORIES, STATUSES, HELP_KINDS = tuple(Category.values), tuple(Status.values), tuple(HelpKind.values)


def visible_counties(user):
    """The ids of the counties whose counts `user` may see (None: every county): its subtree
    and the regions paired with it, a few hundred ids at most, which the indexes serve."""
    scope = scope_for(user)
    if scope.everything:
        return None
    if not scope.active or scope.own is None:
        return []
    return list(Region.objects.filter(Q(code__startswith=scope.own) | Q(code__in=sorted(scope.partners)))
                .filter(level="county").values_list("id", flat=True))


def counts_scope(user):
    ids = visible_counties(user)
    return Household.objects.all() if ids is None else Household.objects.filter(county_id__in=ids)


def _through_household(qs, ids, prefix):
    if ids is not None:
        qs = qs.filter(household__county_id__in=ids)
    if prefix:
        qs = qs.filter(household__village_code__startswith=prefix)
    return qs


ACTIVE = (Status.IDENTIFYING, Status.MONITORED, Status.EXITING, Status.EXITED)


def _unit(level):
    return Substr("village_code", 1, LEVELS[level])


def figures(user, level: str = "county", prefix: str = "", day: datetime.date | None = None) -> list[dict]:
    day = day or timezone.localdate()
    month_start = day.replace(day=1)
    n = LEVELS[level]
    ids = visible_counties(user)
    hh = counts_scope(user)
    if prefix:
        hh = hh.filter(village_code__startswith=prefix)
    rows: dict = {}

    def row(unit):
        x = rows.get(unit)
        if x is None:  # built once per unit (a choices' `.values` costs microseconds, thousands of times)
            x = rows[unit] = {"unit": unit, "name": "", "monitored": 0, "by_category": dict.fromkeys(CATEGORIES, 0),
                              "by_status": dict.fromkeys(STATUSES, 0), "identified": 0, "exited": 0,
                              "days": [], "help": dict.fromkeys(HELP_KINDS, 0), "overdue": 0, "without_help": 0}
        return x

    kept = HouseholdFigure.objects.all() if ids is None else HouseholdFigure.objects.filter(county_id__in=ids)
    if prefix:
        kept = kept.filter(village_code__startswith=prefix)
    kept = kept.annotate(u=_unit(level)).order_by()
    for r in kept.filter(kind="").values("u", "status", "category", "helped").annotate(s=Sum("n")):
        x = row(r["u"])
        x["by_status"][r["status"]] += r["s"]
        if r["status"] in (Status.MONITORED, Status.EXITING):
            x["monitored"] += r["s"]
            if r["category"]:
                x["by_category"][r["category"]] += r["s"]
    for unit, count in without_help_counts(day, n, county_ids=ids, prefix=prefix).items():
        row(unit)["without_help"] = count
    for r in kept.exclude(kind__in=("", ANY)).filter(until__gte=day.isoformat()).values("u", "kind").annotate(s=Sum("n")):
        row(r["u"])["help"][r["kind"]] = r["s"]
    for r in (hh.filter(status__in=ACTIVE, identified_on__gte=month_start, identified_on__lte=day).annotate(u=_unit(level)).values("u")
              .annotate(n=Count("id")).order_by()):
        row(r["u"])["identified"] = r["n"]
    for r in (hh.filter(status=Status.EXITED, exited_on__gte=month_start, exited_on__lte=day).annotate(u=_unit(level)).values("u")
              .annotate(n=Count("id")).order_by()):
        row(r["u"])["exited"] = r["n"]
    cases = _through_household(Case.objects.all(), ids, prefix)
    for u, clue, decided in (cases.filter(decided_on__gte=month_start, decided_on__lte=day, kind=CaseKind.IDENTIFY)
                             .exclude(decision="").annotate(u=Substr("household__village_code", 1, n))
                             .values_list("u", "clue_on", "decided_on")):
        row(u)["days"].append((decided - clue).days)
    for r in (cases.exclude(step=Step.CLOSED).filter(step_due__lt=day).annotate(u=Substr("household__village_code", 1, n))
              .values("u").annotate(n=Count("id")).order_by()):
        row(r["u"])["overdue"] = r["n"]
    _name(rows, level)
    out = []
    for unit in sorted(rows):
        x = rows[unit]
        days = x.pop("days")
        x["decided"] = len(days)
        x["median_days"] = statistics.median(days) if days else None
        out.append(x)
    return out


def _name(rows, level):
    if level == "county":
        names = dict(Region.objects.filter(code__in=list(rows)).values_list("code", "name"))
    elif level == "township":
        names = {}
        for code, name in Village.objects.filter(township_code__in=list(rows)).values_list("township_code", "township_name"):
            names.setdefault(code, name)
    else:
        names = {code: f"{t}{v}" for code, t, v in Village.objects.filter(code__in=list(rows)).values_list("code", "township_name", "name")}
    for unit, x in rows.items():
        x["name"] = names.get(unit, unit)


def totals(rows: list[dict]) -> dict:
    """The sum of figure rows (the dashboard's and the weekly sheet's single line)."""
    out = {"monitored": 0, "identified": 0, "exited": 0, "overdue": 0, "without_help": 0, "decided": 0,
           "by_category": dict.fromkeys(CATEGORIES, 0), "help": dict.fromkeys(HELP_KINDS, 0)}
    for x in rows:
        for key in ("monitored", "identified", "exited", "overdue", "without_help", "decided"):
            out[key] += x[key]
        for c in CATEGORIES:
            out["by_category"][c] += x["by_category"][c]
        for k in HELP_KINDS:
            out["help"][k] += x["help"][k]
    return out


# --- monitored households without help in force on a day: the weekly sheet and the figures page


def without_help_households(as_of: datetime.date, *, county_ids=None, prefix: str = ""):
    """The facts: monitored households (or with their exit under review) identified by
    `as_of` with no help measure in force on it (started by then, not ended before), ordered
    as the sheet lists them. For the lines (a page is read) and for a past day's counts."""
    helped = HelpMeasure.objects.filter(household=OuterRef("pk"), started_on__lte=as_of).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=as_of))
    qs = Household.objects.monitored().filter(Q(identified_on__isnull=True) | Q(identified_on__lte=as_of)).filter(~Exists(helped))
    if county_ids is not None:
        qs = qs.filter(county_id__in=county_ids)
    if prefix:
        qs = qs.filter(village_code__startswith=prefix)
    return qs.order_by("identified_on", "id")


def without_help_counts(as_of: datetime.date, width: int, *, county_ids=None, prefix: str = "",
                        today: datetime.date | None = None) -> dict[str, int]:
    """{village code cut to `width` digits (6: the county): households of `without_help_households`}.

    From today on, read from the summary (`totals`, kind ANY): the monitored rows whose help
    of any kind runs until before `as_of`. `until` cannot tell a measure that starts after
    `as_of` (the forms take any start date), nor can the rows tell a household identified
    after it: those households (an index on each date finds them: a handful) are looked at
    one by one and the count corrected, so the figure is the facts' exactly. For a past day
    the facts are counted (almost every measure would need correcting)."""
    today = today or timezone.localdate()
    if as_of < today:
        return _counted(without_help_households(as_of, county_ids=county_ids, prefix=prefix), width)
    kept = HouseholdFigure.objects.filter(kind=ANY, status__in=(Status.MONITORED, Status.EXITING), until__lt=as_of.isoformat())
    if county_ids is not None:
        kept = kept.filter(county_id__in=county_ids)
    if prefix:
        kept = kept.filter(village_code__startswith=prefix)
    out = Counter()
    for unit, s in (kept.order_by().annotate(u=Substr("village_code", 1, width)).values("u").annotate(s=Sum("n"))
                    .values_list("u", "s")):
        out[unit] += s
    for unit, delta in _corrections(as_of, width, county_ids, prefix).items():
        out[unit] += delta
    return {unit: n for unit, n in out.items() if n}


def _counted(qs, width):
    return dict(qs.order_by().annotate(u=Substr("village_code", 1, width)).values("u").annotate(n=Count("id")).values_list("u", "n"))


def _corrections(as_of, width, county_ids, prefix):
    """Per unit: the facts minus the summary for the monitored households whose help starts
    after `as_of` or who were identified after it."""
    iso = as_of.isoformat()
    # two index reads (identified_on, started_on), not an OR the planner would test row by row
    ids = set(HelpMeasure.objects.filter(started_on__gt=as_of).values_list("household_id", flat=True).order_by())
    ids |= set(Household.objects.filter(identified_on__gt=as_of).values_list("id", flat=True).order_by())
    if not ids:
        return {}
    qs = Household.objects.monitored().filter(pk__in=sorted(ids))
    if county_ids is not None:
        qs = qs.filter(county_id__in=county_ids)
    if prefix:
        qs = qs.filter(village_code__startswith=prefix)
    households, identified = {}, {}
    for hid, code, day in qs.values_list("id", "village_code", "identified_on").order_by():
        households[hid], identified[hid] = code, day
    if not households:
        return {}
    until, in_force = {}, set()
    for hid, start, end in HelpMeasure.objects.filter(household_id__in=list(households)).values_list(
            "household_id", "started_on", "ended_on").order_by():
        last = "9999-12-31" if end is None else end.isoformat()
        until[hid] = max(until.get(hid, ""), last)
        if start <= as_of and (end is None or end >= as_of):
            in_force.add(hid)
    out = Counter()
    for hid, code in households.items():
        kept = until.get(hid, "") < iso
        fact = (identified[hid] is None or identified[hid] <= as_of) and hid not in in_force
        out[code[:width]] += int(fact) - int(kept)
    return out
