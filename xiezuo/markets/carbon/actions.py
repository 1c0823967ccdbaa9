"""The carbon-sink registry (西部固碳—东部认购): its actions.

    register_project    western county side    a sink project (forestry, grassland, wetland, soil)
    submit_monitoring   western county side    a monitoring report: tonnes removed in a period
    verify_report       the evaluator          verified tonnes of a report, of a vintage
    issue               national coordinator   verified tonnes issued as a serial-numbered block to the owner
    sign_subscription   eastern subscriber     认购: a price per tonne for a share of future issuances
    deliver             the project's side     units from the owner to a subscriber, paid through the ledger
    transfer            the holder             units to another account; a partial transfer splits the block
    retire              the holder             注销 with a beneficiary and a purpose: never moves again

Blocks are cut under their row lock (select_for_update): a block that moves or splits is
superseded (status `split`) by the blocks it became, so the live blocks of a project never
overlap and always add up to what was issued (`verify.py`, `manage.py markets verify`).
"""
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core.audit import record_created
from xiezuo.core.context import action
from xiezuo.core.errors import PermissionDenied, ValidationError, field_error
from xiezuo.core.events import publish
from xiezuo.core.facts import changed
from xiezuo.orgs.models import Organisation
from xiezuo.users.scopes import organisation_of, profile_of

from .. import rules
from ..choices import BlockStatus, Movement, SinkKind
from ..models import CarbonBlock, CarbonMove, MonitoringReport, SinkProject, Subscription, Verification
from ..payments import pay
from ..units import check_units, parse_mu


def _raise(errors):
    if errors:
        raise ValidationError(errors)


def _deny(refusal):
    if refusal:
        raise PermissionDenied(refusal)


def _next_code(county) -> str:
    prefix = f"CS{county.code}"
    n = SinkProject.objects.filter(code__startswith=prefix).count() + 1
    while SinkProject.objects.filter(code=f"{prefix}{n:04d}").exists():
        n += 1
    return f"{prefix}{n:04d}"


@action
def register_project(user, *, name, kind, county, methodology, area, crediting_start, crediting_end, baseline_t=0,
                     owner=None, is_demo=False) -> SinkProject:
    errors = {}
    rules.check_text(name, errors, "name", max_length=200)
    if kind not in SinkKind.values:
        errors["kind"] = [_("“%(v)s” is not a kind of sink") % {"v": kind}]
    rules.western_county(county, errors)
    rules.check_text(methodology, errors, "methodology", max_length=100)
    if isinstance(area, int) and not isinstance(area, bool):
        check_units(area, errors, "area")
        area_u = area
    else:
        try:
            area_u = parse_mu(area)
        except ValueError as exc:
            errors["area"] = [str(exc)]
    rules.check_count(baseline_t, errors, "baseline_t", minimum=0)
    rules.check_day(crediting_start, errors, "crediting_start", future_ok=True)
    rules.check_day(crediting_end, errors, "crediting_end", future_ok=True)
    if not errors and crediting_end <= crediting_start:
        errors["crediting_end"] = [_("the crediting period must end after it starts")]
    _raise(errors)
    _deny(rules.may_edit_region(user, county.code, county))
    if owner is None:
        owner = Organisation.objects.filter(kind="office", region=county).order_by("id").first()
    if not isinstance(owner, Organisation) or not owner.region.code.startswith(county.code):
        raise field_error("owner", _("the owner must be an organisation of %(county)s") % {"county": county})
    return SinkProject.objects.create(code=_next_code(county), name=name.strip(), kind=kind, county=county, owner=owner,
                                      methodology=methodology.strip(), area_u=area_u, baseline_t=baseline_t,
                                      crediting_start=crediting_start, crediting_end=crediting_end, is_demo=is_demo)


