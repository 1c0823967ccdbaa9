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
