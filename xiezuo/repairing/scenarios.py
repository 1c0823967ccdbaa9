"""From the database to an instance, and from a solution back to a proposal.

`build(scenario)` reads the units in scope, their latest facts (the latest year not after the
scenario's data date), their coordinates, today's pairings and the pairs' history, computes
the pair values with the scenario's model version and weights, and returns the `Instance`.
`run(scenario)` solves it and records the result: status, objective, bound, gap, the value of
today's pairings and of a greedy assignment, the proposed pairs, the duals (pure b-matchings),
the ±20 % weight sensitivity, and one `Change` per difference, each with both partners'
terms and the objective lost were today's pair locked.
"""
from __future__ import annotations

import datetime
import math
import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

LOSS_FORBIDDEN = gettext_noop("today's pair is forbidden in this scenario")
LOSS_LIMIT = gettext_noop("not computed: past the scenario's limit of re-solves")

from xiezuo.pairings.models import Pairing
from xiezuo.regions.choices import Level as RegionLevel
from xiezuo.regions.choices import Role
from xiezuo.regions.models import Region, RegionFact

from . import solver
from .models import Change, ChangeKind, Level, Scenario, Status
from .terms import FACT_FIELDS, Evaluator, History, Unit

DEFAULTS = {
    "west_min": 1, "west_max": 1, "key_min": 1, "key_max": 1,
    "capacity_factor": 1.2, "capacities": {},
    "locked": [], "forbidden": [],
    "change_cost": 0.05, "max_changes": None,
    "within_province_pairings": True,
    "west_units": "former_poverty",  # county level: former poverty counties and any paired today; "former_poverty_only"; "all"
    "time_limit": 60, "sensitivity": True, "loss_if_locked": True, "max_loss_solves": 60,
}
SENSITIVITY = (0.8, 1.2)


def params_of(scenario: Scenario) -> dict:
    return {**DEFAULTS, **(scenario.parameters or {})}


@dataclass
class Built:
    instance: solver.Instance
    evaluator: Evaluator
    weights: dict
    units: dict  # code → Unit
    current_pairing: dict  # (e, w) → Pairing id
    province_pairs: set


# --- reading the data ----------------------------------------------------------------------------


def _units(qs, day) -> list[Unit]:
    regions = list(qs.only("code", "name", "province_code", "longitude", "latitude", "key_assistance", "former_poverty"))
    provinces = dict(Region.objects.filter(level=RegionLevel.PROVINCE).values_list("province_code", "name"))
    facts = {}
    for f in (RegionFact.objects.filter(region__in=[r.pk for r in regions], year__lte=day.year)
              .order_by("region_id", "-year").values("region_id", "year", *FACT_FIELDS)):
        facts.setdefault(f["region_id"], f)
    out = []
    for r in regions:
        f = facts.get(r.pk) or {}
        out.append(Unit(
            code=r.code, name=r.name, province=r.province_code + "0000", province_name=provinces.get(r.province_code, ""),
            lng=r.longitude, lat=r.latitude, key=r.key_assistance, former=r.former_poverty,
            facts={k: (None if f.get(k) is None else float(f[k])) for k in FACT_FIELDS}, fact_year=f.get("year"),
        ))
    return out


def province_pairs(day) -> set[tuple[str, str]]:
    """Today's province pairings, as (eastern province code, western province code)."""
    return set(Pairing.objects.in_force(day).filter(kind="province").values_list("east_region__code", "west_region__code"))


def units_for(level: str, east_province: str, west_province: str, day, west_units: str = "former_poverty"):
    east = Region.objects.filter(role=Role.EAST, level=level if level != Level.PREFECTURE else RegionLevel.PREFECTURE)
    west_levels = {Level.PROVINCE: [RegionLevel.PROVINCE], Level.PREFECTURE: [RegionLevel.PREFECTURE], Level.COUNTY: [RegionLevel.COUNTY]}[level]
    west = Region.objects.filter(role=Role.WEST, level__in=west_levels)
    if east_province:
        east = east.filter(province_code=east_province[:2])
    if west_province:
        west = west.filter(province_code=west_province[:2])
    current = Pairing.objects.in_force(day).filter(kind=level)
    if east_province:
        current = current.filter(east_region__province_code=east_province[:2])
    if west_province:
        current = current.filter(west_region__province_code=west_province[:2])
    paired_west = set(current.values_list("west_region_id", flat=True))
    if level == Level.COUNTY and west_units == "former_poverty_only":
        west = west.filter(former_poverty=True)
        current = current.filter(west_region__former_poverty=True)
    elif level == Level.COUNTY and west_units != "all":
        west = west.filter(Q(former_poverty=True) | Q(pk__in=paired_west))
    elif level == Level.PREFECTURE:
        west = Region.objects.filter(Q(pk__in=west.values("pk")) | Q(pk__in=paired_west))
    return east, west, current


