"""Consumption help (消费帮扶): western products with their certification, buyers, purchase
records, and the figures against the agreements' consumption commitments.

Scoping as on the pages: a western county sees its products and the purchases of them, an
eastern office the purchases of its buyers. Writes go through `consumption.actions`; a
purchase whose evidence number its supplier already reported is refused naming both records.
Bulk purchases: `POST /api/v1/ingest` with items of type "purchase".
"""
import datetime

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from xiezuo.core.api.lookups import BodyRefs, PathId, RegionCode, require_writer, visible_or_404
from xiezuo.core.api.pagination import PageParams, page_of, paginate
from xiezuo.core.api.schemas import ERRORS, Day, Fen, InSchema, ObjectId, Text
from xiezuo.orgs.api import OrgRef
from xiezuo.orgs.models import Organisation
from xiezuo.regions.actions import get_region
from xiezuo.regions.api import RegionRef

from . import actions
from .choices import BuyerKind, Channel
from .figures import channel_figures
from .filtersets import buyers, certified_now, products, purchases
from .models import Buyer, Product, Purchase

router = Router(tags=["consumption"])


class BuyerOut(Schema):
    id: int
    kind: BuyerKind
    name: str
    region: RegionRef
    organisation: OrgRef | None
    is_demo: bool


class ProductRef(Schema):
    id: int
    name: str


class CertificateOut(Schema):
    id: int
    status: str
    number: str | None
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    revoked_on: datetime.date | None


class ProductOut(Schema):
    id: int
    name: str
    category: str
    supplier: OrgRef
    county: RegionRef
    certified: bool = Field(description="a certificate in force today")
    certificates: list[CertificateOut]
    is_demo: bool

    @staticmethod
    def resolve_certificates(obj):
        return list(obj.certificates.all())


class PurchaseOut(Schema):
    id: int
    buyer: BuyerOut
    product: ProductRef
    supplier: OrgRef
    county: RegionRef
    amount_fen: int
    purchased_on: datetime.date
    channel: Channel
    channel_name: str
    evidence_number: str
    pairing_id: int | None = Field(description="the region pairing whose agreement the purchase counts against")
    client_id: str | None
    is_demo: bool


class ProductIn(InSchema):
    name: Text(100)
    category: Text(50) = ""
    supplier: ObjectId
    county: RegionCode


class BuyerIn(InSchema):
    kind: BuyerKind
    name: Text(200)
    region: RegionCode
    organisation: ObjectId | None = None


class PurchaseIn(InSchema):
    buyer: ObjectId
    product: ObjectId
    amount_fen: Fen
    purchased_on: Day
    channel: Channel
    channel_name: Text(100) = ""
    evidence_number: Text(64)
    client_id: Text(64) | None = None


class PurchaseFilter(Schema):
    channel: Channel | None = None
    buyer_kind: BuyerKind | None = None
    region: RegionCode | None = Field(None, description="the product's county or the buyer's region in this subtree")
    counted: str | None = Field(None, pattern="^(yes|no)$", description="yes: the product's certificate was in force on the day")
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    q: Text(64) | None = None


class ProductFilter(Schema):
    region: RegionCode | None = None
    certified: str | None = Field(None, pattern="^(yes|no|applied)$")
    q: Text(50) | None = None


class ChannelOut(Schema):
    channel: str
    amount_fen: int


class MonthOut(Schema):
    month: int
    recorded_fen: int
    counted_fen: int


class FiguresFilter(Schema):
    year: int | None = Field(None, ge=2000, le=2099, description="this year when left out")


class FiguresOut(Schema):
    year: int
    recorded_fen: int
    counted_fen: int
    committed_fen: int = Field(description="the consumption commitments of the caller's own agreements of the year")
    counted_against_fen: int = Field(description="counted purchases inside those agreements' two subtrees")
    percent: float | None
    by_channel: list[ChannelOut]
    by_month: list[MonthOut]


def _region(code):
    return get_region(code, field="region") if code else None


def _products():
    return Product.objects.select_related("supplier", "county").prefetch_related("certificates").annotate(certified=certified_now())


def _purchases():
    return Purchase.objects.select_related("buyer__region", "buyer__organisation", "product", "supplier", "county")


@router.get("/products", response={200: page_of(ProductOut), **ERRORS}, summary="List western products")
def list_products(request, filters: Query[ProductFilter], page: Query[PageParams]):
    qs = products(request.auth, region=_region(filters.region), certified=filters.certified or "", q=filters.q or "")
    return paginate(qs.prefetch_related("certificates"), page)


