from django.utils.translation import gettext as _

from xiezuo.core.excel import date_cell, export_response

from ..units import mu_text


def export_projects(qs):
    headers = [_("project code"), _("name"), _("kind"), _("county"), _("county code"), _("owner"), _("methodology"), _("area (mu)"),
               _("crediting period start"), _("crediting period end"), _("units issued")]
    rows = ([p.code, p.name, p.get_kind_display(), p.county.name, p.county.code, p.owner.name, p.methodology, mu_text(p.area_u),
             date_cell(p.crediting_start), date_cell(p.crediting_end), p.next_serial - 1] for p in qs.iterator(chunk_size=2000))
    return export_response(_("carbon sink projects"), _("carbon sink projects"), headers, rows)


def export_registry(qs):
    headers = [_("serial"), _("project code"), _("county"), _("vintage"), _("units"), _("holder type"), _("status"), _("beneficiary"),
               _("retired on")]
    rows = ([b.serial, b.project.code, b.project.county.name, b.vintage, b.units, b.holder.get_kind_display(), b.get_status_display(),
             b.beneficiary, date_cell(b.retired_on)] for b in qs.iterator(chunk_size=5000))
    return export_response(_("carbon registry"), _("carbon registry"), headers, rows)
