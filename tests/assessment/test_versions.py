"""The indicator system as data: scoring rules at their boundaries, grades and ranks, and
versions — only the national coordinator makes one, every mistake is refused before
anything is written, and scorecards computed with an older version stay as they were."""
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from xiezuo.assessment.actions import new_version
from xiezuo.assessment.compute import recompute
from xiezuo.assessment.models import GradeCutoffs, Indicator, IndicatorSystem, Score
from xiezuo.core.periods import Period
from xiezuo.assessment.scorecards import scorecard_for
from xiezuo.assessment.scoring import competition_ranks, score
from xiezuo.core.errors import messages_of
from xiezuo.core.models import AuditEntry

from tests.assessment.test_assessment import AS_OF, Q2, build

D = datetime.date
pytestmark = pytest.mark.django_db
d = Decimal


# --- scoring rules ------------------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [
    ("59.99", "0"), ("60", "0"), ("60.01", "0.03"), ("80", "50.00"), ("99.99", "99.98"), ("100", "100"), ("130", "100"),
])
def test_linear_capped_higher_is_better(value, expected):
    assert score("linear_capped", "higher", d(value), d("100"), d("60")) == d(expected)


@pytest.mark.parametrize("value, expected", [("5", "100"), ("2", "100"), ("10", "50.00"), ("15", "0"), ("20", "0")])
def test_linear_capped_lower_is_better(value, expected):
    assert score("linear_capped", "lower", d(value), d("5"), d("15")) == d(expected)


@pytest.mark.parametrize("direction, value, expected", [
    ("higher", "100", 100), ("higher", "99.9999", 0), ("lower", "5", 100), ("lower", "5.0001", 0)])
def test_threshold(direction, value, expected):
    target = d("100") if direction == "higher" else d("5")
    assert score("threshold", direction, d(value), target, d("0")) == expected


def test_no_value_no_score():
    assert score("linear_capped", "higher", None, d("100"), d("60")) is None


@pytest.mark.parametrize("composite, grade", [
    ("100", "good"), ("90", "good"), ("89.99", "fairly_good"), ("75", "fairly_good"), ("74.99", "fair"),
    ("60", "fair"), ("59.99", "poor"), ("0", "poor"), (None, "")])
def test_grade_cutoffs_of_the_shipped_version(composite, grade):
    cutoffs = IndicatorSystem.current().cutoffs
    assert cutoffs.grade(None if composite is None else d(composite)) == grade


def test_competition_ranks_share_places_on_ties():
    assert competition_ranks({"a": d("90"), "b": d("90"), "c": d("80"), "d": None, "e": d("95")}) == {
        "e": 1, "a": 2, "b": 2, "c": 4, "d": None}


def test_counties_scored_on_their_agreements_alone_are_incomplete_and_unranked(users):
    recompute(Q2, as_of=AS_OF)  # the demo alone: the three paired key counties score 0 on their agreements' rigidity only
    keys = ["region:513429", "region:513431", "region:513436"]
    rows = Score.objects.filter(peer_group="key", period_label="2025Q2", subject_key__in=keys)
    assert {(s.subject_key, s.grade, s.rank) for s in rows} == {(k, "incomplete", None) for k in keys}
    assert all(s.composite is not None and s.coverage < 50 for s in rows)
    assert not Score.objects.filter(peer_group="key", period_label="2025Q2", rank__isnull=False).exists()


# --- versions -------------------------------------------------------------------------------


def test_the_shipped_version(db):
    v1 = IndicatorSystem.current()
    assert v1.number == 1
    codes = list(v1.indicators.values_list("code", flat=True))
    assert codes[:3] == ["funds_timeliness", "professional_stability", "projects_on_schedule"]
    assert len(codes) == 10 and sum(i.weight for i in v1.indicators.all()) == 100
    assert v1.indicators.get(code="local_supply_ratio").name_zh == "产业链本地配套率"
    assert (v1.cutoffs.good, v1.cutoffs.fairly_good, v1.cutoffs.fair) == (90, 75, 60)


def test_a_new_version_leaves_old_scorecards_untouched(users):
    build(users)
    national, county = users["national"], users["county_office"]
    recompute(Q2, as_of=AS_OF)
    v1 = IndicatorSystem.current()
    old = {s.subject_key: (s.facts, s.values, s.composite, s.grade, s.rank) for s in Score.objects.filter(system=v1)}
    old_card = scorecard_for(county, "513436", Q2)
    assert old_card.composite == d("35.14") and old_card.grade == "poor"

    v2 = new_version(national, {
        "indicators": {"projects_on_schedule": {"target": "75", "weight": "30"}, "funds_timeliness": {"formula": "funds_arrived_on_time_fen / funds_allocated_due_fen * 100"}},
        "remove": ["rigidity_labour", "rigidity_consumption"],
        "cutoffs": {"fair": "30"},
    }, note="2025年度考核口径调整")
    assert (v2.number, v2.is_current, v2.created_by) == (2, True, national)
    v1.refresh_from_db()
    assert not v1.is_current
    assert v1.indicators.get(code="projects_on_schedule").target == 90  # the old version itself is not edited
    assert v1.indicators.count() == 10 and v2.indicators.count() == 8

    # nothing recomputed yet: the published scorecard is still version 1's
    assert scorecard_for(county, "513436", Q2).system == v1
    recompute(Q2, v2, as_of=AS_OF)
    assert old == {s.subject_key: (s.facts, s.values, s.composite, s.grade, s.rank) for s in Score.objects.filter(system=v1)}

    new_card = scorecard_for(county, "513436", Q2)
    assert new_card.system == v2
    line = next(li for li in new_card.lines if li.code == "projects_on_schedule")
    assert (line.value, line.score, line.weight) == (d("60"), d("40.00"), d("30"))  # (60 − 50) / (75 − 50)
    assert new_card.grade == "fair"  # 30 is now the line for 一般
    assert "rigidity_labour" not in {li.code for li in new_card.lines}
    again = scorecard_for(county, "513436", Q2, system=v1)
    assert (again.composite, again.grade) == (old_card.composite, old_card.grade)
    assert AuditEntry.objects.filter(object_type="assessment.indicatorsystem", object_id=str(v2.pk)).exists()


