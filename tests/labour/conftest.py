"""Builders of the labour tests: workers of 美姑县, an employer in 鄞州区 and one in 美姑县, a
labour project of 美姑县 with money in its account, and the issue's county rules."""
import datetime

import pytest
from django.utils import timezone

from tests.support import WAN, agreement_of, county_pair
from xiezuo.core.personal.idnumbers import make_id_number
from xiezuo.labour import actions
from xiezuo.labour.demo import seed_rules
from xiezuo.ledger import actions as ledger
from xiezuo.orgs.models import Organisation
from xiezuo.projects.actions import create_project
from xiezuo.regions.models import Region

D = datetime.date


def idn(seq, code="513436", born=D(1992, 5, 17)):
    return make_id_number(code, born, seq)


@pytest.fixture
def meigu_county(db):
    return Region.objects.get(code="513436")


@pytest.fixture
def yinzhou(db):
    return Region.objects.get(code="330212")


@pytest.fixture
def employer(db, yinzhou):
    return Organisation.objects.create(name="宁波测试电子厂", kind="enterprise", region=yinzhou)


@pytest.fixture
def local_employer(db, meigu_county):
    return Organisation.objects.create(name="美姑县测试合作社", kind="enterprise", region=meigu_county)


@pytest.fixture
def worker(users, meigu_county):
    return actions.register_worker(users["county_office"], county=meigu_county, name="吉克阿依", id_number=idn(11),
                                   phone="13987654321", household_status="alleviated", skills=["电子装配", "普工"],
                                   preferred_provinces=["33"], expected_wage_fen=4500_00)


@pytest.fixture
def placement(users, worker, employer, yinzhou):
    today = timezone.localdate()
    return actions.record_placement(users["county_office"], worker=worker, employer=employer, place=yinzhou,
                                    start_date=today - datetime.timedelta(days=200), monthly_wage_fen=6000_00,
                                    occupation_code="6-25-04-01")


@pytest.fixture
def labour_project(users, meigu_county):
    """A labour project of 美姑县 with 20万元 in its account."""
    today = timezone.localdate()
    pair = county_pair()
    p = create_project(users["county_office"], name="劳务协作补贴", category="labour", county=meigu_county, pairing=pair,
                       planned_start=today - datetime.timedelta(days=300), planned_end=today + datetime.timedelta(days=60))
    alloc = ledger.allocate(users["east_office"], agreement=agreement_of(pair), amount_fen=50 * WAN, idempotency_key="lab-alloc")
    ledger.confirm_arrival(users["county_office"], allocation=alloc, arrived_on=today, idempotency_key="lab-arr")
    ledger.disburse(users["county_office"], project=p, amount_fen=20 * WAN, idempotency_key="lab-disb")
    return p


@pytest.fixture
def rules(users, meigu_county):
    return seed_rules(users["county_office"], meigu_county, timezone.localdate().year)
