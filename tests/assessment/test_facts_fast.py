"""The recomputation at national scale (issue 13 point 4): the facts come from quicker
queries (the latest output report of a project by an anti-join instead of a sub-query per
report; dispatches grouped by organisation, their regions looked up afterwards) and the
scores are written by COPY and one upsert — with exactly the facts, rows and scores of
before. The old grouped queries are kept here as they were and compared with the new ones
on a generated world with reversals in it, for several periods, running and closed.

Also: a family of rows fed by another app's function (how labour, consumption or
technology deals will feed their indicators, `facts.register`), and a recomputation that
keeps each score's id.
"""
import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Q, Subquery

from tests.support import shared_world
from xiezuo.assessment import facts
from xiezuo.assessment.compute import recompute
from xiezuo.assessment.models import IndicatorSystem, Score
from xiezuo.assessment.subjects import Rollup, all_subjects
from xiezuo.core.periods import Period
from xiezuo.datagen import national
from xiezuo.ledger import actions as ledger
from xiezuo.pairings.models import Agreement, Pairing
from xiezuo.projects.models import ProjectOutput

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 30)
WAN = 10_000_00
PERIODS = [(Period.quarter(2026, 1), None), (Period.quarter(2026, 2), None), (Period.quarter(2026, 3), None),
           (Period.quarter(2026, 4), TODAY), (Period.year(2025), None), (Period.quarter(2025, 4), None),
           (Period.quarter(2026, 2), datetime.date(2026, 5, 20))]


def old_report_in_period(w):
    """`facts._report_in_period` as it was before 6 December 2026 (a sub-query per report)."""
    latest = (ProjectOutput.objects.filter(project=OuterRef("project"), as_of__gte=w.period.start, as_of__lte=w.cut)
              .order_by("-as_of").values("as_of")[:1])
    return Q(as_of__gte=w.period.start, as_of=Subquery(latest))


def old_compute(subjects, window, names):
    """`facts.compute` as it was before 6 December 2026: each family grouped by the region
    paths themselves (dispatches joined to both organisations), outputs by the sub-query."""
    out = {s.key: {} for s in subjects}
    by_family = {}
    for name in names:
        family = facts.source_of(name)
        for values in out.values():
            values[name] = None if family is None else 0
        if family is not None:
            by_family.setdefault(family.name, []).append(facts.FACTS[name])
    rollup = Rollup(subjects)
    for family_name, fs in by_family.items():
        family = facts.FAMILIES[family_name]
        model = family.model_class()
        where = old_report_in_period(window) if family_name == "outputs" else family.where(window)
        attribute = family.attribution(rollup)
        rows = (model._default_manager.filter(where).values(*[p for p in (family.west, family.east, family.pairing) if p])
                .annotate(**{f.name: f.aggregate(window) for f in fs}).order_by())
        for row in rows:
            for key in attribute(row[family.west], row[family.east], row[family.pairing] if family.pairing else None):
                for f in fs:
                    out[key][f.name] += row[f.name] or 0
    return out


@pytest.fixture(scope="module")
def nation(django_db_setup, django_db_blocker):
    """A small generated nation (2022–2026), plus corrections: an arrival and an allocation
    reversed, and an allocation that arrived."""
    with shared_world(django_db_blocker):
        national.generate(scale=0.002, seed=7, today=TODAY, log=lambda *_a: None)
        User = get_user_model()
        east, county = User.objects.get(username="east_office"), User.objects.get(username="county_office")
        pair = Pairing.objects.get(kind="county", east_region__code="330212", west_region__code="513436")
        agreement = Agreement.objects.get(pairing=pair, year=2026)
        a1 = ledger.allocate(east, agreement=agreement, amount_fen=100 * WAN, idempotency_key="ff-a1",
                             booked_on=datetime.date(2026, 4, 2))
        r1 = ledger.confirm_arrival(county, allocation=a1, arrived_on=datetime.date(2026, 5, 2), idempotency_key="ff-r1")
        ledger.reverse(county, posting=r1, reason="录入错误", idempotency_key="ff-x1")
        a2 = ledger.allocate(east, agreement=agreement, amount_fen=50 * WAN, idempotency_key="ff-a2",
                             booked_on=datetime.date(2026, 4, 3))
        ledger.reverse(east, posting=a2, reason="重复下达", idempotency_key="ff-x2")
        a3 = ledger.allocate(east, agreement=agreement, amount_fen=30 * WAN, idempotency_key="ff-a3",
                             booked_on=datetime.date(2026, 4, 4))
        ledger.confirm_arrival(county, allocation=a3, arrived_on=datetime.date(2026, 8, 1), idempotency_key="ff-r3")
        yield {"pair": pair}