def _history(current, day) -> dict:
    from xiezuo.assessment.choices import ProposalStatus
    from xiezuo.assessment.models import RestructuringProposal, Score

    rows = list(current.values_list("id", "east_region__code", "west_region__code", "kind"))
    if not rows:
        return {}
    ids = [r[0] for r in rows]
    first = {}
    for e, w, start in (Pairing.objects.filter(status="approved", kind=rows[0][3], valid_from__lte=day)
                        .filter(east_region__code__in={r[1] for r in rows}, west_region__code__in={r[2] for r in rows})
                        .values_list("east_region__code", "west_region__code", "valid_from")):
        if (e, w) not in first or start < first[(e, w)]:
            first[(e, w)] = start
    scores = {}
    for pid, comp, basic in (Score.objects.filter(pairing_id__in=ids, composite__isnull=False, period_end__lte=day)
                             .order_by("pairing_id", "-period_end").values_list("pairing_id", "composite", "basic")):
        scores.setdefault(pid, (comp, basic))
    open_props = set(RestructuringProposal.objects.filter(pairing_id__in=ids, status=ProposalStatus.OPEN).values_list("pairing_id", flat=True))
    out = {}
    for pid, e, w, _k in rows:
        comp, basic = scores.get(pid, (None, None))
        start = first.get((e, w), day)
        out[(e, w)] = History(years=max(0.0, (day - start).days / 365.25), composite=None if comp is None else float(comp),
                              basic=None if basic is None else float(basic), proposal_open=pid in open_props)
    return out


def build(scenario: Scenario, facts_override: dict | None = None) -> Built:
    p = params_of(scenario)
    day = scenario.data_date
    east_qs, west_qs, current_qs = units_for(scenario.level, scenario.east_province, scenario.west_province, day, p["west_units"])
    east, west = _units(east_qs, day), _units(west_qs, day)
    if facts_override:
        for u in east + west:
            if u.code in facts_override:
                u.facts.update(facts_override[u.code])
    current_pairs = {(e, w): pid for pid, e, w in current_qs.values_list("id", "east_region__code", "west_region__code")}
    hist = _history(current_qs, day)
    weights = scenario.effective_weights()
    ev = Evaluator(scenario.model.terms, east, west, hist)
    return _instance(scenario.level, p, ev, weights, east, west, current_pairs, province_pairs(day))


def _instance(level, p, ev, weights, east, west, current_pairs, prov_pairs) -> Built:
    values = ev.value_matrix(weights)
    forbidden = {tuple(x) for x in p["forbidden"]}
    within = p["within_province_pairings"] and level != Level.PROVINCE
    ecodes, wcodes = [u.code for u in east], [u.code for u in west]
    eprov = np.array([u.province for u in east])
    wprov = np.array([u.province for u in west])
    mask = np.ones(values.shape, bool)
    if within:
        allowed = {(a, b) for a, b in prov_pairs}
        mask = np.array([[(ep, wp) in allowed for wp in wprov] for ep in eprov]) if len(east) and len(west) else mask
    units = {u.code: u for u in east + west}
    value = {}
    ii, jj = np.nonzero(mask)
    for i, j in zip(ii.tolist(), jj.tolist()):
        value[(ecodes[i], wcodes[j])] = float(values[i, j])
    for pair in current_pairs:  # today's pairs are candidates even across a province pairing that lapsed
        if pair[0] in ev.ei and pair[1] in ev.wi:
            value[pair] = float(values[ev.ei[pair[0]], ev.wi[pair[1]]])
    for pair in forbidden:
        value.pop(pair, None)
    current = {pair for pair in current_pairs if pair[0] in ev.ei and pair[1] in ev.wi}
    wmin = {u.code: int(p["key_min"] if u.key else p["west_min"]) for u in west}
    today_count = defaultdict(int)
    for _e, w in current:
        today_count[w] += 1
    # the maximum never falls below today's number of helpers, so today's pairings stay a feasible answer
    wmax = {u.code: int(max(p["key_max"] if u.key else p["west_max"], wmin[u.code], today_count[u.code])) for u in west}
    cap = capacities(p, east, value, wmin, current)
    names = {u.code: u.name for u in east + west}
    groups = {u.code: u.province_name for u in east + west}
    inst = solver.Instance(ecodes, wcodes, value, wmin, wmax, cap, current,
                           {tuple(x) for x in p["locked"]}, float(p["change_cost"]),
                           None if p["max_changes"] in (None, "") else int(p["max_changes"]), names, groups)
    return Built(inst, ev, weights, units, current_pairs, set(prov_pairs))


