"""Escalate overdue consultation decisions one level up. Safe to run as often as wished
(e.g. every morning from cron): an item is escalated once."""
import datetime

from django.core.management.base import BaseCommand

from xiezuo.rhythm.actions import escalate_overdue


class Command(BaseCommand):
    help = "Hand open action items past their deadline to the leading post of the office one level up (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=datetime.date.fromisoformat, help="the day to judge deadlines against (default: today)")

    def handle(self, *args, today=None, **options):
        result = escalate_overdue(today=today)
        for item in result["escalated"]:
            self.stdout.write(f"escalated: #{item.pk} {item.decision} ({item.owner_post}) → {item.escalated_to}")
        for item in result["nowhere"]:
            self.stdout.write(f"no post above: #{item.pk} {item.decision} ({item.owner_post})")
        self.stdout.write(f"{len(result['escalated'])} escalated, {len(result['nowhere'])} with no post above")
