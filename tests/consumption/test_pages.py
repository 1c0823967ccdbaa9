"""The consumption pages by role and scope: who sees which purchases and products, who may
record and certify; the filters, the figures, the export and bad input on the forms."""
import datetime

import pytest
from django.urls import reverse

from tests.support import export_sheet
from xiezuo.consumption import actions
from xiezuo.consumption.models import Certificate, Purchase

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
ROLES = ("national", "east_office", "west_office", "county_office", "viewer", "auditor", "gd_office", "foundation")


@pytest.fixture
def bought(users, cw, today):
    zj = actions.record_purchase(users["east_office"], buyer=cw["union"], product=cw["potato"], amount_fen=12_345_00, purchased_on=today,
                                 channel="fair", evidence_number="ZJ-INV-1")
    gz = actions.record_purchase(users["national"], buyer=cw["gz"], product=cw["potato"], amount_fen=500_00, purchased_on=today,
                                 channel="ecommerce", evidence_number="GZ-INV-1")
    return {"zj": zj, "gz": gz}


# role → (sees the 鄞州 purchase, sees the Guangzhou one, sees the product, may record and create)
MATRIX = {
    "national": (True, True, True, True),
    "east_office": (True, False, True, True),
    "west_office": (True, True, True, True),
    "county_office": (True, True, True, True),
    "viewer": (True, True, True, False),
    "auditor": (True, True, True, False),
    "gd_office": (False, True, False, True),
    "foundation": (False, False, False, False),
}


@pytest.mark.parametrize("role", ROLES)
def test_consumption_pages_for_each_role(role, client_as, cw, bought):
    sees_zj, sees_gz, sees_product, writes = MATRIX[role]
    c = client_as(role)
    html = c.get(reverse("consumption-purchase-list")).content.decode()
    assert ("ZJ-INV-1" in html) is sees_zj
    assert ("GZ-INV-1" in html) is sees_gz
    assert c.get(reverse("consumption-product-detail", args=[cw["potato"].pk])).status_code == (200 if sees_product else 404)
    assert ("美姑高山土豆" in c.get(reverse("consumption-product-list")).content.decode()) is sees_product
    for name in ("consumption-purchase-create", "consumption-product-create", "consumption-buyer-create", "consumption-share-create"):
        assert c.get(reverse(name)).status_code == (200 if writes else 403), name
    assert c.get(reverse("consumption-buyer-list")).status_code == 200


def test_anonymous_is_sent_to_login(client):
    for name in ("consumption-purchase-list", "consumption-product-list", "consumption-buyer-list"):
        assert client.get(reverse(name)).status_code == 302


@pytest.mark.parametrize("role,allowed", [("west_office", True), ("national", True), ("county_office", False), ("east_office", False),
                                          ("viewer", False)])
def test_only_the_province_office_decides_on_certification(role, allowed, client_as, users, cw, today):
    cert = actions.apply_certification(users["county_office"], cw["chicken"])
    url = reverse("consumption-certificate-decide", args=[cw["chicken"].pk, cert.pk])
    r = client_as(role).post(url, {"decision": "approve", "number": "SC-P-1", "valid_from": today.isoformat(),
                                   "valid_to": (today + 365 * DAY).isoformat()})
    cert.refresh_from_db()
    assert (r.status_code == 302 and cert.status == "approved") if allowed else (r.status_code == 403 and cert.status == "applied")


def test_certification_through_the_pages(client_as, cw, today):
    county, west = client_as("county_office"), client_as("west_office")
    url = reverse("consumption-product-detail", args=[cw["chicken"].pk])
    assert "data-testid=\"apply\"" in county.get(url).content.decode()
    assert county.post(reverse("consumption-product-apply", args=[cw["chicken"].pk])).status_code == 302
    cert = Certificate.objects.get(product=cw["chicken"], status="applied")
    page = west.get(url).content.decode()
    assert 'data-testid="decide"' in page
    # bad input: no number, validity reversed — refused with the reasons, nothing decided
    r = west.post(reverse("consumption-certificate-decide", args=[cw["chicken"].pk, cert.pk]),
                  {"decision": "approve", "number": "", "valid_from": today.isoformat(), "valid_to": (today - DAY).isoformat()}, follow=True)
    assert "a certificate number is required" in r.content.decode() and "the validity ends before it starts" in r.content.decode()
    cert.refresh_from_db()
    assert cert.status == "applied"
    west.post(reverse("consumption-certificate-decide", args=[cw["chicken"].pk, cert.pk]),
              {"decision": "approve", "number": "SC-CH-1", "valid_from": today.isoformat(), "valid_to": (today + 30 * DAY).isoformat()})
    assert 'data-testid="certified"' in west.get(url).content.decode() and "SC-CH-1" in west.get(url).content.decode()
    west.post(reverse("consumption-certificate-revoke", args=[cw["chicken"].pk, cert.pk]), {"revoked_on": today.isoformat(), "reason": "抽检"})
    cert.refresh_from_db()
    assert cert.revoked_on == today


