"""The loop's actions: closing and verifying rectification orders, answering warnings,
proposals and tickets. Like every action they validate, check permission and write; the
audit log records each change.

Who may do what (the permission matrix the tests spell out):

* an order is closed (evidence submitted) only by its owner office — its admins and
  editors, or holders of its posts — while it is issued or sent back;
* it is verified or sent back only by its issuer office, or by the national coordinator
  who supervises every issuer; never by the owner itself;
* a warning is acknowledged, a ticket resolved, by the owner office; a restructuring
  proposal is decided by its owner office (the level that can change the pairing) or the
  national coordinator;
* viewers and auditors read (through the scoping rule) and change nothing;
* an order is issued by hand (`issue_order`) by the national coordinator, or by an admin
  or editor of a province or prefecture office, to a cooperation office below their own
  (`offices.issuing_office`, `offices.offices_below`): never to their own office, never
  outside their subtree — not to a partner's office they can read through a pairing. A
  county office has no office below it and issues none. A hand-made order has no rule; it
  names who issued it, and from then on is closed, verified and escalated like any other.
"""
import os
import uuid

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core.context import action
from xiezuo.core.errors import PermissionDenied, ValidationError, field_error
from xiezuo.core.scoping import scope_for

from .choices import ClosureDecision, OrderStatus, ProposalStatus, TicketStatus, WarningStatus
from .models import InterventionTicket, OrderClosure, PerformanceWarning, RectificationOrder, RestructuringProposal
from .offices import acts_for

MAX_TEXT = 5000
MAX_TITLE = 200
MAX_WORKING_DAYS = 120  # about half a year of working days: longer is a plan, not a rectification
ALLOWED_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".ofd", ".zip", ".txt")


