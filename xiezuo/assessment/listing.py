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
from xiezuo.regions.models import Region

from .choices import Grade, PeerGroup, PeriodKind
from .models import Computation, IndicatorSystem, Score
from .periods import QUARTER, YEAR, Period, PeriodError

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


def map_data(rows, period: Period, version: int | None) -> dict:
    """Province shading by province-pair composites, and counties as points at their
    coordinates coloured by composite. There are no county boundaries in the repository
    (static/vendor/geo holds provinces only), so counties are drawn as points."""
    provinces = {r.code: r.name for r in Region.objects.filter(level="province")}
    per_province = defaultdict(list)
    points = []
    for s in rows:
        if s.level == "province_pair" and s.pairing_id and s.composite is not None:
            label = f"{subject_name(s)}: {s.composite}"
            for code in (s.pairing.east_region.code, s.pairing.west_region.code):
                per_province[code[:2] + "0000"].append((s.composite, label, detail_url(s, period, version)))
        elif s.region_id and s.region.longitude is not None and s.composite is not None:
            points.append({"name": s.region.name, "value": [s.region.longitude, s.region.latitude, _num(s.composite)],
                           "grade": s.get_grade_display(), "url": detail_url(s, period, version)})
    areas = []
    for code, items in per_province.items():
        mean = sum(c for c, _l, _u in items) / len(items)
        areas.append({"name": provinces.get(code, code), "value": round(float(mean), 2),
                      "pairs": [label for _c, label, _u in items], "url": items[0][2] if len(items) == 1 else ""})
    return {"areas": areas, "points": points}


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
