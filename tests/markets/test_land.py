"""The land-quota exchange: listing, fixed-price purchase, the call auction, settlement
through the ledger, the 85:15 split and the equity conversion, exact to the unit and fen."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.support import office, pair, project  # noqa: F401  (fixtures)
from xiezuo.ledger.balances import balance
from xiezuo.ledger.choices import Purpose
from xiezuo.ledger.models import Account, Posting
from xiezuo.markets.land import actions as land
from xiezuo.markets.land.auction import Bid, clear
from xiezuo.markets.models import QuotaListing, QuotaTrade
from xiezuo.markets.units import amount_for, largest_remainder, mu_text, parse_mu
from xiezuo.projects.models import Asset

from .world import PRICE, YEAR, farmers, listing, prices, zhejiang

pytestmark = pytest.mark.django_db


# --- units and money ---------------------------------------------------------------------


def test_areas_are_exact_to_a_ten_thousandth_of_a_mu():
    assert parse_mu("12.3456") == 123456
    assert parse_mu("0.0001") == 1
    assert mu_text(123456) == "12.3456"
    for bad in ("-1", "0", "1.00001", "abc", "NaN", None, True):
        with pytest.raises(ValueError):
            parse_mu(bad)


def test_amount_rounds_half_up_once():
    assert amount_for(10_000, PRICE) == PRICE
    assert amount_for(1, 25_000) == 3  # 2.5 fen → 3
    assert amount_for(1, 24_999) == 2


@pytest.mark.parametrize("total,weights,expected", [
    (100, [85, 15], [85, 15]),
    (1, [85, 15], [1, 0]),
    (7, [85, 15], [6, 1]),  # 5.95 → 5 r.95, 1.05 → 1 r.05: the fen left goes to .95
    (10, [1, 1, 1], [4, 3, 3]),  # ties: the earlier part
    (333_333_33, [85, 15], [283_333_33, 50_000_00]),  # 28,333,333.05 and 4,999,999.95
])
def test_largest_remainder_by_hand(total, weights, expected):
    parts = largest_remainder(total, weights)
    assert parts == expected and sum(parts) == total


# --- the call auction, worked by hand ------------------------------------------------------


def test_auction_excess_supply_clears_at_the_reserve():
    r = clear(100, 50, [Bid("a", 30, 80, 0), Bid("b", 40, 60, 1), Bid("c", 10, 40, 2)])
    assert r.price == 50 and r.fills == {"a": 30, "b": 40}  # c is below the reserve


def test_auction_clears_at_the_highest_price_demand_covers_supply():
    # supply 100; demand at 90: 40; at 80: 40+50 = 90; at 70: 90+30 = 120 ≥ 100 → p* = 70
    bids = [Bid("a", 40, 90, 0), Bid("b", 50, 80, 1), Bid("c", 30, 70, 2), Bid("d", 20, 70, 3), Bid("e", 99, 60, 4)]
    r = clear(100, 50, bids)
    assert r.price == 70
    assert r.fills == {"a": 40, "b": 50, "c": 10}  # c partly (time priority over d), d and e nothing
    assert r.filled == 100


def test_auction_exact_cover_fills_all_at_the_marginal_price():
    r = clear(100, 10, [Bid("a", 60, 30, 0), Bid("b", 40, 20, 1), Bid("c", 5, 15, 2)])
    assert r.price == 20 and r.fills == {"a": 60, "b": 40}


def test_auction_ties_share_by_time():
    r = clear(50, 10, [Bid("late", 40, 20, 5), Bid("early", 40, 20, 1)])
    assert r.price == 20 and r.fills == {"early": 40, "late": 10}


def test_auction_with_no_eligible_bid_clears_nothing():
    assert clear(100, 50, [Bid("a", 10, 40, 0)]).price is None
    assert clear(0, 50, [Bid("a", 10, 60, 0)]).fills == {}


# --- listing and buying --------------------------------------------------------------------


def test_fixed_price_purchase_splits_the_range_and_pays_through_the_ledger(users):
    prices(users["national"])
    lst = listing(users["county_office"], area="10.5000")
    assert lst.area_u == 105_000 and lst.code.startswith("LQ-513436-")
    t1 = land.buy(users["east_office"], listing=lst, buyer=zhejiang(), area="2.2500")
    t2 = land.buy(users["east_office"], listing=lst, buyer=zhejiang(), area="8.2500")
    assert (t1.start_u, t1.end_u, t2.start_u, t2.end_u) == (0, 22_500, 22_500, 105_000)
    assert t1.amount_fen == 45_000_000 and t2.amount_fen == 165_000_000  # 45万元, 165万元
    lst.refresh_from_db()
    assert lst.status == "sold"
    assert Posting.objects.get(pk=t1.posting_id).kind == "market"
    received = Account.objects.get(owner=office("513436"), purpose=Purpose.WEST_RECEIVING, project=None)
    assert balance(received) == t1.amount_fen + t2.amount_fen
    paid = Account.objects.get(owner=zhejiang(), purpose=Purpose.EAST_BUDGET, project=None)
    assert balance(paid) == t1.amount_fen + t2.amount_fen


def test_a_unit_is_never_sold_twice(users, en):
    prices(users["national"])
    lst = listing(users["county_office"], area="1.0000")
    land.buy(users["east_office"], listing=lst, buyer=zhejiang(), area="0.6000")
    with pytest.raises(ValidationError, match="sold out|not open|only 0.4000 mu"):
        land.buy(users["east_office"], listing=lst, buyer=zhejiang(), area="0.5000")
    assert QuotaTrade.objects.filter(listing=lst).count() == 1


def test_bad_input_is_refused_and_nothing_is_written(users, en):
    prices(users["national"])
    from xiezuo.regions.models import Region

    before = QuotaListing.objects.count()
    for area in ("-3", "0", "1.23456", "lots"):
        with pytest.raises(ValidationError) as exc:
            land.list_quota(users["county_office"], county=Region.objects.get(code="513436"), land_class="cultivated",
                            area=area, source_project="x", approval_doc="y", province_confirmation="z")
        assert "area" in exc.value.message_dict
    with pytest.raises(ValidationError):  # an eastern region is not a western county
        land.list_quota(users["national"], county=Region.objects.get(code="330212"), land_class="cultivated",
                        area="1", source_project="x", approval_doc="y", province_confirmation="z")
    assert QuotaListing.objects.count() == before


def test_no_price_configured_refuses(users, en):
    lst = listing(users["county_office"])
    with pytest.raises(ValidationError, match="no quota price"):
        land.buy(users["east_office"], listing=lst, buyer=zhejiang(), area="1")


def test_who_may_do_what(users, en):
    prices(users["national"])
    with pytest.raises(PermissionDenied):  # a Zhejiang office cannot list 美姑's quota
        listing(users["east_office"])
    with pytest.raises(PermissionDenied):
        land.set_quota_price(users["east_office"], year=YEAR, land_class="paddy", price_fen_per_mu=1)
    lst = listing(users["county_office"])
    with pytest.raises(PermissionDenied):  # the county cannot buy in Zhejiang's name
        land.buy(users["county_office"], listing=lst, buyer=zhejiang(), area="1")
    with pytest.raises(ValidationError, match="same province|eastern"):  # Sichuan buying Sichuan
        land.buy(users["west_office"], listing=lst, buyer=office("510000"), area="1")


def test_call_auction_settles_every_fill_at_one_price(users):
    prices(users["national"])
    lst = listing(users["county_office"], area="10")
    auction = land.open_auction(users["county_office"], listing=lst, closes_on=lst.listed_on)
    ningbo, hangzhou = office("330200"), office("330100")
    east = users["east_office"]
    land.place_bid(east, auction=auction, bidder=ningbo, area="4", limit_fen_per_mu=PRICE + 3_000_000)
    land.place_bid(east, auction=auction, bidder=hangzhou, area="5", limit_fen_per_mu=PRICE + 2_000_000)
    land.place_bid(east, auction=auction, bidder=zhejiang(), area="3", limit_fen_per_mu=PRICE + 1_000_000)
    land.place_bid(east, auction=auction, bidder=ningbo, area="2", limit_fen_per_mu=PRICE + 1_000_000)
    trades = land.clear_auction(users["county_office"], auction=auction)
    auction.refresh_from_db()
    assert auction.clearing_fen_per_mu == PRICE + 1_000_000
    assert [(t.buyer_id, t.area_u) for t in trades] == [(ningbo.pk, 40_000), (hangzhou.pk, 50_000), (zhejiang().pk, 10_000)]
    assert all(t.price_fen_per_mu == PRICE + 1_000_000 and t.posting_id for t in trades)
    assert [(t.start_u, t.end_u) for t in trades] == [(0, 40_000), (40_000, 90_000), (90_000, 100_000)]
    lst.refresh_from_db()
    assert lst.status == "sold"


def test_split_85_15_and_equity_conversion_exact_to_the_fen(users, project):
    prices(users["national"])
    lst = listing(users["county_office"], area="1.6667")
    trade = land.buy(users["east_office"], listing=lst, buyer=zhejiang(), area="1.6667")
    assert trade.amount_fen == 33_334_000  # 1.6667 × 20万
    conv = land.convert_to_equity(users["county_office"], trade=trade, project=project, valuation_fen=300_000_000_00,
                                  total_shares=7_000_000, amount_fen=10_000_000)
    # ⌊10,000,000 × 7,000,000 / 30,000,000,000⌋ = 2,333 shares, worth 2,333 × 30e9 / 7e6 = 9,998,571.43 → 9,998,571 fen
    assert conv.shares == 2_333 and conv.converted_fen == 9_998_571 and conv.remainder_fen == 33_334_000 - 9_998_571
    asset = Asset.objects.get(pk=conv.asset_id)
    assert asset.value_fen == 9_998_571 and asset.owner_tier == "collective" and asset.project_id == project.pk
    a, b, c = farmers(users["county_office"])
    split = land.split_proceeds(users["county_office"], trade=trade, households=[(a, 3), (b, 2), (c, 2)])
    assert split.distributable_fen == conv.remainder_fen == 23_335_429
    # 85% = 19,835,114.65 → 19,835,115 (remainder .65 beats .35); 15% = 3,500,314.35 → 3,500,314
    assert (split.farmers_fen, split.collective_fen) == (19_835_115, 3_500_314)
    shares = list(split.shares.order_by("position"))
    assert sum(s.fen for s in shares) == split.farmers_fen
    assert [s.fen for s in shares] == [8_500_763, 5_667_176, 5_667_176]  # 3:2:2 → .57, .71, .71: the two fen left go to the .71s
    assert [(s.household_id, s.weight) for s in shares] == [(a.pk, 3), (b.pk, 2), (c.pk, 2)]
