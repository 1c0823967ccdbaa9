"""Pages of the land-quota exchange: listings, a listing with its buy, auction and bid forms,
trades, a trade with its split and equity conversion, and the public list of trades."""
from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _, gettext_lazy as _l
from django.views.decorators.http import require_POST

from xiezuo.core.scoping import can_edit_in_region, scope_for
from xiezuo.core.ui.forms import filter_values
from xiezuo.core.ui.views import background_export, export_or_job, paginate, require, run_action, scoped_or_404, wants_xlsx
from xiezuo.projects.models import Project

from ..choices import AuctionStatus, LandClass
from ..common import form_errors, organisations, run, western_counties
from ..models import QuotaListing, QuotaPrice, QuotaTrade
from ..payments import receiving_balance
from . import actions
from .exports import export_listings, export_trades
from .filtersets import listings, public_trades, trades
from .forms import (AuctionForm, BidForm, BuyForm, EquityForm, HouseholdSearchForm, LinkShareForm, ListingFilterForm, ListingForm,
                    PayoutForm, SplitForm, TradeFilterForm)


@login_required
@background_export(_l("quota listings"))
def listing_list(request):
    user = request.user
    form = ListingFilterForm(request.GET)
    qs = listings(user, **filter_values(form))
    if wants_xlsx(request):
        return export_or_job(request, qs, export_listings)
    page = paginate(request, qs)
    rows = [(x, actions.sold_u(x)) for x in page]
    mine = trades(user)
    return render(request, "markets/land_list.html", {
        "form": form, "page": page, "rows": rows, "can_create": western_counties(user).exists(),
        "traded": mine.aggregate(fen=Sum("amount_fen"), n=Sum("end_u") - Sum("start_u")),
        "prices": QuotaPrice.objects.all()[:6],
    })


@login_required
def listing_create(request):
    user = request.user
    counties = western_counties(user)
    require(counties.exists())
    status = 200
    if request.method == "POST":
        form = ListingForm(request.POST, counties=counties)
        if form.is_valid():
            listing, status = run_action(form, request, lambda: actions.list_quota(user, **form.cleaned_data), _("Quota listed."))
            if listing:
                return redirect("markets-land-detail", listing.pk)
    else:
        form = ListingForm(counties=counties)
    return render(request, "markets/form.html", {"form": form, "title": _("New quota listing"),
                                                 "back": "markets-land-list"}, status=status)


def _listing(request, pk):
    listing = listings(request.user).filter(pk=pk).first()
    if listing is None:
        listing = scoped_or_404(request.user, QuotaListing.objects.select_related("county", "seller"), pk=pk)
    return listing


@login_required
def listing_detail(request, pk):
    user = request.user
    listing = _listing(request, pk)
    sold = actions.sold_u(listing)
    buyers = organisations(user, "east").exclude(region__province_code=listing.county.province_code)
    auction = listing.auctions.filter(status=AuctionStatus.OPEN).first()
    seller_side = can_edit_in_region(user, listing.county.code)
    from xiezuo.core.scoping import visible

    return render(request, "markets/land_detail.html", {
        "listing": listing, "sold": sold, "unsold": listing.area_u - sold,
        "sold_pct": round(100 * sold / listing.area_u, 1),
        "trades": visible(user, listing.trades.select_related("buyer__region")).order_by("start_u"),
        "all_ranges": list(listing.trades.order_by("start_u").values_list("start_u", "end_u")),
        "buy_form": BuyForm(buyers=buyers) if buyers.exists() and listing.status == "open" else None,
        "bid_form": BidForm(buyers=buyers) if buyers.exists() and auction else None,
        "auction_form": AuctionForm() if seller_side and listing.status == "open" else None,
        "auction": auction, "seller_side": seller_side or scope_for(user).role == "national",
        "bids": auction.bids.select_related("bidder").order_by("-limit_fen_per_mu", "placed_at") if auction and (
            seller_side or scope_for(user).everything) else None,
        "price": actions.price_for(listing.listed_on.year, listing.land_class),
        "past_auctions": listing.auctions.exclude(status=AuctionStatus.OPEN),
    })


@login_required
@require_POST
def listing_buy(request, pk):
    user = request.user
    listing = _listing(request, pk)
    form = BuyForm(request.POST, buyers=organisations(user, "east"))
    if not form.is_valid():
        form_errors(request, form)
        return redirect("markets-land-detail", pk)
    trade = run(request, lambda: actions.buy(user, listing=listing, buyer=form.cleaned_data["buyer"], area=form.cleaned_data["area"]),
                _("Bought and paid through the ledger."))
    return redirect("markets-land-trade", trade.pk) if trade else redirect("markets-land-detail", pk)


@login_required
@require_POST
def auction_open(request, pk):
    listing = _listing(request, pk)
    form = AuctionForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
    else:
        run(request, lambda: actions.open_auction(request.user, listing=listing, closes_on=form.cleaned_data["closes_on"],
                                                  reserve_fen_per_mu=form.cleaned_data["reserve"] or None), _("Call auction opened."))
    return redirect("markets-land-detail", pk)


@login_required
@require_POST
def auction_bid(request, pk):
    user = request.user
    listing = _listing(request, pk)
    auction = listing.auctions.filter(status=AuctionStatus.OPEN).first()
    form = BidForm(request.POST, buyers=organisations(user, "east"))
    if auction is None:
        from django.contrib import messages

        messages.error(request, _("the auction is closed"))
    elif not form.is_valid():
        form_errors(request, form)
    else:
        run(request, lambda: actions.place_bid(user, auction=auction, bidder=form.cleaned_data["buyer"], area=form.cleaned_data["area"],
                                               limit_fen_per_mu=form.cleaned_data["limit"]), _("Bid placed."))
    return redirect("markets-land-detail", pk)


