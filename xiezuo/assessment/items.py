"""The closed loop's contribution to rhythm's one list of items (registered in
AssessmentConfig.ready): what the given posts must act on.

* rectification orders owned by a post, or escalated to it, until verified;
* closures awaiting verification: an item of the issuing office's leading post from the
  moment the owner submits until the issuer accepts or sends it back (computed from the
  order, so it cannot be lost or left behind);
* open warnings, restructuring proposals and intervention tickets owned by a post.

The querysets that decide which rows are a post's items are defined once here and used
both for 我的事项 and for the lists it links to (`?post=…`, `?verify=…`), so the count on
my items is the count of the list behind it. Each item links to its own page: an order's
page, or the warnings / proposals / tickets list filtered to that one row (`?id=…`).
"""
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core.arrays import ids_in
from xiezuo.rhythm.items import Item

from .choices import OPEN_ORDER_STATES, OrderStatus, ProposalStatus, TicketStatus, WarningStatus

ORDER, VERIFY, WARNING, PROPOSAL, TICKET = "order", "verify", "warning", "proposal", "ticket"
LIST_NAMES = {ORDER: "order-list", VERIFY: "order-list", WARNING: "warning-list", PROPOSAL: "proposal-list", TICKET: "ticket-list"}


def _url(name, pk=None) -> str:
    try:
        return reverse(name, args=[pk]) if pk is not None else reverse(name)
    except NoReverseMatch:
        return ""


def post_ids_from(raw) -> list[int]:
    """`?post=3,7` → [3, 7]; anything else is ignored."""
    return sorted({int(part) for part in str(raw or "").split(",") if part.strip().isdigit()})


def list_url(group: str, post_ids) -> str:
    """The list page showing exactly the items of `group` owned by these posts."""
    ids = ",".join(str(i) for i in sorted(set(post_ids)))
    param = "verify" if group == VERIFY else "post"
    return f"{_url(LIST_NAMES[group])}?{param}={ids}"


def item_url(group: str, pk: int) -> str:
    """An item's own page: the order's, else its list filtered to that one row."""
    if group in (ORDER, VERIFY):
        return _url("order-detail", pk)
    return f"{_url(LIST_NAMES[group])}?id={pk}"


# --- which rows are the posts' items ------------------------------------------------------------


def orders_of(post_ids, open_only: bool = True):
    from .models import RectificationOrder

    qs = RectificationOrder.objects.filter(
        Q(owner_post_id__in=ids_in(post_ids))
        | Q(pk__in=RectificationOrder.objects.filter(escalations__to_post_id__in=ids_in(post_ids)).values("pk")))
    return qs.filter(status__in=OPEN_ORDER_STATES) if open_only else qs


def verifications_of(post_ids):
    """Orders whose closure waits for the verification of the office whose leading post is
    among `post_ids`."""
    from xiezuo.rhythm.models import Post

    from .models import RectificationOrder

    offices = Post.objects.filter(pk__in=ids_in(post_ids), is_lead=True).values("office_id")
    return RectificationOrder.objects.filter(status=OrderStatus.SUBMITTED, issuer_office_id__in=offices)


def warnings_of(post_ids, open_only: bool = True):
    from .models import PerformanceWarning

    qs = PerformanceWarning.objects.filter(owner_post_id__in=ids_in(post_ids))
    return qs.filter(status=WarningStatus.OPEN) if open_only else qs


def proposals_of(post_ids, open_only: bool = True):
    from .models import RestructuringProposal

    qs = RestructuringProposal.objects.filter(owner_post_id__in=ids_in(post_ids))
    return qs.filter(status=ProposalStatus.OPEN) if open_only else qs


def tickets_of(post_ids, open_only: bool = True):
    from .models import InterventionTicket

    qs = InterventionTicket.objects.filter(owner_post_id__in=ids_in(post_ids))
    return qs.filter(status=TicketStatus.OPEN) if open_only else qs


def subject_label(obj) -> str:
    """What a warning or proposal is about, telling a county's own score from its pairing's
    (both can be poor, and both name the same pairing)."""
    if obj.subject_key.startswith("pairing:") and obj.pairing_id:
        return _("%(pairing)s (pairing)") % {"pairing": obj.pairing}
    if obj.region_id:
        return obj.region.name
    return obj.subject_name


def _note(obj) -> str:
    return str(obj.get_owner_fallback_display()) if obj.owner_fallback else ""


# --- the source ---------------------------------------------------------------------------------


