"""A loop that warns the few who need it: coverage by weight, incomplete composites that
bring no consequence, empty denominators as no data, one finding per subject and period.

The places are the demo's: 美姑县 513436 (west) paired with 鄞州区 330212 (east).
"""
import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.assessment.test_loop import apply, grades, put_score
from xiezuo.assessment import formula, loop, rules, scoring
from xiezuo.assessment.choices import Grade, RuleKind
from xiezuo.assessment.compute import recompute
from xiezuo.assessment.models import (ConsequenceRule, GradeCutoffs, IndicatorSystem, PerformanceWarning, RestructuringProposal,
                                      Score)
from xiezuo.core.errors import ValidationError
from xiezuo.core.periods import Period
from xiezuo.pairings.models import Pairing

pytestmark = pytest.mark.django_db
D = Decimal
MEIGU, YINZHOU = "513436", "330212"


@pytest.fixture(autouse=True)
def indicator_system(db):
    from xiezuo.assessment.defaults import seed
    from xiezuo.assessment.models import Indicator

    seed(IndicatorSystem, Indicator, GradeCutoffs)


# --- coverage and the incomplete grade (pure) ----------------------------------------------------


def test_coverage_is_the_share_of_the_weight_whose_indicator_has_data():
    rows = [("basic", D(15), D(80)), ("basic", D(12), None), ("basic", D(4), D(0)), ("effectiveness", D(20), None)]
    assert scoring.coverage((w, s) for _d, w, s in rows) == D("37.3")  # (15 + 4) / 51
    assert scoring.composites(rows)["coverage"] == D("37.3")
    assert scoring.coverage([(D(10), None)]) == D("0.0")
    assert scoring.coverage([]) is None


def test_below_half_the_weight_a_composite_is_incomplete_not_poor():
    cutoffs = GradeCutoffs(good=D(90), fairly_good=D(75), fair=D(60))
    assert scoring.MIN_COVERAGE == D(50)
    assert scoring.grade(cutoffs, D("0.00"), D("8.0")) == Grade.INCOMPLETE  # two rigidity indicators of ten
    assert scoring.grade(cutoffs, D("95"), D("49.9")) == Grade.INCOMPLETE  # a good score on too little data too
    assert scoring.grade(cutoffs, D("40"), D("50.0")) == Grade.POOR
    assert scoring.grade(cutoffs, D("95"), D("100.0")) == Grade.GOOD
    assert scoring.grade(cutoffs, None, D("0.0")) == ""


def test_an_empty_denominator_is_no_data_never_zero():
    value = formula.evaluate("cadres_dispatched / cadres_committed × 100", {"cadres_dispatched": 2, "cadres_committed": 0})
    assert value is None
    assert scoring.score("threshold", "higher", value, D(100), D(0)) is None
    rows = [("basic", D(4), None), ("basic", D(12), D(90))]
    assert scoring.composites(rows)["composite"] == D("90.00")  # left out, not counted as 0
    assert scoring.composites(rows)["coverage"] == D("75.0")


def test_a_rule_cannot_be_set_to_act_on_incomplete_data(users):
    rules.ensure_default_rules()
    rule = ConsequenceRule.objects.get(code="warning-poor")
    with pytest.raises(ValidationError):
        rules.update_rule(users["national"], rule, grade=Grade.INCOMPLETE)
    rule.refresh_from_db()
    assert rule.grade == Grade.POOR


# --- computed scores ----------------------------------------------------------------------------


