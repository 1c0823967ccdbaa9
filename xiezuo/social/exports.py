"""The Excel columns of the needs list. The scoped list carries the cadre's name (the offices'
own record); the published list nothing personal."""
from django.utils.translation import gettext as _

from xiezuo.core.excel import date_cell, export_response
from xiezuo.core.money import fen_to_yuan_decimal


def export_needs(qs, *, public=False):
    headers = [_("id"), _("county"), _("county code"), _("village"), _("category"), _("description"), _("budget (yuan)"),
               _("beneficiaries"), _("status"), _("published at"), _("taken up by"), _("completed on")]
    if not public:
        headers.append(_("dispatched cadre"))

    def rows():
        for n in qs.iterator(chunk_size=2000):
            row = [n.pk, n.county.name, n.county.code, n.village, n.get_category_display(), n.description, fen_to_yuan_decimal(n.budget_fen),
                   n.beneficiaries, n.get_status_display(), date_cell(n.published_at.date()) if n.published_at else "",
                   n.taken_by.name if n.taken_by_id else "", date_cell(n.completed_on)]
            if not public:
                row.append(n.cadre.person_name)
            yield row

    return export_response(_("needs"), _("needs"), headers, rows(), money_columns=[7])
