"""Excel exports of the rhythm: posts, the weekly sheet, a consultation's agenda, minutes and decisions.
Days are Excel dates; each line's page is a full, clickable address."""
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from xiezuo.core.excel import DATE_FORMAT, Link, absolute, export_response, sheet_title, xlsx_response


def _d(day):
    return day if day else ""


def _link(ws, row: int, col: int):
    """Make the address in a cell of a sheet built here a full, clickable link."""
    cell = ws.cell(row=row, column=col)
    if cell.value:
        cell.hyperlink = cell.value = absolute(cell.value)
        cell.style = "Hyperlink"


def _dates(ws, cols):
    for row in ws.iter_rows(min_row=2):
        for col in cols:
            if row[col - 1].value:
                row[col - 1].number_format = DATE_FORMAT


def posts(qs):
    headers = [_("office"), _("region code"), _("post"), _("leading post"), _("duties"), _("holders")]
    rows = ([p.office.name, p.office.region.code, p.name, _("yes") if p.is_lead else _("no"), p.duties,
             "、".join(u.get_full_name() or u.username for u in p.holders.all())] for p in qs)
    return export_response(_("responsibility list"), _("responsibility list"), headers, rows)


def weekly_sheet(sheet):
    headers = [_("category"), _("object"), _("detail"), _("region"), _("due date"), _("days late"), _("link")]
    rows = []
    for cat in sheet.categories:
        for line in cat.lines:
            rows.append([cat.label, line.title, line.detail, line.region, _d(line.date), line.days_late,
                         Link(line.url) if line.url else ""])
    title = _("weekly dispatch %(office)s %(week)s") % {"office": sheet.office.name, "week": sheet.label}
    return export_response(title, sheet.label, headers, rows)


def consultation(c):
    """One workbook, three sheets: agenda, minutes, decisions."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(_("agenda"))
    ws.append([str(h) for h in (_("order"), _("kind"), _("title"), _("count"), _("detail"), _("link"))])
    for a in c.agenda.all():
        ws.append([a.seq, a.kind, a.title, a.count, a.detail, a.url])
        _link(ws, ws.max_row, 6)
    ms = wb.create_sheet(sheet_title(_("minutes")))
    for label, value in ((_("title"), c.title), (_("office"), c.office.name), (_("month"), f"{c.month:%Y-%m}"),
                         (_("meeting date"), _d(c.meeting_date)), (_("status"), c.get_status_display()), (_("minutes"), c.minutes)):
        ms.append([str(label), value])
    ms.column_dimensions["A"].width = 14
    ms.column_dimensions["B"].width = 100
    for row in ms.iter_rows():
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    ds = wb.create_sheet(sheet_title(_("decisions")))
    ds.append([str(h) for h in (_("decision"), _("owner post"), _("deadline"), _("status"), _("done on"),
                                _("evidence of completion"), _("escalated to"), _("escalated on"))])
    for item in c.actions.select_related("owner_post__office", "escalated_to__office"):
        ds.append([item.decision, str(item.owner_post), _d(item.deadline), str(item.get_state_display()), _d(item.done_on),
                   item.done_note, str(item.escalated_to or ""), _d(item.escalated_on)])
    _dates(ds, (3, 5, 8))
    for row in ms.iter_rows():
        if hasattr(row[1].value, "isoformat"):
            row[1].number_format = DATE_FORMAT
    for sheet in (ws, ds):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for col, width in zip("ABCDEFGH", (8, 18, 50, 10, 60, 30, 30, 14)):
            sheet.column_dimensions[col].width = width
        sheet.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return xlsx_response(c.title, buf.getvalue())


def plans(qs):
    headers = [_("title"), _("pairing"), _("first year"), _("last year"), _("status"), _("goals")]
    rows = ([p.title, str(p.pairing), p.start_year, p.end_year, p.get_status_display(), p.goals] for p in qs)
    return export_response(_("plans"), _("plans"), headers, rows)

