"""From a listing to a settled trade in a real browser: 美姑县 lists surplus quota, the
Zhejiang office buys part of it at the set price (the range is split, the payment posted to
the ledger), and the county splits the proceeds 85:15. Screenshots in screenshots/markets/."""
from pathlib import Path

import pytest

from tests.web.test_browser import PASSWORD, base_data, browser, restore_base_data  # noqa: F401 (the browser fixtures)

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "screenshots" / "markets"


def _login(browser, live_server, username, errors):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form:has(input[name=password]) [type=submit]")
    page.wait_for_url(live_server.url + "/")
    return context, page


def test_from_a_listing_to_a_settled_trade(browser, live_server, base_data):
    from django.contrib.auth import get_user_model

    from xiezuo.ledger.models import Posting
    from xiezuo.markets.models import ProceedsSplit, QuotaTrade
    from tests.markets.world import farmers, prices

    SHOTS.mkdir(parents=True, exist_ok=True)
    prices(get_user_model().objects.get(username="national"))
    errors = []
    ctx, page = _login(browser, live_server, "county_office", errors)
    page.goto(live_server.url + "/markets/land/")
    page.click("[data-testid=new-listing]")
    form = page.locator("[data-testid=markets-form]")
    form.locator("select[name=county]").select_option(label="美姑县（513436）")
    form.locator("select[name=land_class]").select_option("cultivated")
    form.locator("input[name=area]").fill("12.3456")
    form.locator("input[name=source_project]").fill("洒库乡城乡建设用地增减挂钩项目")
    form.locator("input[name=approval_doc]").fill("川自然资〔2026〕88号")
    form.locator("input[name=province_confirmation]").fill("四川省自然资源厅确认〔2026〕12号")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=area]").inner_text() == "12.3456"
    page.screenshot(path=str(SHOTS / "1-listing.png"), full_page=True)
    listing_url = page.url
    ctx.close()

    ctx, page = _login(browser, live_server, "east_office", errors)
    page.goto(listing_url)
    buy = page.locator("[data-testid=buy-form]")
    buy.locator("select[name=buyer]").select_option(label="浙江省东西部协作办公室")
    buy.locator("input[name=area]").fill("5.0000")
    page.screenshot(path=str(SHOTS / "2-buy.png"), full_page=True)
    page.click("[data-testid=buy]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=trade-area]").inner_text() == "5.0000"
    assert "1,000,000.00" in page.locator("[data-testid=trade-amount]").inner_text()  # 5 mu × 20万 = 100万元
    page.screenshot(path=str(SHOTS / "3-trade-settled.png"), full_page=True)
    trade = QuotaTrade.objects.get()
    assert (trade.start_u, trade.end_u, trade.amount_fen) == (0, 50_000, 1_000_000_00)
    assert Posting.objects.get(pk=trade.posting_id).kind == "market"
    page.goto(listing_url)
    assert page.locator("[data-testid=unsold]").inner_text() == "7.3456"
    page.screenshot(path=str(SHOTS / "4-listing-after.png"), full_page=True)
    ctx.close()

    ctx, page = _login(browser, live_server, "county_office", errors)
    a, b = farmers(get_user_model().objects.get(username="county_office"), names=("阿苦日哈", "吉克阿衣"))
    page.goto(live_server.url + f"/markets/land/trades/{trade.pk}/?q=阿苦日哈")
    assert a.number in page.locator("[data-testid=candidates]").inner_text()  # found by the head's name, through its keyed hash
    page.locator("[data-testid=split-form] textarea").fill(f"{a.number}, 3\n{b.number}, 2")
    page.click("[data-testid=split-button]")
    page.wait_for_load_state()
    split = ProceedsSplit.objects.get(trade=trade)
    assert (split.farmers_fen, split.collective_fen) == (85_000_000, 15_000_000)
    assert page.locator("[data-testid=split]").count() == 1
    shares = page.locator("[data-testid=shares]").inner_text()
    assert a.number in shares and "¥510,000.00" in shares and "¥340,000.00" in shares  # 85万 in 3:2
    page.screenshot(path=str(SHOTS / "5-split.png"), full_page=True)
    page.goto(live_server.url + a.get_absolute_url())  # the household page: what the cooperation did for it
    coop = page.locator("[data-testid=cooperation]").inner_text()
    assert split.trade.listing.code in coop and "¥510,000.00" in coop
    page.screenshot(path=str(SHOTS / "6-household-payout.png"), full_page=True)
    ctx.close()

    ctx, page = _login(browser, live_server, "east_office", errors)  # the buyer sees the split, as counts only
    page.goto(live_server.url + f"/markets/land/trades/{trade.pk}/")
    assert page.locator("[data-testid=shares]").count() == 0 and "2" in page.locator("[data-testid=share-count]").inner_text()
    assert a.number not in page.content() and "阿苦日哈" not in page.content()
    page.screenshot(path=str(SHOTS / "7-split-east.png"), full_page=True)
    ctx.close()
    assert not errors


def test_a_share_kept_by_name_is_linked_on_the_trade_page(browser, live_server, base_data):
    """The trade page numbers the units (1–50,000, not [0, 50000)) and the county office
    links a share kept by name (migration 0006) to a registry household of the county."""
    from django.contrib.auth import get_user_model

    from tests.markets.world import farmers, listing, prices, zhejiang
    from xiezuo.markets.land import actions as land
    from xiezuo.markets.models import HouseholdShare

    SHOTS.mkdir(parents=True, exist_ok=True)
    users = get_user_model().objects
    prices(users.get(username="national"))
    lst = listing(users.get(username="county_office"), area="12.3456")
    trade = land.buy(users.get(username="east_office"), listing=lst, buyer=zhejiang(), area="5.0000")
    a, b = farmers(users.get(username="county_office"), names=("阿苦日哈", "吉克阿衣"))
    split = land.split_proceeds(users.get(username="county_office"), trade=trade, households=[(a, 3)])
    share = split.shares.get()
    share.fen = 51_000_000
    share.save()
    loose = HouseholdShare.objects.create(split=split, position=1, unmatched_name="吉克阿衣", weight=2, fen=34_000_000)
    errors = []
    ctx, page = _login(browser, live_server, "county_office", errors)
    page.goto(live_server.url + f"/markets/land/trades/{trade.pk}/")
    units = page.locator("[data-testid=trade-units]").inner_text()
    assert "1–50,000" in units and "50,000" in units and "[0" not in units
    assert page.locator("[data-testid=unmatched]").count() == 1
    page.screenshot(path=str(SHOTS / "8-unmatched-share.png"), full_page=True)
    page.locator("[data-testid=link-share] input[name=number]").fill(b.number)
    page.locator("[data-testid=link-share] button").click()
    page.wait_for_load_state()
    loose.refresh_from_db()
    assert loose.household_id == b.pk and loose.fen == 34_000_000
    assert page.locator("[data-testid=unmatched]").count() == 0 and b.number in page.locator("[data-testid=shares]").inner_text()
    page.screenshot(path=str(SHOTS / "9-share-linked.png"), full_page=True)
    ctx.close()
    assert not errors