@router.get("/products/{product_id}", response={200: ProductOut, **ERRORS}, summary="Get a product")
def get_product(request, product_id: PathId):
    return visible_or_404(request.auth, _products(), product_id, "product")


@router.post("/products", response={201: ProductOut, **ERRORS}, summary="Record a product")
def post_product(request, payload: ProductIn):
    """The western county's office (or an office above it)."""
    require_writer(request.auth)
    refs = BodyRefs(request.auth)
    supplier = refs.visible_obj(Organisation.objects.select_related("region"), payload.supplier, "supplier", "organisation")
    county = refs.collect(get_region, payload.county, field="county")
    refs.check()
    p = actions.save_product(request.auth, name=payload.name, category=payload.category, supplier=supplier, county=county)
    return Status(201, _products().get(pk=p.pk))


@router.get("/buyers", response={200: page_of(BuyerOut), **ERRORS}, summary="List buyers")
def list_buyers(request, page: Query[PageParams], kind: BuyerKind | None = None, region: RegionCode | None = None):
    return paginate(buyers(request.auth, kind=kind or "", region=_region(region)), page)


@router.get("/buyers/{buyer_id}", response={200: BuyerOut, **ERRORS}, summary="Get a buyer")
def get_buyer(request, buyer_id: PathId):
    return visible_or_404(request.auth, Buyer.objects.select_related("region", "organisation"), buyer_id, "buyer")


@router.post("/buyers", response={201: BuyerOut, **ERRORS}, summary="Record a buyer")
def post_buyer(request, payload: BuyerIn):
    require_writer(request.auth)
    refs = BodyRefs(request.auth)
    region = refs.collect(get_region, payload.region, field="region")
    org = refs.visible_obj(Organisation.objects.select_related("region"), payload.organisation, "organisation", "organisation")
    refs.check()
    b = actions.save_buyer(request.auth, kind=payload.kind.value, name=payload.name, region=region, organisation=org)
    return Status(201, Buyer.objects.select_related("region", "organisation").get(pk=b.pk))


@router.get("/purchases", response={200: page_of(PurchaseOut), **ERRORS}, summary="List purchases")
def list_purchases(request, filters: Query[PurchaseFilter], page: Query[PageParams]):
    """The filter set of the purchase page (`consumption.filtersets.purchases`)."""
    qs = purchases(request.auth, channel=filters.channel.value if filters.channel else "",
                   buyer_kind=filters.buyer_kind.value if filters.buyer_kind else "", region=_region(filters.region),
                   counted=filters.counted or "", date_from=filters.date_from, date_to=filters.date_to, q=filters.q or "")
    return paginate(qs.select_related("buyer__organisation"), page)


@router.get("/purchases/figures", response={200: FiguresOut, **ERRORS}, summary="Purchases by channel and month against the commitment")
def get_figures(request, filters: Query[FiguresFilter]):
    f = channel_figures(request.auth, filters.year)
    return {**f, "by_channel": [{"channel": v, "amount_fen": fen} for v, _label, fen in f["by_channel"]],
            "by_month": [{"month": m, "recorded_fen": r, "counted_fen": c} for m, r, c in f["by_month"]]}


@router.get("/purchases/{purchase_id}", response={200: PurchaseOut, **ERRORS}, summary="Get a purchase")
def get_purchase(request, purchase_id: PathId):
    return visible_or_404(request.auth, _purchases(), purchase_id, "purchase")


@router.post("/purchases", response={201: PurchaseOut, **ERRORS}, summary="Record a purchase")
def post_purchase(request, payload: PurchaseIn):
    """The office of the buyer's region or of the product's county. The same evidence number
    from the same supplier is refused (409-free: a field error naming the recorded purchase)."""
    require_writer(request.auth)
    refs = BodyRefs(request.auth)
    buyer = refs.visible_obj(Buyer.objects.select_related("region"), payload.buyer, "buyer", "buyer")
    product = refs.visible_obj(Product.objects.select_related("supplier__region", "county"), payload.product, "product", "product")
    refs.check()
    p = actions.record_purchase(request.auth, buyer=buyer, product=product, amount_fen=payload.amount_fen, purchased_on=payload.purchased_on,
                                channel=payload.channel.value, channel_name=payload.channel_name, evidence_number=payload.evidence_number,
                                client_id=payload.client_id)
    return Status(201, _purchases().get(pk=p.pk))
