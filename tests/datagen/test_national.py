"""The national generator makes data shaped like the real work: commitments met by what is
dispatched (with shortfalls), most pairs performing and a few failing, money mostly on
time, milestones mostly on time, projects that end when they are accepted. A small seeded
run over the real region tree and the demo's province and city agreements."""
import datetime
import random
import statistics
from collections import Counter, defaultdict

import pytest
from django.db.models import Count, F, Max, Sum

from tests.support import shared_world
from xiezuo.datagen import national
from xiezuo.ledger.models import Posting
from xiezuo.pairings.models import Agreement, Pairing
from xiezuo.people.models import Dispatch
from xiezuo.projects.models import Milestone, Project, ProjectOutput

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 30)


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    """Generated once for the module (rolled back at its end); each test reads it in its own
    transaction."""
    with shared_world(django_db_blocker):
        national.generate(scale=0.001, seed=7, today=TODAY, log=lambda *_a: None)
        yield


def test_nobody_is_committed_to_a_county_that_receives_nobody(generated, db):
    received = Counter()
    for pairing_id, year, n in (Dispatch.objects.filter(direction="e2w").values_list("pairing_id", "actual_start__year")
                                .annotate(n=Count("id"))):
        received[(pairing_id, year)] += n
    agreements = Agreement.objects.filter(pairing__kind__in=["county", *national.SECTOR_PAIRING_KINDS])
    committed = [(a.pairing_id, a.year) for a in agreements if a.cadres + a.professionals > 0]
    assert committed
    assert [key for key in committed if received[key] == 0] == []


def test_what_is_dispatched_follows_the_commitments_with_realistic_shortfalls(generated, db):
    committed = Agreement.objects.filter(pairing__kind="county").aggregate(c=Sum("cadres"), p=Sum("professionals"))
    sent = Counter(Dispatch.objects.filter(direction="e2w", pairing__kind="county").values_list("kind", flat=True))
    professionals = sum(n for kind, n in sent.items() if kind != "cadre")
    assert 0.85 * committed["p"] <= professionals <= 1.02 * committed["p"]
    assert 0.8 * committed["c"] <= sent["cadre"] <= committed["c"]
    # a province pair's own commitment is met by the county pairs nested in it
    for a in Agreement.objects.filter(pairing__kind="province", year=2026).select_related("pairing__east_region", "pairing__west_region"):
        nested = Dispatch.objects.filter(direction="e2w", kind="cadre", actual_start__year=2026,
                                         pairing__kind="county", pairing__west_region__province_code=a.pairing.west_region.province_code,
                                         pairing__east_region__province_code=a.pairing.east_region.province_code).count()
        assert nested >= 0.7 * a.cadres, a.pairing


def test_terms_run_within_the_year_and_completed_projects_end_when_accepted(generated, db):
    assert not Dispatch.objects.filter(planned_end__year__gt=F("planned_start__year")).exists()
    assert not Dispatch.objects.filter(actual_end__lt=F("actual_start")).exists()
    last = dict(Milestone.objects.values_list("project_id").annotate(m=Max("actual_date")))
    for pid, end in Project.objects.filter(status="completed").values_list("id", "actual_end"):
        assert end == last[pid]


def test_most_pairs_perform_a_minority_lag_and_a_few_fail(db):
    pairs = [Pairing(id=i) for i in range(1, 1001)]
    tiers = Counter(t for (pid, year), t in national.standings(pairs, (2026,), random.Random(1)).items())
    assert 0.7 <= tiers["performing"] / 1000 <= 0.84
    assert 0.12 <= tiers["lagging"] / 1000 <= 0.25
    assert 0.02 <= tiers["failing"] / 1000 <= 0.09
    assert national.standings(pairs, (2026,), random.Random(1)) == national.standings(pairs, (2026,), random.Random(1))


def test_money_and_milestones_are_mostly_on_time_and_local_supply_spreads(generated, db):
    arrivals = Posting.objects.filter(kind="arrival", agreement__year=2025, reversal__isnull=True)
    on_time = arrivals.filter(arrived_on__lte=F("due_date")).aggregate(s=Sum("amount_fen"))["s"] or 0
    total = arrivals.aggregate(s=Sum("amount_fen"))["s"]
    assert 0.8 <= on_time / total < 1.0  # mostly, not always
    due = Milestone.objects.filter(planned_date__lte=TODAY, project__status__in=["in_progress", "completed"])
    reached = due.filter(actual_date__lte=F("planned_date")).count()
    assert 0.8 <= reached / due.count() < 1.0
    ratios = [local / total for local, total in ProjectOutput.objects.filter(total_procurement_fen__gt=0)
              .values_list("local_procurement_fen", "total_procurement_fen")]
    assert 0.3 <= statistics.median(ratios) <= 0.65
    assert min(ratios) < 0.3 and max(ratios) > 0.6


