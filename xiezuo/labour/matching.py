"""人岗匹配: for a worker the open jobs ranked, for a job the workers ranked, each with the
reason of its rank.

The score is computed by the database over every candidate at once (set-based SQL), never
row by row in Python: skills are bits of a 64-bit mask (`choices.SKILL_BIT`), so "how many
of the worker's skills does the job ask for" is one CASE per skill the worker has over
`skills & bit`; the place is whether the job's province is one the worker prefers; the
wage whether the job pays what the worker expects. Only the top rows come back, and their
reasons are spelled out from the same three parts.

Score out of 100: skills 50 (the share of the worker's skills the job asks for; a job that
asks for none of them scores 0 here), place 30 (the first preferred province; 20 another
preferred one, 10 the worker's own province), wage 20 (the top of the range reaches the
expected wage; 10 if it reaches 80 % of it).
"""
from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.lookups import GreaterThan
from django.utils.translation import gettext as _

from .choices import SKILL_BIT, skill_names
from .models import Job, JobStatus, Worker

SKILL_POINTS, PLACE_POINTS, WAGE_POINTS = 50, 30, 20


@dataclass
class Match:
    obj: object
    score: int
    skills: list
    place_points: int
    wage_points: int
    reason: str


def _skill_expr(bits: list[int]) -> object:
    """The number of `bits` set in the row's `skills`, as SQL."""
    total = Value(0)
    for bit in bits:
        total = total + Case(When(GreaterThan(F("skills").bitand(bit), 0), then=Value(1)), default=Value(0))
    return total


def _bits(mask: int) -> list[int]:
    return [bit for bit in SKILL_BIT.values() if mask & bit]


def _reason(skills, place_points, wage_points, place_name="", wage_text="") -> str:
    parts = []
    if skills:
        parts.append(_("skills: %(s)s") % {"s": "、".join(skills)})
    if place_points:
        parts.append(_("place: %(p)s") % {"p": place_name})
    if wage_points == WAGE_POINTS:
        parts.append(_("wage meets the expectation (%(w)s)") % {"w": wage_text})
    elif wage_points:
        parts.append(_("wage near the expectation (%(w)s)") % {"w": wage_text})
    return "; ".join(parts) or _("no match on skills, place or wage")


def _yuan(fen: int) -> str:
    return f"{fen // 100:,}元"


def _province_points(prefs, own) -> list[tuple[str, int]]:
    """[(province code, place points)] of the provinces that earn points, the most first (as
    the CASE in `jobs_for` gives them: the first preferred, another preferred, the own)."""
    out = {}
    for i, p in enumerate(prefs):
        out.setdefault(p, PLACE_POINTS if i == 0 else 20)
    out.setdefault(own, 10)
    return sorted(out.items(), key=lambda kv: -kv[1])


def jobs_for(worker: Worker, *, limit: int = 20, queryset=None) -> list[Match]:
    """The open jobs best for `worker`, best first."""
    bits = _bits(worker.skills)
    prefs = worker.province_list
    qs = queryset if queryset is not None else Job.objects.all()
    qs = qs.filter(status=JobStatus.OPEN)
    skill_n = _skill_expr(bits) if bits else Value(0)
    place_whens = []
    if prefs:
        place_whens.append(When(province_code=prefs[0], then=Value(PLACE_POINTS)))
        if len(prefs) > 1:
            place_whens.append(When(province_code__in=prefs[1:], then=Value(20)))
    place_whens.append(When(province_code=worker.county.province_code, then=Value(10)))
    expected = worker.expected_wage_fen
    wage = Case(When(wage_max_fen__gte=expected, then=Value(WAGE_POINTS)),
                When(wage_max_fen__gte=expected * 8 // 10, then=Value(10)), default=Value(0), output_field=IntegerField())
    place = Case(*place_whens, default=Value(0), output_field=IntegerField())
    skill_points = (skill_n * SKILL_POINTS / len(bits)) if bits else Value(0)
    qs = qs.annotate(m_skill=skill_points, m_place=place, m_wage=wage).annotate(
        m_score=F("m_skill") + F("m_place") + F("m_wage")).filter(m_score__gt=0)
    # the ranking reads only the narrow columns it scores (a top-N sort in memory); the few
    # jobs ranked are then read whole
    ranked = qs.order_by("-m_score", "-wage_max_fen", "id").values_list("id", "m_skill", "m_place", "m_wage", "m_score")
    # A job scores at most its province's place points plus the skill and wage points. So
    # rank first the jobs of the province worth most (through the (status, province) index:
    # a fraction of the open jobs), then of the provinces worth most so far: when the last of
    # the top `limit` scores above what any job of the remaining provinces can reach, none
    # of them can enter the list (strictly above: a tie would be ordered by wage), and the
    # answer is the one over every open job. Otherwise, at the end, rank them all.
    tiers = _province_points(prefs, worker.county.province_code)
    other = (SKILL_POINTS if bits else 0) + WAGE_POINTS
    top = None
    for k in range(1, len(tiers) + 1 if limit > 0 else 1):
        rest_best = max([points for _p, points in tiers[k:]] + [0]) + other
        part = list(ranked.filter(province_code__in=[p for p, _points in tiers[:k]])[:limit])
        if len(part) == limit and part[-1][4] > rest_best:
            top = part
            break
    if top is None:
        top = list(ranked[:limit])
    jobs = Job.objects.select_related("employer", "place").in_bulk([t[0] for t in top])
    rows = []
    for pk, m_skill, m_place, m_wage, m_score in top:
        job = jobs[pk]
        job.m_skill, job.m_place, job.m_wage, job.m_score = m_skill, m_place, m_wage, m_score
        rows.append(job)
    out = []
    for job in rows:
        skills = skill_names(job.skills & worker.skills)
        out.append(Match(job, job.m_score, skills, job.m_place, job.m_wage,
                         _reason(skills, job.m_place, job.m_wage, job.place.name,
                                 f"{_yuan(job.wage_min_fen)}–{_yuan(job.wage_max_fen)}")))
    return out


def workers_for(job: Job, workers, *, limit: int = 20) -> list[Match]:
    """The live workers of `workers` (a queryset the user may see) best for `job`, best first."""
    bits = _bits(job.skills)
    skill_n = _skill_expr(bits) if bits else Value(0)
    skill_points = (skill_n * SKILL_POINTS / len(bits)) if bits else Value(0)
    place = Case(When(preferred_provinces__startswith=job.province_code, then=Value(PLACE_POINTS)),
                 When(preferred_provinces__contains=job.province_code, then=Value(20)),
                 When(county__province_code=job.province_code, then=Value(10)), default=Value(0), output_field=IntegerField())
    wage = Case(When(expected_wage_fen__lte=job.wage_max_fen, then=Value(WAGE_POINTS)),
                When(Q(expected_wage_fen__lte=job.wage_max_fen * 10 // 8), then=Value(10)), default=Value(0),
                output_field=IntegerField())
    qs = workers.filter(merged_into__isnull=True).defer("id_number", "phone").annotate(m_skill=skill_points, m_place=place, m_wage=wage).annotate(
        m_score=F("m_skill") + F("m_place") + F("m_wage")).filter(m_score__gt=0)
    out = []
    for w in qs.select_related("county").order_by("-m_score", "id")[:limit]:
        skills = skill_names(job.skills & w.skills)
        out.append(Match(w, w.m_score, skills, w.m_place, w.m_wage,
                         _reason(skills, w.m_place, w.m_wage, job.place.name, _yuan(w.expected_wage_fen))))
    return out
