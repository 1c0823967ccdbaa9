"""The exact re-pairing solver: plain functions over plain values (no database, no HTTP).

An `Instance` lists the eastern units (helpers) and western units (helped), the candidate
pairs with their values (a pair absent from `value` may not be formed: forbidden, or outside
today's province pairings), how many helpers each western unit needs (`west_min` … `west_max`),
how many units each eastern unit may help (`east_cap`), today's pairs, the locked pairs, the
cost of a change and an optional cap on the number of changes.

A change is a pair of today's that is dropped or a pair that is not today's and is formed.
With x the 0/1 choice of each candidate pair, the objective is

    Σ value·x  −  cost · ( Σ_{new pairs} x  +  Σ_{today's pairs} (1 − x) )

which is linear, so the whole problem is a mixed-integer program. `solve` hands it to
`scipy.optimize.milp` (HiGHS branch and cut) and reports the solver's status, its objective,
the proven bound and the gap. `lp_duals` solves the LP relaxation with `scipy.optimize.linprog`
(HiGHS); on a pure b-matching (bipartite degree bounds only: no cap on changes) the constraint
matrix is totally unimodular, the relaxation is integral, and the duals price each unit's
capacity and need. `explain_infeasible` answers an infeasible instance in words naming the
constraint that cannot hold.
"""
from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_matrix

OPTIMAL, INFEASIBLE, TIME_LIMIT, FAILED = "optimal", "infeasible", "time_limit", "failed"


def _(msgid: str, **values) -> str:
    """An explanation in the reader's language (Django's catalogue when Django runs; the
    English text otherwise), with its %(name)s values filled in."""
    try:
        from django.utils.translation import gettext

        text = gettext(msgid)
    except Exception:  # no Django settings: plain English
        text = msgid
    return text % values if values else text


@dataclass
class Instance:
    east: list[str]
    west: list[str]
    value: dict[tuple[str, str], float]  # candidate pairs only
    west_min: dict[str, int]
    west_max: dict[str, int]
    east_cap: dict[str, int]
    current: set[tuple[str, str]] = field(default_factory=set)
    locked: set[tuple[str, str]] = field(default_factory=set)
    change_cost: float = 0.0
    max_changes: int | None = None
    names: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)  # unit → the name of its province (for explanations)

    def name(self, code: str) -> str:
        return self.names.get(code, code)

    @property
    def edges(self) -> list[tuple[str, str]]:
        return list(self.value)

    def is_pure_b_matching(self) -> bool:
        return self.max_changes is None

    def objective_of(self, pairs) -> float:
        """Σ pair values − cost × changes, for any set of pairs (today's included)."""
        pairs = set(pairs)
        total = sum(self.value.get(p, 0.0) for p in pairs)
        return total - self.change_cost * self.changes_of(pairs)

    def changes_of(self, pairs) -> int:
        pairs = set(pairs)
        return len(pairs - self.current) + len(self.current - pairs)

    def violations(self, pairs) -> list[str]:
        """Every constraint the set of pairs breaks (empty: feasible)."""
        pairs = set(pairs)
        out = []
        for p in pairs:
            if p not in self.value:
                out.append(f"{self.name(p[0])}—{self.name(p[1])} is not a candidate pair")
        for w in self.west:
            n = sum(1 for p in pairs if p[1] == w)
            if n < self.west_min.get(w, 0) or n > self.west_max.get(w, 0):
                out.append(f"{self.name(w)} has {n} helpers, needs {self.west_min.get(w, 0)}–{self.west_max.get(w, 0)}")
        for e in self.east:
            n = sum(1 for p in pairs if p[0] == e)
            if n > self.east_cap.get(e, 0):
                out.append(f"{self.name(e)} helps {n}, capacity {self.east_cap.get(e, 0)}")
        for p in self.locked - pairs:
            out.append(f"locked pair {self.name(p[0])}—{self.name(p[1])} is missing")
        if self.max_changes is not None and self.changes_of(pairs) > self.max_changes:
            out.append(f"{self.changes_of(pairs)} changes, cap {self.max_changes}")
        return out


