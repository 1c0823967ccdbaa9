"""Writes to pairings and agreements: validate, check permission, write, keep history.

A pairing below province level must sit inside a province pairing that is in force: a
Zhejiang county helps a Sichuan county because Zhejiang helps Sichuan. One that does not is
refused with the reason, unless the caller gives an explicit override reason, which is kept
on the pairing and in its history.

An override widens the view of both sides (the scoping rule counts paired regions), so an
office cannot grant it to itself: recorded by an office it is a request (申请中) that counts
for nobody until the office above approves it (`approve_pairing`: the province office over
the requesting office's area, or the national coordinator) or rejects it with a reason.
The national coordinator's overrides, and every pairing inside its province pairing, are in
force at once.
"""
import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core import facts
from xiezuo.core.audit import snapshot
from xiezuo.core.context import action, current_actor
from xiezuo.core.errors import PermissionDenied, ValidationError, field_error
from xiezuo.core.dates import day_error
from xiezuo.core.money import MoneyError, check_fen
from xiezuo.core.scoping import can_approve_pairing, can_edit_agreement, can_manage_pairing, scope_for
from xiezuo.orgs.choices import OrgKind
from xiezuo.regions.choices import Level, Role

from .choices import REGION_KINDS, SECTOR_ORG_KINDS, ChangeKind, PairingKind, Status
from .models import Agreement, Pairing, PairingChange, period_overlap_q

# Which levels each region pairing joins: (east levels, west levels).
KIND_LEVELS = {
    PairingKind.PROVINCE: ((Level.PROVINCE,), (Level.PROVINCE,)),
    PairingKind.PREFECTURE: ((Level.PREFECTURE,), (Level.PREFECTURE, Level.COUNTY)),
    PairingKind.COUNTY: ((Level.COUNTY,), (Level.COUNTY,)),
}
PAIRING_FIELDS = ("kind", "east_region", "west_region", "east_org", "west_org", "west_village", "name", "valid_from", "valid_to", "source_note", "is_demo")



def _fmt_period(p):
    return f"{p.valid_from:%Y-%m-%d} – {p.valid_to:%Y-%m-%d}" if p.valid_to else f"{p.valid_from:%Y-%m-%d} –"


