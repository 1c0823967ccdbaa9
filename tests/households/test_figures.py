"""The figures per county, township and village: counts only, seen by the paired eastern side."""
import datetime

import pytest

from xiezuo.households import actions
from xiezuo.households.choices import Step
from xiezuo.households.figures import figures, totals

from .helpers import D, household, village

POST = "监测专干"


def identify(u, h, clue, decided, category="marginal"):
    case = actions.open_case(u, h, channel="cadre", clue_on=clue, post=POST, proposed_category=category)
    d = clue
    for step in (Step.VISIT, Step.REVIEW):
        d += datetime.timedelta(days=1)
        actions.advance(u, case, step=step, done_on=d, post=POST)
    actions.advance(u, case, step=Step.NOTICE, done_on=d + datetime.timedelta(days=5), post=POST,
                    notice_from=d + datetime.timedelta(days=1), notice_to=d + datetime.timedelta(days=5))
    actions.advance(u, case, step=Step.TOWNSHIP, done_on=d + datetime.timedelta(days=6), post=POST)
    actions.decide(u, case, decision="approved", on=decided, post=POST)


@pytest.mark.django_db
def test_figures_by_county_township_village(users):
    u = users["county_office"]
    v1, v2 = village(), village("513436102201", "峨普村", "巴普镇")
    a, b, c = household(u, v1), household(u, v1), household(u, v2)
    identify(u, a, D(2026, 11, 20), D(2026, 12, 2))          # 12 days
    identify(u, b, D(2026, 11, 25), D(2026, 12, 3), "sudden")  # 8 days
    actions.add_help(u, a, kind="employment", description="转移就业", started_on=D(2026, 12, 4), post=POST)
    actions.open_case(u, c, channel="cadre", clue_on=D(2026, 11, 1), post=POST)  # visit overdue
    day = D(2026, 12, 6)
    county = figures(users["county_office"], "county", day=day)
    assert len(county) == 1
    row = county[0]
    assert row["unit"] == "513436" and row["name"] == "美姑县"
    assert row["monitored"] == 2 and row["by_category"] == {"unstable": 0, "marginal": 1, "sudden": 1}
    assert row["identified"] == 2 and row["decided"] == 2 and row["median_days"] == 10
    assert row["help"]["employment"] == 1 and row["without_help"] == 1 and row["overdue"] == 1
    assert row["by_status"]["identifying"] == 1
    towns = {r["unit"]: r for r in figures(u, "township", "513436", day)}
    assert towns["513436101"]["monitored"] == 2 and towns["513436102"]["overdue"] == 1
    assert [r["unit"] for r in figures(u, "village", "513436101", day)] == ["513436101201"]
    assert totals(county)["monitored"] == 2
    # the paired eastern office (鄞州区 ← Zhejiang) and the Sichuan viewer see the counts; no figures outside
    for role in ("east_office", "viewer", "national", "west_office"):
        assert sum(r["monitored"] for r in figures(users[role], "county", day=day)) == 2, role
    assert figures(users["county_office"], "county", "52", day) == []


