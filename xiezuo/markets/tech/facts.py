"""Technology-transfer returns per region and period, with their evidence: what the
assessment's 技术成果转化收益率 (return on technology transfer = revenue ÷ cost × 100) can
compute from instead of the projects' output reports.

`returns(start, end, regions=None)` → {county code: {"revenue_fen", "cost_fen", "rate", "evidence": [row, …]}}
over the deal returns whose period ends within [start, end], by the western county where the
technology is used (`TechDeal.county`). `regions` (codes, any level) keeps counties in their
subtrees. Each evidence row names the deal, technology, licensee, period and amounts.

For the assessment's fact families (assessment/facts.py), the same rows are
`DealReturn` with county id path `deal__county_id`, eastern region path
`deal__technology__owner__region_id`, date `period_end`, sums `revenue_fen` and `cost_fen`.
"""
from django.db.models import Q

from ..models import DealReturn

FAMILY = {"model": "markets.DealReturn", "county_id": "deal__county_id", "east_region_id": "deal__technology__owner__region_id",
          "date": "period_end", "income": "revenue_fen", "investment": "cost_fen"}


def evidence_rows(start, end, regions=None):
    qs = DealReturn.objects.filter(period_end__gte=start, period_end__lte=end).select_related(
        "deal__technology__owner", "deal__licensee", "deal__county")
    if regions:
        cond = Q()
        for code in regions:
            cond |= Q(deal__county__code__startswith=code.rstrip("0") or code)
        qs = qs.filter(cond)
    return qs.order_by("deal__county__code", "period_end", "id")


def returns(start, end, regions=None) -> dict:
    out: dict = {}
    for r in evidence_rows(start, end, regions):
        code = r.deal.county.code
        agg = out.setdefault(code, {"county": r.deal.county.name, "revenue_fen": 0, "cost_fen": 0, "evidence": []})
        agg["revenue_fen"] += r.revenue_fen
        agg["cost_fen"] += r.cost_fen
        agg["evidence"].append({
            "return_id": r.pk, "deal_id": r.deal_id, "technology": r.deal.technology.number, "title": r.deal.technology.title,
            "owner": r.deal.technology.owner.name, "licensee": r.deal.licensee.name, "kind": r.deal.kind,
            "period_end": r.period_end.isoformat(), "revenue_fen": r.revenue_fen, "cost_fen": r.cost_fen,
        })
    for agg in out.values():
        agg["rate"] = round(100 * agg["revenue_fen"] / agg["cost_fen"], 2) if agg["cost_fen"] else None
    return out
