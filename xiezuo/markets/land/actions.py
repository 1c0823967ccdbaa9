"""The land-quota exchange (跨省域建设用地指标交易): its actions.

    set_quota_price     national coordinator   the price per mu of a year and land class
    set_split_rule      national coordinator   the farmers : collective split of a year
    list_quota          western county side    a listing: the unit range [0, area) of surplus quota
    buy                 eastern buyer          a fixed-price purchase of the next units of a listing
    open_auction        western county side    a call auction over the unsold units
    place_bid           eastern buyer          a bid: quantity and limit price per mu
    clear_auction       county side / national clears at one price; fills become trades
    split_proceeds      western county side    a trade's proceeds to farmers and collective, exact to the fen
    pay_out             western county side    the split's two shares paid out of the county's receiving account
    convert_to_equity   western county side    proceeds into shares of a project, registered as its asset

Units are sold from the front of a listing's range: the sold part is always [0, sold) and a
sale of q units is [sold, sold + q), so a partial fill splits the unsold range in two. The
listing's row is locked (select_for_update) while its next range is cut, and a trade's
first unit is unique per listing, so two buyers never get the same unit, even when they
buy at the same moment on PostgreSQL.
"""
import datetime

from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core.context import action
from xiezuo.core.errors import PermissionDenied, ValidationError, field_error
from xiezuo.core.events import publish
from xiezuo.core.facts import changed
from xiezuo.core.money import format_yuan
from xiezuo.orgs.models import Organisation
from xiezuo.projects.actions import register_asset
from xiezuo.projects.models import Project

from .. import rules
from ..choices import AuctionStatus, ListingStatus, TradeMethod
from ..models import (EquityConversion, HouseholdShare, ProceedsSplit, QuotaAuction, QuotaBid, QuotaListing, QuotaPrice,
                      QuotaTrade, SplitRule)
from .. import payments
from ..payments import pay, receiving_balance
from ..units import amount_for, check_units, largest_remainder, mu_text, parse_mu
from . import auction as call


def _raise(errors):
    if errors:
        raise ValidationError(errors)


def _deny(refusal):
    if refusal:
        raise PermissionDenied(refusal)


def _area(value, errors, field="area"):
    """Mu as text/Decimal ('12.3456') or units as int (area_u)."""
    if isinstance(value, int) and not isinstance(value, bool):
        check_units(value, errors, field)
        return value if field not in errors else None
    try:
        return parse_mu(value)
    except ValueError as exc:
        errors[field] = [str(exc)]
        return None


# --- configuration ------------------------------------------------------------------------


@action
def set_quota_price(user, *, year: int, land_class: str, price_fen_per_mu: int) -> QuotaPrice:
    from ..choices import LandClass

    if not rules.is_national(user):
        raise PermissionDenied(_("only the national coordinator sets quota prices"))
    errors = {}
    rules.check_count(year, errors, "year", minimum=2000)
    if land_class not in LandClass.values:
        errors["land_class"] = [_("“%(v)s” is not a land class") % {"v": land_class}]
    rules.check_fen(price_fen_per_mu, errors, "price_fen_per_mu")
    _raise(errors)
    price, _created = QuotaPrice.objects.update_or_create(year=year, land_class=land_class,
                                                         defaults={"price_fen_per_mu": price_fen_per_mu})
    return price


@action
def set_split_rule(user, *, year: int, farmers_share: int, collective_share: int) -> SplitRule:
    if not rules.is_national(user):
        raise PermissionDenied(_("only the national coordinator sets the proceeds split"))
    errors = {}
    rules.check_count(year, errors, "year", minimum=2000)
    rules.check_count(farmers_share, errors, "farmers_share", minimum=0)
    rules.check_count(collective_share, errors, "collective_share", minimum=0)
    if not errors and farmers_share + collective_share == 0:
        errors["farmers_share"] = [_("at least one share must be above zero")]
    _raise(errors)
    rule, _created = SplitRule.objects.update_or_create(year=year, defaults={"farmers_share": farmers_share,
                                                                             "collective_share": collective_share})
    return rule


def price_for(year: int, land_class: str) -> QuotaPrice | None:
    return QuotaPrice.objects.filter(year=year, land_class=land_class).first()


def no_price(year, listing) -> str:
    return _("no quota price is set for %(year)s and %(cls)s; the national coordinator sets it") % {
        "year": year, "cls": listing.get_land_class_display()}


