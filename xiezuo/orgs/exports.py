"""The organisation list as a workbook: the rows of `filtersets.organisations`, every one."""
from django.utils.translation import gettext as _

from xiezuo.core.excel import export_response, yes_no


def organisations(qs):
    headers = [_("id"), _("name"), _("kind"), _("region code"), _("region"), _("unified social credit code"), _("contact"), _("demo data")]
    rows = ([o.pk, o.name, o.get_kind_display(), o.region.code, o.region.name, o.credit_code or "", o.contact, yes_no(o.is_demo)]
            for o in qs)
    return export_response(_("organisations"), _("organisations"), headers, rows)