def max_attachment_bytes() -> int:
    return getattr(settings, "XIEZUO_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)


def _is_national(user) -> bool:
    scope = scope_for(user)
    return scope.active and scope.role == "national"


def may_close(user, order: RectificationOrder) -> bool:
    return order.status in (OrderStatus.ISSUED, OrderStatus.SENT_BACK) and acts_for(user, order.owner_office)


def is_verifier(user, order: RectificationOrder) -> bool:
    """The issuer office (or the national coordinator), never the owner itself."""
    if acts_for(user, order.owner_office) and not _is_national(user):
        return False
    return acts_for(user, order.issuer_office) or _is_national(user)


def may_verify(user, order: RectificationOrder) -> bool:
    return order.status == OrderStatus.SUBMITTED and is_verifier(user, order)


def _text(value, field, required=True) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise field_error(field, _("text is required"))
    if required and not text:
        raise field_error(field, _("say what was done"))
    if len(text) > MAX_TEXT:
        raise field_error(field, _("at most %(n)d characters") % {"n": MAX_TEXT})
    return text


@action
def submit_closure(user, order: RectificationOrder, *, text: str, attachment=None) -> OrderClosure:
    """The owner office reports the order done, with evidence: text and an optional file."""
    order = RectificationOrder.objects.select_for_update().get(pk=order.pk)
    if not acts_for(user, order.owner_office):
        raise PermissionDenied(_("only %(office)s closes this order") % {"office": order.owner_office})
    if order.status not in (OrderStatus.ISSUED, OrderStatus.SENT_BACK):
        raise field_error("status", _("the order is %(status)s") % {"status": order.get_status_display()})
    text = _text(text, "text")
    name = ""
    if attachment is not None:
        name = os.path.basename(getattr(attachment, "name", "") or "")[:200]
        if not name.lower().endswith(ALLOWED_EXTENSIONS):
            raise field_error("attachment", _("allowed files: %(ext)s") % {"ext": ", ".join(ALLOWED_EXTENSIONS)})
        if (getattr(attachment, "size", 0) or 0) > max_attachment_bytes():
            raise field_error("attachment", _("the file is larger than %(mb)d MB") % {"mb": max_attachment_bytes() // (1024 * 1024)})
    closure = OrderClosure(order=order, text=text, submitted_by=user if getattr(user, "pk", None) else None,
                           attachment_name=name)
    if attachment is not None:
        closure.attachment.save(name, attachment, save=False)
    closure.save()
    order.status = OrderStatus.SUBMITTED
    order.save(update_fields=["status"])
    return closure


@action
def verify_closure(user, order: RectificationOrder, *, accept: bool, note: str = "") -> RectificationOrder:
    """The issuer accepts the evidence (the order is closed) or sends it back with a reason."""
    order = RectificationOrder.objects.select_for_update().get(pk=order.pk)
    if not is_verifier(user, order):
        raise PermissionDenied(_("only the issuing office (%(office)s) verifies this order") % {"office": order.issuer_office})
    if order.status != OrderStatus.SUBMITTED:
        if order.status in (OrderStatus.ISSUED, OrderStatus.SENT_BACK):
            raise field_error("status", _("no closure has been submitted"))
        raise field_error("status", _("the order is %(status)s") % {"status": order.get_status_display()})
    note = _text(note, "note", required=not accept)
    closure = order.closures.order_by("-submitted_at", "-id").first()
    now = timezone.now()
    closure.decision = ClosureDecision.ACCEPTED if accept else ClosureDecision.SENT_BACK
    closure.decision_note, closure.decided_by, closure.decided_at = note, user, now
    closure.save()
    if accept:
        order.status, order.verified_by, order.verified_at = OrderStatus.VERIFIED, user, now
    else:
        order.status = OrderStatus.SENT_BACK
    order.save(update_fields=["status", "verified_by", "verified_at"])
    return order


@action
def acknowledge_warning(user, warning: PerformanceWarning, *, response: str) -> PerformanceWarning:
    warning = PerformanceWarning.objects.select_for_update().get(pk=warning.pk)
    if not acts_for(user, warning.owner_office):
        raise PermissionDenied(_("only %(office)s answers this warning") % {"office": warning.owner_office})
    if warning.status != WarningStatus.OPEN:
        raise field_error("status", _("the warning is already acknowledged"))
    warning.response = _text(response, "response")
    warning.status, warning.acknowledged_by, warning.acknowledged_at = WarningStatus.ACKNOWLEDGED, user, timezone.now()
    warning.save()
    return warning


@action
def decide_proposal(user, proposal: RestructuringProposal, *, accept: bool, note: str) -> RestructuringProposal:
    proposal = RestructuringProposal.objects.select_for_update().get(pk=proposal.pk)
    if not (acts_for(user, proposal.owner_office) or _is_national(user)):
        raise PermissionDenied(_("only %(office)s or the national coordinator decides this proposal") % {"office": proposal.owner_office})
    if proposal.status != ProposalStatus.OPEN:
        raise field_error("status", _("the proposal is already decided"))
    proposal.decision_note = _text(note, "note")
    proposal.status = ProposalStatus.ACCEPTED if accept else ProposalStatus.REJECTED
    proposal.decided_by, proposal.decided_at = user, timezone.now()
    proposal.save()
    return proposal


@action
def resolve_ticket(user, ticket: InterventionTicket, *, resolution: str) -> InterventionTicket:
    ticket = InterventionTicket.objects.select_for_update().get(pk=ticket.pk)
    if not acts_for(user, ticket.owner_office):
        raise PermissionDenied(_("only %(office)s resolves this ticket") % {"office": ticket.owner_office})
    if ticket.status != TicketStatus.OPEN:
        raise field_error("status", _("the ticket is already resolved"))
    ticket.resolution = _text(resolution, "resolution")
    ticket.status, ticket.resolved_by, ticket.resolved_at = TicketStatus.RESOLVED, user, timezone.now()
    ticket.save()
    return ticket




# --- orders issued by hand ----------------------------------------------------------------


def may_issue(user) -> bool:
    from .offices import issuing_office

    return issuing_office(user) is not None


def order_targets(user):
    """The offices the user may order (none when they may issue no order)."""
    from xiezuo.orgs.models import Organisation

    from .offices import issuing_office, offices_below

    issuer = issuing_office(user)
    return offices_below(issuer) if issuer is not None else Organisation.objects.none()


def targets_for(user, regions):
    """The offices the user may order whose area holds one of `regions` (a project's county,
    a scored county, a pairing's two sides)."""
    codes = {c for r in regions if r is not None for c in (r.code[:2] + "0000", r.code[:4] + "00", r.code)}
    offices = order_targets(user).filter(region__code__in=codes)
    return offices.filter(pk__in=[o.pk for o in offices if any(_in_area(o, r) for r in regions if r is not None)])


def _in_area(office, region) -> bool:
    return region is not None and region.code.startswith(office.region.prefix)


def _milestone_evidence(milestone, today) -> dict:
    late = max((today - milestone.planned_date).days, 0) if milestone.actual_date is None else 0
    return {"id": milestone.pk, "project": milestone.project.code, "seq": milestone.seq, "name": milestone.name,
            "planned_date": milestone.planned_date.isoformat(), "checked_on": today.isoformat(), "days_late": late}


@action
def issue_order(user, *, owner_office, title, reason, working_days, project=None, milestone=None, score=None,
                today=None) -> RectificationOrder:
    """A 限期整改 order issued by hand to an office below the issuer's, about a project (or
    one of its milestones) or a scored subject, due in `working_days` working days on the
    official calendar. The owner post follows the rule of `offices.owner_post`; the issuing
    office's leading post gets the closure to verify."""
    from xiezuo.orgs.choices import OrgKind
    from xiezuo.rhythm import workdays

    from .loop import _score_evidence
    from .offices import issuing_office, owner_post

    today = today or timezone.localdate()
    issuer = issuing_office(user)
    if issuer is None:
        raise PermissionDenied(_("only the national coordinator and the admins and editors of province and prefecture offices "
                                 "issue rectification orders"))
    errors = {}

    def refuse(field, message):
        errors.setdefault(field, []).append(message)

    if owner_office is None or getattr(owner_office, "kind", None) != OrgKind.OFFICE:
        refuse("owner_office", _("choose the cooperation office that must rectify"))
    elif owner_office.pk == issuer.pk:
        refuse("owner_office", _("an office does not issue an order to itself"))
    title = (title or "").strip() if isinstance(title, str) or title is None else ""
    if not title:
        refuse("title", _("give the order a title"))
    elif len(title) > MAX_TITLE:
        refuse("title", _("at most %(n)d characters") % {"n": MAX_TITLE})
    reason = (reason or "").strip() if isinstance(reason, str) or reason is None else ""
    if not reason:
        refuse("reason", _("say what must be rectified and why"))
    elif len(reason) > MAX_TEXT:
        refuse("reason", _("at most %(n)d characters") % {"n": MAX_TEXT})
    deadline = None
    if working_days in (None, ""):
        refuse("working_days", _("set the deadline in working days"))
    elif not isinstance(working_days, int) or isinstance(working_days, bool) or not 1 <= working_days <= MAX_WORKING_DAYS:
        refuse("working_days", _("between 1 and %(n)d working days") % {"n": MAX_WORKING_DAYS})
    else:
        try:
            deadline = workdays.add_working_days(today, working_days)
        except workdays.CalendarNotCovered as exc:
            refuse("working_days", str(exc))
    if milestone is not None:
        if project is None:
            project = milestone.project
        elif milestone.project_id != project.pk:
            refuse("milestone", _("the milestone is not one of the project's"))
    if errors:
        raise ValidationError(errors)

    # Scope: the target office below the issuer, and the subject in the target's area.
    from .offices import offices_below

    if not offices_below(issuer).filter(pk=owner_office.pk).exists():
        raise PermissionDenied(_("%(office)s is not an office below %(issuer)s") % {"office": owner_office, "issuer": issuer})
    if project is not None and not _in_area(owner_office, project.county):
        raise field_error("project", _("%(project)s is not in the area of %(office)s") % {"project": project.code, "office": owner_office})
    region, pairing, subject_key = owner_office.region, None, ""
    period = {}
    evidence = {"manual": {"issued_by": getattr(user, "username", ""), "issuer_office": issuer.name, "issued_on": today.isoformat()}}
    if score is not None:
        sides = [score.region] if score.region_id else [score.pairing.west_region, score.pairing.east_region]
        if not any(_in_area(owner_office, r) for r in sides):
            raise field_error("score", _("the scorecard of %(subject)s is not in the area of %(office)s") % {
                "subject": score.subject_key, "office": owner_office})
        region = score.region if score.region_id else region
        pairing, subject_key = score.pairing, score.subject_key
        period = {"period_kind": score.period_kind, "period_start": score.period_start, "period_label": score.period_label}
        evidence.update(_score_evidence([score]))
    if project is not None:
        region, pairing = project.county, project.pairing or pairing
        subject_key = subject_key or f"region:{project.county.code}"
        evidence["project"] = {"id": project.pk, "code": project.code, "name": project.name}
    if milestone is not None:
        evidence["milestone"] = _milestone_evidence(milestone, today)
    post, fallback = owner_post(owner_office, project)
    order = RectificationOrder.objects.create(
        rule=None, rule_revision=None, rule_snapshot={}, key=f"manual:{uuid.uuid4().hex}", owner_office=owner_office,
        owner_post=post, owner_fallback=fallback, region=region, pairing=pairing, subject_key=subject_key, reason=reason,
        evidence=evidence, title=title, project=project, milestone=milestone, issuer_office=issuer, issued_on=today,
        working_days=working_days, deadline=deadline, issued_by=user, **period)
    return order


def score_order_link(user):
    """`link(score) -> url` of the form issuing an order about a scorecard row, "" where the
    user may order no office answering for it: a subject below the issuer's own region (the
    scorecard pages list partners' subjects too, which are not the issuer's to order)."""
    from django.urls import reverse

    from xiezuo.orgs.choices import OrgKind

    from .offices import issuing_office

    issuer = issuing_office(user)
    if issuer is None:
        return lambda score: ""
    prefix = "" if issuer.kind == OrgKind.MINISTRY else issuer.region.prefix
    base = reverse("order-issue")

    def link(score) -> str:
        if score is None or getattr(score, "pk", None) is None:
            return ""
        sides = [p for p in (score.west_prefix, score.east_prefix) if p]
        if any(p.startswith(prefix) and p != prefix for p in sides):
            return f"{base}?score={score.pk}"
        return ""

    return link
