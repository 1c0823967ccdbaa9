"""What the closed loop does on a dataset: grades and every consequence, counted.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test_h3_after .venv/bin/python bench/loop_counts.py --run

With --run it first does what the quarterly evaluation does for the last three finished
quarters (or those given with --periods): recompute each quarter's scores, then apply the
consequence rules to each quarter in order, as the loop would have run them quarter by
quarter. Without --run it only counts what is in the database.

It prints, per quarter: the grade distribution by level (western counties, eastern
counties, pairs, province pairs), the composites shown as incomplete (when the platform
records coverage), how often each indicator has data; then the consequences: warnings by
level, restructuring proposals (and how many distinct pairings and province pairings they
name), rectification orders, intervention tickets by signal, incentives. The same script
runs on the code before and after a change (it looks for the fields it counts), so the
numbers can be compared.
"""
import argparse
import statistics
import time
from collections import Counter, defaultdict

from _common import setup_django


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--run", action="store_true", help="recompute the quarters and apply the rules first")
    parser.add_argument("--periods", nargs="*", help="quarters, e.g. 2026Q1 2026Q2 2026Q3 (default: the last three finished)")
    args = parser.parse_args()
    setup_django()

    from django.utils import timezone

    from xiezuo.assessment import tasks
    from xiezuo.core.periods import Period

    if args.periods:
        periods = [Period.parse(p) for p in args.periods]
    else:
        latest = Period.containing("quarter", timezone.localdate()).previous()
        periods = [latest.previous().previous(), latest.previous(), latest]
    if args.run:
        for p in periods:
            t0 = time.perf_counter()
            done = tasks.recompute_period(p.label)
            print(f"recompute {p.label}: {done['scores']} scores in {time.perf_counter() - t0:.1f} s")
        for p in periods:
            t0 = time.perf_counter()
            r = tasks.apply_rules(p.label)
            made = ", ".join(f"{k} {v}" for k, v in sorted(r["created"].items())) or "nothing new"
            print(f"rules {p.label}: {made} ({time.perf_counter() - t0:.1f} s)")
    print()
    for p in periods:
        grades(p)
    consequences()


def _group(score) -> str:
    if score.level == "county":
        return "east county" if score.peer_group == "east" else "west county"
    return score.level


def grades(period):
    from xiezuo.assessment.models import IndicatorSystem, Score

    system = IndicatorSystem.current()
    rows = list(Score.objects.filter(system=system, period_kind=period.kind, period_start=period.start)
                .only("level", "peer_group", "grade", "composite", "values", *(["coverage"] if _has_coverage() else [])))
    order = ["good", "fairly_good", "fair", "poor", "incomplete", "none"]
    table = defaultdict(Counter)
    with_data, applicable = Counter(), Counter()
    composites = defaultdict(list)
    for s in rows:
        g = s.grade or ("incomplete" if s.composite is not None or getattr(s, "coverage", None) else "none")
        table[_group(s)][g] += 1
        table["all"][g] += 1
        if s.composite is not None and s.grade:
            composites[_group(s)].append(float(s.composite))
        for code, v in (s.values or {}).items():
            applicable[code] += 1
            if v.get("value") is not None:
                with_data[code] += 1
    print(f"== {period.label} (v{system.number}): {len(rows)} scores")
    print(f"{'':<14}" + "".join(f"{g:>12}" for g in order) + f"{'median':>9}")
    for group in ["west county", "east county", "pair", "province_pair", "all"]:
        c = table.get(group)
        if not c:
            continue
        values = composites.get(group) if group != "all" else [x for v in composites.values() for x in v]
        median = f"{statistics.median(values):9.1f}" if values else f"{'-':>9}"
        print(f"{group:<14}" + "".join(f"{c[g]:>12}" for g in order) + median)
    print("indicator data: " + ", ".join(f"{code} {100 * with_data[code] / applicable[code]:.0f}%"
                                         for code in sorted(applicable) if applicable[code]))
    if _has_coverage():
        cov = [float(s.coverage) for s in rows if s.coverage is not None]
        if cov:
            print(f"coverage: median {statistics.median(cov):.1f}%, below 60%: {sum(1 for c in cov if c < 60)}")
    print()


def _has_coverage() -> bool:
    from xiezuo.assessment.models import Score

    return any(f.name == "coverage" for f in Score._meta.get_fields())


def consequences():
    from django.db.models import Count

    from xiezuo.assessment.models import (Incentive, InterventionTicket, PerformanceWarning, RectificationOrder,
                                          RestructuringProposal)

    print("== consequences (all periods)")
    by_period = defaultdict(Counter)
    for label, level, n in PerformanceWarning.objects.values_list("period_label", "level").annotate(n=Count("id")).order_by():
        by_period[label][f"warning L{level}"] += n
    for label, n in RestructuringProposal.objects.values_list("period_label").annotate(n=Count("id")).order_by():
        by_period[label]["proposals"] += n
    for label, n in Incentive.objects.values_list("period_label").annotate(n=Count("id")).order_by():
        by_period[label]["incentives"] += n
    for label in sorted(by_period):
        c = by_period[label]
        print(f"{label}: " + ", ".join(f"{k} {c[k]}" for k in ("warning L1", "warning L2", "warning L3", "proposals", "incentives")))
    warnings = PerformanceWarning.objects.count()
    dup = (PerformanceWarning.objects.values("subject_key", "period_label").annotate(n=Count("id")).filter(n__gt=1).count())
    print(f"warnings {warnings} (L1 {PerformanceWarning.objects.filter(level=1).count()}, "
          f"L2 {PerformanceWarning.objects.filter(level=2).count()}, L3 {PerformanceWarning.objects.filter(level=3).count()}); "
          f"subject-periods warned more than once: {dup}")
    proposals = RestructuringProposal.objects.all()
    pairings = proposals.exclude(pairing=None).values("pairing").distinct().count()
    per_pairing_period = (proposals.exclude(pairing=None).values("pairing", "period_label").annotate(n=Count("id"))
                          .filter(n__gt=1).count())
    province = proposals.filter(pairing__kind="province").values("pairing").distinct().count()
    flagged = sorted({str(p.pairing) for p in proposals.filter(pairing__kind="province").select_related(
        "pairing__east_region", "pairing__west_region")})
    print(f"restructuring proposals {proposals.count()}: {pairings} distinct pairings named; "
          f"pairing-periods proposed more than once: {per_pairing_period}; province pairings flagged {province} of 11")
    if flagged:
        print("  province pairings flagged: " + "; ".join(flagged))
    print(f"rectification orders {RectificationOrder.objects.count()}")
    tickets = Counter(InterventionTicket.objects.values_list("signal", flat=True))
    print(f"intervention tickets {sum(tickets.values())}: " + ", ".join(f"{k} {v}" for k, v in sorted(tickets.items())))
    print(f"incentives {Incentive.objects.count()}")


if __name__ == "__main__":
    main()
