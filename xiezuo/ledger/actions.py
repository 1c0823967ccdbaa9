"""Writes to the ledger: the four stages of fiscal aid, and reversals.

    allocate          eastern side   东部援助资金预算 → 在途 (for the western office)     下达
    confirm_arrival   western side   在途 → 到位资金 (the western receiving account)      到位
    disburse          western side   到位资金 → project account                           拨付
    record_spending   western side   project account → project spending                  支出
    reverse           the side that posted the original                                  冲销

Each action validates its input, checks permission with the scoping rule, answers a
retried request (same idempotency key, same body) with the posting it already made, and
refuses the same key with another body. Money never goes below zero in any account: the
accounts a posting draws on are locked and their balances read before the posting is
appended, so parallel disbursements cannot overdraw on PostgreSQL. Lock order is always
accounts (by id), then the chain head.

Rows are locked FOR NO KEY UPDATE (select_for_update(no_key=True)), never FOR UPDATE: it
serialises the drawers of an account as well, but does not block the FOR KEY SHARE that a
foreign-key check takes on the row. With FOR UPDATE, a posting that credits account R and
holds the head at commit waits for R's key share while another posting holds R and waits
for the head: a deadlock (seen with two ingestion batches at once).
"""
import hashlib

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core.context import action, current_actor
from xiezuo.core.errors import PermissionDenied, ValidationError, field_error
from xiezuo.core.facts import changed
from xiezuo.core.money import format_yuan
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Agreement
from xiezuo.projects.models import Project
from xiezuo.users.scopes import client_namespace

from . import chain, rules
from .balances import balance
from .choices import Kind, Purpose, Side
from .models import Account, Posting
from .totals import add_postings

# --- helpers ------------------------------------------------------------------------


def request_hash(body: dict) -> str:
    """SHA-256 of the canonical JSON of a request body (sorted keys, no spaces)."""
    return hashlib.sha256(chain.canonical_json(body).encode()).hexdigest()


def office_of(region) -> Organisation | None:
    """The cooperation office (协作办) at a region, where fiscal aid is booked."""
    return Organisation.objects.filter(kind="office", region=region).order_by("id").first()


def account_for(owner: Organisation, purpose: str, project: Project | None = None) -> Account:
    if project is not None:
        account, _created = Account.objects.get_or_create(project=project, purpose=purpose, defaults={"owner": owner})
    else:
        account, _created = Account.objects.get_or_create(owner=owner, purpose=purpose, project=None)
    return account


def _raise(errors):
    if errors:
        raise ValidationError(errors)


def replay(user, key: str, rhash: str) -> Posting | None:
    """The posting the user's organisation already made under `key` if the body is the same;
    refuse another body. Keys are an organisation's own: another office's key of the same
    text is not looked at, so it neither clashes nor shows."""
    existing = Posting.objects.filter(idempotency_key=key, key_ns=client_namespace(user)).first()
    if existing is None:
        return None
    if existing.request_hash != rhash:
        raise field_error("idempotency_key", rules.key_reused(key, existing))
    return existing


def check_lines(lines):
    """Two or more lines, whole positive fen, debits equal to credits."""
    if len(lines) < 2:
        raise field_error("entries", _("a posting has at least two entries"))
    debits = credits = 0
    for account, side, amount in lines:
        if side not in (Side.DEBIT, Side.CREDIT):
            raise field_error("entries", _("“%(side)s” is not a side (D or C)") % {"side": side})
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise field_error("entries", _("every entry is a whole number of fen above zero"))
        if side == Side.DEBIT:
            debits += amount
        else:
            credits += amount
    if debits != credits:
        raise field_error("entries", _("the posting does not balance: debits %(d)s, credits %(c)s") % {
            "d": format_yuan(debits), "c": format_yuan(credits)})
    return debits


def post(user, *, kind, key, rhash, lines, shortfall_field="amount_fen", **fields) -> Posting:
    """Append one balanced posting: the building block of the stage actions, which check
    permission and input first. Runs inside their transaction: locks every account the
    posting draws down (by id), refuses to take one below zero, takes the chain head,
    answers a retry that won the race, then writes the posting and its chained entries."""
    total = check_lines(lines)
    net = rules.net_changes(lines, lambda account: account.normal_side)
    for drawn in sorted((a for a, change in net.items() if change < 0), key=lambda a: a.pk):
        account = Account.objects.select_for_update(no_key=True).get(pk=drawn.pk)
        available = balance(account)
        if available + net[drawn] < 0:
            raise field_error(shortfall_field, rules.shortfall(account, available))
    head = chain.lock_head()
    again = replay(user, key, rhash)  # a concurrent retry may have won the race for this key
    if again is not None:
        return again
    actor = current_actor()
    posting = Posting(
        idempotency_key=key, key_ns=client_namespace(user), request_hash=rhash, kind=kind, amount_fen=total,
        created_by=user if getattr(user, "pk", None) else None, via=actor.via[:10], request_id=(actor.request_id or "")[:32],
        **fields,
    )
    try:
        with transaction.atomic():
            posting.save()
    except IntegrityError as exc:
        if fields.get("reversal_of") is not None:  # raced another reversal of the same posting
            raise field_error("posting", _("this posting was already reversed")) from exc
        raise
    chain.append(head, posting, lines)
    add_postings([posting.pk])  # the dashboard's money summary, in this transaction
    _publish(posting)
    changed(rules.fact_codes(posting.east_org, posting.west_org, posting.project), posting.booked_on, sender=Posting)
    return posting