@dataclass
class Solution:
    status: str
    pairs: list[tuple[str, str]] = field(default_factory=list)
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    seconds: float = 0.0
    message: str = ""
    reason: str = ""  # an infeasible instance, in words
    solver_status: int | None = None

    def as_dict(self) -> dict:
        return {"status": self.status, "objective": self.objective, "bound": self.bound, "gap": self.gap,
                "seconds": round(self.seconds, 3), "message": self.message, "reason": self.reason,
                "solver_status": self.solver_status, "pairs": [list(p) for p in self.pairs]}


def _matrix(inst: Instance, edges):
    """The rows of the program: one per western unit (its helpers), one per eastern unit
    (its load). Returns (A_west, A_east, the change coefficients)."""
    wi = {w: i for i, w in enumerate(inst.west)}
    ei = {e: i for i, e in enumerate(inst.east)}
    n = len(edges)
    cols = np.arange(n)
    a_west = coo_matrix((np.ones(n), ([wi[w] for _e, w in edges], cols)), shape=(len(inst.west), n)).tocsr()
    a_east = coo_matrix((np.ones(n), ([ei[e] for e, _w in edges], cols)), shape=(len(inst.east), n)).tocsr()
    return a_west, a_east


def _coefficients(inst: Instance, edges) -> tuple[np.ndarray, float]:
    """c (to maximise) and the constant −cost·|today's pairs|."""
    c = np.array([inst.value[p] + (inst.change_cost if p in inst.current else -inst.change_cost) for p in edges], dtype=float)
    return c, -inst.change_cost * len(inst.current)


def _constraints(inst: Instance, edges):
    a_west, a_east = _matrix(inst, edges)
    lo = np.array([inst.west_min.get(w, 0) for w in inst.west], dtype=float)
    hi = np.array([inst.west_max.get(w, 0) for w in inst.west], dtype=float)
    cap = np.array([inst.east_cap.get(e, 0) for e in inst.east], dtype=float)
    cons = [LinearConstraint(a_west, lo, hi), LinearConstraint(a_east, -np.inf, cap)]
    if inst.max_changes is not None:
        # changes = Σ_new x + |today's in the candidate set| − Σ_today x + |today's not candidates|
        row = np.array([-1.0 if p in inst.current else 1.0 for p in edges])
        fixed = len(inst.current)
        cons.append(LinearConstraint(row.reshape(1, -1), -np.inf, inst.max_changes - fixed))
    return cons


COLGEN_MIN_PAIRS = 5000  # above this many candidate pairs, solve by pricing (below: one milp over every pair)
COLGEN_PER_WEST = 8
COLGEN_BATCH = 5000  # above this many improving pairs in a round, only each western unit's best few are added
COLGEN_PER_ROUND_WEST = 5
_TRACE = False
COLGEN_DROP_ROUNDS = 4
COLGEN_DROP = 0.02  # a working pair whose reduced cost is above this leaves the working set


def solve(inst: Instance, time_limit: float = 60.0, extra_locked=(), method: str = "auto") -> Solution:
    """The exact optimum (or the best found within `time_limit`, with its gap).

    `method`: "milp" solves one mixed-integer program over every candidate pair; "pricing"
    solves it over a working set of pairs (each western unit's best few, today's, the locked
    ones) grown by column generation until no pair left out has a positive reduced cost in the
    LP relaxation — which proves the working set's LP value a bound for the whole problem — and
    then solves the integer program over the working set; when that integer optimum reaches
    the bound, it is optimal for the whole problem (gap 0). Otherwise, or when the working set
    cannot be made feasible, it falls back to "milp". "auto": pricing above COLGEN_MIN_PAIRS pairs.
    """
    t0 = time.perf_counter()
    locked = set(inst.locked) | set(extra_locked)
    reason = quick_infeasibility(inst, locked)
    if reason:
        return Solution(INFEASIBLE, reason=reason, seconds=time.perf_counter() - t0, message="presolve check")
    work = Instance(**{**inst.__dict__, "locked": locked}) if extra_locked else inst
    if not work.edges:
        if any(work.west_min.get(w, 0) > 0 for w in work.west):
            return Solution(INFEASIBLE, reason=explain_infeasible(work), seconds=time.perf_counter() - t0)
        obj = work.objective_of(())
        return Solution(OPTIMAL, [], obj, obj, 0.0, time.perf_counter() - t0, "no candidate pairs")
    if method == "pricing" or (method == "auto" and len(work.value) > COLGEN_MIN_PAIRS):
        sol = _solve_by_pricing(work, time_limit, t0)
        if sol is not None:
            return sol
    return _solve_milp(work, max(1.0, time_limit - (time.perf_counter() - t0)), t0)


