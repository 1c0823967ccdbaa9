from django.utils.translation import gettext as _

from xiezuo.core.excel import date_cell, export_response, yes_no
from xiezuo.core.money import fen_to_yuan_decimal

from ..units import mu_text, unit_numbers


def export_listings(qs):
    from .actions import sold_u

    headers = [_("listing code"), _("county"), _("county code"), _("land class"), _("area (mu)"), _("sold (mu)"), _("status"),
               _("land consolidation project"), _("approval document"), _("province's confirmation"), _("listed on"), _("demo data")]
    rows = ([x.code, x.county.name, x.county.code, x.get_land_class_display(), mu_text(x.area_u), mu_text(sold_u(x)),
             x.get_status_display(), x.source_project, x.approval_doc, x.province_confirmation, date_cell(x.listed_on),
             yes_no(x.is_demo)] for x in qs.iterator(chunk_size=2000))
    return export_response(_("quota listings"), _("quota listings"), headers, rows)


def export_trades(qs):
    headers = [_("trade"), _("listing code"), _("county"), _("county code"), _("land class"), _("buyer"), _("buyer's region code"),
               _("method"), _("quota unit nos."), _("area (mu)"), _("price per mu (yuan)"), _("amount (yuan)"), _("traded on"), _("ledger posting")]
    rows = ([t.pk, t.listing.code, t.listing.county.name, t.listing.county.code, t.listing.get_land_class_display(), t.buyer.name,
             t.buyer.region.code, t.get_method_display(), unit_numbers(t.start_u, t.end_u), mu_text(t.area_u),
             fen_to_yuan_decimal(t.price_fen_per_mu), fen_to_yuan_decimal(t.amount_fen), date_cell(t.traded_on), t.posting_id or ""]
            for t in qs.iterator(chunk_size=2000))
    return export_response(_("quota trades"), _("quota trades"), headers, rows, money_columns=(11, 12))
