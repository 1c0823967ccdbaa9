"""Ledger figures for the live dashboard, through the scoping rule, aggregated in SQL.

Amounts are what is in force: reversed postings and reversals are left out, so a
correction removes the original from every figure. Allocations and arrivals count in the
year of their agreement; disbursements and spending in the year they were booked.
"""
from django.db.models import Sum

from xiezuo.core.scoping import visible
from xiezuo.regions.models import Region

from .balances import standing
from .choices import Kind
from .models import Posting


def _in_force(user):
    return standing(visible(user, Posting.objects.all()))


def _years(year) -> list[int]:
    return [year] if isinstance(year, int) else list(year)


def stage_totals(user, year) -> dict:
    """{"allocated", "arrived", "disbursed", "spent"} in fen for the year (or years)."""
    qs = _in_force(user)
    years = _years(year)
    out = {}
    for key, kind, by in (("allocated", Kind.ALLOCATION, "agreement__year__in"), ("arrived", Kind.ARRIVAL, "agreement__year__in"),
                          ("disbursed", Kind.DISBURSEMENT, "booked_on__year__in"), ("spent", Kind.SPENDING, "booked_on__year__in")):
        out[key] = qs.filter(kind=kind, **{by: years}).aggregate(s=Sum("amount_fen"))["s"] or 0
    return out


def disbursed_by_project_group(user, year) -> list[tuple[str, str, str, str, int]]:
    """[(eastern province name, western county code, western county name, project category,
    fen)] disbursed in the year (or years)."""
    rows = (_in_force(user).filter(kind=Kind.DISBURSEMENT, booked_on__year__in=_years(year))
            .values("project__pairing__east_region__province_code", "project__county__code", "project__county__name",
                    "project__category")
            .annotate(fen=Sum("amount_fen")).order_by())
    provinces = dict(Region.objects.filter(level="province").values_list("province_code", "name"))
    return [(provinces.get(r["project__pairing__east_region__province_code"], "—"), r["project__county__code"],
             r["project__county__name"], r["project__category"], r["fen"]) for r in rows]


def arrival_timeliness_for(user, year: int, arrays=None) -> dict:
    """资金到位及时率 inputs for the user's part of the tree and the agreements of a year
    (`arrays`: the user's `filtersets.scope_arrays`, when the page has them)."""
    from xiezuo.core.arrays import filter_any
    from xiezuo.pairings.models import Agreement

    from .balances import arrival_timeliness
    from .filtersets import ASK, visible_postings

    # The year's agreements (a few thousand nationally) are read first, and their allocations
    # found through the allocations' own index (Posting.Meta), tested against the scope from it
    # alone: joined to the agreements instead, the database walked every allocation of every year.
    agreements = sorted(Agreement.objects.filter(year=year).values_list("id", flat=True))
    allocations = filter_any(Posting.objects.filter(kind=Kind.ALLOCATION), "agreement_id", agreements)
    return arrival_timeliness(visible_postings(user, allocations, probe=False, arrays=ASK if arrays is None else arrays))
