"""The consumption world: a 美姑县 supplier with two products (one certified, one not), a
Sichuan province certificate, buyers of 鄞州区 (a budget unit, a union, individuals through
an e-commerce channel) and of Guangzhou (outside the Zhejiang–Sichuan pairs)."""
import datetime

import pytest
from django.utils import timezone

from tests.support import english_client_as, gd_office  # noqa: F401 (fixtures)
from xiezuo.consumption import actions
from xiezuo.orgs.models import Organisation
from xiezuo.regions.models import Region

D = datetime.date


@pytest.fixture
def today():
    return timezone.localdate()


def region(code):
    return Region.objects.get(code=code)


@pytest.fixture
def cw(users, today):
    county, west, east, national = users["county_office"], users["west_office"], users["east_office"], users["national"]
    meigu = region("513436")
    supplier = Organisation.objects.create(name="美姑县高山农产品合作社", kind="enterprise", region=meigu)
    other_supplier = Organisation.objects.create(name="美姑县彝家土鸡专业合作社", kind="enterprise", region=meigu)
    potato = actions.save_product(county, name="美姑高山土豆", category="蔬菜", supplier=supplier, county=meigu)
    chicken = actions.save_product(county, name="彝家土鸡", category="禽肉", supplier=other_supplier, county=meigu)
    cert = actions.apply_certification(county, potato)
    cert = actions.decide_certificate(west, cert, approve=True, number="SC-XF-2026-0001", valid_from=today - datetime.timedelta(days=200),
                                      valid_to=today + datetime.timedelta(days=165))
    yinzhou = region("330212")
    unit = actions.save_buyer(east, kind="budget_unit", name="鄞州区机关事务管理局食堂", region=yinzhou)
    union = actions.save_buyer(east, kind="union", name="鄞州区总工会", region=yinzhou)
    people = actions.save_buyer(east, kind="individuals", name="个人消费者（甬上优选电商）", region=yinzhou)
    gz = actions.save_buyer(national, kind="enterprise", name="广州某食品公司", region=region("440106"))
    return {"meigu": meigu, "supplier": supplier, "other_supplier": other_supplier, "potato": potato, "chicken": chicken, "cert": cert,
            "unit": unit, "union": union, "people": people, "gz": gz}


@pytest.fixture
def users(users):
    """The demo users, the foundation's viewer and a Guangdong office admin included."""
    from django.contrib.auth import get_user_model

    from tests.support import office
    from xiezuo.users.models import Profile

    out = dict(users)
    out["foundation"] = get_user_model().objects.get(username="foundation")
    gd = get_user_model().objects.filter(username="gd_office").first()
    if gd is None:
        gd = get_user_model().objects.create_user("gd_office")
        Profile.objects.create(user=gd, role="office_admin", organisation=office("440000"))
    out["gd_office"] = gd
    return out
