"""The factor markets' API (mounted at /api/v1/markets/): list, detail and create for the
land exchange, the carbon registry and the technology transfer centre; writes call the same
actions as the pages. Areas are sent as text in mu to 0.0001 (“12.3456”) and answered both
as `area_u` (integer ten-thousandths of a mu) and `area_mu` (text); money is integer fen."""
import datetime

from ninja import Field, Query, Router, Schema, Status

from xiezuo.core.api.lookups import BodyRefs, PathId, RegionCode, require_writer, visible_or_404
from xiezuo.core.api.pagination import PageParams, page_of, paginate
from xiezuo.core.api.schemas import ERRORS, BigCount, Day, Fen, InSchema, ObjectId, Text
from xiezuo.orgs.api import OrgRef
from xiezuo.orgs.models import Organisation
from xiezuo.regions.actions import get_region
from xiezuo.regions.api import RegionRef

from .carbon import actions as carbon
from .carbon.filtersets import projects as sink_projects
from .carbon.filtersets import registry
from .choices import BlockStatus, DealKind, LandClass, ListingStatus, SinkKind, TechKind, TradeMethod
from .land import actions as land
from .land.filtersets import listings, trades
from .models import CarbonBlock, QuotaListing, QuotaTrade, SinkProject
from .tech import actions as tech
from .tech import matching
from .tech.filtersets import needs, technologies
from .units import mu_text

router = Router(tags=["markets"])

Area = Text(24)


# --- land ----------------------------------------------------------------------------------


class ListingOut(Schema):
    id: int
    code: str
    county: RegionRef
    seller: OrgRef
    land_class: LandClass
    area_u: int
    area_mu: str
    sold_u: int
    status: ListingStatus
    source_project: str
    approval_doc: str
    province_confirmation: str
    listed_on: datetime.date
    is_demo: bool

    @staticmethod
    def resolve_area_mu(obj):
        return mu_text(obj.area_u)

    @staticmethod
    def resolve_sold_u(obj):
        return land.sold_u(obj)


class ListingFilter(Schema):
    land_class: LandClass | None = None
    status: ListingStatus | None = None
    region: RegionCode | None = Field(None, description="listings of counties in this region's subtree")
    q: Text(50) | None = None


class ListingIn(InSchema):
    county: RegionCode
    land_class: LandClass
    area: Area = Field(description="mu, to 0.0001, as text: “12.3456”")
    source_project: Text(200)
    approval_doc: Text(100)
    province_confirmation: Text(100)


class BuyIn(InSchema):
    buyer: ObjectId
    area: Area = Field(description="mu, to 0.0001, as text")


class TradeOut(Schema):
    id: int
    listing: int = Field(alias="listing_id")
    buyer: OrgRef
    method: TradeMethod
    start_u: int
    end_u: int
    area_mu: str
    price_fen_per_mu: int
    amount_fen: int
    traded_on: datetime.date
    posting: int | None = Field(alias="posting_id")

    @staticmethod
    def resolve_area_mu(obj):
        return mu_text(obj.end_u - obj.start_u)


def _listing_qs():
    return QuotaListing.objects.select_related("county", "seller")


@router.get("/land/listings", response={200: page_of(ListingOut), **ERRORS}, summary="List quota listings")
def list_listings(request, filters: Query[ListingFilter], page: Query[PageParams]):
    """Your part of the tree's listings and every listing open for sale."""
    return paginate(listings(request.auth, land_class=filters.land_class or "", status=filters.status or "",
                             region=get_region(filters.region) if filters.region else "", q=filters.q or ""), page)


@router.get("/land/listings/{listing_id}", response={200: ListingOut, **ERRORS}, summary="Get a quota listing")
def get_listing(request, listing_id: PathId):
    obj = listings(request.auth).filter(pk=listing_id).first()
    return obj if obj is not None else visible_or_404(request.auth, _listing_qs(), listing_id, "listing")


