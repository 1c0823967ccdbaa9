"""Named facts: the numbers indicator formulas are written over, computed from the
platform's own rows, for every subject of a period at once.

A fact belongs to a *family* — one kind of row (milestones, dispatches, outputs,
agreements, ledger postings) with the filter that puts a row in a period and the paths to
its western place, eastern place and pairing. Each family is one grouped SQL query with
one conditional aggregate per fact (grouped by the row's own columns where a small table
names the place — dispatches by organisation, `Via` — so that table is not joined to every
row); `subjects.Rollup` turns the groups into per-subject numbers. Another app can feed a
family through its own function (`register`, below the facts). The same filters, narrowed to one subject, give the evidence rows behind a number
(`evidence`), so what is shown is exactly what was counted.

`cut` is the last day that counts: the period's end, or the day of computation when the
period is still running (a milestone planned for next week is not due yet). Every fact
counts only rows dated within the period, from its first day to the cut; nothing is
carried forward from an earlier period. Each fact carries its `definition` in the
officials' words (shown on the indicator pages and with the evidence, `words`), which is
what the filter does: the two are kept side by side here so they cannot drift apart.

Facts without a source on the platform are listed with `source=None` and always have no
value (None); they are never filled with guesses. Labour placements, consumption purchases
and the returns of technology deals are fed by their apps (the section "facts fed by other
apps"): a subject without such rows has 0, not "no data".
"""
import datetime
from dataclasses import dataclass, field
from typing import Callable

from django.apps import apps
from django.db.models import BigIntegerField, Count, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Least
from django.utils.translation import gettext, gettext_lazy as _

from xiezuo.core.periods import Period
from .subjects import Rollup, Subject, nested_q, own_q, west_side_q


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
class Via:
    """A place read through a small table after grouping: the rows are grouped by `path` (a
    foreign key on the row, e.g. the organisation a person was sent to) and each group's
    region is looked up in `model` (`field`), instead of joining that table to every row."""

    path: str  # the column grouped by, e.g. "to_org_id"
    model: str  # app_label.ModelName of the small table it names
    field: str = "region_id"  # that table's region column

    def lookup(self, cache: dict | None = None) -> dict:
        """{id: region id} of the small table (read once per computation when `cache` is shared)."""
        cache = {} if cache is None else cache
        key = (self.model, self.field)
        if key not in cache:
            cache[key] = dict(apps.get_model(self.model)._default_manager.values_list("pk", self.field))
        return cache[key]


@dataclass(frozen=True)
class Family:
    """One kind of row the facts count: a model, the filter that puts a row in the window,
    and the paths to its western place, eastern place and pairing (for the evidence of one
    subject, and for the grouped query of every subject at once).

    `grouped`, when given, replaces the grouped query: a function (window, fact names) →
    iterable of dicts {"west": region id, "east": region id, "pairing": pairing id, fact:
    value…}, one per group of rows — how an app whose figures are not one ORM aggregate
    (or that computes them itself) feeds facts. `rows` still gives the evidence."""

    name: str
    model: str  # app_label.ModelName
    west: str  # path to the western region id
    east: str  # path to the eastern region id
    pairing: str | None  # path to the pairing id (None: the rows name no pairing)
    where: Callable[[Window], Q]
    nested: bool = True  # False: commitments, counted for their own pairing
    west_side: bool = False  # True: counted by the western place alone (`subjects.Rollup.west_side`)
    west_via: Via | None = None  # group by this instead of `west` (same region, looked up afterwards)
    east_via: Via | None = None
    grouped: Callable[[Window, list], object] | None = None

    def model_class(self):
        return apps.get_model(self.model)

    def attribution(self, rollup: Rollup):
        """The rule that maps a group (west, east, pairing) onto subjects."""
        if self.west_side:
            return rollup.west_side
        return rollup.nested if self.nested else rollup.own

    def subject_q(self, subject: Subject, window: Window) -> Q:
        """The same rule as a filter on the family's rows, for one subject."""
        if self.west_side:
            return west_side_q(subject, self.west, window.period)
        if self.nested:
            return nested_q(subject, self.west, self.east, self.pairing)
        return own_q(subject, self.pairing, window.period)

    def rows(self, window: Window):
        model = self.model_class()
        return None if model is None else model._default_manager.filter(self.where(window))

    def groups(self, window: Window, facts: list["Fact"], lookups: dict | None = None):
        """The family's rows in the window grouped by place and pairing, one dict per group
        ({"west", "east", "pairing", fact: value…}): one query (and the small tables of
        `west_via`/`east_via`, once per `lookups`)."""
        if self.grouped is not None:
            return self.grouped(window, [f.name for f in facts])
        lookups = {} if lookups is None else lookups
        west, east = (self.west_via.path if self.west_via else self.west), (self.east_via.path if self.east_via else self.east)
        west_of = self.west_via.lookup(lookups) if self.west_via else None
        east_of = self.east_via.lookup(lookups) if self.east_via else None
        keys = [west, east] + ([self.pairing] if self.pairing else [])
        rows = (self.rows(window).values(*dict.fromkeys(keys))
                .annotate(**{f.name: f.aggregate(window) for f in facts}).order_by())
        out = []
        for row in rows:
            w, e = row[west], row[east]
            pairing = row[self.pairing] if self.pairing else None
            for k in keys:
                row.pop(k, None)
            row["west"] = west_of.get(w) if west_of is not None else w
            row["east"] = east_of.get(e) if east_of is not None else e
            row["pairing"] = pairing
            out.append(row)
        return out


