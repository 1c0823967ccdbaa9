"""The rows behind a number, laid out for a page and a spreadsheet.

A score stores, per fact, its value; `facts.evidence` replays the fact's filter for one
subject as of the day the score counted up to, and `Scorecard.evidence` passes the rows
through the scoping rule. This module only reads: it turns those rows into a table with
columns fit for each kind of row (milestones, dispatches, output reports, agreements,
ledger postings, labour placements, consumption purchases, technology deals' returns), says in words which rows count (`facts.words`, in the reader's
language), and puts the stored value beside the total of the rows shown now, so a reader
sees at once whether the rows still add up to the number — they may not, when a fact
changed after the computation or when some rows lie outside the reader's view.

For a closed period, rows recorded on the platform after the close (postings, output
reports and dispatches carry the time they were recorded) are not among the rows counted:
they are listed apart as waiting for a restatement. Rows that are missing data (a term
whose end was not reported) are listed apart too, as not counted. Money is shown in yuan
with the unit stated; fen never appear.

Identity numbers of dispatched people and placed workers are personal data and are never
among the columns (not even masked: the worker's name and placement link suffice).
"""
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from xiezuo.core.money import fen_to_yuan_decimal, format_wan, format_yuan
from xiezuo.core.scoping import visible

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
    where: str  # which rows count, in words
    unavailable: str = ""  # why there are no rows (no source on the platform)
    columns: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # [[(text, url), …], …]
    raw_rows: list = field(default_factory=list)  # [[value, …], …] for Excel
    total_now: int | None = None  # count or sum over the rows shown
    hidden: int = 0  # rows behind the number that the reader may not see
    total_all: int | None = None  # the same total over every row, seen or not
    is_money: bool = False
    truncated: bool = False
    apart: list = field(default_factory=list)  # [Apart]: rows listed but not counted

    def _show(self, value) -> str:
        return show_amount(value, self.is_money)

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


@dataclass
class Apart:
    """Rows shown beside a fact but not counted in it, and why."""

    title: str
    note: str
    rows: list = field(default_factory=list)
    raw_rows: list = field(default_factory=list)
    total: int | None = None
    total_text: str = ""


def _plain_yuan(fen: int) -> str:
    return format_yuan(fen).replace("¥", "")


def show_amount(value, money: bool) -> str:
    """A fact's value as a reader reads it: money in yuan and ten-thousand yuan, the unit
    stated; counts as whole numbers; “—” for no data."""
    if value is None:
        return "—"
    if money:
        return _("%(yuan)s yuan (%(wan)s ten-thousand yuan)") % {"yuan": _plain_yuan(value), "wan": format_wan(value)}
    return f"{value:,}"


