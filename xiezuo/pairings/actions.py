"""Writes to pairings and agreements: validate, check permission, write, keep history.

A pairing below province level must sit inside a province pairing that is in force: a
Zhejiang county helps a Sichuan county because Zhejiang helps Sichuan. One that does not is
refused with the reason, unless the caller gives an explicit override reason, which is kept
on the pairing and in its history.
"""
import datetime

from django.utils.translation import gettext as _

from xiezuo.core import facts
from xiezuo.core.audit import snapshot
from xiezuo.core.context import action, current_actor
from xiezuo.core.errors import PermissionDenied, ValidationError, field_error
from xiezuo.core.money import MoneyError, check_fen
from xiezuo.core.scoping import can_edit_agreement, can_manage_pairing
from xiezuo.orgs.choices import OrgKind
from xiezuo.regions.choices import Level, Role

from .choices import REGION_KINDS, SECTOR_ORG_KINDS, ChangeKind, PairingKind
from .models import Agreement, Pairing, PairingChange

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
    if p.valid_to is not None and p.valid_to < p.valid_from:
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
    ).exclude(pk=p.pk)
    clash = same.overlapping(p.valid_from, p.valid_to).first()
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


def _pairing_state(p):
    return {k: v for k, v in snapshot(p).items() if k not in ("id",)}


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
    p.save()
    note = reason.strip() or _("created")
    if p.override_reason:
        note = f"{note}; " + _("override: %(reason)s") % {"reason": p.override_reason}
    _history(p, ChangeKind.CREATED, note[:300], None, _pairing_state(p))
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
    for k, v in values.items():
        setattr(pairing, k, v)
    warnings = validate_pairing(pairing)
    if not can_manage_pairing(user, pairing.east_region.code, pairing.west_region.code, level):
        raise PermissionDenied(_("you may not move this pairing outside your area"))
    _apply_override(pairing, warnings, override_reason)
    pairing.save()
    after = _pairing_state(pairing)
    kind = ChangeKind.ENDED if before.get("valid_to") is None and after.get("valid_to") else ChangeKind.ADJUSTED
    _history(pairing, kind, reason.strip()[:300], before, after)
    return pairing


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