@pytest.mark.django_db
def test_the_summary_table_agrees_with_the_facts(users):
    """The writers keep `totals`: after a workflow, a help measure that ended, a move and a
    rejected case, check() finds no difference, and a rebuild gives the same figures."""
    from xiezuo.households import edits
    from xiezuo.households import totals as kept
    from xiezuo.households.models import HouseholdFigure

    u = users["county_office"]
    v1, v2 = village(), village("513436102201", "峨普村", "巴普镇")
    a, b, c = household(u, v1), household(u, v1), household(u, v2)
    identify(u, a, D(2026, 11, 20), D(2026, 12, 2))
    identify(u, b, D(2026, 11, 25), D(2026, 12, 3), "sudden")
    actions.add_help(u, a, kind="employment", description="转移就业", started_on=D(2026, 11, 4), post=POST, ended_on=D(2026, 12, 1))
    actions.add_help(u, b, kind="medical", description="医疗救助", started_on=D(2026, 12, 4), post=POST)
    case = actions.open_case(u, c, channel="cadre", clue_on=D(2026, 12, 1), post=POST)
    actions.advance(u, case, step=Step.VISIT, done_on=D(2026, 12, 2), post=POST, passed=False)  # rejected: back to normal
    edits.edit_household(u, b, {}, [], village=v2)  # moved to the other village
    assert kept.check() == []
    day = D(2026, 12, 6)
    before = figures(u, "village", "513436", day)
    by_unit = {r["unit"]: r for r in before}
    assert by_unit["513436101201"]["help"]["employment"] == 0  # ended before the day
    assert by_unit["513436102201"]["help"]["medical"] == 1 and by_unit["513436102201"]["monitored"] == 1
    assert figures(u, "village", "513436", D(2026, 11, 30))[0]["help"]["employment"] == 1  # in force then
    HouseholdFigure.objects.all().delete()
    assert kept.check() != []
    kept.rebuild()
    assert kept.check() == [] and figures(u, "village", "513436", day) == before


@pytest.mark.django_db
def test_without_help_from_the_summary_equals_the_facts_and_the_figures_page(users):
    """The weekly sheet's "monitored without help" (help in force on the day) read from the
    summary equals the facts query after help added, ended, starting later, a household
    identified, one moved; and the figures page's column shows the same figure."""
    from collections import Counter

    from xiezuo.households import edits
    from xiezuo.households import totals as kept
    from xiezuo.households.figures import without_help_counts, without_help_households

    u = users["county_office"]
    day = D(2026, 12, 6)

    def facts(width, as_of=day):
        return dict(Counter(h.village_code[:width] for h in without_help_households(as_of)))

    def agree():
        assert kept.check() == []
        for width in (2, 4, 6, 9, 12):
            assert without_help_counts(day, width, today=day) == facts(width), width
        for as_of in (D(2026, 12, 2), D(2026, 12, 5)):  # a past day: the facts themselves
            assert without_help_counts(as_of, 6, today=day) == facts(6, as_of)
        page = {r["unit"]: r["without_help"] for r in figures(u, "village", "513436", day) if r["without_help"]}
        assert page == facts(12)

    v1, v2 = village(), village("513436102201", "峨普村", "巴普镇")
    a, b, c, d = household(u, v1), household(u, v1), household(u, v2), household(u, v2)
    identify(u, a, D(2026, 11, 20), D(2026, 12, 2))
    identify(u, b, D(2026, 11, 25), D(2026, 12, 3), "sudden")
    identify(u, c, D(2026, 11, 25), D(2026, 12, 3))
    agree()
    assert facts(6) == {"513436": 3}
    actions.add_help(u, a, kind="employment", description="转移就业", started_on=D(2026, 11, 4), post=POST)
    agree()
    assert facts(6) == {"513436": 2}
    actions.add_help(u, b, kind="medical", description="医疗救助", started_on=D(2026, 11, 4), post=POST, ended_on=D(2026, 12, 1))
    agree()  # ended before the day: without help again (the old "never helped" column said helped)
    actions.add_help(u, c, kind="education", description="教育资助", started_on=D(2026, 12, 20), post=POST)
    agree()  # starts after the day: the summary's `until` says helped, the correction says not
    assert facts(6) == {"513436": 2}
    actions.add_help(u, b, kind="social", description="临时救助", started_on=D(2026, 12, 1), post=POST, ended_on=D(2026, 12, 6))
    agree()  # in force to the day itself
    assert facts(6) == {"513436": 1}
    identify(u, d, D(2026, 11, 26), D(2026, 12, 9))  # identified after the day
    agree()
    edits.edit_household(u, c, {}, [], village=v1)  # moved
    agree()
    assert facts(12) == {"513436101201": 1}