def validate_pairing(p: Pairing) -> list[str]:
    """Raise ValidationError for anything wrong; return warnings about the province pairing.

    The warnings are the contradictions an override may accept.
    """
    errors = {}
    kind = p.kind
    if kind not in PairingKind.values:
        raise field_error("kind", _("“%(kind)s” is not a pairing kind") % {"kind": kind})
    if not p.east_region_id:
        errors["east_region"] = [_("the eastern region is required")]
    if not p.west_region_id:
        errors["west_region"] = [_("the western region is required")]
    if not isinstance(p.valid_from, datetime.date):
        errors["valid_from"] = [_("a start date is required")]
    if errors:
        raise ValidationError(errors)
    east, west = p.east_region, p.west_region
    if east.role != Role.EAST:
        errors["east_region"] = [_("%(region)s is not in an eastern (helping) province") % {"region": east}]
    if west.role != Role.WEST:
        errors["west_region"] = [_("%(region)s is not in a western (helped) province") % {"region": west}]
    for name in ("valid_from", "valid_to"):
        if day_error(getattr(p, name)):
            errors[name] = [day_error(getattr(p, name))]
    if p.valid_to is not None and p.valid_to < p.valid_from and "valid_to" not in errors:
        errors["valid_to"] = [_("the end date is before the start date")]
    if kind in REGION_KINDS:
        east_levels, west_levels = KIND_LEVELS[kind]
        if east.level not in east_levels:
            errors.setdefault("east_region", []).append(
                _("a %(kind)s pairing needs a %(level)s on the eastern side, %(region)s is a %(actual)s")
                % {"kind": PairingKind(kind).label, "level": " / ".join(str(Level(x).label) for x in east_levels), "region": east, "actual": east.get_level_display()}
            )
        if west.level not in west_levels:
            errors.setdefault("west_region", []).append(
                _("a %(kind)s pairing needs a %(level)s on the western side, %(region)s is a %(actual)s")
                % {"kind": PairingKind(kind).label, "level": " / ".join(str(Level(x).label) for x in west_levels), "region": west, "actual": west.get_level_display()}
            )
        if p.east_org_id or p.west_org_id or p.west_village:
            errors["__all__"] = [_("region pairings do not name organisations or villages")]
    else:
        east_kind, west_kind = SECTOR_ORG_KINDS[kind]
        if not p.east_org_id:
            errors["east_org"] = [_("a sector pairing names the eastern organisation")]
        elif p.east_org.kind != east_kind:
            errors["east_org"] = [_("%(org)s is not a %(kind)s") % {"org": p.east_org, "kind": OrgKind(east_kind).label}]
        elif not p.east_org.region.code.startswith(east.prefix):
            errors["east_org"] = [_("%(org)s is not in %(region)s") % {"org": p.east_org, "region": east}]
        if west_kind:
            if not p.west_org_id:
                errors["west_org"] = [_("a sector pairing names the western organisation")]
            elif p.west_org.kind != west_kind:
                errors["west_org"] = [_("%(org)s is not a %(kind)s") % {"org": p.west_org, "kind": OrgKind(west_kind).label}]
            elif not p.west_org.region.code.startswith(west.prefix):
                errors["west_org"] = [_("%(org)s is not in %(region)s") % {"org": p.west_org, "region": west}]
        else:
            if not (p.west_village or "").strip():
                errors["west_village"] = [_("name the village being helped")]
            if west.level != Level.COUNTY:
                errors["west_region"] = [_("the village's county is required, %(region)s is a %(actual)s") % {"region": west, "actual": west.get_level_display()}]
    if errors:
        raise ValidationError(errors)

    same = Pairing.objects.filter(
        kind=kind, east_region=east, west_region=west, east_org=p.east_org, west_org=p.west_org, west_village=p.west_village
    ).exclude(pk=p.pk).exclude(status=Status.REJECTED)
    clash = same.filter(period_overlap_q(p.valid_from, p.valid_to)).first()
    if clash:
        raise field_error("valid_from", _("overlaps the existing pairing %(pairing)s (#%(id)s, %(period)s)") % {
            "pairing": clash, "id": clash.pk, "period": _fmt_period(clash)})

    warnings = []
    if kind != PairingKind.PROVINCE:
        umbrella = Pairing.objects.filter(kind=PairingKind.PROVINCE, east_region__province_code=east.province_code,
                                          west_region__province_code=west.province_code)
        if not umbrella.covering(p.valid_from, p.valid_to).exists():
            east_prov = east if east.level == Level.PROVINCE else east.ancestors()[0]
            west_prov = west if west.level == Level.PROVINCE else west.ancestors()[0]
            warnings.append(_("%(east)s and %(west)s have no province pairing in force over %(period)s") % {
                "east": east_prov.name, "west": west_prov.name, "period": _fmt_period(p)})
    return warnings


# Who asked and who decided are named on the change itself (its user and time); the audit log keeps the ids.
_NOT_IN_HISTORY = ("id", "requested_by_id", "decided_by_id", "decided_at")


def _pairing_state(p):
    return {k: v for k, v in snapshot(p).items() if k not in _NOT_IN_HISTORY}


def _history(p, kind, reason, before, after):
    actor = current_actor()
    PairingChange.objects.create(
        pairing=p, kind=kind, reason=reason, before=before, after=after,
        user=actor.user if getattr(actor.user, "pk", None) else None,
    )


def _apply_override(p, warnings, override_reason):
    if not warnings:
        return
    if not (override_reason or "").strip():
        raise ValidationError({"__all__": warnings + [_("give an override reason to record this pairing anyway")]})
    p.override_reason = override_reason.strip()[:300]


# What, changed, could let an approved override reach further than was approved.
_REACH = ("kind", "east_region_id", "west_region_id", "east_org_id", "west_org_id", "west_village")


def _widens(before: Pairing, after: Pairing) -> bool:
    if any(getattr(before, f) != getattr(after, f) for f in _REACH):
        return True
    if after.valid_from < before.valid_from:
        return True
    return before.valid_to is not None and (after.valid_to is None or after.valid_to > before.valid_to)


def _settle_status(user, p: Pairing, needs_override: bool, before: Pairing | None = None) -> None:
    """Approved at once inside the province pairing or when the national coordinator records
    it; otherwise a request from the acting office, unless an approved override was only
    narrowed or renamed."""
    scope = scope_for(user)
    if not needs_override or scope.role == "national":
        if p.status != Status.APPROVED or needs_override and before is None:
            p.status = Status.APPROVED
            if needs_override:
                p.decided_by, p.decided_at, p.decision_reason = user, timezone.now(), ""
        return
    if before is not None and before.status == Status.APPROVED and not _widens(before, p):
        return
    p.status = Status.REQUESTED
    p.requested_by, p.requested_in = user, scope.own or ""
    p.decided_by, p.decided_at, p.decision_reason = None, None, ""


