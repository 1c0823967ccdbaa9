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