def test_apportion_shares_exactly_and_the_same_way_every_time(db):
    weights = {1: 3, 2: 2, 3: 1, 4: 1}
    shares = national.apportion(10, weights)
    assert sum(shares.values()) == 10 and shares == national.apportion(10, weights)
    assert shares[1] >= shares[2] >= shares[3]
    assert national.apportion(0, weights) == {1: 0, 2: 0, 3: 0, 4: 0}


# --- the channels: labour placements, consumption purchases, technology deals ------------------


def _rigidity(period, placed, committed):
    """{county pairing id: (done, committed)} of the agreement's county pairs, as the assessment counts them."""
    from xiezuo.assessment import facts
    from xiezuo.assessment.subjects import all_subjects

    subjects = [s for s in all_subjects(period) if s.key.startswith("pairing:")]
    got = facts.compute(subjects, facts.Window.of(period), [placed, committed])
    county = set(Pairing.objects.filter(kind="county").values_list("id", flat=True))
    return {int(k.split(":")[1]): (v[placed], v[committed]) for k, v in got.items()
            if int(k.split(":")[1]) in county and v[committed]}


def test_agreements_commit_labour_and_consumption_at_the_national_size(generated, db):
    sums = Agreement.objects.filter(pairing__kind="county", year=2023, note=national.GENERATED).aggregate(
        w=Sum("labour_placements"), f=Sum("consumption_fen"))
    assert 0.9 * national.LABOUR_PER_YEAR * 0.001 <= sums["w"] <= national.LABOUR_PER_YEAR * 0.001
    assert sums["f"] >= 0.9 * national.CONSUMPTION_PER_YEAR_FEN * 0.001


def test_placements_and_counted_purchases_meet_the_commitments_by_standing(generated, db):
    from xiezuo.core.periods import Period

    year = Period.year(2025)
    for done, committed in (("labour_placed", "labour_committed"), ("consumption_actual_fen", "consumption_committed_fen")):
        pairs = _rigidity(year, done, committed)
        assert len(pairs) > 500, done
        ratios = sorted(d / c for d, c in pairs.values())
        met = sum(1 for r in ratios if r >= 0.99) / len(ratios)
        assert 0.6 <= met <= 0.95, (done, met)  # the performing pairs, and lagging ones of a small commitment that round up
        far_short = sum(1 for r in ratios if r < 0.55) / len(ratios)
        assert 0.01 <= far_short <= 0.15, (done, far_short)  # the failing pairs
        total = sum(d for d, _c in pairs.values()) / sum(c for _d, c in pairs.values())
        assert 0.85 <= total <= 1.1, (done, total)


def test_a_purchase_of_an_uncertified_product_is_recorded_but_never_counted(generated, db):
    from xiezuo.consumption.models import Purchase, counted_q

    generated_rows = Purchase.objects.filter(evidence_number__startswith="N")
    uncounted = generated_rows.exclude(counted_q())
    assert 0.02 <= uncounted.count() / generated_rows.count() <= 0.1
    assert not uncounted.filter(product__certificates__status="approved").exists()
    assert not generated_rows.filter(purchased_on__gt=TODAY).exists()


def test_a_share_of_the_pairs_earns_technology_returns_every_quarter(generated, db):
    from xiezuo.core.periods import Period
    from xiezuo.markets.models import DealReturn, TechDeal

    deals = TechDeal.objects.filter(technology__number__contains="N")
    share = deals.count() / Pairing.objects.filter(kind="county").count()
    assert 0.35 <= share <= 0.65
    # the deal is the pair's: the county is the western side, the owner in the eastern county
    for d in deals.select_related("technology__owner")[:50]:
        assert Pairing.objects.filter(kind="county", west_region_id=d.county_id, east_region_id=d.technology.owner.region_id).exists()
    q3 = _rigidity(Period.quarter(2026, 3), "tech_income_fen", "tech_investment_fen")
    assert len(q3) >= 0.9 * deals.filter(signed_on__lt=datetime.date(2026, 7, 1)).count()
    returns = sorted(100 * i / c for i, c in q3.values())
    assert 5 <= statistics.median(returns) <= 20
    assert not DealReturn.objects.filter(period_end__gt=TODAY).exists()
    assert not deals.filter(technology__tokens="").exists()  # findable by matching like any technology offered


def test_the_dashboards_channel_figures_are_refilled_from_the_rows_generated(generated, db):
    from xiezuo.consumption import totals as purchases
    from xiezuo.labour import totals as labour

    assert labour.check() == [] and purchases.check() == []
