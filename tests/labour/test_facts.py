"""Labour facts for the assessment, hand-computed on a small fixture, and the office figures."""
import datetime

import pytest
from django.utils import timezone

from tests.labour.conftest import idn
from tests.support import agreement_of, county_pair
from xiezuo.core.periods import Period
from xiezuo.labour import actions
from xiezuo.labour.facts import evidence, labour_facts
from xiezuo.labour.figures import missed_checks, office_figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_placed(users, meigu_county, employer, local_employer, yinzhou):
    """Three workers of 美姑县: two placed this year (one twice), one placed last year."""
    today = timezone.localdate()
    ws = [actions.register_worker(users["county_office"], county=meigu_county, name=f"工{i}", id_number=idn(301 + 2 * i))
          for i in range(3)]
    jan = datetime.date(today.year, 1, 10)
    actions.record_placement(users["county_office"], worker=ws[0], employer=employer, place=yinzhou, start_date=jan)
    actions.record_placement(users["county_office"], worker=ws[0], employer=local_employer, place=meigu_county,
                             start_date=jan + datetime.timedelta(days=1))
    actions.record_placement(users["county_office"], worker=ws[1], employer=local_employer, place=meigu_county, start_date=jan)
    actions.record_placement(users["county_office"], worker=ws[2], employer=employer, place=yinzhou,
                             start_date=datetime.date(today.year - 1, 6, 1))
    agreement = agreement_of(county_pair())
    agreement.labour_placements = 8
    agreement.save()
    return ws


def test_labour_rigidity_hand_computed(three_placed):
    today = timezone.localdate()
    f = labour_facts("513436", Period.year(today.year), as_of=today)
    assert (f.placed, f.placements, f.in_paired_province, f.out_of_province, f.committed) == (2, 3, 1, 1, 8)
    assert f.percent == 25.0  # 2 / 8
    rows = evidence("513436", Period.year(today.year), as_of=today)
    assert len(rows) == 3 and all("*" in r["id_number"] for r in rows)
    last = labour_facts("513436", Period.year(today.year - 1))
    assert last.placed == 1


def test_office_figures_and_missed_checks(users, three_placed):
    fig = office_figures(users["county_office"])
    assert fig["placed"] == 2 and fig["committed"] == 8 and fig["percent"] == 25.0
    east = office_figures(users["east_office"])
    assert east["placed"] == 1  # only the placement in Zhejiang
    missed = missed_checks(users["county_office"])
    assert three_placed[2].pk in set(missed.values_list("worker_id", flat=True))  # placed last June, no check recorded
