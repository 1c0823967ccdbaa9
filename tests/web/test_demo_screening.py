"""The demo's households are screened for the current month when the demo's working state is
seeded: an official opening a household with income under the line sees its risk flags, not
"no risk flags" because the monthly job has not run yet."""
import pytest
from django.utils import timezone

from xiezuo.households.demo import seed_demo as seed_households
from xiezuo.households.models import RiskFlag, ScreeningRun
from xiezuo.households.screening import first_of
from xiezuo.web.management.commands.seed_demo_work import _screen_this_month

pytestmark = pytest.mark.django_db


class _Out:
    def __init__(self):
        self.lines = []

    def write(self, s):
        self.lines.append(s)


def test_the_demo_registry_is_screened_once_for_this_month(users, client_as):
    seed_households()
    out = _Out()
    _screen_this_month(out)
    month = first_of(timezone.localdate())
    run = ScreeningRun.objects.get(month=month, prefix="")
    assert run.households > 0 and run.flagged > 0
    flag = RiskFlag.objects.filter(month=month).first()
    page = client_as("county_office").get(f"/households/{flag.household_id}/")
    assert page.status_code == 200
    flags_list = page.content.decode().split('data-testid="flags"', 1)[1].split("</ul>", 1)[0]
    assert str(flag.get_rule_display()) in flags_list
    _screen_this_month(out)  # repeated `make run`: not screened twice
    assert ScreeningRun.objects.filter(month=month).count() == 1
