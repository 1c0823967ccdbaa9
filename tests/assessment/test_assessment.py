"""Assessment: every shipped indicator against numbers worked out by hand on a small fixture
in the demo pair 鄞州区 330212 — 美姑县 513436, built through the actions; composites,
ranks among peers, the rows behind every number, and who may see them.

The fixture, for 2025Q2 (1 April – 30 June 2025), computed on 15 July 2025:

milestones (项目推进如期性)      A: m2 on time, m3 late, m4 on time (m1 is in Q1);
                                 B: b1 reached on its planned day; C cancelled (ignored);
                                 E (no pairing): e1 not reached; D in 昭觉 513431: not reached
professionals (派驻稳定性)       terms ending in Q2: p1 stayed, p2 left early, p3 stayed,
                                 p7 (school pairing) stayed; p4 still in post; p5 never
                                 started; p6 goes west→east; p8 served only in 2024
outputs (配套率)                 latest report per project up to 30 June
deal returns (转化收益率)         two deals of a 鄞州区 owner used in 美姑县: returns ending 30 June
                                 (50,000 / 400,000 fen) and 31 May (10,000 / 100,000 fen), one
                                 ending 31 July (not counted)
agreements of 2025                no labour or consumption commitment (those indicators have no
                                 value here; they are counted in test_channel_facts.py)
ledger (资金到位及时率, 刚性)     700,000 fen arrived on time, 300,000 fen arrived late
                                 (after the quarter), 100,000 fen allocated and reversed
agreement 2025 of the pair        fiscal aid 1,000,000 fen due 30 June, 2 cadres, 8 professionals
"""
import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.http import Http404

from tests.support import county_pair, office, shared_world
from xiezuo.assessment import facts
from xiezuo.assessment.compute import mark_stale, recompute
from xiezuo.assessment.models import IndicatorSystem, Score
from xiezuo.core.periods import Period
from xiezuo.assessment.scorecards import pairing_scorecard_for, scorecard_for
from xiezuo.assessment.scoring import q2 as round2
from xiezuo.assessment.subjects import all_subjects, subject_for_key
from xiezuo.assessment.tasks import enqueue, recompute_period, recompute_stale
from xiezuo.ledger import actions as ledger
from xiezuo.pairings.actions import save_agreement
from xiezuo.pairings.models import Agreement, Pairing
from xiezuo.people.actions import save_dispatch, stability
from xiezuo.people.models import Dispatch
from xiezuo.projects.actions import complete_milestone, create_project, record_output, transition
from xiezuo.regions.models import Region

pytestmark = pytest.mark.django_db
D = datetime.date
Q2 = Period.quarter(2025, 2)
AS_OF = D(2025, 7, 15)


