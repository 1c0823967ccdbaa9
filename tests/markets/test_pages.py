"""The markets' pages by role and scope: who sees which list, detail and form; Excel exports
of the same lists; public lists open to anyone; refused input writes nothing."""
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.support import assert_login_redirect, export_sheet, office, zh
from xiezuo.markets.carbon import actions as carbon
from xiezuo.markets.land import actions as land
from xiezuo.markets.models import CarbonBlock, QuotaTrade
from xiezuo.markets.tech import actions as tech
from xiezuo.orgs.models import Organisation
from xiezuo.regions.models import Region
from xiezuo.users.models import Profile

from .world import listing, prices, sink, verified, zhejiang

pytestmark = pytest.mark.django_db


@pytest.fixture
def market(users):
    prices(users["national"])
    sold = listing(users["county_office"], area="2")
    open_ = listing(users["county_office"], area="5")
    mine = land.buy(users["east_office"], listing=sold, buyer=zhejiang(), area="2")
    guangdong = land.buy(users["national"], listing=open_, buyer=office("440000"), area="1")
    p = sink(users["county_office"])
    block = carbon.issue(users["national"], verification=verified(users, p, 500))
    zju = Organisation.objects.create(name="浙江大学（测试）", kind="enterprise", region=Region.objects.get(code="330106"))
    t = tech.offer_technology(users["national"], owner=zju, number="ZL1", title="马铃薯脱毒种薯", abstract="脱毒 快繁", ipc="A01H 4/00")
    need = tech.post_need(users["county_office"], county=Region.objects.get(code="513436"), title="马铃薯种薯退化", problem="种薯退化")
    return {"sold": sold, "open": open_, "mine": mine, "gd": guangdong, "sink": p, "block": block, "tech": t, "need": need}


@pytest.fixture
def zhaojue(db):
    user = get_user_model().objects.create_user("zhaojue_office", password="x")
    Profile.objects.create(user=user, role="office_editor", organisation=office("513431"))
    return user


def pages(m):
    return {
        "land": reverse("markets-land-list"), "land_new": reverse("markets-land-create"),
        "sold": reverse("markets-land-detail", args=[m["sold"].pk]), "open": reverse("markets-land-detail", args=[m["open"].pk]),
        "trades": reverse("markets-land-trades"), "mine": reverse("markets-land-trade", args=[m["mine"].pk]),
        "gd": reverse("markets-land-trade", args=[m["gd"].pk]), "carbon": reverse("markets-carbon-list"),
        "carbon_new": reverse("markets-carbon-create"), "sink": reverse("markets-carbon-detail", args=[m["sink"].pk]),
        "tech": reverse("markets-tech-list"), "tech_detail": reverse("markets-tech-detail", args=[m["tech"].pk]),
        "need": reverse("markets-tech-need", args=[m["need"].pk]),
    }


# who → the status of each page (200 seen, 403 forbidden form, 404 not in scope)
MATRIX = {
    "national": dict(land=200, land_new=200, sold=200, open=200, trades=200, mine=200, gd=200, carbon=200, carbon_new=200, sink=200,
                     tech=200, tech_detail=200, need=200),
    "auditor": dict(land=200, land_new=403, sold=200, open=200, trades=200, mine=200, gd=200, carbon=200, carbon_new=403, sink=200,
                    tech=200, tech_detail=200, need=200),
    "county_office": dict(land=200, land_new=200, sold=200, open=200, trades=200, mine=200, gd=200, carbon=200, carbon_new=200,
                          sink=200, tech=200, tech_detail=200, need=200),
    "west_office": dict(land=200, land_new=200, sold=200, open=200, trades=200, mine=200, gd=200, carbon=200, carbon_new=200,
                        sink=200, tech=200, tech_detail=200, need=200),
    "viewer": dict(land=200, land_new=403, sold=200, open=200, trades=200, mine=200, gd=200, carbon=200, carbon_new=403, sink=200,
                   tech=200, tech_detail=200, need=200),
    # Zhejiang: sees the open listing and its own purchase, not Guangdong's; 美姑 is paired with 鄞州 (in Zhejiang)
    "east_office": dict(land=200, land_new=403, sold=200, open=200, trades=200, mine=200, gd=404, carbon=200, carbon_new=403,
                        sink=200, tech=200, tech_detail=200, need=200),
    # 昭觉: another western county: the open listing (a market), not 美姑's sold one nor its trades
    "zhaojue_office": dict(land=200, land_new=200, sold=404, open=200, trades=200, mine=404, gd=404, carbon=200, carbon_new=200,
                           sink=404, tech=200, tech_detail=200, need=200),
}


@pytest.mark.parametrize("who", sorted(MATRIX))
def test_permission_matrix(client_as, market, zhaojue, who):
    client = client_as(who)
    for name, url in pages(market).items():
        assert client.get(url).status_code == MATRIX[who][name], (who, name)


def test_anonymous_sees_only_the_public_lists(client, market):
    for name, url in pages(market).items():
        assert_login_redirect(client.get(url), url)
    public = client.get(reverse("markets-land-public"))
    assert public.status_code == 200 and "美姑县" in public.content.decode()
    reg = client.get(reverse("markets-carbon-registry"), {"serial": f"XZCR-{market['sink'].code}-{market['block'].vintage}-42"})
    assert reg.status_code == 200 and market["block"].serial in reg.content.decode()
    none = client.get(reverse("markets-carbon-registry"), {"serial": f"XZCR-{market['sink'].code}-{market['block'].vintage}-501"})
    assert market["block"].serial not in none.content.decode()