def _solve_milp(inst: Instance, time_limit: float, t0: float, note: str = "") -> Solution:
    edges = inst.edges
    c, const = _coefficients(inst, edges)
    lb = np.array([1.0 if p in inst.locked else 0.0 for p in edges])
    res = milp(-c, constraints=_constraints(inst, edges), integrality=np.ones(len(edges)), bounds=Bounds(lb, np.ones(len(edges))),
               options={"time_limit": float(time_limit), "disp": False, "mip_rel_gap": 0.0})
    seconds = time.perf_counter() - t0
    message = (note + " " + str(res.message)).strip()
    if res.status == 2:
        return Solution(INFEASIBLE, reason=explain_infeasible(inst), seconds=seconds, message=message, solver_status=res.status)
    if res.x is None:
        status = TIME_LIMIT if res.status == 1 else FAILED
        return Solution(status, seconds=seconds, message=message, solver_status=res.status, reason="" if res.status == 1 else message)
    chosen = [p for p, v in zip(edges, res.x) if v > 0.5]
    objective = inst.objective_of(chosen)
    bound = -float(res.mip_dual_bound) + const if getattr(res, "mip_dual_bound", None) is not None else None
    if bound is not None and not math.isfinite(bound):
        bound = None
    gap = float(res.mip_gap) if getattr(res, "mip_gap", None) is not None else None
    status = OPTIMAL if res.status == 0 else TIME_LIMIT
    if status == OPTIMAL and (gap is None or abs(gap) < 1e-9):
        gap = 0.0
    return Solution(status, chosen, objective, bound, gap, seconds, message, solver_status=res.status)


@dataclass
class _Arrays:
    edges: list
    c: np.ndarray
    const: float
    wi: np.ndarray
    ei: np.ndarray
    change_row: np.ndarray  # +1 a new pair, −1 today's pair (the changes constraint)


def _arrays(inst: Instance) -> _Arrays:
    edges = inst.edges
    c, const = _coefficients(inst, edges)
    wmap = {w: i for i, w in enumerate(inst.west)}
    emap = {e: i for i, e in enumerate(inst.east)}
    wi = np.fromiter((wmap[w] for _e, w in edges), dtype=np.int64, count=len(edges))
    ei = np.fromiter((emap[e] for e, _w in edges), dtype=np.int64, count=len(edges))
    change_row = np.fromiter((-1.0 if p in inst.current else 1.0 for p in edges), dtype=float, count=len(edges))
    return _Arrays(edges, c, const, wi, ei, change_row)


def _lp(inst: Instance, arr: _Arrays, cols: np.ndarray):
    """The LP relaxation over the columns `cols` (dual simplex: a basic, for a b-matching an
    integral, solution)."""
    from scipy.sparse import csr_matrix, vstack

    nw, ne, n = len(inst.west), len(inst.east), len(cols)
    rng_ = np.arange(n)
    a_w = csr_matrix((np.ones(n), (arr.wi[cols], rng_)), shape=(nw, n))
    a_e = csr_matrix((np.ones(n), (arr.ei[cols], rng_)), shape=(ne, n))
    blocks = [a_w, -a_w, a_e]
    b = [np.array([inst.west_max.get(w, 0) for w in inst.west], float), -np.array([inst.west_min.get(w, 0) for w in inst.west], float),
         np.array([inst.east_cap.get(e, 0) for e in inst.east], float)]
    if inst.max_changes is not None:
        blocks.append(csr_matrix(arr.change_row[cols].reshape(1, -1)))
        b.append(np.array([inst.max_changes - len(inst.current)], float))
    lb = np.array([1.0 if arr.edges[j] in inst.locked else 0.0 for j in cols])
    return linprog(-arr.c[cols], A_ub=vstack(blocks).tocsr(), b_ub=np.concatenate(b), bounds=np.column_stack([lb, np.ones(n)]),
                   method="highs-ds")


