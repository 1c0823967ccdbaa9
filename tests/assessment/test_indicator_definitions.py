"""Each indicator computed as its page defines it, and a closed quarter that stays closed.

Worked by hand on small worlds in the demo pair 鄞州区 330212 — 美姑县 513436, whose 2025
agreement commits fiscal aid due 30 June 2025; 美姑县 also has a school pairing (its
western side in 美姑县) with an agreement of its own.
"""
import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.support import county_pair, office
from xiezuo.assessment import facts
from xiezuo.assessment.compute import mark_stale, recompute
from xiezuo.assessment.models import IndicatorSystem, Score
from xiezuo.assessment.subjects import county_subjects, pairing_subjects
from xiezuo.core.errors import PermissionDenied
from xiezuo.core.models import AuditEntry
from xiezuo.core.periods import Period
from xiezuo.ledger import actions as ledger
from xiezuo.pairings.actions import save_agreement
from xiezuo.pairings.models import Agreement, Pairing
from xiezuo.people.actions import save_dispatch
from xiezuo.projects.actions import create_project, record_output, transition
from xiezuo.regions.models import Region

pytestmark = pytest.mark.django_db
D = datetime.date
Q2, Q3 = Period.quarter(2025, 2), Period.quarter(2025, 3)
MEIGU = "region:513436"


def facts_of(period, as_of=D(2025, 12, 31), code="513436"):
    """The facts of one county (its commitments come from its pairings, so those are subjects too)."""
    subjects = county_subjects([code]) + pairing_subjects(period)
    return facts.compute(subjects, facts.Window.of(period, as_of))[f"region:{code}"]


def value(key, period, code):
    s = Score.objects.get(subject_key=key, period_kind=period.kind, period_start=period.start, system=IndicatorSystem.current())
    v = s.values[code]["value"]
    return None if v is None else Decimal(v)


def score_of(key=MEIGU, period=Q2):
    return Score.objects.get(subject_key=key, period_kind=period.kind, period_start=period.start, system=IndicatorSystem.current())


@pytest.fixture
def pair():
    return county_pair("330212", "513436")


@pytest.fixture
def agreement(users, pair):
    return save_agreement(users["national"], Agreement.objects.get(pairing=pair, year=2025), fiscal_aid_fen=1_000_000,
                          funds_due_date=D(2025, 6, 30))


def pay(users, agreement, amount, key, booked, arrived=None):
    alloc = ledger.allocate(users["east_office"], agreement=agreement, amount_fen=amount, idempotency_key=key, booked_on=booked)
    if arrived:
        ledger.confirm_arrival(users["county_office"], allocation=alloc, arrived_on=arrived, idempotency_key=f"{key}-r")
    return alloc


# --- a. fiscal-aid rigidity: numerator and denominator on the same base ----------------------


def test_funds_rigidity_of_a_county_with_two_pairings_never_exceeds_what_was_committed(users, agreement):
    school = Pairing.objects.get(kind="school", west_org__region__code="513436")
    school_agreement = save_agreement(users["national"], Agreement.objects.get(pairing=school, year=2025),
                                      fiscal_aid_fen=750_000, funds_due_date=D(2025, 6, 30))
    pay(users, agreement, 1_000_000, "a-1", D(2025, 4, 1), D(2025, 5, 1))
    pay(users, agreement, 200_000, "a-2", D(2025, 4, 2), D(2025, 5, 2))  # more than the county pair committed
    pay(users, school_agreement, 750_000, "a-3", D(2025, 4, 3), D(2025, 5, 3))  # the school pairing's own money
    f = facts_of(Q2)
    # the commitment is the county's county-to-county agreement; the arrivals counted are those under it,
    # at most what it committed: 1,000,000 of 1,200,000 — not 1,950,000 (195 %)
    assert (f["fiscal_aid_arrived_fen"], f["fiscal_aid_due_fen"]) == (1_000_000, 1_000_000)
    recompute(Q2, as_of=D(2025, 7, 15))
    assert value(MEIGU, Q2, "rigidity_funds") == Decimal("100")


# --- b. only what falls due within the period --------------------------------------------


def test_funds_in_a_quarter_count_only_what_fell_due_in_it(users, agreement):
    pay(users, agreement, 600_000, "b-1", D(2025, 4, 1), D(2025, 6, 20))
    pay(users, agreement, 400_000, "b-2", D(2025, 4, 1), D(2025, 8, 10))  # late
    q2, q3 = facts_of(Q2), facts_of(Q3)
    assert (q2["funds_arrived_on_time_fen"], q2["funds_allocated_due_fen"]) == (600_000, 1_000_000)
    assert (q2["fiscal_aid_arrived_fen"], q2["fiscal_aid_due_fen"]) == (600_000, 1_000_000)
    # nothing falls due in Q3: the dues of Q2 are not carried forward
    assert (q3["funds_allocated_due_fen"], q3["fiscal_aid_due_fen"]) == (0, 0)
    recompute(Q3, as_of=D(2025, 10, 15))
    # an empty denominator is no data, never 0
    assert value(MEIGU, Q3, "funds_timeliness") is None and value(MEIGU, Q3, "rigidity_funds") is None
    year = facts_of(Period.year(2025), D(2026, 1, 15))
    assert (year["fiscal_aid_arrived_fen"], year["funds_arrived_on_time_fen"]) == (1_000_000, 600_000)