def build(users):
    """The fixture described in the module docstring."""
    county, national, east = users["county_office"], users["national"], users["east_office"]
    meigu, zhaojue = Region.objects.get(code="513436"), Region.objects.get(code="513431")
    pair = county_pair("330212", "513436")

    def project(name, milestones, pairing=pair, region=meigu, user=county, start=D(2025, 1, 10), end=D(2025, 12, 31)):
        p = create_project(user, name=name, category="industry", county=region, pairing=pairing, planned_start=start,
                           planned_end=end, milestones=milestones)
        return transition(user, p, "in_progress", on=start)

    def reach(p, seq, on, user=county):
        complete_milestone(user, p.milestones.get(seq=seq), on)

    a = project("高山蔬菜基地", [("选址", D(2025, 3, 20)), ("大棚建成", D(2025, 4, 30)), ("设备安装", D(2025, 6, 15)),
                                ("首批上市", D(2025, 6, 30))])
    reach(a, 1, D(2025, 3, 18))
    reach(a, 2, D(2025, 4, 28))
    reach(a, 3, D(2025, 6, 20))  # five days late
    reach(a, 4, D(2025, 6, 30))
    b = project("马铃薯种薯扩繁", [("育苗", D(2025, 5, 31)), ("收获", D(2025, 8, 31))], start=D(2025, 2, 1), end=D(2025, 9, 30))
    reach(b, 1, D(2025, 5, 31))
    c = project("已取消项目", [("开工", D(2025, 5, 15))])
    transition(county, c, "cancelled", on=D(2025, 4, 1))
    e = project("县自筹道路", [("路基", D(2025, 6, 10))], pairing=None)
    d = project("昭觉县肉牛养殖", [("牛舍", D(2025, 5, 20))], pairing=county_pair("330281", "513431"), region=zhaojue, user=national)

    record_output(county, a, as_of=D(2025, 3, 31), local_procurement_fen=100, total_procurement_fen=400)
    record_output(county, a, as_of=D(2025, 6, 30), local_procurement_fen=300_000, total_procurement_fen=1_000_000,
                  tech_income_fen=50_000, tech_investment_fen=400_000)
    record_output(county, a, as_of=D(2025, 7, 31), local_procurement_fen=900_000, total_procurement_fen=1_000_000)
    record_output(county, b, as_of=D(2025, 5, 31), local_procurement_fen=200_000, total_procurement_fen=1_000_000,
                  tech_income_fen=10_000, tech_investment_fen=100_000)
    record_output(county, e, as_of=D(2025, 4, 30), local_procurement_fen=100_000, total_procurement_fen=100_000)
    record_output(national, d, as_of=D(2025, 6, 1), local_procurement_fen=50, total_procurement_fen=100)

    yinzhou, meigu_office = office("330212"), office("513436")
    school_pair = Pairing.objects.get(kind="school", west_org__region__code="513436")

    def send(name, kind, planned, actual, direction="e2w", frm=yinzhou, to=meigu_office, pairing=pair):
        save_dispatch(county, person_name=name, kind=kind, direction=direction, from_org=frm, to_org=to, pairing=pairing,
                      planned_start=planned[0], planned_end=planned[1], actual_start=actual[0], actual_end=actual[1])

    send("p1", "education", (D(2024, 9, 1), D(2025, 6, 30)), (D(2024, 9, 1), D(2025, 6, 30)))
    send("p2", "medical", (D(2024, 12, 1), D(2025, 5, 31)), (D(2024, 12, 1), D(2025, 4, 15)))
    send("p3", "agriculture", (D(2025, 1, 1), D(2025, 6, 15)), (D(2025, 1, 5), D(2025, 6, 20)))
    send("p4", "science", (D(2025, 3, 1), D(2025, 8, 31)), (D(2025, 3, 1), None))
    send("p5", "other", (D(2025, 4, 1), D(2025, 6, 30)), (None, None))
    send("c1", "cadre", (D(2024, 7, 1), D(2026, 6, 30)), (D(2024, 7, 1), None))
    send("p6", "education", (D(2025, 1, 1), D(2025, 6, 30)), (D(2025, 1, 1), D(2025, 6, 30)), direction="w2e",
         frm=meigu_office, to=yinzhou)
    send("p7", "education", (D(2025, 2, 1), D(2025, 6, 30)), (D(2025, 2, 1), D(2025, 6, 30)),
         frm=school_pair.east_org, to=school_pair.west_org, pairing=school_pair)
    send("p8", "medical", (D(2024, 3, 1), D(2024, 12, 31)), (D(2024, 3, 1), D(2024, 12, 31)))

    agreement = save_agreement(county, Agreement.objects.get(pairing=pair, year=2025), fiscal_aid_fen=1_000_000,
                               funds_due_date=D(2025, 6, 30), cadres=2, professionals=8)
    a1 = ledger.allocate(east, agreement=agreement, amount_fen=700_000, idempotency_key="as-a1", booked_on=D(2025, 4, 1))
    a2 = ledger.allocate(east, agreement=agreement, amount_fen=300_000, idempotency_key="as-a2", booked_on=D(2025, 5, 1))
    a3 = ledger.allocate(east, agreement=agreement, amount_fen=100_000, idempotency_key="as-a3", booked_on=D(2025, 5, 5))
    ledger.reverse(east, posting=a3, reason="重复下达", idempotency_key="as-a3r", booked_on=D(2025, 5, 6))
    ledger.confirm_arrival(county, allocation=a1, arrived_on=D(2025, 6, 20), idempotency_key="as-r1")
    ledger.confirm_arrival(county, allocation=a2, arrived_on=D(2025, 7, 10), idempotency_key="as-r2")
    Agreement.objects.filter(year=2025).update(labour_placements=0, consumption_fen=0)

    from xiezuo.markets.tech import actions as tech
    from xiezuo.orgs.models import Organisation

    owner = Organisation.objects.create(name="宁波测试农科院", kind="enterprise", region=Region.objects.get(code="330212"))
    for number, (income, investment), signed, ends in (("ZL2025AS0001", (50_000, 400_000), D(2025, 1, 10), D(2025, 6, 30)),
                                                       ("ZL2025AS0002", (10_000, 100_000), D(2025, 2, 1), D(2025, 5, 31))):
        t = tech.offer_technology(national, owner=owner, number=number, title=f"测试技术 {number}")
        deal = tech.sign_deal(county, technology=t, licensee=meigu_office, kind="licence", price_fen=investment, county=meigu,
                              signed_on=signed)
        tech.record_return(county, deal=deal, period_end=ends, revenue_fen=income, cost_fen=investment)
        if number.endswith("1"):
            tech.record_return(county, deal=deal, period_end=D(2025, 7, 31), revenue_fen=7, cost_fen=7)
    return {"pair": pair, "school_pair": school_pair, "projects": (a, b, c, d, e)}