def capacities(p, east, value, wmin, current) -> dict:
    """Each eastern unit's default capacity, from the demand it faces and its economy:
    max(1, today's load, ⌈factor × Σ_{w it may help} min_w / deg(w) × g⌉), g = its GDP over the
    mean eastern GDP, clipped to 0.5–2 (1 when its GDP is missing); overridden per unit by the
    scenario's `capacities`."""
    deg = defaultdict(int)
    reach = defaultdict(list)
    for e, w in value:
        deg[w] += 1
        reach[e].append(w)
    gdps = [u.facts.get("gdp_wan") for u in east if u.facts.get("gdp_wan")]
    mean = sum(gdps) / len(gdps) if gdps else None
    load = defaultdict(int)
    for e, _w in current:
        load[e] += 1
    out = {}
    for u in east:
        share = sum(wmin[w] / deg[w] for w in reach[u.code])
        g = min(2.0, max(0.5, u.facts["gdp_wan"] / mean)) if mean and u.facts.get("gdp_wan") else 1.0
        out[u.code] = max(1, load[u.code], math.ceil(float(p["capacity_factor"]) * share * g - 1e-9))
    for code, n in (p.get("capacities") or {}).items():
        if code in out:
            out[code] = int(n)
    return out


# --- solving and recording -------------------------------------------------------------------


def _progress(scenario, pct, note):
    Scenario.objects.filter(pk=scenario.pk).update(progress=pct, progress_note=note[:200])


def run(scenario: Scenario, facts_override: dict | None = None) -> Scenario:
    t0 = time.perf_counter()
    p = params_of(scenario)
    Scenario.objects.filter(pk=scenario.pk).update(status=Status.RUNNING)
    _progress(scenario, 5, "reading the data")
    b = build(scenario, facts_override)
    inst = b.instance
    _progress(scenario, 20, f"solving: {len(inst.east)} × {len(inst.west)}, {len(inst.value)} candidate pairs")
    sol = solver.solve(inst, time_limit=float(p["time_limit"]))
    today = inst.objective_of(inst.current)
    today_ok = not inst.violations(inst.current)
    g = solver.greedy(inst)
    result = {
        "status": sol.status, "solver_status": sol.solver_status, "message": sol.message, "reason": sol.reason,
        "objective": sol.objective, "bound": sol.bound, "gap": sol.gap, "seconds": round(sol.seconds, 3),
        "size": {"east": len(inst.east), "west": len(inst.west), "candidates": len(inst.value), "current": len(inst.current)},
        "today_value": today, "today_feasible": today_ok, "today_violations": inst.violations(inst.current)[:20],
        "greedy_value": inst.objective_of(g) if g is not None else None,
        "weights": b.weights, "missing": b.evaluator.missing_summary(),
        "capacities": {e: inst.east_cap[e] for e in inst.east},
        "pairs": [], "duals": None, "sensitivity": [],
    }
    if sol.pairs:
        vals = []
        for e, w in sol.pairs:
            vals.append({"east": e, "west": w, "east_name": inst.name(e), "west_name": inst.name(w),
                         "value": inst.value[(e, w)], "kept": (e, w) in inst.current})
        result["pairs"] = vals
        result["pair_value_sum"] = sum(v["value"] for v in vals)
        result["changes_count"] = inst.changes_of(sol.pairs)
        result["change_cost_total"] = inst.change_cost * inst.changes_of(sol.pairs)
    with transaction.atomic():
        Change.objects.filter(scenario=scenario).delete()
        changes = _record_changes(scenario, b, sol) if sol.pairs or (sol.status == solver.OPTIMAL) else []
    if sol.status in (solver.OPTIMAL, solver.TIME_LIMIT) and sol.objective is not None:
        _progress(scenario, 50, "duals")
        d = solver.lp_duals(inst)
        if d is not None:
            result["duals"] = {
                "objective": d["objective"], "integral": d["integral"],
                "west": sorted(({"code": w, "name": inst.name(w), "slot": round(v, 6), "need": round(d["west_need"][w], 6)}
                                for w, v in d["west_slot"].items()), key=lambda r: -r["slot"])[:200],
                "east": sorted(({"code": e, "name": inst.name(e), "slot": round(v, 6)} for e, v in d["east_slot"].items()),
                               key=lambda r: -r["slot"])[:200],
            }
        if p["loss_if_locked"]:
            _progress(scenario, 60, "objective lost if today's pairs were locked")
            _losses(inst, sol, changes, int(p["max_loss_solves"]), float(p["time_limit"]))
        if p["sensitivity"]:
            _progress(scenario, 80, "weight sensitivity ±20%")
            result["sensitivity"] = sensitivity(b, p, sol)
    scenario.result = result
    scenario.status = sol.status
    scenario.progress = 100
    scenario.progress_note = f"done in {time.perf_counter() - t0:.1f} s"
    scenario.finished = timezone.now()
    scenario.save(update_fields=["result", "status", "progress", "progress_note", "finished"])
    return scenario