# --- c. output reports of the period -------------------------------------------------------


def test_local_supply_and_technology_return_count_the_reports_of_the_period(users, pair):
    county = users["county_office"]
    p = create_project(county, name="高山蔬菜基地", category="industry", county=Region.objects.get(code="513436"), pairing=pair,
                       planned_start=D(2025, 1, 10), planned_end=D(2025, 12, 31), milestones=[("选址", D(2025, 3, 20))])
    transition(county, p, "in_progress", on=D(2025, 1, 10))
    record_output(county, p, as_of=D(2025, 3, 31), local_procurement_fen=300, total_procurement_fen=1_000,
                  tech_income_fen=10, tech_investment_fen=100)
    # Q2 has no report of its own: the Q1 report does not keep counting
    q2 = facts_of(Q2)
    assert (q2["local_procurement_fen"], q2["total_procurement_fen"], q2["tech_investment_fen"]) == (0, 0, 0)
    recompute(Q2, as_of=D(2025, 7, 15))
    assert value(MEIGU, Q2, "local_supply_ratio") is None and value(MEIGU, Q2, "tech_transfer_return") is None
    # two reports in Q3 (figures to date): the later one is the quarter's
    record_output(county, p, as_of=D(2025, 8, 31), local_procurement_fen=400, total_procurement_fen=2_000)
    record_output(county, p, as_of=D(2025, 9, 30), local_procurement_fen=900, total_procurement_fen=3_000,
                  tech_income_fen=30, tech_investment_fen=200)
    q3 = facts_of(Q3)
    assert (q3["local_procurement_fen"], q3["total_procurement_fen"]) == (900, 3_000)
    # technology returns are no longer read from the output reports: the deals' returns feed them (test_channel_facts.py)
    assert (q3["tech_income_fen"], q3["tech_investment_fen"]) == (0, 0)


# --- d. an amended due date applies to allocations already booked -------------------------


def test_an_amended_due_date_applies_to_the_allocations_booked_before_it(users, agreement):
    pay(users, agreement, 1_000_000, "d-1", D(2025, 4, 1), D(2025, 7, 20))  # booked while due 30 June
    save_agreement(users["national"], agreement, funds_due_date=D(2025, 7, 31))  # amended: due 31 July
    q2, q3 = facts_of(Q2), facts_of(Q3)
    assert (q2["funds_allocated_due_fen"], q2["fiscal_aid_due_fen"]) == (0, 0)
    # timeliness and rigidity on the same scorecard read the same date: the arrival of 20 July is on time
    assert (q3["funds_arrived_on_time_fen"], q3["funds_allocated_due_fen"]) == (1_000_000, 1_000_000)
    assert (q3["fiscal_aid_arrived_fen"], q3["fiscal_aid_due_fen"]) == (1_000_000, 1_000_000)


def test_amending_the_due_date_says_that_booked_allocations_follow(users, agreement, client_as):
    pay(users, agreement, 300_000, "d-2", D(2025, 4, 1))
    client = client_as("national")
    url = reverse("agreement-edit", args=[agreement.pk])
    form = client.get(url).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if not isinstance(v, (list, dict))}
    data.update({k: form[k].value() if form[k].value() is not None else "" for k in form.fields})
    data["funds_due_date"] = "2025-07-31"
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    agreement.refresh_from_db()
    assert agreement.funds_due_date == D(2025, 7, 31)
    shown = " ".join(str(m) for m in response.context["messages"])
    assert "2025-07-31" in shown and "1" in shown
    assert re.search("已下达|allocation", shown)


# --- e. a term without a reported end is missing data ---------------------------------------