@action
def create_pairing(user, *, reason: str = "", override_reason: str = "", **values) -> Pairing:
    unknown = set(values) - set(PAIRING_FIELDS)
    if unknown:
        raise ValidationError({f: [_("unknown field")] for f in unknown})
    p = Pairing(**values)
    if p.kind in SECTOR_ORG_KINDS and p.east_org_id and not p.east_region_id:
        p.east_region = p.east_org.region
    if p.kind in ("school", "hospital") and p.west_org_id and not p.west_region_id:
        p.west_region = p.west_org.region
    warnings = validate_pairing(p)
    level = p.kind if p.kind in REGION_KINDS else "sector"
    if not can_manage_pairing(user, p.east_region.code, p.west_region.code, level):
        raise PermissionDenied(_("you may not create this pairing"))
    _apply_override(p, warnings, override_reason)
    _settle_status(user, p, bool(warnings))
    p.save()
    note = reason.strip() or _("created")
    if p.override_reason:
        note = f"{note}; " + _("override: %(reason)s") % {"reason": p.override_reason}
    kind = ChangeKind.REQUESTED if p.status == Status.REQUESTED else ChangeKind.CREATED
    _history(p, kind, note[:300], None, _pairing_state(p))
    return p


@action
def update_pairing(user, pairing: Pairing, *, reason: str, override_reason: str = "", **values) -> Pairing:
    if not (reason or "").strip():
        raise field_error("reason", _("say why the pairing is being changed"))
    level = pairing.kind if pairing.kind in REGION_KINDS else "sector"
    if not can_manage_pairing(user, pairing.east_region.code, pairing.west_region.code, level):
        raise PermissionDenied(_("you may not change this pairing"))
    unknown = set(values) - set(PAIRING_FIELDS)
    if unknown:
        raise ValidationError({f: [_("unknown field")] for f in unknown})
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    before = _pairing_state(pairing)
    old = Pairing(**{f.attname: getattr(pairing, f.attname) for f in Pairing._meta.concrete_fields})
    for k, v in values.items():
        setattr(pairing, k, v)
    warnings = validate_pairing(pairing)
    if not can_manage_pairing(user, pairing.east_region.code, pairing.west_region.code, level):
        raise PermissionDenied(_("you may not move this pairing outside your area"))
    _apply_override(pairing, warnings, override_reason)
    _settle_status(user, pairing, bool(warnings), before=old)
    pairing.save()
    after = _pairing_state(pairing)
    kind = ChangeKind.ENDED if before.get("valid_to") is None and after.get("valid_to") else ChangeKind.ADJUSTED
    if pairing.status == Status.REQUESTED and old.status != Status.REQUESTED or (
            pairing.status == Status.REQUESTED and pairing.requested_by_id != old.requested_by_id):
        kind = ChangeKind.REQUESTED
    _history(pairing, kind, reason.strip()[:300], before, after)
    return pairing


def _decision(user, pairing: Pairing, refusal: str) -> Pairing:
    pairing = Pairing.objects.select_for_update().select_related("east_region", "west_region").get(pk=pairing.pk)
    if not can_approve_pairing(user, pairing.requested_in, pairing.requested_by_id):
        raise PermissionDenied(refusal)
    if pairing.status != Status.REQUESTED:
        raise ValidationError({"__all__": [_("this pairing is not awaiting approval (%(status)s)") % {
            "status": pairing.get_status_display()}]})
    return pairing


@action
def approve_pairing(user, pairing: Pairing, *, reason: str = "") -> Pairing:
    """The office above puts a requested override in force: from now on it counts for both
    sides' view, its scores and its agreements."""
    pairing = _decision(user, pairing, _("only the office above the requesting office or the national coordinator approves this pairing"))
    validate_pairing(pairing)  # a pairing approved meanwhile for the same period still clashes
    before = _pairing_state(pairing)
    pairing.status, pairing.decided_by, pairing.decided_at = Status.APPROVED, user, timezone.now()
    pairing.decision_reason = (reason or "").strip()[:300]
    pairing.save()
    _history(pairing, ChangeKind.APPROVED, pairing.decision_reason or _("approved"), before, _pairing_state(pairing))
    return pairing


@action
def reject_pairing(user, pairing: Pairing, *, reason: str) -> Pairing:
    """The office above refuses a requested override, saying why; it never takes effect."""
    if not (reason or "").strip():
        raise field_error("reason", _("say why the request is rejected"))
    pairing = _decision(user, pairing, _("only the office above the requesting office or the national coordinator rejects this pairing"))
    before = _pairing_state(pairing)
    pairing.status, pairing.decided_by, pairing.decided_at = Status.REJECTED, user, timezone.now()
    pairing.decision_reason = reason.strip()[:300]
    pairing.save()
    _history(pairing, ChangeKind.REJECTED, pairing.decision_reason, before, _pairing_state(pairing))
    return pairing


