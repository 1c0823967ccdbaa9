"""From an indicator's value to a 0–100 score, from scores to a composite, grade and rank.

Pure functions over Decimals, so the rules can be checked by hand and tested at their
boundaries without a database.

* linear_capped: 0 at or beyond the floor, 100 at or beyond the target, linear between.
  For “lower is better” indicators the floor lies above the target.
* threshold: 100 when the target is met, 0 otherwise.
* An indicator without a value (nothing to measure, or no data source) has no score and
  is left out of the composite; the remaining weights are scaled up so the composite stays
  on 0–100. A subject with no scored indicator has no composite, grade or rank.
* Coverage: the share of the weights (of the indicators that apply to the subject) whose
  indicator has a value, in percent to one decimal. A composite over less than
  `MIN_COVERAGE` of the weights says more about which indicators happened to have data
  than about the work: it is kept and shown, but graded “incomplete” (数据不全), left out
  of the ranks, and no consequence rule looks at it. Half the system is the bar because a
  quarter cannot measure everything: labour and consumption have no records yet (8 %), and
  the funds indicators (23 %) are measured only in quarters when money falls due, so a
  subject with all its data reaches 69–92 %; one that also misses a large indicator (no
  milestone due, no technology-transfer project) stays above one half; one scored on the
  rigidity of cadres and professionals alone (8 %) does not.
* Ranks are competition ranks (1, 2, 2, 4) on the composite rounded to two places, so two
  subjects shown with the same composite share a rank.
"""
from decimal import ROUND_HALF_UP, Decimal

from .choices import Dimension, Direction, Grade, Method

HUNDRED = Decimal(100)
MIN_COVERAGE = Decimal(50)  # percent of the weights with data below which a composite is incomplete
ONE_PLACE = Decimal("0.1")
TWO_PLACES = Decimal("0.01")
FOUR_PLACES = Decimal("0.0001")


def q2(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def q4(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


def meets(direction: str, value: Decimal, target: Decimal) -> bool:
    return value <= target if direction == Direction.LOWER else value >= target


def score(method: str, direction: str, value: Decimal | None, target: Decimal, floor: Decimal) -> Decimal | None:
    if value is None:
        return None
    if meets(direction, value, target):
        return HUNDRED
    if method == Method.THRESHOLD:
        return Decimal(0)
    if direction == Direction.LOWER:
        if value >= floor:
            return Decimal(0)
        return q2(HUNDRED * (floor - value) / (floor - target))
    if value <= floor:
        return Decimal(0)
    return q2(HUNDRED * (value - floor) / (target - floor))


def weighted(pairs) -> Decimal | None:
    """Weighted mean of (weight, score) pairs that have a score, or None."""
    pairs = [(w, s) for w, s in pairs if s is not None and w > 0]
    total = sum((w for w, _s in pairs), Decimal(0))
    if not pairs or total == 0:
        return None
    return q2(sum((w * s for w, s in pairs), Decimal(0)) / total)


def coverage(pairs) -> Decimal | None:
    """Percent (one decimal) of the weight of (weight, score) pairs that have a score; None
    when no indicator applies."""
    pairs = [(w, s) for w, s in pairs if w > 0]
    total = sum((w for w, _s in pairs), Decimal(0))
    if total == 0:
        return None
    return (HUNDRED * sum((w for w, s in pairs if s is not None), Decimal(0)) / total).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def is_complete(cover: Decimal | None, minimum: Decimal = MIN_COVERAGE) -> bool:
    return cover is not None and cover >= minimum


def grade(cutoffs, composite: Decimal | None, cover: Decimal | None) -> str:
    """The grade of a composite under `cutoffs` (a GradeCutoffs), or “incomplete” when its
    coverage is below `MIN_COVERAGE`; "" when there is no composite."""
    if composite is None:
        return ""
    if not is_complete(cover):
        return Grade.INCOMPLETE
    return cutoffs.grade(composite)


def composites(rows) -> dict:
    """rows: [(dimension, weight, score)] → {"composite", "basic", "effectiveness", "coverage"}."""
    return {
        "composite": weighted((w, s) for _d, w, s in rows),
        "basic": weighted((w, s) for d, w, s in rows if d == Dimension.BASIC),
        "effectiveness": weighted((w, s) for d, w, s in rows if d == Dimension.EFFECTIVENESS),
        "coverage": coverage((w, s) for _d, w, s in rows),
    }


def competition_ranks(values: dict) -> dict:
    """{key: composite or None} → {key: rank or None}: highest first, ties share a rank."""
    ordered = sorted(((v, k) for k, v in values.items() if v is not None), key=lambda t: (-t[0], t[1]))
    ranks, previous, rank = {}, None, 0
    for i, (v, k) in enumerate(ordered, start=1):
        if v != previous:
            rank, previous = i, v
        ranks[k] = rank
    return {k: ranks.get(k) for k in values}