def test_a_professional_without_a_reported_end_is_missing_not_gone_early(users, pair, client_as):
    east, west = office("330212"), office("513436")
    common = dict(direction="e2w", from_org=east, to_org=west, pairing=pair)
    save_dispatch(users["county_office"], person_name="甲", kind="medical", planned_start=D(2024, 9, 1), planned_end=D(2025, 6, 30),
                  actual_start=D(2024, 9, 1), actual_end=D(2025, 6, 30), **common)
    save_dispatch(users["county_office"], person_name="乙", kind="education", planned_start=D(2024, 9, 1),
                  planned_end=D(2025, 5, 31), actual_start=D(2024, 9, 1), actual_end=None, **common)
    f = facts_of(Q2)
    assert (f["professionals_completed"], f["professionals_due"], f["professionals_end_missing"]) == (1, 1, 1)
    recompute(Q2, as_of=D(2025, 7, 15))
    assert value(MEIGU, Q2, "professional_stability") == Decimal("100")  # not 50
    page = client_as("county_office").get(reverse("scorecard-evidence", args=["region", "513436", "2025Q2", "professional_stability"]))
    html = page.content.decode()
    apart = html.split('data-testid="apart"')[1]
    assert "未报结束日期" in apart and "乙" in apart


# --- the pages say in words what counts -------------------------------------------------------


def test_indicator_page_states_each_definition_in_words(client_as):
    html = client_as("viewer").get(reverse("indicator-list")).content.decode()
    row = html.split('data-definition="funds_timeliness"')[1].split("</tr>")[0]
    assert "到位期限" in row and "本期" in row
    assert "funds_arrived_on_time_fen" not in html.split('data-testid="indicators"')[1].split("</table>")[0]
    rules = html.split('data-testid="rules"')[1].split("</div></div>")[0]
    assert "重述" in rules and "无数据" in rules or "—" in rules


def test_evidence_describes_the_rows_in_words_and_money_in_yuan(users, agreement, client_as):
    pay(users, agreement, 1_000_000, "w-1", D(2025, 4, 1), D(2025, 6, 20))
    recompute(Q2, as_of=D(2025, 7, 15))
    html = client_as("county_office").get(reverse("scorecard-evidence", args=["region", "513436", "2025Q2", "funds_timeliness"])).content.decode()
    formula = html.split('data-testid="formula">')[1].split("</dd>")[0]
    assert "按期到位" in formula or "到位" in formula
    assert "_fen" not in formula and "funds_" not in formula
    where = html.split('data-testid="where">')[1].split("</div>")[0]
    assert "2025-04-01" in where and "2025-06-30" in where and "2025年" in where
    assert "sum(" not in html and "amount_fen" not in html and "（分）" not in html and "(分)" not in html
    assert "10,000.00 元（1.00 万元）" in html


# --- periods close ----------------------------------------------------------------------


def test_a_december_allocation_is_not_in_the_september_evidence(users, agreement, client_as):
    pay(users, agreement, 500_000, "c-1", D(2025, 4, 1), D(2025, 6, 20))
    pay(users, agreement, 300_000, "c-2", D(2025, 12, 6))  # booked 6 December, for the commitment due 30 June
    q3 = facts_of(Q3, D(2025, 12, 10))
    assert q3["funds_allocated_due_fen"] == 0
    q2 = facts_of(Q2, D(2025, 12, 10))
    assert q2["funds_allocated_due_fen"] == 500_000  # not booked by 30 June
    assert facts_of(Period.year(2025), D(2026, 1, 5))["funds_allocated_due_fen"] == 800_000
    recompute(Q3, as_of=D(2025, 12, 10))
    html = client_as("county_office").get(reverse("scorecard-evidence", args=["region", "513436", "2025Q3", "funds_timeliness"])).content.decode()
    assert "2025-12-06" not in html