def _reduced(inst: Instance, arr: _Arrays, res) -> np.ndarray:
    """Reduced costs (minimisation form) of every candidate pair under the LP's duals:
    negative means the pair could still improve the LP."""
    m = res.ineqlin.marginals
    nw, ne = len(inst.west), len(inst.east)
    d = -arr.c - (m[:nw][arr.wi] - m[nw:2 * nw][arr.wi] + m[2 * nw:2 * nw + ne][arr.ei])
    if inst.max_changes is not None:
        d -= m[2 * nw + ne] * arr.change_row
    return d


def pricing_lp(inst: Instance, time_limit: float = 60.0):
    """Column generation on the LP relaxation. Returns (arrays, working columns, LP result,
    LP bound) with every left-out pair's reduced cost non-negative, or None."""
    t0 = time.perf_counter()
    arr = _arrays(inst)
    n = len(arr.edges)
    order = np.lexsort((-arr.c, arr.wi))  # by western unit, best first
    first = np.searchsorted(arr.wi[order], np.arange(len(inst.west)))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - np.repeat(first, np.diff(np.append(first, n)))
    keep = rank < COLGEN_PER_WEST
    keep |= np.fromiter((p in inst.current or p in inst.locked for p in arr.edges), dtype=bool, count=n)
    per_east = np.lexsort((-arr.c, arr.ei))  # and each eastern unit's best few, so capacity can be used
    efirst = np.searchsorted(arr.ei[per_east], np.arange(len(inst.east)))
    erank = np.empty(n, dtype=np.int64)
    erank[per_east] = np.arange(n) - np.repeat(efirst, np.diff(np.append(efirst, n)))
    keep |= erank < COLGEN_PER_WEST
    sticky = np.fromiter((p in inst.current or p in inst.locked for p in arr.edges), dtype=bool, count=n)
    rounds = 0
    for _round in range(500):
        rounds += 1
        if time.perf_counter() - t0 > time_limit:
            return None
        cols = np.flatnonzero(keep)
        t_lp = time.perf_counter()
        res = _lp(inst, arr, cols)
        if _TRACE:
            print(f"  round {rounds}: {len(cols)} columns, LP {time.perf_counter() - t_lp:.2f} s, status {res.status}")
        if res.status == 2:  # the working set is infeasible: widen it
            if keep.all():
                return None
            keep |= rank < max(2 * COLGEN_PER_WEST, int(rank[keep].max()) * 2 + 1)
            keep |= erank < max(2 * COLGEN_PER_WEST, int(erank[keep].max()) * 2 + 1)
            continue
        if res.status != 0:
            return None
        d = _reduced(inst, arr, res)
        in_keep = keep.copy()
        d_keep = d.copy()
        d[keep] = 0.0
        bad = np.flatnonzero(d < -1e-9)
        if len(bad) == 0:
            return arr, cols, res, float(-res.fun + arr.const)
        # keep the working set small: pairs far from entering (reduced cost well above zero)
        # leave it; pricing over every pair each round still decides optimality
        used = np.zeros(n, dtype=bool)
        used[cols[res.x > 1e-9]] = True
        if rounds <= COLGEN_DROP_ROUNDS:  # only early on: dropping for ever can cycle on a degenerate LP
            keep = (in_keep & (d_keep < COLGEN_DROP)) | used | sticky
        if len(bad) > COLGEN_BATCH:
            # the most negative few of every western unit, so each round reaches all of them
            o = bad[np.lexsort((d[bad], arr.wi[bad]))]
            starts = np.searchsorted(arr.wi[o], arr.wi[o], side="left")
            pos = np.arange(len(o)) - starts
            bad = o[pos < COLGEN_PER_ROUND_WEST]
        keep[bad] = True
    return None


