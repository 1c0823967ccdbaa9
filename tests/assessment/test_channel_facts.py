"""The three channel indicators computed from their apps' records, by hand on a small
fixture: 协议刚性·劳务协作 (labour placements), 协议刚性·消费帮扶 (consumption purchases) and
技术成果转化收益率 (technology deals' returns instead of project output reports).

The world: the demo pair 鄞州区 330212 — 美姑县 513436, its 2026 agreement's commitments set
to 12 workers and 20,000 yuan, the second quarter of 2026 (1 April – 30 June), computed after
it ended. The channels are measured to date (序时进度): what was done from 1 January to the
cut against the year's commitment × 181 / 365 (the days of 2026 up to 30 June), rounded half
up: 12 → 5.95 → 6 workers; 20,000 yuan → 9,917.808… → 9,917.81 yuan (991,781 fen).

Labour (美姑县 workers): 阿依 placed on 10 April in 鄞州区 and again on 20 May (one worker),
 木呷 on 30 June in 美姑县 (the last day), 伍沙 on 31 March (in the year) and on 1 July (after
 the cut) → 3 workers placed; 3 / 6 × 100 = 50.
Consumption (美姑高山土豆, certified 1 January – 31 May 2026): 3,000 yuan on 15 April,
 2,000 yuan on 31 May and 800 yuan on 20 March by buyers of 鄞州区 count; 1,000 yuan on
 10 June (the certificate had expired) and 500 yuan on 20 April by a Guangzhou buyer (no
 pairing links it) do not → 5,800 yuan; 580,000 / 991,781 × 100 = 58.4807.
Technology (two deals of a 鄞州区 owner's technologies, used in 美姑县): returns ending
 30 June (30,000 yuan revenue, 15,000 cost) and 31 May (6,000, 45,000) count; one ending
 31 March (120,000, 60,000) does not → 36,000 / 60,000 × 100 = 60.
"""
import datetime

import pytest
from django.urls import reverse

from tests.support import county_pair, office
from xiezuo.assessment import evidence as ev, facts
from xiezuo.assessment.compute import recompute
from xiezuo.assessment.models import IndicatorSystem, Score
from xiezuo.assessment.subjects import all_subjects, pairing_key
from xiezuo.consumption import actions as consumption
from xiezuo.core.periods import Period
from xiezuo.core.personal.idnumbers import make_id_number
from xiezuo.labour import actions as labour
from xiezuo.markets.tech import actions as tech
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Agreement, Pairing
from xiezuo.regions.models import Region

pytestmark = pytest.mark.django_db

D = datetime.date
Q2 = Period.quarter(2026, 2)
WEST, EAST = "513436", "330212"


def region(code):
    return Region.objects.get(code=code)