DEMO_ROLES = ("national", "east_office", "west_office", "county_office", "viewer", "auditor")


@pytest.fixture(scope="module")
def computed_world(django_db_setup, django_db_blocker):
    """Built and computed for 2025Q2 once for the module (`support.shared_world`); each test
    sees it as built, in its own transaction, whatever the tests before it changed."""
    with shared_world(django_db_blocker):
        world = build({u.username: u for u in get_user_model().objects.filter(username__in=DEMO_ROLES)})
        recompute(Q2, as_of=AS_OF)
        yield world


@pytest.fixture
def world(computed_world, db):
    """The world's objects, read afresh so that no test sees another's changes to them."""
    return {"pair": Pairing.objects.get(pk=computed_world["pair"].pk),
            "school_pair": Pairing.objects.get(pk=computed_world["school_pair"].pk),
            "projects": tuple(type(p).objects.get(pk=p.pk) for p in computed_world["projects"])}


@pytest.fixture
def q2(world):
    return world


def score_of(key, period=Q2):
    return Score.objects.get(subject_key=key, period_kind=period.kind, period_start=period.start, system=IndicatorSystem.current())


def value(score, code):
    v = score.values[code]["value"]
    return None if v is None else Decimal(v)


def points(score, code):
    v = score.values[code]["score"]
    return None if v is None else Decimal(v)


# --- each shipped indicator, by hand -----------------------------------------------------