def test_a_closed_quarter_keeps_its_figures_until_the_national_coordinator_restates(users, agreement, client_as):
    pay(users, agreement, 500_000, "r-1", D(2025, 4, 1), D(2025, 6, 20))
    pay(users, agreement, 500_000, "r-2", D(2025, 4, 2), D(2025, 6, 25))
    recompute(Q2, as_of=D(2025, 7, 15))  # the close
    closed = score_of()
    assert closed.closed_at is not None and value(MEIGU, Q2, "funds_timeliness") == Decimal("100")
    # posted late, dated in the closed quarter: 1,000,000 more due 30 June, arrived after it
    late = pay(users, agreement, 1_000_000, "r-3", D(2025, 6, 1), D(2025, 7, 5))
    mark_stale(["513436"], D(2025, 6, 1))
    recompute(Q2)
    s = score_of()
    assert value(MEIGU, Q2, "funds_timeliness") == Decimal("100")  # the same figures as at the close
    assert s.facts == closed.facts and s.values == closed.values and s.composite == closed.composite
    assert Decimal(s.restatement["figures"]["values"]["funds_timeliness"]["value"]) == 50
    assert not s.stale

    listed = client_as("national").get(reverse("scorecard-list") + "?period=2025Q2&q=美姑").content.decode()
    assert 'data-testid="restatement-pending"' in listed
    card = client_as("national").get(reverse("scorecard-detail", args=["region", "513436", "2025Q2"])).content.decode()
    block = card.split('data-testid="restatement"')[1].split('data-testid="restate-form"')[0]
    assert "待重述" in block and "100" in block and "50" in block
    evidence = client_as("county_office").get(
        reverse("scorecard-evidence", args=["region", "513436", "2025Q2", "funds_timeliness"])).content.decode()
    counted = evidence.split('id="fact-funds_allocated_due_fen"')[1].split('data-testid="apart"')[0]
    assert f"#{late.pk}" not in counted  # the late allocation is not among the rows counted…
    apart = evidence.split('id="fact-funds_allocated_due_fen"')[1].split('data-testid="apart"')[1].split("</section>")[0]
    assert f"#{late.pk}" in apart  # …it is listed apart, waiting for a restatement
    assert 'data-testid="restate-form"' not in client_as("county_office").get(
        reverse("scorecard-detail", args=["region", "513436", "2025Q2"])).content.decode()

    # only the national coordinator restates
    url = reverse("scorecard-restate", args=["region", "513436", "2025Q2"])
    assert client_as("county_office").post(url).status_code == 403
    assert client_as("west_office").post(url).status_code == 403
    from xiezuo.assessment.restatements import restate

    with pytest.raises(PermissionDenied):
        restate(users["east_office"], s)
    assert value(MEIGU, Q2, "funds_timeliness") == Decimal("100")
    response = client_as("national").post(url)
    assert response.status_code == 302
    s = score_of()
    assert value(MEIGU, Q2, "funds_timeliness") == Decimal("50") and s.restatement == {}
    assert Decimal(s.restated[-1]["old"]["values"]["funds_timeliness"]["value"]) == 100
    assert Decimal(s.restated[-1]["new"]["values"]["funds_timeliness"]["value"]) == 50 and s.restated[-1]["by"] == "national"
    entry = AuditEntry.objects.filter(object_type="assessment.score", object_id=str(s.pk)).latest("time")
    assert entry.username == "national" and Decimal(entry.before["values"]["funds_timeliness"]["value"]) == 100
    # nothing left to restate
    recompute(Q2)
    assert score_of().restatement == {} and value(MEIGU, Q2, "funds_timeliness") == Decimal("50")


def test_the_daily_run_after_a_quarter_ends_closes_it_once(users, agreement):
    """Nobody has to remember to close a quarter: the first daily run after its last day
    computes it and that computation closes it; later runs leave it as it is."""
    from xiezuo.assessment.tasks import close_ended_quarter

    pay(users, agreement, 1_000_000, "c-1", D(2025, 4, 1), D(2025, 6, 20))
    assert not Score.objects.filter(period_kind=Q2.kind, period_start=Q2.start).exists()
    done = close_ended_quarter("2025-07-01")
    assert done["period"] == "2025Q2"
    closed_at = score_of().closed_at
    assert closed_at is not None
    assert close_ended_quarter("2025-07-02") is None  # closed already: nothing to do
    assert score_of().closed_at == closed_at


def test_an_amended_due_date_also_moves_the_ticket_the_weekly_sheet_and_the_funds_page(users, agreement):
    """The early-intervention ticket, the weekly sheet's overdue funds and the funds page's
    timeliness read the same due date in force as the indicators (ledger.dues)."""
    from xiezuo.assessment.loop import apply_rules
    from xiezuo.assessment.models import InterventionTicket
    from xiezuo.ledger.balances import arrival_timeliness
    from xiezuo.ledger.models import Posting
    from xiezuo.orgs.models import Organisation
    from xiezuo.rhythm.sheets import overdue_allocations

    alloc = pay(users, agreement, 1_000_000, "t-1", D(2025, 4, 1))  # stamped due 30 June
    save_agreement(users["national"], agreement, funds_due_date=D(2025, 9, 30))  # amended: due 30 September
    county = Organisation.objects.get(kind="office", region__code="513436")
    assert list(overdue_allocations(county, D(2025, 8, 15))) == []  # not due yet by the date in force
    assert [p.pk for p in overdue_allocations(county, D(2025, 10, 15))] == [alloc.pk]
    apply_rules(Q3, today=D(2025, 8, 15), codes=["arrival-overdue"])
    assert not InterventionTicket.objects.filter(posting=alloc).exists()
    apply_rules(Period.quarter(2025, 4), today=D(2025, 11, 30), codes=["arrival-overdue"])
    ticket = InterventionTicket.objects.get(posting=alloc)
    assert ticket.evidence["posting"]["due_date"] == "2025-09-30"

    ledger.confirm_arrival(users["county_office"], allocation=alloc, arrived_on=D(2025, 8, 20), idempotency_key="t-1-r")
    # arrived 20 August: late by the stamp, on time by the amended date
    assert arrival_timeliness(Posting.objects.filter(pk=alloc.pk))["on_time_fen"] == 1_000_000
