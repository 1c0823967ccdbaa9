"""`manage.py ledger verify` checks the hash chain; `manage.py ledger balances` lists balances.

verify walks every entry in sequence order in batches (a server-side cursor on
PostgreSQL), recomputes each hash from the row and its posting, checks that each posting
balances and that the chain head matches the last entry. It prints OK with the count, or
names the first altered row with the expected and the stored hash and exits with status 1.
"""
import datetime
import time

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Verify the ledger's hash chain (verify) or print account balances (balances)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="recompute the hash chain and name the first altered row")
        verify.add_argument("--chunk-size", type=int, default=10_000, help="rows fetched per batch (default 10000)")
        balances = sub.add_parser("balances", help="balances of every account (the replay of its entries)")
        balances.add_argument("--region", default="", help="only accounts of organisations in this region code prefix")
        balances.add_argument("--as-of", default="", help="YYYY-MM-DD: entries booked on or before this date")

    def handle(self, *args, subcommand, **options):
        if subcommand == "verify":
            return self.verify(options["chunk_size"])
        return self.balances(options["region"], options["as_of"])

    def verify(self, chunk_size):
        from xiezuo.ledger.chain import verify

        t0 = time.perf_counter()
        verdict = verify(chunk_size=max(1, chunk_size),
                         progress=lambda n: self.stderr.write(f"… {n:,} entries verified"))
        seconds = time.perf_counter() - t0
        if not verdict.ok:
            raise CommandError(f"ledger chain BROKEN after {verdict.entries:,} good entries: {verdict.problem}")
        rate = verdict.entries / seconds if seconds > 0 else 0
        self.stdout.write(f"OK: {verdict.entries:,} entries in {verdict.postings:,} postings, chain head {verdict.last_hash} "
                          f"({seconds:.2f} s, {rate:,.0f} entries/s)")

    def balances(self, region, as_of):
        from xiezuo.core.money import format_yuan
        from xiezuo.ledger.balances import balances, totals
        from xiezuo.ledger.models import Account

        day = None
        if as_of:
            try:
                day = datetime.date.fromisoformat(as_of)
            except ValueError:
                raise CommandError(f"--as-of: “{as_of}” is not a date (YYYY-MM-DD)") from None
        accounts = Account.objects.select_related("owner__region", "project").order_by("owner__region__code", "owner_id", "purpose", "project_id")
        if region:
            accounts = accounts.filter(owner__region__code__startswith=region)
        accounts = list(accounts)
        values = balances(accounts, as_of=day)
        for account in accounts:
            self.stdout.write(f"{account.owner.region.code if account.owner.region_id else '':6}  {account.id:>8}  "
                              f"{format_yuan(values[account.pk]):>22}  {account}")
        debits, credits = totals()
        self.stdout.write(f"{len(accounts)} accounts; all debits {format_yuan(debits)}, all credits {format_yuan(credits)}"
                          f"{'' if debits == credits else '  UNBALANCED'}")
