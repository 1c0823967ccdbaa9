"""Consultation decisions as items of the one list (see `items.py`): each open decision is
an item of its owner post, and of the post it was escalated to."""
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .items import Item, source


@source
def action_items(post_ids, open_only):
    from .models import ActionItem

    ids = set(post_ids)
    if not ids:
        return []
    qs = ActionItem.objects.filter(Q(owner_post_id__in=ids) | Q(escalated_to_id__in=ids)).select_related("consultation", "owner_post")
    if open_only:
        qs = qs.filter(done_on__isnull=True)
    today = timezone.localdate()
    out = []
    for a in qs:
        state = a.state(today)
        label = {"done": _("done"), "overdue": _("overdue"), "open": _("open")}[state]
        for post_id, escalated in ((a.owner_post_id, False), (a.escalated_to_id, True)):
            if post_id in ids:
                status = _("%(state)s, escalated from %(post)s") % {"state": label, "post": a.owner_post.name} if escalated else label
                out.append(Item(kind=_("consultation decision"), title=a.decision, post_id=post_id, deadline=a.deadline,
                                status=str(status), is_open=a.done_on is None, url=a.get_absolute_url(), overdue=state == "overdue",
                                group="decision"))
    return out