def test_projects_on_schedule_counts_milestones_due_in_the_quarter(q2):
    meigu = score_of("region:513436")
    # due: m2, m3, m4, b1, e1 (m1 is in Q1, C is cancelled); on time: m2, m4, b1
    assert (meigu.facts["milestones_due"], meigu.facts["milestones_due_on_time"]) == (5, 3)
    assert value(meigu, "projects_on_schedule") == Decimal("60")
    assert points(meigu, "projects_on_schedule") == Decimal("25.00")  # (60 − 50) / (90 − 50) × 100
    pair = score_of(f"pairing:{q2['pair'].pk}")  # E has no pairing, so the pair has one milestone fewer
    assert (pair.facts["milestones_due"], pair.facts["milestones_due_on_time"]) == (4, 3)
    assert points(pair, "projects_on_schedule") == Decimal("62.50")
    ningbo_liangshan = Pairing.objects.get(kind="prefecture", east_region__code="330200", west_region__code="513400")
    nested = score_of(f"pairing:{ningbo_liangshan.pk}")  # holds both county pairs: 鄞州—美姑 and 余姚—昭觉
    assert (nested.facts["milestones_due"], nested.facts["milestones_due_on_time"]) == (5, 3)
    zhaojue = score_of("region:513431")
    assert (zhaojue.facts["milestones_due"], zhaojue.facts["milestones_due_on_time"]) == (1, 0)
    assert points(zhaojue, "projects_on_schedule") == 0
    yinzhou = score_of("region:330212")  # the eastern county is scored on the work it pairs in
    assert (yinzhou.facts["milestones_due"], yinzhou.facts["milestones_due_on_time"]) == (4, 3)


def test_professional_stability_counts_terms_ending_in_the_quarter(q2):
    meigu = score_of("region:513436")
    # due: p1, p2, p3, p7 (p4 ends in Q3, p5 never started, p6 went west → east); stayed: p1, p3, p7
    assert (meigu.facts["professionals_due"], meigu.facts["professionals_completed"]) == (4, 3)
    assert value(meigu, "professional_stability") == Decimal("75")
    assert points(meigu, "professional_stability") == Decimal("42.86")  # (75 − 60) / (95 − 60) × 100
    school = score_of(f"pairing:{q2['school_pair'].pk}")  # a sector pair counts only the rows that name it
    assert (school.facts["professionals_due"], school.facts["professionals_completed"]) == (1, 1)
    assert points(school, "professional_stability") == 100


def test_stability_agrees_with_the_people_app(q2):
    rows = Dispatch.objects.filter(direction="e2w", to_org__region__code="513436", planned_end__gte=Q2.start)
    completed, due = stability(rows, Q2.end)
    meigu = score_of("region:513436")
    assert (meigu.facts["professionals_completed"], meigu.facts["professionals_due"]) == (completed, due)


def test_local_supply_ratio_and_technology_return_use_the_latest_report_by_the_cut(q2):
    meigu = score_of("region:513436")
    # A's report of 30 June (not 31 March, not 31 July), B's of 31 May, E's of 30 April; the deals' returns
    # ending 30 June and 31 May (not 31 July)
    assert (meigu.facts["local_procurement_fen"], meigu.facts["total_procurement_fen"]) == (600_000, 2_100_000)
    assert value(meigu, "local_supply_ratio") == Decimal("28.5714")
    assert points(meigu, "local_supply_ratio") == Decimal("21.43")  # (28.5714 − 20) / (60 − 20) × 100
    assert (meigu.facts["tech_income_fen"], meigu.facts["tech_investment_fen"]) == (60_000, 500_000)
    assert value(meigu, "tech_transfer_return") == Decimal("12")
    assert points(meigu, "tech_transfer_return") == Decimal("80.00")  # 12 / 15 × 100
    pair = score_of(f"pairing:{q2['pair'].pk}")
    assert value(pair, "local_supply_ratio") == Decimal("25")
    assert points(pair, "local_supply_ratio") == Decimal("12.50")


def test_funds_arrival_timeliness_from_the_ledger(q2):
    meigu = score_of("region:513436")
    # 1,000,000 fen allocated and due by 30 June (the reversed 100,000 does not count); 700,000 arrived by then
    assert (meigu.facts["funds_allocated_due_fen"], meigu.facts["funds_arrived_on_time_fen"]) == (1_000_000, 700_000)
    assert value(meigu, "funds_timeliness") == Decimal("70")
    assert points(meigu, "funds_timeliness") == Decimal("25.00")  # (70 − 60) / (100 − 60) × 100


