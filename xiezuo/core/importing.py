"""Excel import machinery: declared columns, whole-file validation, all-or-nothing writes.

An importer (one per kind of data, in the app's ``importers.py``) declares

* its columns: the header officials see in the template (``“县级代码”``), the field it fills,
  a parser that returns the value or raises ``ValueError`` with a reason, required or not;
* ``prepare()``: turn a row's parsed values into what its action needs (look up regions,
  organisations, the pairing an agreement belongs to), raising ``ValidationError``;
* ``keys()``: what makes two rows the same thing (the second of two equal rows is an error);
* ``apply()``: write one row by calling the app's actions — never the ORM directly, so the
  import checks exactly what a page or the API checks.

``run_import()`` then

1. refuses, before openpyxl parses anything, files that are too big, that are not .xlsx
   workbooks, or that unpack to far more than they weigh (zip bombs);
2. reads the header row: unknown, repeated or missing required columns are errors naming
   the column;
3. parses and prepares every row, collecting every problem as (row number as Excel shows it,
   column header, reason);
4. applies every row that parsed inside one transaction, as the importing user
   (``acting(user, via="import")``, so the audit log says who and how). A ``ValidationError``
   or ``PermissionDenied`` from an action is collected against its row, with the action's
   field mapped back to the column header. If any row failed, in either step — or for a dry
   run — the whole transaction is rolled back: nothing is half-written. (Rows are applied
   even when others failed to parse, so that one report lists every problem at once; the
   rollback makes that safe.) An importer with ``bulk = True`` applies all its rows in one
   ``apply_all`` instead, with the same rules set-based (weekly reports go through the bulk
   ingestion's checks: one action per row ran at about 100 rows a second).

Headers, sheet names and the words in drop-down lists are the *file format*, not interface
text: they stay Chinese in every interface language, so a file passes unchanged between
offices. Instructions, reasons and page text are translated as usual.
"""
import datetime
import io
import logging
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .context import acting
from .errors import PermissionDenied, ValidationError, messages_of
from .dates import check_day
from .money import yuan_to_fen
from .scoping import scope_for

log = logging.getLogger(__name__)

DATA_SHEET = "数据"
HELP_SHEET = "说明"
EXAMPLE_MARK = "示例"  # a cell holding exactly this marks the instructions' example row
EXAMPLE_KEY = "__example__"
MAX_COLUMNS = 100  # header cells read; a real template has fewer than 20
MAX_ZIP_MEMBERS = 2_000
MAX_ERRORS = 5_000  # stop collecting after this many problems (the file is plainly wrong)

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


IMPORTERS: dict = {}  # slug → importer, in the order the apps registered them


def register_importers(*importers):
    """Each app registers its importers when Django starts (AppConfig.ready); the import
    pages and the “export in import format” menus list what is registered."""
    for importer in importers:
        IMPORTERS[importer.slug] = importer


def max_bytes() -> int:
    return int(settings.XIEZUO_MAX_IMPORT_BYTES)


def max_rows() -> int:
    return int(settings.XIEZUO_MAX_IMPORT_ROWS)


def max_unpacked_bytes() -> int:
    """How much the workbook's zip members may add up to once unpacked.

    Sheet XML compresses about 10–20×; anything far beyond that is a zip bomb, refused
    before openpyxl inflates it (zipfile itself never reads past a member's declared size).
    """
    return int(getattr(settings, "XIEZUO_MAX_IMPORT_UNPACKED_BYTES", max(50 * 1024 * 1024, 20 * max_bytes())))


# --- results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int | None  # as Excel shows it (the header is row 1); None for the whole file
    column: str  # the column header, "" for the whole row or file
    reason: str


@dataclass
class ImportResult:
    dry_run: bool = False
    rows: int = 0  # data rows read (blank rows are skipped)
    counts: Counter = field(default_factory=Counter)  # created / updated / unchanged
    errors: list[RowError] = field(default_factory=list)
    truncated: bool = False  # more errors existed than were collected

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run and (self.counts[CREATED] + self.counts[UPDATED]) > 0

    def add(self, row, column, reason) -> bool:
        """Record a problem; False once MAX_ERRORS were collected."""
        if len(self.errors) >= MAX_ERRORS:
            self.truncated = True
            return False
        self.errors.append(RowError(row, str(column or ""), str(reason)))
        return True