def test_a_county_scored_on_its_commitments_alone_is_incomplete_and_nobody_is_warned():
    """The case seen in the demo: commitments but nothing dispatched, no money due, no
    milestone, no output: the composite rests on the rigidity of cadres and professionals."""
    period = Period.parse("2025Q1")
    recompute(period, as_of=datetime.date(2025, 4, 15))
    card = Score.objects.get(subject_key=f"region:{MEIGU}", period_label="2025Q1")
    weights = {i.code: i.weight for i in IndicatorSystem.current().indicators.all()}
    with_data = sum(weights[c] for c, v in card.values.items() if v["score"] is not None)
    assert card.coverage == (100 * with_data / sum(weights.values())).quantize(D("0.1"))
    assert card.coverage < scoring.MIN_COVERAGE
    assert card.grade == Grade.INCOMPLETE and card.rank is None and card.composite is not None
    applied = loop.apply_rules(period, today=period.end, codes=["warning-poor", "restructure-poor-3", "incentive-good-2"])
    assert applied.total == 0
    assert not PerformanceWarning.objects.filter(subject_key=f"region:{MEIGU}").exists()


def test_the_scorecard_shows_coverage_and_incomplete_data(client_as):
    period = Period.parse("2025Q1")
    recompute(period, as_of=datetime.date(2025, 4, 15))
    card = Score.objects.get(subject_key=f"region:{MEIGU}", period_label="2025Q1")
    page = client_as("national").get(reverse("scorecard-detail", args=["region", MEIGU, "2025Q1"]))
    text = page.content.decode()
    assert 'data-grade="incomplete"' in text and 'data-testid="coverage"' in text
    assert f"{card.coverage}%" in text
    listing = client_as("national").get(reverse("scorecard-list") + "?period=2025Q1").content.decode()
    assert 'data-grade="incomplete"' in listing


# --- the loop: incomplete quarters, one finding per subject and period ---------------------------


def test_an_incomplete_quarter_brings_no_warning_and_breaks_a_streak():
    rules.ensure_default_rules()
    grades(MEIGU, [("2025Q1", "poor"), ("2025Q2", "incomplete"), ("2025Q3", "poor")])
    assert apply("2025Q2").created.get(RuleKind.WARNING, 0) == 0
    apply("2025Q3")
    warning = PerformanceWarning.objects.get(period_label="2025Q3")
    assert (warning.level, warning.streak) == (1, 1)


def test_one_warning_per_subject_and_period_however_many_rules_fire():
    rules.ensure_default_rules()
    ConsequenceRule.objects.create(code="warning-poor-strict", kind=RuleKind.WARNING, name="较差：预警（第二条规则）",
                                   grade=Grade.POOR, count=1, levels=[1, 2, 3])
    grades(MEIGU, [("2025Q1", "poor")])
    apply("2025Q1")
    assert PerformanceWarning.objects.filter(subject_key=f"region:{MEIGU}", period_label="2025Q1").count() == 1
    assert apply("2025Q1").total == 0


def test_a_pairing_is_proposed_once_per_period_not_once_per_county_of_it():
    """美姑 (west), 鄞州 (east) and their county pairing all poor for three quarters: one
    proposal about that pairing, not three."""
    rules.ensure_default_rules()
    pair = Pairing.objects.get(kind="county", east_region__code=YINZHOU, west_region__code=MEIGU)
    labels = ("2025Q1", "2025Q2", "2025Q3")
    for label in labels:
        period = Period.parse(label)
        put_score(MEIGU, period, "poor")
        put_score(YINZHOU, period, "poor")
        s = put_score(MEIGU, period, "poor")
        Score.objects.update_or_create(
            system=s.system, subject_key=f"pairing:{pair.pk}", period_kind=period.kind, period_start=period.start,
            defaults=dict(computation=s.computation, level="pair", pairing=pair, west_prefix=MEIGU, east_prefix=YINZHOU,
                          period_end=period.end, period_label=label, as_of=period.end, peer_group="pair", composite="40",
                          grade="poor", coverage="80.0"))
    for label in labels:
        apply(label)
    proposals = RestructuringProposal.objects.filter(period_label="2025Q3")
    assert proposals.count() == 1 and proposals.get().pairing == pair
    assert PerformanceWarning.objects.filter(period_label="2025Q3").count() == 3  # each subject is warned once
