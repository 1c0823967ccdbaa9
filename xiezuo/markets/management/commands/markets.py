"""manage.py markets verify — check the carbon registry's invariants and the land exchange's
(no unit sold twice, ranges within their listings); exit status 1 on any problem."""
import time

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Factor markets: `verify` checks the carbon registry and the land-quota exchange."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["verify"])

    def handle(self, *args, what, **opts):
        from xiezuo.markets.carbon.verify import verify
        from xiezuo.markets.land.verify import verify as verify_land

        t = time.perf_counter()
        carbon = verify()
        land = verify_land()
        took = time.perf_counter() - t
        self.stdout.write(f"carbon registry: {carbon['verifications']} verifications, {carbon['live_blocks']} live blocks, "
                          f"{carbon['units']} units, {carbon['superseded']} superseded blocks")
        self.stdout.write(f"land exchange: {land['listings']} listings, {land['trades']} trades")
        for p in carbon["problems"] + land["problems"]:
            self.stdout.write(self.style.ERROR(p))
        if carbon["problems"] or land["problems"]:
            raise CommandError(f"{len(carbon['problems']) + len(land['problems'])} problems ({took:.1f} s)")
        self.stdout.write(self.style.SUCCESS(f"markets verify: OK ({took:.1f} s)"))