@dataclass(frozen=True)
class Fact:
    name: str
    label: object
    family: str | None  # None: no source on the platform yet
    condition: Callable[[Window], Q] = field(default=lambda w: Q())
    sum_of: str | None = None  # None: count rows; a field in fen: the fact is money
    unavailable: object = ""  # why there is no value, when there is no source
    definition: object = ""  # what counts, in the officials' words (indicator pages, evidence)
    expr: Callable[[Window], object] | None = None  # what is summed per row, when not the field itself

    @property
    def money(self) -> bool:
        return bool(self.sum_of and self.sum_of.endswith("_fen"))

    def measure(self, window: Window):
        return self.expr(window) if self.expr else self.sum_of

    def aggregate(self, window: Window):
        cond = self.condition(window) or None  # an empty Q means “every row of the family”
        return Sum(self.measure(window), filter=cond) if self.sum_of else Count("pk", filter=cond)


# --- period filters -------------------------------------------------------------------------
#
# Every fact counts the rows *dated within the period* (from its first day to the cut); none
# carries forward what fell due or was reported in an earlier period. The words of each
# filter are the fact's `definition`, shown on the indicator pages and the evidence.


def _within(w: Window, field: str) -> Q:
    return Q(**{f"{field}__gte": w.period.start, f"{field}__lte": w.cut})


def _year_to_date(w: Window, field: str) -> Q:
    return Q(**{f"{field}__gte": w.year_start, f"{field}__lte": w.cut})


def elapsed_share(w: Window) -> tuple[int, int]:
    """(days of the agreement year up to the cut, days of the year): the 序时进度 of the cut."""
    days = (w.year_end - w.year_start).days + 1
    return max(0, min(days, (w.cut - w.year_start).days + 1)), days


def _to_date(w: Window, field: str):
    """An agreement's yearly commitment in proportion to the year elapsed at the cut, rounded
    half up to a whole worker or fen: (c × elapsed × 2 + days) ÷ (2 × days) in the database's
    integer arithmetic (commitments are never negative), so money stays whole fen."""
    elapsed, days = elapsed_share(w)
    return ExpressionWrapper((F(field) * Value(2 * elapsed) + Value(days)) / Value(2 * days), output_field=BigIntegerField())


def _due_within(w: Window, due: str, year: str) -> Q:
    """Due within the period by the agreement's due date in force; an agreement without a
    due date is due on the last day of its year."""
    q = _within(w, due)
    if w.period.start <= w.year_end <= w.cut:
        q |= Q(**{f"{due}__isnull": True, year: w.year})
    return q


def _arrival_live(prefix: str = "") -> Q:
    return Q(**{f"{prefix}reversal__isnull": True, f"{prefix}allocation__reversal__isnull": True})


def _report_in_period(w: Window):
    """The latest output report of each project dated within the period (none: the project
    has no data for the period): a report within the period with no later one up to the cut.
    (An anti-join: the database hashes the period's reports once instead of looking up each
    report's latest by its own sub-query.)"""
    from xiezuo.projects.models import ProjectOutput

    later = ProjectOutput.objects.filter(project=OuterRef("project"), as_of__gt=OuterRef("as_of"), as_of__lte=w.cut)
    return Q(as_of__gte=w.period.start, as_of__lte=w.cut) & ~Exists(later)


