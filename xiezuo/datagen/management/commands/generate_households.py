"""manage.py generate_households --scale 1: the monitoring registry over the western former
poverty counties (xiezuo/datagen/households.py). Found once `xiezuo.datagen` is an installed
app; until then: `manage.py shell -c "from xiezuo.datagen.households import generate; generate(1.0)"`."""
from django.core.management.base import BaseCommand

from xiezuo.core.context import acting
from xiezuo.datagen.households import generate


class Command(BaseCommand):
    help = "Generate the households registry (scale 1.0 ≈ 3M households, 10M members) over the western former poverty counties."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when households exist already")

    def handle(self, *args, scale, seed, if_empty=False, **opts):
        from xiezuo.households.models import Household

        if if_empty and Household.objects.filter(is_demo=False).exists():
            self.stdout.write("households exist already: nothing generated")
            return
        with acting(via="command"):
            counts = generate(scale=scale, seed=seed, log=self.stdout.write)
        for name, n in counts.items():
            self.stdout.write(f"{name:>14}: {n:>12,}")