def test_agreement_rigidity_compares_actuals_with_the_commitments(q2):
    meigu = score_of("region:513436")
    assert (meigu.facts["fiscal_aid_arrived_fen"], meigu.facts["fiscal_aid_due_fen"]) == (700_000, 1_000_000)
    assert points(meigu, "rigidity_funds") == Decimal("40.00")  # 70 % between 50 and 100
    # in post during 2025 up to the cut: p1 p2 p3 p4 p7 (not p5, p6, p8); one cadre of two committed
    assert (meigu.facts["professionals_dispatched"], meigu.facts["professionals_committed"]) == (5, 8)
    assert points(meigu, "rigidity_professionals") == Decimal("25.00")  # 62.5 % between 50 and 100
    assert (meigu.facts["cadres_dispatched"], meigu.facts["cadres_committed"]) == (1, 2)
    assert value(meigu, "rigidity_cadres") == Decimal("50")
    assert points(meigu, "rigidity_cadres") == 0  # threshold: below 100 % scores nothing
    # no labour placement or purchase and nothing committed (the fixture's agreements): 0 of 0 is no value
    assert meigu.facts["labour_placed"] == 0 and meigu.facts["consumption_actual_fen"] == 0
    assert meigu.facts["labour_committed"] == Agreement.objects.get(pairing=q2["pair"], year=2025).labour_placements == 0
    assert value(meigu, "rigidity_labour") is None and points(meigu, "rigidity_consumption") is None
    assert meigu.evidence["labour_placed"]["model"] == "labour.placement"
    assert facts.why_unavailable("labour_placed") == ""


def test_a_province_pair_holds_everything_nested_in_it_against_its_own_agreement(q2):
    zj_sc = Pairing.objects.get(kind="province", east_region__code="330000", west_region__code="510000")
    s = score_of(f"pairing:{zj_sc.pk}")
    assert s.level == "province_pair" and s.peer_group == "province_pair"
    assert s.facts["professionals_committed"] == Agreement.objects.get(pairing=zj_sc, year=2025).professionals
    assert s.facts["professionals_dispatched"] == 5
    assert s.facts["funds_arrived_on_time_fen"] == 700_000


def test_composite_grade_and_rank_among_key_assistance_counties(q2):
    meigu = score_of("region:513436")
    scored = [(15, "25.00"), (12, "42.86"), (15, "25.00"), (8, "40.00"), (4, "0"), (4, "25.00"), (20, "21.43"), (14, "80.00")]
    expected = round2(sum(w * Decimal(s) for w, s in scored) / sum(w for w, _s in scored))
    assert expected == Decimal("35.14")
    assert meigu.composite == expected
    assert meigu.basic == round2(sum(w * Decimal(s) for w, s in scored[:6]) / 58)
    assert meigu.effectiveness == Decimal("45.55")
    assert meigu.grade == "poor"
    # 昭觉 scores 75 on its outputs and 0 elsewhere: (20 × 75) / 51 = 29.41; 布拖 has only zeros
    assert score_of("region:513431").composite == Decimal("29.41")
    assert score_of("region:513429").composite == 0
    # 布拖's zeros are its agreement's rigidity alone, too little of the weight to grade: not ranked
    buto = score_of("region:513429")
    assert buto.coverage < 50 and (buto.grade, buto.rank) == ("incomplete", None)
    assert score_of("region:513431").coverage == Decimal("51.0") and score_of("region:513431").grade == "poor"
    assert (meigu.peer_group, meigu.rank, meigu.peers, meigu.coverage) == ("key", 1, 2, Decimal("100.0") - 8)
    assert score_of("region:513431").rank == 2
    unpaired = score_of("region:513430")  # a key county with nothing to measure is not ranked
    assert (unpaired.composite, unpaired.grade, unpaired.rank) == (None, "", None)