def _arrived_against(w: Window):
    """Per agreement: its fiscal aid arrived by the cut (arrivals not reversed, of
    allocations not reversed), never more than the agreement committed."""
    from xiezuo.ledger.models import Posting

    arrived = (Posting.objects.filter(_arrival_live(), agreement=OuterRef("pk"), kind="arrival", arrived_on__lte=w.cut)
               .values("agreement").annotate(s=Sum("amount_fen")).values("s")[:1])
    return Least(Coalesce(Subquery(arrived, output_field=BigIntegerField()), Value(0)), F("fiscal_aid_fen"))


_PROFESSIONAL = ~Q(kind="cadre")
_CADRE = Q(kind="cadre")


def _in_post_this_year(w: Window) -> Q:
    return Q(actual_end__isnull=True) | Q(actual_end__gte=w.year_start)


def _term_ended(w: Window) -> Q:
    return _PROFESSIONAL & _within(w, "planned_end")


def _term_due(w: Window) -> Q:
    """A term counts once its end is reported; a term without a reported end is missing
    data, listed apart and counted neither as stayed nor as left early."""
    return _term_ended(w) & Q(actual_end__isnull=False)


def _end_missing(w: Window) -> Q:
    return _term_ended(w) & Q(actual_end__isnull=True)


def _allocation_due(w: Window) -> Q:
    return (Q(kind="allocation", reversal__isnull=True, agreement__year=w.year, booked_on__lte=w.cut)
            & _due_within(w, "agreement__funds_due_date", "agreement__year"))


FAMILIES = {f.name: f for f in (
    Family("milestones", "projects.Milestone", "project__county_id", "project__pairing__east_region_id", "project__pairing_id",
           where=lambda w: _within(w, "planned_date") & ~Q(project__status="cancelled")),
    Family("dispatches", "people.Dispatch", "to_org__region_id", "from_org__region_id", "pairing_id",
           where=lambda w: Q(direction="e2w", actual_start__isnull=False, actual_start__lte=w.cut),
           west_via=Via("to_org_id", "orgs.Organisation"), east_via=Via("from_org_id", "orgs.Organisation")),
    Family("outputs", "projects.ProjectOutput", "project__county_id", "project__pairing__east_region_id", "project__pairing_id",
           where=_report_in_period),
    Family("agreements", "pairings.Agreement", "pairing__west_region_id", "pairing__east_region_id", "pairing_id",
           where=lambda w: Q(year=w.year), nested=False),
    Family("allocations", "ledger.Posting", "agreement__pairing__west_region_id", "agreement__pairing__east_region_id",
           "agreement__pairing_id", where=_allocation_due),
    Family("arrivals", "ledger.Posting", "agreement__pairing__west_region_id", "agreement__pairing__east_region_id",
           "agreement__pairing_id",
           where=lambda w: Q(kind="arrival", agreement__year=w.year, arrived_on__lte=w.cut) & _arrival_live()),
)}

