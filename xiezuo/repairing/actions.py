"""Every change of state of re-pairing: model versions, scenarios, approvals.

Nothing changes by itself: a scenario only proposes. Approving a change goes through the
pairings actions (`end_pairing`, `create_pairing`), which keep the pairing's history with
the reason "re-pairing scenario N: …", check the approver's permission and write the audit log;
the ended pair's agreement of the year it ends in is closed with a note at the chosen date.
"""
import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core.context import action
from xiezuo.core.errors import PermissionDenied, ValidationError, field_error
from xiezuo.core.scoping import scope_for
from xiezuo.pairings import actions as pairing_actions
from xiezuo.pairings.models import Agreement, Pairing
from xiezuo.regions.models import Region

from .models import Change, ChangeKind, ChangeStatus, Level, PairingModel, Scenario, Status
from .terms import DEFAULT_TERMS, validate_terms

PARAM_KEYS = ("west_min", "west_max", "key_min", "key_max", "capacity_factor", "capacities", "locked", "forbidden",
              "change_cost", "max_changes", "within_province_pairings", "west_units", "time_limit", "sensitivity",
              "loss_if_locked", "max_loss_solves")


# --- who may ---------------------------------------------------------------------------------


def can_edit_model(user) -> bool:
    scope = scope_for(user)
    return scope.active and scope.role == "national"


def can_read(user) -> bool:
    scope = scope_for(user)
    return scope.active and (scope.role in ("national", "auditor") or (scope.own is not None and len(scope.own) == 2))


def can_run(user, level: str, east_province: str, west_province: str, day=None) -> bool:
    """National: every level and scope. A province office's admin: city and county scenarios
    inside a province pairing in force that its province is a side of."""
    scope = scope_for(user)
    if not scope.active:
        return False
    if scope.role == "national":
        return True
    if scope.role != "office_admin" or scope.own is None or len(scope.own) != 2 or level == Level.PROVINCE:
        return False
    if not east_province or not west_province:
        return False
    if not (east_province.startswith(scope.own) or west_province.startswith(scope.own)):
        return False
    day = day or timezone.localdate()
    return Pairing.objects.in_force(day).filter(kind="province", east_region__code=east_province, west_region__code=west_province).exists()


def can_approve(user, scenario: Scenario) -> bool:
    return can_run(user, scenario.level, scenario.east_province, scenario.west_province)


# --- the model ---------------------------------------------------------------------------------


def ensure_model(user=None) -> PairingModel:
    """The current model version, creating version 1 (the default terms) on first use."""
    m = PairingModel.current()
    if m is None:
        m = PairingModel.objects.create(number=1, terms=[dict(t) for t in DEFAULT_TERMS], note=_("default terms"),
                                        created_by=user if getattr(user, "pk", None) else None)
    return m


@action
def save_model(user, *, terms: list, note: str = "") -> PairingModel:
    """A new version of the pairing model; older scenarios keep theirs."""
    if not can_edit_model(user):
        raise PermissionDenied(_("only the national coordinator edits the pairing model"))
    errors = validate_terms(terms)
    if errors:
        raise ValidationError({"terms": errors})
    last = PairingModel.current()
    clean = [{"code": t["code"], "kind": t["kind"], "weight": float(t["weight"]), "params": dict(t.get("params") or {})} for t in terms]
    return PairingModel.objects.create(number=(last.number + 1) if last else 1, terms=clean, note=(note or "")[:300], created_by=user)


# --- scenarios ---------------------------------------------------------------------------------


def _pairs(value, name):
    out = []
    for item in value or []:
        if not (isinstance(item, (list, tuple)) and len(item) == 2 and all(isinstance(x, str) for x in item)):
            raise field_error(name, _("each pair is [eastern code, western code]"))
        out.append([item[0], item[1]])
    return out


def _int_param(params, key, lo, hi=None):
    v = params.get(key)
    if v is None:
        return
    if isinstance(v, bool) or not isinstance(v, int) or v < lo or (hi is not None and v > hi):
        raise field_error(key, _("must be a whole number from %(lo)s to %(hi)s") % {"lo": lo, "hi": hi if hi is not None else "∞"})


