"""manage.py generate_consumption --scale 1: consumption and social help at national size
(xiezuo/datagen/consumption.py): products with certificates, buyers, canteen shares, several
million purchases, needs with pledges."""
from django.core.management.base import BaseCommand

from xiezuo.core.context import acting
from xiezuo.datagen.consumption import generate


class Command(BaseCommand):
    help = "Generate consumption and social help (scale 1.0 = 4M purchases over --years years, 16,000 products, 20,000 needs)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--years", type=int, default=1, help="years of purchases back from today")

    def handle(self, *args, scale, seed, years, **opts):
        with acting(via="command"):
            counts = generate(scale=scale, seed=seed, years=years, log=self.stdout.write)
        for name, n in counts.items():
            self.stdout.write(f"{name:>16}: {n:>12,}")
