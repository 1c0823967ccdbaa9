"""New facts mark the scores they feed stale, and the scheduled recompute picks them up.

The world is the one of test_assessment (a Meigu project portfolio, dispatches, an
agreement and its funds), computed for 2025Q1 and Q2. Each test changes one kind of fact
through its action (or sends the hook itself) and checks which scores went stale.
"""
import datetime

import pytest

from tests.assessment.test_assessment import AS_OF, Q2, build
from tests.support import county_pair
from xiezuo.assessment.compute import recompute
from xiezuo.assessment.models import Score
from xiezuo.assessment.tasks import recompute_stale
from xiezuo.core import facts
from xiezuo.core.periods import Period
from xiezuo.pairings.actions import save_agreement
from xiezuo.pairings.models import Agreement, Pairing
from xiezuo.regions.actions import save_region_fact
from xiezuo.regions.models import Region

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def scored(users):
    world = build(users)
    recompute(Period.quarter(2025, 1), as_of=AS_OF)
    recompute(Q2, as_of=AS_OF)
    assert not Score.objects.filter(stale=True).exists()
    return world


def stale():
    return set(Score.objects.filter(stale=True).values_list("subject_key", "period_label"))


def province_pair():
    return Pairing.objects.get(kind="province", east_region__code="330000", west_region__code="510000")


def test_the_hook_marks_the_scores_of_the_regions_from_the_date_on(scored):
    facts.changed({"513436"}, D(2025, 4, 2))
    found = stale()
    assert ("region:513436", "2025Q2") in found
    assert (f"pairing:{scored['pair'].pk}", "2025Q2") in found
    assert (f"pairing:{province_pair().pk}", "2025Q2") in found  # the province pair holds Meigu
    assert ("region:513436", "2025Q1") not in found  # ended before the change
    assert ("region:513431", "2025Q2") not in found  # another county

    done = recompute_stale(as_of=AS_OF.isoformat())
    assert {r["period"] for r in done} == {"2025Q2"}
    assert not stale()


def test_a_region_fact_marks_its_county_scores_of_that_year_stale(scored, users):
    save_region_fact(users["county_office"], Region.objects.get(code="513436"), 2025, population=270_000)
    found = stale()
    assert {("region:513436", "2025Q1"), ("region:513436", "2025Q2"), (f"pairing:{scored['pair'].pk}", "2025Q2")} <= found
    assert not any(key == "region:513431" for key, _label in found)

    recompute_stale(as_of=AS_OF.isoformat())
    assert not stale()


def test_a_region_fact_of_another_county_leaves_meigu_alone(scored, users):
    save_region_fact(users["national"], Region.objects.get(code="513431"), 2025, population=300_000)
    found = stale()
    assert ("region:513431", "2025Q2") in found
    assert not any(key == "region:513436" for key, _label in found)


def test_an_agreement_marks_both_sides_of_its_pairing_stale(scored, users):
    pair = county_pair("330212", "513436")
    save_agreement(users["county_office"], Agreement.objects.get(pairing=pair, year=2025), professionals=9)
    found = stale()
    assert {(f"pairing:{pair.pk}", "2025Q1"), (f"pairing:{pair.pk}", "2025Q2"), ("region:330212", "2025Q2"),
            ("region:513436", "2025Q2")} <= found
    assert ("region:513431", "2025Q2") not in found

    recompute_stale(as_of=AS_OF.isoformat())
    assert not stale()


def test_a_rolled_back_write_marks_nothing(scored, users):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        save_region_fact(users["county_office"], Region.objects.get(code="513436"), 2025, population=1)
        raise RuntimeError
    assert not stale()


def test_a_recomputation_is_one_audited_bulk_write(scored):
    from xiezuo.core.models import AuditEntry

    entries = AuditEntry.objects.filter(object_type="assessment.score")
    assert entries.count() == 2  # Q1 and Q2, one entry each however many scores
    q2_entry = entries.get(object_repr__startswith="2025Q2")
    assert q2_entry.after == {"count": Score.objects.filter(period_label="2025Q2").count()}


def test_a_posting_marks_its_pairing_and_counties_scores_stale(scored, users):
    from xiezuo.ledger import actions as ledger

    pair = scored["pair"]
    agreement = Agreement.objects.get(pairing=pair, year=2025)
    ledger.allocate(users["east_office"], agreement=agreement, amount_fen=50_000, idempotency_key="stale-a", booked_on=D(2025, 6, 2))
    found = stale()
    assert (f"pairing:{pair.pk}", "2025Q2") in found
    assert (f"pairing:{pair.pk}", "2025Q1") not in found  # booked after Q1 ended
    assert ("region:513431", "2025Q2") not in found

    recompute_stale(as_of=AS_OF.isoformat())
    assert not stale()


def test_a_weekly_report_marks_its_county_scores_stale(scored, users):
    from xiezuo.projects.actions import submit_report

    project = scored["projects"][0]
    submit_report(users["county_office"], project, week=D(2025, 6, 23), percent=80)
    found = stale()
    assert ("region:513436", "2025Q2") in found
    assert ("region:513436", "2025Q1") not in found
    assert ("region:513431", "2025Q2") not in found

    recompute_stale(as_of=AS_OF.isoformat())
    assert not stale()