def _deciding(old: dict | None, new: dict | None) -> list:
    old_t = (old or {}).get("terms", {})
    new_t = (new or {}).get("terms", {})
    rows = [{"code": c, "delta": round(new_t.get(c, {}).get("weighted", 0) - old_t.get(c, {}).get("weighted", 0), 4)}
            for c in set(old_t) | set(new_t)]
    return sorted(rows, key=lambda r: -abs(r["delta"]))


def _record_changes(scenario, b: Built, sol) -> list[Change]:
    inst, ev, weights = b.instance, b.evaluator, b.weights
    proposed = set(sol.pairs)
    regions = dict(Region.objects.filter(code__in=set(inst.east) | set(inst.west)).values_list("code", "pk"))
    by_west_old, by_west_new = defaultdict(list), defaultdict(list)
    for e, w in sorted(inst.current - proposed):
        by_west_old[w].append(e)
    for e, w in sorted(proposed - inst.current):
        by_west_new[w].append(e)
    rows = []
    for w in sorted(set(by_west_old) | set(by_west_new)):
        olds, news = by_west_old[w], by_west_new[w]
        for k in range(max(len(olds), len(news))):
            o = olds[k] if k < len(olds) else None
            n = news[k] if k < len(news) else None
            kind = ChangeKind.REASSIGNED if o and n else (ChangeKind.REMOVED if o else ChangeKind.ADDED)
            ot = ev.terms_of(o, w, weights) if o else None
            nt = ev.terms_of(n, w, weights) if n else None
            rows.append(Change(
                scenario=scenario, kind=kind, west_id=regions[w], old_east_id=regions.get(o), new_east_id=regions.get(n),
                old_pairing_id=b.current_pairing.get((o, w)) if o else None,
                old_value=inst.value.get((o, w), ot["value"] if ot else None) if o else None,
                new_value=inst.value.get((n, w)) if n else None,
                old_terms=ot or {}, new_terms=nt or {}, deciding=_deciding(ot, nt),
            ))
    return Change.objects.bulk_create(rows)


def _losses(inst, sol, changes, limit, time_limit):
    """The objective lost if today's pair of each change were locked (solved again), for the
    first `limit` changes with today's pair; the others say why they have no figure."""
    codes = dict(Region.objects.filter(pk__in={c.old_east_id for c in changes} | {c.west_id for c in changes}).values_list("pk", "code"))
    solves = 0
    for ch in changes:
        if ch.old_east_id is None:
            continue
        pair = (codes[ch.old_east_id], codes[ch.west_id])
        if pair not in inst.value:
            ch.loss_note = LOSS_FORBIDDEN
            continue
        if solves >= limit:
            ch.loss_note = LOSS_LIMIT
            continue
        solves += 1
        s = solver.solve(inst, time_limit=time_limit, extra_locked=[pair])
        if s.objective is None:
            ch.loss_note = f"infeasible with it locked: {s.reason}"[:200]
        else:
            ch.loss_if_locked = sol.objective - s.objective
    Change.objects.bulk_update(changes, ["loss_if_locked", "loss_note"])


def sensitivity(b: Built, p, sol) -> list:
    """For each weight, the objective and the pairs that differ when it moves by ±20 %."""
    base = set(sol.pairs)
    out = []
    for t in b.evaluator.terms:
        code = t["code"]
        for f in SENSITIVITY:
            w2 = {**b.weights, code: b.weights.get(code, t["weight"]) * f}
            ev = b.evaluator
            values = ev.value_matrix(w2)
            inst2 = solver.Instance(**{**b.instance.__dict__})
            inst2.value = {pr: float(values[ev.ei[pr[0]], ev.wi[pr[1]]]) for pr in b.instance.value}
            s = solver.solve(inst2, time_limit=float(p["time_limit"]))
            diff = len(set(s.pairs) ^ base) // 2 if s.pairs else None
            out.append({"term": code, "factor": f, "weight": round(w2[code], 4), "status": s.status,
                        "objective": s.objective, "pairs_differing": diff})
    return out


def diff_summary(scenario: Scenario) -> dict:
    r = scenario.result or {}
    counts = defaultdict(int)
    for k in scenario.changes.values_list("kind", flat=True):
        counts[k] += 1
    kept = sum(1 for x in r.get("pairs", []) if x.get("kept"))
    return {"kept": kept, **counts}


def today(day: datetime.date | None = None) -> datetime.date:
    return day or timezone.localdate()