FACTS = {f.name: f for f in (
    # 项目推进如期性
    Fact("milestones_due", _("milestones due in the period"), "milestones",
         definition=_("Milestones whose planned date falls within the period (up to the cut), of projects not cancelled.")),
    Fact("milestones_due_on_time", _("milestones due in the period and reached on time"), "milestones",
         condition=lambda w: Q(actual_date__isnull=False, actual_date__lte=F("planned_date")),
         definition=_("Of those, the milestones reached on or before their planned date. A milestone not yet reached "
                      "counts as not on time.")),
    # 专业技术人才派驻稳定性
    Fact("professionals_due", _("professionals whose agreed term ended in the period"), "dispatches", condition=_term_due,
         definition=_("Professionals sent east to west who took up their post and whose agreed term ends within the "
                      "period, with the day they left reported. A term whose end has not been reported is missing data: "
                      "it is listed as “end date not reported” and counted neither as stayed nor as left early.")),
    Fact("professionals_completed", _("of those, professionals who stayed to the end of the term"), "dispatches",
         condition=lambda w: _term_due(w) & Q(actual_end__gte=F("planned_end")),
         definition=_("Of those, the professionals who left on or after the end of the agreed term.")),
    Fact("professionals_end_missing", _("professionals whose term ended in the period without a reported end date"),
         "dispatches", condition=_end_missing,
         definition=_("Professionals whose agreed term ends within the period but whose departure day has not been "
                      "reported: missing data, not counted.")),
    # 协议刚性：干部、人才
    Fact("cadres_dispatched", _("cadres in post during the agreement year"), "dispatches",
         condition=lambda w: _CADRE & _in_post_this_year(w),
         definition=_("Cadres sent east to west who took up their post by the cut and had not left before the agreement "
                      "year began.")),
    Fact("professionals_dispatched", _("professionals in post during the agreement year"), "dispatches",
         condition=lambda w: _PROFESSIONAL & _in_post_this_year(w),
         definition=_("Professionals sent east to west who took up their post by the cut and had not left before the "
                      "agreement year began.")),
    # 产业链本地配套率 (the latest report of each project within the period)
    Fact("local_procurement_fen", _("local procurement (yuan)"), "outputs", sum_of="local_procurement_fen",
         definition=_("Local procurement in the latest output report of each project dated within the period. A report "
                      "of an earlier period does not count; a project without a report in the period has no data.")),
    Fact("total_procurement_fen", _("total procurement (yuan)"), "outputs", sum_of="total_procurement_fen",
         definition=_("Total procurement in the same reports.")),
    # commitments in the agreement of the year
    Fact("fiscal_aid_committed_fen", _("fiscal aid committed for the year (yuan)"), "agreements", sum_of="fiscal_aid_fen",
         definition=_("Fiscal aid committed in the agreements of the year.")),
    Fact("fiscal_aid_due_fen", _("fiscal aid committed and due in the period (yuan)"), "agreements", sum_of="fiscal_aid_fen",
         condition=lambda w: _due_within(w, "funds_due_date", "year"),
         definition=_("Fiscal aid committed in the agreements of the year whose due date in force (as last amended) falls "
                      "within the period; an agreement without a due date is due on the last day of its year.")),
    Fact("cadres_committed", _("cadres committed"), "agreements", sum_of="cadres",
         definition=_("Cadres committed in the agreements of the year.")),
    Fact("professionals_committed", _("professionals committed"), "agreements", sum_of="professionals",
         definition=_("Professionals committed in the agreements of the year.")),
    # the channels' commitments are yearly totals with no due dates: each is measured to date
    # (序时进度), the year's commitment in proportion to the days of the year up to the cut,
    # against what was done in the year up to the cut (a quarter's placements against a
    # whole year's commitment would grade every county down in the first three quarters)
    Fact("labour_committed", _("labour placements committed, to date"), "agreements", sum_of="labour_placements",
         expr=lambda w: _to_date(w, "labour_placements"),
         definition=_("Labour placements committed in the agreements of the year, in proportion to the days of the year up "
                      "to the cut (序时进度: the year's commitment × days elapsed ÷ days of the year, per agreement, rounded "
                      "half up).")),
    Fact("consumption_committed_fen", _("consumption purchases committed, to date (yuan)"), "agreements",
         sum_of="consumption_fen", expr=lambda w: _to_date(w, "consumption_fen"),
         definition=_("Consumption purchases committed in the agreements of the year, in proportion to the days of the year "
                      "up to the cut (序时进度: the year's commitment × days elapsed ÷ days of the year, per agreement, "
                      "rounded half up to the fen).")),
    # 资金到位及时率 (the ledger) and the funds side of agreement rigidity (the same agreements as the commitment)
    Fact("funds_allocated_due_fen", _("fiscal aid allocated and due in the period (yuan)"), "allocations", sum_of="amount_fen",
         definition=_("Allocations of fiscal aid under the agreements of the year, booked by the cut, not reversed, and due "
                      "within the period by their agreement's due date in force (as last amended, also for allocations "
                      "booked before the amendment).")),
    Fact("funds_arrived_on_time_fen", _("of that, fiscal aid that arrived by its due date (yuan)"), "arrivals",
         sum_of="amount_fen",
         condition=lambda w: (Q(allocation__booked_on__lte=w.cut)
                              & _due_within(w, "agreement__funds_due_date", "agreement__year")
                              & (Q(agreement__funds_due_date__isnull=True, arrived_on__lte=w.year_end)
                                 | Q(arrived_on__lte=F("agreement__funds_due_date")))),
         definition=_("Of those allocations, the amounts confirmed as arrived on or before the due date in force "
                      "(arrivals not reversed).")),
    Fact("fiscal_aid_arrived_fen", _("fiscal aid arrived against the commitments due in the period (yuan)"), "agreements",
         sum_of="fiscal_aid_fen", expr=_arrived_against, condition=lambda w: _due_within(w, "funds_due_date", "year"),
         definition=_("For the same agreements as the commitment due in the period: the fiscal aid that arrived under each "
                      "by the cut, at most what it committed (more under one agreement does not make up for less under "
                      "another).")),
)}



