"""The pairing and agreement lists as workbooks: the rows of their filter sets, every one.
Money leaves in yuan, exact to the fen (two decimals, formatted as such in Excel)."""
from django.utils.translation import gettext as _

from xiezuo.core.excel import date_cell, export_response, yes_no
from xiezuo.core.money import fen_to_yuan_decimal


def pairings(qs):
    headers = [_("id"), _("kind"), _("name"), _("eastern region code"), _("eastern region"), _("western region code"),
               _("western region"), _("eastern organisation"), _("western organisation"), _("village"), _("valid from"),
               _("valid to"), _("in force"), _("override reason"), _("source"), _("demo data")]
    rows = ([p.pk, p.get_kind_display(), p.name, p.east_region.code, p.east_region.name, p.west_region.code, p.west_region.name,
             p.east_org.name if p.east_org else "", p.west_org.name if p.west_org else "", p.west_village,
             date_cell(p.valid_from), date_cell(p.valid_to), yes_no(p.is_current),
             p.override_reason, p.source_note, yes_no(p.is_demo)] for p in qs)
    return export_response(_("pairings"), _("pairings"), headers, rows)


def agreements(qs):
    headers = [_("id"), _("year"), _("pairing"), _("pairing kind"), _("eastern region"), _("western region"),
               _("fiscal aid (yuan)"), _("funds due by"), _("cadres to dispatch"),
               _("professionals to dispatch"), _("labour placements"), _("consumption purchases (yuan)"),
               _("projects"), _("signed on"), _("note"), _("demo data")]
    rows = ([a.pk, a.year, str(a.pairing), a.pairing.get_kind_display(), a.pairing.east_region.name, a.pairing.west_region.name,
             fen_to_yuan_decimal(a.fiscal_aid_fen), date_cell(a.funds_due_date), a.cadres, a.professionals,
             a.labour_placements, fen_to_yuan_decimal(a.consumption_fen), a.projects, date_cell(a.signed_on),
             a.note, yes_no(a.is_demo)] for a in qs)
    return export_response(_("agreements"), _("agreements"), headers, rows, money_columns=[7, 12])
