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
* viewers and auditors read (through the scoping rule) and change nothing.
"""
import os

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core.context import action
from xiezuo.core.errors import PermissionDenied, field_error
from xiezuo.core.scoping import scope_for

from .choices import ClosureDecision, OrderStatus, ProposalStatus, TicketStatus, WarningStatus
from .models import InterventionTicket, OrderClosure, PerformanceWarning, RectificationOrder, RestructuringProposal
from .offices import acts_for

MAX_TEXT = 5000
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