def _url(name, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _date(d):
    return d.isoformat() if d else ""


def _when(t) -> str:
    return timezone.localtime(t).strftime("%Y-%m-%d %H:%M") if t else ""


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
    Column(gettext_lazy("actual end"), lambda d: _date(d.actual_end) or _("end date not reported")),
    Column(gettext_lazy("recorded at"), lambda d: _when(d.recorded_at)),
]
OUTPUT = [
    Column(gettext_lazy("project"), lambda o: f"{o.project.code} {o.project.name}", link=_project_link),
    Column(gettext_lazy("as of"), lambda o: _date(o.as_of)),
    Column(gettext_lazy("local procurement"), lambda o: o.local_procurement_fen, money=True),
    Column(gettext_lazy("total procurement"), lambda o: o.total_procurement_fen, money=True),
    Column(gettext_lazy("technology transfer income"), lambda o: o.tech_income_fen, money=True),
    Column(gettext_lazy("technology transfer investment"), lambda o: o.tech_investment_fen, money=True),
    Column(gettext_lazy("recorded at"), lambda o: _when(o.recorded_at)),
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
    Column(gettext_lazy("funds due by (agreement in force)"), lambda p: _date(p.agreement.funds_due_date) if p.agreement_id else ""),
    Column(gettext_lazy("due date stamped when booked"), lambda p: _date(p.due_date)),
    Column(gettext_lazy("arrived on"), lambda p: _date(p.arrived_on)),
    Column(gettext_lazy("agreement"), lambda p: str(p.agreement) if p.agreement_id else "",
           link=lambda p: _url("agreement-detail", p.agreement_id) if p.agreement_id else ""),
    Column(gettext_lazy("memo"), lambda p: p.memo),
    Column(gettext_lazy("recorded at"), lambda p: _when(p.created_at)),
]
PLACEMENT = [
    Column(gettext_lazy("placement"), lambda p: f"#{p.pk}", link=lambda p: _url("labour-placement-detail", p.pk)),
    Column(gettext_lazy("worker"), lambda p: p.worker.name),
    Column(gettext_lazy("registering county"), lambda p: p.county.name),
    Column(gettext_lazy("employer"), lambda p: p.employer.name),
    Column(gettext_lazy("place of work"), lambda p: p.place.name),
    Column(gettext_lazy("place"), lambda p: p.get_place_kind_display()),
    Column(gettext_lazy("start date"), lambda p: _date(p.start_date)),
]
PURCHASE = [
    Column(gettext_lazy("purchase"), lambda p: f"#{p.pk}"),
    Column(gettext_lazy("purchased on"), lambda p: _date(p.purchased_on)),
    Column(gettext_lazy("buyer"), lambda p: p.buyer.name),
    Column(gettext_lazy("buyer's region"), lambda p: p.buyer_region.name),
    Column(gettext_lazy("product"), lambda p: p.product.name),
    Column(gettext_lazy("county of origin"), lambda p: p.county.name),
    Column(gettext_lazy("channel"), lambda p: p.get_channel_display()),
    Column(gettext_lazy("evidence number"), lambda p: p.evidence_number),
    Column(gettext_lazy("amount"), lambda p: p.amount_fen, money=True),
    Column(gettext_lazy("recorded at"), lambda p: _when(p.recorded_at)),
]
DEAL_RETURN = [
    Column(gettext_lazy("deal"), lambda r: f"#{r.deal_id} {r.deal.get_kind_display()}",
           link=lambda r: _url("markets-tech-detail", r.deal.technology_id)),
    Column(gettext_lazy("technology"), lambda r: f"{r.deal.technology.number} {r.deal.technology.title}"),
    Column(gettext_lazy("owner"), lambda r: r.deal.technology.owner.name),
    Column(gettext_lazy("licensee"), lambda r: r.deal.licensee.name),
    Column(gettext_lazy("county"), lambda r: r.deal.county.name),
    Column(gettext_lazy("period end"), lambda r: _date(r.period_end)),
    Column(gettext_lazy("revenue"), lambda r: r.revenue_fen, money=True),
    Column(gettext_lazy("cost"), lambda r: r.cost_fen, money=True),
]
ARRIVED_AGAINST = [
    Column(gettext_lazy("arrived by the cut"), lambda a: a.arrived_by_cut or 0, money=True),
    Column(gettext_lazy("counted (at most the commitment)"), lambda a: a.counted or 0, money=True),
]

LAYOUT = {
    "projects.milestone": (MILESTONE, ("project__county",), ("planned_date", "pk")),
    "people.dispatch": (DISPATCH, ("from_org", "to_org"), ("planned_end", "pk")),
    "projects.projectoutput": (OUTPUT, ("project",), ("project__code", "as_of")),
    "pairings.agreement": (AGREEMENT, ("pairing__east_region", "pairing__west_region"), ("pairing_id",)),
    "ledger.posting": (POSTING, ("agreement__pairing__east_region", "agreement__pairing__west_region"), ("booked_on", "pk")),
    "labour.placement": (PLACEMENT, ("worker", "county", "employer", "place"), ("start_date", "pk")),
    "consumption.purchase": (PURCHASE, ("buyer", "buyer_region", "product", "county"), ("purchased_on", "pk")),
    "markets.dealreturn": (DEAL_RETURN, ("deal__technology__owner", "deal__licensee", "deal__county"), ("period_end", "pk")),
}
RECORDED = {"ledger.posting": "created_at", "projects.projectoutput": "recorded_at", "people.dispatch": "recorded_at",
            "consumption.purchase": "recorded_at"}
# rows shown apart from a fact (missing data), by the fact they belong to
MISSING = {"professionals_due": "professionals_end_missing", "professionals_completed": "professionals_end_missing"}

MAX_ROWS = 500


def facts_of(formula_text: str) -> list[str]:
    """The facts an indicator's formula reads, in the order they appear."""
    return list(dict.fromkeys(n.name for n in names(parse(formula_text))))


def _window(card):
    return facts.Window(card.period, card.score.as_of)


