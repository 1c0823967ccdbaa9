"""Consequence rules: the editable half of the closed loop (闭环管控).

Rules are data the national coordinator edits on the rules page (`update_rule`), never
code. The shipped set below is created the first time the loop needs it
(`ensure_default_rules`, idempotent by code), so a fresh database, a test database and
one whose tables were emptied all get it; after that the rows are the truth and the
national coordinator's edits stand.

Each edit is validated against the rule's kind, raises the rule's `revision` and is
recorded in the audit log with before/after values; every consequence keeps the revision
and a snapshot of the parameters it was made under.
"""
from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core.context import action
from xiezuo.core.errors import PermissionDenied, ValidationError
from xiezuo.core.scoping import scope_for

from .choices import ASSESSED_GRADES, Grade, Level, PeriodKind
from .choices import IssuerLevel, RuleKind
from .models import ConsequenceRule

DEFAULT_RULES = [
    dict(code="incentive-good-2", kind=RuleKind.INCENTIVE, name="连续两个季度考核为“好”：绿色信贷额度优先",
         grade=Grade.GOOD, count=2, benefit="绿色信贷额度优先",
         description="同一地区或结对连续两个季度综合等级为“好”，列入激励清单，绿色信贷额度优先安排。"),
    dict(code="warning-poor", kind=RuleKind.WARNING, name="考核为“较差”：分级预警",
         grade=Grade.POOR, count=1, levels=[1, 2, 3],
         description="综合等级为“较差”发出一级预警；连续两个季度为二级，连续三个季度及以上为三级。"),
    dict(code="restructure-poor-3", kind=RuleKind.RESTRUCTURE, name="连续三个季度“较差”：提出结对调整建议",
         grade=Grade.POOR, count=3,
         description="连续三个季度综合等级为“较差”，向上一级协作办提出结对关系调整建议。"),
    dict(code="late-milestone", kind=RuleKind.LATE, name="项目节点滞后超过15天：限期整改",
         count=15, working_days=10, issuer_level=IssuerLevel.PROVINCE,
         description="项目节点超过计划日期15天仍未完成，由省级协作办下达整改通知，限10个工作日内整改。"),
    dict(code="no-report-3w", kind=RuleKind.NO_REPORT, name="连续三周未报送周报：提前干预",
         count=3, working_days=3, period_kind=PeriodKind.WEEK,
         description="在建项目连续三周未报送进展周报，生成干预工单，3个工作日内核实。"),
    dict(code="arrival-overdue", kind=RuleKind.ARRIVAL, name="资金逾期未到位：提前干预",
         count=1, working_days=5,
         description="已下达的财政援助资金超过约定到位日期仍未到位，生成干预工单，5个工作日内核实。"),
    dict(code="left-early", kind=RuleKind.LEFT_EARLY, name="专业技术人才提前离岗：提前干预",
         count=1, working_days=5,
         description="派驻专业技术人才早于约定期满日离岗，生成干预工单，5个工作日内落实接替。"),
]

EDITABLE = ("name", "active", "period_kind", "subject_level", "grade", "count", "levels", "working_days", "issuer_level",
            "benefit", "description")


KIND_ORDER = [k.value for k in RuleKind]


def ordered(qs):
    """Rules in the order of `RuleKind` (scores first, then late work, then risk signals)."""
    from django.db.models import Case, IntegerField, Value, When

    return qs.annotate(kind_order=Case(*[When(kind=k, then=Value(i)) for i, k in enumerate(KIND_ORDER)],
                                       output_field=IntegerField())).order_by("kind_order", "code")


def summary(rule: ConsequenceRule) -> str:
    """What the rule does with its current parameters, in the reader's language."""
    grade = rule.get_grade_display() if rule.grade else ""
    period = rule.get_period_kind_display()
    if rule.kind == RuleKind.INCENTIVE:
        text = _("grade “%(grade)s” in %(n)d consecutive periods (%(period)s) → %(benefit)s") % {
            "grade": grade, "n": rule.count, "period": period, "benefit": rule.benefit}
    elif rule.kind == RuleKind.WARNING:
        levels = list(rule.levels or []) + [0, 0, 0]
        text = _("grade “%(grade)s” (%(period)s): level 1 from %(a)d, level 2 from %(b)d, level 3 from %(c)d consecutive periods") % {
            "grade": grade, "period": period, "a": levels[0], "b": levels[1], "c": levels[2]}
    elif rule.kind == RuleKind.RESTRUCTURE:
        text = _("grade “%(grade)s” in %(n)d consecutive periods (%(period)s) → proposal to the office one level up") % {
            "grade": grade, "n": rule.count, "period": period}
    elif rule.kind == RuleKind.LATE:
        text = _("milestone more than %(n)d days late → order from %(issuer)s, due in %(k)d working days") % {
            "n": rule.count, "issuer": rule.get_issuer_level_display(), "k": rule.working_days}
    elif rule.kind == RuleKind.NO_REPORT:
        text = _("no weekly report for %(n)d weeks → ticket, answer within %(k)d working days") % {"n": rule.count, "k": rule.working_days}
    elif rule.kind == RuleKind.ARRIVAL:
        text = _("funds not arrived %(n)d days after the due date → ticket, answer within %(k)d working days") % {
            "n": rule.count, "k": rule.working_days}
    else:
        text = _("professional left %(n)d or more days before the end of the term → ticket, answer within %(k)d working days") % {
            "n": rule.count, "k": rule.working_days}
    if rule.subject_level and rule.kind in (RuleKind.INCENTIVE, RuleKind.WARNING, RuleKind.RESTRUCTURE):
        text += " · " + rule.get_subject_level_display()
    return text