@router.post("/land/listings", response={201: ListingOut, **ERRORS}, summary="List surplus quota")
def post_listing(request, payload: ListingIn):
    require_writer(request.auth)
    listing = land.list_quota(request.auth, county=get_region(payload.county, field="county"), land_class=payload.land_class.value,
                              area=payload.area, source_project=payload.source_project, approval_doc=payload.approval_doc,
                              province_confirmation=payload.province_confirmation)
    return Status(201, _listing_qs().get(pk=listing.pk))


@router.post("/land/listings/{listing_id}/buy", response={201: TradeOut, **ERRORS}, summary="Buy at the set price")
def buy(request, listing_id: PathId, payload: BuyIn):
    listing = get_listing(request, listing_id)
    require_writer(request.auth)
    refs = BodyRefs(request.auth)
    buyer = refs.visible_obj(Organisation.objects.select_related("region"), payload.buyer, "buyer", "organisation")
    refs.check()
    trade = land.buy(request.auth, listing=listing, buyer=buyer, area=payload.area)
    return Status(201, QuotaTrade.objects.select_related("buyer").get(pk=trade.pk))


@router.get("/land/trades", response={200: page_of(TradeOut), **ERRORS}, summary="List quota trades")
def list_trades(request, page: Query[PageParams]):
    return paginate(trades(request.auth).select_related("buyer"), page)


@router.get("/land/trades/{trade_id}", response={200: TradeOut, **ERRORS}, summary="Get a quota trade")
def get_trade(request, trade_id: PathId):
    return visible_or_404(request.auth, QuotaTrade.objects.select_related("buyer"), trade_id, "trade")


# --- carbon --------------------------------------------------------------------------------


class SinkOut(Schema):
    id: int
    code: str
    name: str
    kind: SinkKind
    county: RegionRef
    owner: OrgRef
    methodology: str
    area_u: int
    baseline_t: int
    crediting_start: datetime.date
    crediting_end: datetime.date
    issued_t: int

    @staticmethod
    def resolve_issued_t(obj):
        return obj.next_serial - 1


class SinkIn(InSchema):
    name: Text(200)
    kind: SinkKind
    county: RegionCode
    methodology: Text(100)
    area: Area
    baseline_t: BigCount = 0
    crediting_start: Day
    crediting_end: Day


class BlockOut(Schema):
    id: int
    serial: str
    project: str
    vintage: int
    first: int
    last: int
    units: int
    holder_type: str
    status: BlockStatus
    beneficiary: str
    retired_on: datetime.date | None

    @staticmethod
    def resolve_project(obj):
        return obj.project.code

    @staticmethod
    def resolve_holder_type(obj):
        return obj.holder.kind


class RegistryFilter(Schema):
    serial: Text(80) | None = Field(None, description="a serial or a single unit: XZCR-CS5134360001-2025-37")
    status: BlockStatus | None = None
    vintage: int | None = Field(None, ge=2000, le=2100)


class TransferIn(InSchema):
    to_holder: ObjectId
    units: BigCount | None = None


class RetireIn(InSchema):
    units: BigCount | None = None
    beneficiary: Text(200)
    purpose: Text(300)


def _sink_qs():
    return SinkProject.objects.select_related("county", "owner")


@router.get("/carbon/projects", response={200: page_of(SinkOut), **ERRORS}, summary="List carbon sink projects")
def list_sinks(request, page: Query[PageParams]):
    return paginate(sink_projects(request.auth), page)


@router.get("/carbon/projects/{project_id}", response={200: SinkOut, **ERRORS}, summary="Get a carbon sink project")
def get_sink(request, project_id: PathId):
    return visible_or_404(request.auth, _sink_qs(), project_id, "sink project")


