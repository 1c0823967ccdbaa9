"""Two requests at the same moment on PostgreSQL pay a subsidy once (the worker's row lock,
then the unique constraint)."""
import datetime
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone, translation

from tests.labour.conftest import idn
from tests.support import WAN, agreement_of, county_pair, ensure_base_data
from xiezuo.labour import actions
from xiezuo.labour.demo import seed_rules
from xiezuo.labour.models import SubsidyPayment
from xiezuo.ledger import actions as ledger
from xiezuo.ledger.choices import Kind
from xiezuo.ledger.models import Posting
from xiezuo.orgs.models import Organisation
from xiezuo.projects.actions import create_project
from xiezuo.regions.models import Region

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises writers anyway)"),
]


@pytest.fixture(scope="module", autouse=True)
def reload_session_data(django_db_setup, django_db_blocker):
    yield
    with django_db_blocker.unblock():
        ensure_base_data()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_pay_once():
    ensure_base_data()
    User = get_user_model()
    county_user, east_user = User.objects.get(username="county_office"), User.objects.get(username="east_office")
    today = timezone.localdate()
    meigu, yinzhou = Region.objects.get(code="513436"), Region.objects.get(code="330212")
    employer = Organisation.objects.create(name="宁波并发测试厂", kind="enterprise", region=yinzhou)
    worker = actions.register_worker(county_user, county=meigu, name="吉克", id_number=idn(41))
    placement = actions.record_placement(county_user, worker=worker, employer=employer, place=yinzhou,
                                         start_date=today - datetime.timedelta(days=200), monthly_wage_fen=6000_00)
    actions.record_check(county_user, placement=placement, milestone=3, checked_on=today, employed=True, wage_months=3)
    seed_rules(county_user, meigu, today.year)
    pair = county_pair()
    project = create_project(county_user, name="劳务补贴并发", category="labour", county=meigu, pairing=pair,
                             planned_start=today - datetime.timedelta(days=10), planned_end=today + datetime.timedelta(days=60))
    alloc = ledger.allocate(east_user, agreement=agreement_of(pair), amount_fen=10 * WAN, idempotency_key="c-alloc")
    ledger.confirm_arrival(county_user, allocation=alloc, arrived_on=today, idempotency_key="c-arr")
    ledger.disburse(county_user, project=project, amount_fen=5 * WAN, idempotency_key="c-disb")

    barrier = threading.Barrier(2)
    results = [None, None]

    def pay(i):
        try:
            translation.activate("en")
            barrier.wait()
            results[i] = actions.pay_subsidy(User.objects.get(pk=county_user.pk), placement=placement, kind="transport",
                                             project=project).pk
        except ValidationError as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    paid = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(paid) == 1 and len(refused) == 1, results
    assert "already paid" in str(refused[0])
    assert SubsidyPayment.objects.filter(worker=worker, kind="transport").count() == 1
    assert Posting.objects.filter(kind=Kind.SPENDING, project=project).count() == 1
