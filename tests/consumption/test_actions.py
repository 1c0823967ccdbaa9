"""Consumption help's rules: certification by the province office, purchases counted only
while the product's certificate is in force, the same purchase through two channels refused
with both records named, the canteen share's floor and deadline, who may do what."""
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum

from xiezuo.consumption import actions
from xiezuo.consumption.actions import PurchaseRow
from xiezuo.consumption.models import Purchase, counted_q
from xiezuo.core.errors import BatchRefused
from xiezuo.core.models import AuditEntry

pytestmark = pytest.mark.django_db
D = datetime.date
DAY = datetime.timedelta(days=1)


def counted(**filters):
    return Purchase.objects.filter(counted_q(), **filters).aggregate(s=Sum("amount_fen"))["s"] or 0


def buy(user, cw, product, day, evidence, amount=100_00, channel="ecommerce", buyer="union"):
    return actions.record_purchase(user, buyer=cw[buyer], product=cw[product], amount_fen=amount, purchased_on=day, channel=channel,
                                   evidence_number=evidence)


def test_purchase_counts_under_the_county_pairing_and_is_audited(users, cw, today):
    p = buy(users["east_office"], cw, "potato", today, "FP-001")
    assert p.pairing.kind == "county" and p.pairing.east_region.code == "330212" and p.pairing.west_region.code == "513436"
    assert (p.supplier, p.county.code, p.buyer_region.code) == (cw["supplier"], "513436", "330212")
    assert counted() == 100_00
    entry = AuditEntry.objects.get(object_type="consumption.purchase", object_id=str(p.pk))
    assert entry.username == "east_office" and entry.region_code == "513436" and entry.other_region_code == "330212"


def test_uncertified_product_is_recorded_but_does_not_count(users, cw, today):
    buy(users["county_office"], cw, "chicken", today, "JD-1")
    assert Purchase.objects.count() == 1 and counted() == 0


def test_expired_and_revoked_certificates_stop_counting_from_that_day(users, cw, today, english):
    cert = cw["cert"]
    east = users["east_office"]
    buy(east, cw, "potato", cert.valid_from - DAY, "E-before")  # before validity
    buy(east, cw, "potato", cert.valid_from, "E-first")
    buy(east, cw, "potato", today - 10 * DAY, "E-mid")
    buy(east, cw, "potato", today - 5 * DAY, "E-revoked-day")
    buy(east, cw, "potato", today, "E-after")
    assert counted() == 4 * 100_00
    actions.revoke_certificate(users["west_office"], cert, revoked_on=today - 5 * DAY, reason="抽检不合格")
    assert set(Purchase.objects.filter(counted_q()).values_list("evidence_number", flat=True)) == {"E-first", "E-mid"}
    # the last day of validity counts, the day after does not
    cert2 = actions.apply_certification(users["county_office"], cw["chicken"])
    actions.decide_certificate(users["west_office"], cert2, approve=True, number="SC-2", valid_from=today - 30 * DAY,
                               valid_to=today - 3 * DAY)
    buy(east, cw, "chicken", today - 3 * DAY, "C-last")
    buy(east, cw, "chicken", today - 2 * DAY, "C-expired")
    assert set(Purchase.objects.filter(counted_q(), product=cw["chicken"]).values_list("evidence_number", flat=True)) == {"C-last"}
    with pytest.raises(ValidationError, match="revoked on"):
        actions.revoke_certificate(users["west_office"], cert, revoked_on=today, reason="again")


def test_same_purchase_through_two_channels_is_refused_naming_both(users, cw, today, english):
    first = buy(users["east_office"], cw, "potato", today, "INV-42", channel="fair")
    with pytest.raises(ValidationError) as exc:
        buy(users["county_office"], cw, "potato", today, "INV-42", channel="ecommerce", buyer="people")
    text = str(exc.value)
    assert f"purchase #{first.pk}" in text and "fair or exhibition" in text and "e-commerce" in text
    assert "鄞州区总工会" in text and "个人消费者" in text
    assert Purchase.objects.count() == 1
    # another supplier may use the same number
    buy(users["east_office"], cw, "chicken", today, "INV-42")
    assert Purchase.objects.count() == 2


def test_batch_refuses_a_repeated_evidence_number_and_writes_nothing(users, cw, today, english):
    rows = [PurchaseRow(cw["union"], cw["potato"], 5_00, today, "fair", "B-1"),
            PurchaseRow(cw["people"], cw["potato"], 5_00, today, "locker", "B-1"),
            PurchaseRow(cw["union"], cw["potato"], 0, today + DAY, "nowhere", "")]
    with pytest.raises(BatchRefused) as exc:
        actions.record_purchases(users["east_office"], rows)
    refused = exc.value.refused
    assert "also in item 0" in refused[1]["evidence_number"][0]
    assert set(refused[2]) == {"amount_fen", "purchased_on", "channel", "evidence_number"}
    assert Purchase.objects.count() == 0