@router.post("/carbon/projects", response={201: SinkOut, **ERRORS}, summary="Register a carbon sink project")
def post_sink(request, payload: SinkIn):
    require_writer(request.auth)
    p = carbon.register_project(request.auth, name=payload.name, kind=payload.kind.value, county=get_region(payload.county, field="county"),
                                methodology=payload.methodology, area=payload.area, baseline_t=payload.baseline_t,
                                crediting_start=payload.crediting_start, crediting_end=payload.crediting_end)
    return Status(201, _sink_qs().get(pk=p.pk))


@router.get("/carbon/registry", response={200: page_of(BlockOut), **ERRORS}, summary="The public registry of blocks", auth=None)
def list_registry(request, filters: Query[RegistryFilter], page: Query[PageParams]):
    return paginate(registry(serial=filters.serial or "", status=filters.status or "", vintage=filters.vintage).select_related(
        "project", "holder"), page)


def _block(request, block_id):
    return visible_or_404(request.auth, CarbonBlock.objects.select_related("project", "holder__region"), block_id, "block")


@router.post("/carbon/blocks/{block_id}/transfer", response={201: BlockOut, **ERRORS}, summary="Transfer units")
def transfer(request, block_id: PathId, payload: TransferIn):
    block = _block(request, block_id)
    require_writer(request.auth)
    to = Organisation.objects.filter(pk=payload.to_holder).select_related("region").first()
    if to is None:
        from xiezuo.core.errors import field_error

        raise field_error("to_holder", "no organisation #%s" % payload.to_holder)
    moved = carbon.transfer(request.auth, block=block, to_holder=to, units=payload.units)
    return Status(201, CarbonBlock.objects.select_related("project", "holder").get(pk=moved.pk))


@router.post("/carbon/blocks/{block_id}/retire", response={201: BlockOut, **ERRORS}, summary="Retire units (注销)")
def retire(request, block_id: PathId, payload: RetireIn):
    block = _block(request, block_id)
    require_writer(request.auth)
    done = carbon.retire(request.auth, block=block, units=payload.units, beneficiary=payload.beneficiary, purpose=payload.purpose)
    return Status(201, CarbonBlock.objects.select_related("project", "holder").get(pk=done.pk))


# --- technology ----------------------------------------------------------------------------


class TechOut(Schema):
    id: int
    kind: TechKind
    number: str
    title: str
    abstract: str
    ipc: str
    owner: OrgRef
    licence_terms: str
    listed_on: datetime.date


class TechIn(InSchema):
    owner: ObjectId
    number: Text(32)
    title: Text(200)
    abstract: Text(5000) = ""
    ipc: Text(20) = ""
    kind: TechKind = TechKind.PATENT
    licence_terms: Text(300) = ""


class NeedOut(Schema):
    id: int
    title: str
    problem: str
    sector: str
    ipc: str
    county: RegionRef
    requester: OrgRef
    posted_on: datetime.date


class NeedIn(InSchema):
    county: RegionCode
    title: Text(200)
    problem: Text(5000)
    sector: Text(50) = ""
    ipc: Text(20) = ""


class MatchOut(Schema):
    id: int
    title: str
    score: float
    words: list[str] = Field(description="the shared words, most distinctive first")
    ipc: str = Field(description="the shared IPC subclass or main group, empty when none")


class DealIn(InSchema):
    technology: ObjectId
    licensee: ObjectId
    kind: DealKind
    price_fen: Fen
    royalty_permille: int = Field(0, ge=0, le=1000)
    need: ObjectId | None = None


class DealOut(Schema):
    id: int
    technology: int = Field(alias="technology_id")
    licensee: OrgRef
    county: RegionRef
    kind: DealKind
    price_fen: int
    royalty_permille: int
    signed_on: datetime.date
    posting: int | None = Field(None, alias="posting_id", description="the ledger posting that paid the price")


