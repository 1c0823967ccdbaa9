import pytest

from xiezuo.markets.carbon.verify import verify
from xiezuo.markets.demo import seed_demo
from xiezuo.markets.models import CarbonBlock, QuotaTrade, TechDeal

pytestmark = pytest.mark.django_db


def test_demo_seeds_once_and_keeps_the_invariants(users):
    assert seed_demo() == 1
    assert QuotaTrade.objects.filter(listing__is_demo=True).count() == 2
    assert CarbonBlock.objects.filter(status="retired").count() == 1
    assert TechDeal.objects.filter(is_demo=True).count() == 1
    assert verify()["ok"]
    assert seed_demo() == 0