def test_purchase_form_records_and_refuses_the_double(client_as, cw, bought, today):
    c = client_as("county_office")
    data = {"buyer": cw["people"].pk, "product": cw["potato"].pk, "amount_fen": "88.80", "purchased_on": today.isoformat(),
            "channel": "locker", "channel_name": "智能柜", "evidence_number": "ZJ-INV-1"}
    r = c.post(reverse("consumption-purchase-create"), data)
    assert r.status_code == 200 and f"purchase #{bought['zj'].pk}" in r.content.decode()
    data["evidence_number"] = "LOCK-1"
    assert c.post(reverse("consumption-purchase-create"), data).status_code == 302
    assert Purchase.objects.get(evidence_number="LOCK-1").amount_fen == 88_80
    bad = dict(data, amount_fen="-1", purchased_on=(today + 3 * DAY).isoformat(), evidence_number="X")
    r = c.post(reverse("consumption-purchase-create"), bad)
    assert r.status_code == 200 and "amounts cannot be negative" in r.content.decode()
    r = c.post(reverse("consumption-purchase-create"), dict(data, amount_fen="1", purchased_on=(today + 3 * DAY).isoformat(), evidence_number="Y"))
    assert "the date is in the future" in r.content.decode()


def test_filters_figures_and_export(client_as, cw, bought, today):
    c = client_as("west_office")
    url = reverse("consumption-purchase-list")
    assert "GZ-INV-1" not in c.get(url, {"channel": "fair"}).content.decode()
    assert "ZJ-INV-1" in c.get(url, {"region": "330212"}).content.decode()
    assert "ZJ-INV-1" not in c.get(url, {"region": "440106"}).content.decode()
    assert "ZJ-INV-1" not in c.get(url, {"counted": "no"}).content.decode()
    assert "ZJ-INV-1" not in c.get(url, {"date_to": (today - DAY).isoformat()}).content.decode()
    html = c.get(url).content.decode()
    assert "12,845.00" in html  # both purchases, recorded and counted
    headers, rows, _ws = export_sheet(c.get(url, {"format": "xlsx"}))
    assert len(rows) == 2 and "evidence number" in headers
    assert {r[headers.index("evidence number")] for r in rows} == {"ZJ-INV-1", "GZ-INV-1"}
    assert all(r[headers.index("counted")] == "yes" for r in rows)
    headers, rows, _ws = export_sheet(c.get(reverse("consumption-product-list"), {"format": "xlsx"}))
    assert {r[headers.index("name")] for r in rows} == {"美姑高山土豆", "彝家土鸡"}


def test_product_and_share_forms_bad_input(client_as, cw, today):
    c = client_as("county_office")
    r = c.post(reverse("consumption-product-create"), {"name": "苦荞", "supplier": cw["supplier"].name, "county": "999999"})
    assert r.status_code == 200 and "no region has the code 999999" in r.content.decode()
    r = c.post(reverse("consumption-product-create"), {"name": "苦荞茶", "supplier": cw["supplier"].name, "county": "513436"})
    assert r.status_code == 302
    e = client_as("east_office")
    r = e.post(reverse("consumption-share-create"), {"buyer": cw["unit"].pk, "year": "2026", "canteen_food_fen": "100000",
                                                      "reserved_percent": "8", "filed_on": "2026-02-10"})
    assert r.status_code == 200 and "at least 10" in r.content.decode()
    r = e.post(reverse("consumption-share-create"), {"buyer": cw["unit"].pk, "year": str(today.year), "canteen_food_fen": "100000",
                                                      "reserved_percent": "15", "filed_on": today.isoformat()})
    assert r.status_code == 302
    assert "encouraged level" in e.get(reverse("consumption-buyer-list")).content.decode()