@router.get("/tech/technologies", response={200: page_of(TechOut), **ERRORS}, summary="List technologies offered")
def list_technologies(request, page: Query[PageParams], q: Text(50) | None = None, ipc: Text(20) | None = None):
    return paginate(technologies(request.auth, q=q or "", ipc=ipc or ""), page)


@router.get("/tech/technologies/{tech_id}", response={200: TechOut, **ERRORS}, summary="Get a technology")
def get_technology(request, tech_id: PathId):
    obj = technologies(request.auth).filter(pk=tech_id).first()
    if obj is None:
        from django.http import Http404

        raise Http404("technology #%s not found" % tech_id)
    return obj


@router.post("/tech/technologies", response={201: TechOut, **ERRORS}, summary="Offer a technology")
def post_technology(request, payload: TechIn):
    require_writer(request.auth)
    refs = BodyRefs(request.auth)
    owner = refs.visible_obj(Organisation.objects.select_related("region"), payload.owner, "owner", "organisation")
    refs.check()
    t = tech.offer_technology(request.auth, owner=owner, number=payload.number, title=payload.title, abstract=payload.abstract,
                              ipc=payload.ipc, kind=payload.kind.value, licence_terms=payload.licence_terms)
    return Status(201, t)


@router.get("/tech/technologies/{tech_id}/matches", response={200: list[MatchOut], **ERRORS}, summary="Needs matching a technology")
def technology_matches(request, tech_id: PathId):
    t = get_technology(request, tech_id)
    return [{"id": m["id"], "title": m["object"].title, "score": m["score"], "words": m["words"], "ipc": m["ipc"]}
            for m in matching.needs_for(t, 10)]


@router.get("/tech/needs", response={200: page_of(NeedOut), **ERRORS}, summary="List needs of western counties")
def list_needs(request, page: Query[PageParams], q: Text(50) | None = None):
    return paginate(needs(request.auth, q=q or ""), page)


@router.post("/tech/needs", response={201: NeedOut, **ERRORS}, summary="Post a need")
def post_need(request, payload: NeedIn):
    require_writer(request.auth)
    n = tech.post_need(request.auth, county=get_region(payload.county, field="county"), title=payload.title, problem=payload.problem,
                       sector=payload.sector, ipc=payload.ipc)
    return Status(201, n)


@router.get("/tech/needs/{need_id}/matches", response={200: list[MatchOut], **ERRORS}, summary="Technologies matching a need")
def need_matches(request, need_id: PathId):
    n = needs(request.auth).filter(pk=need_id).first()
    if n is None:
        from django.http import Http404

        raise Http404("need #%s not found" % need_id)
    return [{"id": m["id"], "title": f"{m['object'].number} {m['object'].title}", "score": m["score"], "words": m["words"],
             "ipc": m["ipc"]} for m in matching.technologies_for(n, 10)]


@router.post("/tech/deals", response={201: DealOut, **ERRORS}, summary="Sign a deal")
def post_deal(request, payload: DealIn):
    require_writer(request.auth)
    refs = BodyRefs(request.auth)
    licensee = refs.visible_obj(Organisation.objects.select_related("region"), payload.licensee, "licensee", "organisation")
    t = technologies(request.auth).filter(pk=payload.technology).first()
    if t is None:
        refs.errors["technology"] = ["no technology #%s" % payload.technology]
    need = needs(request.auth).filter(pk=payload.need).first() if payload.need else None
    refs.check()
    d = tech.sign_deal(request.auth, technology=t, licensee=licensee, kind=payload.kind.value, price_fen=payload.price_fen,
                       royalty_permille=payload.royalty_permille, need=need)
    return Status(201, d)


# --- the rest of the carbon and land life cycles ---------------------------------------------

class ReportIn(InSchema):
    period_start: Day
    period_end: Day
    claimed_t: BigCount


class VerifyIn(InSchema):
    evaluator: ObjectId
    verified_t: BigCount
    vintage: int | None = Field(None, ge=2000, le=2100)


