"""A scorecard as one user may see it.

Who sees what follows the one scoping rule: a region outside the user's view does not
exist for them (Http404); inside their own subtree they see the scorecard and the rows
behind every number; a region they only see as a partner shows its scorecard without the
rows. Ranks are shown as a place and the size of the peer group — never the peers' own
scorecards or evidence.

Without an explicit version, a period's scorecard is the one computed with the newest
version that has scored it: a scorecard published under version 1 stays as it was after
version 2 is made, until someone recomputes that period under version 2.
"""
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext as _

from xiezuo.core.errors import PermissionDenied
from xiezuo.core.scoping import scope_for, visible
from xiezuo.regions.models import Region

from . import facts
from .models import Indicator, IndicatorSystem, Score
from xiezuo.core.periods import Period
from .subjects import pairing_key, region_key, subject_for_key


@dataclass
class Line:
    code: str
    name: str
    dimension: str
    unit: str
    value: Decimal | None
    score: Decimal | None
    weight: Decimal
    target: Decimal
    facts: dict  # {fact: value} used by this indicator


@dataclass
class Scorecard:
    subject_key: str
    period: Period
    score: Score | None
    system: IndicatorSystem | None
    lines: list[Line] = field(default_factory=list)
    evidence_visible: bool = False
    user: object = None

    @property
    def computed(self) -> bool:
        return self.score is not None

    def __getattr__(self, name):
        if name in ("composite", "basic", "effectiveness", "grade", "rank", "peers", "peer_group", "stale", "as_of"):
            return getattr(self.score, name) if self.score is not None else None
        raise AttributeError(name)

    def evidence(self, fact: str):
        """The rows behind one fact, through the scoping rule; PermissionDenied for a
        partner's or a peer's scorecard."""
        if not self.evidence_visible:
            raise PermissionDenied(_("the rows behind another region's scorecard are not shown to you"))
        if self.score is None or fact not in (self.score.facts or {}):
            raise KeyError(fact)
        subject = subject_for_key(self.subject_key, self.period)
        rows = facts.evidence(fact, subject, facts.Window(self.period, self.score.as_of)) if subject else None
        return None if rows is None else visible(self.user, rows)


def fact_label(name: str) -> str:
    fact = facts.FACTS.get(name)
    return str(fact.label) if fact is not None else name


def formula_words(text: str) -> str:
    """An indicator's formula with the facts named as officials read them."""
    from .formula import FormulaError, words

    try:
        return words(text, fact_label)
    except FormulaError:
        return text


def restatement_lines(card) -> list[dict]:
    """What a pending restatement would change on a closed scorecard: each indicator's
    value in force and its new value, named, with the composite and grade after."""
    from . import restatements

    if card.score is None:
        return []
    names = {li.code: li.name for li in card.lines}
    units = {li.code: li.unit for li in card.lines}
    return [{"code": c["code"], "name": names.get(c["code"], c["code"]), "unit": units.get(c["code"], ""),
             "old": None if c["old"] is None else Decimal(c["old"]), "new": None if c["new"] is None else Decimal(c["new"])}
            for c in restatements.changes(card.score)]


def restated_lines(card) -> list[dict]:
    """The restatements made on a scorecard: when (an aware datetime), by whom, the composite
    before and after."""
    import datetime

    if card.score is None:
        return []
    return [{"at": datetime.datetime.fromisoformat(r["at"]), "by": r.get("by", ""),
             "old": (r.get("old") or {}).get("composite"), "new": (r.get("new") or {}).get("composite")}
            for r in card.score.restated or []]


def restatement_found_at(card):
    """When the pending restatement was found (an aware datetime; pages show it in Beijing time)."""
    import datetime

    text = ((card.score.restatement or {}) if card.score is not None else {}).get("computed_at")
    return datetime.datetime.fromisoformat(text) if text else None


def _lines(score: Score) -> list[Line]:
    out = []
    for ind in Indicator.objects.filter(system_id=score.system_id).order_by("seq", "code"):
        if ind.code not in score.values:
            continue
        entry = score.values[ind.code]
        names = [n.name for n in _names(ind.formula)]
        out.append(Line(
            code=ind.code, name=ind.name, dimension=ind.dimension, unit=ind.unit,
            value=None if entry["value"] is None else Decimal(entry["value"]),
            score=None if entry["score"] is None else Decimal(entry["score"]),
            weight=ind.weight, target=ind.target, facts={n: score.facts.get(n) for n in dict.fromkeys(names)},
        ))
    return out


def _names(text):
    from .formula import names, parse

    return names(parse(text))


def _find(subject_key: str, period: Period, system: IndicatorSystem | None) -> Score | None:
    qs = Score.objects.select_related("system").filter(subject_key=subject_key, period_kind=period.kind, period_start=period.start)
    if system is not None:
        qs = qs.filter(system=system)
    return qs.order_by("-system__number").first()


def scorecard_for(user, region, period: Period, system: IndicatorSystem | None = None) -> Scorecard:
    """The scorecard of a county for one period, as `user` may see it."""
    if not isinstance(region, Region):
        region = Region.objects.filter(code=str(region)).first()
    scope = scope_for(user)
    if region is None or not scope.active or not scope.sees_region(region.code):
        raise Http404(_("no such region"))
    key = region_key(region.code)
    score = _find(key, period, system)
    card = Scorecard(subject_key=key, period=period, score=score, system=score.system if score else system,
                     evidence_visible=scope.in_own(region.code), user=user)
    if score is not None:
        card.lines = _lines(score)
    return card


def pairing_scorecard_for(user, pairing, period: Period, system: IndicatorSystem | None = None) -> Scorecard:
    """The scorecard of a pairing: visible to either side; rows behind it to a side whose
    own subtree holds the pairing's western or eastern region."""
    from xiezuo.pairings.models import Pairing

    if not visible(user, Pairing.objects.filter(pk=getattr(pairing, "pk", pairing))).exists():
        raise Http404(_("no such pairing"))
    pairing = pairing if isinstance(pairing, Pairing) else Pairing.objects.get(pk=pairing)
    scope = scope_for(user)
    key = pairing_key(pairing.pk)
    score = _find(key, period, system)
    own = scope.in_own(pairing.west_region.code) or scope.in_own(pairing.east_region.code)
    card = Scorecard(subject_key=key, period=period, score=score, system=score.system if score else system,
                     evidence_visible=own, user=user)
    if score is not None:
        card.lines = _lines(score)
    return card
