"""The subsidy payments list: open to every role, scoped like the placements paid for, the
worker masked on the page and in the export, filters by subsidy, year, region and name."""
import pytest
from django.urls import reverse
from django.utils import timezone

from tests.labour.conftest import idn
from tests.support import export_sheet
from xiezuo.labour import actions

pytestmark = pytest.mark.django_db

ROLES = ("national", "east_office", "west_office", "county_office", "viewer", "auditor")
FULL = idn(11)


@pytest.fixture
def paid(users, placement, rules, labour_project):
    actions.record_check(users["county_office"], placement=placement, milestone=3, checked_on=timezone.localdate(), employed=True,
                         wage_months=3)
    return actions.pay_subsidy(users["county_office"], placement=placement, kind="transport", project=labour_project)


# the placement's county (美姑县, Sichuan) and its place of work (鄞州区, Zhejiang) see it, and the
# readers of either side and the national coordinator
SEES = {r: True for r in ROLES}


@pytest.mark.parametrize("role", ROLES)
def test_payments_by_role_masked(client_as, paid, role):
    c = client_as(role)
    r = c.get(reverse("labour-payment-list"))
    assert r.status_code == 200
    text = r.content.decode()
    assert ("吉克阿依" in text) == SEES[role] and FULL not in text
    if SEES[role]:
        assert FULL[:6] + "********" + FULL[-4:] in text
    headers, rows, _ws = export_sheet(c.get(reverse("labour-payment-list"), {"format": "xlsx"}))
    assert FULL not in str(rows) and len(rows) == (1 if SEES[role] else 0)
    if rows:
        assert rows[0][2] == FULL[:6] + "********" + FULL[-4:] and 1000 in rows[0]


def test_an_office_of_another_province_sees_none(client_as, paid, db):
    from django.contrib.auth import get_user_model

    from tests.support import office
    from xiezuo.users.models import Profile

    u = get_user_model().objects.create_user("gd_pay", password="x")
    Profile.objects.update_or_create(user=u, defaults={"organisation": office("440000"), "role": "office_admin"})
    c = client_as("gd_pay")
    assert "吉克阿依" not in c.get(reverse("labour-payment-list")).content.decode()
    _h, rows, _ws = export_sheet(c.get(reverse("labour-payment-list"), {"format": "xlsx"}))
    assert rows == []


def test_filters(client_as, paid):
    c = client_as("county_office")
    url = reverse("labour-payment-list")
    year = timezone.localdate().year
    for params, shown in [({"kind": "transport"}, True), ({"kind": "labour"}, False), ({"year": year}, True),
                          ({"year": year - 1}, False), ({"q": "吉克"}, True), ({"q": "张三"}, False), ({"region": "513436"}, True),
                          ({"region": "520111"}, False)]:
        assert ("吉克阿依" in c.get(url, params).content.decode()) is shown, params


def test_anonymous_is_sent_to_login(client):
    r = client.get(reverse("labour-payment-list"))
    assert r.status_code == 302 and "login" in r["Location"]


def test_linked_from_the_labour_navigation(client_as, paid):
    assert reverse("labour-payment-list") in client_as("county_office").get(reverse("labour-placement-list")).content.decode()
