"""The risk screening's rules, as plain functions over one household's figures.

Each rule answers None or a `Flag` naming the rule and the figures that raised it. The
monthly screening (`screening.py`) runs the same rules as SQL over every household at once;
the tests check both against households worked by hand. Figures are fen per person and year
unless named otherwise; thresholds come from the monitoring line (`MonitoringLine`).

- below the line: income per person < line;
- near the line: line ≤ income per person < line × near_percent / 100;
- sharp fall: income per person < a year before × (100 − fall_percent) / 100;
- rigid costs: eligible out-of-pocket costs > income × rigid_percent / 100 (any cost when
  there is no income);
- 三保障 and drinking water: housing not safe, water not safe, a child out of compulsory
  schooling, a member without basic medical insurance.
"""
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .choices import Rule


@dataclass(frozen=True)
class Figures:
    """What the rules read of one household for one screening month."""

    persons: int = 1
    income_fen: int | None = None  # household income over the 12 months (None: no record)
    costs_fen: int = 0
    previous_per_capita_fen: int | None = None  # a year before
    housing_safe: bool = True
    water_safe: bool = True
    out_of_school: bool = False
    uninsured: bool = False

    @property
    def per_capita_fen(self):
        return None if self.income_fen is None else self.income_fen // max(self.persons, 1)


@dataclass(frozen=True)
class Flag:
    rule: str
    per_capita_fen: int | None = None
    line_fen: int | None = None
    previous_fen: int | None = None
    income_fen: int | None = None
    costs_fen: int | None = None
    threshold: int | None = None

    def explain(self):
        return explain(self)


def below_line(f: Figures, line) -> Flag | None:
    pc = f.per_capita_fen
    if line is None or pc is None or pc >= line.line_fen:
        return None
    return Flag(Rule.BELOW_LINE, per_capita_fen=pc, line_fen=line.line_fen)


def near_line(f: Figures, line) -> Flag | None:
    pc = f.per_capita_fen
    if line is None or pc is None or pc < line.line_fen or pc * 100 >= line.line_fen * line.near_percent:
        return None
    return Flag(Rule.NEAR_LINE, per_capita_fen=pc, line_fen=line.line_fen, threshold=line.near_percent)


def sharp_fall(f: Figures, line) -> Flag | None:
    pc, before = f.per_capita_fen, f.previous_per_capita_fen
    if line is None or pc is None or not before or before <= 0:
        return None
    if pc * 100 >= before * (100 - line.fall_percent):
        return None
    return Flag(Rule.SHARP_FALL, per_capita_fen=pc, previous_fen=before, threshold=line.fall_percent)


def rigid_costs(f: Figures, line) -> Flag | None:
    if line is None or f.income_fen is None or f.costs_fen <= 0:
        return None
    if f.costs_fen * 100 <= f.income_fen * line.rigid_percent:
        return None
    return Flag(Rule.RIGID_COSTS, income_fen=f.income_fen, costs_fen=f.costs_fen, threshold=line.rigid_percent)


def housing(f: Figures, line) -> Flag | None:
    return None if f.housing_safe else Flag(Rule.HOUSING)


def water(f: Figures, line) -> Flag | None:
    return None if f.water_safe else Flag(Rule.WATER)


def schooling(f: Figures, line) -> Flag | None:
    return Flag(Rule.SCHOOLING) if f.out_of_school else None


def medical_cover(f: Figures, line) -> Flag | None:
    return Flag(Rule.MEDICAL) if f.uninsured else None


RULES = (below_line, near_line, sharp_fall, rigid_costs, housing, water, schooling, medical_cover)


def screen(f: Figures, line) -> list[Flag]:
    return [flag for rule in RULES if (flag := rule(f, line)) is not None]


def _yuan(fen):
    return f"{(fen or 0) / 100:,.0f}"


def explain(flag) -> str:
    """The rule in words with its figures (a Flag or a stored RiskFlag)."""
    rule = flag.rule
    if rule == Rule.BELOW_LINE:
        return _("income %(pc)s yuan per person is below the line of %(line)s yuan") % {
            "pc": _yuan(flag.per_capita_fen), "line": _yuan(flag.line_fen)}
    if rule == Rule.NEAR_LINE:
        return _("income %(pc)s yuan per person is under %(t)s%% of the line of %(line)s yuan") % {
            "pc": _yuan(flag.per_capita_fen), "line": _yuan(flag.line_fen), "t": flag.threshold}
    if rule == Rule.SHARP_FALL:
        return _("income per person fell from %(before)s to %(pc)s yuan, more than %(t)s%%") % {
            "pc": _yuan(flag.per_capita_fen), "before": _yuan(flag.previous_fen), "t": flag.threshold}
    if rule == Rule.RIGID_COSTS:
        return _("rigid costs of %(costs)s yuan are above %(t)s%% of the household income of %(income)s yuan") % {
            "costs": _yuan(flag.costs_fen), "income": _yuan(flag.income_fen), "t": flag.threshold}
    return str(Rule(rule).label)


def figures_of(household, month):
    """The Figures of one household for the screening of `month` (the first of a month), read
    the way the set-based screening reads them."""
    from .screening import window

    current_from, previous_from, previous_until = window(month)
    records = list(household.incomes.filter(month__lt=month, month__gte=previous_from).order_by("-month"))
    current = next((r for r in records if r.month >= current_from), None)
    previous = next((r for r in records if r.month <= previous_until), None)
    members = household.members.filter(active=True)
    return Figures(
        persons=current.persons if current else max(household.size, 1),
        income_fen=current.income_fen if current else None,
        costs_fen=current.costs_fen if current else 0,
        previous_per_capita_fen=previous.per_capita_fen if previous else None,
        housing_safe=household.housing_safe, water_safe=household.water_safe,
        out_of_school=members.filter(out_of_school=True).exists(),
        uninsured=members.filter(medical_insured=False).exists(),
    )

