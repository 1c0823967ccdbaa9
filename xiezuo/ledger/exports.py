"""The postings list as a workbook: the queryset `filtersets.postings` gave the page.
Amounts in yuan, exact to the fen (Excel's two-decimal format); days and times as dates."""
from django.utils.translation import gettext as _

from xiezuo.core.excel import date_cell, export_response, yes_no
from xiezuo.core.money import fen_to_yuan_decimal


def export_postings(qs):
    headers = [_("posting"), _("kind"), _("booked on"), _("amount (yuan)"), _("eastern side"),
               _("western side"), _("agreement"), _("project code"), _("project"), _("funds due by"), _("arrived on"),
               _("reversal of"), _("reversed"), _("memo"), _("idempotency key"), _("posted by"), _("posted at")]
    rows = ([p.pk, p.get_kind_display(), date_cell(p.booked_on), fen_to_yuan_decimal(p.amount_fen),
             p.east_org.name if p.east_org_id else "", p.west_org.name if p.west_org_id else "",
             str(p.agreement) if p.agreement_id else "", p.project.code if p.project_id else "",
             p.project.name if p.project_id else "", date_cell(p.due_date), date_cell(p.arrived_on),
             p.reversal_of_id or "", yes_no(p.is_reversed), p.memo, p.idempotency_key,
             p.created_by.username if p.created_by_id else "", p.created_at]
            for p in qs.iterator(chunk_size=2000))
    return export_response(_("postings"), _("postings"), headers, rows, money_columns=[4])
