"""The generator writes a consistent market (small scale): the registry's invariants hold,
every listing's trades are disjoint, and matching finds generated patents for generated needs."""
import pytest

from xiezuo.core.context import acting
from xiezuo.datagen.markets import generate
from xiezuo.markets.carbon.verify import verify
from xiezuo.markets.land.verify import verify as verify_land
from xiezuo.markets.models import TechNeed
from xiezuo.markets.tech import matching

pytestmark = pytest.mark.django_db


def test_generated_markets_keep_the_invariants(users):
    with acting(users["national"], via="command"):
        counts = generate(scale=0.02, seed=1, log=lambda s: None, settle=True)
    assert counts["technologies"] == 1000 and counts["carbon units"] > 0
    assert verify()["ok"] and verify_land()["ok"]
    need = TechNeed.objects.order_by("id").first()
    assert need.tokens and matching.technologies_for(need, 5)
