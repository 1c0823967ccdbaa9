"""`manage.py rebuild_figures`: the auditor's check that the dashboard's summary tables agree
with the facts, and their set-based rebuild.

Each summary (money: `ledger.totals`, projects: `projects.totals`, people on post:
`people.totals`, households: `households.totals`, placements and retention: `labour.totals`, each
placement's next retention check day: `labour.due`,
purchases: `consumption.totals`) is recomputed from the facts with one grouped query and compared with what
the writers kept; every difference is named (table, key, stored, from the facts). With
`--fix` (or `--rebuild`, which skips the comparison) the tables are refilled from the facts
in one transaction. Exit status 1 when a difference was found and not fixed.
"""
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from xiezuo.consumption import totals as purchases
from xiezuo.households import totals as households
from xiezuo.labour import due as labour_due, duecounts as labour_due_counts
from xiezuo.labour import totals as labour
from xiezuo.ledger import totals as money
from xiezuo.people import totals as people
from xiezuo.projects import totals as projects

SUMMARIES = (("money", money), ("projects", projects), ("people", people), ("households", households),
             ("labour", labour), ("labour next check days", labour_due), ("labour due counts", labour_due_counts),
             ("purchases", purchases))


class Command(BaseCommand):
    help = "Compare the dashboard's summary tables with the facts (and refill them with --fix)."

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="refill every summary from the facts after comparing")
        parser.add_argument("--rebuild", action="store_true", help="refill every summary from the facts without comparing")
        parser.add_argument("--show", type=int, default=20, help="differences listed per summary (default 20)")

    def handle(self, *args, fix=False, rebuild=False, show=20, **options):
        found = 0
        with transaction.atomic():
            for name, module in SUMMARIES:
                t0 = time.perf_counter()
                if rebuild:
                    n = module.rebuild()
                    self.stdout.write(f"{name} ({module.TABLE}): rebuilt, {n:,} rows in {time.perf_counter() - t0:.2f} s")
                    continue
                diffs = module.check()
                found += len(diffs)
                took = time.perf_counter() - t0
                if not diffs:
                    self.stdout.write(f"{name} ({module.TABLE}): agrees with the facts ({took:.2f} s)")
                    continue
                self.stdout.write(f"{name} ({module.TABLE}): {len(diffs):,} differences ({took:.2f} s)")
                for row in diffs[:show]:
                    *key, stored, facts = row
                    named = ", ".join(f"{k}={v}" for k, v in zip(module.KEYS, key))
                    self.stdout.write(f"  {named}: stored {stored}, from the facts {facts}")
                if len(diffs) > show:
                    self.stdout.write(f"  … and {len(diffs) - show:,} more")
                if fix:
                    n = module.rebuild()
                    self.stdout.write(f"  refilled from the facts: {n:,} rows")
        if found and not fix:
            raise CommandError(f"{found:,} differences between the summaries and the facts (run with --fix to refill)")
        if not rebuild:
            self.stdout.write("OK: the summaries agree with the facts" if not found else "fixed")
