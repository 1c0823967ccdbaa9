"""The dispatch list as a workbook: the queryset `filtersets.dispatches` gave the page, with
ID numbers masked."""
from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core.excel import date_cell, export_response, yes_no

from .filtersets import is_on_post
from .models import PersonKind
from .privacy import mask_id_number


def export_dispatches(qs):
    today = timezone.localdate()
    headers = [_("id"), _("name"), _("ID number (masked)"), _("kind"), _("professional"), _("direction"), _("from"),
               _("from region code"), _("to"), _("to region code"), _("pairing"), _("planned start"), _("planned end"),
               _("actual start"), _("actual end"), _("on post today"), _("completed the agreed term"), _("demo data")]
    rows = ([d.pk, d.person_name, mask_id_number(d.id_number), d.get_kind_display(), yes_no(d.kind != PersonKind.CADRE),
             d.get_direction_display(), d.from_org.name, d.from_org.region.code, d.to_org.name, d.to_org.region.code,
             str(d.pairing) if d.pairing_id else "", date_cell(d.planned_start), date_cell(d.planned_end),
             date_cell(d.actual_start), date_cell(d.actual_end), yes_no(is_on_post(d, today)), yes_no(d.completed_term),
             yes_no(d.is_demo)]
            for d in qs.iterator(chunk_size=2000))
    return export_response(_("dispatches"), _("dispatches"), headers, rows)