@pytest.fixture
def world(users):
    county, west, east, national = users["county_office"], users["west_office"], users["east_office"], users["national"]
    pair = county_pair()
    Agreement.objects.filter(pairing=pair, year=2026).update(labour_placements=12, consumption_fen=20_000_00)
    meigu, yinzhou = region(WEST), region(EAST)

    # labour
    factory = Organisation.objects.create(name="宁波测试电子厂", kind="enterprise", region=yinzhou)
    other = Organisation.objects.create(name="宁波测试服装厂", kind="enterprise", region=yinzhou)
    coop = Organisation.objects.create(name="美姑县测试合作社", kind="enterprise", region=meigu)
    people = {}
    for seq, name in ((21, "吉克阿依"), (22, "阿说木呷"), (23, "曲比伍沙")):
        people[name] = labour.register_worker(county, county=meigu, name=name, id_number=make_id_number(WEST, D(1990, 3, 3), seq),
                                              household_status="alleviated", skills=["普工"], preferred_provinces=["33"])
    placed = {}
    for key, name, employer, place, day in (("ayi1", "吉克阿依", factory, yinzhou, D(2026, 4, 10)),
                                           ("ayi2", "吉克阿依", other, yinzhou, D(2026, 5, 20)),
                                           ("muxia", "阿说木呷", coop, meigu, D(2026, 6, 30)),
                                           ("wusha_before", "曲比伍沙", factory, yinzhou, D(2026, 3, 31)),
                                           ("wusha_after", "曲比伍沙", other, yinzhou, D(2026, 7, 1))):
        placed[key] = labour.record_placement(county, worker=people[name], employer=employer, place=place, start_date=day,
                                              monthly_wage_fen=5000_00)

    # consumption
    supplier = Organisation.objects.create(name="美姑县高山农产品合作社（测试）", kind="enterprise", region=meigu)
    potato = consumption.save_product(county, name="美姑高山土豆（测试）", category="蔬菜", supplier=supplier, county=meigu)
    cert = consumption.apply_certification(county, potato)
    consumption.decide_certificate(west, cert, approve=True, number="SC-XF-2026-9001", valid_from=D(2026, 1, 1),
                                   valid_to=D(2026, 5, 31))
    unit = consumption.save_buyer(east, kind="budget_unit", name="鄞州区测试食堂", region=yinzhou)
    union = consumption.save_buyer(east, kind="union", name="鄞州区测试工会", region=yinzhou)
    gz = consumption.save_buyer(national, kind="enterprise", name="广州测试食品公司", region=region("440106"))
    bought = {}
    for key, buyer, fen, day in (("apr", unit, 3000_00, D(2026, 4, 15)), ("may31", union, 2000_00, D(2026, 5, 31)),
                                 ("expired", unit, 1000_00, D(2026, 6, 10)), ("guangzhou", gz, 500_00, D(2026, 4, 20)),
                                 ("march", union, 800_00, D(2026, 3, 20))):
        bought[key] = consumption.record_purchase(county, buyer=buyer, product=potato, amount_fen=fen, purchased_on=day,
                                                  channel="direct", evidence_number=f"FP-{key}")

    # technology deals
    owner = Organisation.objects.create(name="宁波测试研究院", kind="enterprise", region=yinzhou)
    t1 = tech.offer_technology(national, owner=owner, number="ZL2026TEST0001", title="高山马铃薯贮藏技术")
    t2 = tech.offer_technology(national, owner=owner, number="ZL2026TEST0002", title="彝家土鸡林下养殖技术")
    licensee = office(WEST)
    deal1 = tech.sign_deal(county, technology=t1, licensee=licensee, kind="licence", price_fen=50_000_00, county=meigu,
                           signed_on=D(2026, 1, 10))
    deal2 = tech.sign_deal(county, technology=t2, licensee=licensee, kind="transfer", price_fen=40_000_00, county=meigu,
                           signed_on=D(2026, 2, 1))
    returns = {
        "march": tech.record_return(county, deal=deal1, period_end=D(2026, 3, 31), revenue_fen=120_000_00, cost_fen=60_000_00),
        "june": tech.record_return(county, deal=deal1, period_end=D(2026, 6, 30), revenue_fen=30_000_00, cost_fen=15_000_00),
        "may": tech.record_return(county, deal=deal2, period_end=D(2026, 5, 31), revenue_fen=6_000_00, cost_fen=45_000_00),
    }
    return {"pair": pair, "placed": placed, "bought": bought, "returns": returns}


def subjects_of(pair):
    province = Pairing.objects.get(kind="province", east_region__code="330000", west_region__code="510000")
    return {"west": f"region:{WEST}", "east": f"region:{EAST}", "pair": pairing_key(pair.pk), "province": pairing_key(province.pk)}


def test_facts_are_counted_by_hand(world):
    got = facts.compute(all_subjects(Q2), facts.Window.of(Q2), ["labour_placed", "labour_committed", "consumption_actual_fen",
                                                                "consumption_committed_fen", "tech_income_fen", "tech_investment_fen"])
    keys = subjects_of(world["pair"])
    for who in ("west", "pair", "province"):
        assert got[keys[who]]["labour_placed"] == 3, who
        assert got[keys[who]]["consumption_actual_fen"] == 5800_00, who
        assert (got[keys[who]]["tech_income_fen"], got[keys[who]]["tech_investment_fen"]) == (36_000_00, 60_000_00), who
    # the eastern county: the workers of the western county paired with it, the purchases of its buyers, its owners' deals
    assert got[keys["east"]]["labour_placed"] == 3
    assert got[keys["east"]]["consumption_actual_fen"] == 5800_00
    assert got[keys["east"]]["tech_income_fen"] == 36_000_00
    assert (got[keys["west"]]["labour_committed"], got[keys["west"]]["consumption_committed_fen"]) == (6, 991_781)


