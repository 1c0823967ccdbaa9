"""The double-entry ledger (资金台账): accounts, postings and their entries, and the chain head.

Money is integer fen. A posting is one business event (an allocation, an arrival, a
disbursement, a spending, a reversal) with two or more entries whose debits equal their
credits. Postings and entries are append-only: the models refuse to update or delete a
row, a correction is a new posting that mirrors the old one (`reversal_of`), and every
entry carries a SHA-256 hash chained to the previous entry (see `chain.py`), so an edit
made behind the application's back is found by `manage.py ledger verify`.

Balances are the replay of the entries. Each entry also carries the replay so far: its
account's balance just after it (`balance_fen`), written under the chain head lock by the
two functions that append (`chain.append`, `bulk.ChainWriter`), so the balance an
overdraft check needs is one index probe instead of a sum over the account's whole history.
`ledger verify` replays every account from zero and names the first entry whose stored
balance differs, so the carried balance cannot drift from the entries unseen.
"""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiezuo.core.scoping import ScopedQuerySet

from .choices import NORMAL_SIDE, PROJECT_PURPOSES, Kind, Purpose, Side

GENESIS = "0" * 64


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or remove a ledger row."""


class AppendOnlyQuerySet(ScopedQuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are never updated; post a reversal instead")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are never deleted; post a reversal instead")

    def _raw_delete(self, using):
        self.delete()


class AppendOnly(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} #{self.pk} is part of the ledger and cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} #{self.pk} is part of the ledger and cannot be deleted")


class Account(AppendOnly):
    """An account of one organisation for one purpose; project accounts also name the project.

    Append-only like the entries: entries name their account by id, so moving an account
    to another owner or purpose would move its money without touching the chain."""

    scope_paths = ("owner__region__code", "project__county__code")
    scope_include_partners = True

    # indexed by (owner, purpose) and (project, owner, purpose) below, whose prefixes serve the keys
    owner = models.ForeignKey("orgs.Organisation", verbose_name=_("owner"), on_delete=models.PROTECT, related_name="ledger_accounts",
                              db_index=False)
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_accounts",
        db_index=False,
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    normal_side = models.CharField(_("normal side"), max_length=1, choices=Side.choices)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["owner_id", "purpose", "project_id"]
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.UniqueConstraint(fields=["owner", "purpose"], condition=models.Q(project__isnull=True), name="uniq_ledger_account_org"),
            models.UniqueConstraint(fields=["project", "purpose"], condition=models.Q(project__isnull=False), name="uniq_ledger_account_project"),
            models.CheckConstraint(
                condition=models.Q(purpose__in=list(PROJECT_PURPOSES), project__isnull=False)
                | (~models.Q(purpose__in=list(PROJECT_PURPOSES)) & models.Q(project__isnull=True)),
                name="ledger_account_project_iff_project_purpose",
            ),
            models.CheckConstraint(condition=models.Q(currency="CNY"), name="ledger_account_cny"),
        ]
        # The funds page counts an office's accounts per owner and purpose, and finds those in view
        # through a project with their owners (balances.AccountOrder): both from the index alone.
        indexes = [models.Index(fields=["owner", "purpose"], name="ledger_account_owner_purpose"),
                   models.Index(fields=["project", "owner", "purpose"], name="ledger_account_project_owner")]

    def __str__(self):
        label = f"{self.owner} · {self.get_purpose_display()}"
        if self.project_id:
            label += f" · {self.project.code}"
        return label

    def save(self, *args, **kwargs):
        self.normal_side = NORMAL_SIDE[Purpose(self.purpose)]
        super().save(*args, **kwargs)


class Posting(AppendOnly):
    """One business event, e.g. “allocation #12”: two or more entries that balance.

    `idempotency_key` is the client's key; `request_hash` is the SHA-256 of the canonical
    request body, so a retry with the same key and body returns this posting and the same
    key with another body is refused. Stage facts live here: the agreement's due date on
    allocations and arrivals, the arrival date (到位) on arrivals.
    """

    scope_paths = ("west_org__region__code", "east_org__region__code", "project__county__code")
    scope_include_partners = False

    idempotency_key = models.CharField(_("idempotency key"), max_length=64)
    # whose key it is: the id of the organisation the poster acted for (0: none). Keys are unique per
    # organisation, so one office's key never collides with another's; not part of the chain.
    key_ns = models.BigIntegerField(_("idempotency key namespace"), default=0, db_default=0, editable=False)
    request_hash = models.CharField(_("request hash"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    booked_on = models.DateField(_("booked on"), db_index=True)
    # The references are checked by a trigger, once per INSERT statement over all its rows, which
    # share-locks each distinct referenced row once (migration 0006), not by per-row foreign-key
    # constraints (30,000 probes and row locks for a batch of 10,000 postings, 0.15 s of 0.95 s);
    # guards on the referenced tables refuse deleting a row that a posting names.
    agreement = models.ForeignKey(
        "pairings.Agreement", verbose_name=_("agreement"), null=True, blank=True, on_delete=models.PROTECT, db_constraint=False,
        related_name="postings", db_index=False  # (agreement, kind) below
    )
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), null=True, blank=True, on_delete=models.PROTECT, db_constraint=False,
        related_name="postings"
    )
    east_org = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("eastern side"), null=True, blank=True, on_delete=models.PROTECT, db_constraint=False,
        related_name="+"
    )
    west_org = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("western side"), null=True, blank=True, on_delete=models.PROTECT, db_constraint=False,
        related_name="+"
    )
    allocation = models.ForeignKey(
        "self", verbose_name=_("allocation"), null=True, blank=True, on_delete=models.PROTECT, db_constraint=False,
        related_name="arrivals"
    )
    reversal_of = models.OneToOneField(
        "self", verbose_name=_("reversal of"), null=True, blank=True, on_delete=models.PROTECT, db_constraint=False,
        related_name="reversal"
    )
    due_date = models.DateField(_("funds due by"), null=True, blank=True)
    arrived_on = models.DateField(_("arrived on"), null=True, blank=True)
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("posted at"), default=timezone.now)
    # No index: nothing looks postings up by their poster but a user's deletion (refused while
    # any posting names them), and every insert would pay for one.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("posted by"), null=True, blank=True, on_delete=models.PROTECT, db_constraint=False,
        related_name="+", db_index=False
    )
    via = models.CharField(_("via"), max_length=10, blank=True)
    request_id = models.CharField(_("request id"), max_length=32, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        # Unique and indexed through Meta, not unique=/db_index=: on PostgreSQL those add a second
        # `_like` index to a CharField, which nobody queries with LIKE and every insert pays for.
        # `kind` alone is the prefix of (kind, booked_on).
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="ledger_posting_amount_pos"),
            models.UniqueConstraint(fields=["idempotency_key", "key_ns"], name="ledger_posting_key_per_org"),
        ]
        # The funds page's arrival timeliness reads a year's allocations by their agreements and tests
        # each against the office's scope: from this small index alone (allocations only), not from
        # rows scattered over millions of postings.
        # (agreement, kind) serves an agreement's postings and a stage's of some agreements
        # (the funds page's and the indicators' sums of allocations and arrivals) with one index.
        indexes = [models.Index(fields=["kind", "booked_on"]),
                   models.Index(fields=["agreement", "kind"], name="ledger_posting_agreement_kind"),
                   models.Index(fields=["agreement"], include=["id", "amount_fen", "west_org", "east_org", "project"],
                                condition=models.Q(kind="allocation"), name="ledger_posting_allocations")]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


class Entry(AppendOnly):
    """One line of a posting: an amount on one side of one account, in the hash chain."""

    scope_paths = tuple(f"posting__{p}" for p in Posting.scope_paths)
    scope_include_partners = False

    seq = models.BigIntegerField(_("sequence"), unique=True)
    # The two references are checked by a trigger, once per INSERT statement over all its rows
    # (migration 0004), not by per-row foreign-key constraints: a per-row check share-locks the
    # posting and the account row for every entry (40,000 row locks for a batch of 10,000
    # postings, a third of the database's work). Nothing is lost: postings and accounts are
    # never deleted (the append-only guards), so a key's delete side has nothing to protect.
    posting = models.ForeignKey(Posting, verbose_name=_("posting"), on_delete=models.PROTECT, related_name="entries",
                                db_constraint=False)
    # indexed by (account, seq) below, whose prefix serves the key
    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="entries",
                                db_index=False, db_constraint=False)
    side = models.CharField(_("side"), max_length=1, choices=Side.choices)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    balance_fen = models.BigIntegerField(_("balance after (fen)"))
    booked_on = models.DateField(_("booked on"))
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="ledger_entry_amount_pos"),
            models.CheckConstraint(condition=models.Q(side__in=["D", "C"]), name="ledger_entry_side"),
        ]
        # (account, seq): an account's latest entry (its balance), its statement in chain order, and
        # its entries for a balance as of a date (filtered on booked_on): one index to maintain
        # per insert where (account) and (account, booked_on) were two.
        indexes = [models.Index(fields=["account", "seq"], name="ledger_entry_account_seq")]

    def __str__(self):
        return f"{self.seq} {self.side} {self.amount_fen}"


class ChainHead(models.Model):
    """The single row every append locks (select_for_update), so the chain stays linear:
    the last sequence number and hash. `verify` also checks it, so a truncated tail shows."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS)

    class Meta:
        verbose_name = _("chain head")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="ledger_single_chain_head")]

from .totals import MoneyTotal  # noqa: E402,F401  the dashboard's summary table (ledger/totals.py)