class ImportRefused(Exception):
    """The whole file is refused (size, format, sheet, headers); carries its RowErrors."""

    def __init__(self, *errors):
        self.errors = [e if isinstance(e, RowError) else RowError(None, "", str(e)) for e in errors]
        super().__init__("; ".join(e.reason for e in self.errors))


# --- cell parsers: value in, Python value out, ValueError with a reason ------------------


def _number_text(value) -> str:
    """A cell as text; whole numbers typed into number cells lose their “.0”."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    return str(value).strip()


def text(max_length: int) -> Callable:
    def parse(value):
        s = _number_text(value)
        if len(s) > max_length:
            raise ValueError(_("at most %(n)d characters, this has %(m)d") % {"n": max_length, "m": len(s)})
        return s

    return parse


def parse_code(value) -> str:
    """A six-digit GB/T 2260 code; the 12-digit statistical form (…000000) is accepted too."""
    s = _number_text(value)
    if len(s) == 12 and s.isascii() and s.isdigit() and s.endswith("000000"):
        s = s[:6]
    if not (len(s) == 6 and s.isascii() and s.isdigit()):
        raise ValueError(_("“%(code)s” is not a six-digit GB/T 2260 code") % {"code": s})
    return s


def _decimal(value) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(_("not a number"))
    if isinstance(value, float):
        value = repr(value)
    text_value = str(value).strip().replace(",", "").replace("，", "")
    try:
        d = Decimal(text_value)
    except InvalidOperation:
        raise ValueError(_("“%(value)s” is not a number") % {"value": value}) from None
    if not d.is_finite():
        raise ValueError(_("“%(value)s” is not a number") % {"value": value})
    return d


def parse_count(value) -> int:
    """A whole number, zero or more (people, projects, 万元 of GDP)."""
    d = _decimal(value)
    if d != d.to_integral_value():
        raise ValueError(_("must be a whole number"))
    if d < 0:
        raise ValueError(_("cannot be negative"))
    return int(d)


def parse_year(value) -> int:
    d = _decimal(value)
    if d != d.to_integral_value() or not 1900 <= d <= 2100:
        raise ValueError(_("“%(value)s” is not a year") % {"value": _number_text(value)})
    return int(d)


def parse_fen(value) -> int:
    """A yuan amount (元) into integer fen: negatives and fractions of a fen are refused."""
    return yuan_to_fen(value)


def parse_whole_yuan(value) -> int:
    """A yuan amount kept in whole yuan."""
    fen = yuan_to_fen(value)
    if fen % 100:
        raise ValueError(_("give whole yuan, without jiao or fen"))
    return fen // 100


def parse_percent(value) -> Decimal:
    """A percentage 0–100 with at most two decimals: “18.5” or “18.5%”.

    Cells formatted as a percentage hold 0.185 for 18.5%; the reader multiplies those
    (columns of kind "percent") before they reach here.
    """
    if isinstance(value, str):
        value = value.strip().rstrip("%％").strip()
    d = _decimal(value)
    if d < 0 or d > 100:
        raise ValueError(_("a share is a percentage between 0 and 100"))
    if d != d.quantize(Decimal("0.01")):
        raise ValueError(_("at most two decimal places"))
    return d.quantize(Decimal("0.01"))


def parse_date(value) -> datetime.date:
    """An Excel date, or text written YYYY-MM-DD (YYYY/MM/DD is accepted too), within the
    platform's range of days (`core.dates`: 2000-01-01 … 2099-12-31)."""
    if isinstance(value, datetime.datetime):
        return check_day(value.date())
    if isinstance(value, datetime.date):
        return check_day(value)
    if isinstance(value, str):
        s = value.strip().replace("/", "-").replace(".", "-")
        parts = s.split("-")
        if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[0]) == 4:
            try:
                day = datetime.date(int(parts[0]), int(parts[1]), int(parts[2]))
            except ValueError:
                pass
            else:
                return check_day(day)
    raise ValueError(_("“%(value)s” is not a date: use an Excel date or YYYY-MM-DD") % {"value": _number_text(value)})


YES = ("是", "yes", "y", "true", "1", "√")
NO = ("否", "no", "n", "false", "0", "×")


def parse_yes_no(value) -> bool:
    if isinstance(value, bool):
        return value
    s = _number_text(value).lower()
    if s in YES:
        return True
    if s in NO:
        return False
    raise ValueError(_("write 是 (yes) or 否 (no), not “%(value)s”") % {"value": _number_text(value)})


