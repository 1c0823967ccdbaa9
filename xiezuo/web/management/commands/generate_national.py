from django.core.management.base import BaseCommand

from xiezuo.core.context import acting
from xiezuo.datagen.national import generate


class Command(BaseCommand):
    help = "Generate the national-scale dataset (scale 1.0 ≈ 100k projects, 5M weekly reports) over the real tree."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0)
        parser.add_argument("--seed", type=int, default=2021)
        parser.add_argument("--if-empty", action="store_true",
                            help="do nothing when projects exist already (so `make run` can be repeated)")

    def handle(self, *args, scale, seed, if_empty=False, **opts):
        from xiezuo.projects.models import Project

        if if_empty and Project.objects.exists():
            self.stdout.write("projects exist already: nothing generated")
            return
        with acting(via="command"):
            report = generate(scale=scale, seed=seed, log=self.stdout.write)
        for name, n in report.counts.items():
            self.stdout.write(f"{name:>18}: {n:>10,}  ({report.seconds[name]} s)")
