"""The consumption API and purchase items of bulk ingestion: lists scoped like the pages,
detail 404 outside the scope, creation through the actions, the double purchase refused,
ingestion all or nothing and idempotent."""
import datetime

import pytest

from tests.api.test_api import Api
from xiezuo.consumption.models import Purchase
from xiezuo.ingest.batch import ingest
from xiezuo.users.models import ApiToken

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def api_as(users):
    return lambda username: Api(ApiToken.issue(users[username]))


def body(cw, today, evidence="API-1", buyer="union", **extra):
    return {"buyer": cw[buyer].pk, "product": cw["potato"].pk, "amount_fen": 10_000, "purchased_on": today.isoformat(),
            "channel": "ecommerce", "evidence_number": evidence, **extra}


def test_create_list_detail_and_scope(api_as, cw, today):
    east = api_as("east_office")
    r = east.post("/consumption/purchases", body(cw, today))
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["amount_fen"] == 10_000 and data["county"]["code"] == "513436" and data["pairing_id"]
    pk = data["id"]
    assert api_as("county_office").get(f"/consumption/purchases/{pk}").status_code == 200
    assert api_as("gd_office").get(f"/consumption/purchases/{pk}").status_code == 404
    assert api_as("foundation").get(f"/consumption/purchases/{pk}").status_code == 404
    assert api_as("gd_office").get("/consumption/purchases").json()["count"] == 0
    assert api_as("west_office").get("/consumption/purchases", channel="ecommerce").json()["count"] == 1
    assert api_as("west_office").get("/consumption/purchases", channel="fair").json()["count"] == 0
    r = api_as("county_office").post("/consumption/purchases", body(cw, today, buyer="people", channel="locker"))
    assert r.status_code == 422 and f"purchase #{pk}" in r.content.decode()
    for role in ("viewer", "auditor", "foundation"):
        assert api_as(role).post("/consumption/purchases", body(cw, today, f"V-{role}")).status_code == 403
    figures = east.get("/consumption/purchases/figures").json()
    assert figures["counted_fen"] == 10_000 and figures["committed_fen"] > 0


def test_bad_input_is_refused_with_fields(api_as, cw, today):
    east = api_as("east_office")
    r = east.post("/consumption/purchases", body(cw, today, amount_fen=-5, channel="pigeon", buyer="union", product=999999))
    assert r.status_code == 422
    assert Purchase.objects.count() == 0
    r = east.post("/consumption/purchases", body(cw, today, evidence="", purchased_on="2099-01-01"))
    assert r.status_code == 422 and {"evidence_number", "purchased_on"} <= set(r.json()["error"]["fields"])


def test_products_and_buyers_endpoints(api_as, cw):
    county = api_as("county_office")
    assert county.get(f"/consumption/products/{cw['potato'].pk}").json()["certified"] is True
    assert county.get("/consumption/products", certified="no").json()["count"] == 1
    assert api_as("gd_office").get(f"/consumption/products/{cw['potato'].pk}").status_code == 404
    r = county.post("/consumption/products", {"name": "苦荞茶", "supplier": cw["supplier"].pk, "county": "513436"})
    assert r.status_code == 201 and r.json()["certified"] is False
    assert api_as("east_office").post("/consumption/products", {"name": "x", "supplier": cw["supplier"].pk, "county": "513436"}).status_code == 403
    r = api_as("east_office").post("/consumption/buyers", {"kind": "enterprise", "name": "宁波某超市", "region": "330212"})
    assert r.status_code == 201 and api_as("east_office").get(f"/consumption/buyers/{r.json()['id']}").status_code == 200


def item(i, cw, today, evidence=None, **extra):
    return {"type": "purchase", "client_id": f"p-{i}", "buyer": cw["union"].pk, "product": cw["potato"].pk, "amount_fen": 100 + i,
            "purchased_on": today.isoformat(), "channel": "fair", "evidence_number": evidence or f"ING-{i}", **extra}


def test_ingest_purchases_all_or_nothing_and_idempotent(users, cw, today):
    items = [item(i, cw, today) for i in range(5)]
    out = ingest(users["east_office"], items)
    assert (out.applied, out.refused) == (5, [])
    again = ingest(users["east_office"], items)
    assert (again.applied, again.duplicates) == (0, 5)
    bad = [item(10, cw, today), item(11, cw, today, evidence="ING-0"), item(12, cw, today, evidence="X"),
           item(13, cw, today, evidence="X", channel="locker"), item(14, cw, today, buyer=cw["gz"].pk)]
    out = ingest(users["east_office"], bad)
    assert out.applied == 0 and Purchase.objects.count() == 5
    by_index = {r["index"]: r for r in out.refused}
    assert set(by_index) == {1, 3, 4}
    assert "purchase #" in by_index[1]["reason"] and "also in item 2" in by_index[3]["reason"]
    assert by_index[4]["field"] == "buyer"


def test_ingest_reads_each_item_on_its_own(users, cw, today):
    """Dates read once per batch and ids that must be whole numbers: every item still gets its
    own date, and its own refusal."""
    day = (today - datetime.timedelta(days=3)).isoformat()
    bad = [item(20, cw, today, purchased_on="2026-02-30"), item(21, cw, today, purchased_on="2026-02-30"),
           item(22, cw, today, buyer=True), item(23, cw, today, colour="red"), item(24, cw, today, purchased_on=day)]
    out = ingest(users["east_office"], bad)
    assert sorted((r["index"], r["field"]) for r in out.refused) == [(0, "purchased_on"), (1, "purchased_on"), (2, "buyer"),
                                                                     (3, "colour")]
    good = [item(30 + i, cw, today, purchased_on=day if i % 2 else today.isoformat()) for i in range(4)]
    assert ingest(users["east_office"], good).applied == 4
    days = dict(Purchase.objects.filter(client_id__in=[f"p-{30 + i}" for i in range(4)]).values_list("client_id", "purchased_on"))
    assert days == {f"p-{30 + i}": (today - datetime.timedelta(days=3)) if i % 2 else today for i in range(4)}


def test_ingest_through_the_api(api_as, cw, today):
    r = api_as("county_office").post("/ingest", {"items": [item(1, cw, today)]})
    assert r.status_code == 200, r.content
    assert Purchase.objects.get(evidence_number="ING-1").client_id == "p-1"
