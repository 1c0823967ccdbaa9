"""manage.py generate_markets --scale 1: the factor markets at national size (xiezuo/datagen/markets.py).
Found once `xiezuo.datagen` is an installed app; until then:
`manage.py shell -c "from xiezuo.datagen.markets import generate; generate(1.0)"`."""
from django.core.management.base import BaseCommand

from xiezuo.core.context import acting
from xiezuo.datagen.markets import generate


class Command(BaseCommand):
    help = "Generate the factor markets (scale 1.0 ≈ 2,500 quota listings, 5M carbon units in blocks, 50,000 patents)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--no-settle", action="store_true", help="do not post the generated trades' payments to the ledger")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when generated technologies exist already")

    def handle(self, *args, scale, seed, no_settle=False, if_empty=False, **opts):
        from xiezuo.markets.models import Technology

        if if_empty and Technology.objects.filter(number__contains="G").exists():
            self.stdout.write("markets data exist already: nothing generated")
            return
        with acting(via="command"):
            counts = generate(scale=scale, seed=seed, log=self.stdout.write, settle=not no_settle)
        for name, n in counts.items():
            self.stdout.write(f"{name:>16}: {n:>12,}")
