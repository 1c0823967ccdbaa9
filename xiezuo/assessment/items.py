"""The closed loop's contribution to rhythm's one list of items (registered in
AssessmentConfig.ready): open (or all) orders, warnings, proposals and tickets owned by the
given posts. An escalated order is listed for the post it was escalated to as well as for
its owner post."""
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.rhythm.items import Item

from .choices import OPEN_ORDER_STATES, ProposalStatus, TicketStatus, WarningStatus


def _url(name, pk=None) -> str:
    try:
        return reverse(name, args=[pk]) if pk is not None else reverse(name)
    except NoReverseMatch:
        return ""


def items(post_ids, open_only: bool = True):
    from .models import InterventionTicket, PerformanceWarning, RectificationOrder, RestructuringProposal

    post_ids = set(post_ids)
    if not post_ids:
        return
    today = timezone.localdate()
    orders = RectificationOrder.objects.filter(Q(owner_post_id__in=post_ids) | Q(escalations__to_post_id__in=post_ids)).distinct()
    if open_only:
        orders = orders.filter(status__in=OPEN_ORDER_STATES)
    for o in orders.prefetch_related("escalations"):
        posts = {o.owner_post_id} | {e.to_post_id for e in o.escalations.all()}
        for post_id in sorted(posts & post_ids):
            yield Item(kind=_("Rectification order"), title=o.title, post_id=post_id, deadline=o.deadline,
                       status=o.get_status_display(), is_open=o.is_open, url=_url("order-detail", o.pk), overdue=o.is_overdue(today))
    warnings = PerformanceWarning.objects.filter(owner_post_id__in=post_ids).select_related("region", "pairing")
    if open_only:
        warnings = warnings.filter(status=WarningStatus.OPEN)
    for w in warnings:
        yield Item(kind=_("Warning"), title=_("level %(level)d warning: %(subject)s %(period)s") % {
            "level": w.level, "subject": w.subject_name, "period": w.period_label}, post_id=w.owner_post_id, deadline=None,
            status=w.get_status_display(), is_open=w.status == WarningStatus.OPEN, url=_url("warning-list") + f"#warning-{w.pk}")
    proposals = RestructuringProposal.objects.filter(owner_post_id__in=post_ids).select_related("region", "pairing")
    if open_only:
        proposals = proposals.filter(status=ProposalStatus.OPEN)
    for p in proposals:
        yield Item(kind=_("Restructuring proposal"), title=f"{p.subject_name} {p.period_label}", post_id=p.owner_post_id,
                   deadline=None, status=p.get_status_display(), is_open=p.status == ProposalStatus.OPEN,
                   url=_url("proposal-list") + f"#proposal-{p.pk}")
    tickets = InterventionTicket.objects.filter(owner_post_id__in=post_ids)
    if open_only:
        tickets = tickets.filter(status=TicketStatus.OPEN)
    for t in tickets:
        is_open = t.status == TicketStatus.OPEN
        yield Item(kind=_("Intervention ticket"), title=t.title, post_id=t.owner_post_id, deadline=t.deadline,
                   status=t.get_status_display(), is_open=is_open, url=_url("ticket-list") + f"#ticket-{t.pk}",
                   overdue=bool(is_open and t.deadline and today > t.deadline))