def test_the_indicators_are_computed_from_the_records(world):
    recompute(Q2, as_of=D(2026, 7, 15))
    system = IndicatorSystem.current()
    score = Score.objects.get(system=system, subject_key=f"region:{WEST}", period_start=Q2.start)
    assert score.facts["labour_placed"] == 3 and score.facts["consumption_actual_fen"] == 5800_00
    values = {code: v["value"] for code, v in score.values.items()}
    assert values["rigidity_labour"] == "50.0000"
    assert values["rigidity_consumption"] == "58.4807"
    assert values["tech_transfer_return"] == "60.0000"
    # what is stored with the computation says which rows count, in words
    run = score.computation
    assert run.evidence["labour_placed"]["model"] == "labour.placement"
    assert run.evidence["consumption_actual_fen"]["model"] == "consumption.purchase"
    assert run.evidence["tech_income_fen"]["model"] == "markets.dealreturn"


def test_a_subject_without_records_gets_zero_not_no_data(world):
    recompute(Q2, as_of=D(2026, 7, 15))
    other = (Pairing.objects.filter(kind="county").exclude(west_region__code=WEST)
             .filter(agreements__year=2026, agreements__labour_placements__gt=0, agreements__consumption_fen__gt=0).first())
    assert other is not None
    score = Score.objects.get(system=IndicatorSystem.current(), subject_key=f"region:{other.west_region.code}",
                              period_start=Q2.start)
    assert score.facts["labour_placed"] == 0 and score.facts["consumption_actual_fen"] == 0
    assert score.values["rigidity_labour"]["value"] == "0.0000"
    assert score.values["rigidity_consumption"]["value"] == "0.0000"
    assert score.values["rigidity_labour"]["score"] is not None
    assert facts.why_unavailable("labour_placed") == "" and facts.why_unavailable("consumption_actual_fen") == ""


def test_the_evidence_lists_exactly_the_counted_rows(world):
    keys = subjects_of(world["pair"])
    window = facts.Window.of(Q2)
    subjects = {s.key: s for s in all_subjects(Q2)}
    placed, bought, returns = world["placed"], world["bought"], world["returns"]
    for who in ("west", "east", "pair", "province"):
        s = subjects[keys[who]]
        assert set(facts.evidence("labour_placed", s, window)) == {placed["ayi1"], placed["muxia"], placed["wusha_before"]}, who
        assert set(facts.evidence("consumption_actual_fen", s, window)) == {bought["apr"], bought["may31"], bought["march"]}, who
        assert set(facts.evidence("tech_income_fen", s, window)) == {returns["june"], returns["may"]}, who
        assert facts.total(facts.evidence("consumption_actual_fen", s, window), "consumption_actual_fen", window) == 5800_00
        assert facts.total(facts.evidence("labour_placed", s, window), "labour_placed", window) == 3
    # another county's evidence is empty
    other = next(s for s in subjects.values() if s.level == "county" and s.side == "west" and s.region_code != WEST)
    assert not facts.evidence("labour_placed", other, window).exists()


def test_the_evidence_page_shows_the_counted_rows(world, client_as):
    recompute(Q2, as_of=D(2026, 7, 15))
    client = client_as("county_office")
    client.cookies["django_language"] = "en"
    for code, fact, shown, hidden in (
            ("rigidity_labour", "labour_placed", ["吉克阿依", "阿说木呷", "2026-03-31"], ["2026-07-01"]),
            ("rigidity_consumption", "consumption_actual_fen", ["FP-apr", "FP-may31", "FP-march"], ["FP-expired", "FP-guangzhou"]),
            ("tech_transfer_return", "tech_income_fen", ["2026-06-30", "2026-05-31"], ["2026-03-31"])):
        html = client.get(reverse("scorecard-evidence", args=["region", WEST, "2026Q2", code])).content.decode()
        part = html.split(f'id="fact-{fact}"')[1].split("<section")[0]
        for text in shown:
            assert text in part, (code, text)
        for text in hidden:
            assert text not in part, (code, text)
        assert "the same as at computation" in part, code
    # the placements' rows never carry an ID number, masked or not
    html = client.get(reverse("scorecard-evidence", args=["region", WEST, "2026Q2", "rigidity_labour"])).content.decode()
    assert "5134361990" not in html and "****" not in html


def test_the_evidence_table_adds_up_to_the_stored_number(world, users):
    from xiezuo.assessment.scorecards import scorecard_for

    recompute(Q2, as_of=D(2026, 7, 15))
    card = scorecard_for(users["county_office"], region(WEST), Q2)
    for fact in ("labour_placed", "consumption_actual_fen", "tech_income_fen", "tech_investment_fen"):
        table = ev.table(card, fact)
        assert table.matches and not table.unavailable, fact
        assert len(table.rows) == (3 if fact in ("labour_placed", "consumption_actual_fen") else 2), fact