class IssueIn(InSchema):
    units: BigCount | None = Field(None, description="all verified tonnes not yet issued when left out")


class SubscriptionIn(InSchema):
    subscriber: ObjectId
    price_fen_per_t: Fen
    share_pct: int = Field(ge=1, le=100)
    tonnes: BigCount


class DeliverIn(InSchema):
    units: BigCount


class IdOut(Schema):
    id: int


class AuctionIn(InSchema):
    closes_on: Day
    reserve_fen_per_mu: Fen | None = None


class BidIn(InSchema):
    bidder: ObjectId
    area: Area
    limit_fen_per_mu: Fen


class ShareIn(InSchema):
    household: ObjectId | None = Field(None, description="the registry household's id, or give its number")
    number: Text(32) | None = Field(None, description="the household number in the registry of the listing's county")
    weight: BigCount


class SplitIn(InSchema):
    households: list[ShareIn] = Field(default_factory=list, max_length=5000,
                                      description="the farmers' part among households of the county's registry")


class ShareOut(Schema):
    household: int | None = Field(None, description="the registry household (none: a share recorded by name, not matched)")
    number: str = ""
    unmatched_name: str = ""
    weight: int
    fen: int


class SplitOut(Schema):
    id: int
    distributable_fen: int
    farmers_fen: int
    collective_fen: int
    households_count: int = Field(description="households sharing the farmers' part")
    households: list[ShareOut] | None = Field(None, description="the shares, for the roles that may see the registry's rows; "
                                                                 "otherwise null (counts only)")
    paid_on: datetime.date | None = None
    farmers_posting: int | None = None
    collective_posting: int | None = None


def split_out(user, split) -> dict:
    from .land.shares import share_rows

    shown = share_rows(user, split)
    rows = None
    if shown["rows"] is not None:
        rows = [{"household": r["share"].household_id, "number": r["household"].number if r["household"] else "",
                 "unmatched_name": r["share"].unmatched_name, "weight": r["share"].weight, "fen": r["share"].fen}
                for r in shown["rows"]]
    return {"id": split.pk, "distributable_fen": split.distributable_fen, "farmers_fen": split.farmers_fen,
            "collective_fen": split.collective_fen, "households_count": shown["count"], "households": rows,
            "paid_on": split.paid_on, "farmers_posting": split.farmers_posting_id, "collective_posting": split.collective_posting_id}


def _shares(user, trade, items) -> list:
    """The body's shares as (household, weight): by id among the households the user may see,
    or by number in the county's registry; each refusal named by its position."""
    from django.utils.translation import gettext as _

    from xiezuo.core.errors import ValidationError
    from xiezuo.households.lookup import by_number
    from xiezuo.households.models import Household

    county = trade.listing.county
    found = by_number(county, [i.number for i in items if i.household is None and i.number])
    ids = {h.pk: h for h in Household.objects.visible_to(user).filter(pk__in=[i.household for i in items if i.household])}
    out, errors = [], {}
    for n, item in enumerate(items):
        if item.household is not None:
            h = ids.get(item.household)
            if h is None:
                errors[f"households[{n}].household"] = [_("no household #%(id)s") % {"id": item.household}]
        elif item.number:
            matches = found.get(item.number, [])
            h = matches[0] if len(matches) == 1 else None
            if h is None:
                errors[f"households[{n}].number"] = [
                    _("no household numbered %(h)s in the registry of %(county)s") % {"h": item.number, "county": county}
                    if not matches else _("%(k)d households are numbered %(h)s; correct the registry first") % {
                        "k": len(matches), "h": item.number}]
        else:
            h = None
            errors[f"households[{n}]"] = [_("a household id or number is required")]
        out.append((h, item.weight))
    if errors:
        raise ValidationError(errors)
    return out


def _org(user, pk, field):
    refs = BodyRefs(user)
    obj = refs.visible_obj(Organisation.objects.select_related("region"), pk, field, "organisation")
    refs.check()
    return obj