# --- facts fed by other apps -----------------------------------------------------------------
#
# How a new app (labour placements, consumption purchases, technology deals…) feeds an
# indicator: register, in this section, the family of its rows and the facts counted over
# them, then write the indicator's formula over the fact names (a new version through
# `actions.new_version`, or the shipped system in `defaults.py` with a data migration).
#
#     def _placements(window, names):          # the app's own function, imported when run
#         from xiezuo.labour.facts import placements_by_place
#         return placements_by_place(window.period.start, window.cut, window.year)
#
#     register(Family("placements", "labour.Placement", "county_id", "employer__region_id", "pairing_id",
#                     where=lambda w: Q(placed_on__gte=w.period.start, placed_on__lte=w.cut),
#                     grouped=_placements),          # optional: without it, one grouped ORM query
#              Fact("labour_placed", _("labour placements made"), "placements", definition=_("…")))
#
# * `where` (and `west`, `east`, `pairing`) give the rows behind a number for one subject:
#   the evidence pages replay them, so they must select exactly the rows counted.
# * `grouped`, when the app computes its figures itself: (window, fact names) → dicts
#   {"west": western region id, "east": eastern region id, "pairing": pairing id or None,
#   fact: value…}, one per group; every subject then gets its sum by the attribution rule
#   (`subjects.Rollup`). Without it, a fact is a Count or Sum over the rows (`condition`,
#   `sum_of`, `expr`), one query for the whole family.
# * a fact that had no source (`labour_placed`, `consumption_actual_fen`) is replaced;
#   any other name must be new.
# * bench/assessment.py computes every family again in DuckDB: add the family's SQL to
#   `family_sql` there (its agreement check fails loudly until then).
# * `west_side=True`: rows that know only their western place (a placement names the worker's
#   county; where the work is does not say which pair helped) count for the western county,
#   every region pair whose western subtree holds it and the eastern counties of its
#   county–county pairings (`subjects.Rollup.west_side`). `pairing=None`: the rows name no
#   pairing, so no sector pairing (school–school…) counts them.
# * tests/assessment/test_facts_fast.py shows a family fed by a function; the registrations
#   below (placements, purchases, deal returns) are tested in tests/assessment/test_channel_facts.py.


def register(family: Family | None, *new_facts: Fact) -> None:
    """Add a family of rows and the facts counted over it (see above)."""
    if family is not None:
        if family.name in FAMILIES and FAMILIES[family.name] != family:
            raise ValueError(f"a family {family.name!r} exists already")
        FAMILIES[family.name] = family
    for fact in new_facts:
        old = FACTS.get(fact.name)
        if old is not None and old.family is not None and old != fact:
            raise ValueError(f"the fact {fact.name!r} has a source already")
        if fact.family is not None and fact.family not in FAMILIES:
            raise ValueError(f"the fact {fact.name!r} names an unknown family {fact.family!r}")
        FACTS[fact.name] = fact


# 协议刚性·劳务协作: the placements of 劳务协作 (xiezuo.labour)


def _first_placement(w: Window) -> Q:
    """A worker's first placement starting in the agreement year up to the cut (measured to
    date against the commitment to date): one row per worker placed, so counting rows counts
    workers (a worker placed twice counts once) and the evidence lists exactly the rows
    counted."""
    from xiezuo.labour.models import Placement

    earlier = (Placement.objects.filter(worker=OuterRef("worker"), start_date__gte=w.year_start, start_date__lte=w.cut)
               .filter(Q(start_date__lt=OuterRef("start_date")) | Q(start_date=OuterRef("start_date"), pk__lt=OuterRef("pk"))))
    return _year_to_date(w, "start_date") & ~Exists(earlier)


register(Family("placements", "labour.Placement", "county_id", "place_id", None, where=_first_placement, west_side=True),
         Fact("labour_placed", _("workers placed"), "placements",
              definition=_("Workers registered by the western county (or the counties of the pair's western side) with a "
                           "placement starting in the agreement year up to the cut (to date, as the commitment it is measured "
                           "against), wherever the work is (in the county, in the province, out of province); a worker placed "
                           "twice counts once, by the first placement. A registration merged into another counts as the one "
                           "kept.")))