@login_required
@require_POST
def auction_clear(request, pk):
    listing = _listing(request, pk)
    auction = listing.auctions.filter(status=AuctionStatus.OPEN).first()
    if auction is not None:
        run(request, lambda: actions.clear_auction(request.user, auction=auction), _("Auction cleared at one price."))
    return redirect("markets-land-detail", pk)


@login_required
@background_export(_l("quota trades"))
def trade_list(request):
    form = TradeFilterForm(request.GET)
    qs = trades(request.user, **filter_values(form))
    if wants_xlsx(request):
        return export_or_job(request, qs, export_trades)
    return render(request, "markets/land_trades.html", {"form": form, "page": paginate(request, qs),
                                                        "totals": qs.aggregate(fen=Sum("amount_fen"), n=Sum("end_u") - Sum("start_u"))})


@login_required
def trade_detail(request, pk):
    user = request.user
    trade = scoped_or_404(user, QuotaTrade.objects.select_related("listing__county", "buyer__region", "listing__seller"), pk=pk)
    seller_side = can_edit_in_region(user, trade.listing.county.code)
    split = getattr(trade, "split", None) if hasattr(trade, "split") else None
    equity = getattr(trade, "equity", None) if hasattr(trade, "equity") else None
    projects = Project.objects.filter(county=trade.listing.county).order_by("code")
    payable = projects.exclude(status="cancelled")
    from .shares import share_rows

    search_form = HouseholdSearchForm(request.GET or None)
    candidates = None
    if seller_side and split is None and search_form.is_valid() and search_form.cleaned_data["q"]:
        from xiezuo.households.lookup import find_households, masked_head

        candidates = [(h, masked_head(h)) for h in find_households(user, trade.listing.county, search_form.cleaned_data["q"])]
    return render(request, "markets/land_trade.html", {
        "trade": trade, "split": split, "equity": equity, "shares": share_rows(user, split) if split is not None else None,
        "search_form": search_form if seller_side and split is None else None, "candidates": candidates,
        "payout_form": PayoutForm(projects=payable) if seller_side and split is not None and split.paid_on is None else None,
        "no_payout_project": seller_side and split is not None and split.paid_on is None and not payable.exists(),
        "held_fen": receiving_balance(trade.listing.seller) if seller_side and split is not None and split.paid_on is None else None,
        "split_form": SplitForm(county=trade.listing.county) if seller_side and split is None else None,
        "may_link": seller_side and split is not None,
        "equity_form": EquityForm(projects=projects) if seller_side and split is None and equity is None and projects.exists() else None,
    })


@login_required
@require_POST
def trade_split(request, pk):
    trade = scoped_or_404(request.user, QuotaTrade.objects.select_related("listing__county"), pk=pk)
    form = SplitForm(request.POST, county=trade.listing.county)
    if not form.is_valid():
        form_errors(request, form)
    else:
        run(request, lambda: actions.split_proceeds(request.user, trade=trade, households=form.cleaned_data["households"]),
            _("Proceeds split."))
    return redirect("markets-land-trade", pk)


@login_required
@require_POST
def trade_link_share(request, pk):
    """The county office links an unmatched share to a registry household (`actions.link_share`)."""
    from ..models import HouseholdShare

    trade = scoped_or_404(request.user, QuotaTrade.objects.select_related("listing__county"), pk=pk)
    form = LinkShareForm(request.POST, county=trade.listing.county)
    if not form.is_valid():
        form_errors(request, form)
    else:
        share = HouseholdShare.objects.filter(pk=form.cleaned_data["share"], split__trade=trade).first()
        if share is None:
            raise Http404
        run(request, lambda: actions.link_share(request.user, share=share, household=form.cleaned_data["number"]),
            _("The share is linked to the registry household."))
    return redirect("markets-land-trade", pk)


@login_required
@require_POST
def trade_payout(request, pk):
    trade = scoped_or_404(request.user, QuotaTrade.objects.select_related("listing"), pk=pk)
    form = PayoutForm(request.POST, projects=Project.objects.filter(county_id=trade.listing.county_id))
    if not form.is_valid():
        form_errors(request, form)
    else:
        c = form.cleaned_data
        run(request, lambda: actions.pay_out(request.user, trade=trade, project=c["project"], paid_on=c["paid_on"]),
            _("The farmers' and the collective's shares were paid out through the ledger."))
    return redirect("markets-land-trade", pk)


@login_required
@require_POST
def trade_equity(request, pk):
    trade = scoped_or_404(request.user, QuotaTrade.objects.select_related("listing"), pk=pk)
    form = EquityForm(request.POST, projects=Project.objects.filter(county_id=trade.listing.county_id))
    if not form.is_valid():
        form_errors(request, form)
    else:
        c = form.cleaned_data
        run(request, lambda: actions.convert_to_equity(request.user, trade=trade, project=c["project"], valuation_fen=c["valuation"],
                                                       total_shares=c["total_shares"], amount_fen=c["amount"]),
            _("Proceeds converted into equity and registered as an asset."))
    return redirect("markets-land-trade", pk)


def public_list(request):
    """The public list of trades (no login): area, class, price, the parties' regions, and per-province figures."""
    land_class = request.GET.get("land_class", "")
    qs = public_trades(land_class=land_class if land_class in LandClass.values else "")
    return render(request, "markets/land_public.html", {
        "page": paginate(request, qs.select_related("listing__county", "buyer__region")), "land_class": land_class,
        "classes": LandClass.choices, "figures": actions.province_figures(qs),
    })


__all__ = ["get_object_or_404"]