def test_a_running_period_only_counts_what_is_due_by_the_day_of_computation(world):
    recompute(Q2, as_of=D(2025, 5, 31))
    meigu = score_of("region:513436")
    assert (meigu.facts["milestones_due"], meigu.facts["milestones_due_on_time"]) == (2, 2)  # m2, b1
    assert meigu.as_of == D(2025, 5, 31)
    assert meigu.facts["funds_allocated_due_fen"] == 0 and value(meigu, "funds_timeliness") is None


def test_the_year_counts_the_late_arrival_for_rigidity_but_not_for_timeliness(world):
    recompute(Period.year(2025), as_of=AS_OF)
    meigu = score_of("region:513436", Period.year(2025))
    assert meigu.facts["funds_arrived_on_time_fen"] == 700_000
    assert meigu.facts["fiscal_aid_arrived_fen"] == 1_000_000
    assert points(meigu, "rigidity_funds") == 100


# --- the rows behind every number -------------------------------------------------------


def _measure(rows, fact, window=facts.Window.of(Q2, AS_OF)):
    # the measure of the computation itself: fiscal aid arrived is capped at each agreement's commitment
    return facts.total(rows, fact, window)


@pytest.mark.parametrize("key", ["region:513436", "region:330212", "pair", "school_pair", "province", "prefecture"])
def test_every_number_is_the_sum_of_the_rows_shown_behind_it(q2, users, key):
    subject_key = {
        "pair": f"pairing:{q2['pair'].pk}", "school_pair": f"pairing:{q2['school_pair'].pk}",
        "province": f"pairing:{Pairing.objects.get(kind='province', east_region__code='330000', west_region__code='510000').pk}",
        "prefecture": f"pairing:{Pairing.objects.get(kind='prefecture', east_region__code='330200').pk}",
    }.get(key, key)
    score = score_of(subject_key)
    subject = subject_for_key(subject_key, Q2)
    window = facts.Window.of(Q2, AS_OF)
    checked = 0
    for name, number in score.facts.items():
        rows = facts.evidence(name, subject, window)
        if rows is None:
            assert number is None
            continue
        assert _measure(rows, name) == number, name
        checked += 1
    assert checked >= 15


def test_facts_for_all_subjects_take_a_fixed_number_of_queries(q2, django_assert_max_num_queries):
    subjects = all_subjects(Q2)
    assert len(subjects) > 1400  # every cooperating county and every pairing
    with django_assert_max_num_queries(11):  # one per family of rows (9) and the region look-ups
        facts.compute(subjects, facts.Window.of(Q2, AS_OF))
    with CaptureQueriesContext(connection) as ctx:
        recompute(Q2, as_of=AS_OF)
    # the score rows go in batches (SQLite caps the variables per statement); everything else is fixed
    assert len([q for q in ctx.captured_queries if not q["sql"].startswith("INSERT")]) <= 28  # 25 before the three channel families


# --- idempotence and staleness -------------------------------------------------------------


def test_recomputing_is_idempotent(q2):
    before = {s.subject_key: (s.facts, s.values, s.composite, s.rank) for s in Score.objects.all()}
    enqueue(recompute_period, Q2.label, as_of=AS_OF.isoformat())
    after = {s.subject_key: (s.facts, s.values, s.composite, s.rank) for s in Score.objects.all()}
    assert before == after


def test_an_ended_pairing_loses_its_score_on_recomputation(q2):
    pair = q2["school_pair"]
    Pairing.objects.filter(pk=pair.pk).update(valid_to=D(2025, 3, 31))
    r = recompute(Q2, as_of=AS_OF)
    assert r.removed == 1
    assert not Score.objects.filter(subject_key=f"pairing:{pair.pk}").exists()


