"""The markets' API: list, detail and create, scoped like the pages; bad input refused in the one error shape."""
import pytest

from xiezuo.markets.carbon import actions as carbon
from xiezuo.markets.models import QuotaListing, QuotaTrade

from .world import prices, sink, verified, zhejiang

pytestmark = pytest.mark.django_db
API = "/api/v1/markets"


def test_land_round_trip(client_as, users):
    prices(users["national"])
    county = client_as("county_office")
    r = county.post(f"{API}/land/listings", {"county": "513436", "land_class": "paddy", "area": "3.2500", "source_project": "整治",
                                             "approval_doc": "文1", "province_confirmation": "确认1"}, content_type="application/json")
    assert r.status_code == 201, r.content
    listing = r.json()
    assert listing["area_u"] == 32_500 and listing["area_mu"] == "3.2500"
    east = client_as("east_office")
    assert any(x["id"] == listing["id"] for x in east.get(f"{API}/land/listings").json()["items"])
    r = east.post(f"{API}/land/listings/{listing['id']}/buy", {"buyer": zhejiang().pk, "area": "1.25"}, content_type="application/json")
    assert r.status_code == 201, r.content
    trade = r.json()
    assert trade["amount_fen"] == 31_250_000 and trade["posting"]  # 1.25 mu × 25万
    assert east.get(f"{API}/land/trades/{trade['id']}").status_code == 200
    assert client_as("viewer").post(f"{API}/land/listings/{listing['id']}/buy", {"buyer": zhejiang().pk, "area": "1"},
                                    content_type="application/json").status_code == 403


def test_bad_input_is_refused_in_the_error_shape(client_as, users):
    county = client_as("county_office")
    before = QuotaListing.objects.count()
    r = county.post(f"{API}/land/listings", {"county": "513436", "land_class": "paddy", "area": "-1", "source_project": "x",
                                             "approval_doc": "y", "province_confirmation": "z"}, content_type="application/json")
    assert r.status_code in (400, 422) and "area" in r.json()["error"]["fields"]
    assert QuotaListing.objects.count() == before
    assert QuotaTrade.objects.count() == 0


def test_registry_is_public_and_searchable(client, users):
    p = sink(users["county_office"])
    block = carbon.issue(users["national"], verification=verified(users, p, 100))
    r = client.get(f"{API}/carbon/registry", {"serial": f"XZCR-{p.code}-{block.vintage}-7"})
    assert r.status_code == 200 and r.json()["items"][0]["serial"] == block.serial


def test_carbon_retire_by_holder_only(client_as, users):
    p = sink(users["county_office"])
    block = carbon.issue(users["national"], verification=verified(users, p, 100))
    r = client_as("east_office").post(f"{API}/carbon/blocks/{block.pk}/retire", {"units": 5, "beneficiary": "x", "purpose": "y"},
                                      content_type="application/json")
    assert r.status_code == 403
    r = client_as("county_office").post(f"{API}/carbon/blocks/{block.pk}/retire", {"units": 5, "beneficiary": "会", "purpose": "中和"},
                                        content_type="application/json")
    assert r.status_code == 201 and r.json()["status"] == "retired" and r.json()["units"] == 5
    r = client_as("county_office").post(f"{API}/carbon/blocks/{block.pk}/retire", {"units": 5, "beneficiary": "会", "purpose": "中和"},
                                        content_type="application/json")
    assert r.status_code in (400, 422)  # the block was split: it never moves again


def test_tech_matches_over_the_api(client_as, users):
    from xiezuo.orgs.models import Organisation
    from xiezuo.regions.models import Region

    zju = Organisation.objects.create(name="浙大（测试）", kind="enterprise", region=Region.objects.get(code="330106"))
    east = client_as("national")
    r = east.post(f"{API}/tech/technologies", {"owner": zju.pk, "number": "ZL9", "title": "高原马铃薯脱毒种薯", "ipc": "A01H 4/00"},
                  content_type="application/json")
    assert r.status_code == 201, r.content
    r = client_as("county_office").post(f"{API}/tech/needs", {"county": "513436", "title": "马铃薯种薯退化", "problem": "脱毒种薯"},
                                        content_type="application/json")
    need = r.json()
    m = client_as("county_office").get(f"{API}/tech/needs/{need['id']}/matches").json()
    assert m[0]["title"].startswith("ZL9") and "马铃薯" in m[0]["words"]