def choice(names: dict, choices_class=None) -> Callable:
    """Parse one of `names` ({name in the file: stored value}).

    The stored value itself and the choice's label in the current language are accepted too.
    """
    lookup = {k.lower(): v for k, v in names.items()}
    for v in names.values():
        lookup.setdefault(str(v).lower(), v)

    def parse(value):
        s = _number_text(value).lower()
        if s in lookup:
            return lookup[s]
        if choices_class is not None:
            for v, label in choices_class.choices:
                if v in names.values() and str(label).lower() == s:
                    return v
        raise ValueError(_("“%(value)s” is not one of: %(names)s") % {"value": _number_text(value), "names": "、".join(names)})

    return parse


# --- declarations -----------------------------------------------------------------------


@dataclass
class Column:
    header: str  # exactly as in the template (the file format, kept in Chinese)
    field: str  # the key in the row's values; ideally the action's own argument name
    parse: Callable[[Any], Any] = text(200)
    required: bool = False
    help: Any = ""  # lazily translated explanation, shown in the template
    example: Any = ""
    choices: tuple = ()  # offered as a drop-down list in the template
    kind: str = "text"  # text | number | date | percent: the template's cell format
    width: int = 0


def normalise_header(value) -> str:
    s = _number_text(value) if value is not None else ""
    s = s.replace("(", "（").replace(")", "）").replace(" ", "").replace("\u3000", "")
    return s.rstrip("*＊")


@dataclass
class ImportContext:
    """What one run shares between rows: the user and a few caches."""

    user: Any
    dry_run: bool = False
    cache: dict = field(default_factory=dict)

    def cached(self, key, make):
        """`make()` once per run for `key` (look-ups many rows repeat, such as a region)."""
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]


class Importer:
    """Base class: subclasses declare slug, title, columns and write prepare/keys/apply."""

    slug = ""
    title = ""
    description = ""
    columns: list[Column] = []
    instructions: list = []  # extra paragraphs for the 说明 sheet (lazy strings)
    # Action field names that are not columns, mapped to the header(s) to blame.
    field_headers: dict = {}
    # The field blamed when an action refuses permission for a row.
    permission_field = ""

    # who may see and run it
    def allowed(self, user) -> bool:
        return scope_for(user).can_write

    def listed_for(self, user) -> bool:
        return True

    # per row
    def preload(self, ctx: ImportContext, rows: list) -> None:
        """Read ahead, into ctx.cache, what `prepare` looks up row by row: one query for the
        file instead of one per row. `rows` are (row number, raw cells by field), unparsed."""

    def prepare(self, ctx: ImportContext, values: dict) -> dict:
        return values

    def keys(self, prepared: dict) -> list:
        """[(blamed field, hashable key, what is repeated)] — a later row with an equal key
        is refused."""
        return []

    def apply(self, ctx: ImportContext, prepared: dict) -> str:
        raise NotImplementedError

    # An importer may apply all its rows at once instead (`bulk = True`): `apply_all(ctx,
    # [(row number, prepared)], result)` counts each row's outcome in `result.counts` or
    # adds its problems with `result.add`, with the same rules as `apply`.
    bulk = False

    def apply_all(self, ctx: ImportContext, rows: list, result: "ImportResult") -> None:
        raise NotImplementedError

    # helpers
    def header_for(self, name: str) -> str:
        for col in self.columns:
            if col.field == name:
                return col.header
        mapped = self.field_headers.get(name)
        if mapped is None:
            return ""
        if isinstance(mapped, (tuple, list)):
            return "、".join(self.header_for(m) or m for m in mapped)
        return self.header_for(mapped) or str(mapped)

    def add_validation_errors(self, result: ImportResult, row: int, exc: ValidationError, default_field="") -> None:
        for name, msgs in messages_of(exc).items():
            header = self.header_for(name) if name != "__all__" else self.header_for(default_field)
            for msg in msgs:
                result.add(row, header, msg)


# --- reading ----------------------------------------------------------------------------


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}"


def _read_bytes(source) -> bytes:
    limit = max_bytes()
    too_big = _("the file is larger than %(max)s MB, the most that can be imported at once; split it into several files") % {
        "max": _megabytes(limit)}
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    else:
        size = getattr(source, "size", None)
        if size is not None and size > limit:
            raise ImportRefused(too_big)
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read(limit + 1)
    if len(data) > limit:
        raise ImportRefused(too_big)
    if not data:
        raise ImportRefused(_("the file is empty"))
    return data


