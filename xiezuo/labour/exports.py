"""The lists of 劳务协作 as workbooks, from the querysets the pages show. ID numbers and
phones are masked (the stored masked columns: no row is decrypted) unless the export is
revealed — then the view has checked the right and logged the purpose first."""
from django.utils.translation import gettext as _

from xiezuo.core.excel import date_cell, export_response, yes_no

from .choices import skill_names


def export_workers(qs, *, revealed=False):
    headers = [_("id"), _("name"), _("ID number") if revealed else _("ID number (masked)"),
               _("phone") if revealed else _("phone (masked)"), _("registering county"), _("county code"),
               _("household status"), _("skills"), _("preferred places"), _("expected monthly wage (yuan)"), _("registered on"),
               _("demo data")]
    rows = ([w.pk, w.name, w.id_number if revealed else w.id_masked, w.phone if revealed else w.phone_masked, w.county.name,
             w.county.code, w.get_household_status_display(), "、".join(skill_names(w.skills)), w.preferred_provinces,
             w.expected_wage_fen / 100, date_cell(w.registered_on), yes_no(w.is_demo)]
            for w in qs.iterator(chunk_size=2000))
    return export_response(_("workers"), _("workers"), headers, rows)


def export_jobs(qs):
    headers = [_("id"), _("job title"), _("employer"), _("place of work"), _("place code"), _("positions"),
               _("monthly wage from (yuan)"), _("monthly wage to (yuan)"), _("skills"), _("housing provided"), _("occupation code"),
               _("status"), _("posted on")]
    rows = ([j.pk, j.title, j.employer.name, j.place.name, j.place.code, j.positions, j.wage_min_fen / 100, j.wage_max_fen / 100,
             "、".join(skill_names(j.skills)), yes_no(j.housing), j.occupation_code, j.get_status_display(), date_cell(j.posted_on)]
            for j in qs.iterator(chunk_size=2000))
    return export_response(_("jobs"), _("jobs"), headers, rows)


def export_trainings(qs):
    headers = [_("id"), _("course"), _("county"), _("employer committed to hire"), _("hires committed"), _("starts on"),
               _("ends on")]
    rows = ([t.pk, t.course, t.county.name, t.employer.name, t.committed_hires, date_cell(t.starts_on), date_cell(t.ends_on)]
            for t in qs.iterator(chunk_size=2000))
    return export_response(_("trainings"), _("trainings"), headers, rows)


def export_placements(qs):
    headers = [_("id"), _("worker"), _("ID number (masked)"), _("registering county"), _("employer"), _("place of work"),
               _("place code"), _("place"), _("in the paired eastern province"), _("start date"), _("end date"),
               _("occupation code"), _("monthly wage (yuan)")]
    rows = ([p.pk, p.worker.name, p.worker.id_masked, p.county.name, p.employer.name, p.place.name, p.place.code,
             p.get_place_kind_display(), yes_no(p.in_paired_province), date_cell(p.start_date), date_cell(p.end_date),
             p.occupation_code, p.monthly_wage_fen / 100]
            for p in qs.iterator(chunk_size=2000))
    return export_response(_("placements"), _("placements"), headers, rows)


def export_checks(qs):
    headers = [_("id"), _("placement"), _("worker"), _("ID number (masked)"), _("employer"), _("months after start"),
               _("checked on"), _("still employed"), _("months of wage transfers seen"), _("note")]
    rows = ([c.pk, c.placement_id, c.placement.worker.name, c.placement.worker.id_masked, c.placement.employer.name, c.milestone,
             date_cell(c.checked_on), yes_no(c.employed), c.wage_months, c.note]
            for c in qs.iterator(chunk_size=2000))
    return export_response(_("retention checks"), _("retention checks"), headers, rows)


def export_payments(qs):
    headers = [_("id"), _("worker"), _("ID number (masked)"), _("registering county"), _("employer"), _("place of work"),
               _("subsidy"), _("year"), _("amount (yuan)"), _("paid on"), _("labour project paying"), _("ledger posting")]
    rows = ([s.pk, s.worker.name, s.worker.id_masked, s.placement.county.name, s.placement.employer.name, s.placement.place.name,
             s.get_kind_display(), s.year, s.amount_fen / 100, date_cell(s.paid_on), s.project.code, s.posting_id or ""]
            for s in qs.iterator(chunk_size=2000))
    return export_response(_("subsidy payments"), _("subsidy payments"), headers, rows)
