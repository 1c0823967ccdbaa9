"""Read-only helpers behind the scorecard pages: which periods and versions exist, the
scores of a period a user may see, the trend of one subject, the data of the map.

Every queryset here passes through `visible` (Score declares its scope paths: a county's
own region, a pairing's two sides, and the regions paired with the user's subtree). A rank
is a stored number — place and size of the peer group — so listing a county's rank reveals
nothing about its peers; their scores stay out of the list unless the user may see them.

The version of a period follows `scorecards`: the newest version that has scored the period
unless one is asked for, so publishing version 2 changes nothing on screen until somebody
recomputes the period under it.
"""
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, IntegerField, Q, Value, When
from django.urls import reverse

from xiezuo.core.scoping import visible
from xiezuo.regions.models import Region, province_of

from .choices import Grade, PeerGroup, PeriodKind
from .models import Computation, IndicatorSystem, Score
from xiezuo.core.periods import QUARTER, YEAR, Period, PeriodError

LIST_KINDS = (QUARTER, YEAR)
PEER_ORDER = [g.value for g in PeerGroup]
GRADE_COLOURS = {Grade.GOOD: "#2e7d32", Grade.FAIRLY_GOOD: "#7cb342", Grade.FAIR: "#f9a825", Grade.POOR: "#c62828"}


def computed_periods(kinds=LIST_KINDS) -> list[Period]:
    """Periods with at least one computation, newest first."""
    rows = (Computation.objects.filter(period_kind__in=kinds).values_list("period_kind", "period_start", "period_end")
            .distinct().order_by("-period_start", "period_kind"))
    seen, out = set(), []
    for kind, start, end in rows:
        p = Period(start, end, kind)
        if p not in seen:
            seen.add(p)
            out.append(p)
    return sorted(out, key=lambda p: (p.end, p.kind == YEAR), reverse=True)


def default_period(today) -> Period:
    """The newest computed quarter or year; without any, the quarter before today's."""
    found = computed_periods()
    return found[0] if found else Period.containing(QUARTER, today).previous()


def parse_period(label: str | None, today) -> Period:
    if not label:
        return default_period(today)
    try:
        period = Period.parse(label)
    except PeriodError:
        return default_period(today)
    return period if period.kind in LIST_KINDS else default_period(today)


def versions_of(period: Period) -> list[IndicatorSystem]:
    """The versions that have scored a period, newest first."""
    ids = Computation.objects.filter(period_kind=period.kind, period_start=period.start).values("system_id")
    return list(IndicatorSystem.objects.filter(pk__in=ids).order_by("-number"))


def version_for(period: Period, number: int | None = None) -> IndicatorSystem | None:
    found = versions_of(period)
    if number is not None:
        return next((v for v in found if v.number == number), None)
    return found[0] if found else None


def computation_of(period: Period, system: IndicatorSystem | None) -> Computation | None:
    if system is None:
        return None
    return Computation.objects.filter(system=system, period_kind=period.kind, period_start=period.start).first()


@dataclass
class Filters:
    level: str = ""
    peer_group: str = ""
    grade: str = ""
    stale: bool = False
    q: str = ""


def scores(user, period: Period, system: IndicatorSystem | None, filters: Filters | None = None):
    """The scores of a period under a version that `user` may see, by peer group and rank."""
    if system is None:
        return Score.objects.none()
    f = filters or Filters()
    qs = Score.objects.filter(system=system, period_kind=period.kind, period_start=period.start)
    if f.level:
        qs = qs.filter(level=f.level)
    if f.peer_group:
        qs = qs.filter(peer_group=f.peer_group)
    if f.grade == "none":
        qs = qs.filter(grade="")
    elif f.grade:
        qs = qs.filter(grade=f.grade)
    if f.stale:
        qs = qs.filter(stale=True)
    if f.q:
        text = f.q.strip()
        qs = qs.filter(Q(region__name__icontains=text) | Q(region__code__startswith=text) | Q(pairing__name__icontains=text)
                       | Q(pairing__east_region__name__icontains=text) | Q(pairing__west_region__name__icontains=text))
    group_order = Case(*[When(peer_group=g, then=Value(i)) for i, g in enumerate(PEER_ORDER)], output_field=IntegerField())
    unranked_last = Case(When(rank__isnull=True, then=Value(1)), default=Value(0), output_field=IntegerField())
    return (visible(user, qs).select_related("region", "pairing__east_region", "pairing__west_region", "system")
            .annotate(group_order=group_order, unranked=unranked_last)
            .order_by("group_order", "unranked", "rank", "subject_key"))


def subject_name(score: Score) -> str:
    if score.region_id:
        return score.region.name
    return str(score.pairing) if score.pairing_id else score.subject_key


def subject_code(score: Score) -> str:
    if score.region_id:
        return score.region.code
    if score.pairing_id:
        return f"{score.pairing.east_region.code}—{score.pairing.west_region.code}"
    return ""


