"""manage.py loop rules | apply PERIOD [--today DATE] [--recompute] | escalate [--today DATE] | daily

The closed loop from the command line (the same Celery tasks the scheduler runs; eager
unless a broker is configured). Every subcommand is idempotent: running it twice creates
nothing new.
"""
from django.core.management.base import BaseCommand, CommandError

from xiezuo.assessment import tasks
from xiezuo.core.periods import PeriodError
from xiezuo.assessment.rules import ensure_default_rules
from xiezuo.rhythm.workdays import CalendarNotCovered


class Command(BaseCommand):
    help = "Closed loop: create the default rules, apply the rules to a period, escalate overdue orders."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="cmd", required=True)
        sub.add_parser("rules", help="create the shipped consequence rules that are missing")
        a = sub.add_parser("apply", help="apply the rules to a period (e.g. 2026Q3, 2026-W05)")
        a.add_argument("period")
        a.add_argument("--today", help="the day to evaluate and issue on (YYYY-MM-DD; default today)")
        a.add_argument("--recompute", action="store_true", help="recompute the period's scores first")
        e = sub.add_parser("escalate", help="escalate overdue rectification orders one office up")
        e.add_argument("--today")
        d = sub.add_parser("daily", help="the daily run: stale scores, rules for this week and quarter, escalation")
        d.add_argument("--today")

    def handle(self, *args, cmd, **opts):
        try:
            if cmd == "rules":
                self.stdout.write(f"{ensure_default_rules()} rules created")
            elif cmd == "apply":
                if opts["recompute"]:
                    r = tasks.enqueue(tasks.recompute_and_apply, opts["period"], None, None, opts["today"])
                    self.stdout.write(f"{r['recompute']['period']}: {r['recompute']['scores']} scores recomputed")
                    r = r["rules"]
                else:
                    r = tasks.enqueue(tasks.apply_rules, opts["period"], opts["today"])
                made = ", ".join(f"{k} {v}" for k, v in sorted(r["created"].items())) or "nothing new"
                self.stdout.write(f"{r['period']}: {made}")
                for code, why in r["skipped"]:
                    self.stderr.write(f"skipped ({code}): {why}")
            elif cmd == "escalate":
                r = tasks.enqueue(tasks.escalate_overdue, opts["today"])
                self.stdout.write(f"{r['escalated']} escalations")
            elif cmd == "daily":
                r = tasks.enqueue(tasks.daily_loop, opts["today"])
                self.stdout.write(f"{len(r['recomputed'])} periods recomputed; "
                                  f"{sum(x['total'] for x in r['rules'])} consequences; {r['escalation']['escalated']} escalations")
        except (PeriodError, ValueError, CalendarNotCovered) as exc:
            raise CommandError(str(exc))
