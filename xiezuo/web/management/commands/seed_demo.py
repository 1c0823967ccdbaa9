from django.core.management.base import BaseCommand

from xiezuo.web.demo import seed_demo


class Command(BaseCommand):
    help = "Create the demo users, offices, city/county pairings and agreements (marked as demo data)."

    def handle(self, *args, **opts):
        seed_demo(self.stdout)
