"""The labour demo data the demo setup seeds: a few workers of 美姑县, jobs, a training, a
placement with its check and the county's subsidy rules; seeding twice adds nothing."""
import pytest

from xiezuo.labour.demo import seed_demo
from xiezuo.labour.models import Job, Placement, RetentionCheck, SubsidyRule, Training, Worker

pytestmark = pytest.mark.django_db


def test_seed_demo_once():
    seed_demo()
    seed_demo()
    assert Worker.objects.filter(is_demo=True).count() == 4
    assert Job.objects.filter(is_demo=True).count() == 2 and Training.objects.filter(is_demo=True).count() == 1
    p = Placement.objects.get(is_demo=True)
    assert p.place_kind == "out_of_province" and RetentionCheck.objects.filter(placement=p).count() == 1
    assert SubsidyRule.objects.filter(county__code="513436").count() == 5
