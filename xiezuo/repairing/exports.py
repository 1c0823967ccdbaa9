"""The Excel export of a scenario: its figures, the proposed pairs and the changes with their terms."""
from django.utils.translation import gettext as _

from xiezuo.core.excel import build_workbook, xlsx_response


def export_scenario(s, changes):
    terms = [t["code"] for t in s.model.terms]
    headers = [_("change"), _("western unit"), _("today's helper"), _("proposed helper"), _("today's pair value"),
               _("proposed pair value"), _("objective lost if today's pair were locked"), _("deciding terms"), _("status")]
    headers += [f"{_('today')}: {t}" for t in terms] + [f"{_('proposed')}: {t}" for t in terms]
    rows = []
    for c in changes:
        old = (c.old_terms or {}).get("terms", {})
        new = (c.new_terms or {}).get("terms", {})
        rows.append([c.get_kind_display(), c.west.name, c.old_east.name if c.old_east_id else "", c.new_east.name if c.new_east_id else "",
                     c.old_value, c.new_value, c.loss_if_locked if c.loss_if_locked is not None else c.loss_note,
                     ", ".join(f"{d['code']} {d['delta']:+.3f}" for d in c.deciding[:3]), c.get_status_display()]
                    + [old.get(t, {}).get("weighted") for t in terms] + [new.get(t, {}).get("weighted") for t in terms])
    r = s.result or {}
    rows.append([])
    for label, value in ((_("status"), s.get_status_display()), (_("objective"), r.get("objective")), (_("bound"), r.get("bound")),
                         (_("gap"), r.get("gap")), (_("value of today's pairings"), r.get("today_value")),
                         (_("value of the greedy assignment"), r.get("greedy_value")), (_("reason"), r.get("reason") or "")):
        rows.append([label, value])
    title = _("re-pairing scenario %(n)s") % {"n": s.pk}
    return xlsx_response(title, build_workbook(title, headers, rows))