@action
def create_scenario(user, *, name: str, level: str, east_province: str = "", west_province: str = "", model: PairingModel | None = None,
                    weights: dict | None = None, parameters: dict | None = None, data_date: datetime.date | None = None,
                    solve: bool = True) -> Scenario:
    """Save a scenario and queue its solving (a Celery task, eager on the embedded default)."""
    if level not in Level.values:
        raise field_error("level", _("“%(level)s” is not a level") % {"level": level})
    for key, code in (("east_province", east_province), ("west_province", west_province)):
        if code and not Region.objects.filter(code=code, level="province").exists():
            raise field_error(key, _("“%(code)s” is not a province code") % {"code": code})
    if not can_run(user, level, east_province, west_province, data_date):
        raise PermissionDenied(_("you may not run a re-pairing scenario at this level and scope"))
    params = dict(parameters or {})
    unknown = set(params) - set(PARAM_KEYS)
    if unknown:
        raise ValidationError({k: [_("unknown parameter")] for k in sorted(unknown)})
    for key in ("west_min", "west_max", "key_min", "key_max"):
        _int_param(params, key, 0, 50)
    _int_param(params, "max_changes", 0)
    if params.get("west_units", "former_poverty") not in ("former_poverty", "former_poverty_only", "all"):
        raise field_error("west_units", _("“%(value)s” is not one of former_poverty, former_poverty_only, all") % {"value": params.get("west_units")})
    _int_param(params, "time_limit", 1, 3600)
    for key in ("change_cost", "capacity_factor"):
        if key in params:
            try:
                params[key] = float(params[key])
                if params[key] < 0:
                    raise ValueError
            except (TypeError, ValueError):
                raise field_error(key, _("must be a number, zero or more"))
    caps = params.get("capacities") or {}
    if not isinstance(caps, dict) or any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in caps.values()):
        raise field_error("capacities", _("capacities are {eastern code: whole number}"))
    params["locked"] = _pairs(params.get("locked"), "locked")
    params["forbidden"] = _pairs(params.get("forbidden"), "forbidden")
    both = {tuple(p) for p in params["locked"]} & {tuple(p) for p in params["forbidden"]}
    if both:
        raise field_error("locked", _("a pair cannot be both locked and forbidden: %(pairs)s") % {"pairs": ", ".join("—".join(p) for p in sorted(both))})
    model = model or ensure_model(user)
    w = {}
    for k, v in (weights or {}).items():
        if k not in model.weights():
            raise field_error("weights", _("%(code)s is not a term of model version %(n)s") % {"code": k, "n": model.number})
        try:
            w[k] = float(v)
            if w[k] < 0:
                raise ValueError
        except (TypeError, ValueError):
            raise field_error("weights", _("the weight of %(code)s must be a number, zero or more") % {"code": k})
    s = Scenario.objects.create(
        name=(name or "").strip()[:120] or _("scenario"), level=level, east_province=east_province, west_province=west_province,
        model=model, weights=w, parameters=params, data_date=data_date or timezone.localdate(), created_by=user,
    )
    if solve:
        queue(s)
    return s


def queue(scenario: Scenario):
    from django.db import transaction

    from .tasks import solve_scenario

    transaction.on_commit(lambda: solve_scenario.delay(scenario.pk))


# --- approval ---------------------------------------------------------------------------------


def _reason(change: Change) -> str:
    s = change.scenario
    what = {
        ChangeKind.ADDED: _("%(new)s helps %(west)s") ,
        ChangeKind.REMOVED: _("%(old)s stops helping %(west)s"),
        ChangeKind.REASSIGNED: _("%(west)s: %(old)s replaced by %(new)s"),
    }[change.kind] % {"west": change.west.name, "old": change.old_east.name if change.old_east_id else "",
                      "new": change.new_east.name if change.new_east_id else ""}
    return (_("re-pairing scenario %(n)s: %(what)s") % {"n": s.pk, "what": what})[:300]


@action
def approve_change(user, change: Change, *, end_date: datetime.date | None = None) -> Change:
    """Apply one proposed change through the pairings actions: end today's pair at `end_date`
    (its agreement of that year is closed with a note), start the new one the day after."""
    change = Change.objects.select_for_update(of=("self",)).select_related("scenario", "west", "old_east", "new_east").get(pk=change.pk)
    s = change.scenario
    if not can_approve(user, s):
        raise PermissionDenied(_("you may not approve changes of this scenario"))
    if s.status not in (Status.OPTIMAL, Status.TIME_LIMIT):
        raise ValidationError({"__all__": [_("the scenario has no proposal to approve (%(status)s)") % {"status": s.get_status_display()}]})
    if change.status == ChangeStatus.APPROVED:
        raise ValidationError({"__all__": [_("this change is already approved")]})
    end_date = end_date or timezone.localdate()
    if not isinstance(end_date, datetime.date):
        raise field_error("end_date", _("not a date"))
    reason = _reason(change)
    if change.old_east_id:
        old = Pairing.objects.filter(pk=change.old_pairing_id).select_related("east_region", "west_region").first()
        if old is None or not old.is_approved or (old.valid_to is not None and old.valid_to <= end_date):
            raise ValidationError({"__all__": [_("today's pairing %(pair)s is no longer in force; solve the scenario again") % {
                "pair": f"{change.old_east.name}—{change.west.name}"}]})
        if end_date < old.valid_from:
            raise field_error("end_date", _("the end date is before the pairing began (%(day)s)") % {"day": old.valid_from})
        pairing_actions.end_pairing(user, old, valid_to=end_date, reason=reason)
        for a in Agreement.objects.filter(pairing=old, year=end_date.year):
            note = (_("closed on %(day)s: %(reason)s") % {"day": end_date.isoformat(), "reason": reason})[:300]
            pairing_actions.save_agreement(user, a, note=note)
    if change.new_east_id:
        start = end_date + datetime.timedelta(days=1) if change.old_east_id else end_date
        p = s.parameters or {}
        override = reason if not p.get("within_province_pairings", True) else ""
        change.new_pairing = pairing_actions.create_pairing(
            user, kind=s.level, east_region=change.new_east, west_region=change.west, valid_from=start, reason=reason,
            override_reason=override, source_note=(_("re-pairing scenario %(n)s") % {"n": s.pk})[:200],
        )
    change.status, change.approved_by, change.approved_at, change.end_date = ChangeStatus.APPROVED, user, timezone.now(), end_date
    change.save()
    return change


@action
def approve_all(user, scenario: Scenario, *, end_date: datetime.date | None = None) -> int:
    """Every proposed change of the scenario, in one transaction: all or none."""
    if not can_approve(user, scenario):
        raise PermissionDenied(_("you may not approve changes of this scenario"))
    n = 0
    # removals first, so a helper's capacity is freed before it is given a new pair
    for ch in sorted(scenario.changes.filter(status=ChangeStatus.PROPOSED), key=lambda c: (c.kind != ChangeKind.REMOVED, c.pk)):
        approve_change(user, ch, end_date=end_date)
        n += 1
    return n
