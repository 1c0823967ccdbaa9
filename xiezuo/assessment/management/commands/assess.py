"""manage.py assess seed | compute PERIOD [--version N] [--as-of DATE] | stale | show PERIOD"""
from django.core.management.base import BaseCommand, CommandError

from xiezuo.assessment import tasks
from xiezuo.assessment.defaults import seed
from xiezuo.assessment.models import GradeCutoffs, Indicator, IndicatorSystem, Score
from xiezuo.core.periods import Period, PeriodError


class Command(BaseCommand):
    help = "Assessment: seed the default indicator system, recompute scores, list them."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="cmd", required=True)
        sub.add_parser("seed", help="create indicator system version 1 if there is none")
        c = sub.add_parser("compute", help="recompute every score of a period (e.g. 2026Q3, 2026, 2026-W05)")
        c.add_argument("period")
        c.add_argument("--version", type=int, help="indicator system version (default: current)")
        c.add_argument("--as-of", help="count data up to this day (YYYY-MM-DD; default today)")
        s = sub.add_parser("stale", help="recompute every period with stale scores")
        s.add_argument("--as-of")
        show = sub.add_parser("show", help="the best and worst scores of a period per peer group")
        show.add_argument("period")
        show.add_argument("--top", type=int, default=5)

    def handle(self, *args, cmd, **opts):
        try:
            if cmd == "seed":
                made = seed(IndicatorSystem, Indicator, GradeCutoffs)
                self.stdout.write("indicator system v1 created" if made else "an indicator system exists; nothing done")
            elif cmd == "compute":
                r = tasks.enqueue(tasks.recompute_period, opts["period"], opts["version"], opts["as_of"])
                self.stdout.write(f"{r['period']} v{r['version']}: {r['scores']} scores ({r['removed']} removed) in {r['seconds']} s")
            elif cmd == "stale":
                for r in tasks.enqueue(tasks.recompute_stale, opts["as_of"]):
                    self.stdout.write(f"{r['period']} v{r['version']}: {r['scores']} scores in {r['seconds']} s")
            elif cmd == "show":
                self._show(Period.parse(opts["period"]), opts["top"])
        except (PeriodError, ValueError, IndicatorSystem.DoesNotExist) as exc:
            raise CommandError(str(exc))

    def _show(self, period, top):
        qs = Score.objects.filter(period_kind=period.kind, period_start=period.start, system=IndicatorSystem.current())
        for group in qs.values_list("peer_group", flat=True).distinct().order_by("peer_group"):
            ranked = qs.filter(peer_group=group, rank__isnull=False).order_by("rank", "subject_key")
            self.stdout.write(f"— {group}: {ranked.count()} ranked")
            for s in list(ranked[:top]):
                self.stdout.write(f"  {s.rank:>4} {s.subject_key:<16} {s.composite} {s.grade}")