def test_an_indicator_applies_only_to_its_levels(users):
    new_version(users["national"], {"add": [{
        "code": "pair_professionals", "name_zh": "结对人才派驻", "name_en": "Professionals per pair", "dimension": "basic",
        "formula": "professionals_dispatched", "target": "10", "floor": "0", "weight": "5", "unit": "人", "levels": ["pair"]}]})
    recompute(Q2, as_of=AS_OF)
    county = Score.objects.get(subject_key="region:513436", period_label="2025Q2", system__number=2)
    pair = Score.objects.filter(level="pair", period_label="2025Q2", system__number=2).first()
    assert "pair_professionals" not in county.values and "pair_professionals" in pair.values
    assert Indicator.objects.get(system__number=2, code="pair_professionals").seq == 11


@pytest.mark.parametrize("name", ["east_office", "west_office", "county_office", "viewer", "auditor"])
def test_only_the_national_coordinator_makes_a_version(users, name):
    with pytest.raises(PermissionDenied):
        new_version(users[name], {"cutoffs": {"fair": "50"}})
    assert IndicatorSystem.objects.count() == 1 and IndicatorSystem.current().number == 1


@pytest.mark.parametrize("changes, field, words", [
    ({"indicators": {"funds_timeliness": {"formula": "funds_arrived_on_time_fen / (funds_allocated_due_fen × 100"}}},
     "indicators.funds_timeliness.formula", "column 29"),
    ({"indicators": {"funds_timeliness": {"formula": "arrived / allocated * 100"}}},
     "indicators.funds_timeliness.formula", "“arrived” is not a known fact at column 1"),
    ({"indicators": {"funds_timeliness": {"floor": "100"}}}, "indicators.funds_timeliness.floor", "below the target"),
    ({"indicators": {"funds_timeliness": {"direction": "lower"}}}, "indicators.funds_timeliness.floor", "above the target"),
    ({"indicators": {"funds_timeliness": {"weight": "-1"}}}, "indicators.funds_timeliness.weight", "negative"),
    ({"indicators": {"funds_timeliness": {"weight": 1.5}}}, "indicators.funds_timeliness.weight", "as text"),
    ({"indicators": {"funds_timeliness": {"target": "1.23456"}}}, "indicators.funds_timeliness.target", "decimal places"),
    ({"indicators": {"funds_timeliness": {"target": "lots"}}}, "indicators.funds_timeliness.target", "not a number"),
    ({"indicators": {"funds_timeliness": {"levels": ["village"]}}}, "indicators.funds_timeliness.levels", "county"),
    ({"indicators": {"funds_timeliness": {"method": "vibes"}}}, "indicators.funds_timeliness.method", "not one of"),
    ({"indicators": {"funds_timeliness": {"name_zh": " "}}}, "indicators.funds_timeliness.name_zh", "name is required"),
    ({"indicators": {"funds_timeliness": {"code": "x"}}}, "indicators.funds_timeliness.code", "cannot be changed"),
    ({"indicators": {"nope": {"weight": "1"}}}, "indicators.nope", "no indicator"),
    ({"remove": ["nope"]}, "remove.nope", "no indicator"),
    ({"add": [{"code": "funds_timeliness"}]}, "add[0].code", "exists already"),
    ({"add": [{"code": "资金"}]}, "add[0].code", "letters"),
    ({"add": [{"code": "x1", "name_zh": "甲"}]}, "add[0]", "missing"),
    ({"cutoffs": {"good": "70"}}, "cutoffs", "descend"),
    ({"cutoffs": {"fair": "-1"}}, "cutoffs.fair", "between 0 and 100"),
    ({"cutoffs": {"excellent": "95"}}, "cutoffs.excellent", "unknown"),
    ({"weights": {}}, "weights", "unknown"),
    ({}, "__all__", "nothing"),
])
def test_mistakes_are_refused_and_nothing_is_written(users, changes, field, words):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        new_version(users["national"], changes)
    errors = messages_of(exc.value)
    assert field in errors, errors
    assert any(words in m for m in errors[field]), errors
    assert IndicatorSystem.objects.count() == 1 and GradeCutoffs.objects.count() == 1


def test_removing_every_indicator_is_refused(users):
    codes = list(IndicatorSystem.current().indicators.values_list("code", flat=True))
    with pytest.raises(ValidationError) as exc:
        new_version(users["national"], {"remove": codes})
    assert "indicators" in messages_of(exc.value)


def test_recomputing_an_old_version_still_works(users):
    new_version(users["national"], {"cutoffs": {"good": "95"}})
    r = recompute(Period.quarter(2025, 1), IndicatorSystem.objects.get(number=1), as_of=AS_OF)
    assert r.system == 1 and Score.objects.filter(system__number=1).count() == r.scores
