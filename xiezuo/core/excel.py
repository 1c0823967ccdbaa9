"""Excel export (and, below, import) machinery shared by every list.

Officials live in Excel and WPS: every list a user can see exports with the same columns
and the same scoping as the page.
"""
import io
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def build_workbook(sheet_title: str, headers: list[str], rows) -> bytes:
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = str(sheet_title)[:31]
    ws.append([str(h) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = [len(str(h)) * 2 + 2 for h in headers]
    for row in rows:
        values = ["" if v is None else v for v in row]
        ws.append(values)
        for i, v in enumerate(values[: len(widths)]):
            widths[i] = min(60, max(widths[i], len(str(v)) + 2))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_response(filename: str, content: bytes) -> HttpResponse:
    """Attachment response; the filename may be Chinese (RFC 6266 filename*)."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"{filename}-{stamp}.xlsx"
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = f"attachment; filename=\"export-{stamp}.xlsx\"; filename*=UTF-8''{quote(name)}"
    return response


def export_response(filename: str, sheet_title: str, headers: list[str], rows) -> HttpResponse:
    return xlsx_response(filename, build_workbook(sheet_title, headers, rows))


def yes_no(flag) -> str:
    return _("yes") if flag else _("no")


def date_cell(d):
    return d.isoformat() if d else ""


def format_money_columns(response, columns: list[int]):
    """Give the yuan columns (1-based) Excel's two-decimal number format."""
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.active
    for col in columns:
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.number_format = "#,##0.00"
    buf = io.BytesIO()
    wb.save(buf)
    response.content = buf.getvalue()
    return response
