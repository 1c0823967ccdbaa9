"""The rows behind a number, laid out for a page and a spreadsheet.

A score stores, per fact, its value and (through its `Computation`) the model and filter
that produced it; `facts.evidence` replays that filter for one subject as of the day the
score was computed, and `Scorecard.evidence` passes the rows through the scoping rule. This
module only reads: it turns those rows into a table with columns fit for each kind of row
(milestones, dispatches, output reports, agreements, ledger postings) and puts the stored
value beside the total of the rows shown now, so a reader sees at once whether the rows
still add up to the number — they may not, when a fact changed after the computation (the
score is then marked stale) or when some rows lie outside the reader's view.

Identity numbers of dispatched people are personal data and are never among the columns.
"""
from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _, gettext_lazy

from xiezuo.core.money import fen_to_yuan_decimal, format_yuan

from . import facts
from .formula import names, parse


@dataclass
class Column:
    header: object
    get: object  # row → value
    money: bool = False  # value in fen: shown in yuan
    link: object = None  # row → url or ""


@dataclass
class EvidenceTable:
    fact: str
    label: str
    stored: int | None  # the value kept with the score
    where: str  # the filter as stored with the computation
    unavailable: str = ""  # why there are no rows (no source on the platform)
    columns: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # [[(text, url), …], …]
    raw_rows: list = field(default_factory=list)  # [[value, …], …] for Excel
    total_now: int | None = None  # count or sum over the rows shown
    hidden: int = 0  # rows behind the number that the reader may not see
    total_all: int | None = None  # the same total over every row, seen or not
    is_money: bool = False
    truncated: bool = False

    def _show(self, value) -> str:
        if value is None:
            return "—"
        if self.is_money:
            return _("%(yuan)s (%(fen)s fen)") % {"yuan": format_yuan(value), "fen": f"{value:,}"}
        return f"{value:,}"

    @property
    def stored_text(self) -> str:
        return self._show(self.stored)

    @property
    def total_text(self) -> str:
        return self._show(self.total_now)

    @property
    def money_cols(self) -> list[int]:
        return [i for i, c in enumerate(self.columns) if c.money]

    @property
    def matches(self) -> bool:
        return self.total_now == (self.stored or 0) and not self.hidden

    @property
    def changed(self) -> bool:
        """The rows no longer add up to the stored value (a fact changed since)."""
        return self.total_all is not None and self.total_all != (self.stored or 0)