def requests_for(user):
    """The requests awaiting `user`'s decision (待办), oldest first."""
    scope = scope_for(user)
    qs = Pairing.objects.visible_to(user).filter(status=Status.REQUESTED).select_related("east_region", "west_region", "requested_by")
    if not scope.active or scope.role not in ("national", "office_admin"):
        return qs.none()
    if scope.role != "national":
        if scope.own is None or len(scope.own) != 2:
            return qs.none()
        qs = qs.filter(requested_in__startswith=scope.own).exclude(requested_in=scope.own)
    return qs.exclude(requested_by=user).order_by("id")


@action
def end_pairing(user, pairing: Pairing, *, valid_to: datetime.date, reason: str) -> Pairing:
    return update_pairing(user, pairing, reason=reason, valid_to=valid_to)


AGREEMENT_COUNTS = ("cadres", "professionals", "labour_placements", "projects")
AGREEMENT_MONEY = ("fiscal_aid_fen", "consumption_fen")
AGREEMENT_FIELDS = ("pairing", "year", "funds_due_date", "signed_on", "note", "is_demo") + AGREEMENT_COUNTS + AGREEMENT_MONEY


@action
def save_agreement(user, instance: Agreement | None = None, **values) -> Agreement:
    unknown = set(values) - set(AGREEMENT_FIELDS)
    if unknown:
        raise ValidationError({f: [_("unknown field")] for f in unknown})
    if instance is not None:
        if not can_edit_agreement(user, instance.pairing.east_region.code, instance.pairing.west_region.code):
            raise PermissionDenied(_("you may not change this agreement"))
        instance = Agreement.objects.select_for_update().get(pk=instance.pk)
    before = (instance.pairing, instance.year) if instance is not None else None
    a = instance or Agreement()
    for k, v in values.items():
        setattr(a, k, v)
    errors = {}
    if not a.pairing_id:
        raise field_error("pairing", _("the pairing is required"))
    a.pairing = Pairing.objects.select_related("east_region", "west_region").get(pk=a.pairing_id)
    if not can_edit_agreement(user, a.pairing.east_region.code, a.pairing.west_region.code):
        raise PermissionDenied(_("you may not write agreements for %(pairing)s") % {"pairing": a.pairing})
    if not a.pairing.is_approved:
        raise field_error("pairing", _("%(pairing)s is not in force: it is %(status)s") % {
            "pairing": a.pairing, "status": a.pairing.get_status_display()})
    if isinstance(a.year, bool) or not isinstance(a.year, int) or not 2000 <= a.year <= 2100:
        errors["year"] = [_("“%(year)s” is not a year") % {"year": a.year}]
    else:
        p = a.pairing
        if a.year < p.valid_from.year or (p.valid_to and a.year > p.valid_to.year):
            errors["year"] = [_("the pairing is not in force in %(year)s (%(period)s)") % {"year": a.year, "period": _fmt_period(p)}]
    for name in AGREEMENT_MONEY:
        try:
            check_fen(getattr(a, name))
        except MoneyError as exc:
            errors[name] = [str(exc)]
    for name in AGREEMENT_COUNTS:
        v = getattr(a, name)
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            errors[name] = [_("must be a whole number, zero or more")]
    for name in ("funds_due_date", "signed_on"):
        v = getattr(a, name)
        if v is not None and not isinstance(v, datetime.date):
            errors[name] = [_("not a date")]
        elif day_error(v):  # 2000-01-01 … 2099-12-31 (core.dates)
            errors[name] = [day_error(v)]
    if errors:
        raise ValidationError(errors)
    clash = Agreement.objects.filter(pairing=a.pairing, year=a.year).exclude(pk=a.pk).first()
    if clash:
        raise field_error("year", _("%(pairing)s already has an agreement for %(year)s (#%(id)s)") % {"pairing": a.pairing, "year": a.year, "id": clash.pk})
    a.save()
    # The commitments feed the pairing's scores from the agreement's year on (and, when an
    # edit moved it, those of the pairing and year it left).
    sides = [(a.pairing, a.year)] + ([before] if before else [])
    facts.changed({r.code for p, _y in sides for r in (p.east_region, p.west_region)},
                  datetime.date(min(y for _p, y in sides), 1, 1), sender=Agreement)
    return a
