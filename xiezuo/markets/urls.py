"""Pages of 要素市场: the land-quota exchange, the carbon-sink registry, the technology transfer centre."""
from django.urls import path

from .carbon import views as carbon
from .land import views as land
from .tech import views as tech

urlpatterns = [
    path("markets/land/", land.listing_list, name="markets-land-list"),
    path("markets/land/new/", land.listing_create, name="markets-land-create"),
    path("markets/land/<int:pk>/", land.listing_detail, name="markets-land-detail"),
    path("markets/land/<int:pk>/buy/", land.listing_buy, name="markets-land-buy"),
    path("markets/land/<int:pk>/auction/", land.auction_open, name="markets-land-auction-open"),
    path("markets/land/<int:pk>/auction/bid/", land.auction_bid, name="markets-land-auction-bid"),
    path("markets/land/<int:pk>/auction/clear/", land.auction_clear, name="markets-land-auction-clear"),
    path("markets/land/trades/", land.trade_list, name="markets-land-trades"),
    path("markets/land/trades/<int:pk>/", land.trade_detail, name="markets-land-trade"),
    path("markets/land/trades/<int:pk>/split/", land.trade_split, name="markets-land-trade-split"),
    path("markets/land/trades/<int:pk>/link-share/", land.trade_link_share, name="markets-land-trade-link-share"),
    path("markets/land/trades/<int:pk>/payout/", land.trade_payout, name="markets-land-trade-payout"),
    path("markets/land/trades/<int:pk>/equity/", land.trade_equity, name="markets-land-trade-equity"),
    path("markets/land/public/", land.public_list, name="markets-land-public"),
    path("markets/carbon/", carbon.project_list, name="markets-carbon-list"),
    path("markets/carbon/new/", carbon.project_create, name="markets-carbon-create"),
    path("markets/carbon/<int:pk>/", carbon.project_detail, name="markets-carbon-detail"),
    path("markets/carbon/<int:pk>/retire/", carbon.block_retire, name="markets-carbon-retire"),
    path("markets/carbon/<int:pk>/transfer/", carbon.block_transfer, name="markets-carbon-transfer"),
    path("markets/carbon/<int:pk>/reports/", carbon.report_submit, name="markets-carbon-report"),
    path("markets/carbon/<int:pk>/verify/", carbon.report_verify, name="markets-carbon-verify"),
    path("markets/carbon/<int:pk>/issue/", carbon.issue_units, name="markets-carbon-issue"),
    path("markets/carbon/<int:pk>/subscribe/", carbon.subscribe, name="markets-carbon-subscribe"),
    path("markets/carbon/<int:pk>/deliver/", carbon.deliver, name="markets-carbon-deliver"),
    path("markets/carbon/registry/", carbon.registry_view, name="markets-carbon-registry"),
    path("markets/tech/", tech.tech_list, name="markets-tech-list"),
    path("markets/tech/new/", tech.tech_create, name="markets-tech-create"),
    path("markets/tech/<int:pk>/", tech.tech_detail, name="markets-tech-detail"),
    path("markets/tech/<int:pk>/edit/", tech.tech_edit, name="markets-tech-edit"),
    path("markets/tech/<int:pk>/deal/", tech.deal_create, name="markets-tech-deal-create"),
    path("markets/tech/needs/new/", tech.need_create, name="markets-tech-need-create"),
    path("markets/tech/needs/<int:pk>/", tech.need_detail, name="markets-tech-need"),
    path("markets/tech/needs/<int:pk>/edit/", tech.need_edit, name="markets-tech-need-edit"),
    path("markets/tech/deals/<int:pk>/", tech.deal_detail, name="markets-tech-deal"),
]