@action
def submit_monitoring(user, *, project, period_start, period_end, claimed_t, submitted_on=None) -> MonitoringReport:
    errors = {}
    if not isinstance(project, SinkProject):
        raise field_error("project", _("a sink project is required"))
    rules.check_day(period_start, errors, "period_start")
    rules.check_day(period_end, errors, "period_end")
    rules.check_count(claimed_t, errors, "claimed_t")
    rules.check_day(submitted_on, errors, "submitted_on", required=False)
    if not errors:
        if period_end < period_start:
            errors["period_end"] = [_("the period must end after it starts")]
        elif period_start < project.crediting_start or period_end > project.crediting_end:
            errors["period_start"] = [_("the period must lie within the crediting period")]
        elif project.reports.filter(period_start__lte=period_end, period_end__gte=period_start).exists():
            errors["period_start"] = [_("a monitoring report already covers part of this period")]
    _raise(errors)
    _deny(rules.may_edit_region(user, project.county.code, project.county))
    return MonitoringReport.objects.create(project=project, period_start=period_start, period_end=period_end,
                                           claimed_t=claimed_t, submitted_on=submitted_on or timezone.localdate())


def may_verify(user, evaluator) -> str | None:
    if rules.is_national(user):
        return None
    profile = profile_of(user)
    if (profile is not None and profile.organisation_id == getattr(evaluator, "pk", None)
            and profile.role in ("auditor", "office_admin", "office_editor")):
        return None
    return _("only the evaluator (%(org)s) records its verification") % {"org": evaluator}


@action
def verify_report(user, *, report, evaluator, verified_t, vintage=None, verified_on=None) -> Verification:
    errors = {}
    if not isinstance(report, MonitoringReport):
        raise field_error("report", _("a monitoring report is required"))
    if not isinstance(evaluator, Organisation) or evaluator.kind != "evaluator":
        errors["evaluator"] = [_("an evaluator organisation is required")]
    rules.check_count(verified_t, errors, "verified_t")
    rules.check_day(verified_on, errors, "verified_on", required=False)
    if "verified_t" not in errors and verified_t > report.claimed_t:
        errors["verified_t"] = [_("more than the %(n)s t the report claims") % {"n": f"{report.claimed_t:,}"}]
    _raise(errors)
    _deny(may_verify(user, evaluator))
    if Verification.objects.filter(report=report).exists():
        raise field_error("report", _("this report is already verified"))
    return Verification.objects.create(report=report, evaluator=evaluator, verified_t=verified_t,
                                       vintage=vintage or report.period_end.year,
                                       verified_on=verified_on or timezone.localdate())


def _move(kind, block, *, source=None, from_holder=None, to_holder=None, units, on, user, subscription=None, posting=None):
    return CarbonMove(kind=kind, block=block, source=source, from_holder=from_holder, to_holder=to_holder, units=units,
                      on=on, by=user if getattr(user, "pk", None) else None, subscription=subscription, posting=posting)


@action
def issue(user, *, verification, units=None, issued_on=None) -> CarbonBlock:
    """Issue verified tonnes as the next serials of the project, to the project's owner."""
    if not rules.is_national(user):
        raise PermissionDenied(_("only the national coordinator (the registry) issues units"))
    if not isinstance(verification, Verification):
        raise field_error("verification", _("a verification is required"))
    errors = {}
    if units is not None:
        rules.check_count(units, errors, "units")
    rules.check_day(issued_on, errors, "issued_on", required=False)
    _raise(errors)
    verification = Verification.objects.select_for_update().select_related("report__project").get(pk=verification.pk)
    project = SinkProject.objects.select_for_update().get(pk=verification.report.project_id)
    left = verification.verified_t - verification.issued_t
    units = left if units is None else units
    if units <= 0 or units > left:
        raise field_error("units", _("only %(n)s verified tonnes are not yet issued") % {"n": f"{left:,}"})
    on = issued_on or timezone.localdate()
    first = project.next_serial
    block = CarbonBlock.objects.create(project=project, verification=verification, vintage=verification.vintage, first=first,
                                       last=first + units - 1, holder=project.owner)
    _move(Movement.ISSUE, block, to_holder=project.owner, units=units, on=on, user=user).save()
    project.next_serial = first + units
    project.save(update_fields=["next_serial"])
    verification.issued_t += units
    verification.save(update_fields=["issued_t"])
    changed({project.county.code}, on, sender=CarbonBlock)
    publish("markets", {"market": "carbon", "event": "issue", "units": units, "regions": [project.county.code],
                        "county": project.county.code})
    return block


