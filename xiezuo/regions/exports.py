"""The region list as a workbook: the rows of `filtersets.regions`, every one."""
from django.utils.translation import gettext as _

from xiezuo.core.excel import export_response, yes_no


def regions(qs):
    headers = [_("code"), _("name"), _("level"), _("full name"), _("role"), _("former poverty county"),
               _("year exited poverty"), _("national key assistance county"), _("longitude"), _("latitude")]
    rows = ([r.code, r.name, r.get_level_display(), r.full_name, r.get_role_display(), yes_no(r.former_poverty),
             r.poverty_exit_year, yes_no(r.key_assistance), r.longitude, r.latitude] for r in qs.iterator(chunk_size=2000))
    return export_response(_("regions"), _("regions"), headers, rows)