def test_carbon_life_cycle_over_the_api(client_as, users):
    from .world import evaluator

    p = sink(users["county_office"])
    county, auditor, national, east = (client_as(u) for u in ("county_office", "auditor", "national", "east_office"))
    r = county.post(f"{API}/carbon/projects/{p.pk}/reports", {"period_start": str(p.crediting_start),
                                                             "period_end": str(p.crediting_start.replace(month=12, day=31)),
                                                             "claimed_t": 500}, content_type="application/json")
    assert r.status_code == 201, r.content
    r = auditor.post(f"{API}/carbon/reports/{r.json()['id']}/verify", {"evaluator": evaluator().pk, "verified_t": 450},
                     content_type="application/json")
    assert r.status_code == 201, r.content
    r = national.post(f"{API}/carbon/verifications/{r.json()['id']}/issue", {}, content_type="application/json")
    assert r.status_code == 201 and r.json()["units"] == 450
    r = east.post(f"{API}/carbon/projects/{p.pk}/subscriptions", {"subscriber": zhejiang().pk, "price_fen_per_t": 6000, "share_pct": 50,
                                                                 "tonnes": 300}, content_type="application/json")
    assert r.status_code == 201, r.content
    r = county.post(f"{API}/carbon/subscriptions/{r.json()['id']}/deliver", {"units": 200}, content_type="application/json")
    assert r.status_code == 201 and sum(b["units"] for b in r.json()) == 200


def test_auction_and_split_over_the_api(client_as, users):
    prices(users["national"])
    from .world import listing, PRICE

    lst = listing(users["county_office"], area="2")
    county, east = client_as("county_office"), client_as("east_office")
    assert county.post(f"{API}/land/listings/{lst.pk}/auction", {"closes_on": str(lst.listed_on)},
                       content_type="application/json").status_code == 201
    for area, extra in (("1.5", 300_000), ("1", 100_000)):
        r = east.post(f"{API}/land/listings/{lst.pk}/bids", {"bidder": zhejiang().pk, "area": area, "limit_fen_per_mu": PRICE + extra},
                      content_type="application/json")
        assert r.status_code == 201, r.content
    r = county.post(f"{API}/land/listings/{lst.pk}/clear", content_type="application/json")
    assert r.status_code == 201 and [t["area_mu"] for t in r.json()] == ["1.5000", "0.5000"]
    assert {t["price_fen_per_mu"] for t in r.json()} == {PRICE + 100_000}
    from .world import farmers

    a, b = farmers(users["county_office"], names=("甲", "乙"))
    r = county.post(f"{API}/land/trades/{r.json()[0]['id']}/split", {"households": [{"number": a.number, "weight": 1},
                                                                                    {"household": b.pk, "weight": 2}]},
                    content_type="application/json")
    body = r.json()
    assert r.status_code == 201 and body["farmers_fen"] + body["collective_fen"] == body["distributable_fen"]
    assert [(h["household"], h["weight"]) for h in body["households"]] == [(a.pk, 1), (b.pk, 2)]
    assert sum(h["fen"] for h in body["households"]) == body["farmers_fen"] and body["households_count"] == 2


def test_deal_returns_over_the_api(client_as, users):
    import datetime

    from xiezuo.markets.tech import actions as tech
    from xiezuo.orgs.models import Organisation
    from xiezuo.regions.models import Region
    from tests.support import office

    owner = Organisation.objects.create(name="浙大（测试）", kind="enterprise", region=Region.objects.get(code="330106"))
    t = tech.offer_technology(users["national"], owner=owner, number="ZL7", title="苦荞茶饮加工")
    deal = tech.sign_deal(users["county_office"], technology=t, licensee=office("513436"), kind="licence", price_fen=100_00,
                          county=Region.objects.get(code="513436"), signed_on=datetime.date(2026, 1, 5))
    r = client_as("county_office").post(f"{API}/tech/deals/{deal.pk}/returns", {"period_end": "2026-03-31", "revenue_fen": 3000,
                                                                              "cost_fen": 1000}, content_type="application/json")
    assert r.status_code == 201, r.content
    got = client_as("west_office").get(f"{API}/tech/returns", {"start": "2026-01-01", "end": "2026-12-31"}).json()
    assert got["513436"]["rate"] == 300.0 and got["513436"]["evidence"][0]["technology"] == "ZL7"
    assert client_as("east_office").get(f"{API}/tech/returns", {"start": "2026-01-01", "end": "2026-12-31"}).json().get("513431") is None