def _locked_block(block) -> CarbonBlock:
    if not isinstance(block, CarbonBlock):
        raise field_error("block", _("a block of units is required"))
    return CarbonBlock.objects.select_for_update().select_related("project", "holder__region").get(pk=block.pk)


def _cut(block, units, *, to_holder, on, user, kind, status=BlockStatus.ACTIVE, subscription=None, posting=None, **extra):
    """Supersede a locked active block by [first, first+units-1] (to `to_holder`, `status`) and
    the rest (still the holder's). Returns the moved part."""
    moved = CarbonBlock(project=block.project, verification_id=block.verification_id, vintage=block.vintage,
                        first=block.first, last=block.first + units - 1, holder=to_holder, status=status, parent=block, **extra)
    rest = None
    if units < block.units:
        rest = CarbonBlock(project=block.project, verification_id=block.verification_id, vintage=block.vintage,
                           first=block.first + units, last=block.last, holder=block.holder, parent=block)
    block.status = BlockStatus.SPLIT
    block.save(update_fields=["status"])
    moved.save()
    moves = [_move(kind, moved, source=block, from_holder=block.holder, to_holder=to_holder, units=units, on=on, user=user,
                   subscription=subscription, posting=posting)]
    if rest is not None:
        rest.save()
        moves.append(_move(Movement.TRANSFER, rest, source=block, from_holder=block.holder, to_holder=block.holder,
                           units=rest.units, on=on, user=user))
    CarbonMove.objects.bulk_create(moves)
    record_created(moves)  # bulk_create sends no signals: the audit log's entries, one per move
    return moved


def _check_movable(user, block, units, errors):
    if units is not None:
        rules.check_count(units, errors, "units")
    _raise(errors)
    _deny(rules.may_act_for(user, block.holder))
    if block.status == BlockStatus.RETIRED:
        raise field_error("block", _("%(serial)s is retired and never moves again") % {"serial": block.serial})
    if block.status != BlockStatus.ACTIVE:
        raise field_error("block", _("%(serial)s was already moved or split; use the blocks it became") % {"serial": block.serial})
    units = block.units if units is None else units
    if units > block.units:
        raise field_error("units", _("%(holder)s holds only %(n)s units in %(serial)s") % {
            "holder": block.holder, "n": f"{block.units:,}", "serial": block.serial})
    return units


@action
def transfer(user, *, block, to_holder, units=None, on=None) -> CarbonBlock:
    errors = {}
    if not isinstance(to_holder, Organisation):
        errors["to_holder"] = [_("an account holder is required")]
    rules.check_day(on, errors, "on", required=False)
    block = _locked_block(block)
    units = _check_movable(user, block, units, errors)
    if to_holder.pk == block.holder_id:
        raise field_error("to_holder", _("the units are already in this account"))
    return _cut(block, units, to_holder=to_holder, on=on or timezone.localdate(), user=user, kind=Movement.TRANSFER)


@action
def retire(user, *, block, beneficiary, purpose, units=None, on=None) -> CarbonBlock:
    errors = {}
    rules.check_text(beneficiary, errors, "beneficiary", max_length=200)
    rules.check_text(purpose, errors, "purpose", max_length=300)
    rules.check_day(on, errors, "on", required=False)
    block = _locked_block(block)
    units = _check_movable(user, block, units, errors)
    day = on or timezone.localdate()
    retired = _cut(block, units, to_holder=block.holder, on=day, user=user, kind=Movement.RETIRE, status=BlockStatus.RETIRED,
                   beneficiary=beneficiary.strip(), retirement_purpose=purpose.strip(), retired_on=day)
    changed({block.project.county.code, block.holder.region.code}, day, sender=CarbonBlock)
    return retired


