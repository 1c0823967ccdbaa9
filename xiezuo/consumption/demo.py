"""Demo data of consumption help (the lead calls `seed_demo()` from the demo setup, after the
base demo): a 美姑县 cooperative with certified products, 鄞州区 buyers, a canteen share and a
few purchases through different channels. Idempotent; everything is marked as demo data."""
import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from xiezuo.core.context import acting
from xiezuo.orgs.models import Organisation
from xiezuo.regions.models import Region

from . import actions
from .models import Buyer, Certificate, Product, Purchase


@transaction.atomic
def seed_demo(stdout=None):
    User = get_user_model()
    national = User.objects.get(username="national")
    today = timezone.localdate()
    meigu, yinzhou = Region.objects.get(code="513436"), Region.objects.get(code="330212")
    with acting(national, via="command"):
        supplier, _c = Organisation.objects.get_or_create(region=meigu, name="美姑县高山农产品专业合作社（演示）",
                                                          defaults={"kind": "enterprise", "is_demo": True})
        products = []
        for name, cat, number in (("美姑高山土豆", "蔬菜", "SC-XF-DEMO-0001"), ("美姑苦荞茶", "茶", "SC-XF-DEMO-0002"),
                                  ("彝家土鸡", "禽肉", None)):
            p = Product.objects.filter(supplier=supplier, name=name).first() or actions.save_product(
                national, name=name, category=cat, supplier=supplier, county=meigu, is_demo=True)
            if number and not Certificate.objects.filter(number=number).exists():
                cert = actions.apply_certification(national, p)
                actions.decide_certificate(national, cert, approve=True, number=number, valid_from=today - datetime.timedelta(days=300),
                                           valid_to=today + datetime.timedelta(days=400))
            products.append(p)
        buyers = {}
        for kind, name in (("budget_unit", "鄞州区机关事务管理局食堂（演示）"), ("union", "鄞州区总工会（演示）"),
                           ("individuals", "个人消费者·甬上优选电商（演示）")):
            buyers[kind] = Buyer.objects.filter(region=yinzhou, name=name).first() or actions.save_buyer(
                national, kind=kind, name=name, region=yinzhou, is_demo=True)
        from decimal import Decimal

        actions.save_canteen_share(national, buyer=buyers["budget_unit"], year=today.year, canteen_food_fen=2_400_000_00,
                                   reserved_percent=Decimal(15), filed_on=datetime.date(today.year, 2, 18), is_demo=True)
        made = 0
        for i, (kind, product, channel, amount, days) in enumerate((
                ("budget_unit", 0, "direct", 180_000_00, 200), ("union", 1, "fair", 56_800_00, 150), ("individuals", 0, "ecommerce", 12_345_60, 90),
                ("individuals", 1, "locker", 3_280_00, 40), ("union", 2, "store", 9_600_00, 20), ("budget_unit", 1, "platform", 75_000_00, 10))):
            evidence = f"DEMO-FP-{i + 1:04d}"
            if Purchase.objects.filter(supplier=supplier, evidence_number=evidence).exists():
                continue
            actions.record_purchase(national, buyer=buyers[kind], product=products[product], amount_fen=amount,
                                    purchased_on=today - datetime.timedelta(days=days), channel=channel, evidence_number=evidence,
                                    is_demo=True)
            made += 1
    if stdout:
        stdout.write(f"demo purchases created: {made}")
    return made