def test_who_may_record_purchases(users, cw, today, english):
    with pytest.raises(ValidationError, match="your own buyers"):
        buy(users["east_office"], cw, "potato", today, "G-1", buyer="gz")  # a Guangzhou buyer is not Zhejiang's
    for role in ("viewer", "auditor"):
        with pytest.raises(ValidationError, match="your own buyers"):
            buy(users[role], cw, "potato", today, f"V-{role}")
    p = buy(users["national"], cw, "potato", today, "G-2", buyer="gz")
    assert p.pairing is None  # Guangzhou is not paired with 美姑县: recorded, counted for no agreement


def test_certification_workflow_and_who_decides(users, cw, today, english):
    county, west, east = users["county_office"], users["west_office"], users["east_office"]
    cert = actions.apply_certification(county, cw["chicken"])
    with pytest.raises(ValidationError, match="already waiting"):
        actions.apply_certification(county, cw["chicken"])
    for role in ("county_office", "east_office", "viewer", "auditor"):
        with pytest.raises(PermissionDenied):
            actions.decide_certificate(users[role], cert, approve=True, number="X-1", valid_from=today, valid_to=today)
    with pytest.raises(PermissionDenied):
        actions.apply_certification(east, cw["chicken"])
    with pytest.raises(ValidationError) as exc:
        actions.decide_certificate(west, cert, approve=True, number="SC-XF-2026-0001", valid_from=today, valid_to=today - DAY)
    assert set(exc.value.message_dict) == {"number", "valid_to"}
    with pytest.raises(ValidationError, match="reason"):
        actions.decide_certificate(west, cert, approve=False)
    actions.decide_certificate(west, cert, approve=False, reason="材料不全")
    cert.refresh_from_db()
    assert cert.status == "rejected"
    again = actions.apply_certification(county, cw["chicken"])
    done = actions.decide_certificate(users["national"], again, approve=True, number="SC-9", valid_from=today, valid_to=today)
    assert done.status == "approved" and cw["chicken"].certificate_on(today) == done


def test_products_and_buyers_belong_to_their_offices(users, cw, english):
    with pytest.raises(PermissionDenied):
        actions.save_product(users["east_office"], name="土豆", supplier=cw["supplier"], county=cw["meigu"])
    with pytest.raises(ValidationError) as exc:
        actions.save_product(users["county_office"], name="", supplier=cw["gz"].organisation, county=cw["gz"].region)
    assert {"name", "county", "supplier"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError, match="already has a product"):
        actions.save_product(users["county_office"], name="美姑高山土豆", supplier=cw["supplier"], county=cw["meigu"])
    with pytest.raises(PermissionDenied):
        actions.save_buyer(users["county_office"], kind="union", name="x", region=cw["union"].region)
    with pytest.raises(ValidationError, match="not a kind of buyer"):
        actions.save_buyer(users["east_office"], kind="robot", name="x", region=cw["union"].region)


def test_canteen_share_floor_deadline_and_tracking(users, cw, today, english):
    east = users["east_office"]
    with pytest.raises(ValidationError, match="at least 10"):
        actions.save_canteen_share(east, buyer=cw["unit"], year=2026, canteen_food_fen=100_000_00, reserved_percent=Decimal("9.99"),
                                   filed_on=D(2026, 2, 1))
    with pytest.raises(ValidationError, match="only budget units"):
        actions.save_canteen_share(east, buyer=cw["union"], year=2026, canteen_food_fen=1, reserved_percent=Decimal(10), filed_on=D(2026, 2, 1))
    share = actions.save_canteen_share(east, buyer=cw["unit"], year=2026, canteen_food_fen=100_000_00, reserved_percent=Decimal(15),
                                       filed_on=D(2026, 2, 20))
    assert share.reserved_fen == 15_000_00 and not share.filed_late
    share = actions.save_canteen_share(east, buyer=cw["unit"], year=2026, canteen_food_fen=100_000_00, reserved_percent=Decimal(12),
                                       filed_on=D(2026, 2, 21))
    assert share.filed_late and share.reserved_fen == 12_000_00
    with pytest.raises(PermissionDenied):
        actions.save_canteen_share(users["county_office"], buyer=cw["unit"], year=2026, canteen_food_fen=1, reserved_percent=Decimal(10))