def _publish(posting: Posting):
    from xiezuo.core.events import publish

    regions = [o.region.code for o in (posting.east_org, posting.west_org) if o is not None]
    publish("ledger", {
        "id": posting.pk, "kind": posting.kind, "amount_fen": posting.amount_fen, "booked_on": posting.booked_on.isoformat(),
        "regions": regions, "county": posting.project.county.code if posting.project_id else "",
        "east": posting.east_org.region.code if posting.east_org_id else "",
    })


def _pair_offices(agreement: Agreement):
    pairing = agreement.pairing
    east, west = office_of(pairing.east_region), office_of(pairing.west_region)
    if east is None or west is None:
        raise field_error("agreement", rules.no_office(pairing.east_region if east is None else pairing.west_region))
    return east, west


def _deny(refusal):
    if refusal:
        raise PermissionDenied(refusal)


def _refuse(field, refusal):
    if refusal:
        raise field_error(field, refusal)


# --- the stages ---------------------------------------------------------------------


@action
def allocate(user, *, agreement: Agreement, amount_fen: int, idempotency_key: str, booked_on=None, memo="") -> Posting:
    """The eastern office releases fiscal aid under an agreement (下达): pending arrival."""
    errors = {}
    if not isinstance(agreement, Agreement):
        errors["agreement"] = [_("an agreement is required")]
    rules.check_amount(amount_fen, errors)
    rules.check_key(idempotency_key, errors)
    rules.check_date(booked_on, "booked_on", errors)
    rules.check_memo(memo, errors)
    _raise(errors)
    _deny(rules.may_allocate(user, agreement.pairing))
    rhash = request_hash(rules.allocation_body(agreement.pk, amount_fen, booked_on, memo))
    existing = replay(user, idempotency_key, rhash)
    if existing is not None:
        return existing
    east, west = _pair_offices(agreement)
    return post(user, kind=Kind.ALLOCATION, key=idempotency_key, rhash=rhash,
                lines=rules.allocation_lines(account_for, east, west, amount_fen),
                booked_on=booked_on or timezone.localdate(), agreement=agreement, east_org=east, west_org=west,
                due_date=agreement.funds_due_date, memo=memo)


@action
def confirm_arrival(user, *, allocation: Posting, arrived_on, idempotency_key: str, memo="") -> Posting:
    """The western office confirms that an allocation arrived in its account (到位)."""
    errors = {}
    if not isinstance(allocation, Posting) or allocation.kind != Kind.ALLOCATION:
        errors["allocation"] = [_("an allocation is required")]
    rules.check_key(idempotency_key, errors)
    rules.check_memo(memo, errors)
    _raise(errors)
    rules.check_date(arrived_on, "arrived_on", errors, required=True, not_before=allocation.booked_on,
                     not_before_label=_("the allocation"))
    _raise(errors)
    west = allocation.west_org
    _deny(rules.may_confirm_arrival(user, west))
    rhash = request_hash(rules.arrival_body(allocation.pk, arrived_on, memo))
    existing = replay(user, idempotency_key, rhash)
    if existing is not None:
        return existing
    allocation = Posting.objects.select_for_update().get(pk=allocation.pk)  # one arrival per allocation at a time
    arrived = Posting.objects.filter(allocation=allocation, kind=Kind.ARRIVAL, reversal__isnull=True).first()
    _refuse("allocation", rules.arrival_refused(
        allocation, reversed_=Posting.objects.filter(reversal_of=allocation).exists(),
        arrived_on=arrived.arrived_on if arrived is not None else None))
    return post(user, kind=Kind.ARRIVAL, key=idempotency_key, rhash=rhash, shortfall_field="allocation",
                lines=rules.arrival_lines(account_for, west, allocation.amount_fen),
                booked_on=arrived_on, arrived_on=arrived_on, due_date=allocation.due_date, allocation=allocation,
                agreement=allocation.agreement, east_org=allocation.east_org, west_org=west, memo=memo)


