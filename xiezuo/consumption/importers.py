"""Excel imports of consumption help: products (by the western county) and purchase records
(by either side). All or nothing, every bad row named; the writes go through the actions,
purchases as one batch (`record_purchases`, the rules of one purchase for the whole file)."""
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from xiezuo.core.errors import BatchRefused, ValidationError, field_error
from xiezuo.core.money import fen_to_yuan_decimal
from xiezuo.core.importing import CREATED, UNCHANGED, UPDATED, Column, Importer, choice, parse_date, parse_fen, parse_code, text
from xiezuo.core.scoping import visible
from xiezuo.projects.importers import collect, find_organisation, find_region, org_cell, parse_id

from .actions import PurchaseRow, record_purchases, save_product
from .choices import Channel
from .models import Buyer, Product

CHANNEL_NAMES = {
    "展销会": Channel.FAIR.value,
    "商超直营店": Channel.STORE.value,
    "电子商务": Channel.ECOMMERCE.value,
    "智能柜无人售货": Channel.LOCKER.value,
    "线上平台": Channel.PLATFORM.value,
    "直接采购": Channel.DIRECT.value,
}
CHANNEL_ALIASES = {"展会": "fair", "商超": "store", "超市": "store", "直营店": "store", "电商": "ecommerce", "智能柜": "locker",
                   "无人售货机": "locker", "832平台": "platform"}


class ProductImporter(Importer):
    slug = "consumption-products"
    title = _l("Western products")
    description = _l("Products of western counties with their supplier (消费帮扶产品). Certification is applied for on the product's page.")
    permission_field = "county"
    columns = [
        Column("产品名称", "name", text(100), required=True, example="美姑高山土豆"),
        Column("品类", "category", text(50), example="蔬菜"),
        Column("供应商", "supplier", text(200), required=True, width=30, example="美姑县高山农产品合作社",
               help=_l("The supplier: unified social credit code, or full name as recorded on the platform.")),
        Column("产地县代码", "county", parse_code, required=True, example="513436",
               help=_l("The six-digit GB/T 2260 code of the western county the product comes from.")),
    ]
    instructions = [_l("A row names its product by supplier and name: a recorded product is updated, another is created.")]

    def prepare(self, ctx, values):
        errors = {}
        supplier = collect(errors, find_organisation, ctx, values["supplier"], "supplier")
        county = collect(errors, find_region, ctx, values["county"], "county", "county")
        if errors:
            raise ValidationError(errors)
        existing = visible(ctx.user, Product.objects.select_related("county", "supplier")).filter(
            supplier=supplier, name=values["name"].strip()).first()
        return {"existing": existing, "fields": {"name": values["name"].strip(), "category": values.get("category") or "",
                                                  "supplier": supplier, "county": county}}

    def keys(self, prepared):
        f = prepared["fields"]
        return [("name", (f["supplier"].pk, f["name"]), _("supplier and product name"))]

    def apply(self, ctx, prepared):
        existing, f = prepared["existing"], prepared["fields"]
        if existing is None:
            save_product(ctx.user, **f)
            return CREATED
        if (existing.category, existing.county_id) == (f["category"], f["county"].pk):
            return UNCHANGED
        save_product(ctx.user, existing, **f)
        return UPDATED

    def export_headers(self):
        return [c.header for c in self.columns]

    def export_row(self, p):
        return [p.name, p.category, org_cell(p.supplier), p.county.code]


def find_buyer(ctx, region_code, name, field="buyer"):
    key = ("buyer", region_code, name)
    if key not in ctx.cache:
        buyer = visible(ctx.user, Buyer.objects.select_related("region")).filter(region__code=region_code, name=name).first()
        if buyer is None:
            raise field_error(field, _("no buyer %(name)s in %(code)s is recorded") % {"name": name, "code": region_code})
        ctx.cache[key] = buyer
    return ctx.cache[key]


def find_product(ctx, pk, field="product"):
    key = ("product", pk)
    if key not in ctx.cache:
        product = visible(ctx.user, Product.objects.select_related("supplier__region", "county")).filter(pk=pk).first()
        if product is None:
            raise field_error(field, _("no product has the number %(id)s") % {"id": pk})
        ctx.cache[key] = product
    return ctx.cache[key]


class PurchaseImporter(Importer):
    slug = "consumption-purchases"
    title = _l("Consumption purchases")
    description = _l("Purchases of western products by budget units, enterprises, unions and individuals through a channel.")
    permission_field = "buyer"
    bulk = True
    columns = [
        Column("买方", "buyer", text(200), required=True, width=28, example="鄞州区机关事务管理局食堂",
               help=_l("The buyer's name as recorded on the platform, in the region of the next column.")),
        Column("买方地区代码", "buyer_region", parse_code, required=True, example="330212"),
        Column("产品编号", "product", parse_id, required=True, kind="number", example="1",
               help=_l("The product's number as shown in the product list.")),
        Column("金额（元）", "amount_fen", parse_fen, required=True, kind="number", example="1280.50"),
        Column("购买日期", "purchased_on", parse_date, required=True, kind="date", example="2026-11-18"),
        Column("渠道", "channel", choice({**CHANNEL_NAMES, **CHANNEL_ALIASES}, Channel), required=True, choices=tuple(CHANNEL_NAMES),
               example="电子商务"),
        Column("渠道名称", "channel_name", text(100), example="甬上优选"),
        Column("凭证号", "evidence_number", text(64), required=True, width=22, example="FP-2026-000123",
               help=_l("The invoice or receipt number: unique per supplier. The same purchase reported through two channels is refused.")),
        Column("记录编号", "client_id", text(64), width=20,
               help=_l("Optional: your own number for the record, unique within your organisation.")),
    ]
    instructions = [_l("Every row records a new purchase. A purchase counts against the agreement's consumption commitment when "
                       "its product's certificate is in force on the day of purchase.")]

    def prepare(self, ctx, values):
        errors = {}
        buyer = collect(errors, find_buyer, ctx, values["buyer_region"], values["buyer"].strip())
        product = collect(errors, find_product, ctx, values["product"])
        if errors:
            raise ValidationError(errors)
        return {"row": PurchaseRow(buyer, product, values["amount_fen"], values["purchased_on"], values["channel"],
                                   values["evidence_number"].strip(), values.get("channel_name") or "", values.get("client_id") or None)}

    def keys(self, prepared):
        r = prepared["row"]
        keys = [("evidence_number", (r.product.supplier_id, r.evidence_number), _("supplier and evidence number"))]
        if r.client_id:
            keys.append(("client_id", r.client_id, _("record number")))
        return keys

    def apply_all(self, ctx, rows, result):
        if not rows:
            return
        try:
            record_purchases(ctx.user, [prepared["row"] for _n, prepared in rows])
        except BatchRefused as exc:
            for i, errors in sorted(exc.refused.items()):
                for name, messages in errors.items():
                    for message in messages:
                        result.add(rows[i][0], self.header_for(name) or self.header_for(self.permission_field), message)
            return
        result.counts[CREATED] += len(rows)

    def export_headers(self):
        return [c.header for c in self.columns]

    def export_row(self, p):
        return [p.buyer.name, p.buyer_region.code, p.product_id, fen_to_yuan_decimal(p.amount_fen), p.purchased_on.isoformat(),
                next(n for n, v in CHANNEL_NAMES.items() if v == p.channel), p.channel_name, p.evidence_number, p.client_id or ""]
