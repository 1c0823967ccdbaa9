"""Who sees which farmers got what of a land-quota split.

A split is visible to both sides of the trade (the eastern buyer sees where its money went),
but its household shares are personal data of the registry: only the roles that may see the
registry's rows of the listing's county (`households.privacy.may_see_rows`, scoped to the
county: its office and those above, the national coordinator, the auditors) see them, one
row per household; the others — the eastern office, a viewer — see how many households and
the farmers' total, never a household. The household page lists a household's shares among
what the cooperation did for it (`household_payouts`, a page part registered in apps.py)."""
from django.urls import reverse
from django.utils.translation import gettext as _

from xiezuo.core.money import format_yuan
from xiezuo.households.lookup import masked_head
from xiezuo.households.privacy import may_see_rows

from ..models import HouseholdShare


def visible_shares(user, split) -> list | None:
    """The split's shares the user may see row by row, or None when the user sees counts only."""
    if not may_see_rows(user):
        return None
    qs = HouseholdShare.objects.visible_to(user).filter(split=split).select_related("household__village")
    shares = list(qs.order_by("position"))
    if len(shares) != HouseholdShare.objects.filter(split=split).count():
        return None
    return shares


def share_rows(user, split) -> dict:
    """What a page or an API answer shows of a split's shares: `count`, `matched`, and `rows`
    (None for a reader who sees counts only)."""
    total = HouseholdShare.objects.filter(split=split).count()
    unmatched = HouseholdShare.objects.filter(split=split, household__isnull=True).count()
    shares = visible_shares(user, split)
    rows = None
    if shares is not None:
        rows = [{"share": s, "household": s.household, "head": masked_head(s.household) if s.household else None}
                for s in shares]
    return {"count": total, "unmatched": unmatched, "rows": rows}


def household_payouts(user, household) -> list[dict]:
    """The land-quota shares of a household, as rows of the household page: listing, date
    (paid out on, or traded on while not yet paid out) and amount, exact to the fen."""
    if not may_see_rows(user):
        return []
    shares = (HouseholdShare.objects.visible_to(user).filter(household=household)
              .select_related("split__trade__listing").order_by("-split__trade__traded_on", "-id"))
    out = []
    for s in shares:
        trade = s.split.trade
        if s.split.paid_on:
            when = _("paid out on %(d)s") % {"d": s.split.paid_on.isoformat()}
        else:
            when = _("split, not yet paid out (traded on %(d)s)") % {"d": trade.traded_on.isoformat()}
        out.append({"label": _("Land-quota proceeds"), "kind": "land", "day": s.split.paid_on or trade.traded_on,
                    "paid": s.split.paid_on is not None, "amount_fen": s.fen, "listing": trade.listing.code,
                    "text": f"{trade.listing.code} · {when} · {format_yuan(s.fen)}",
                    "url": reverse("markets-land-trade", args=[trade.pk])})
    return out
