"""Every write of the assessment: indicator-system versions, scores, consequences, escalations.

Changing the indicator system is only by making a new version: the national coordinator
edits indicators, weights, targets and grade cut-offs; the edit copies the current version
with the changes applied and makes the copy current. The old version and every score
computed with it stay as they were, so a published scorecard never changes under its
readers. Everything is validated before anything is written; formula errors name the
indicator and the column.

Scores, consequences and escalations are written by the system (the recomputation, the
rules, the daily escalation), in batches: one upsert or bulk insert per kind, audited as
bulk writes are (`core.audit.record_bulk` / `record_created`), never a loop of saves.
"""
import datetime
import time
from decimal import Decimal, InvalidOperation

from django.db.models import Max, prefetch_related_objects
from django.utils.translation import gettext as _

from xiezuo.core.audit import record_bulk, record_created
from xiezuo.core.context import action
from xiezuo.core.errors import PermissionDenied, ValidationError
from xiezuo.core.scoping import scope_for

from . import formula
from .choices import Dimension, Direction, Level, Method
from .facts import FACT_NAMES
from .choices import OrderStatus
from .models import Computation, GradeCutoffs, Indicator, IndicatorSystem, OrderEscalation, RectificationOrder, Score

EDITABLE = ("seq", "name_zh", "name_en", "dimension", "unit", "direction", "formula", "target", "floor", "weight", "method",
            "levels", "description")
REQUIRED_FOR_NEW = ("name_zh", "name_en", "dimension", "formula", "target", "floor", "weight")
CHANGE_KEYS = ("indicators", "add", "remove", "cutoffs")
CUTOFF_FIELDS = ("good", "fairly_good", "fair")


def may_change_indicators(user) -> bool:
    scope = scope_for(user)
    return scope.active and scope.role == "national"


def _decimal(value, places: int, digits: int):
    """A Decimal from text, an int or a Decimal (never a float), or an error message."""
    if isinstance(value, bool) or isinstance(value, float):
        return None, _("write the number as text, e.g. “95.5”")
    try:
        d = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None, _("“%(v)s” is not a number") % {"v": value}
    if not d.is_finite():
        return None, _("“%(v)s” is not a number") % {"v": value}
    if d != d.quantize(Decimal(1).scaleb(-places)):
        return None, _("at most %(n)d decimal places") % {"n": places}
    if abs(d) >= Decimal(10) ** (digits - places):
        return None, _("the number is too large")
    return d, None


def _spec_of(ind: Indicator) -> dict:
    return {f: getattr(ind, f) for f in EDITABLE}


def validate_spec(code: str, spec: dict) -> tuple[dict, dict]:
    """(clean spec, {field: [message]}) for one indicator."""
    errors, clean = {}, dict(spec)

    def err(field, message):
        errors.setdefault(f"indicators.{code}.{field}", []).append(message)

    for field, limit in (("name_zh", 100), ("name_en", 150), ("unit", 16), ("description", 500)):
        text = (spec.get(field) or "")
        if not isinstance(text, str):
            err(field, _("text is required"))
            continue
        text = text.strip()
        if field in ("name_zh", "name_en") and not text:
            err(field, _("a name is required"))
        elif len(text) > limit:
            err(field, _("at most %(n)d characters") % {"n": limit})
        clean[field] = text
    for field, choices in (("dimension", Dimension), ("direction", Direction), ("method", Method)):
        if spec.get(field) not in choices.values:
            err(field, _("“%(v)s” is not one of: %(choices)s") % {"v": spec.get(field), "choices": ", ".join(choices.values)})
    text = spec.get("formula")
    if not isinstance(text, str) or not text.strip():
        err("formula", _("a formula is required"))
    else:
        try:
            formula.check(text, FACT_NAMES)
            clean["formula"] = text.strip()
        except formula.FormulaError as exc:
            err("formula", _("%(msg)s at column %(col)d") % {"msg": exc.message, "col": exc.position + 1})
    for field, places, digits in (("target", 4, 14), ("floor", 4, 14), ("weight", 3, 7)):
        value, problem = _decimal(spec.get(field), places, digits)
        if problem:
            err(field, problem)
        else:
            clean[field] = value
    if "weight" in clean and isinstance(clean["weight"], Decimal) and clean["weight"] < 0:
        err("weight", _("a weight cannot be negative"))
    levels = spec.get("levels")
    if not isinstance(levels, (list, tuple)) or not levels or any(lv not in Level.values for lv in levels):
        err("levels", _("choose one or more of: %(choices)s") % {"choices": ", ".join(Level.values)})
    else:
        clean["levels"] = [lv for lv in Level.values if lv in levels]
    seq = spec.get("seq", 0)
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq <= 32767:
        err("seq", _("the order is a whole number"))
    target, floor = clean.get("target"), clean.get("floor")
    if not errors and clean["method"] == Method.LINEAR_CAPPED:
        if clean["direction"] == Direction.HIGHER and not floor < target:
            err("floor", _("when higher is better the floor must be below the target"))
        if clean["direction"] == Direction.LOWER and not floor > target:
            err("floor", _("when lower is better the floor must be above the target"))
    return clean, errors