def _solve_by_pricing(inst: Instance, time_limit: float, t0: float) -> Solution | None:
    found = pricing_lp(inst, time_limit)
    if found is None:
        return None
    arr, cols, res, bound = found
    x = res.x
    if inst.max_changes is None and np.all(np.minimum(np.abs(x), np.abs(1 - x)) < 1e-7):
        # A pure b-matching: the basic LP solution over the working set is integral, its value
        # is the bound over every pair (no left-out pair has a positive reduced cost): optimal.
        chosen = [arr.edges[j] for j, v in zip(cols, x) if v > 0.5]
        objective = inst.objective_of(chosen)
        if not inst.violations(chosen) and abs(objective - bound) <= 1e-7 * max(1.0, abs(bound)):
            return Solution(OPTIMAL, chosen, objective, bound, 0.0, time.perf_counter() - t0,
                            f"pricing: {len(cols):,} of {len(arr.edges):,} pairs; the LP relaxation (HiGHS dual simplex) is integral",
                            solver_status=0)
    sub = Instance(**{**inst.__dict__, "value": {arr.edges[j]: inst.value[arr.edges[j]] for j in cols}})
    remaining = max(1.0, time_limit - (time.perf_counter() - t0))
    sol = _solve_milp(sub, remaining, t0, note=f"pricing: {len(cols):,} of {len(arr.edges):,} pairs;")
    if sol.status == OPTIMAL and sol.objective is not None and sol.objective >= bound - 1e-7 * max(1.0, abs(bound)):
        sol.bound, sol.gap = bound, 0.0
        return sol
    return None  # the working set's integer optimum does not reach the bound: solve over every pair


# --- infeasibility, in words -------------------------------------------------------------------


def quick_infeasibility(inst: Instance, locked=None) -> str:
    """The causes that can be named without a solver: a locked pair that may not be formed or
    overfills a unit, a western unit with fewer possible helpers than it needs, a group whose
    helpers' capacity is below what it needs (Hall's condition on connected groups)."""
    locked = set(inst.locked if locked is None else locked)
    for e, w in sorted(locked):
        if (e, w) not in inst.value:
            return _("the locked pair %(east)s—%(west)s may not be formed (it is forbidden or outside the province pairings "
                     "the scenario keeps)", east=inst.name(e), west=inst.name(w))
    for w in inst.west:
        n = sum(1 for p in locked if p[1] == w)
        if n > inst.west_max.get(w, 0):
            return _("%(west)s has %(n)s locked helpers, above its maximum of %(max)s", west=inst.name(w), n=n, max=inst.west_max.get(w, 0))
    for e in inst.east:
        n = sum(1 for p in locked if p[0] == e)
        if n > inst.east_cap.get(e, 0):
            return _("%(east)s has %(n)s locked pairs, above its capacity of %(cap)s", east=inst.name(e), n=n, cap=inst.east_cap.get(e, 0))
    neighbours: dict[str, set] = {w: set() for w in inst.west}
    for e, w in inst.value:
        neighbours[w].add(e)
    for w in inst.west:
        need, can = inst.west_min.get(w, 0), len(neighbours[w])
        if need > inst.west_max.get(w, 0):
            return _("%(west)s needs at least %(need)s helpers but at most %(max)s are allowed", west=inst.name(w), need=need,
                     max=inst.west_max.get(w, 0))
        if need > can:
            return _("%(west)s needs at least %(need)s helper(s) but only %(can)s eastern unit(s) may help it (the others are "
                     "forbidden or outside the province pairings the scenario keeps)", west=inst.name(w), need=need, can=can)
        useful = sum(min(inst.east_cap.get(e, 0), 1) for e in neighbours[w])
        if need > useful:
            return _("%(west)s needs at least %(need)s helper(s) but only %(useful)s of the eastern units that may help it have capacity",
                     west=inst.name(w), need=need, useful=useful)
    # Hall's condition on each connected group of the candidate graph, then by province.
    for wset, eset in _components(inst, neighbours):
        need = sum(inst.west_min.get(w, 0) for w in wset)
        cap = sum(min(inst.east_cap.get(e, 0), sum(1 for w in wset if e in neighbours[w])) for e in eset)
        if need > cap:
            return _capacity_below(inst, eset, wset, cap, need)
    by_group: dict[str, set] = {}
    for w in inst.west:
        by_group.setdefault(inst.groups.get(w, ""), set()).add(w)
    for g, wset in by_group.items():
        eset = set().union(*(neighbours[w] for w in wset)) if wset else set()
        need = sum(inst.west_min.get(w, 0) for w in wset)
        cap = sum(min(inst.east_cap.get(e, 0), sum(1 for w in wset if e in neighbours[w])) for e in eset)
        if need > cap:
            return _capacity_below(inst, eset, wset, cap, need)
    return ""