def _project_errors(project, errors):
    if not isinstance(project, Project):
        errors["project"] = [_("a project is required")]
        return None
    project = Project.objects.select_related("county", "pairing__east_region").get(pk=project.pk)
    refusal = rules.cancelled(project)
    if refusal:
        errors["project"] = [refusal]
    return project


@action
def disburse(user, *, project: Project, amount_fen: int, idempotency_key: str, source: Organisation | None = None,
             booked_on=None, memo="") -> Posting:
    """The western office pays arrived funds into a project's account (拨付).

    `source` is the office whose receiving account pays; by default the office of the
    project's county. It must be the county's office or one above it.
    """
    errors = {}
    project = _project_errors(project, errors)
    rules.check_amount(amount_fen, errors)
    rules.check_key(idempotency_key, errors)
    rules.check_date(booked_on, "booked_on", errors)
    rules.check_memo(memo, errors)
    if project is not None and "project" not in errors:
        if source is None:
            source = office_of(project.county)
            if source is None:
                errors["source"] = [rules.no_office(project.county)]
        elif not isinstance(source, Organisation):
            errors["source"] = [_("an organisation is required")]
        else:
            refusal = rules.source_not_above(source, project.county)
            if refusal:
                errors["source"] = [refusal]
    _raise(errors)
    _deny(rules.may_disburse(user, source))
    rhash = request_hash(rules.disbursement_body(project.pk, source.pk, amount_fen, booked_on, memo))
    existing = replay(user, idempotency_key, rhash)
    if existing is not None:
        return existing
    east = office_of(project.pairing.east_region) if project.pairing_id else None
    return post(user, kind=Kind.DISBURSEMENT, key=idempotency_key, rhash=rhash,
                lines=rules.disbursement_lines(account_for, office_of(project.county) or source, source, project, amount_fen),
                booked_on=booked_on or timezone.localdate(), project=project, east_org=east, west_org=source, memo=memo)


@action
def record_spending(user, *, project: Project, amount_fen: int, idempotency_key: str, spent_on=None, memo="") -> Posting:
    """The project spends from its account (支出), recorded by the western side."""
    errors = {}
    project = _project_errors(project, errors)
    rules.check_amount(amount_fen, errors)
    rules.check_key(idempotency_key, errors)
    rules.check_date(spent_on, "spent_on", errors)
    rules.check_memo(memo, errors)
    _raise(errors)
    _deny(rules.may_record_spending(user, project))
    rhash = request_hash(rules.spending_body(project.pk, amount_fen, spent_on, memo))
    existing = replay(user, idempotency_key, rhash)
    if existing is not None:
        return existing
    holder = Account.objects.filter(project=project, purpose=Purpose.PROJECT).select_related("owner").first()
    if holder is None:
        raise field_error("amount_fen", rules.nothing_held())
    east = office_of(project.pairing.east_region) if project.pairing_id else None
    return post(user, kind=Kind.SPENDING, key=idempotency_key, rhash=rhash,
                lines=rules.spending_lines(account_for, holder.owner, project, amount_fen),
                booked_on=spent_on or timezone.localdate(), project=project, east_org=east, west_org=holder.owner, memo=memo)


@action
def reverse(user, *, posting: Posting, reason: str, idempotency_key: str, booked_on=None) -> Posting:
    """Post the mirror image of `posting` (冲销). A posting is reversed at most once, a
    reversal is never itself reversed (post the event again instead), and an allocation
    whose arrival stands is reversed only after its arrival."""
    errors = {}
    if not isinstance(posting, Posting):
        errors["posting"] = [_("a posting is required")]
    rules.check_key(idempotency_key, errors)
    rules.check_memo(reason, errors, field="reason", required=True)
    _raise(errors)
    rules.check_date(booked_on, "booked_on", errors, not_before=posting.booked_on, not_before_label=str(posting))
    _raise(errors)
    _deny(rules.may_reverse(user, posting))
    rhash = request_hash(rules.reversal_body(posting.pk, reason, booked_on))
    existing = replay(user, idempotency_key, rhash)
    if existing is not None:
        return existing
    original = Posting.objects.select_for_update(no_key=True).get(pk=posting.pk)
    _refuse("posting", rules.reversal_refused(
        original, reversed_=Posting.objects.filter(reversal_of=original).exists(),
        arrival_stands=original.kind == Kind.ALLOCATION and Posting.objects.filter(
            allocation=original, kind=Kind.ARRIVAL, reversal__isnull=True).exists()))
    lines = rules.mirror((e.account, e.side, e.amount_fen) for e in original.entries.select_related("account").order_by("seq"))
    return post(user, kind=Kind.REVERSAL, key=idempotency_key, rhash=rhash, lines=lines, shortfall_field="posting",
                booked_on=booked_on or timezone.localdate(), reversal_of=original, agreement=original.agreement,
                project=original.project, east_org=original.east_org, west_org=original.west_org, memo=reason)