def test_lists_are_scoped(client_as, market, zhaojue):
    east = client_as("east_office").get(reverse("markets-land-trades")).content.decode()
    assert market["sold"].code in east and f"#{market['gd'].pk}<" not in east
    zj = client_as("zhaojue_office").get(reverse("markets-land-list")).content.decode()
    assert market["open"].code in zj and market["sold"].code not in zj


def test_exports(client_as, market):
    c = client_as("county_office")
    headers, rows, _ws = export_sheet(c.get(reverse("markets-land-list"), {"format": "xlsx"}))
    assert headers[0] == zh("listing code") and {r[0] for r in rows} >= {market["sold"].code, market["open"].code}
    headers, rows, _ws = export_sheet(c.get(reverse("markets-land-trades"), {"format": "xlsx"}))
    assert len(rows) == 2 and {r[9] for r in rows} == {"2.0000", "1.0000"}
    headers, rows, _ws = export_sheet(client_as("east_office").get(reverse("markets-land-trades"), {"format": "xlsx"}))
    assert [r[0] for r in rows] == [market["mine"].pk]
    headers, rows, _ws = export_sheet(c.get(reverse("markets-carbon-registry"), {"format": "xlsx"}))
    assert rows[0][0] == market["block"].serial
    headers, rows, _ws = export_sheet(c.get(reverse("markets-tech-list"), {"format": "xlsx"}))
    assert rows[0][0] == "ZL1"
    headers, rows, _ws = export_sheet(c.get(reverse("markets-carbon-list"), {"format": "xlsx"}))
    assert rows[0][0] == market["sink"].code


def test_buying_from_the_page_and_refusals_write_nothing(client_as, market):
    c = client_as("east_office")
    url = reverse("markets-land-buy", args=[market["open"].pk])
    before = QuotaTrade.objects.count()
    r = c.post(url, {"buyer": zhejiang().pk, "area": "-1"}, follow=True)
    assert QuotaTrade.objects.count() == before and zh("the area must be more than zero") in r.content.decode()
    r = c.post(url, {"buyer": zhejiang().pk, "area": "9"}, follow=True)
    assert QuotaTrade.objects.count() == before
    r = c.post(url, {"buyer": zhejiang().pk, "area": "1.5"})
    trade = QuotaTrade.objects.latest("id")
    assert r.status_code == 302 and r["Location"] == reverse("markets-land-trade", args=[trade.pk])
    assert trade.end_u - trade.start_u == 15_000 and trade.start_u == 10_000
    # a viewer has no buyer to act for: refused, nothing written
    client_as("viewer").post(url, {"buyer": zhejiang().pk, "area": "1"})
    assert QuotaTrade.objects.count() == before + 1


def test_retiring_units_not_held_from_the_page_is_refused(client_as, market):
    before = CarbonBlock.objects.count()
    r = client_as("east_office").post(reverse("markets-carbon-retire", args=[market["sink"].pk]),
                                      {"block": market["block"].pk, "units": 5, "beneficiary": "x", "purpose": "y"})
    assert r.status_code == 302 and CarbonBlock.objects.count() == before
    client_as("county_office").post(reverse("markets-carbon-retire", args=[market["sink"].pk]),
                                    {"block": market["block"].pk, "units": 5, "beneficiary": "会议", "purpose": "碳中和"})
    assert CarbonBlock.objects.filter(status="retired").count() == 1


def test_carbon_life_cycle_on_the_project_page(client_as, users):
    from xiezuo.markets.models import MonitoringReport, Subscription, Verification

    p = sink(users["county_office"])
    url = reverse("markets-carbon-detail", args=[p.pk])
    assert "report-form" in client_as("county_office").get(url).content.decode()
    assert "report-form" not in client_as("east_office").get(url).content.decode()
    client_as("county_office").post(reverse("markets-carbon-report", args=[p.pk]), {
        "period_start": str(p.crediting_start), "period_end": str(p.crediting_start.replace(month=12, day=31)), "claimed_t": "300"})
    report = MonitoringReport.objects.get(project=p)
    assert "verify-form" in client_as("auditor").get(url).content.decode()
    client_as("county_office").post(reverse("markets-carbon-verify", args=[p.pk]), {"report": report.pk, "verified_t": "280"})
    assert not Verification.objects.exists()  # the county does not verify its own report
    client_as("auditor").post(reverse("markets-carbon-verify", args=[p.pk]), {"report": report.pk, "verified_t": "280"})
    v = Verification.objects.get(report=report)
    client_as("county_office").post(reverse("markets-carbon-issue", args=[p.pk]), {"verification": v.pk})
    assert not CarbonBlock.objects.filter(project=p).exists()  # only the registry issues
    client_as("national").post(reverse("markets-carbon-issue", args=[p.pk]), {"verification": v.pk})
    assert CarbonBlock.objects.get(project=p).units == 280
    client_as("east_office").post(reverse("markets-carbon-subscribe", args=[p.pk]), {
        "subscriber": zhejiang().pk, "price": "60", "share_pct": "50", "tonnes": "200"})
    sub = Subscription.objects.get(project=p)
    assert sub.price_fen_per_t == 6000
    client_as("county_office").post(reverse("markets-carbon-deliver", args=[p.pk]), {"subscription": sub.pk, "units": "120"})
    sub.refresh_from_db()
    assert sub.delivered_t == 120
