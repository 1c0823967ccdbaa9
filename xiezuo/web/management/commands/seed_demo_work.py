"""The demo's working state, after the generated projects and money exist: the rhythm's
posts and a consultation; the channels' and markets' examples (households in the monitoring
registry, workers placed, certified products bought, a need funded, quota traded, carbon
units issued); and scorecards for the last three finished quarters with the consequence
rules applied to the latest. Skips what is there already, so `make run` can be repeated."""
from django.core.management.base import BaseCommand
from django.utils import timezone

from xiezuo.assessment import tasks
from xiezuo.consumption.demo import seed_demo as seed_consumption
from xiezuo.households.demo import seed_demo as seed_households
from xiezuo.labour.demo import seed_demo as seed_labour
from xiezuo.markets.demo import seed_demo as seed_markets
from xiezuo.social.demo import seed_demo as seed_social
from xiezuo.assessment.models import Score
from xiezuo.core.periods import Period
from xiezuo.core.context import acting
from xiezuo.rhythm.demo import seed_rhythm_demo
from xiezuo.web.demo import seed_loop_demo


def _screen_this_month(out):
    """The monthly risk screening runs on the first of the month (Celery beat): a demo seeded
    mid-month would otherwise show its households with no risk flags, as if screened clean."""
    from xiezuo.households.models import ScreeningRun
    from xiezuo.households.screening import first_of, run_screening

    month = first_of(timezone.localdate())
    if ScreeningRun.objects.filter(month=month, prefix="").exists():
        return
    run = run_screening(month)
    out.write(f"households screened for {month:%Y-%m}: {run.households} households, {run.flagged} flagged")


class Command(BaseCommand):
    help = "Demo posts, a consultation, and scorecards with their consequences (once)."

    def handle(self, *args, **opts):
        with acting(via="command"):
            seed_rhythm_demo(self.stdout)
            seed_loop_demo(self.stdout)
            # The registry first: a worker links to the household member with their ID number.
            seed_households()
            _screen_this_month(self.stdout)
            seed_labour()
            seed_consumption()
            seed_social()
            seed_markets(self.stdout)
            if Score.objects.exists():
                self.stdout.write("scorecards exist already: nothing computed")
                return
            latest = Period.containing("quarter", timezone.localdate()).previous()
            periods = [latest.previous().previous(), latest.previous(), latest]
            for period in periods:
                done = tasks.recompute_period(period.label)
                self.stdout.write(f"{period.label}: {done['scores']} scores in {done['seconds']} s")
            rules = tasks.apply_rules(latest.label)
            self.stdout.write(f"{latest.label}: consequence rules applied: {rules}")
