"""The indicator system shipped as version 1 (the two-dimension system of the domain notes).

Targets, floors and weights are starting values for the national coordinator to adjust;
they are data, changed through `actions.new_version`, not here. Weights sum to 100: the
basic dimension (agreement rigidity) 66, the effectiveness dimension 34.

Written against model classes passed in, so the data migration (historical models) and
`manage.py assess seed` share it.
"""
from decimal import Decimal

ALL_LEVELS = ["county", "province_pair", "pair"]

INDICATORS = [
    # code, 中文名, English name, dimension, unit, direction, formula, target, floor, weight, method
    ("funds_timeliness", "资金到位及时率", "Timeliness of funds arriving", "basic", "%", "higher",
     "funds_arrived_on_time_fen / funds_allocated_due_fen × 100", "100", "60", "15", "linear_capped"),
    ("professional_stability", "专业技术人才派驻稳定性", "Stability of dispatched professionals", "basic", "%", "higher",
     "professionals_completed / professionals_due × 100", "95", "60", "12", "linear_capped"),
    ("projects_on_schedule", "项目推进如期性", "Projects on schedule", "basic", "%", "higher",
     "milestones_due_on_time / milestones_due × 100", "90", "50", "15", "linear_capped"),
    ("rigidity_funds", "协议刚性·财政援助资金", "Agreement rigidity: fiscal aid", "basic", "%", "higher",
     "fiscal_aid_arrived_fen / fiscal_aid_due_fen × 100", "100", "50", "8", "linear_capped"),
    ("rigidity_cadres", "协议刚性·选派党政干部", "Agreement rigidity: cadres", "basic", "%", "higher",
     "cadres_dispatched / cadres_committed × 100", "100", "0", "4", "threshold"),
    ("rigidity_professionals", "协议刚性·选派专业技术人才", "Agreement rigidity: professionals", "basic", "%", "higher",
     "professionals_dispatched / professionals_committed × 100", "100", "50", "4", "linear_capped"),
    ("rigidity_labour", "协议刚性·劳务协作", "Agreement rigidity: labour placements", "basic", "%", "higher",
     "labour_placed / labour_committed × 100", "100", "50", "4", "linear_capped"),
    ("rigidity_consumption", "协议刚性·消费帮扶", "Agreement rigidity: consumption purchases", "basic", "%", "higher",
     "consumption_actual_fen / consumption_committed_fen × 100", "100", "50", "4", "linear_capped"),
    ("local_supply_ratio", "产业链本地配套率", "Local supply-chain ratio", "effectiveness", "%", "higher",
     "local_procurement_fen / total_procurement_fen × 100", "60", "20", "20", "linear_capped"),
    ("tech_transfer_return", "技术成果转化收益率", "Return on technology transfer", "effectiveness", "%", "higher",
     "tech_income_fen / tech_investment_fen × 100", "15", "0", "14", "linear_capped"),
]

CUTOFFS = {"good": Decimal("90"), "fairly_good": Decimal("75"), "fair": Decimal("60")}


def seed(IndicatorSystem, Indicator, GradeCutoffs, *, user=None) -> bool:
    """Create version 1 unless a version exists. Returns whether it created anything."""
    if IndicatorSystem.objects.exists():
        return False
    system = IndicatorSystem.objects.create(number=1, created_by=user, is_current=True,
                                            note="默认指标体系（双维：基础保障、战略成效）")
    for seq, (code, zh, en, dim, unit, direction, formula, target, floor, weight, method) in enumerate(INDICATORS, start=1):
        Indicator.objects.create(system=system, seq=seq, code=code, name_zh=zh, name_en=en, dimension=dim, unit=unit,
                                 direction=direction, formula=formula, target=Decimal(target), floor=Decimal(floor),
                                 weight=Decimal(weight), method=method, levels=list(ALL_LEVELS))
    GradeCutoffs.objects.create(system=system, **CUTOFFS)
    return True