def ensure_default_rules() -> int:
    """Create the shipped rules that are missing (by code); returns how many were made.

    The loader of this reference data (like the first indicator-system version in
    `defaults.py`), not a user's write: the rules engine calls it before each run; each rule
    it makes is audited by the model's signals."""
    made = 0
    for spec in DEFAULT_RULES:
        if not ConsequenceRule.objects.filter(code=spec["code"]).exists():
            ConsequenceRule.objects.create(**spec)
            made += 1
    return made


def may_edit_rules(user) -> bool:
    scope = scope_for(user)
    return scope.active and scope.role == "national"


def _whole(value, field, errors, low=0, high=32767):
    if isinstance(value, bool):
        errors[field] = [_("a whole number is required")]
        return None
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        errors[field] = [_("a whole number is required")]
        return None
    if not low <= n <= high:
        errors[field] = [_("between %(low)d and %(high)d") % {"low": low, "high": high}]
        return None
    return n


def validate(kind: str, values: dict) -> tuple[dict, dict]:
    """(clean values, {field: [message]}) for a rule of `kind`."""
    errors, clean = {}, {}
    name = values.get("name")
    if not isinstance(name, str) or not name.strip():
        errors["name"] = [_("a name is required")]
    elif len(name.strip()) > 120:
        errors["name"] = [_("at most %(n)d characters") % {"n": 120}]
    else:
        clean["name"] = name.strip()
    clean["active"] = bool(values.get("active"))
    for field, limit in (("benefit", 200), ("description", 500)):
        text = values.get(field) or ""
        if not isinstance(text, str) or len(text.strip()) > limit:
            errors[field] = [_("at most %(n)d characters") % {"n": limit}]
        else:
            clean[field] = text.strip()
    for field, choices in (("period_kind", PeriodKind), ("issuer_level", IssuerLevel)):
        value = values.get(field) or ""
        if value not in choices.values:
            errors[field] = [_("“%(v)s” is not one of: %(choices)s") % {"v": value, "choices": ", ".join(choices.values)}]
        else:
            clean[field] = value
    level = values.get("subject_level") or ""
    if level and level not in Level.values:
        errors["subject_level"] = [_("“%(v)s” is not one of: %(choices)s") % {"v": level, "choices": ", ".join(Level.values)}]
    clean["subject_level"] = level
    grade = values.get("grade") or ""
    if grade and grade not in ASSESSED_GRADES:  # an incomplete composite never brings a consequence
        errors["grade"] = [_("“%(v)s” is not one of: %(choices)s") % {"v": grade, "choices": ", ".join(ASSESSED_GRADES)}]
    clean["grade"] = grade
    count = _whole(values.get("count"), "count", errors, 1, 366)
    working_days = _whole(values.get("working_days", 0), "working_days", errors, 0, 250)
    clean["count"], clean["working_days"] = count, working_days

    levels = values.get("levels") or []
    if isinstance(levels, str):
        levels = [p for p in levels.replace("，", ",").split(",") if p.strip()]
    parsed = []
    for part in levels if isinstance(levels, (list, tuple)) else [levels]:
        n = _whole(part, "levels", errors, 1, 40)
        if n is None:
            break
        parsed.append(n)
    clean["levels"] = parsed

    if kind in (RuleKind.INCENTIVE, RuleKind.WARNING, RuleKind.RESTRUCTURE) and not grade:
        errors["grade"] = [_("choose the grade this rule looks for")]
    if kind == RuleKind.INCENTIVE and not clean.get("benefit"):
        errors["benefit"] = [_("name the benefit, e.g. priority for green-credit quota")]
    if kind == RuleKind.WARNING and "levels" not in errors:
        if len(parsed) != 3 or not parsed[0] < parsed[1] < parsed[2]:
            errors["levels"] = [_("three rising counts of consecutive periods, for levels 1, 2 and 3, e.g. 1, 2, 3")]
    if kind == RuleKind.LATE and working_days is not None and working_days < 1:
        errors["working_days"] = [_("an order needs at least one working day")]
    return clean, errors


@action
def update_rule(user, rule: ConsequenceRule, **values) -> ConsequenceRule:
    """The national coordinator edits a rule: validated, revision + 1, audited."""
    if not may_edit_rules(user):
        raise PermissionDenied(_("only the national coordinator edits the consequence rules"))
    unknown = [f for f in values if f not in EDITABLE]
    if unknown:
        raise ValidationError({f: [_("this field cannot be changed")] for f in unknown})
    merged = {f: getattr(rule, f) for f in EDITABLE}
    merged.update(values)
    clean, errors = validate(rule.kind, merged)
    if errors:
        raise ValidationError(errors)
    rule = ConsequenceRule.objects.select_for_update().get(pk=rule.pk)
    if all(getattr(rule, f) == v for f, v in clean.items()):
        return rule
    for field, value in clean.items():
        setattr(rule, field, value)
    rule.revision += 1
    rule.updated = timezone.now()
    rule.updated_by = user if getattr(user, "pk", None) else None
    rule.save()
    return rule