def _capacity_below(inst, eset, wset, cap, need) -> str:
    return _("the capacity of %(east)s, %(cap)s, is below the %(need)s helper slots needed by %(west)s",
             east=_describe(inst, eset, "eastern"), cap=cap, need=need, west=_describe(inst, wset, "western"))


def _components(inst, neighbours):
    parent = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for w in inst.west:
        find(("w", w))
        for e in neighbours[w]:
            parent[find(("w", w))] = find(("e", e))
    comps: dict = {}
    for w in inst.west:
        comps.setdefault(find(("w", w)), (set(), set()))[0].add(w)
    for e in inst.east:
        root = find(("e", e))
        if root in comps:
            comps[root][1].add(e)
    return list(comps.values())


def _describe(inst: Instance, units, side: str) -> str:
    units = sorted(units)
    east = side == "eastern"
    if not units:
        return _("no eastern unit") if east else _("no western unit")
    if len(units) <= 3:
        return "、".join(inst.name(u) for u in units)
    groups = sorted({inst.groups.get(u, "") for u in units} - {""})
    if groups and len(groups) <= 3:
        g = "、".join(groups)
        return (_("the %(n)s eastern units of %(groups)s", n=len(units), groups=g) if east
                else _("the %(n)s western units of %(groups)s", n=len(units), groups=g))
    return _("%(n)s eastern units", n=len(units)) if east else _("%(n)s western units", n=len(units))


def explain_infeasible(inst: Instance) -> str:
    """Name the constraint that cannot hold, by removing one family of constraints at a time
    and finding which one restores feasibility."""
    reason = quick_infeasibility(inst)
    if reason:
        return reason

    def feasible(**changes) -> bool:
        trial = Instance(**{**inst.__dict__, **changes})
        if trial.edges == [] and any(trial.west_min.get(w, 0) for w in trial.west):
            return False
        if not trial.edges:
            return True
        c = np.zeros(len(trial.edges))
        lb = np.array([1.0 if p in trial.locked else 0.0 for p in trial.edges])
        r = milp(c, constraints=_constraints(trial, trial.edges), integrality=np.ones(len(trial.edges)),
                 bounds=Bounds(lb, np.ones(len(trial.edges))), options={"time_limit": 30.0})
        return r.status == 0

    if inst.max_changes is not None and feasible(max_changes=None):
        need = min_changes(inst)
        if need is not None:
            return _("the cap of %(cap)s changes is too low: the other constraints need at least %(need)s changes",
                     cap=inst.max_changes, need=need)
        return _("the cap of %(cap)s changes is too low", cap=inst.max_changes)
    if inst.locked and feasible(locked=set()):
        return _("the locked pairs cannot all be kept: with them no assignment gives every western unit its "
                 "minimum of helpers within the eastern units' capacities")
    total_need = sum(inst.west_min.get(w, 0) for w in inst.west)
    total_cap = sum(inst.east_cap.get(e, 0) for e in inst.east)
    if total_need > total_cap:
        return _("the eastern units' total capacity, %(cap)s, is below the %(need)s helper slots needed", cap=total_cap, need=total_need)
    return _("the minimum number of helpers of the western units cannot be met within the eastern units' capacities "
             "over the pairs allowed (some group of western units shares too few helpers)")