# 协议刚性·消费帮扶: the purchases of 消费帮扶 (xiezuo.consumption)


def _counted_purchase(w: Window) -> Q:
    """Dated in the agreement year up to the cut (to date, as the commitment it is measured
    against), the product certified on the day of purchase (`consumption.models.counted_q`),
    and under a region pairing: a purchase no pairing links (a buyer in a region not paired
    with the product's county) counts for nobody's commitment."""
    from xiezuo.consumption.models import counted_q

    return counted_q() & _year_to_date(w, "purchased_on") & Q(pairing__isnull=False)


register(Family("purchases", "consumption.Purchase", "county_id", "buyer_region_id", "pairing_id", where=_counted_purchase),
         Fact("consumption_actual_fen", _("consumption purchases made (yuan)"), "purchases", sum_of="amount_fen",
              definition=_("Purchases of products of the western county by buyers of a paired eastern region, dated in "
                           "the agreement year up to the cut (to date, as the commitment it is measured against), whose product held a certificate in force on the day of purchase "
                           "(approved, within its validity, not revoked on or before that day). A purchase of an expired "
                           "or revoked product does not count; a purchase no pairing links counts for nobody.")))


# 技术成果转化收益率: the returns of technology deals (xiezuo.markets, the transfer centre),
# instead of the projects' output reports (the fact names are kept: the formula is unchanged)

register(Family("deal_returns", "markets.DealReturn", "deal__county_id", "deal__technology__owner__region_id", None,
                where=lambda w: _within(w, "period_end")),
         Fact("tech_income_fen", _("technology transfer income (yuan)"), "deal_returns", sum_of="revenue_fen",
              definition=_("Revenue earned from technology deals (licences, transfers, joint development) put to work in "
                           "the western county, in the deals' returns whose period ends within the period (up to the "
                           "cut); the eastern place is the technology owner's.")),
         Fact("tech_investment_fen", _("technology transfer investment (yuan)"), "deal_returns", sum_of="cost_fen",
              definition=_("What the same deals cost in those returns (price instalments and royalties).")))

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
    names = sorted(set(names) if names is not None else FACTS)
    unknown = set(names) - set(FACTS)
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
    rollup, lookups = Rollup(subjects), {}
    for family_name, facts in by_family.items():
        family = FAMILIES[family_name]
        attribute = family.attribution(rollup)
        for row in family.groups(window, facts, lookups):
            keys = attribute(row["west"], row["east"], row["pairing"])
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
    return family.rows(window).filter(fact.condition(window)).filter(family.subject_q(subject, window))


def total(rows, name: str, window: Window) -> int:
    """What a fact adds up over some of its rows (the evidence shown to a reader): the same
    measure as the computation, so the rows shown add up to the number."""
    fact = FACTS[name]
    if fact.sum_of:
        return rows.aggregate(t=Sum(fact.measure(window)))["t"] or 0
    return rows.aggregate(t=Count("pk"))["t"]


def describe(name: str, window: Window) -> dict:
    """What is stored with a computation for one fact: the kind of row and, in words, which
    rows count (in the language of the computation; pages render `words` in the reader's)."""
    family = source_of(name)
    if family is None:
        return {"model": None, "where": why_unavailable(name)}
    return {"model": family.model.lower(), "where": words(name, window)}


def words(name: str, window: Window | None = None) -> str:
    """Which rows a fact counts, in the reader's language, with the period's days when a
    window is given."""
    fact = FACTS[name]
    if fact.family is None:
        return str(fact.unavailable)
    text = str(fact.definition or fact.label)
    family = FAMILIES[fact.family]
    if family.west_side:
        attribution = gettext("Attributed by the western place alone: a western county counts its own rows, a pair the rows "
                              "of its western side, an eastern county those of the western counties paired with it.")
    elif family.nested:
        attribution = gettext("Attributed by place: a county counts the rows of its own place, a pair the rows within both "
                              "its sides.")
    else:
        attribution = gettext("Attributed to the agreement's own pairing; a county counts the agreements of its "
                              "county-to-county pairings.")
    if window is None:
        return f"{text} {attribution}"
    days = gettext("Period %(start)s to %(end)s; counted up to %(cut)s; agreements of %(year)s.") % {
        "start": window.period.start.isoformat(), "end": window.period.end.isoformat(), "cut": window.cut.isoformat(),
        "year": window.year}
    return f"{text} {days} {attribution}"