def _not_xlsx():
    return ImportRefused(_(
        "this is not an Excel workbook (.xlsx). Old .xls files, CSV and password-protected workbooks cannot be read: "
        "open the file in Excel or WPS, save it as “Excel 工作簿 (*.xlsx)” and upload it again"
    ))


def _check_zip(data: bytes) -> None:
    buf = io.BytesIO(data)
    if not zipfile.is_zipfile(buf):
        raise _not_xlsx()
    try:
        with zipfile.ZipFile(buf) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _not_xlsx() from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise ImportRefused(_("the workbook holds %(n)d parts, more than a spreadsheet ever needs; it was refused") % {"n": len(infos)})
    unpacked = sum(i.file_size for i in infos)
    if unpacked > max_unpacked_bytes():
        raise ImportRefused(_("the workbook unpacks to %(size)s MB, more than the %(max)s MB allowed; it was refused") % {
            "size": _megabytes(unpacked), "max": _megabytes(max_unpacked_bytes())})
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise _not_xlsx()


def _cell_value(cell, col: Column | None):
    value = cell.value
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
    if col is not None and col.kind == "percent" and isinstance(value, (int, float)) and not isinstance(value, bool):
        if "%" in (getattr(cell, "number_format", None) or ""):
            value = Decimal(repr(float(value))) * 100
    return value


def read_rows(source, importer: Importer) -> list[tuple[int, dict]]:
    """The data sheet's rows as [(Excel row number, {field: raw value})]; blank rows skipped.

    Raises ImportRefused for anything that stops the whole file.
    """
    import openpyxl

    data = _read_bytes(source)
    _check_zip(data)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # untrusted input: openpyxl raises many kinds of error
        log.info("import: workbook could not be opened", exc_info=True)
        raise ImportRefused(_("the workbook could not be read; it may be damaged. Open it in Excel or WPS, save it again as .xlsx and retry")) from None
    try:
        return _read_sheet(wb, importer)
    except ImportRefused:
        raise
    except Exception:
        log.info("import: workbook could not be read", exc_info=True)
        raise ImportRefused(_("the workbook could not be read; it may be damaged. Open it in Excel or WPS, save it again as .xlsx and retry")) from None
    finally:
        wb.close()


def _read_sheet(wb, importer: Importer) -> list[tuple[int, dict]]:
    sheets = {ws.title: ws for ws in wb.worksheets}
    ws = sheets.get(DATA_SHEET) or next((s for t, s in sheets.items() if t != HELP_SHEET), None)
    if ws is None:
        raise ImportRefused(_("the workbook has no data sheet: enter the rows on the sheet “%(sheet)s” of the template") % {"sheet": DATA_SHEET})

    header_row = next(ws.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS, values_only=True), ())
    by_header = {normalise_header(c.header): c for c in importer.columns}
    positions: dict[int, Column] = {}
    errors, seen = [], {}
    for index, raw in enumerate(header_row):
        header = normalise_header(raw)
        if not header:
            continue
        col = by_header.get(header)
        if col is None:
            errors.append(RowError(1, str(raw).strip(), _("unknown column; the columns of this import are listed on the “%(sheet)s” sheet of its template") % {"sheet": HELP_SHEET}))
        elif col.field in seen:
            errors.append(RowError(1, col.header, _("this column appears twice")))
        else:
            seen[col.field] = index
            positions[index] = col
    if not positions and not errors:
        raise ImportRefused(RowError(1, "", _("the first row of the sheet “%(sheet)s” must hold the column headers of the template") % {"sheet": ws.title}))
    for col in importer.columns:
        if col.required and col.field not in seen:
            errors.append(RowError(1, col.header, _("this required column is missing")))
    if errors:
        raise ImportRefused(*errors)

    width = max(positions) + 1
    rows, limit = [], max_rows()
    for number, cells in enumerate(ws.iter_rows(min_row=2, max_col=width), start=2):
        values = {}
        blank = True
        for index, cell in enumerate(cells):
            col = positions.get(index)
            value = _cell_value(cell, col)
            if value is not None:
                blank = False
                if value == EXAMPLE_MARK:
                    values[EXAMPLE_KEY] = True
            if col is not None:
                values[col.field] = value
        if blank:
            continue
        if len(rows) >= limit:
            raise ImportRefused(_("the sheet has more than %(n)d rows; split it into several files") % {"n": limit})
        rows.append((number, values))
    return rows