def _layout(rows, fact_name):
    label = f"{rows.model._meta.app_label}.{rows.model._meta.model_name}"
    columns, related, ordering = LAYOUT.get(label, ([Column(_("row"), str)], (), ("pk",)))
    if label == "ledger.posting":
        related = related + ("agreement",)
    if fact_name == "fiscal_aid_arrived_fen":
        columns = columns + ARRIVED_AGAINST
    return label, columns, related, ordering


def _annotate(rows, fact_name, window):
    if fact_name == "fiscal_aid_arrived_fen":
        arrived = facts._arrived_against(window)
        return rows.annotate(counted=arrived, arrived_by_cut=arrived.source_expressions[0])
    return rows


def _lay_out(qs, columns, related, ordering, limit):
    shown = list(qs.select_related(*related).order_by(*ordering)[: limit + 1])
    rows, raw = [], []
    for row in shown[:limit]:
        values = [c.get(row) for c in columns]
        raw.append([fen_to_yuan_decimal(v) if c.money and v is not None else v for c, v in zip(columns, values)])
        rows.append([(format_yuan(v) if c.money else ("" if v is None else v), c.link(row) if c.link else "")
                     for c, v in zip(columns, values)])
    return rows, raw, len(shown) > limit


def late_q(model_label: str, closed_at) -> Q | None:
    """Rows recorded on the platform after the period closed (None: the kind of row keeps
    no record time, or the period is not closed)."""
    field_name = RECORDED.get(model_label)
    if not field_name or closed_at is None:
        return None
    return Q(**{f"{field_name}__gt": closed_at})


def table(card, fact_name: str, limit: int = MAX_ROWS) -> EvidenceTable:
    """The rows behind one fact of a scorecard the reader may open (the caller has checked
    `card.evidence_visible`; `card.evidence` raises PermissionDenied otherwise)."""
    fact = facts.FACTS[fact_name]
    stored = (card.score.facts or {}).get(fact_name)
    window = _window(card)
    out = EvidenceTable(fact=fact_name, label=str(fact.label), stored=stored, where=facts.words(fact_name, window),
                        is_money=fact.money)
    rows = card.evidence(fact_name)
    if rows is None:
        out.unavailable = facts.why_unavailable(fact_name) or str(fact.unavailable)
        return out
    label, columns, related, ordering = _layout(rows, fact_name)
    out.columns = columns
    everything = facts.evidence(fact_name, _subject(card), window)
    late = late_q(label, card.score.closed_at)
    late_rows = None
    if late is not None:
        late_rows = _annotate(rows.filter(late), fact_name, window)
        rows, everything = rows.exclude(late), everything.exclude(late)
    rows = _annotate(rows, fact_name, window)
    out.total_now = facts.total(rows, fact_name, window)
    out.hidden = everything.count() - rows.count()
    out.total_all = facts.total(everything, fact_name, window) if out.hidden else out.total_now
    out.rows, out.raw_rows, out.truncated = _lay_out(rows, columns, related, ordering, limit)
    if late_rows is not None and late_rows.exists():
        apart = Apart(title=_("Recorded after the period closed: not counted, waiting for a restatement"),
                      note=_("These rows are dated within the period but reached the platform after it closed on "
                             "%(closed)s. They change the figures only when the national coordinator restates the "
                             "scorecard.") % {"closed": _when(card.score.closed_at)})
        apart.rows, apart.raw_rows, _cut = _lay_out(late_rows, columns, related, ordering, limit)
        apart.total = facts.total(late_rows, fact_name, window)
        apart.total_text = show_amount(apart.total, fact.money)
        out.apart.append(apart)
    missing = MISSING.get(fact_name)
    if missing:
        gaps = facts.evidence(missing, _subject(card), window)
        gaps = visible(card.user, gaps) if gaps is not None else None
        if gaps is not None and gaps.exists():
            apart = Apart(title=_("End date not reported: missing data, not counted"),
                          note=str(facts.FACTS[missing].definition))
            apart.rows, apart.raw_rows, _cut = _lay_out(gaps, columns, related, ordering, limit)
            apart.total = gaps.count()
            apart.total_text = f"{apart.total:,}"
            out.apart.append(apart)
    return out


def _subject(card):
    from .subjects import subject_for_key

    return subject_for_key(card.subject_key, card.period)


def show_fact(name: str, value) -> str:
    """A fact value as text: money facts in yuan with the unit, counts as whole numbers,
    “—” for none."""
    fact = facts.FACTS.get(name)
    return show_amount(value, bool(fact is not None and fact.money))