@router.post("/carbon/projects/{project_id}/reports", response={201: IdOut, **ERRORS}, summary="Submit a monitoring report")
def post_report(request, project_id: PathId, payload: ReportIn):
    p = get_sink(request, project_id)
    require_writer(request.auth)
    return Status(201, carbon.submit_monitoring(request.auth, project=p, period_start=payload.period_start,
                                                period_end=payload.period_end, claimed_t=payload.claimed_t))


@router.post("/carbon/reports/{report_id}/verify", response={201: IdOut, **ERRORS}, summary="Verify a monitoring report (the evaluator)")
def post_verification(request, report_id: PathId, payload: VerifyIn):
    from .models import MonitoringReport

    report = visible_or_404(request.auth, MonitoringReport.objects.select_related("project"), report_id, "monitoring report")
    evaluator = Organisation.objects.filter(pk=payload.evaluator).first()
    if evaluator is None:
        from xiezuo.core.errors import field_error

        raise field_error("evaluator", "no organisation #%s" % payload.evaluator)
    return Status(201, carbon.verify_report(request.auth, report=report, evaluator=evaluator, verified_t=payload.verified_t,
                                            vintage=payload.vintage))


@router.post("/carbon/verifications/{verification_id}/issue", response={201: BlockOut, **ERRORS}, summary="Issue verified tonnes (the registry)")
def post_issue(request, verification_id: PathId, payload: IssueIn):
    from .models import Verification

    v = visible_or_404(request.auth, Verification.objects.all(), verification_id, "verification")
    block = carbon.issue(request.auth, verification=v, units=payload.units)
    return Status(201, CarbonBlock.objects.select_related("project", "holder").get(pk=block.pk))


@router.post("/carbon/projects/{project_id}/subscriptions", response={201: IdOut, **ERRORS}, summary="Sign a subscription (认购)")
def post_subscription(request, project_id: PathId, payload: SubscriptionIn):
    p = get_sink(request, project_id)
    require_writer(request.auth)
    return Status(201, carbon.sign_subscription(request.auth, project=p, subscriber=_org(request.auth, payload.subscriber, "subscriber"),
                                                price_fen_per_t=payload.price_fen_per_t, share_pct=payload.share_pct,
                                                tonnes=payload.tonnes))


@router.post("/carbon/subscriptions/{sub_id}/deliver", response={201: list[BlockOut], **ERRORS}, summary="Deliver units to a subscriber")
def post_delivery(request, sub_id: PathId, payload: DeliverIn):
    from .carbon.filtersets import subscriptions

    sub = subscriptions(request.auth).filter(pk=sub_id).first()
    if sub is None:
        from django.http import Http404

        raise Http404("subscription #%s not found" % sub_id)
    require_writer(request.auth)
    made = carbon.deliver(request.auth, subscription=sub, units=payload.units)
    return Status(201, list(CarbonBlock.objects.filter(pk__in=[b.pk for b in made]).select_related("project", "holder")))


@router.post("/land/listings/{listing_id}/auction", response={201: IdOut, **ERRORS}, summary="Open a call auction")
def post_auction(request, listing_id: PathId, payload: AuctionIn):
    listing = get_listing(request, listing_id)
    require_writer(request.auth)
    return Status(201, land.open_auction(request.auth, listing=listing, closes_on=payload.closes_on,
                                         reserve_fen_per_mu=payload.reserve_fen_per_mu))


@router.post("/land/listings/{listing_id}/bids", response={201: IdOut, **ERRORS}, summary="Bid in the open call auction")
def post_bid(request, listing_id: PathId, payload: BidIn):
    from .choices import AuctionStatus

    listing = get_listing(request, listing_id)
    require_writer(request.auth)
    auction = listing.auctions.filter(status=AuctionStatus.OPEN).first()
    if auction is None:
        from xiezuo.core.errors import field_error

        raise field_error("listing", "no open auction")
    return Status(201, land.place_bid(request.auth, auction=auction, bidder=_org(request.auth, payload.bidder, "bidder"),
                                      area=payload.area, limit_fen_per_mu=payload.limit_fen_per_mu))


