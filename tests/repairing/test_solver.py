"""The solver against enumeration: on every small instance (up to 5 × 5) with random values
and constraints, the objective equals the best found by trying every assignment, every
constraint holds, locked and forbidden pairs are respected, and an infeasible instance is
named in words."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xiezuo.repairing import solver
from xiezuo.repairing.solver import Instance, brute_force, greedy, lp_duals, solve


@st.composite
def instances(draw, max_e=5, max_w=5, side=True):
    ne, nw = draw(st.integers(1, max_e)), draw(st.integers(1, max_w))
    east, west = [f"e{i}" for i in range(ne)], [f"w{j}" for j in range(nw)]
    value = {}
    for e in east:
        for w in west:
            if draw(st.booleans()) or draw(st.booleans()):
                value[(e, w)] = draw(st.floats(0, 1, allow_nan=False).map(lambda x: round(x, 3)))
    lo = {w: draw(st.integers(0, 1)) for w in west}
    hi = {w: lo[w] + draw(st.integers(0, 1)) for w in west}
    cap = {e: draw(st.integers(0, 3)) for e in east}
    edges = sorted(value)
    current = set(draw(st.lists(st.sampled_from(edges), max_size=4, unique=True))) if edges else set()
    locked = set(draw(st.lists(st.sampled_from(edges), max_size=2, unique=True))) if edges and side else set()
    cost = draw(st.sampled_from([0.0, 0.05, 0.3]))
    cap_changes = draw(st.sampled_from([None, None, 0, 1, 3])) if side else None
    return Instance(east, west, value, lo, hi, cap, current, locked, cost, cap_changes, {}, {})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_objective_equals_enumeration_and_constraints_hold(inst):
    best, _pairs = brute_force(inst)
    sol = solve(inst)
    if best is None:
        assert sol.status == solver.INFEASIBLE
        assert sol.reason and "Traceback" not in sol.reason
        return
    assert sol.status == solver.OPTIMAL
    assert sol.gap == 0.0
    assert sol.objective == pytest.approx(best, abs=1e-6)
    assert sol.bound == pytest.approx(best, abs=1e-6)
    assert inst.violations(sol.pairs) == []
    assert inst.locked <= set(sol.pairs)
    assert all(p in inst.value for p in sol.pairs)  # forbidden pairs are absent from the candidates
    # the objective is the pair values less the cost of the changes
    assert sol.objective == pytest.approx(sum(inst.value[p] for p in sol.pairs) - inst.change_cost * inst.changes_of(sol.pairs))
    g = greedy(inst)
    if g is not None:
        assert inst.objective_of(g) <= sol.objective + 1e-9


@settings(max_examples=80, deadline=None)
@given(instances(side=False))
def test_lp_relaxation_of_a_b_matching_is_integral_with_the_same_optimum(inst):
    best, _ = brute_force(inst)
    d = lp_duals(inst)
    if best is None or d is None:
        return
    assert d["integral"]
    assert d["objective"] == pytest.approx(best, abs=1e-6)
    assert all(v >= -1e-9 for v in d["west_slot"].values())
    assert all(v >= -1e-9 for v in d["east_slot"].values())


def small():
    return Instance(["a", "b"], ["x", "y"], {("a", "x"): 0.9, ("a", "y"): 0.8, ("b", "x"): 0.1, ("b", "y"): 0.2},
                    {"x": 1, "y": 1}, {"x": 1, "y": 1}, {"a": 1, "b": 1}, {("b", "x"), ("a", "y")}, set(), 0.0, None,
                    {"a": "杭州", "b": "宁波", "x": "美姑县", "y": "昭觉县"}, {})


def test_locked_and_forbidden_are_respected():
    inst = small()
    assert set(solve(inst).pairs) == {("a", "x"), ("b", "y")}
    inst.locked = {("b", "x")}
    assert set(solve(inst).pairs) == {("b", "x"), ("a", "y")}
    inst.locked = set()
    del inst.value[("a", "x")]
    assert ("a", "x") not in solve(inst).pairs


def test_change_cost_and_cap_on_changes_keep_todays_pairs():
    inst = small()
    inst.change_cost = 0.5
    assert set(solve(inst).pairs) == {("b", "x"), ("a", "y")}
    inst.change_cost = 0.0
    inst.max_changes = 0
    assert set(solve(inst).pairs) == {("b", "x"), ("a", "y")}


@pytest.mark.parametrize("mutate, words", [
    (lambda i: i.east_cap.update({"a": 0, "b": 1}), "capacity of"),
    (lambda i: [i.value.pop(("a", "x")), i.value.pop(("b", "x"))], "美姑县 needs at least 1 helper"),
    (lambda i: setattr(i, "locked", {("a", "x"), ("a", "y")}), "杭州 has 2 locked pairs, above its capacity of 1"),
    (lambda i: [setattr(i, "locked", {("a", "x")}), i.value.pop(("a", "x"))], "the locked pair 杭州—美姑县 may not be formed"),
    (lambda i: [setattr(i, "max_changes", 1), i.value.pop(("a", "y")), i.value.pop(("b", "x"))], "cap of 1 changes is too low"),
])
def test_infeasible_scenarios_name_the_constraint(mutate, words):
    inst = small()
    mutate(inst)
    sol = solve(inst)
    assert sol.status == solver.INFEASIBLE
    assert words in sol.reason


def test_capacity_of_a_province_below_its_partners_need_is_named_like_the_issue():
    east = [f"zj{i}" for i in range(3)]
    west = [f"sc{j}" for j in range(4)]
    value = {(e, w): 0.5 for e in east for w in west}
    names = {**{e: f"浙江县{i}" for i, e in enumerate(east)}, **{w: f"四川县{j}" for j, w in enumerate(west)}}
    groups = {**{e: "浙江省" for e in east}, **{w: "四川省" for w in west}}
    inst = Instance(east, west, value, dict.fromkeys(west, 1), dict.fromkeys(west, 1), dict.fromkeys(east, 1), set(), set(), 0, None, names, groups)
    sol = solve(inst)
    assert sol.status == solver.INFEASIBLE
    assert sol.reason == "the capacity of 浙江县0、浙江县1、浙江县2, 3, is below the 4 helper slots needed by the 4 western units of 四川省"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(instances())
def test_pricing_proves_the_same_optimum_as_enumeration(monkeypatch, inst):
    """The large-instance path (column generation on the LP, then the integer program over the
    working set) with a working set of one pair per unit, so pricing has work to do."""
    monkeypatch.setattr(solver, "COLGEN_PER_WEST", 1)
    best, _ = brute_force(inst)
    sol = solve(inst, method="pricing")
    if best is None:
        assert sol.status == solver.INFEASIBLE and sol.reason
        return
    assert sol.status == solver.OPTIMAL and sol.gap == 0.0
    assert sol.objective == pytest.approx(best, abs=1e-6) and sol.bound == pytest.approx(best, abs=1e-6)
    assert inst.violations(sol.pairs) == []


@pytest.fixture(autouse=True)
def _explanations_in_english(english):
    """The explanations are translated; these tests read them in English."""
    yield
