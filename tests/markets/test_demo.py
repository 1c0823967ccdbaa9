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


def test_demo_seeds_beside_a_generated_market(users):
    """`make setup` after `generate_markets`: the eastern office already holds generated
    carbon blocks, smaller than the demo's; the demo retires from its own delivery."""
    from xiezuo.datagen.markets import generate

    from xiezuo.markets.carbon import actions as carbon
    from xiezuo.orgs.models import Organisation

    generate(scale=0.002, log=lambda *a: None, settle=False)
    zhejiang = Organisation.objects.filter(kind="office", region__code="330000").order_by("id").first()
    first = CarbonBlock.objects.filter(status="active").order_by("first").first()
    carbon.transfer(users["national"], block=first, to_holder=zhejiang, units=10)  # a small generated holding
    assert seed_demo() == 1
    retired = CarbonBlock.objects.get(status="retired", beneficiary__contains="演示")
    assert retired.project.is_demo and retired.last - retired.first + 1 == 500
    assert verify()["ok"]
