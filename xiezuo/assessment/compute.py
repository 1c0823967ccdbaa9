"""Recompute every score of one period under one indicator-system version.

In bulk: the facts of all subjects come from one grouped query per kind of row
(`facts.compute`), formulas are evaluated in Python (once per indicator and combination of
the facts it reads), and the score rows are written with a single upsert keyed on (version,
subject, period) — on PostgreSQL through COPY (`scorerows`). Running it twice gives the same rows;
rows for subjects that no longer exist in the period (an ended pairing) are removed.

A period closes at its first computation after its last day (`restatements`): later
computations keep its figures and set what they found apart as a pending restatement.

`mark_stale` answers `xiezuo.core.facts.facts_changed` (connected in AssessmentConfig.ready):
the actions that record facts (a weekly report, a posting, a dispatch, a region's yearly
facts, an agreement's commitments) send it with the regions involved and the first day the
facts bear on, and every score those regions feed from that date on is flagged until the
scheduled `recompute_stale` recomputes it.
"""
import datetime
import time
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from . import facts, formula, restatements
from .actions import save_scores
from .models import IndicatorSystem, Score
from xiezuo.core.arrays import ids_in
from xiezuo.core.periods import Period
from .choices import Grade
from .scoring import competition_ranks, composites, grade, q4, score
from .subjects import all_subjects, prefixes

@dataclass
class Result:
    period: Period
    system: int
    scores: int
    removed: int
    seconds: float


def _text(value) -> str | None:
    return None if value is None else str(value)


def recompute(period: Period, system: IndicatorSystem | None = None, *, as_of: datetime.date | None = None) -> Result:
    t0 = time.perf_counter()
    system = system or IndicatorSystem.current()
    indicators = list(system.indicators.all())
    cutoffs = system.cutoffs
    window = facts.Window.of(period, as_of or timezone.localdate())
    trees = {i.code: formula.parse(i.formula) for i in indicators}
    uses = {code: sorted({n.name for n in formula.names(tree)}) for code, tree in trees.items()}
    needed = sorted({n for names in uses.values() for n in names})

    subjects = all_subjects(period)
    values_by_subject = facts.compute(subjects, window, needed)
    descriptions = {n: facts.describe(n, window) for n in needed}
    now = timezone.now()

    rows = []
    # An indicator's value and points depend only on the facts its formula reads, and many
    # subjects share them (no data, nothing due): each combination is evaluated once.
    evaluated: dict[tuple, tuple] = {}
    for s in subjects:
        known = values_by_subject[s.key]
        used, per_indicator, parts = set(), {}, []
        for ind in indicators:
            if not ind.applies_to(s.level):
                continue
            memo = (ind.code, *(known[n] for n in uses[ind.code]))
            if memo not in evaluated:
                value = q4(formula.evaluate(trees[ind.code], known))
                points = score(ind.method, ind.direction, value, ind.target, ind.floor)
                evaluated[memo] = (points, {"value": _text(value), "score": _text(points)})
            points, per_indicator[ind.code] = evaluated[memo]
            per_indicator[ind.code] = dict(per_indicator[ind.code])
            parts.append((ind.dimension, ind.weight, points))
            used.update(uses[ind.code])
        totals = composites(parts)
        rows.append(Score(
            system=system, level=s.level, subject_key=s.key, region_id=s.region_id, pairing_id=s.pairing_id,
            west_prefix=s.west_prefix, east_prefix=s.east_prefix, period_kind=period.kind, period_start=period.start,
            period_end=period.end, period_label=period.label, as_of=window.cut, peer_group=s.peer_group,
            facts={n: known[n] for n in sorted(used)}, values=per_indicator,
            basic=totals["basic"], effectiveness=totals["effectiveness"], composite=totals["composite"],
            coverage=totals["coverage"], grade=grade(cutoffs, totals["composite"], totals["coverage"]), stale=False, computed_at=now,
        ))

    closing = restatements.is_closing(period, window, as_of)
    restatements.keep_closed(system, period, rows, now, closing=closing)

    groups: dict[str, dict[str, object]] = {}
    for row in rows:
        groups.setdefault(row.peer_group, {})[row.subject_key] = None if row.grade == Grade.INCOMPLETE else row.composite
    ranks, sizes = {}, {}
    for group, members in groups.items():
        ranks.update(competition_ranks(members))
        sizes[group] = sum(1 for v in members.values() if v is not None)
    for row in rows:
        row.rank = ranks[row.subject_key]
        row.peers = sizes[row.peer_group] if row.rank is not None else None

    removed, seconds = save_scores(None, system, period, rows, as_of=window.cut, evidence=descriptions, computed_at=now, started=t0)
    return Result(period, system.number, len(rows), removed, seconds)


def mark_stale(region_codes, date: datetime.date) -> int:
    """Flag every score fed by these regions for periods ending on or after `date`.

    A county's scores, and those of every pairing whose western or eastern subtree holds
    one of the regions, are affected; later periods too, because the year's facts (people
    in post, commitments) and an amended agreement bear on them. A closed period's score
    flagged here keeps its figures: recomputing it only records a pending restatement.
    Returns how many scores were flagged.
    """
    keys = sorted({p for code in region_codes for p in prefixes(code)})
    if not keys:
        return 0
    # a batch names thousands of prefixes: one array each side, not a placeholder per prefix
    return (Score.objects.filter(period_end__gte=date, stale=False)
            .filter(Q(west_prefix__in=ids_in(keys, "text")) | Q(east_prefix__in=ids_in(keys, "text"))).update(stale=True))


def on_facts_changed(sender, region_codes, date, **kwargs) -> None:
    """The receiver of `facts_changed`."""
    mark_stale(region_codes, date)


def stale_periods() -> list[tuple[IndicatorSystem, Period]]:
    """The (version, period) combinations with at least one stale score."""
    combos = (Score.objects.filter(stale=True).values_list("system_id", "period_kind", "period_start", "period_end")
              .distinct().order_by("system_id", "period_start"))
    systems = {s.pk: s for s in IndicatorSystem.objects.all()}
    return [(systems[sid], Period(start, end, kind)) for sid, kind, start, end in combos]
