"""What the labour channel did for a household, as rows of the household page (a page part
registered in apps.py): the placements of its members registered as workers, and the
subsidies paid for them. The household page is the registry's: only the roles that may see
its rows (`households.privacy.may_see_rows`) get them, within their own part of the tree."""
from django.urls import reverse
from django.utils.translation import gettext as _

from xiezuo.core.money import format_yuan
from xiezuo.households.privacy import may_see_rows

from .models import Placement, SubsidyPayment, Worker


def household_labour(user, household) -> list[dict]:
    if not may_see_rows(user):
        return []
    workers = Worker.objects.visible_to(user).filter(member__household=household).values("id")
    rows = []
    for p in (Placement.objects.visible_to(user).filter(worker__in=workers).select_related("worker", "employer", "place")
              .order_by("-start_date", "-id")):
        ended = _("until %(d)s") % {"d": p.end_date.isoformat()} if p.end_date else _("still employed")
        rows.append({"label": _("Labour placement"), "kind": "placement", "day": p.start_date,
                     "text": _("%(worker)s · %(employer)s, %(place)s · from %(start)s, %(ended)s") % {
                         "worker": p.worker.name, "employer": p.employer.name, "place": p.place.name,
                         "start": p.start_date.isoformat(), "ended": ended},
                     "url": reverse("labour-placement-detail", args=[p.pk])})
    for s in (SubsidyPayment.objects.filter(placement__in=Placement.objects.visible_to(user).filter(worker__in=workers))
              .select_related("worker").order_by("-paid_on", "-id")):
        rows.append({"label": _("Labour subsidy"), "kind": "subsidy", "day": s.paid_on, "amount_fen": s.amount_fen,
                     "text": _("%(worker)s · %(kind)s %(year)s · paid on %(day)s · %(amount)s") % {
                         "worker": s.worker.name, "kind": s.get_kind_display(), "year": s.year,
                         "day": s.paid_on.isoformat(), "amount": format_yuan(s.amount_fen)},
                     "url": reverse("labour-placement-detail", args=[s.placement_id])})
    return rows
