"""Figures of social help for the dashboard: needs by status (count, budget, paid) in the
office's view, and the ones unanswered for 30 days."""
from django.db.models import Count, Q, Sum

from .choices import NeedStatus
from .filtersets import needs, unanswered_needs
from .models import Pledge


def needs_by_status(user) -> dict:
    qs = needs(user).order_by()
    rows = {r["status"]: r for r in qs.values("status").annotate(n=Count("id"), budget=Sum("budget_fen"))}
    paid = Pledge.objects.filter(need__in=qs, paid_on__isnull=False).aggregate(s=Sum("amount_fen"))["s"] or 0
    pledged = Pledge.objects.filter(need__in=qs).aggregate(s=Sum("amount_fen"))["s"] or 0
    return {
        "by_status": [(s.value, s.label, rows.get(s.value, {}).get("n", 0), rows.get(s.value, {}).get("budget") or 0) for s in NeedStatus],
        "total": sum(r["n"] for r in rows.values()),
        "pledged_fen": pledged,
        "paid_fen": paid,
        "unanswered": unanswered_needs(user).count(),
        "beneficiaries_confirmed": qs.filter(status=NeedStatus.CONFIRMED).aggregate(
            s=Sum("result_beneficiaries"))["s"] or 0,
    }