@pytest.mark.parametrize("period,as_of", PERIODS, ids=[f"{p.label}@{a or p.end}" for p, a in PERIODS])
def test_every_fact_of_every_subject_is_what_the_old_queries_gave(nation, period, as_of):
    subjects = all_subjects(period)
    window = facts.Window.of(period, as_of or period.end)
    names = sorted(facts.FACT_NAMES)
    new, old = facts.compute(subjects, window, names), old_compute(subjects, window, names)
    assert new == old
    counted = {n: sum(v[n] or 0 for v in new.values()) for n in names}
    # the world is not empty where it matters: every kind of row counts somewhere in these periods
    if period == Period.quarter(2026, 2) and as_of is None:
        assert all(counted[n] for n in ("milestones_due", "professionals_dispatched", "local_procurement_fen",
                                        "funds_allocated_due_fen", "funds_arrived_on_time_fen", "fiscal_aid_arrived_fen"))
    if period == Period.quarter(2026, 3):
        assert counted["professionals_due"] and counted["local_procurement_fen"]


@pytest.mark.parametrize("period,as_of", PERIODS, ids=[f"{p.label}@{a or p.end}" for p, a in PERIODS])
def test_the_output_reports_behind_the_numbers_are_the_same_rows(nation, period, as_of):
    window = facts.Window.of(period, as_of or period.end)
    new = set(ProjectOutput.objects.filter(facts._report_in_period(window)).values_list("pk", flat=True))
    old = set(ProjectOutput.objects.filter(old_report_in_period(window)).values_list("pk", flat=True))
    assert new == old
    if window.cut == period.end < TODAY:  # whole closed periods have reports; a running one may have none yet
        assert new


def test_a_recomputation_keeps_each_scores_id_and_writes_the_same_figures(nation):
    period = Period.quarter(2026, 2)
    recompute(period, as_of=datetime.date(2026, 6, 20))  # a what-if within the period: not closing
    first = {s.subject_key: s for s in Score.objects.filter(period_start=period.start)}
    recompute(period, as_of=datetime.date(2026, 6, 20))
    again = {s.subject_key: s for s in Score.objects.filter(period_start=period.start)}
    assert set(first) == set(again) and len(first) > 100
    fields = [f.attname for f in Score._meta.concrete_fields if f.attname not in ("computed_at",)]
    for key, s in first.items():
        assert [getattr(s, f) for f in fields] == [getattr(again[key], f) for f in fields], key
    graded = [s for s in again.values() if s.composite is not None]
    assert graded and all(isinstance(s.facts, dict) and s.values for s in graded)


def test_a_family_fed_by_another_apps_function_counts_for_every_subject_by_the_same_rule(nation, monkeypatch):
    """How labour placements will feed 协议刚性·劳务协作: a family whose grouped figures come
    from the app's own function; the county, its county pair and the province pair above
    all get the number, and the indicator gets a value."""
    pair = nation["pair"]
    calls = []

    def placements_by_place(window, names):
        calls.append((window.period.start, window.cut, tuple(names)))
        return [{"west": pair.west_region_id, "east": pair.east_region_id, "pairing": pair.pk, "labour_placed": 7}]

    monkeypatch.setattr(facts, "FAMILIES", {k: v for k, v in facts.FAMILIES.items() if k != "placements"})
    monkeypatch.setattr(facts, "FACTS", {**facts.FACTS, "labour_placed": facts.Fact("labour_placed", "labour placements made", None)})
    facts.register(
        facts.Family("placements", "people.Dispatch", "to_org__region_id", "from_org__region_id", "pairing_id",
                     where=lambda w: Q(pk__in=[]), grouped=placements_by_place),
        facts.Fact("labour_placed", "labour placements made", "placements"))
    with pytest.raises(ValueError):
        facts.register(None, facts.Fact("milestones_due", "again", "placements"))
    with pytest.raises(ValueError):
        facts.register(facts.Family("placements", "people.Dispatch", "a", "b", "c", where=lambda w: Q()))

    period = Period.quarter(2026, 2)
    subjects = all_subjects(period)
    got = facts.compute(subjects, facts.Window.of(period), ["labour_placed", "labour_committed"])
    province = Pairing.objects.get(kind="province", east_region__code="330000", west_region__code="510000")
    for key in ("region:513436", "region:330212", f"pairing:{pair.pk}", f"pairing:{province.pk}"):
        assert got[key]["labour_placed"] == 7, key
    # and nobody else: exactly the subjects the place rule gives (the prefecture pair too)
    expected = set(Rollup(subjects).nested(pair.west_region_id, pair.east_region_id, pair.pk))
    assert {k for k, v in got.items() if v["labour_placed"]} == expected
    assert all(got[k]["labour_placed"] == 7 for k in expected)
    assert calls == [(period.start, period.end, ("labour_placed",))]

    recompute(period, as_of=period.end)
    score = Score.objects.get(subject_key="region:513436", period_start=period.start, system=IndicatorSystem.current())
    assert score.facts["labour_placed"] == 7