# --- running ----------------------------------------------------------------------------


class _Rollback(Exception):
    pass


def parse_rows(importer: Importer, ctx: ImportContext, rows, result: ImportResult) -> list[tuple[int, dict]]:
    """Parse and prepare every row; problems go to result.errors. Returns the good rows."""
    good, seen = [], {}
    importer.preload(ctx, rows)
    for number, raw in rows:
        if len(result.errors) >= MAX_ERRORS:
            result.truncated = True
            break
        values, bad = {}, False
        if raw.get(EXAMPLE_KEY):
            result.add(number, "", _("this is the example row from the instructions; delete it"))
            continue
        for col in importer.columns:
            if col.field not in raw or raw[col.field] is None:
                if col.required:
                    result.add(number, col.header, _("required"))
                    bad = True
                continue
            try:
                values[col.field] = col.parse(raw[col.field])
            except ValidationError as exc:
                for msgs in messages_of(exc).values():
                    for msg in msgs:
                        result.add(number, col.header, msg)
                bad = True
            except ValueError as exc:
                result.add(number, col.header, str(exc))
                bad = True
        if bad:
            continue
        try:
            prepared = importer.prepare(ctx, values)
        except ValidationError as exc:
            importer.add_validation_errors(result, number, exc)
            continue
        except PermissionDenied as exc:
            result.add(number, importer.header_for(importer.permission_field), str(exc) or _("not allowed"))
            continue
        repeated = False
        for blamed, key, what in importer.keys(prepared):
            first = seen.get((blamed, key))
            if first is not None:
                result.add(number, importer.header_for(blamed), _("repeats row %(row)d (same %(what)s)") % {"row": first, "what": what})
                repeated = True
        if repeated:
            continue
        for blamed, key, _what in importer.keys(prepared):
            seen[(blamed, key)] = number
        good.append((number, prepared))
    return good


def run_import(importer: Importer, user, source, *, dry_run: bool = False) -> ImportResult:
    """Import one workbook all-or-nothing (see the module docstring)."""
    if not importer.allowed(user):
        raise PermissionDenied(_("you may not run this import"))
    result = ImportResult(dry_run=dry_run)
    try:
        rows = read_rows(source, importer)
    except ImportRefused as exc:
        result.errors.extend(exc.errors)
        return result
    result.rows = len(rows)
    if not rows:
        result.add(None, "", _("the sheet “%(sheet)s” has headers but no rows to import") % {"sheet": DATA_SHEET})
        return result

    ctx = ImportContext(user=user, dry_run=dry_run)
    with acting(user, via="import"):
        good = parse_rows(importer, ctx, rows, result)
        if result.truncated:
            return result
        # The rows that parsed are applied even when others did not: the transaction is then
        # rolled back anyway, and the report lists the actions' refusals with the parse
        # errors, so a file is corrected in one round rather than two.
        try:
            with transaction.atomic():
                for number, prepared in ([] if importer.bulk else good):
                    if len(result.errors) >= MAX_ERRORS:
                        result.truncated = True
                        break
                    try:
                        with transaction.atomic():
                            status = importer.apply(ctx, prepared)
                    except ValidationError as exc:
                        importer.add_validation_errors(result, number, exc)
                    except PermissionDenied as exc:
                        result.add(number, importer.header_for(importer.permission_field), str(exc) or _("not allowed"))
                    except IntegrityError:
                        log.info("import: integrity error on row %s", number, exc_info=True)
                        result.add(number, "", _("this row conflicts with data saved at the same moment; import the file again"))
                    else:
                        result.counts[status] += 1
                if importer.bulk and good:
                    try:
                        with transaction.atomic():
                            importer.apply_all(ctx, good, result)
                    except IntegrityError:
                        log.info("import: integrity error applying the rows", exc_info=True)
                        result.add(None, "", _("the file conflicts with data saved at the same moment; import the file again"))
                if result.errors or dry_run:
                    raise _Rollback
        except _Rollback:
            pass
    if result.errors:
        result.counts.clear()
        result.errors.sort(key=lambda e: e.row or 0)  # stable: columns stay in order within a row
    return result


# --- files for people: the template and the error report ---------------------------------