def test_a_changed_fact_marks_the_affected_scores_stale_until_recomputed(q2, users):
    recompute(Period.quarter(2025, 1), as_of=AS_OF)
    flagged = mark_stale(["513436", "330212"], D(2025, 6, 15))
    stale = set(Score.objects.filter(stale=True).values_list("subject_key", "period_label"))
    zj_sc = Pairing.objects.get(kind="province", east_region__code="330000", west_region__code="510000")
    assert ("region:513436", "2025Q2") in stale and ("region:330212", "2025Q2") in stale
    assert (f"pairing:{q2['pair'].pk}", "2025Q2") in stale and (f"pairing:{zj_sc.pk}", "2025Q2") in stale
    assert ("region:513436", "2025Q1") not in stale  # ended before the change
    assert ("region:513431", "2025Q2") not in stale  # another county
    assert flagged == len(stale)
    assert scorecard_for(users["county_office"], "513436", Q2).stale is True

    done = recompute_stale(as_of=AS_OF.isoformat())
    assert {r["period"] for r in done} == {"2025Q2"}
    assert not Score.objects.filter(stale=True).exists()


# --- who sees what ---------------------------------------------------------------------------


def test_a_county_office_sees_its_scorecard_its_rank_and_the_rows_behind_it(q2, users):
    card = scorecard_for(users["county_office"], "513436", Q2)
    assert card.computed and card.system.number == 1
    assert (card.rank, card.peers, card.peer_group) == (1, 2, "key")
    assert card.composite == Decimal("35.14")
    line = next(li for li in card.lines if li.code == "projects_on_schedule")
    assert (line.value, line.score, line.facts) == (Decimal("60"), Decimal("25.00"), {"milestones_due_on_time": 3, "milestones_due": 5})
    rows = card.evidence("milestones_due")
    assert sorted(rows.values_list("name", flat=True)) == sorted(["大棚建成", "设备安装", "首批上市", "育苗", "路基"])
    assert card.evidence("funds_arrived_on_time_fen").aggregate(s=Sum("amount_fen"))["s"] == 700_000


def test_a_county_office_does_not_see_a_peers_scorecard_nor_its_partners_evidence(q2, users):
    county = users["county_office"]
    with pytest.raises(Http404):
        scorecard_for(county, "513431", Q2)  # a peer in the same group: not in its view at all
    partner = scorecard_for(county, "330212", Q2)  # the paired eastern district: the scorecard, not the rows
    assert partner.computed and not partner.evidence_visible
    with pytest.raises(PermissionDenied):
        partner.evidence("milestones_due")


@pytest.mark.parametrize("name", ["west_office", "viewer", "national", "auditor"])
def test_offices_above_and_the_national_level_see_the_rows(q2, users, name):
    card = scorecard_for(users[name], "513436", Q2)
    assert card.evidence_visible
    assert card.evidence("professionals_due").count() == 4


def test_east_office_sees_the_pair_scorecard_and_a_stranger_does_not(q2, users):
    card = pairing_scorecard_for(users["east_office"], q2["pair"], Q2)
    assert card.evidence_visible and card.evidence("milestones_due").count() == 4
    stranger = get_user_model().objects.get(username="foundation")  # a viewer at a Shanghai foundation
    with pytest.raises(Http404):
        pairing_scorecard_for(stranger, q2["pair"], Q2)
    with pytest.raises(Http404):
        scorecard_for(stranger, "513436", Q2)


def test_a_period_not_yet_computed_has_an_empty_scorecard(world, users):
    card = scorecard_for(users["county_office"], "513436", Period.quarter(2025, 3))
    assert not card.computed and card.composite is None and card.lines == []


def test_the_command_seeds_computes_and_shows(world, capsys):
    call_command("assess", "seed")
    call_command("assess", "compute", "2025Q2", "--as-of", "2025-07-15")
    call_command("assess", "show", "2025Q2", "--top", "1")
    out = capsys.readouterr().out
    assert "nothing done" in out and "2025Q2 v1" in out and "region:513436" in out