# --- listing ------------------------------------------------------------------------------


def _next_code(county, year) -> str:
    prefix = f"LQ-{county.code}-{year}-"
    n = QuotaListing.objects.filter(code__startswith=prefix).count() + 1
    while QuotaListing.objects.filter(code=f"{prefix}{n:04d}").exists():
        n += 1
    return f"{prefix}{n:04d}"


@action
def list_quota(user, *, county, land_class, area, source_project, approval_doc, province_confirmation,
               listed_on=None, seller=None, is_demo=False) -> QuotaListing:
    """A western county lists surplus quota; `area` in mu as text or Decimal (to 0.0001 mu) or units as int."""
    from ..choices import LandClass

    errors = {}
    rules.western_county(county, errors)
    if land_class not in LandClass.values:
        errors["land_class"] = [_("“%(v)s” is not a land class") % {"v": land_class}]
    area_u = _area(area, errors)
    rules.check_text(source_project, errors, "source_project", max_length=200)
    rules.check_text(approval_doc, errors, "approval_doc", max_length=100)
    rules.check_text(province_confirmation, errors, "province_confirmation", max_length=100)
    rules.check_day(listed_on, errors, "listed_on", required=False)
    _raise(errors)
    _deny(rules.may_edit_region(user, county.code, county))
    if seller is None:
        seller = Organisation.objects.filter(kind="office", region=county).order_by("id").first()
        if seller is None:
            raise field_error("seller", _("no cooperation office is registered for %(region)s") % {"region": county})
    elif not isinstance(seller, Organisation) or not seller.region.code.startswith(county.code):
        raise field_error("seller", _("the seller must be an organisation of %(county)s") % {"county": county})
    day = listed_on or timezone.localdate()
    listing = QuotaListing.objects.create(
        code=_next_code(county, day.year), county=county, seller=seller, land_class=land_class, area_u=area_u,
        source_project=source_project.strip(), approval_doc=approval_doc.strip(),
        province_confirmation=province_confirmation.strip(), year=day.year, listed_on=day, is_demo=is_demo)
    publish("markets", {"market": "land", "event": "listed", "id": listing.pk, "regions": [county.code], "county": county.code})
    return listing


def sold_u(listing) -> int:
    """Units sold so far: the sold part of the range is [0, sold)."""
    return QuotaTrade.objects.filter(listing=listing).aggregate(m=Max("end_u"))["m"] or 0


def available_u(listing) -> int:
    return listing.area_u - sold_u(listing)


def _locked(listing) -> QuotaListing:
    return QuotaListing.objects.select_for_update().select_related("county", "seller__region").get(pk=listing.pk)


def _check_buyer(user, buyer, listing, errors):
    if not isinstance(buyer, Organisation):
        errors["buyer"] = [_("a buyer is required")]
        return
    if buyer.region.role != "east":
        errors["buyer"] = [_("buyers are eastern offices or the enterprises they name")]
    elif buyer.region.province_code == listing.county.province_code:
        errors["buyer"] = [_("quota is traded across provinces: %(buyer)s is in the same province") % {"buyer": buyer}]


def _cut(user, listing, *, buyer, units, price, method, on, auction=None, is_demo=False) -> QuotaTrade:
    """Sell the next `units` of a locked listing to `buyer` at `price` per mu and pay through the ledger."""
    start = sold_u(listing)
    if units > listing.area_u - start:
        raise field_error("area", _("only %(left)s mu of %(code)s is unsold") % {"left": mu_text(listing.area_u - start),
                                                                                  "code": listing.code})
    amount = amount_for(units, price)
    if amount <= 0:
        raise field_error("area", _("the area is too small to be paid for"))
    trade = QuotaTrade.objects.create(listing=listing, buyer=buyer, method=method, auction=auction, start_u=start,
                                      end_u=start + units, price_fen_per_mu=price, amount_fen=amount, traded_on=on,
                                      is_demo=is_demo)
    trade.posting = pay(user, payer=buyer, payee=listing.seller, amount_fen=amount, key=f"mkt-land-{trade.pk}",
                        body={"market": "land", "trade": trade.pk, "amount_fen": amount, "booked_on": on},
                        booked_on=on, memo=_("land quota %(code)s, %(mu)s mu") % {"code": listing.code, "mu": mu_text(units)})
    trade.save(update_fields=["posting"])
    if start + units == listing.area_u:
        listing.status = ListingStatus.SOLD
        listing.save(update_fields=["status"])
    changed({listing.county.code, buyer.region.code}, on, sender=QuotaTrade)
    publish("markets", {"market": "land", "event": "trade", "id": trade.pk, "amount_fen": amount,
                        "regions": [listing.county.code, buyer.region.code], "county": listing.county.code})
    return trade


