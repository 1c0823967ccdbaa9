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


def test_the_demo_need_is_taken_up_through_the_action_and_audited(users):
    """Every step of the confirmed demo need is in the audit log, its take-up by the demo social
    organisation's user, and its pledge is paid as a social donation."""
    from xiezuo.core.models import AuditEntry
    from xiezuo.ledger.models import Posting

    seed_social()
    done = Need.objects.get(status="confirmed")
    steps = AuditEntry.objects.filter(object_type="social.need", object_id=str(done.pk)).order_by("id")
    taken = [e for e in steps if (e.after or {}).get("status") == "taken"]
    assert len(taken) == 1 and taken[0].username == "social_org" and taken[0].before["status"] == "published"
    assert done.taken_by.kind == "social" and done.taken_by.name.startswith("杭州西湖")
    assert [e.after["status"] for e in steps if e.after] == ["recorded", "published", "taken", "funded", "done", "confirmed"]
    assert Posting.objects.filter(project=done.project, kind="social").count() == 1
