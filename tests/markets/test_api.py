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