@action
def buy(user, *, listing, buyer, area, traded_on=None) -> QuotaTrade:
    """A fixed-price purchase at the configured price of the trade's year and the listing's class."""
    errors = {}
    if not isinstance(listing, QuotaListing):
        raise field_error("listing", _("a listing is required"))
    units = _area(area, errors)
    rules.check_day(traded_on, errors, "traded_on", required=False)
    _check_buyer(user, buyer, listing, errors)
    _raise(errors)
    _deny(rules.may_act_for(user, buyer))
    listing = _locked(listing)
    if listing.status != ListingStatus.OPEN:
        raise field_error("listing", _("%(code)s is %(status)s, not open for purchase") % {
            "code": listing.code, "status": listing.get_status_display()})
    on = traded_on or timezone.localdate()
    price = price_for(on.year, listing.land_class)
    if price is None:
        raise field_error("listing", no_price(on.year, listing))
    return _cut(user, listing, buyer=buyer, units=units, price=price.price_fen_per_mu, method=TradeMethod.FIXED, on=on)


# --- the call auction ---------------------------------------------------------------------


@action
def open_auction(user, *, listing, closes_on, reserve_fen_per_mu=None) -> QuotaAuction:
    """Open a call auction over a listing's unsold units; the reserve is at least the configured price."""
    errors = {}
    if not isinstance(listing, QuotaListing):
        raise field_error("listing", _("a listing is required"))
    rules.check_day(closes_on, errors, "closes_on", future_ok=True)
    if reserve_fen_per_mu is not None:
        rules.check_fen(reserve_fen_per_mu, errors, "reserve_fen_per_mu")
    _raise(errors)
    _deny(rules.may_edit_region(user, listing.county.code, listing.county))
    listing = _locked(listing)
    if listing.status != ListingStatus.OPEN:
        raise field_error("listing", _("%(code)s is %(status)s, not open") % {"code": listing.code,
                                                                            "status": listing.get_status_display()})
    price = price_for(closes_on.year, listing.land_class)
    if price is None:
        raise field_error("listing", no_price(closes_on.year, listing))
    reserve = reserve_fen_per_mu or price.price_fen_per_mu
    if reserve < price.price_fen_per_mu:
        raise field_error("reserve_fen_per_mu", _("the reserve may not be below the set price of %(p)s per mu") % {
            "p": format_yuan(price.price_fen_per_mu)})
    listing.status = ListingStatus.AUCTION
    listing.save(update_fields=["status"])
    return QuotaAuction.objects.create(listing=listing, reserve_fen_per_mu=reserve, closes_on=closes_on)


@action
def place_bid(user, *, auction, bidder, area, limit_fen_per_mu) -> QuotaBid:
    errors = {}
    if not isinstance(auction, QuotaAuction):
        raise field_error("auction", _("an auction is required"))
    units = _area(area, errors)
    rules.check_fen(limit_fen_per_mu, errors, "limit_fen_per_mu")
    _check_buyer(user, bidder, auction.listing, errors)
    if "buyer" in errors:
        errors["bidder"] = errors.pop("buyer")
    _raise(errors)
    _deny(rules.may_act_for(user, bidder))
    auction = QuotaAuction.objects.select_for_update().get(pk=auction.pk)
    if auction.status != AuctionStatus.OPEN:
        raise field_error("auction", _("the auction is closed"))
    if limit_fen_per_mu < auction.reserve_fen_per_mu:
        raise field_error("limit_fen_per_mu", _("below the reserve of %(p)s per mu") % {"p": format_yuan(auction.reserve_fen_per_mu)})
    if units > available_u(auction.listing):
        raise field_error("area", _("more than the %(mu)s mu on offer") % {"mu": mu_text(available_u(auction.listing))})
    return QuotaBid.objects.create(auction=auction, bidder=bidder, area_u=units, limit_fen_per_mu=limit_fen_per_mu)


