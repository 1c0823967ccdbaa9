import datetime

import pytest
from django.utils import timezone

from tests.support import office
from xiezuo.markets import figures
from xiezuo.markets.carbon import actions as carbon
from xiezuo.markets.land import actions as land

from .world import listing, prices, sink, verified, zhejiang

pytestmark = pytest.mark.django_db


def test_office_figures_and_weekly_items(users):
    prices(users["national"])
    old = listing(users["county_office"], area="3")
    old.listed_on = timezone.localdate() - datetime.timedelta(days=120)
    old.save()
    sold = listing(users["county_office"], area="2")
    land.buy(users["east_office"], listing=sold, buyer=zhejiang(), area="1.5")
    p = sink(users["county_office"])
    carbon.sign_subscription(users["east_office"], project=p, subscriber=office("330000"), price_fen_per_t=50_00, share_pct=50,
                             tonnes=1000, signed_on=p.crediting_start)
    carbon.issue(users["national"], verification=verified(users, p, 400))
    f = figures.office_figures(users["east_office"])
    assert f["quota_traded_u"] == 15_000 and f["quota_traded_fen"] == 30_000_000 and f["tonnes_subscribed"] == 1000
    assert figures.office_figures(users["county_office"])["tonnes_issued"] == 400
    items = figures.weekly_items(users["county_office"])
    assert [x.pk for x in items["unsold_listings"]] == [old.pk]
    assert [(s.project_id, due) for s, due in items["subscriptions_behind"]] == [(p.pk, 200)]
