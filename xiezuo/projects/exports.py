"""The project list as a workbook: the queryset `filtersets.projects` gave the page."""
from django.db.models import Sum
from django.utils.translation import gettext as _

from xiezuo.core.excel import date_cell, export_response, yes_no
from xiezuo.core.money import fen_to_yuan_decimal


def export_projects(qs):
    headers = [_("project code"), _("name"), _("category"), _("enclave"), _("county code"), _("county"), _("pairing"),
               _("status"), _("planned start"), _("planned end"), _("actual start"), _("actual end"), _("percent done"),
               _("last report week"), _("late"), _("budget (yuan)"), _("demo data")]
    qs = qs.annotate(budget_fen=Sum("budget__amount_fen"))

    def rows():
        for p in qs.iterator(chunk_size=2000):
            budget = p.budget_fen or 0
            yield [p.code, p.name, p.get_category_display(), p.get_enclave_display() if p.enclave else "", p.county.code,
                   p.county.name, str(p.pairing) if p.pairing_id else "", p.get_status_display(), date_cell(p.planned_start),
                   date_cell(p.planned_end), date_cell(p.actual_start), date_cell(p.actual_end), p.percent_done,
                   date_cell(p.last_report_week), yes_no(p.is_late), fen_to_yuan_decimal(budget), yes_no(p.is_demo)]

    return export_response(_("projects"), _("projects"), headers, rows(), money_columns=[16])
