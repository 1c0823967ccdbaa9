"""Excel exports of the scorecard pages: the same rows and numbers as on screen.

Scores and values leave as numbers (Decimal, so Excel shows exactly the stored digits),
money facts in yuan beside nothing rounded away, and every sheet names the period, the
indicator-system version and the day the data counted up to, so a printed or mailed
spreadsheet still says what it is.
"""
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from xiezuo.core.excel import cell_value, export_response, sheet_title, xlsx_response
from xiezuo.core.money import fen_to_yuan_decimal

from . import facts as fact_defs
from .choices import PeerGroup
from .listing import subject_code, subject_name
from .scorecards import Line, formula_words


def _yes(flag) -> str:
    return _("yes") if flag else _("no")


def _d(value):
    return "" if value is None else value


def scorecard_list(rows, period, system):
    """One row per scorecard; each indicator of the version adds a value and a score column."""
    indicators = list(system.indicators.order_by("seq", "code")) if system else []
    headers = [_("period"), _("version"), _("level"), _("peer group"), _("code"), _("name"), _("composite"),
               _("basic guarantee"), _("strategic effectiveness"), _("grade"), _("rank"), _("ranked in group"), _("stale"),
               _("data as of")]
    for ind in indicators:
        headers += [f"{ind.name} ({ind.unit})" if ind.unit else ind.name, f"{ind.name} · {_('score')}"]

    def out():
        for s in rows.iterator(chunk_size=1000) if hasattr(rows, "iterator") else rows:
            level = s.pairing.get_kind_display() if s.pairing_id else s.get_level_display()
            row = [s.period_label, f"v{s.system.number}", level, s.get_peer_group_display(), subject_code(s),
                   subject_name(s), _d(s.composite), _d(s.basic), _d(s.effectiveness), s.get_grade_display(), _d(s.rank),
                   _d(s.peers), _yes(s.stale), s.as_of.isoformat()]
            for ind in indicators:
                entry = (s.values or {}).get(ind.code) or {}
                row += [_num(entry.get("value")), _num(entry.get("score"))]
            yield row

    title = _("assessment results")
    label = f"{title} {period.label}"
    return export_response(label, label, headers, out())


def _num(text):
    from decimal import Decimal

    return "" if text in (None, "") else Decimal(text)


def _sheet(wb, title, rows, bold_rows=(0,)):
    ws = wb.create_sheet(sheet_title(title))
    widths = {}
    for r, row in enumerate(rows):
        typed = [cell_value(v, dates_from_text=True) for v in row]
        row = [value for value, _fmt in typed]
        ws.append(row)
        for cell, (_value, fmt) in zip(ws[ws.max_row], typed):
            if fmt:
                cell.number_format = fmt
        for i, v in enumerate(row, start=1):
            widths[i] = min(60, max(widths.get(i, 8), len(str(v)) * 2 if any(ord(ch) > 127 for ch in str(v)) else len(str(v)) + 2))
        if r in bold_rows:
            for cell in ws[ws.max_row]:
                cell.font = Font(bold=True)
    for i, w in widths.items():
        ws.column_dimensions[get_column_letter(i)].width = w
    return ws


def _save(wb, filename):
    buf = io.BytesIO()
    wb.save(buf)
    return xlsx_response(filename, buf.getvalue())


def _head(card, subject) -> list[list]:
    return [
        [_("scorecard"), str(subject)],
        [_("period"), card.period.label],
        [_("version"), f"v{card.system.number}" if card.system else ""],
        [_("data as of"), card.as_of.isoformat() if card.as_of else ""],
        [_("composite"), _d(card.composite)],
        [_("basic guarantee"), _d(card.basic)],
        [_("strategic effectiveness"), _d(card.effectiveness)],
        [_("grade"), card.score.get_grade_display() if card.score else ""],
        [_("peer group"), dict(PeerGroup.choices).get(card.peer_group, "")],
        [_("rank"), f"{card.rank} / {card.peers}" if card.rank else ""],
        [_("stale"), _yes(card.stale)],
    ]


def scorecard(card, subject, trend, indicators):
    """Sheets: the scorecard (summary and indicators), its facts (when the reader may see
    the rows behind it) and the trend over periods."""
    wb = Workbook()
    wb.remove(wb.active)
    rows = _head(card, subject) + [[]]
    start = len(rows)
    rows.append([_("code"), _("indicator"), _("dimension"), _("unit"), _("value"), _("score"), _("target"), _("floor"),
                 _("weight"), _("formula")])
    for line in card.lines:
        ind = indicators.get(line.code)
        rows.append([line.code, line.name, ind.get_dimension_display() if ind else line.dimension, line.unit, _d(line.value),
                     _d(line.score), line.target, ind.floor if ind else "", line.weight,
                     formula_words(ind.formula) if ind else ""])
    _sheet(wb, _("scorecard"), rows, bold_rows=(0, start))
    if card.evidence_visible and card.score is not None:
        frows = [[_("fact"), _("meaning"), _("value"), _("value (yuan)"), _("how it was counted")]]
        for name, value in sorted((card.score.facts or {}).items()):
            fact = fact_defs.FACTS[name]
            money = bool(fact.sum_of and fact.sum_of.endswith("_fen"))
            where = fact_defs.words(name, fact_defs.Window(card.period, card.score.as_of))  # in words, the reader's language
            frows.append([name, str(fact.label), _d(value), fen_to_yuan_decimal(value) if money and value is not None else "", where])
        _sheet(wb, _("facts"), frows)
    trows = [[_("period"), _("version"), _("composite"), _("basic guarantee"), _("strategic effectiveness"), _("grade"), _("rank"),
              _("ranked in group")]]
    for s in trend:
        trows.append([s.period_label, f"v{s.system.number}", _d(s.composite), _d(s.basic), _d(s.effectiveness),
                      s.get_grade_display(), _d(s.rank), _d(s.peers)])
    _sheet(wb, _("trend"), trows)
    return _save(wb, f"{_('scorecard')} {subject.code if hasattr(subject, 'code') else subject.pk} {card.period.label}")


def evidence(card, subject, indicator, tables):
    """One sheet per fact of the indicator: the stored value, the filter, the rows."""
    wb = Workbook()
    wb.remove(wb.active)
    line: Line | None = next((li for li in card.lines if li.code == indicator.code), None)
    summary = _head(card, subject)[:4] + [
        [_("indicator"), f"{indicator.code} {indicator.name}"],
        [_("formula"), formula_words(indicator.formula)],
        [_("value"), _d(line.value) if line else ""],
        [_("score"), _d(line.score) if line else ""],
    ]
    _sheet(wb, _("indicator"), summary, bold_rows=())
    for t in tables:
        rows = [[_("fact"), t.fact, t.label], [_("value at computation"), _d(t.stored)],
                [_("total of the rows now"), _d(t.total_now)], [_("how it was counted"), t.where]]
        if t.unavailable:
            rows.append([_("no rows"), t.unavailable])
        rows.append([])
        header_row = len(rows)
        rows.append([str(c.header) + (f" ({_('yuan')})" if c.money else "") for c in t.columns])
        rows += t.raw_rows
        _sheet(wb, t.fact[:31], rows, bold_rows=(header_row,))
    return _save(wb, f"{_('evidence')} {indicator.code} {card.period.label}")
