"""The risk rules against households worked by hand, and the set-based screening giving the
same flags as the rules run one household at a time."""
import pytest

from xiezuo.households import actions
from xiezuo.households.choices import Rule
from xiezuo.households.models import RiskFlag
from xiezuo.households.rules import Figures, explain, figures_of, screen
from xiezuo.households.screening import run_screening

from .helpers import D, household, line


class L:  # a monitoring line as the rules read it
    line_fen, near_percent, fall_percent, rigid_percent = 750_000, 150, 30, 50


def rules_of(f):
    return {flag.rule for flag in screen(f, L)}


def test_income_below_the_line():
    # 4 persons, 28,000 yuan: 7,000 per person < 7,500
    flags = screen(Figures(persons=4, income_fen=2_800_000), L)
    assert [f.rule for f in flags] == [Rule.BELOW_LINE]
    assert flags[0].per_capita_fen == 700_000 and flags[0].line_fen == 750_000


def test_income_at_the_line_is_near_not_below():
    assert rules_of(Figures(persons=2, income_fen=1_500_000)) == {Rule.NEAR_LINE}  # exactly 7,500
    # 1.5 × 7,500 = 11,250 per person: not near any more
    assert rules_of(Figures(persons=2, income_fen=2_250_000)) == set()
    assert rules_of(Figures(persons=2, income_fen=2_249_998)) == {Rule.NEAR_LINE}


def test_sharp_fall_more_than_thirty_percent():
    # a year before 20,000 per person; now 13,000 (-35 %)
    f = Figures(persons=3, income_fen=3_900_000, previous_per_capita_fen=2_000_000)
    assert rules_of(f) == {Rule.SHARP_FALL}
    # -30 % exactly is not "more than 30 %"
    assert rules_of(Figures(persons=1, income_fen=1_400_000, previous_per_capita_fen=2_000_000)) == set()


def test_rigid_costs_above_half_the_income():
    # 60,000 yuan income, 31,000 yuan medical costs: 51.7 %
    f = Figures(persons=4, income_fen=6_000_000, costs_fen=3_100_000)
    flags = screen(f, L)
    assert [x.rule for x in flags] == [Rule.RIGID_COSTS]
    assert flags[0].costs_fen == 3_100_000 and flags[0].threshold == 50
    assert rules_of(Figures(persons=4, income_fen=6_000_000, costs_fen=3_000_000)) == set()


def test_three_guarantees_and_water():
    f = Figures(persons=4, income_fen=9_000_000, housing_safe=False, water_safe=False, out_of_school=True, uninsured=True)
    assert rules_of(f) == {Rule.HOUSING, Rule.WATER, Rule.SCHOOLING, Rule.MEDICAL}


def test_no_line_no_income_rules():
    assert screen(Figures(persons=1, income_fen=1), None) == []


def test_explanations_name_the_figures(english):
    flag = screen(Figures(persons=4, income_fen=2_800_000), L)[0]
    assert explain(flag) == "income 7,000 yuan per person is below the line of 7,500 yuan"


@pytest.mark.django_db
def test_set_based_screening_matches_the_rules(users):
    line(yuan=7500)
    u = users["county_office"]
    month = D(2026, 11, 1)
    a = household(u, members=4)   # below the line
    actions.record_income(u, a, D(2026, 10, 1), persons=4, wages_fen=2_000_000, transfer_fen=800_000)
    b = household(u, members=3)   # sharp fall + rigid costs
    actions.record_income(u, b, D(2025, 10, 1), persons=3, wages_fen=6_000_000)
    actions.record_income(u, b, D(2026, 9, 1), persons=3, wages_fen=3_600_000, medical_cost_fen=2_000_000)
    c = household(u, members=2, water_safe=False)  # fine income, no water
    actions.record_income(u, c, D(2026, 10, 1), persons=2, production_fen=5_000_000)
    d = household(u, members=2)  # no record at all, a child out of school
    d.members.filter(relation="child").update(out_of_school=True)
    e = household(u, members=2)  # income recorded too long ago: not read
    actions.record_income(u, e, D(2025, 6, 1), persons=2, wages_fen=100)
    run = run_screening(month, prefix="513436")
    stored = {}
    for flag in RiskFlag.objects.filter(run_id=run.pk):
        stored.setdefault(flag.household_id, set()).add(flag.rule)
    from xiezuo.households.lines import line_for
    l = line_for("513436", 2026)
    for h in (a, b, c, d, e):
        expected = {f.rule for f in screen(figures_of(h, month), l)}
        assert stored.get(h.pk, set()) == expected, h
    assert stored[a.pk] == {Rule.BELOW_LINE}
    assert stored[b.pk] == {Rule.SHARP_FALL, Rule.RIGID_COSTS}
    assert stored[c.pk] == {Rule.WATER}
    assert stored[d.pk] == {Rule.SCHOOLING}
    assert e.pk not in stored
    assert run.households >= 5 and run.flagged == 4
    sharp = RiskFlag.objects.get(run_id=run.pk, household=b, rule=Rule.SHARP_FALL)
    assert (sharp.per_capita_fen, sharp.previous_fen, sharp.threshold) == (1_200_000, 2_000_000, 30)
    # running the month again replaces its flags
    run_screening(month, prefix="513436")
    assert RiskFlag.objects.filter(month=month, household=a).count() == 1


@pytest.mark.django_db
def test_a_county_line_overrides_the_province(users):
    line(yuan=7500)
    line(code="513436", yuan=8050)
    u = users["county_office"]
    h = household(u, members=1)
    actions.record_income(u, h, D(2026, 10, 1), persons=1, wages_fen=780_000)  # 7,800: above 7,500, below 8,050
    run_screening(D(2026, 11, 1), prefix="513436")
    assert set(RiskFlag.objects.filter(household=h).values_list("rule", flat=True)) == {Rule.BELOW_LINE}
