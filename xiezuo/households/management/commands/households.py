"""manage.py households screen [--month YYYY-MM-01] [--prefix 513436] | escalate | retention | index-names

- screen: the monthly risk screening over every household (monthly, e.g. on the 1st);
- escalate: raise the open cases past their step's deadline (daily);
- retention: apply the retention rules (daily);
- index-names: write the name hash of the members without one (once, after migration 0005,
  which filled the heads' only)."""
import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from xiezuo.core.context import acting


class Command(BaseCommand):
    help = "The registry's periodic jobs: screen (monthly), escalate (daily), retention (daily)."

    def add_arguments(self, parser):
        parser.add_argument("job", choices=("screen", "escalate", "retention", "index-names"))
        parser.add_argument("--month", default="")
        parser.add_argument("--prefix", default="")

    def handle(self, *args, job, month, prefix, **opts):
        with acting(via="command"):
            if job == "screen":
                from xiezuo.households.screening import run_screening

                day = datetime.date.fromisoformat(month) if month else timezone.localdate()
                run = run_screening(day, prefix=prefix)
                self.stdout.write(f"screened {run.households:,} households for {run.month:%Y-%m}: {run.flagged:,} flagged, "
                                  f"{run.flags:,} flags, {run.seconds:.1f} s")
            elif job == "escalate":
                from xiezuo.households.actions import escalate_overdue

                self.stdout.write(f"escalated: {escalate_overdue()}")
            elif job == "index-names":
                from django.db import connection

                from xiezuo.households.lookup import fill_names
                from xiezuo.households.models import Member

                self.stdout.write(f"name hashes written: {fill_names(Member, connection):,}")
            else:
                from xiezuo.households.retention import apply_retention

                self.stdout.write(f"retention: {apply_retention()}")
