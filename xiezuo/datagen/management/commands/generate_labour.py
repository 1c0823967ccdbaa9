"""manage.py generate_labour --scale 1: labour cooperation at national size (xiezuo/datagen/labour.py).
Found once `xiezuo.datagen` is an installed app; until then:
`manage.py shell -c "from xiezuo.datagen.labour import generate; generate(1.0)"`."""
from django.core.management.base import BaseCommand

from xiezuo.core.context import acting
from xiezuo.datagen.labour import generate


class Command(BaseCommand):
    help = "Generate labour cooperation (scale 1.0 = 1M workers, 100,000 open jobs, 800,000 placements a year with retention checks)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--years", type=int, default=1, help="years of placements back from today")
        parser.add_argument("--jobs", type=int, default=None, help="open jobs (default 100,000 × scale)")

    def handle(self, *args, scale, seed, years, jobs, **opts):
        with acting(via="command"):
            counts = generate(scale=scale, seed=seed, years=years, jobs=jobs, log=self.stdout.write)
        for name, n in counts.items():
            self.stdout.write(f"{name:>16}: {n:>12,}")
