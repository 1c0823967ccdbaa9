"""`manage.py ledger verify` checks the hash chain; `manage.py ledger balances` lists balances;
`keygen`, `checkpoint` and `verify --checkpoints` anchor the chain outside the database.

verify walks every entry in sequence order in batches (a server-side cursor on
PostgreSQL; on a long PostgreSQL chain, worker processes over ranges of it, `--workers`),
recomputes each hash from the row and its posting, checks that each posting balances and
that the chain head matches the last entry. It prints OK with the count, or names the first
altered row with the expected and the stored hash and exits with status 1.
With `--checkpoints FILE` it also checks every signed checkpoint in the file against the
chain as stored (see `ledger/checkpoints.py`): a chain recomputed after a change passes the
plain check and fails this one, naming the checkpoint and the range of entries.
"""
import datetime
import os
import time

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Verify the ledger's hash chain (verify) or print account balances (balances)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="recompute the hash chain and name the first altered row")
        verify.add_argument("--chunk-size", type=int, default=10_000, help="rows fetched per batch (default 10000)")
        verify.add_argument("--workers", type=int, default=None,
                            help="processes checking ranges of the chain side by side on PostgreSQL "
                                 "(default: one per core; 1: a single walk)")
        verify.add_argument("--checkpoints", default="", metavar="FILE",
                            help="also check the signed checkpoints in FILE against the chain as stored")
        verify.add_argument("--public-key", action="append", default=[], metavar="KEY",
                            help="Ed25519 public key (base64, PEM or a file) the checkpoints were signed with; "
                                 "repeat for checkpoints of an earlier key (default: XIEZUO_LEDGER_PUBLIC_KEY)")
        checkpoint = sub.add_parser("checkpoint", help="verify the chain, sign its head and append it to the checkpoint file")
        checkpoint.add_argument("--file", default="", help="checkpoint file (default: XIEZUO_LEDGER_CHECKPOINTS)")
        keygen = sub.add_parser("keygen", help="write a new Ed25519 signing key (0600) and print its public key")
        keygen.add_argument("path", nargs="?", default="",
                            help="where to write the private key (default: XIEZUO_LEDGER_SIGNING_KEY_FILE)")
        balances = sub.add_parser("balances", help="balances of every account (the replay of its entries)")
        balances.add_argument("--region", default="", help="only accounts of organisations in this region code prefix")
        balances.add_argument("--as-of", default="", help="YYYY-MM-DD: entries booked on or before this date")

    def handle(self, *args, subcommand, **options):
        from xiezuo.ledger.checkpoints import CheckpointError

        try:
            if subcommand == "verify":
                if options["checkpoints"]:
                    return self.verify_checkpoints(options["checkpoints"], options["public_key"], options["chunk_size"])
                return self.verify(options["chunk_size"], options["workers"])
            if subcommand == "checkpoint":
                return self.checkpoint(options["file"])
            if subcommand == "keygen":
                return self.keygen(options["path"])
        except CheckpointError as exc:
            raise CommandError(str(exc)) from None
        return self.balances(options["region"], options["as_of"])

    def keygen(self, path):
        from xiezuo.ledger import checkpoints as cps

        path = path or cps.setting(cps.KEY_FILE)
        if not path:
            raise CommandError(f"say where to write the key: `manage.py ledger keygen PATH` or set {cps.KEY_FILE}")
        path = os.path.abspath(path)
        public, pub_path = cps.generate_key_file(path)
        self.stdout.write(f"private signing key written to {path} (mode 0600): keep it on the platform's server only, "
                          f"with a copy in safe keeping; set {cps.KEY_FILE}={path}")
        self.stdout.write(f"public key (give it to the auditor; also in {pub_path}), key id {cps.key_id(public)}:")
        self.stdout.write(cps.public_text(public))

    def checkpoint(self, path):
        from xiezuo.ledger import checkpoints as cps

        cp = cps.take(path or None)
        self.stdout.write(f"checkpoint appended to {path or cps.setting(cps.CHECKPOINTS)}: {cp.entries:,} entries, "
                          f"head {cp.head}, last entry id={cp.last_entry_id}, at {cp.at}, key {cp.key_id}")

    def verify_checkpoints(self, path, given, chunk_size):
        from xiezuo.ledger import checkpoints as cps

        keys, source = cps.public_keys_for(given)
        verdict, report = cps.verify_with(path, keys, chunk_size=max(1, chunk_size),
                                          progress=lambda n: self.stderr.write(f"… {n:,} entries verified"))
        lines = []
        if verdict.ok:
            lines.append(f"chain: OK, {verdict.entries:,} entries in {verdict.postings:,} postings, head {verdict.last_hash}")
        else:
            lines.append(f"chain: BROKEN after {verdict.entries:,} good entries: {verdict.problem}")
        lines.append(f"checkpoints: {report.matched} of {report.checkpoints} in {path} match the chain "
                     f"(public key{'s' if len(keys) > 1 else ''} {', '.join(cps.key_id(k) for k in keys)}, from {source})")
        lines += [f"MISMATCH: {p}" for p in report.problems]
        lines.append(report.since_last())
        if not verdict.ok or not report.ok:
            for line in lines:
                self.stderr.write(line)
            if report.problems:
                raise CommandError(f"ledger NOT as signed: {report.problems[0]}")
            raise CommandError(f"ledger chain BROKEN after {verdict.entries:,} good entries: {verdict.problem}")
        for line in lines:
            self.stdout.write(line)

    def verify(self, chunk_size, workers=None):
        from xiezuo.ledger.chain import verify

        t0 = time.perf_counter()
        verdict = verify(chunk_size=max(1, chunk_size), workers=None if workers is None else max(1, workers),
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
