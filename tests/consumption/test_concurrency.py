"""The same purchase sent twice at the same moment, through two channels, on PostgreSQL:
the unique constraint lets one in and the other is refused naming the record that won.

These tests commit (transaction=True): the tables are emptied afterwards, and the module
puts the region tree and the demo back for the tests that follow."""
import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection

from tests.ledger.test_concurrency import ensure_seeded, in_parallel
from xiezuo.consumption import actions
from xiezuo.consumption.models import Buyer, Product, Purchase
from xiezuo.orgs.models import Organisation
from xiezuo.regions.models import Region

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"),
]


@pytest.fixture(scope="module", autouse=True)
def reload_session_data(django_db_setup, django_db_blocker):
    yield
    with django_db_blocker.unblock():
        ensure_seeded()


@pytest.mark.django_db(transaction=True)
def test_two_channels_at_once_count_once():
    ensure_seeded()
    User = get_user_model()
    county, east = User.objects.get(username="county_office"), User.objects.get(username="east_office")
    meigu, yinzhou = Region.objects.get(code="513436"), Region.objects.get(code="330212")
    supplier = Organisation.objects.create(name="并发合作社", kind="enterprise", region=meigu)
    product = actions.save_product(county, name="并发土豆", supplier=supplier, county=meigu)
    fair = actions.save_buyer(east, kind="union", name="并发工会", region=yinzhou)
    shop = actions.save_buyer(east, kind="individuals", name="并发电商个人", region=yinzhou)
    today = datetime.date.today()
    channels = ["fair", "ecommerce", "locker", "store", "platform", "direct"]

    def work(i):
        user = User.objects.get(username="east_office" if i % 2 else "county_office")
        return actions.record_purchase(user, buyer=Buyer.objects.get(pk=(fair if i % 2 else shop).pk),
                                       product=Product.objects.get(pk=product.pk), amount_fen=1000, purchased_on=today,
                                       channel=channels[i], evidence_number="RACE-1")

    results, errors = in_parallel(6, work)
    won = [r for r in results if r is not None]
    assert len(won) == 1 and Purchase.objects.filter(evidence_number="RACE-1").count() == 1
    refused = [e for e in errors if e is not None]
    assert len(refused) == 5
    for e in refused:
        assert isinstance(e, ValidationError), e
        assert f"purchase #{won[0].pk}" in str(e)