@router.post("/land/listings/{listing_id}/clear", response={201: list[TradeOut], **ERRORS}, summary="Clear the call auction at one price")
def post_clear(request, listing_id: PathId):
    from .choices import AuctionStatus

    listing = get_listing(request, listing_id)
    require_writer(request.auth)
    auction = listing.auctions.filter(status=AuctionStatus.OPEN).first()
    if auction is None:
        from xiezuo.core.errors import field_error

        raise field_error("listing", "no open auction")
    trades_made = land.clear_auction(request.auth, auction=auction)
    return Status(201, list(QuotaTrade.objects.filter(pk__in=[t.pk for t in trades_made]).select_related("buyer").order_by("start_u")))


@router.post("/land/trades/{trade_id}/split", response={201: SplitOut, **ERRORS}, summary="Split a trade's proceeds (farmers : collective)")
def post_split(request, trade_id: PathId, payload: SplitIn):
    trade = get_trade(request, trade_id)
    require_writer(request.auth)
    split = land.split_proceeds(request.auth, trade=trade, households=_shares(request.auth, trade, payload.households))
    return Status(201, split_out(request.auth, split))


class PayoutIn(InSchema):
    project: ObjectId = Field(description="the project of the listing's county through which the county pays")
    paid_on: Day | None = None


@router.post("/land/trades/{trade_id}/payout", response={200: SplitOut, **ERRORS},
             summary="Pay a split trade's farmers' and collective's shares out of the county's receiving account")
def post_payout(request, trade_id: PathId, payload: PayoutIn):
    from xiezuo.projects.models import Project

    trade = get_trade(request, trade_id)
    require_writer(request.auth)
    refs = BodyRefs(request.auth)
    project = refs.visible_obj(Project.objects.select_related("county"), payload.project, "project", "project")
    refs.check()
    return split_out(request.auth, land.pay_out(request.auth, trade=trade, project=project, paid_on=payload.paid_on))


class ReturnIn(InSchema):
    period_end: Day
    revenue_fen: Fen
    cost_fen: Fen


class ReturnOut(Schema):
    id: int
    deal: int = Field(alias="deal_id")
    period_end: datetime.date
    revenue_fen: int
    cost_fen: int
    royalty_fen: int
    posting: int | None = Field(None, alias="posting_id", description="the ledger posting that paid the royalty")


@router.post("/tech/deals/{deal_id}/returns", response={201: ReturnOut, **ERRORS}, summary="Record what a deal earned and cost in a period")
def post_return(request, deal_id: PathId, payload: ReturnIn):
    from .tech.filtersets import deals

    deal = visible_or_404(request.auth, deals(request.auth), deal_id, "deal")
    require_writer(request.auth)
    return Status(201, tech.record_return(request.auth, deal=deal, period_end=payload.period_end, revenue_fen=payload.revenue_fen,
                                          cost_fen=payload.cost_fen))


@router.get("/tech/returns", response={200: dict, **ERRORS}, summary="Technology-transfer returns per county, with evidence")
def get_returns(request, start: datetime.date, end: datetime.date, region: RegionCode | None = None):
    """Per western county in your part of the tree: revenue, cost, rate (revenue ÷ cost × 100) and the evidence rows
    (`markets/tech/facts.py`), over deal returns whose period ends within [start, end]."""
    from xiezuo.core.scoping import scope_for

    from .tech import facts

    scope = scope_for(request.auth)
    regions = [region] if region else None
    out = facts.returns(start, end, regions)
    if not scope.everything:
        out = {code: v for code, v in out.items() if scope.sees_region(code)}
    return out