def detail_url(score_or_key, period: Period, version: int | None = None) -> str:
    key = score_or_key if isinstance(score_or_key, str) else score_or_key.subject_key
    kind, _sep, ident = key.partition(":")
    url = reverse("scorecard-detail", args=[kind, ident, period.label])
    return f"{url}?version={version}" if version else url


def trend(user, subject_key: str, kind: str, system: IndicatorSystem | None = None, limit: int = 12) -> list[Score]:
    """The subject's scores over the periods of one kind, oldest first: per period the one
    computed with `system` if given, else with the newest version that scored it."""
    qs = visible(user, Score.objects.filter(subject_key=subject_key, period_kind=kind)).select_related("system")
    if system is not None:
        qs = qs.filter(system=system)
    best = {}
    for s in qs.order_by("period_start", "-system__number"):
        best.setdefault(s.period_start, s)
    return [best[k] for k in sorted(best)][-limit:]


def _num(value: Decimal | None):
    return None if value is None else float(value)  # for the chart only; the page shows the Decimal text


MAP_FIELDS = ("subject_key", "level", "grade", "stale", "composite", "region__name", "region__longitude", "region__latitude",
              "pairing__name", "pairing__east_region__code", "pairing__east_region__name", "pairing__west_region__code",
              "pairing__west_region__name")


def overview(rows, period: Period, version: int | None) -> dict:
    """Counts by grade, stale count and the map, from one narrow query over every row of
    the list (not only the page shown): plain tuples, no model instances, so a national
    list of a few thousand scorecards stays quick."""
    grades = {g: 0 for g in [*Grade.values, ""]}
    stale = total = 0
    provinces = dict(Region.objects.filter(level="province").values_list("code", "name"))
    per_province = defaultdict(list)
    points = []
    labels = dict(Grade.choices)
    for r in rows.values(*MAP_FIELDS):
        total += 1
        grades[r["grade"]] = grades.get(r["grade"], 0) + 1
        stale += r["stale"]
        if r["composite"] is None:
            continue
        url = detail_url(r["subject_key"], period, version)
        if r["grade"] == Grade.INCOMPLETE:  # not painted in a grade's colour: a grey point, no shading
            if r["level"] != "province_pair" and r["region__name"] and r["region__longitude"] is not None:
                points.append({"name": r["region__name"], "value": [r["region__longitude"], r["region__latitude"], _num(r["composite"])],
                               "grade": str(labels.get(r["grade"], "")), "url": url, "incomplete": True})
            continue
        if r["level"] == "province_pair" and r["pairing__east_region__code"]:
            name = r["pairing__name"] or f"{r['pairing__east_region__name']}—{r['pairing__west_region__name']}"
            for code in (r["pairing__east_region__code"], r["pairing__west_region__code"]):
                per_province[province_of(code)].append((r["composite"], f"{name}: {r['composite']}", url))
        elif r["region__name"] and r["region__longitude"] is not None:
            points.append({"name": r["region__name"], "value": [r["region__longitude"], r["region__latitude"], _num(r["composite"])],
                           "grade": str(labels.get(r["grade"], "")), "url": url})
    areas = []
    for code, items in per_province.items():
        mean = sum(c for c, _l, _u in items) / len(items)
        areas.append({"name": provinces.get(code, code), "value": round(float(mean), 2),
                      "pairs": [label for _c, label, _u in items], "url": items[0][2] if len(items) == 1 else ""})
    return {"grades": grades, "stale": stale, "total": total, "map": {"areas": areas, "points": points}}


def grade_pieces(system: IndicatorSystem | None) -> list[dict]:
    """visualMap pieces of the grade cut-offs of a version, best first."""
    if system is None:
        return []
    c = system.cutoffs
    return [
        {"min": float(c.good), "max": 100, "label": str(Grade.GOOD.label), "color": GRADE_COLOURS[Grade.GOOD]},
        {"min": float(c.fairly_good), "max": float(c.good), "label": str(Grade.FAIRLY_GOOD.label), "color": GRADE_COLOURS[Grade.FAIRLY_GOOD]},
        {"min": float(c.fair), "max": float(c.fairly_good), "label": str(Grade.FAIR.label), "color": GRADE_COLOURS[Grade.FAIR]},
        {"min": 0, "max": float(c.fair), "label": str(Grade.POOR.label), "color": GRADE_COLOURS[Grade.POOR]},
    ]


def period_choices(selected: Period) -> list[tuple[str, str]]:
    """Computed quarters and years for the selector, plus the selected one if not computed."""
    found = computed_periods()
    if selected not in found:
        found = [selected] + found
    kinds = dict(PeriodKind.choices)
    return [(p.label, f"{p.label} · {kinds.get(p.kind, p.kind)}") for p in found]
