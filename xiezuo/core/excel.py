"""Excel export (and, below, import) machinery shared by every list.

Officials live in Excel and WPS: every list a user can see exports with the same columns
and the same scoping as the page, and the workbook reads as the page does — sheet and file
named in the reader's language, days and times as real Excel dates (Beijing time) that sort
and filter as dates, money columns formatted to the fen with the unit in their header, and
links as full addresses one click opens.
"""
import datetime
import io
import os
import re
from decimal import Decimal
from urllib.parse import quote, urljoin, urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MONEY_FORMAT = "#,##0.00"
WIDTH_SAMPLE = 500  # rows read to size the columns before the sheet is streamed

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?$")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_FILE_FORBIDDEN = re.compile(r'[\\/:*?"<>|\r\n\t]')


class Link:
    """A cell that opens a page: shown as `text` (the full address when none), the address
    made absolute against the site's base so that it opens from a mailed or saved workbook."""

    def __init__(self, url: str, text=None):
        self.url, self.text = url or "", text


def site_base() -> str:
    """The address the site is reached at: the one the current request came to (set by the
    request middleware in `core.context`; a background export runs `acting(…, site=…)` with
    the address of the request that asked for it), else XIEZUO_SITE_URL from the settings
    or the environment."""
    from .context import current_actor

    return current_actor().site or getattr(settings, "XIEZUO_SITE_URL", "") or os.environ.get("XIEZUO_SITE_URL", "")


def absolute(url: str, base: str | None = None) -> str:
    """`url` as a full address: unchanged when it already is one; joined to `base` or else
    to `site_base()`."""
    if not url or urlsplit(url).scheme:
        return url
    base = base or site_base()
    return urljoin(base, url) if base else url


def _local(moment: datetime.datetime) -> datetime.datetime:
    """Excel keeps no time zones: an aware time leaves as Beijing wall-clock time."""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.replace(tzinfo=None, microsecond=0)


def cell_value(value, *, dates_from_text=False):
    """(value, number format or None) as the cell is written."""
    if value is None:
        return "", None
    if isinstance(value, Promise):
        return str(value), None
    if isinstance(value, datetime.datetime):
        return _local(value), DATETIME_FORMAT
    if isinstance(value, datetime.date):
        return value, DATE_FORMAT
    if dates_from_text and isinstance(value, str) and len(value) <= 32:
        if _ISO_DAY.match(value):
            try:
                return datetime.date.fromisoformat(value), DATE_FORMAT
            except ValueError:
                return value, None
        if _ISO_MOMENT.match(value):
            try:
                return _local(datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))), DATETIME_FORMAT
            except ValueError:
                return value, None
    return value, None


def sheet_title(title) -> str:
    """A sheet name Excel accepts: without []:*?/\\ and at most 31 characters."""
    text = _SHEET_FORBIDDEN.sub(" ", str(title)).strip().strip("'") or "Sheet"
    return text[:31]


def _width(value) -> int:
    text = str(value)
    wide = sum(1 for ch in text if ord(ch) > 0x2E7F)  # CJK characters take two columns
    return len(text) + wide + 2


def build_workbook(sheet_name, headers: list, rows, *, money_columns=(), base_url: str | None = None,
                   dates_from_text: bool = False) -> bytes:
    """One sheet: bold headers, frozen first row, columns sized to their contents; dates and
    times as dates, `Link` cells clickable, `money_columns` (1-based) in yuan to the fen.

    `dates_from_text` also turns ISO day and time strings (“2026-09-30”) into dates, for
    exports whose columns were written as text; the import round trip leaves it off."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_title(sheet_name))
    money = set(money_columns)
    rows = iter(rows)
    sample = []
    for row in rows:
        sample.append(row)
        if len(sample) >= WIDTH_SAMPLE:
            break
    widths = [max(8, _width(h)) for h in headers]
    for row in sample:
        for i, v in enumerate(row[: len(widths)]):
            widths[i] = min(60, max(widths[i], _width("" if v is None else (v.strftime("%Y-%m-%d %H:%M") if isinstance(v, datetime.datetime) else v))))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    head = []
    for h in headers:
        cell = WriteOnlyCell(ws, value=str(h))
        cell.font = bold
        head.append(cell)
    ws.append(head)

    def write(row):
        out = []
        for i, v in enumerate(row, start=1):
            if isinstance(v, Link):
                url = absolute(v.url, base_url)
                cell = WriteOnlyCell(ws, value=str(v.text) if v.text not in (None, "") else url)
                if url:
                    cell.hyperlink = url
                    cell.style = "Hyperlink"
                out.append(cell)
                continue
            value, fmt = cell_value(v, dates_from_text=dates_from_text)
            if i in money and isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                fmt = MONEY_FORMAT
            if fmt:
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = fmt
                out.append(cell)
            else:
                out.append(value)
        ws.append(out)

    for row in sample:
        write(row)
    for row in rows:
        write(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export_filename(title) -> str:
    """“评估结果 2026Q3” → “评估结果_2026Q3_20261206-1604.xlsx”: the title in the reader's
    language, then when it was taken (Beijing time)."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = re.sub(r"\s+", "_", _FILE_FORBIDDEN.sub(" ", str(title)).strip()) or "export"
    return f"{name}_{stamp}.xlsx"


def xlsx_response(filename: str, content: bytes) -> HttpResponse:
    """Attachment named in the reader's language (RFC 6266/5987 `filename*`), with an ASCII
    `filename` for clients that read only that one."""
    name = export_filename(filename)
    fallback = name if name.isascii() else "export_" + name.rsplit("_", 1)[-1]
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
    return response


def export_response(filename: str, sheet_name: str, headers: list, rows, *, money_columns=(),
                    base_url: str | None = None) -> HttpResponse:
    return xlsx_response(filename, build_workbook(sheet_name, headers, rows, money_columns=money_columns, base_url=base_url,
                                                  dates_from_text=True))


def yes_no(flag) -> str:
    return _("yes") if flag else _("no")


def date_cell(d):
    """A day for an export row: written as an Excel date (nothing when there is none)."""
    return d if d else ""


def format_money_columns(response, columns: list[int]):
    """Give the yuan columns (1-based) Excel's two-decimal number format, after the fact
    (exports built here pass `money_columns` instead, which costs no second pass)."""
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.active
    for col in columns:
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.number_format = MONEY_FORMAT
    buf = io.BytesIO()
    wb.save(buf)
    response.content = buf.getvalue()
    return response