def validate_cutoffs(values: dict, base: dict) -> tuple[dict, dict]:
    errors, clean = {}, dict(base)
    if not isinstance(values, dict):
        return clean, {"cutoffs": [_("grade cut-offs are given as good, fairly_good and fair")]}
    for field in values:
        if field not in CUTOFF_FIELDS:
            errors[f"cutoffs.{field}"] = [_("unknown field")]
    for field in CUTOFF_FIELDS:
        if field not in values:
            continue
        value, problem = _decimal(values[field], 2, 5)
        if problem is None and not 0 <= value <= 100:
            problem = _("a cut-off lies between 0 and 100")
        if problem:
            errors[f"cutoffs.{field}"] = [problem]
        else:
            clean[field] = value
    if not errors and not clean["good"] > clean["fairly_good"] > clean["fair"]:
        errors["cutoffs"] = [_("cut-offs must descend: good > fairly good > fair")]
    return clean, errors


@action
def new_version(user, changes: dict, note: str = "") -> IndicatorSystem:
    """Copy the current version with `changes` and make the copy current.

    changes = {
        "indicators": {code: {field: value, …}},   # edit existing indicators
        "add": [{"code": …, "name_zh": …, …}],      # new indicators
        "remove": [code, …],
        "cutoffs": {"good": …, "fairly_good": …, "fair": …},
    }
    """
    if not may_change_indicators(user):
        raise PermissionDenied(_("only the national coordinator changes the indicator system"))
    if not isinstance(changes, dict) or not changes:
        raise ValidationError({"__all__": [_("nothing to change")]})
    errors = {}
    for key in changes:
        if key not in CHANGE_KEYS:
            errors[key] = [_("unknown kind of change")]
    if not isinstance(note, str) or len(note) > 300:
        errors["note"] = [_("at most %(n)d characters") % {"n": 300}]
    if errors:
        raise ValidationError(errors)

    current = IndicatorSystem.objects.select_for_update().get(is_current=True)
    specs = {i.code: _spec_of(i) for i in current.indicators.all()}

    remove = changes.get("remove") or []
    for code in remove:
        if code not in specs:
            errors[f"remove.{code}"] = [_("there is no indicator %(code)s") % {"code": code}]
        else:
            del specs[code]
    edits = changes.get("indicators") or {}
    if not isinstance(edits, dict):
        errors["indicators"] = [_("changes to indicators are given by code")]
        edits = {}
    for code, fields in edits.items():
        if code not in specs:
            errors[f"indicators.{code}"] = [_("there is no indicator %(code)s") % {"code": code}]
            continue
        if not isinstance(fields, dict):
            errors[f"indicators.{code}"] = [_("give the fields to change")]
            continue
        for field, value in fields.items():
            if field not in EDITABLE:
                errors[f"indicators.{code}.{field}"] = [_("this field cannot be changed")]
            else:
                specs[code][field] = value
    for i, spec in enumerate(changes.get("add") or []):
        code = spec.get("code") if isinstance(spec, dict) else None
        if not isinstance(code, str) or not code.isidentifier() or not code.isascii() or len(code) > 32:
            errors[f"add[{i}].code"] = [_("a code of letters, digits and “_” is required")]
            continue
        if code in specs:
            errors[f"add[{i}].code"] = [_("indicator %(code)s exists already") % {"code": code}]
            continue
        missing = [f for f in REQUIRED_FOR_NEW if f not in spec]
        if missing:
            errors[f"add[{i}]"] = [_("missing: %(fields)s") % {"fields": ", ".join(missing)}]
            continue
        unknown = [f for f in spec if f not in EDITABLE and f != "code"]
        if unknown:
            errors[f"add[{i}]"] = [_("unknown fields: %(fields)s") % {"fields": ", ".join(unknown)}]
            continue
        specs[code] = {"seq": max((s["seq"] for s in specs.values()), default=0) + 1, "unit": "", "direction": Direction.HIGHER,
                       "method": Method.LINEAR_CAPPED, "levels": list(Level.values), "description": "",
                       **{k: v for k, v in spec.items() if k != "code"}}

    clean_specs = {}
    for code, spec in specs.items():
        clean, problems = validate_spec(code, spec)
        errors.update(problems)
        clean_specs[code] = clean
    if not specs:
        errors["indicators"] = [_("a version needs at least one indicator")]
    elif not errors and sum(s["weight"] for s in clean_specs.values()) <= 0:
        errors["indicators"] = [_("the weights add up to nothing")]

    base = {f: getattr(current.cutoffs, f) for f in CUTOFF_FIELDS}
    cutoffs, problems = validate_cutoffs(changes.get("cutoffs", {}), base)
    errors.update(problems)
    if errors:
        raise ValidationError(errors)

    number = (IndicatorSystem.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    current.is_current = False
    current.save(update_fields=["is_current"])
    system = IndicatorSystem.objects.create(number=number, created_by=user if getattr(user, "pk", None) else None,
                                            note=note.strip(), is_current=True)
    for code, spec in clean_specs.items():
        Indicator.objects.create(system=system, code=code, **spec)
    GradeCutoffs.objects.create(system=system, **cutoffs)
    return system


# --- scores ---------------------------------------------------------------------------------

SCORE_UPDATE_FIELDS = ["computation", "level", "region", "pairing", "west_prefix", "east_prefix", "period_end", "period_label",
                       "as_of", "peer_group", "facts", "values", "basic", "effectiveness", "composite", "coverage", "grade", "rank", "peers",
                       "stale", "computed_at", "closed_at", "restatement", "restated"]


@action
def save_scores(user, system: IndicatorSystem, period, rows: list[Score], *, as_of: datetime.date, evidence: dict,
                computed_at, started: float) -> tuple[int, float]:
    """Write one period's scores under one version: the computation record, every score in one
    upsert keyed on (version, subject, period), and the removal of subjects no longer in the
    period (an ended pairing). One audit entry names the run. Returns (removed, seconds since
    `started`, a `time.perf_counter()` reading, as recorded on the computation)."""
    run, _created = Computation.objects.update_or_create(
        system=system, period_kind=period.kind, period_start=period.start,
        defaults=dict(period_end=period.end, period_label=period.label, as_of=as_of, evidence=evidence,
                      scores=len(rows), seconds=0, computed_at=computed_at))
    from .scorerows import upsert

    for row in rows:
        row.computation = run
    gone = upsert(rows, update_fields=SCORE_UPDATE_FIELDS, system=system, period=period)
    removed, _detail = Score.objects.filter(pk__in=gone).delete() if gone else (0, {})
    record_bulk("assessment.score", f"{period.label} v{system.number}: {len(rows)} scores, {removed} removed", count=len(rows))
    seconds = round(time.perf_counter() - started, 3)
    Computation.objects.filter(pk=run.pk).update(seconds=seconds)
    return removed, seconds


# --- consequences ---------------------------------------------------------------------------


@action
def create_consequences(user, queued: dict) -> int:
    """Write the consequences a run of the rules queued, {model: [(consequence, [scores])]}:
    one bulk insert per kind, their score links, and an audit entry per row (written in bulk
    too, with the same after-snapshot a save records). The unique (rule, key) constraint
    still guards against a concurrent run: it makes this transaction fail."""
    made = 0
    for model, pending in queued.items():
        objs = model.objects.bulk_create([obj for obj, _scores in pending], batch_size=500)
        if hasattr(model, "scores"):
            through = model.scores.through
            column = f"{model._meta.model_name}_id"
            through.objects.bulk_create([through(**{column: obj.pk, "score_id": score.pk})
                                         for obj, (_same, scores) in zip(objs, pending) for score in scores], batch_size=1000)
        # The audit rows name each consequence's regions: fetch them in a few queries, not one per row.
        prefetch_related_objects(objs, "region", "owner_office__region", "pairing__east_region")
        record_created(objs)
        made += len(objs)
    return made


# --- escalation -----------------------------------------------------------------------------


def escalation_due(order: RectificationOrder, level: int) -> datetime.date:
    """The last day before escalation to `level` (1: the deadline itself; each further level
    another `working_days` working days on)."""
    from xiezuo.rhythm.workdays import add_working_days

    step = max(order.working_days, 1)
    return add_working_days(order.deadline, (level - 1) * step)


@action
def escalate_overdue_orders(user, *, today: datetime.date) -> list[OrderEscalation]:
    """Escalate every overdue order as far as it is due: each level one office up, to that
    office's leading post, once (a row per order and level). The orders are locked and
    read in one query, the escalations inserted in one, each order's new level saved."""
    from xiezuo.rhythm.actions import ensure_lead_posts
    from xiezuo.rhythm.workdays import CalendarNotCovered

    from .offices import parent_office

    orders = list(RectificationOrder.objects.select_for_update(of=("self",))
                  .filter(status__in=(OrderStatus.ISSUED, OrderStatus.SENT_BACK), deadline__lt=today)
                  .select_related("region", "pairing__east_region", "owner_office__region", "owner_post__office__region",
                                  "escalated_to__office__region")
                  .order_by("pk"))
    existing = {(e.order_id, e.level): e for e in OrderEscalation.objects.filter(order__in=orders).select_related("to_post")}
    leads, new, moved = {}, [], []
    for order in orders:
        start = order.escalation_level
        while True:
            level = order.escalation_level + 1
            try:
                due = escalation_due(order, level)
            except CalendarNotCovered:
                break
            if today <= due:
                break
            current = order.escalated_to or order.owner_post
            up = parent_office(current.office)
            if up is None:
                break
            if up.pk not in leads:
                leads.update(ensure_lead_posts(None, [up]))
            esc = existing.get((order.pk, level))
            if esc is None:
                esc = OrderEscalation(order=order, level=level, from_post=current, to_post=leads[up.pk], on=today,
                                      overdue_since=due + datetime.timedelta(days=1))
                new.append(esc)
            order.escalation_level, order.escalated_to = level, esc.to_post
        if order.escalation_level != start:
            moved.append(order)
    OrderEscalation.objects.bulk_create(new)
    record_created(new)
    for order in moved:
        order.save(update_fields=["escalation_level", "escalated_to"])
    return new
