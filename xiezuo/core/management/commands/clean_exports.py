"""Remove the files of background exports past their expiry (also a daily Celery task)."""
from django.core.management.base import BaseCommand

from xiezuo.core.exportjobs.jobs import clean_expired


class Command(BaseCommand):
    help = "Remove the files of expired background exports and mark the jobs expired."

    def handle(self, *args, **options):
        n = clean_expired()
        self.stdout.write(f"expired export jobs cleaned: {n}")
