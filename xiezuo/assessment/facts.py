"""Named facts: the numbers indicator formulas are written over, computed from the
platform's own rows, for every subject of a period at once.

A fact belongs to a *family* — one kind of row (milestones, dispatches, outputs,
agreements, ledger postings) with the filter that puts a row in a period and the paths to
its western place, eastern place and pairing. Each family is one grouped SQL query with
one conditional aggregate per fact; `subjects.Rollup` turns the groups into per-subject
numbers. The same filters, narrowed to one subject, give the evidence rows behind a number
(`evidence`), so what is shown is exactly what was counted.

`cut` is the last day that counts: the period's end, or the day of computation when the
period is still running (a milestone planned for next week is not due yet).

Facts without a source on the platform are listed with `source=None` and always have no
value (None): labour placements and consumption purchases have no records yet, and the
ledger facts have none when the ledger app is absent. They are never filled with guesses.
"""
import datetime
from dataclasses import dataclass, field
from typing import Callable

from django.apps import apps
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from xiezuo.core.periods import Period
from .subjects import Rollup, Subject, nested_q, own_q


@dataclass(frozen=True)
class Window:
    """The days a computation looks at."""

    period: Period
    cut: datetime.date

    @property
    def year(self) -> int:
        return self.period.agreement_year

    @property
    def year_start(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def year_end(self) -> datetime.date:
        return datetime.date(self.year, 12, 31)

    @classmethod
    def of(cls, period: Period, as_of: datetime.date | None = None) -> "Window":
        return cls(period, min(period.end, as_of) if as_of else period.end)


@dataclass(frozen=True)
class Family:
    name: str
    model: str  # app_label.ModelName
    west: str  # path to the western region id
    east: str  # path to the eastern region id
    pairing: str  # path to the pairing id
    where: Callable[[Window], Q]
    nested: bool = True  # False: commitments, counted for their own pairing

    def model_class(self):
        return apps.get_model(self.model)

    def rows(self, window: Window):
        model = self.model_class()
        return None if model is None else model._default_manager.filter(self.where(window))


@dataclass(frozen=True)
class Fact:
    name: str
    label: object
    family: str | None  # None: no source on the platform yet
    condition: Callable[[Window], Q] = field(default=lambda w: Q())
    sum_of: str | None = None  # None: count rows
    unavailable: object = ""  # why there is no value, when there is no source

    def aggregate(self, window: Window):
        cond = self.condition(window) or None  # an empty Q means “every row of the family”
        return Sum(self.sum_of, filter=cond) if self.sum_of else Count("pk", filter=cond)


# --- period filters -------------------------------------------------------------------------


def _due_by_cut(w: Window, due: str = "due_date") -> Q:
    """Due on or before the cut; no due date means due at the end of the agreement year."""
    q = Q(**{f"{due}__lte": w.cut})
    if w.year_end <= w.cut:
        q |= Q(**{f"{due}__isnull": True})
    return q


def _latest_output(w: Window):
    from xiezuo.projects.models import ProjectOutput

    latest = ProjectOutput.objects.filter(project=OuterRef("project"), as_of__lte=w.cut).order_by("-as_of").values("as_of")[:1]
    return Q(as_of=Subquery(latest))


_PROFESSIONAL = ~Q(kind="cadre")
_CADRE = Q(kind="cadre")


def _in_post_this_year(w: Window) -> Q:
    return Q(actual_end__isnull=True) | Q(actual_end__gte=w.year_start)


def _term_due(w: Window) -> Q:
    return _PROFESSIONAL & Q(planned_end__gte=w.period.start, planned_end__lte=w.cut)


FAMILIES = {f.name: f for f in (
    Family("milestones", "projects.Milestone", "project__county_id", "project__pairing__east_region_id", "project__pairing_id",
           where=lambda w: Q(planned_date__gte=w.period.start, planned_date__lte=w.cut) & ~Q(project__status="cancelled")),
    Family("dispatches", "people.Dispatch", "to_org__region_id", "from_org__region_id", "pairing_id",
           where=lambda w: Q(direction="e2w", actual_start__isnull=False, actual_start__lte=w.cut)),
    Family("outputs", "projects.ProjectOutput", "project__county_id", "project__pairing__east_region_id", "project__pairing_id",
           where=_latest_output),
    Family("agreements", "pairings.Agreement", "pairing__west_region_id", "pairing__east_region_id", "pairing_id",
           where=lambda w: Q(year=w.year), nested=False),
    Family("allocations", "ledger.Posting", "agreement__pairing__west_region_id", "agreement__pairing__east_region_id",
           "agreement__pairing_id",
           where=lambda w: Q(kind="allocation", reversal__isnull=True, agreement__year=w.year) & _due_by_cut(w)),
    Family("arrivals", "ledger.Posting", "agreement__pairing__west_region_id", "agreement__pairing__east_region_id",
           "agreement__pairing_id",
           where=lambda w: Q(kind="arrival", reversal__isnull=True, allocation__reversal__isnull=True, agreement__year=w.year,
                             arrived_on__lte=w.cut)),
)}

FACTS = {f.name: f for f in (
    # 项目推进如期性
    Fact("milestones_due", _("milestones due in the period"), "milestones"),
    Fact("milestones_due_on_time", _("milestones due in the period and reached on time"), "milestones",
         condition=lambda w: Q(actual_date__isnull=False, actual_date__lte=F("planned_date"))),
    # 专业技术人才派驻稳定性
    Fact("professionals_due", _("professionals whose agreed term ended in the period"), "dispatches", condition=_term_due),
    Fact("professionals_completed", _("of those, professionals who stayed to the end of the term"), "dispatches",
         condition=lambda w: _term_due(w) & Q(actual_end__isnull=False, actual_end__gte=F("planned_end"))),
    # 协议刚性：干部、人才
    Fact("cadres_dispatched", _("cadres in post during the agreement year"), "dispatches",
         condition=lambda w: _CADRE & _in_post_this_year(w)),
    Fact("professionals_dispatched", _("professionals in post during the agreement year"), "dispatches",
         condition=lambda w: _PROFESSIONAL & _in_post_this_year(w)),
    # 产业链本地配套率, 技术成果转化收益率 (latest output report per project)
    Fact("local_procurement_fen", _("local procurement (fen)"), "outputs", sum_of="local_procurement_fen"),
    Fact("total_procurement_fen", _("total procurement (fen)"), "outputs", sum_of="total_procurement_fen"),
    Fact("tech_income_fen", _("technology transfer income (fen)"), "outputs", sum_of="tech_income_fen"),
    Fact("tech_investment_fen", _("technology transfer investment (fen)"), "outputs", sum_of="tech_investment_fen"),
    # commitments in the agreement of the year
    Fact("fiscal_aid_committed_fen", _("fiscal aid committed for the year (fen)"), "agreements", sum_of="fiscal_aid_fen"),
    Fact("fiscal_aid_due_fen", _("fiscal aid committed and due by now (fen)"), "agreements", sum_of="fiscal_aid_fen",
         condition=lambda w: _due_by_cut(w, "funds_due_date")),
    Fact("cadres_committed", _("cadres committed"), "agreements", sum_of="cadres"),
    Fact("professionals_committed", _("professionals committed"), "agreements", sum_of="professionals"),
    Fact("labour_committed", _("labour placements committed"), "agreements", sum_of="labour_placements"),
    Fact("consumption_committed_fen", _("consumption purchases committed (fen)"), "agreements", sum_of="consumption_fen"),
    # 资金到位及时率 and the funds side of agreement rigidity (the ledger)
    Fact("funds_allocated_due_fen", _("fiscal aid allocated and due by now (fen)"), "allocations", sum_of="amount_fen"),
    Fact("funds_arrived_on_time_fen", _("of that, fiscal aid that arrived by its due date (fen)"), "arrivals", sum_of="amount_fen",
         condition=lambda w: _due_by_cut(w) & (Q(due_date__isnull=True) | Q(arrived_on__lte=F("due_date")))),
    Fact("fiscal_aid_arrived_fen", _("fiscal aid of the year's agreements arrived by now (fen)"), "arrivals", sum_of="amount_fen"),
    # no records on the platform yet
    Fact("labour_placed", _("labour placements made"), None,
         unavailable=_("no labour placement records exist on the platform yet")),
    Fact("consumption_actual_fen", _("consumption purchases made (fen)"), None,
         unavailable=_("no consumption purchase records exist on the platform yet")),
)}

FACT_NAMES = frozenset(FACTS)


def source_of(name: str) -> Family | None:
    fact = FACTS[name]
    if fact.family is None:
        return None
    return FAMILIES[fact.family]


def why_unavailable(name: str) -> str:
    """Why a fact has no value for anybody (a channel the platform does not keep yet)."""
    fact = FACTS[name]
    return str(fact.unavailable) if fact.family is None else ""


# --- computing ------------------------------------------------------------------------------


def compute(subjects: list[Subject], window: Window, names=None) -> dict[str, dict[str, int | None]]:
    """{subject key: {fact: value}} for the facts named (all by default).

    One grouped query per family involved. A fact with a source is 0 for a subject with no
    rows; a fact without one is None for everybody.
    """
    names = sorted(set(names) if names is not None else FACT_NAMES)
    unknown = set(names) - FACT_NAMES
    if unknown:
        raise KeyError(f"unknown facts: {sorted(unknown)}")
    by_family: dict[str, list[Fact]] = {}
    out = {s.key: {} for s in subjects}
    for name in names:
        family = source_of(name)
        if family is None:
            for values in out.values():
                values[name] = None
            continue
        by_family.setdefault(family.name, []).append(FACTS[name])
        for values in out.values():
            values[name] = 0
    rollup = Rollup(subjects)
    for family_name, facts in by_family.items():
        family = FAMILIES[family_name]
        attribute = rollup.nested if family.nested else rollup.own
        rows = (family.rows(window).values(family.west, family.east, family.pairing)
                .annotate(**{f.name: f.aggregate(window) for f in facts}).order_by())
        for row in rows:
            keys = attribute(row[family.west], row[family.east], row[family.pairing])
            if not keys:
                continue
            for f in facts:
                v = row[f.name] or 0
                if v:
                    for key in keys:
                        out[key][f.name] += v
    return out


def evidence(name: str, subject: Subject, window: Window):
    """The rows behind one fact of one subject (unscoped: callers pass it through
    `visible`), or None when the fact has no source."""
    family = source_of(name)
    if family is None:
        return None
    fact = FACTS[name]
    where = nested_q(subject, family.west, family.east, family.pairing) if family.nested else own_q(subject, family.pairing, window.period)
    return family.rows(window).filter(fact.condition(window)).filter(where)


def describe(name: str, window: Window) -> dict:
    """What is stored with a score for one fact: the model and the filter, as text."""
    family = source_of(name)
    if family is None:
        return {"model": None, "where": why_unavailable(name)}
    fact = FACTS[name]
    q = family.where(window) & fact.condition(window)
    what = f"sum({fact.sum_of})" if fact.sum_of else "count(*)"
    rule = "place" if family.nested else "own pairing"
    return {"model": family.model.lower(), "where": f"{what} where {render_q(q)}; attributed by {rule}"}


def render_q(q) -> str:
    """A Q object as compact, stable text (dates as ISO, F() as the field name)."""
    if not isinstance(q, Q):
        return _render_value(q)
    parts = []
    for child in q.children:
        if isinstance(child, Q):
            parts.append(f"({render_q(child)})")
        else:
            lookup, value = child
            parts.append(f"{lookup}={_render_value(value)}")
    text = f" {q.connector} ".join(parts) if parts else "all"
    return f"NOT ({text})" if q.negated else text


def _render_value(value) -> str:
    if isinstance(value, F):
        return f"F({value.name})"
    if isinstance(value, Subquery):
        return "latest report per project up to the cut"
    if isinstance(value, (datetime.date,)):
        return value.isoformat()
    return str(value)