def build_template(importer: Importer) -> bytes:
    """The workbook to fill in: a data sheet with the headers only, and an instructions sheet."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    last_row = max_rows() + 1
    for i, col in enumerate(importer.columns, start=1):
        cell = ws.cell(row=1, column=i, value=col.header)
        cell.font = Font(bold=True, color="C00000" if col.required else None)
        cell.fill = PatternFill("solid", fgColor="F2F2F2")
        if col.help:
            cell.comment = Comment(str(col.help), "xiezuo", width=300, height=120)
        letter = get_column_letter(i)
        dim = ws.column_dimensions[letter]
        dim.width = col.width or max(12, len(col.header) * 2 + 2)
        if col.kind == "text":
            dim.number_format = "@"  # keep codes such as credit codes as typed
        elif col.kind == "date":
            dim.number_format = "yyyy-mm-dd"
        if col.choices:
            dv = DataValidation(type="list", formula1='"' + ",".join(col.choices) + '"', allow_blank=True)
            dv.error = _("choose a value from the list")
            dv.errorTitle = col.header
            dv.showErrorMessage = True
            dv.add(f"{letter}2:{letter}{last_row}")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"

    help_ws = wb.create_sheet(HELP_SHEET)
    help_ws.column_dimensions["A"].width = 26
    help_ws.column_dimensions["B"].width = 8
    help_ws.column_dimensions["C"].width = 70
    help_ws.column_dimensions["D"].width = 24
    help_ws.append([str(importer.title)])
    help_ws["A1"].font = Font(bold=True, size=14)
    paragraphs = [
        _("Enter the rows on the sheet “%(sheet)s”, one row per record, below the header row; do not rename or reorder the headers.") % {"sheet": DATA_SHEET},
        _("Columns with a red header are required. Blank rows are skipped."),
        _("The file is checked as a whole: if any row has a problem, nothing is imported and every problem is listed with its row and column. Tick “dry run” to check a file without importing it."),
        _("Money is in yuan (元) with at most two decimal places; dates are Excel dates or text written YYYY-MM-DD; regions are six-digit GB/T 2260 codes."),
        _("At most %(rows)d rows and %(size)s MB per file.") % {"rows": max_rows(), "size": _megabytes(max_bytes())},
    ] + [str(p) for p in importer.instructions]
    for p in paragraphs:
        help_ws.append([p])
        help_ws.merge_cells(start_row=help_ws.max_row, start_column=1, end_row=help_ws.max_row, end_column=4)
        help_ws.cell(row=help_ws.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        help_ws.row_dimensions[help_ws.max_row].height = 15 * (1 + len(p) // 70)
    help_ws.append([])
    help_ws.append([_("Column"), _("Required"), _("Format and notes"), _("Example")])
    for cell in help_ws[help_ws.max_row]:
        cell.font = Font(bold=True)
    for col in importer.columns:
        notes = str(col.help)
        if col.choices:
            notes = (notes + " " if notes else "") + _("One of: %(names)s.") % {"names": "、".join(col.choices)}
        help_ws.append([col.header, _("yes") if col.required else "", notes, _number_text(col.example) if col.example != "" else ""])
        help_ws.cell(row=help_ws.max_row, column=3).alignment = Alignment(wrap_text=True, vertical="top")
        if col.required:
            help_ws.cell(row=help_ws.max_row, column=1).font = Font(color="C00000")
    help_ws.append([])
    help_ws.append([_("Example row (%(mark)s) — for reading only, do not copy it into the data sheet:") % {"mark": EXAMPLE_MARK}])
    help_ws.cell(row=help_ws.max_row, column=1).font = Font(bold=True)
    help_ws.append([""] + [c.header for c in importer.columns])
    help_ws.append([EXAMPLE_MARK] + [_number_text(c.example) if c.example != "" else "" for c in importer.columns])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def error_headers() -> list[str]:
    return [_("Row"), _("Column"), _("Reason")]


def error_rows(errors) -> list[list]:
    return [[e.row if e.row is not None else "—", e.column or "—", e.reason] for e in errors]


def build_error_report(errors) -> bytes:
    from .excel import build_workbook

    return build_workbook(_("Import errors"), error_headers(), error_rows(errors))


def export_for_import(importer, objects) -> bytes:
    """A workbook of `objects` in the importer's own format (sheet “数据”, the template's
    headers): the round-trip export. Re-imported unchanged, every row counts as unchanged.
    Pass a visible() queryset, with the related rows the importer's export_row reads
    prefetched."""
    from xiezuo.core.excel import build_workbook

    return build_workbook(DATA_SHEET, importer.export_headers(), (importer.export_row(o) for o in objects))