@action
def clear_auction(user, *, auction, traded_on=None) -> list[QuotaTrade]:
    """Clear at one price (see `auction.clear`); each fill becomes a trade, cut from the
    listing's unsold range in order of the bids' priority and paid through the ledger."""
    if not isinstance(auction, QuotaAuction):
        raise field_error("auction", _("an auction is required"))
    listing = auction.listing
    if not rules.is_national(user):
        _deny(rules.may_edit_region(user, listing.county.code, listing.county))
    listing = _locked(listing)
    auction = QuotaAuction.objects.select_for_update().get(pk=auction.pk)
    if auction.status != AuctionStatus.OPEN:
        raise field_error("auction", _("the auction was already cleared"))
    on = traded_on or timezone.localdate()
    bids = list(auction.bids.select_related("bidder__region").order_by("placed_at", "id"))
    result = call.clear(listing.area_u - sold_u(listing), auction.reserve_fen_per_mu,
                        [call.Bid(b.pk, b.area_u, b.limit_fen_per_mu, order=i) for i, b in enumerate(bids)])
    trades = []
    by_id = {b.pk: b for b in bids}
    position = {b.pk: i for i, b in enumerate(bids)}
    order = sorted(result.fills, key=lambda bid_id: (-by_id[bid_id].limit_fen_per_mu, position[bid_id]))
    for bid_id in order:
        bid = by_id[bid_id]
        trades.append(_cut(user, listing, buyer=bid.bidder, units=result.fills[bid_id], price=result.price,
                           method=TradeMethod.AUCTION, on=on, auction=auction))
        bid.filled_u = result.fills[bid_id]
        bid.save(update_fields=["filled_u"])
    auction.status = AuctionStatus.CLEARED
    auction.clearing_fen_per_mu = result.price
    auction.cleared_at = timezone.now()
    auction.save(update_fields=["status", "clearing_fen_per_mu", "cleared_at"])
    listing.refresh_from_db(fields=["status"])
    if listing.status == ListingStatus.AUCTION:
        listing.status = ListingStatus.OPEN
        listing.save(update_fields=["status"])
    return trades


# --- what the county does with the proceeds -------------------------------------------------


@action
def split_proceeds(user, *, trade, households=None) -> ProceedsSplit:
    """Split a trade's proceeds (less what was converted into equity) between the farmers and
    the village collective by the year's rule, by largest remainder; the farmers' part again
    among `households` [(household, weight)] if given, by largest remainder too: one
    `HouseholdShare` per household, each a household of the registry of the listing's county,
    named once. Exact to the fen: the parts sum to the whole."""
    from xiezuo.households.models import Household

    if not isinstance(trade, QuotaTrade):
        raise field_error("trade", _("a trade is required"))
    _deny(rules.may_edit_region(user, trade.listing.county.code, trade.listing.county))
    trade = QuotaTrade.objects.select_for_update().select_related("listing__county").get(pk=trade.pk)
    if ProceedsSplit.objects.filter(trade=trade).exists():
        raise field_error("trade", _("the proceeds of this trade were already split"))
    rule = SplitRule.objects.filter(year__lte=trade.traded_on.year).order_by("-year").first()
    if rule is None:
        raise field_error("trade", _("no proceeds split rule is set; the national coordinator sets it"))
    errors = {}
    clean, seen = [], set()
    for i, item in enumerate(households or []):
        try:
            household, weight = item
        except (TypeError, ValueError):
            errors["households"] = [_("each share is a household and a weight")]
            break
        if not isinstance(household, Household) or household.county_id != trade.listing.county_id:
            errors[f"households[{i}].household"] = [_("share %(n)d: a household of the registry of %(county)s is required") % {
                "n": i + 1, "county": trade.listing.county}]
        elif household.pk in seen:
            errors[f"households[{i}].household"] = [_("share %(n)d: household %(h)s is named twice") % {
                "n": i + 1, "h": household.number or f"#{household.pk}"}]
        if isinstance(weight, bool) or not isinstance(weight, int) or weight <= 0:
            errors[f"households[{i}].weight"] = [_("share %(n)d: the weight is a whole number above zero") % {"n": i + 1}]
        elif weight > 10**15:
            errors[f"households[{i}].weight"] = [_("the number is too large")]
        if isinstance(household, Household):
            seen.add(household.pk)
        clean.append((household, weight))
    _raise(errors)
    equity = EquityConversion.objects.filter(trade=trade).first()
    distributable = trade.amount_fen - (equity.converted_fen if equity else 0)
    farmers, collective = largest_remainder(distributable, [rule.farmers_share, rule.collective_share])
    split = ProceedsSplit.objects.create(trade=trade, rule=rule, distributable_fen=distributable, farmers_fen=farmers,
                                         collective_fen=collective)
    if clean:
        parts = largest_remainder(farmers, [w for _h, w in clean])
        for position, ((household, weight), fen) in enumerate(zip(clean, parts)):
            HouseholdShare.objects.create(split=split, position=position, household=household, weight=weight, fen=fen)
    return split


