"""The registry's figures per county, township or village, as counts only (no person): for the
figures page, the dashboard and the weekly sheet (the lead wires those), and the indicator
system as facts.

`figures(user, level, prefix, day)` → rows of {unit, name, monitored by category and
status, identified and exited in the month of `day`, days from clue to decision, households
with each kind of help, open clues past their deadline, monitored households without help}.
Counts are seen by every office over its own subtree and the regions paired with it
(`scope.q(..., include_partners=True)`): the eastern side sees its partners' counts, never
their rows.
"""
import datetime
import statistics

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from xiezuo.core.scoping import scope_for
from xiezuo.regions.models import Region

from .choices import CaseKind, Category, Decision, HelpKind, Status, Step
from .models import Case, Household, HouseholdFigure, Village

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
            if not r["helped"]:
                x["without_help"] += r["s"]
    for r in kept.exclude(kind="").filter(until__gte=day.isoformat()).values("u", "kind").annotate(s=Sum("n")):
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