def min_changes(inst: Instance) -> int | None:
    """The fewest changes any assignment meeting the other constraints needs."""
    edges = inst.edges
    if not edges:
        return None
    c = np.array([-1.0 if p in inst.current else 1.0 for p in edges])
    lb = np.array([1.0 if p in inst.locked else 0.0 for p in edges])
    trial = Instance(**{**inst.__dict__, "max_changes": None})
    r = milp(c, constraints=_constraints(trial, edges), integrality=np.ones(len(edges)), bounds=Bounds(lb, np.ones(len(edges))),
             options={"time_limit": 30.0})
    if r.x is None:
        return None
    chosen = {p for p, v in zip(edges, r.x) if v > 0.5}
    return inst.changes_of(chosen)


# --- yardsticks: greedy, today's, duals, brute force -------------------------------------------


def greedy(inst: Instance) -> list[tuple[str, str]] | None:
    """A simple assignment to compare with: locked pairs first; then, best value first, a
    helper for every western unit below its minimum; then any pair that still adds value.
    None when this greedy order cannot meet the constraints."""
    pairs = set(inst.locked)
    load = {e: sum(1 for p in pairs if p[0] == e) for e in inst.east}
    got = {w: sum(1 for p in pairs if p[1] == w) for w in inst.west}
    c, _const = _coefficients(inst, inst.edges)
    ranked = sorted(zip(inst.edges, c), key=lambda t: -t[1])
    for (e, w), _v in ranked:
        if (e, w) not in pairs and got[w] < inst.west_min.get(w, 0) and load[e] < inst.east_cap.get(e, 0):
            pairs.add((e, w))
            load[e] += 1
            got[w] += 1
    for (e, w), v in ranked:
        if v <= 0:
            break
        if (e, w) not in pairs and got[w] < inst.west_max.get(w, 0) and load[e] < inst.east_cap.get(e, 0):
            pairs.add((e, w))
            load[e] += 1
            got[w] += 1
    return sorted(pairs) if not inst.violations(pairs) else None


def lp_duals(inst: Instance, time_limit: float = 60.0) -> dict | None:
    """The LP relaxation with HiGHS (`linprog`, by pricing over the candidate pairs): its
    objective and the marginal value of one more helper slot for each western unit (its
    maximum), of one more required helper (its minimum) and of one more unit of capacity for
    each eastern unit. Only for a pure b-matching, whose relaxation is integral; None otherwise."""
    if not inst.is_pure_b_matching() or not inst.edges:
        return None
    found = pricing_lp(inst, time_limit)
    if found is None:
        return None
    arr, cols, res, bound = found
    m = res.ineqlin.marginals
    nw = len(inst.west)
    integral = bool(np.all(np.minimum(np.abs(res.x), np.abs(1 - res.x)) < 1e-6))
    return {
        "objective": bound,
        "integral": integral,
        "west_slot": {w: float(-m[i]) for i, w in enumerate(inst.west)},  # one more allowed helper
        "west_need": {w: float(m[nw + i]) for i, w in enumerate(inst.west)},  # one more required helper (≤ 0: costs)
        "east_slot": {e: float(-m[2 * nw + i]) for i, e in enumerate(inst.east)},
    }


def brute_force(inst: Instance) -> tuple[float | None, list | None]:
    """The optimum by enumerating every assignment (small instances only: tests)."""
    best, best_pairs = None, None
    options = []
    for w in inst.west:
        cands = [e for e in inst.east if (e, w) in inst.value]
        opts = []
        for k in range(inst.west_min.get(w, 0), inst.west_max.get(w, 0) + 1):
            opts.extend(itertools.combinations(cands, k))
        options.append(opts)
    for combo in itertools.product(*options):
        pairs = {(e, w) for w, es in zip(inst.west, combo) for e in es}
        if inst.violations(pairs):
            continue
        v = inst.objective_of(pairs)
        if best is None or v > best + 1e-12:
            best, best_pairs = v, sorted(pairs)
    return best, best_pairs