@action
def link_share(user, *, share, household) -> HouseholdShare:
    """Link a share kept by name and not matched in the registry (migration 0006) to the
    registry household the county office identified. Only the link changes: weight and fen
    stay as split (the parts still sum to the farmers' part; a payout already made paid the
    farmers' part as one sum), and the recorded name stays beside the household as written.
    The change is audited like every save of a share."""
    from xiezuo.households.models import Household
    from xiezuo.households.privacy import may_see_rows

    if not isinstance(share, HouseholdShare):
        raise field_error("share", _("a share is required"))
    share = HouseholdShare.objects.select_for_update().select_related("split__trade__listing__county").get(pk=share.pk)
    county = share.split.trade.listing.county
    _deny(rules.may_edit_region(user, county.code, county))
    if not may_see_rows(user):
        raise PermissionDenied(_("only the offices that may see the registry's households link a share"))
    if share.household_id is not None:
        raise field_error("share", _("this share is already linked to a registry household"))
    if not isinstance(household, Household):
        raise field_error("household", _("a household of the registry of %(county)s is required") % {"county": county})
    if household.county_id != county.pk:
        raise field_error("household", _("household %(h)s is of %(other)s, not of %(county)s, the county of the listing") % {
            "h": household.number or f"#{household.pk}", "other": household.county, "county": county})
    if HouseholdShare.objects.filter(split=share.split, household=household).exists():
        raise field_error("household", _("household %(h)s already has a share in this split") % {
            "h": household.number or f"#{household.pk}"})
    share.household = household
    share.save(update_fields=["household"])
    return share


@action
def pay_out(user, *, trade, project, paid_on=None) -> ProceedsSplit:
    """Pay a split trade's farmers' and collective's shares out of the county's receiving
    account (the seller's 到位资金, where the trade's proceeds arrived), one ledger posting per
    share (keys `mkt-land-farmers-<trade>`, `mkt-land-collective-<trade>`), booked as spending
    of `project`, a project of the listing's county through which the county pays (see
    `payments.pay_out`). Once per trade: paying out a trade already paid answers its split
    unchanged. Refused, with nothing written, when the account holds less than the two shares."""
    from xiezuo.ledger.rules import cancelled

    if not isinstance(trade, QuotaTrade):
        raise field_error("trade", _("a trade is required"))
    errors = {}
    rules.check_day(paid_on, errors, "paid_on", required=False)
    if not isinstance(project, Project):
        errors["project"] = [_("a project is required")]
    elif project.county_id != trade.listing.county_id:
        errors["project"] = [_("the project must be one of %(county)s") % {"county": trade.listing.county}]
    elif cancelled(project):
        errors["project"] = [cancelled(project)]
    _raise(errors)
    _deny(rules.may_edit_region(user, trade.listing.county.code, trade.listing.county))
    trade = QuotaTrade.objects.select_for_update().select_related("listing__county", "listing__seller").get(pk=trade.pk)
    split = ProceedsSplit.objects.filter(trade=trade).first()
    if split is None:
        raise field_error("trade", _("split the proceeds before paying them out"))
    if split.paid_on is not None:
        return split
    on = paid_on or timezone.localdate()
    if on < trade.traded_on:
        raise field_error("paid_on", _("before the trade (%(d)s)") % {"d": trade.traded_on.isoformat()})
    seller = trade.listing.seller
    total = split.farmers_fen + split.collective_fen
    held = receiving_balance(seller)
    if total > held:
        raise field_error("trade", _("%(org)s's receiving account holds %(held)s: paying out %(total)s would take it below zero") % {
            "org": seller, "held": format_yuan(held), "total": format_yuan(total)})
    code = trade.listing.code
    for share, amount, memo in (("farmers", split.farmers_fen, _("land quota %(code)s: the farmers' share") % {"code": code}),
                                ("collective", split.collective_fen, _("land quota %(code)s: the village collective's share") % {
                                    "code": code})):
        if amount <= 0:
            continue
        posting = payments.pay_out(user, payer=seller, project=project, amount_fen=amount, key=f"mkt-land-{share}-{trade.pk}",
                          body={"market": "land-payout", "trade": trade.pk, "share": share, "amount_fen": amount,
                                "project": project.pk, "paid_on": on}, booked_on=on, memo=memo, shortfall_field="trade")
        setattr(split, f"{share}_posting", posting)
    split.paid_on = on
    split.payout_project = project
    split.save(update_fields=["paid_on", "payout_project", "farmers_posting", "collective_posting"])
    publish("markets", {"market": "land", "event": "paid_out", "id": trade.pk, "amount_fen": total,
                        "regions": [trade.listing.county.code], "county": trade.listing.county.code})
    return split