@action
def sign_subscription(user, *, project, subscriber, price_fen_per_t, share_pct, tonnes, signed_on=None,
                      is_demo=False) -> Subscription:
    errors = {}
    if not isinstance(project, SinkProject):
        errors["project"] = [_("a sink project is required")]
    if not isinstance(subscriber, Organisation) or subscriber.region.role != "east":
        errors["subscriber"] = [_("subscribers are eastern organisations")]
    rules.check_fen(price_fen_per_t, errors, "price_fen_per_t")
    rules.check_count(share_pct, errors, "share_pct")
    if "share_pct" not in errors and share_pct > 100:
        errors["share_pct"] = [_("a share is at most 100%")]
    rules.check_count(tonnes, errors, "tonnes")
    rules.check_day(signed_on, errors, "signed_on", required=False)
    _raise(errors)
    _deny(rules.may_act_for(user, subscriber))
    return Subscription.objects.create(project=project, subscriber=subscriber, price_fen_per_t=price_fen_per_t,
                                       share_pct=share_pct, tonnes=tonnes, signed_on=signed_on or timezone.localdate(),
                                       is_demo=is_demo)


def due_t(subscription) -> int:
    """What the subscriber is owed so far: its share of what was issued since it signed, up to its tonnes."""
    issued = CarbonMove.objects.filter(kind=Movement.ISSUE, block__project=subscription.project_id,
                                       on__gte=subscription.signed_on).aggregate(s=Sum("units"))["s"] or 0
    return min(subscription.tonnes, issued * subscription.share_pct // 100)


@action
def deliver(user, *, subscription, units, on=None) -> list[CarbonBlock]:
    """Deliver `units` of the project's issued units from its owner to the subscriber (oldest
    serials first, splitting the last block), and take the payment through the ledger."""
    errors = {}
    if not isinstance(subscription, Subscription):
        raise field_error("subscription", _("a subscription is required"))
    rules.check_count(units, errors, "units")
    rules.check_day(on, errors, "on", required=False)
    _raise(errors)
    sub = Subscription.objects.select_for_update().select_related("project__owner__region", "subscriber__region").get(
        pk=subscription.pk)
    owner = sub.project.owner
    _deny(rules.may_act_for(user, owner))
    if sub.delivered_t + units > sub.tonnes:
        raise field_error("units", _("only %(n)s t of the subscription are not yet delivered") % {
            "n": f"{sub.tonnes - sub.delivered_t:,}"})
    day = on or timezone.localdate()
    blocks = list(CarbonBlock.objects.select_for_update().filter(project=sub.project, holder=owner, status=BlockStatus.ACTIVE)
                  .order_by("first"))
    if sum(b.units for b in blocks) < units:
        raise field_error("units", _("%(owner)s holds only %(n)s units of this project") % {
            "owner": owner, "n": f"{sum(b.units for b in blocks):,}"})
    amount = units * sub.price_fen_per_t
    n = CarbonMove.objects.filter(subscription=sub).count()
    posting = pay(user, payer=sub.subscriber, payee=owner, amount_fen=amount, key=f"mkt-carbon-{sub.pk}-{n}-{sub.delivered_t}",
                  body={"market": "carbon", "subscription": sub.pk, "units": units, "from": sub.delivered_t, "booked_on": day},
                  booked_on=day, memo=_("carbon units of %(code)s, %(n)s t") % {"code": sub.project.code, "n": units})
    left, made = units, []
    for b in blocks:
        if left == 0:
            break
        take = min(left, b.units)
        made.append(_cut(b, take, to_holder=sub.subscriber, on=day, user=user, kind=Movement.DELIVER, subscription=sub,
                         posting=posting))
        left -= take
    sub.delivered_t += units
    sub.save(update_fields=["delivered_t"])
    changed({sub.project.county.code, sub.subscriber.region.code}, day, sender=Subscription)
    return made


def find_serial(text: str, qs=None):
    """The live blocks holding any unit of the serial (range) typed, oldest first."""
    from .serials import parse_serial

    parsed = parse_serial(text)
    if parsed is None:
        return CarbonBlock.objects.none()
    code, vintage, first, last = parsed
    qs = qs if qs is not None else CarbonBlock.objects.all()
    return qs.filter(project__code=code, vintage=vintage, first__lte=last, last__gte=first).exclude(
        status=BlockStatus.SPLIT).order_by("first")


__all__ = ["register_project", "submit_monitoring", "verify_report", "issue", "transfer", "retire", "sign_subscription",
           "deliver", "due_t", "find_serial", "organisation_of"]
