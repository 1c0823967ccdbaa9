"""Money through the ledger beyond a trade's settlement: the land proceeds paid out to the
farmers and the village collective (85:15, exact to the fen, once per trade, never below
zero), and technology deals paid by the licensee to the owner (price and royalties)."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.support import office, other_project, pair, project  # noqa: F401  (fixtures)
from xiezuo.core.models import AuditEntry
from xiezuo.ledger.balances import balance
from xiezuo.ledger.choices import Purpose
from xiezuo.ledger.models import Account, Posting
from xiezuo.markets.land import actions as land
from xiezuo.markets.models import ProceedsSplit

from .world import farmers, listing, prices, zhejiang

pytestmark = pytest.mark.django_db


def _received():
    return Account.objects.get(owner=office("513436"), purpose=Purpose.WEST_RECEIVING, project=None)


@pytest.fixture
def split_trade(users, project):
    prices(users["national"])
    lst = listing(users["county_office"], area="1.6667")
    trade = land.buy(users["east_office"], listing=lst, buyer=zhejiang(), area="1.6667")  # 33,334,000 fen
    a, b = farmers(users["county_office"], names=("阿苦日哈", "吉克阿衣"))
    split = land.split_proceeds(users["county_office"], trade=trade, households=[(a, 3), (b, 2)])
    return trade, split


def test_payout_moves_each_share_out_of_the_county_account_exact_to_the_fen(users, project, split_trade):
    trade, split = split_trade
    # 85% of 33,334,000 = 28,333,900; 15% = 5,000,100
    assert (split.farmers_fen, split.collective_fen) == (28_333_900, 5_000_100)
    before = Posting.objects.count()
    paid = land.pay_out(users["county_office"], trade=trade, project=project)
    assert Posting.objects.count() == before + 2
    farmers, collective = Posting.objects.get(pk=paid.farmers_posting_id), Posting.objects.get(pk=paid.collective_posting_id)
    assert (farmers.amount_fen, collective.amount_fen) == (28_333_900, 5_000_100)
    assert farmers.kind == collective.kind == "market" and farmers.project_id == project.pk
    assert balance(_received()) == 0  # the whole trade was split and paid out
    spent = Account.objects.get(project=project, purpose=Purpose.PROJECT_SPENDING)
    assert balance(spent) == 33_334_000
    assert AuditEntry.objects.filter(object_type="markets.proceedssplit", object_id=str(split.pk), action="update").exists()


def test_payout_is_once_per_trade(users, project, split_trade):
    trade, _split = split_trade
    first = land.pay_out(users["county_office"], trade=trade, project=project)
    n = Posting.objects.count()
    again = land.pay_out(users["county_office"], trade=trade, project=project)
    assert Posting.objects.count() == n and again.farmers_posting_id == first.farmers_posting_id
    assert balance(_received()) == 0


def test_payout_never_takes_the_account_below_zero(users, project, split_trade, en):
    trade, split = split_trade
    # the county's account already paid most of its money elsewhere: disbursed into the project
    from xiezuo.ledger import actions as ledger

    ledger.disburse(users["county_office"], project=project, amount_fen=30_000_000, idempotency_key="t-disb")
    before = Posting.objects.count()
    with pytest.raises(ValidationError, match="holds ¥?33,334.00|below zero") as exc:
        land.pay_out(users["county_office"], trade=trade, project=project)
    assert "trade" in exc.value.message_dict
    assert Posting.objects.count() == before
    split.refresh_from_db()
    assert split.paid_on is None and split.farmers_posting_id is None


def test_payout_needs_a_split_a_project_of_the_county_and_the_county_side(users, project, other_project, en):
    prices(users["national"])
    trade = land.buy(users["east_office"], listing=listing(users["county_office"], area="1"), buyer=zhejiang(), area="1")
    with pytest.raises(ValidationError, match="split the proceeds"):
        land.pay_out(users["county_office"], trade=trade, project=project)
    land.split_proceeds(users["county_office"], trade=trade)
    with pytest.raises(ValidationError) as exc:
        land.pay_out(users["national"], trade=trade, project=other_project)
    assert "project" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        land.pay_out(users["east_office"], trade=trade, project=project)
    assert ProceedsSplit.objects.get(trade=trade).paid_on is None


def test_payout_from_the_trade_page(client_as, users, project, split_trade):
    trade, _split = split_trade
    url = reverse("markets-land-trade", args=[trade.pk])
    page = client_as("county_office").get(url).content.decode()
    assert "payout-form" in page and "data-testid=\"held\"" in page
    assert "payout-form" not in client_as("east_office").get(url).content.decode()
    r = client_as("east_office").post(reverse("markets-land-trade-payout", args=[trade.pk]), {"project": project.pk})
    assert r.status_code in (302, 404)
    assert ProceedsSplit.objects.get(trade=trade).paid_on is None
    client_as("county_office").post(reverse("markets-land-trade-payout", args=[trade.pk]), {"project": project.pk})
    split = ProceedsSplit.objects.get(trade=trade)
    assert split.paid_on is not None
    page = client_as("county_office").get(url).content.decode()
    assert f"#{split.farmers_posting_id}" in page and f"#{split.collective_posting_id}" in page
    assert "payout-form" not in page


# --- technology deals: the licensee pays the owner ------------------------------------------


@pytest.fixture
def deal_world(users):
    import datetime

    from xiezuo.markets.tech import actions as tech
    from xiezuo.orgs.models import Organisation
    from xiezuo.regions.models import Region

    zju = Organisation.objects.create(name="浙江大学（测试）", kind="enterprise", region=Region.objects.get(code="330106"))
    t = tech.offer_technology(users["national"], owner=zju, number="ZL202110001234.5", title="高原马铃薯脱毒种薯快繁技术",
                              ipc="A01H 4/00")
    deal = tech.sign_deal(users["county_office"], technology=t, licensee=office("513436"), kind="licence", price_fen=50_000_00,
                          royalty_permille=35, signed_on=datetime.date(2026, 1, 10))
    return zju, t, deal


def test_a_deal_price_is_paid_licensee_to_owner_once(users, deal_world):
    from xiezuo.markets.tech import actions as tech

    zju, _t, deal = deal_world
    posting = Posting.objects.get(pk=deal.posting_id)
    assert posting.kind == "market" and posting.amount_fen == 50_000_00
    assert posting.east_org_id == zju.pk and posting.west_org_id == office("513436").pk
    owner = Account.objects.get(owner=zju, purpose=Purpose.WEST_RECEIVING, project=None)
    licensee = Account.objects.get(owner=office("513436"), purpose=Purpose.EAST_BUDGET, project=None)
    assert balance(owner) == balance(licensee) == 50_000_00
    n = Posting.objects.count()
    assert tech.settle_deal(users["county_office"], deal=deal).posting_id == deal.posting_id
    assert Posting.objects.count() == n
    assert AuditEntry.objects.filter(object_type="markets.techdeal", object_id=str(deal.pk)).exists()
    with pytest.raises(PermissionDenied):
        tech.settle_deal(users["east_office"], deal=deal)


def test_a_deal_without_a_price_posts_nothing(users, deal_world):
    from xiezuo.markets.tech import actions as tech

    _zju, t, _deal = deal_world
    n = Posting.objects.count()
    joint = tech.sign_deal(users["county_office"], technology=t, licensee=office("513436"), kind="joint", price_fen=0)
    assert joint.posting_id is None and Posting.objects.count() == n


def test_royalties_are_paid_per_return_and_the_indicator_reads_the_same_returns(users, deal_world):
    import datetime

    from xiezuo.markets.tech import actions as tech
    from xiezuo.markets.tech import facts

    zju, _t, deal = deal_world
    r1 = tech.record_return(users["county_office"], deal=deal, period_end=datetime.date(2026, 3, 31), revenue_fen=120_000_01,
                            cost_fen=60_000_00)
    r2 = tech.record_return(users["county_office"], deal=deal, period_end=datetime.date(2026, 6, 30), revenue_fen=0, cost_fen=15_000_00)
    # 3.5% of 12,000,001 fen = 420,000.035 → 420,000; nothing on no revenue
    assert (r1.royalty_fen, r2.royalty_fen) == (420_000, 0)
    assert Posting.objects.get(pk=r1.posting_id).amount_fen == 420_000 and r2.posting_id is None
    assert tech.royalty_for(1, 500) == 1 and tech.royalty_for(1, 499) == 0  # half a fen rounds up
    owner = Account.objects.get(owner=zju, purpose=Purpose.WEST_RECEIVING, project=None)
    assert balance(owner) == 50_000_00 + 420_000
    got = facts.returns(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))["513436"]
    assert (got["revenue_fen"], got["cost_fen"]) == (120_000_01, 75_000_00)


def test_payout_through_the_api(client_as, users, project, split_trade):
    trade, _split = split_trade
    url = f"/api/v1/markets/land/trades/{trade.pk}/payout"
    r = client_as("county_office").post(url, {"project": 999_999}, content_type="application/json")
    assert r.status_code == 422 or r.status_code == 400
    assert "project" in r.content.decode()
    assert ProceedsSplit.objects.get(trade=trade).paid_on is None
    r = client_as("county_office").post(url, {"project": project.pk}, content_type="application/json")
    body = r.json()
    assert r.status_code == 200 and body["farmers_posting"] and body["collective_posting"] and body["paid_on"]
    again = client_as("county_office").post(url, {"project": project.pk}, content_type="application/json").json()
    assert again["farmers_posting"] == body["farmers_posting"]
