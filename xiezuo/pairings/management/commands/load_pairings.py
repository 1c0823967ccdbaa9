from django.core.management.base import BaseCommand

from xiezuo.core.context import acting
from xiezuo.pairings.loader import load_province_pairings


class Command(BaseCommand):
    help = "Load the 2021 East–West province pairings (real data)."

    def handle(self, *args, **opts):
        with acting(via="command"):
            pairings = load_province_pairings()
        self.stdout.write(f"province pairings: {len(pairings)}")
