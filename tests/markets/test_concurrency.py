"""Two buyers at the same moment on PostgreSQL never get the same unit of a listing."""
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import translation

from tests.support import ensure_base_data, office
from xiezuo.markets.land import actions as land
from xiezuo.markets.models import QuotaTrade

from .world import listing, prices

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises writers anyway)"),
]


@pytest.fixture(scope="module", autouse=True)
def reload_session_data(django_db_setup, django_db_blocker):
    yield
    with django_db_blocker.unblock():
        ensure_base_data()


def in_parallel(n, work):
    barrier = threading.Barrier(n)
    results, errors = [None] * n, [None] * n

    def run(i):
        try:
            translation.activate("en")
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001
            errors[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_buyers_never_share_a_unit():
    ensure_base_data()
    User = get_user_model()
    national, county, east = (User.objects.get(username=u) for u in ("national", "county_office", "east_office"))
    prices(national)
    lst = listing(county, area="1.0000")
    buyers = [office("330000"), office("330100"), office("330200"), office("330300"), office("330000"), office("330100")]

    def work(i):
        return land.buy(User.objects.get(username="east_office"), listing=lst, buyer=buyers[i], area="0.3000")

    results, errors = in_parallel(6, work)
    sold = [r for r in results if r is not None]
    assert len(sold) == 3  # 3 × 0.3 mu fit in 1 mu; the other three are refused
    assert all(isinstance(e, ValidationError) for e in errors if e is not None)
    ranges = sorted((t.start_u, t.end_u) for t in QuotaTrade.objects.filter(listing=lst))
    assert ranges == [(0, 3000), (3000, 6000), (6000, 9000)]
    del east
