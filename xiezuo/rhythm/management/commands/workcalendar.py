"""Enter a year's official holiday arrangement from a CSV file, or show what is covered.

    manage.py workcalendar show
    manage.py workcalendar load 2027.csv --year 2027 --source "国办发明电〔2026〕N号"

The CSV has the columns date (YYYY-MM-DD), working (1 for a make-up working day 调休上班,
0 for a holiday) and name. Only days that differ from Monday–Friday work are listed.
Loading replaces that year's days, all or nothing; a bad row is named and nothing is written.
"""
import csv
import datetime

from django.core.management.base import BaseCommand, CommandError

from xiezuo.core.context import acting
from xiezuo.core.errors import ValidationError, messages_of

from ...actions import enter_holiday_arrangement
from ...models import CalendarYear
from ...workdays import covered_years


def read_days(path, year):
    days, errors = [], []
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        missing = {"date", "working"} - set(reader.fieldnames or [])
        if missing:
            raise CommandError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        seen = {}
        for n, row in enumerate(reader, start=2):
            try:
                day = datetime.date.fromisoformat((row["date"] or "").strip())
            except ValueError:
                errors.append(f"row {n}, date: “{row['date']}” is not YYYY-MM-DD")
                continue
            if day.year != year:
                errors.append(f"row {n}, date: {day} is not in {year}")
            if day in seen:
                errors.append(f"row {n}, date: {day} repeats row {seen[day]}")
            seen[day] = n
            working = (row["working"] or "").strip()
            if working not in ("0", "1"):
                errors.append(f"row {n}, working: “{working}” is neither 1 (working day) nor 0 (holiday)")
                continue
            days.append((day, working == "1", (row.get("name") or "").strip()[:50]))
    if errors:
        raise CommandError("nothing was loaded:\n" + "\n".join(errors))
    return days


class Command(BaseCommand):
    help = "Enter or show the official holiday arrangements behind working-day deadlines."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        sub.add_parser("show")
        load = sub.add_parser("load")
        load.add_argument("csv")
        load.add_argument("--year", type=int, required=True)
        load.add_argument("--source", required=True, help="the State Council notice the days come from")

    def handle(self, *args, what, **opts):
        if what == "show":
            first, last = covered_years()
            self.stdout.write(f"working days known for {first}–{last}")
            for y in CalendarYear.objects.all():
                self.stdout.write(f"  {y.year}: entered, {y.days.count()} days, from {y.source}")
            return
        year = opts["year"]
        days = read_days(opts["csv"], year)
        try:
            with acting(via="command"):
                enter_holiday_arrangement(None, year=year, source=opts["source"], days=days)
        except ValidationError as exc:
            raise CommandError("nothing was loaded: " + "; ".join(m for ms in messages_of(exc).values() for m in ms)) from None
        self.stdout.write(f"{year}: {len(days)} days entered; working days now known for {'–'.join(map(str, covered_years()))}")