def items(post_ids, open_only: bool = True):
    post_ids = sorted(set(post_ids))
    if not post_ids:
        return
    today = timezone.localdate()
    orders = orders_of(post_ids, open_only).select_related("owner_office").prefetch_related("escalations")
    for o in orders:
        posts = {o.owner_post_id} | {e.to_post_id for e in o.escalations.all()}
        for post_id in sorted(posts & set(post_ids)):
            escalated = post_id != o.owner_post_id
            note = (_("escalated from %(office)s") % {"office": o.owner_office.name}) if escalated else _note(o)
            yield Item(kind=_("Rectification order"), title=o.title, post_id=post_id, deadline=o.deadline,
                       status=o.get_status_display(), is_open=o.is_open, url=item_url(ORDER, o.pk), overdue=o.is_overdue(today),
                       group=ORDER, note=note)
    leads = _lead_posts(post_ids)
    for o in verifications_of(post_ids).select_related("owner_office"):
        yield Item(kind=_("Closure to verify"), title=o.title, post_id=leads[o.issuer_office_id], deadline=None,
                   status=_("submitted by %(office)s") % {"office": o.owner_office.name}, is_open=True,
                   url=item_url(VERIFY, o.pk), group=VERIFY)
    for w in warnings_of(post_ids, open_only).select_related("region", "pairing__east_region", "pairing__west_region"):
        yield Item(kind=_("Warning"), title=_("level %(level)d warning: %(subject)s %(period)s") % {
            "level": w.level, "subject": subject_label(w), "period": w.period_label}, post_id=w.owner_post_id, deadline=None,
            status=w.get_status_display(), is_open=w.status == WarningStatus.OPEN, url=item_url(WARNING, w.pk), group=WARNING,
            note=_note(w))
    for p in proposals_of(post_ids, open_only).select_related("region", "pairing__east_region", "pairing__west_region"):
        yield Item(kind=_("Restructuring proposal"), title=f"{subject_label(p)} {p.period_label}", post_id=p.owner_post_id,
                   deadline=None, status=p.get_status_display(), is_open=p.status == ProposalStatus.OPEN,
                   url=item_url(PROPOSAL, p.pk), group=PROPOSAL, note=_note(p))
    for t in tickets_of(post_ids, open_only):
        is_open = t.status == TicketStatus.OPEN
        yield Item(kind=_("Intervention ticket"), title=t.title, post_id=t.owner_post_id, deadline=t.deadline,
                   status=t.get_status_display(), is_open=is_open, url=item_url(TICKET, t.pk),
                   overdue=bool(is_open and t.deadline and today > t.deadline), group=TICKET, note=_note(t))


def count_items(post_ids, as_of, week_end):
    """`items` as counts, for the weekly sheet's closed groups (`rhythm.sheets.item_counter`):
    one (post, key, overdue, due this week) per item, read as plain values."""
    from .models import OrderEscalation

    post_ids = sorted(set(post_ids))
    if not post_ids:
        return
    today = timezone.localdate()
    ids = set(post_ids)

    def due(deadline, overdue):
        return bool(deadline and not overdue and as_of <= deadline <= week_end)

    rows = list(orders_of(post_ids).values_list("pk", "owner_post_id", "deadline", "status"))
    escalated = {}
    for order_id, to_post in OrderEscalation.objects.filter(order_id__in=ids_in([r[0] for r in rows]), to_post_id__in=ids_in(post_ids)).values_list(
            "order_id", "to_post_id"):
        escalated.setdefault(order_id, set()).add(to_post)
    for pk, owner, deadline, status in rows:
        overdue = status in (OrderStatus.ISSUED, OrderStatus.SENT_BACK) and today > deadline
        for post_id in sorted(({owner} | escalated.get(pk, set())) & ids):
            yield post_id, (ORDER, pk), overdue, due(deadline, overdue)
    leads = _lead_posts(post_ids)
    for pk, issuer in verifications_of(post_ids).values_list("pk", "issuer_office_id"):
        yield leads[issuer], (VERIFY, pk), False, False
    for group, qs in ((WARNING, warnings_of(post_ids)), (PROPOSAL, proposals_of(post_ids))):
        for pk, owner in qs.values_list("pk", "owner_post_id"):
            yield owner, (group, pk), False, False
    for pk, owner, deadline in tickets_of(post_ids).values_list("pk", "owner_post_id", "deadline"):
        overdue = bool(deadline and today > deadline)
        yield owner, (TICKET, pk), overdue, due(deadline, overdue)


def _lead_posts(post_ids) -> dict:
    from xiezuo.rhythm.models import Post

    return dict(Post.objects.filter(pk__in=ids_in(post_ids), is_lead=True).order_by("-pk").values_list("office_id", "pk"))


def issue_url_for_project(user, project) -> str:
    """The project page's link to issue an order about it, for those who may order its office."""
    from .orders import targets_for

    if not targets_for(user, [project.county]).exists():
        return ""
    return f"{_url('order-issue')}?project={project.pk}"


def register():
    """Plug into rhythm: the items, and the list each kind of them links to; into the
    project page: the link to issue an order about the project."""
    from xiezuo.core.ui.parts import register_part
    from xiezuo.rhythm.items import list_link, source

    from xiezuo.rhythm.sheets import item_counter

    source(items)
    item_counter(items)(count_items)
    for group in (ORDER, VERIFY, WARNING, PROPOSAL, TICKET):
        list_link(group, lambda ids, group=group: list_url(group, ids))
    register_part("project-detail", "issue_order_url", issue_url_for_project)