def _url(name, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _date(d):
    return d.isoformat() if d else ""


def _on_time(m):
    if m.actual_date is None:
        return _("not reached")
    return _("on time") if m.actual_date <= m.planned_date else _("late")


def _project_link(row):
    return _url("project-detail", row.project_id)


MILESTONE = [
    Column(gettext_lazy("project"), lambda m: f"{m.project.code} {m.project.name}", link=_project_link),
    Column(gettext_lazy("county"), lambda m: m.project.county.name),
    Column(gettext_lazy("milestone"), lambda m: m.name),
    Column(gettext_lazy("planned date"), lambda m: _date(m.planned_date)),
    Column(gettext_lazy("actual date"), lambda m: _date(m.actual_date)),
    Column(gettext_lazy("on time"), _on_time),
]
DISPATCH = [
    Column(gettext_lazy("name"), lambda d: d.person_name),
    Column(gettext_lazy("kind"), lambda d: d.get_kind_display()),
    Column(gettext_lazy("from"), lambda d: d.from_org.name),
    Column(gettext_lazy("to"), lambda d: d.to_org.name),
    Column(gettext_lazy("planned start"), lambda d: _date(d.planned_start)),
    Column(gettext_lazy("planned end"), lambda d: _date(d.planned_end)),
    Column(gettext_lazy("actual start"), lambda d: _date(d.actual_start)),
    Column(gettext_lazy("actual end"), lambda d: _date(d.actual_end)),
]
OUTPUT = [
    Column(gettext_lazy("project"), lambda o: f"{o.project.code} {o.project.name}", link=_project_link),
    Column(gettext_lazy("as of"), lambda o: _date(o.as_of)),
    Column(gettext_lazy("local procurement"), lambda o: o.local_procurement_fen, money=True),
    Column(gettext_lazy("total procurement"), lambda o: o.total_procurement_fen, money=True),
    Column(gettext_lazy("technology transfer income"), lambda o: o.tech_income_fen, money=True),
    Column(gettext_lazy("technology transfer investment"), lambda o: o.tech_investment_fen, money=True),
]
AGREEMENT = [
    Column(gettext_lazy("agreement"), lambda a: str(a), link=lambda a: _url("agreement-detail", a.pk)),
    Column(gettext_lazy("fiscal aid"), lambda a: a.fiscal_aid_fen, money=True),
    Column(gettext_lazy("funds due by"), lambda a: _date(a.funds_due_date)),
    Column(gettext_lazy("cadres"), lambda a: a.cadres),
    Column(gettext_lazy("professionals"), lambda a: a.professionals),
    Column(gettext_lazy("labour placements"), lambda a: a.labour_placements),
    Column(gettext_lazy("consumption purchases"), lambda a: a.consumption_fen, money=True),
]
POSTING = [
    Column(gettext_lazy("posting"), lambda p: str(p)),
    Column(gettext_lazy("amount"), lambda p: p.amount_fen, money=True),
    Column(gettext_lazy("booked on"), lambda p: _date(p.booked_on)),
    Column(gettext_lazy("funds due by"), lambda p: _date(p.due_date)),
    Column(gettext_lazy("arrived on"), lambda p: _date(p.arrived_on)),
    Column(gettext_lazy("agreement"), lambda p: str(p.agreement) if p.agreement_id else "",
           link=lambda p: _url("agreement-detail", p.agreement_id) if p.agreement_id else ""),
    Column(gettext_lazy("memo"), lambda p: p.memo),
]

LAYOUT = {
    "projects.milestone": (MILESTONE, ("project__county",), ("planned_date", "pk")),
    "people.dispatch": (DISPATCH, ("from_org", "to_org"), ("planned_end", "pk")),
    "projects.projectoutput": (OUTPUT, ("project",), ("project__code", "as_of")),
    "pairings.agreement": (AGREEMENT, ("pairing__east_region", "pairing__west_region"), ("pairing_id",)),
    "ledger.posting": (POSTING, ("agreement__pairing__east_region", "agreement__pairing__west_region"), ("booked_on", "pk")),
}

MAX_ROWS = 500


def facts_of(formula_text: str) -> list[str]:
    """The facts an indicator's formula reads, in the order they appear."""
    return list(dict.fromkeys(n.name for n in names(parse(formula_text))))


def _total(qs, fact_name):
    fact = facts.FACTS[fact_name]
    if fact.sum_of:
        return qs.aggregate(t=Sum(fact.sum_of))["t"] or 0
    return qs.aggregate(t=Count("pk"))["t"]


def table(card, fact_name: str, limit: int = MAX_ROWS) -> EvidenceTable:
    """The rows behind one fact of a scorecard the reader may open (the caller has checked
    `card.evidence_visible`; `card.evidence` raises PermissionDenied otherwise)."""
    fact = facts.FACTS[fact_name]
    stored = (card.score.facts or {}).get(fact_name)
    where = (card.score.computation.evidence.get(fact_name) or {}).get("where", "")
    out = EvidenceTable(fact=fact_name, label=str(fact.label), stored=stored, where=where,
                        is_money=bool(fact.sum_of and fact.sum_of.endswith("_fen")))
    rows = card.evidence(fact_name)
    if rows is None:
        out.unavailable = facts.why_unavailable(fact_name) or str(fact.unavailable)
        return out
    label = f"{rows.model._meta.app_label}.{rows.model._meta.model_name}"
    columns, related, ordering = LAYOUT.get(label, ([Column(_("row"), str)], (), ("pk",)))
    out.columns = columns
    out.total_now = _total(rows, fact_name)
    everything = facts.evidence(fact_name, _subject(card), facts.Window(card.period, card.score.as_of))
    out.hidden = everything.count() - rows.count()
    out.total_all = _total(everything, fact_name) if out.hidden else out.total_now
    shown = list(rows.select_related(*related).order_by(*ordering)[: limit + 1])
    out.truncated = len(shown) > limit
    for row in shown[:limit]:
        values = [c.get(row) for c in columns]
        out.raw_rows.append([fen_to_yuan_decimal(v) if c.money and v is not None else v for c, v in zip(columns, values)])
        out.rows.append([(format_yuan(v) if c.money else ("" if v is None else v), c.link(row) if c.link else "")
                         for c, v in zip(columns, values)])
    return out


def _subject(card):
    from .subjects import subject_for_key

    return subject_for_key(card.subject_key, card.period)


def show_fact(name: str, value) -> str:
    """A fact value as text: money facts in yuan, counts as whole numbers, “—” for none."""
    if value is None:
        return "—"
    fact = facts.FACTS.get(name)
    if fact is not None and fact.sum_of and fact.sum_of.endswith("_fen"):
        return format_yuan(value)
    return f"{value:,}"
