"""The Excel columns of the consumption lists (the querysets the pages show)."""
from django.utils.translation import gettext as _

from xiezuo.core.excel import date_cell, export_response, yes_no
from xiezuo.core.money import fen_to_yuan_decimal

from .models import counted_exists


def export_products(qs):
    headers = [_("id"), _("name"), _("category"), _("supplier"), _("county of origin"), _("county code"), _("certified today"),
               _("demo data")]
    rows = ([p.pk, p.name, p.category, p.supplier.name, p.county.name, p.county.code, yes_no(getattr(p, "certified", False)),
             yes_no(p.is_demo)] for p in qs.iterator(chunk_size=2000))
    return export_response(_("products"), _("products"), headers, rows)


def export_purchases(qs):
    headers = [_("id"), _("purchased on"), _("buyer"), _("kind of buyer"), _("buyer's region code"), _("product"), _("supplier"),
               _("county code"), _("amount (yuan)"), _("channel"), _("channel name"), _("evidence number"), _("counted"), _("pairing")]

    def rows():
        for p in qs.select_related("pairing__east_region", "pairing__west_region").annotate(
                is_counted=counted_exists()).iterator(chunk_size=2000):
            yield [p.pk, date_cell(p.purchased_on), p.buyer.name, p.buyer.get_kind_display(), p.buyer_region.code, p.product.name,
                   p.supplier.name, p.county.code, fen_to_yuan_decimal(p.amount_fen), p.get_channel_display(), p.channel_name,
                   p.evidence_number, yes_no(p.is_counted), str(p.pairing) if p.pairing_id else ""]

    return export_response(_("purchases"), _("purchases"), headers, rows(), money_columns=[9])
