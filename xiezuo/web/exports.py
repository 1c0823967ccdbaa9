"""Excel exports of the lists: the same querysets as the pages, every row, same columns.

All go through xiezuo.core.excel.export_response. Money leaves in yuan (two decimals,
formatted as such in Excel) next to the exact integer fen.
"""
from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core.excel import date_cell as _date
from xiezuo.core.excel import export_response
from xiezuo.core.excel import format_money_columns as _format_money_columns
from xiezuo.core.excel import yes_no as _yes
from xiezuo.core.money import fen_to_yuan_decimal


def regions(qs):
    headers = [_("code"), _("name"), _("level"), _("full name"), _("role"), _("former poverty county"),
               _("year exited poverty"), _("national key assistance county"), _("longitude"), _("latitude")]
    rows = ([r.code, r.name, r.get_level_display(), r.full_name, r.get_role_display(), _yes(r.former_poverty),
             r.poverty_exit_year, _yes(r.key_assistance), r.longitude, r.latitude] for r in qs.iterator(chunk_size=2000))
    return export_response(_("regions"), _("regions"), headers, rows)


def pairings(qs):
    today = timezone.localdate()
    headers = [_("id"), _("kind"), _("name"), _("eastern region code"), _("eastern region"), _("western region code"),
               _("western region"), _("eastern organisation"), _("western organisation"), _("village"), _("valid from"),
               _("valid to"), _("in force"), _("override reason"), _("source"), _("demo data")]
    rows = ([p.pk, p.get_kind_display(), p.name, p.east_region.code, p.east_region.name, p.west_region.code, p.west_region.name,
             p.east_org.name if p.east_org else "", p.west_org.name if p.west_org else "", p.west_village,
             _date(p.valid_from), _date(p.valid_to),
             _yes(p.valid_from <= today and (p.valid_to is None or p.valid_to >= today)),
             p.override_reason, p.source_note, _yes(p.is_demo)] for p in qs)
    return export_response(_("pairings"), _("pairings"), headers, rows)


def agreements(qs):
    headers = [_("id"), _("year"), _("pairing"), _("pairing kind"), _("eastern region"), _("western region"),
               _("fiscal aid (yuan)"), _("fiscal aid (fen)"), _("funds due by"), _("cadres to dispatch"),
               _("professionals to dispatch"), _("labour placements"), _("consumption purchases (yuan)"),
               _("consumption purchases (fen)"), _("projects"), _("signed on"), _("note"), _("demo data")]
    rows = ([a.pk, a.year, str(a.pairing), a.pairing.get_kind_display(), a.pairing.east_region.name, a.pairing.west_region.name,
             fen_to_yuan_decimal(a.fiscal_aid_fen), a.fiscal_aid_fen, _date(a.funds_due_date), a.cadres, a.professionals,
             a.labour_placements, fen_to_yuan_decimal(a.consumption_fen), a.consumption_fen, a.projects, _date(a.signed_on),
             a.note, _yes(a.is_demo)] for a in qs)
    return _format_money_columns(export_response(_("agreements"), _("agreements"), headers, rows), [7, 13])


def organisations(qs):
    headers = [_("id"), _("name"), _("kind"), _("region code"), _("region"), _("unified social credit code"), _("contact"), _("demo data")]
    rows = ([o.pk, o.name, o.get_kind_display(), o.region.code, o.region.name, o.credit_code or "", o.contact, _yes(o.is_demo)]
            for o in qs)
    return export_response(_("organisations"), _("organisations"), headers, rows)


def audit_entries(qs, limit: int = 50_000):
    headers = [_("time"), _("user"), _("via"), _("action"), _("object type"), _("object id"), _("object"),
               _("region code"), _("other region code"), _("request id"), _("changes")]

    def changes(entry):
        return "; ".join(f"{k}: {before!r} → {after!r}" for k, before, after in entry.changed_fields())

    rows = ([timezone.localtime(e.time).strftime("%Y-%m-%d %H:%M:%S"), e.username, e.via, e.get_action_display(), e.object_type,
             e.object_id, e.object_repr, e.region_code, e.other_region_code, e.request_id, changes(e)]
            for e in qs[:limit].iterator(chunk_size=2000))
    return export_response(_("audit log"), _("audit log"), headers, rows)