@action
def convert_to_equity(user, *, trade, project, valuation_fen, total_shares, amount_fen, owner_tier="collective",
                      converted_on=None) -> EquityConversion:
    """股权折算: `amount_fen` of a trade's proceeds buys shares of `project` valued at
    `valuation_fen` for `total_shares` shares: shares = ⌊amount × shares / valuation⌋, worth
    their value at the valuation rounded half up to the fen; what does not buy a whole share
    stays as proceeds. The shares are registered as the project's asset (intangible) with
    its owner tier."""
    errors = {}
    if not isinstance(trade, QuotaTrade):
        raise field_error("trade", _("a trade is required"))
    if not isinstance(project, Project):
        errors["project"] = [_("a project is required")]
    rules.check_fen(valuation_fen, errors, "valuation_fen")
    rules.check_count(total_shares, errors, "total_shares")
    rules.check_fen(amount_fen, errors, "amount_fen")
    rules.check_day(converted_on, errors, "converted_on", required=False)
    _raise(errors)
    _deny(rules.may_edit_region(user, trade.listing.county.code, trade.listing.county))
    trade = QuotaTrade.objects.select_for_update().select_related("listing__county").get(pk=trade.pk)
    if EquityConversion.objects.filter(trade=trade).exists():
        raise field_error("trade", _("the proceeds of this trade were already converted"))
    if ProceedsSplit.objects.filter(trade=trade).exists():
        raise field_error("trade", _("the proceeds of this trade were already split; convert before splitting"))
    if amount_fen > trade.amount_fen:
        raise field_error("amount_fen", _("more than the trade's proceeds of %(p)s") % {"p": format_yuan(trade.amount_fen)})
    shares = amount_fen * total_shares // valuation_fen
    if shares == 0:
        raise field_error("amount_fen", _("too little to buy one share at this valuation"))
    converted = (2 * shares * valuation_fen + total_shares) // (2 * total_shares)
    on = converted_on or timezone.localdate()
    asset = register_asset(user, project, name=_("Equity from land quota %(code)s: %(n)s shares") % {
        "code": trade.listing.code, "n": f"{shares:,}"}, asset_class="intangible", value_fen=converted,
        owner_tier=owner_tier, registered_on=on)
    return EquityConversion.objects.create(trade=trade, county=trade.listing.county, project=project,
                                           valuation_fen=valuation_fen, total_shares=total_shares, shares=shares,
                                           converted_fen=converted, remainder_fen=trade.amount_fen - converted,
                                           asset=asset, converted_on=on)


def province_figures(qs) -> list[dict]:
    """Per western province: area sold and proceeds; per eastern province: area bought and paid."""
    from xiezuo.regions.models import Region

    west = {r["listing__county__province_code"]: r for r in qs.values("listing__county__province_code").annotate(
        n=Sum("end_u") - Sum("start_u"), fen=Sum("amount_fen"))}
    east = {r["buyer__region__province_code"]: r for r in qs.values("buyer__region__province_code").annotate(
        n=Sum("end_u") - Sum("start_u"), fen=Sum("amount_fen"))}
    names = dict(Region.objects.filter(level="province").values_list("province_code", "name"))
    out = []
    for code, r in sorted(west.items()):
        out.append({"province": names.get(code, code), "side": "west", "area_u": r["n"], "fen": r["fen"]})
    for code, r in sorted(east.items()):
        out.append({"province": names.get(code, code), "side": "east", "area_u": r["n"], "fen": r["fen"]})
    return out


__all__ = ["set_quota_price", "set_split_rule", "list_quota", "buy", "open_auction", "place_bid", "clear_auction",
           "split_proceeds", "pay_out", "convert_to_equity", "available_u", "sold_u", "price_for", "province_figures", "datetime"]
