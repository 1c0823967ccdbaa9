"""The demo seeds of consumption and social help run on the demo, twice without harm."""
import pytest

from xiezuo.consumption.demo import seed_demo as seed_consumption
from xiezuo.consumption.models import Purchase
from xiezuo.social.demo import seed_demo as seed_social
from xiezuo.social.models import Need

pytestmark = pytest.mark.django_db


def test_demo_seeds(users):
    assert seed_consumption() == 6 and seed_consumption() == 0
    assert Purchase.objects.filter(is_demo=True).count() == 6
    assert seed_social() == 3 and seed_social() == 0
    assert set(Need.objects.values_list("status", flat=True)) == {"recorded", "published", "confirmed"}
