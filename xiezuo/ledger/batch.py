"""Ledger postings in batches: the four stages of fiscal aid and reversals, by the same rules
(`rules.py`) as the single-posting actions, checked for the whole batch before anything is
written and written with the fast bulk path (`bulk.py`).

    batch = PostingBatch(user)
    refusals = batch.check(items)   # [Refusal(index, field, reason)], nothing written
    if not refusals:
        batch.write()               # COPY, chained, one event, facts marked changed once

or, as one action that raises on any refusal, `post_many(user, items)`. Items are
`PostingItem`s: typed values (dates as dates), the posting's idempotency key, and references
as the request gives them — a posting by its id (a number) or by its key (a string): the key
of an earlier item of the same batch, or of a posting made before (by a batch or an action).
Items apply in batch order, so a batch may allocate, confirm the arrival, disburse and spend
in one go.

The rules and the messages are the actions': the eastern side allocates, the western side
confirms arrival, disburses and records spending, the side that posted reverses; amounts are
whole fen above zero; dates are not in the future and an arrival or reversal is not dated
before what it follows; an allocation arrives once, a posting is reversed once, a reversal is
never reversed, an allocation whose arrival stands is not reversed; no account goes below
zero (disbursing more than has arrived, spending more than the project holds). The body is
hashed exactly as the action hashes it, so the same key with the same body is a duplicate
(also when the first one came through an action) and with another body is refused.

How it stays fast without weakening a check:
- every lookup is one query per kind for the whole batch (agreements, projects, offices,
  organisations, referenced postings, their reversals and arrivals, entries to mirror,
  accounts, existing idempotency keys);
- the accounts the batch draws down are locked in id order, then the chain head — the same
  lock order as the actions, so batches and single postings serialise without deadlock;
  referenced postings are locked first, as `confirm_arrival` and `reverse` lock theirs;
- the balances of those accounts are read once (each from its latest entry) and the batch is
  replayed in order in Python over them, so every posting is checked against the balance
  left by the ones before it;
- the postings go in with COPY (ids from the table's sequence) and their references are
  checked (one statement trigger per COPY, ledger migration 0006) before the chain head is
  taken; under the head only the entries are chained (in order, in Python, by
  `bulk.ChainWriter`) and copied, and the head moves once, so another office's batch waits
  for the head only that long.
Postings are not `Audited` models (the single-posting actions write no audit rows either):
the ledger is its own append-only record of who posted what, when and from which request
(created_by, via, request_id, covered by the chain).
"""
import datetime
from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from xiezuo.core.arrays import any_of, filter_any, ids_in, is_postgres
from xiezuo.core.bulkrows import chunks, reserve_ids, select
from xiezuo.core.context import action, current_actor
from xiezuo.core.errors import ValidationError
from xiezuo.core.events import publish
from xiezuo.core.facts import changed
from xiezuo.core.scoping import visible
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Agreement, Pairing
from xiezuo.projects.models import Project
from xiezuo.regions.models import Region
from xiezuo.users.scopes import client_namespace

from . import rules
from .actions import request_hash
from .balances import latest
from .bulk import ChainWriter, check_deferred, write_postings
from .chain import posting_digest
from .choices import NORMAL_SIDE, PROJECT_PURPOSES, Kind, Purpose
from .models import Account, ChainHead, Entry, Posting
from .totals import add_rows, summary_key

THE_ALLOCATION = gettext_lazy("the allocation")  # formatted only into a refusal
# stage → (the posting's kind, as the text a posting row stores, as stored postings give it; the fields it takes)
STAGES = {
    "allocate": (Kind.ALLOCATION.value, {"agreement", "amount_fen", "booked_on", "memo"}),
    "confirm_arrival": (Kind.ARRIVAL.value, {"allocation", "arrived_on", "memo"}),
    "disburse": (Kind.DISBURSEMENT.value, {"project", "amount_fen", "source", "booked_on", "memo"}),
    "record_spending": (Kind.SPENDING.value, {"project", "amount_fen", "spent_on", "memo"}),
    "reverse": (Kind.REVERSAL.value, {"posting", "reason", "booked_on"}),
}
ARRIVAL, REVERSAL = Kind.ARRIVAL.value, Kind.REVERSAL.value


@dataclass(eq=False)
class PostingItem:
    """One posting of a batch. `agreement` and `source` are ids, `project` a code,
    `allocation` and `posting` an id or a key; `errors` ({field: [text]}) are problems the
    caller found while reading the item, refused together with the ledger's own."""

    index: int
    key: str
    stage: str
    agreement: object = None
    allocation: object = None
    posting: object = None
    project: object = None
    source: object = None
    amount_fen: object = None
    booked_on: datetime.date | None = None
    arrived_on: datetime.date | None = None
    spent_on: datetime.date | None = None
    memo: object = ""
    reason: object = ""
    errors: dict = field(default_factory=dict)
    duplicate: bool = False  # posted before under this key with the same body: not posted again
    plan: object = None  # set by the check


class Refusal(NamedTuple):
    index: int
    field: str
    reason: str


class Node:
    """A posting as the batch sees it: one already in the ledger, or one an item will make."""

    __slots__ = ("ref", "pk", "kind", "amount_fen", "booked_on", "agreement_id", "project", "east_org", "west_org",
                 "allocation", "due_date", "arrived_on", "memo", "lines", "reversal_of", "label", "refused", "index")

    def __init__(self, *, ref, kind, index=None, pk=None, amount_fen=None, booked_on=None, agreement_id=None, project=None,
                 east_org=None, west_org=None, allocation=None, due_date=None, arrived_on=None, memo="", lines=None,
                 reversal_of=None, label=None):
        self.ref, self.kind, self.index, self.pk, self.amount_fen, self.booked_on = ref, kind, index, pk, amount_fen, booked_on
        self.agreement_id, self.project, self.east_org, self.west_org = agreement_id, project, east_org, west_org
        self.allocation, self.due_date, self.arrived_on, self.memo, self.lines = allocation, due_date, arrived_on, memo, lines
        self.reversal_of, self.label, self.refused = reversal_of, label, False

    def __str__(self):
        return self.label if self.label is not None else _("item %(i)s") % {"i": self.index}


class Plan:
    """What one item will post once the batch passes: its node, lines, hash body."""

    def __init__(self, node, lines, body, ref_field, shortfall_field):
        self.node, self.lines, self.body, self.ref_field, self.shortfall_field = node, lines, body, ref_field, shortfall_field
        self.rhash = None
        self.net = None


class Acc:
    """A ledger account as the batch needs it, made from one row: a batch reads thousands of
    accounts, and model instances (with their owners) cost more than the queries."""

    __slots__ = ("pk", "owner_id", "purpose", "project_id", "normal_side")
    FIELDS = ("id", "owner_id", "purpose", "project_id", "normal_side")

    def __init__(self, row):
        self.pk, self.owner_id, self.purpose, self.project_id, self.normal_side = row


class _Region:
    __slots__ = ("pk", "code", "name")
    __str__ = Region.__str__  # the same label as the region's

    def __init__(self, pk, code, name):
        self.pk, self.code, self.name = pk, code, name


class _Pairing:
    __slots__ = ("east_region_id",)

    def __init__(self, east_region_id):
        self.east_region_id = east_region_id


class PairingRef:
    """An agreement's pairing as the batch needs it (its regions and label), made from one row
    (see Acc)."""

    __slots__ = ("pk", "name", "west_village", "east_region_id", "west_region_id", "east_region", "west_region")
    FIELDS = ("id", "name", "west_village", "east_region_id", "east_region__code", "east_region__name",
              "west_region_id", "west_region__code", "west_region__name")
    __str__ = Pairing.__str__  # the same label as the pairing's

    def __init__(self, row):
        self.pk, self.name, self.west_village, self.east_region_id, self.west_region_id = row[0], row[1], row[2], row[3], row[6]
        self.east_region, self.west_region = _Region(*row[3:6]), _Region(*row[6:9])


class ProjectRef:
    """A project as the batch needs it, made from one row (see Acc)."""

    __slots__ = ("pk", "code", "status", "county_id", "pairing_id", "county", "pairing", "category")
    FIELDS = ("id", "code", "status", "county_id", "pairing_id", "county__code", "county__name", "pairing__east_region_id",
              "category")

    def __init__(self, row):
        self.pk, self.code, self.status, self.county_id, self.pairing_id = row[:5]
        self.county = _Region(row[3], row[5], row[6])
        self.pairing = _Pairing(row[7]) if row[4] else None
        self.category = row[8]


class AgreementRef:
    """An agreement as the batch needs it, made from one row, its pairing shared (see Acc)."""

    __slots__ = ("pk", "pairing", "funds_due_date")
    FIELDS = ("id", "pairing_id", "funds_due_date")

    def __init__(self, row, pairing):
        self.pk, self.pairing, self.funds_due_date = row[0], pairing, row[2]


def _accs(qs):
    return [Acc(row) for row in qs.values_list(*Acc.FIELDS)]


def _int(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(eq=False)
class _Refs:
    """What the items of a batch may refer to, read once for the whole batch (step 2) and added
    to as the items are planned (step 3): an item looks only here, so its lookups make no
    query of their own."""

    in_batch: dict  # key → item of this batch
    agreements: dict = field(default_factory=dict)  # id → AgreementRef
    projects: dict = field(default_factory=dict)  # code → ProjectRef
    sources: dict = field(default_factory=dict)  # id → Organisation
    stored: dict = field(default_factory=dict)  # id → Posting, locked in id order as the actions lock what they follow
    by_key: dict = field(default_factory=dict)  # idempotency key → Posting (of `stored`), the user's organisation's keys
    # key → the one Posting of another organisation that the user may see under it (None when several)
    others_by_key: dict = field(default_factory=dict)
    existing_keys: dict = field(default_factory=dict)  # client id → (request hash, posting label) of postings made before
    reversed_ids: set = field(default_factory=set)  # ids of stored postings that have a reversal
    arrivals: dict = field(default_factory=dict)  # allocation ref → (arrival ref, arrived_on) of the arrival that stands
    offices: dict = field(default_factory=dict)  # region id → the office (协作办) where aid is booked
    accounts: dict = field(default_factory=dict)  # account key → Acc
    stored_lines: dict = field(default_factory=dict)  # posting id → its lines, for a reversal to mirror
    nodes: dict = field(default_factory=dict)  # ("db", id) | ("item", index) → Node
    holders: dict = field(default_factory=dict)  # project id → the organisation holding its account
    new_owner: dict = field(default_factory=dict)  # account key → owner of an account the batch opens

    def office(self, region_id):
        return self.offices.get(region_id)

    def account(self, owner, purpose, project=None):
        """The key of an account a line names (opened later where missing, for `owner`)."""
        key = ("p", project.pk, purpose) if project is not None else ("o", owner.id, purpose)  # .id: a plain attribute
        self.new_owner.setdefault(key, owner)
        return key

    def db_node(self, p):
        ref = ("db", p.pk)
        node = self.nodes.get(ref)
        if node is None:
            node = self.nodes[ref] = Node(ref=ref, pk=p.pk, kind=p.kind, amount_fen=p.amount_fen, booked_on=p.booked_on,
                                          agreement_id=p.agreement_id, project=p.project, east_org=p.east_org,
                                          west_org=p.west_org, allocation=("db", p.allocation_id) if p.allocation_id else None,
                                          due_date=p.due_date, reversal_of=("db", p.reversal_of_id) if p.reversal_of_id else None,
                                          label=str(p), lines=self.stored_lines.get(p.pk))
        return node

    def resolve(self, it, name):
        """The node the item's `name` refers to, or None and why not."""
        value = getattr(it, name)
        if _int(value) is not None and value in self.stored:
            return self.db_node(self.stored[value]), None
        if isinstance(value, str):
            if value in self.by_key:
                return self.db_node(self.by_key[value]), None
            earlier = self.in_batch.get(value)
            if earlier is not None and earlier.index < it.index:
                node = self.nodes.get(("item", earlier.index))
                if node is None:
                    return None, _("refers to item %(i)d, which was refused") % {"i": earlier.index}
                return node, None
            if earlier is not None:
                return None, _("refers to item %(i)d, later in the batch; an item can only refer to one before it") % {"i": earlier.index}
            if value in self.others_by_key:  # another office's key: only a posting the user may see, and only if one
                other = self.others_by_key[value]
                if other is None:
                    return None, _("several postings you can see have the key “%(v)s”; give the posting id") % {"v": value}
                return self.db_node(other), None
        return None, _("no posting “%(v)s” (a posting id, or the client id of this or an earlier batch)") % {"v": value}


class PostingBatch:
    """Postings checked as one batch and written together: `check(items)` refuses by the
    ledger's rules (nothing is written; referenced postings and drawn accounts stay locked
    until the transaction ends), `write()` posts what passed. Runs inside the caller's
    transaction. `key_field` names the key in refusals (the ingestion calls it client_id);
    `taken` maps keys the caller knows are in use elsewhere to the refusal's text."""

    def __init__(self, user, *, key_field="idempotency_key", taken=None):
        self.user, self.key_field, self.taken = user, key_field, taken or {}
        self.namespace = client_namespace(user)  # keys are the organisation's own
        self.items, self.refused, self.orgs, self.accounts, self.plans = [], [], {}, {}, {}
        self.today = None
        self.balances, self.seen_seq = {}, None  # read by _lock_accounts, brought up to date by write

    def check(self, items) -> list[Refusal]:
        self.today = timezone.localdate()
        self.items = list(items)
        work = self._check_shapes(self.items)  # 1. shapes, one item at a time (no queries)
        if not work:
            return self.refused
        refs = self._load_references(work)  # 2. everything the batch refers to, one query per kind
        plans = self._plan(work, refs)  # 3. each item in order: resolve, permission and dates, lines
        if not plans:
            return self.refused
        running = self._lock_accounts(plans, refs)  # 4. the accounts: opened, locked, balances read once
        self._replay(work, plans, refs, running)  # 5. the batch in order: arrivals, reversals, no overdraft
        self.accounts, self.plans = refs.accounts, plans
        return self.refused

    def _refuse(self, it, field_name, reason):
        self.refused.append(Refusal(it.index, field_name, str(reason)))

    def _refuse_all(self, it, errors):
        for name, msgs in errors.items():
            for msg in msgs if isinstance(msgs, (list, tuple)) else [msgs]:
                self._refuse(it, name, msg)

    # 1. shapes

    def _check_shapes(self, items):
        """The items that are well formed; the others are refused before anything is read."""
        work = []
        for it in items:
            if it.stage not in STAGES:
                self._refuse(it, "stage", _("“%(kind)s” is not one of %(kinds)s") % {"kind": it.stage, "kinds": ", ".join(STAGES)})
                continue
            errors = {}
            rules.check_key(it.key, errors, field=self.key_field)
            if "amount_fen" in STAGES[it.stage][1]:
                rules.check_amount(it.amount_fen, errors)
            if it.stage == "reverse":
                rules.check_memo(it.reason, errors, field="reason", required=True)
            else:
                rules.check_memo(it.memo, errors)
            errors.update(it.errors)
            if errors:
                self._refuse_all(it, errors)
                continue
            work.append(it)
        return work

    # 2. everything the batch refers to, one query per kind

    def _load_references(self, work) -> _Refs:
        refs = _Refs(in_batch={it.key: it for it in self.items})
        self._load_named(work, refs)
        self._load_postings(work, refs)
        self._load_offices(refs)
        self._load_accounts(work, refs)
        return refs

    def _load_named(self, work, refs):
        """The agreements, projects and source organisations the items name, as the user sees them."""
        user = self.user
        agreement_ids = {_int(it.agreement) for it in work} - {None}
        codes = {it.project for it in work if isinstance(it.project, str)}
        source_ids = {_int(it.source) for it in work} - {None}
        if agreement_ids:
            rows = visible(user, filter_any(Agreement.objects.all(), "id", sorted(agreement_ids))).values_list(*AgreementRef.FIELDS)
            rows = list(rows)
            # each pairing (and its two regions) made once, however many of its agreements the batch names
            pairings = Pairing.objects.filter(pk__in=ids_in(sorted({row[1] for row in rows}))).values_list(*PairingRef.FIELDS)
            pairings = {row[0]: PairingRef(row) for row in pairings}
            refs.agreements.update((row[0], AgreementRef(row, pairings[row[1]])) for row in rows)
        for row in visible(user, filter_any(Project.objects.all(), "code", sorted(codes))).values_list(*ProjectRef.FIELDS):
            refs.projects[row[1]] = ProjectRef(row)
        for part in chunks(sorted(source_ids)):
            refs.sources.update((o.pk, o) for o in visible(user, Organisation.objects.filter(pk__in=part)).select_related("region"))

    def _load_postings(self, work, refs):
        """The postings the items refer to (locked), those their keys were used for before, and
        which of the referenced postings are reversed or have an arrival that stands."""
        ref_ids, ref_keys = set(), set()
        for it in work:
            for name in ("allocation", "posting"):
                value = getattr(it, name)
                if _int(value) is not None:
                    ref_ids.add(value)
                elif isinstance(value, str):
                    ref_keys.add(value)
        related = ("east_org__region", "west_org__region", "project__county", "project__pairing__east_region")
        stored = refs.stored
        # Keys name the user's organisation's postings first; another office's key reaches only a
        # posting the user may see (so a reference never finds, nor names, what is out of scope).
        own = Posting.objects.filter(key_ns=self.namespace)
        work_keys = [it.key for it in work]
        for p in filter_any(own, "idempotency_key", work_keys).only("id", "idempotency_key", "request_hash", "kind"):
            refs.existing_keys[p.idempotency_key] = (p.request_hash, str(p))
        # A key of an item of this batch resolves to a stored posting only when it is the
        # organisation's own (`_Refs.resolve`), and the query above found every such one: the
        # others need no lookup (a batch refers mostly to its own earlier items).
        checked = set(work_keys)
        ref_keys = {k for k in ref_keys if k not in checked or k in refs.existing_keys}
        by_key = {}
        for column, values in (("id", sorted(ref_ids)), ("idempotency_key", sorted(ref_keys))):
            if values:
                qs = visible(self.user, filter_any(Posting.objects.all(), column, values)).select_related(*related)
                for p in qs.select_for_update(of=("self",), no_key=True).order_by("id"):
                    stored[p.pk] = p
                    if column == "idempotency_key":
                        by_key.setdefault(p.idempotency_key, []).append(p)
        for key, found in by_key.items():
            mine = [p for p in found if p.key_ns == self.namespace]
            if mine:
                refs.by_key[key] = mine[0]
            else:
                refs.others_by_key[key] = found[0] if len(found) == 1 else None
        for part in chunks(sorted(stored)):
            refs.reversed_ids.update(Posting.objects.filter(reversal_of_id__in=part).values_list("reversal_of_id", flat=True))
        alloc_ids = sorted({p.pk for p in stored.values() if p.kind == Kind.ALLOCATION}
                           | {p.allocation_id for p in stored.values() if p.kind == Kind.ARRIVAL and p.allocation_id})
        for part in chunks(alloc_ids):
            for alloc_id, arr_id, arrived_on in (Posting.objects.filter(kind=Kind.ARRIVAL, allocation_id__in=part, reversal__isnull=True)
                                                 .values_list("allocation_id", "id", "arrived_on")):
                refs.arrivals[("db", alloc_id)] = (("db", arr_id), arrived_on)

    def _load_offices(self, refs):
        """Offices (协作办) where aid is booked: the first office by id at a region, as office_of."""
        region_ids = set()
        for a in refs.agreements.values():
            region_ids.update((a.pairing.east_region_id, a.pairing.west_region_id))
        for p in refs.projects.values():
            region_ids.add(p.county_id)
            if p.pairing_id:
                region_ids.add(p.pairing.east_region_id)
        if region_ids:
            for o in filter_any(Organisation.objects.filter(kind="office"), "region_id", sorted(region_ids)).select_related("region").order_by("-id"):
                refs.offices[o.region_id] = o

    def _load_accounts(self, work, refs):
        """The project accounts (their holder decides who spends), and the entries to mirror."""
        accounts = refs.accounts
        project_ids = sorted(p.pk for p in refs.projects.values())
        if project_ids:
            for acc in _accs(filter_any(Account.objects.filter(purpose__in=list(PROJECT_PURPOSES)), "project_id", project_ids)):
                accounts[("p", acc.project_id, acc.purpose)] = acc
        mirror_ids = sorted({_int(it.posting) or getattr(refs.by_key.get(it.posting) or refs.others_by_key.get(it.posting), "pk", None)
                             for it in work if it.stage == "reverse"} - {None})
        for part in chunks(mirror_ids):
            for e in Entry.objects.filter(posting_id__in=part).select_related("account").order_by("seq"):
                key = _account_key(e.account)
                accounts.setdefault(key, Acc(tuple(getattr(e.account, f) for f in ("pk", *Acc.FIELDS[1:]))))
                refs.stored_lines.setdefault(e.posting_id, []).append((key, e.side, e.amount_fen))

    # 3. each item in order: resolve, check permission and dates, plan its lines

    def _plan(self, work, refs) -> dict:
        """Plans by item index. In batch order, so that an item may refer to an earlier one."""
        self._know_owners(refs)
        plans = {}
        for it in work:
            plan = self._plan_item(it, refs)
            if plan is not None and self._key_free(it, plan, refs):
                refs.nodes[plan.node.ref] = plan.node
                it.plan = plans[it.index] = plan
        return plans

    def _know_owners(self, refs):
        """Organisations by id (the offices, sources and the orgs of referenced postings), so that
        an account's owner is found without a query per account."""
        orgs = {o.pk: o for o in refs.offices.values()}
        orgs.update(refs.sources)
        for p in refs.stored.values():
            orgs.update((o.pk, o) for o in (p.east_org, p.west_org) if o is not None)
        self.orgs = orgs
        self._add_owners(refs.accounts.values())
        refs.holders = {key[1]: orgs[acc.owner_id] for key, acc in refs.accounts.items() if key[0] == "p" and key[2] == Purpose.PROJECT}

    def _plan_item(self, it, refs):
        """The item's plan, or None when it is refused."""
        if it.stage == "allocate":
            plan = self._plan_allocation(it, refs)
        elif it.stage == "confirm_arrival":
            plan = self._plan_arrival(it, refs)
        elif it.stage in ("disburse", "record_spending"):
            plan = self._plan_project(it, refs)
        else:
            plan = self._plan_reversal(it, refs)
        if plan is not None:
            plan.node.lines = plan.lines
        return plan

    def _node(self, it, **values):
        return Node(ref=("item", it.index), kind=STAGES[it.stage][0], index=it.index, **values)

    def _plan_allocation(self, it, refs):
        agreement = refs.agreements.get(_int(it.agreement))
        if agreement is None:
            self._refuse(it, "agreement", _("no agreement has the id “%(v)s”") % {"v": it.agreement})
            return None
        errors = {}
        rules.check_date(it.booked_on, "booked_on", errors, today=self.today)
        if errors:
            self._refuse_all(it, errors)
            return None
        pairing = agreement.pairing
        refusal = rules.may_allocate(self.user, pairing)
        if refusal:
            self._refuse(it, "agreement", refusal)
            return None
        east, west = refs.office(pairing.east_region_id), refs.office(pairing.west_region_id)
        if east is None or west is None:
            self._refuse(it, "agreement", rules.no_office(pairing.east_region if east is None else pairing.west_region))
            return None
        amount = it.amount_fen
        node = self._node(it, amount_fen=amount, booked_on=it.booked_on or self.today, agreement_id=agreement.pk,
                          east_org=east, west_org=west, due_date=agreement.funds_due_date, memo=it.memo)
        lines = rules.allocation_lines(refs.account, east, west, amount)
        body = rules.allocation_body(agreement.pk, amount, it.booked_on, it.memo)
        return Plan(node, lines, body, None, "amount_fen")

    def _plan_arrival(self, it, refs):
        target, problem = refs.resolve(it, "allocation")
        if target is None:
            self._refuse(it, "allocation", problem)
            return None
        if target.kind != Kind.ALLOCATION:
            self._refuse(it, "allocation", _("an allocation is required"))
            return None
        errors = {}
        rules.check_date(it.arrived_on, "arrived_on", errors, required=True, not_before=target.booked_on, today=self.today,
                         not_before_label=THE_ALLOCATION)
        if errors:
            self._refuse_all(it, errors)
            return None
        west = target.west_org
        refusal = rules.may_confirm_arrival(self.user, west)
        if refusal:
            self._refuse(it, "allocation", refusal)
            return None
        node = self._node(it, amount_fen=target.amount_fen, booked_on=it.arrived_on, arrived_on=it.arrived_on,
                          due_date=target.due_date, allocation=target.ref, agreement_id=target.agreement_id,
                          east_org=target.east_org, west_org=west, memo=it.memo)
        lines = rules.arrival_lines(refs.account, west, target.amount_fen)
        body = rules.arrival_body(target.pk, it.arrived_on, it.memo)
        return Plan(node, lines, body, ("allocation", target), "allocation")

    def _plan_project(self, it, refs):
        """A disbursement or a spending: the project's, the date's and the source's problems
        are refused together."""
        code, amount, disburse = it.project, it.amount_fen, it.stage == "disburse"
        project = refs.projects.get(code) if isinstance(code, str) else None
        if project is None:
            self._refuse(it, "project", _("no project has the code “%(code)s”") % {"code": code})
            return None
        errors = {}
        refusal = rules.cancelled(project)
        if refusal:
            errors["project"] = [refusal]
        date_field = "booked_on" if disburse else "spent_on"
        rules.check_date(getattr(it, date_field), date_field, errors, today=self.today)
        east = refs.office(project.pairing.east_region_id) if project.pairing_id else None
        if disburse:
            source = it.source
            if source is None:
                source = refs.office(project.county_id)
                if source is None and "project" not in errors:
                    errors["source"] = [rules.no_office(project.county)]
            else:
                source = refs.sources.get(_int(source))
                if source is None:
                    errors["source"] = [_("no organisation has the id “%(v)s”") % {"v": it.source}]
                else:
                    refusal = rules.source_not_above(source, project.county)
                    if refusal:
                        errors["source"] = [refusal]
        if errors:
            self._refuse_all(it, errors)
            return None
        if disburse:
            refusal = rules.may_disburse(self.user, source)
            if refusal:
                self._refuse(it, "source", refusal)
                return None
            holder = refs.holders.setdefault(project.pk, refs.office(project.county_id) or source)
            lines = rules.disbursement_lines(refs.account, holder, source, project, amount)
            node = self._node(it, amount_fen=amount, booked_on=it.booked_on or self.today, project=project,
                              east_org=east, west_org=source, memo=it.memo)
            body = rules.disbursement_body(project.pk, source.id, amount, it.booked_on, it.memo)
        else:
            refusal = rules.may_record_spending(self.user, project)
            if refusal:
                self._refuse(it, "project", refusal)
                return None
            holder = refs.holders.get(project.pk)
            if holder is None:
                self._refuse(it, "amount_fen", rules.nothing_held())
                return None
            lines = rules.spending_lines(refs.account, holder, project, amount)
            node = self._node(it, amount_fen=amount, booked_on=it.spent_on or self.today, project=project,
                              east_org=east, west_org=holder, memo=it.memo)
            body = rules.spending_body(project.pk, amount, it.spent_on, it.memo)
        return Plan(node, lines, body, None, "amount_fen")

    def _plan_reversal(self, it, refs):
        target, problem = refs.resolve(it, "posting")
        if target is None:
            self._refuse(it, "posting", problem)
            return None
        errors = {}
        rules.check_date(it.booked_on, "booked_on", errors, not_before=target.booked_on, not_before_label=target)
        if errors:
            self._refuse_all(it, errors)
            return None
        refusal = rules.may_reverse(self.user, target)
        if refusal:
            self._refuse(it, "posting", refusal)
            return None
        lines = rules.mirror(target.lines or [])
        node = self._node(it, amount_fen=target.amount_fen, booked_on=it.booked_on or self.today, reversal_of=target.ref,
                          agreement_id=target.agreement_id, project=target.project, east_org=target.east_org,
                          west_org=target.west_org, memo=it.reason)
        body = rules.reversal_body(target.pk, it.reason, it.booked_on)
        return Plan(node, lines, body, ("posting", target), "posting")

    def _key_free(self, it, plan, refs) -> bool:
        """Whether the item posts under its key: the same body as before means already posted
        (a duplicate, skipped), another body is refused."""
        if it.key in self.taken:
            self._refuse(it, self.key_field, self.taken[it.key])
            return False
        if it.key in refs.existing_keys:
            stored_hash, label = refs.existing_keys[it.key]
            ref = plan.ref_field[1] if plan.ref_field else None
            if ref is None or ref.pk is not None:
                plan.rhash = request_hash(plan.body if ref is None else dict(plan.body, **{plan.ref_field[0]: ref.pk}))
            if plan.rhash is not None and plan.rhash == stored_hash:
                it.duplicate = True
                return False
            self._refuse(it, self.key_field, rules.key_reused(it.key, label))
            return False
        return True

    # 4. the accounts: opened where missing, locked in id order, balances read once

    def _lock_accounts(self, plans, refs) -> dict:
        """The balance of each account the batch draws down (account key → fen), read under its
        lock. Opening first is the actions' order too (account_for before the locks): an insert
        that waits for a concurrent opener must not hold a lock."""
        accounts = refs.accounts
        keys = {key for plan in plans.values() for key, _s, _a in plan.lines}
        self._load_org_accounts({key for key in keys if key[0] == "o"}, accounts)
        missing = {key for key in keys if key not in accounts}
        if missing:
            self._open_accounts(missing, refs)
        drawn = set()
        normal = {key: _NORMAL[key[2]] for key in keys}.__getitem__
        for plan in plans.values():
            plan.net = net = rules.net_changes(plan.lines, normal)
            for key, change in net.items():
                if change < 0:
                    drawn.add(key)
        lock_ids = sorted(accounts[key].pk for key in drawn if key in accounts)
        locked = set()
        if lock_ids:
            locked.update(filter_any(Account.objects.all(), "id", lock_ids).select_for_update(no_key=True).order_by("id").values_list("id", flat=True))
        # Every account the batch touches, read once here (the drawn ones under their locks);
        # `write` brings them up to date under the chain head with the entries made since.
        self.balances, self.seen_seq = _balances_and_head(sorted({accounts[key].pk for key in keys if key in accounts}))
        running = {key: 0 for key in drawn}
        for key in drawn:
            if key in accounts and accounts[key].pk in locked:
                running[key] = self.balances.get(accounts[key].pk, 0)
        return running

    def _balances_now(self, account_ids) -> dict | None:
        """Under the chain head: the balances read by `_lock_accounts`, moved on by the entries
        appended since then (by other batches or actions; usually none, one index range on
        seq). None where that read did not see the head (SQLite: the writer reads them)."""
        if self.seen_seq is None or any(pk not in self.balances for pk in account_ids):
            return None
        now = {pk: self.balances[pk] for pk in account_ids}
        if now:
            where, params = any_of("account_id", sorted(now), "bigint")
            now.update(select(f"SELECT DISTINCT ON (account_id) account_id, balance_fen FROM {Entry._meta.db_table} "
                              f"WHERE seq > %s AND {where} ORDER BY account_id, seq DESC", [self.seen_seq, *params]))
        return now

    def _open_accounts(self, missing, refs):
        """Opened inside the batch's transaction: gone again if anything is refused."""
        accounts, new_owner = refs.accounts, refs.new_owner
        Account.objects.bulk_create([
            Account(owner=new_owner[key], purpose=key[2], normal_side=NORMAL_SIDE[Purpose(key[2])],
                    project_id=key[1] if key[0] == "p" else None) for key in sorted(missing)], ignore_conflicts=True)
        self._load_org_accounts({k for k in missing if k[0] == "o"}, accounts)
        project_keys = {k for k in missing if k[0] == "p"}
        if project_keys:
            qs = filter_any(Account.objects.filter(purpose__in=list(PROJECT_PURPOSES)), "project_id", sorted({k[1] for k in project_keys}))
            for acc in _accs(qs):
                accounts.setdefault(_account_key(acc), acc)

    # 5. replay the batch in order: one arrival per allocation, one reversal per posting, no overdraft

    def _replay(self, work, plans, refs, running):
        """Each plan against the state the ones before it leave (`running` balances, what is
        reversed, which arrival stands), so the batch is checked as if posted one by one."""
        reversed_refs = {("db", i) for i in refs.reversed_ids}
        arrivals = refs.arrivals
        for it in work:
            plan = plans.get(it.index)
            if plan is None:
                continue
            node = plan.node
            problem = self._replay_problem(plan, refs, reversed_refs, running)
            if problem is not None:
                self._refuse(it, *problem)
                node.refused = True
                continue
            for key, change in plan.net.items():
                if key in running:
                    running[key] += change
            if node.kind == Kind.ARRIVAL:
                arrivals[node.allocation] = (node.ref, node.arrived_on)
            elif node.kind == Kind.REVERSAL:
                target = plan.ref_field[1]
                reversed_refs.add(target.ref)
                if target.kind == Kind.ARRIVAL and arrivals.get(target.allocation, (None,))[0] == target.ref:
                    del arrivals[target.allocation]

    def _replay_problem(self, plan, refs, reversed_refs, running):
        """(field, reason) why the plan cannot post at this point of the batch, or None."""
        arrivals = refs.arrivals
        if plan.ref_field:
            field_name, target = plan.ref_field
            if target.refused:
                return field_name, _("refers to item %(i)d, which was refused") % {"i": target.index}
            if plan.node.kind == Kind.ARRIVAL:
                refusal = rules.arrival_refused(target, reversed_=target.ref in reversed_refs,
                                                arrived_on=arrivals[target.ref][1] if target.ref in arrivals else None)
                if refusal:
                    return field_name, refusal
            else:  # reversal
                refusal = rules.reversal_refused(target, reversed_=target.ref in reversed_refs,
                                                 arrival_stands=target.ref in arrivals)
                if refusal:
                    return field_name, refusal
                if not plan.lines:
                    return field_name, _("%(posting)s has no entries to reverse") % {"posting": target}
        net = plan.net
        for key in sorted(k for k, change in net.items() if change < 0):
            if running[key] + net[key] < 0:
                return plan.shortfall_field, rules.shortfall(self._account_for_message(key, refs.accounts, refs.new_owner),
                                                             running[key])
        return None

    def _load_org_accounts(self, keys, accounts):
        owners = sorted({key[1] for key in keys})
        purposes = sorted({key[2] for key in keys})
        if owners:
            qs = filter_any(Account.objects.filter(purpose__in=purposes, project__isnull=True), "owner_id", owners)
            found = _accs(qs)
            for acc in found:
                accounts.setdefault(_account_key(acc), acc)
            self._add_owners(found)

    def _add_owners(self, accounts):
        """Read the owners of these accounts that are not known yet (one query)."""
        missing = sorted({acc.owner_id for acc in accounts} - set(self.orgs))
        for part in chunks(missing):
            self.orgs.update((o.pk, o) for o in Organisation.objects.filter(pk__in=part).select_related("region"))

    def _account_for_message(self, key, accounts, new_owner):
        """The account named in a refusal, as a model instance (its label shows the owner)."""
        acc = accounts.get(key)
        if acc is not None:
            self._add_owners([acc])
            return Account(pk=acc.pk, owner=self.orgs[acc.owner_id], purpose=acc.purpose, project_id=acc.project_id)
        return Account(owner=new_owner[key], purpose=key[2], project_id=key[1] if key[0] == "p" else None)

    def write(self) -> list[int]:
        """Write what the check passed (items posted before are skipped); return the new
        postings' ids in item order.

        The postings first, then their entries under the chain head. Other batches wait for
        the head, so what does not depend on the chain's position — the posting rows with ids
        from the table's sequence, their hashes and digests, the checks of their references — is
        done before taking it; under it only the entries are chained and written."""
        items = [it for it in self.items if it.plan is not None and not it.duplicate]
        if not items:
            return []
        user, accounts = self.user, self.accounts
        actor = current_actor()
        created_by = user.pk if getattr(user, "pk", None) else None
        via, request_id, now = actor.via[:10], (actor.request_id or "")[:32], timezone.now()
        rows, lines_of, digests, shown = [], [], [], []
        used = {}  # account id → Acc, of every line written
        ids = reserve_ids(Posting, len(items))  # a query: never from inside the COPY below
        debit = rules.DEBIT

        def posting_rows():
            """Each row made as COPY takes it (the server stores one while Python makes the
            next), with its lines and its digest for the chain kept on the side. Makes no
            query: the connection is busy with the COPY while this runs."""
            for it, pk in zip(items, ids):
                plan = it.plan
                node = plan.node
                node.pk = pk
                target = None
                if plan.ref_field:
                    name, target = plan.ref_field
                    plan.body[name] = target.pk  # an earlier item's posting has its id by now
                lines, debits, credits = [], 0, 0
                for key, side, amount in plan.lines:
                    acc = accounts[key]
                    used[acc.pk] = acc
                    lines.append((acc.pk, side, amount))
                    if side == debit:
                        debits += amount
                    else:
                        credits += amount
                if len(lines) < 2 or debits != credits:
                    raise ValueError(f"item {it.index}: unbalanced lines {lines!r}")  # a bug, never an input error
                kind, project, east, west = node.kind, node.project, node.east_org, node.west_org
                # in chain.POSTING_FIELDS order (organisations by .id, a plain attribute, not the pk property)
                row = (pk, it.key, request_hash(plan.body), kind, debits, node.booked_on, node.agreement_id,
                       project.pk if project is not None else None, east.id if east is not None else None,
                       west.id if west is not None else None, target.pk if kind == ARRIVAL else None,
                       target.pk if kind == REVERSAL else None, node.due_date, node.arrived_on, node.memo, now,
                       created_by, via, request_id)
                rows.append(row)
                lines_of.append(lines)
                digests.append(posting_digest(row))
                shown.append(node)
                yield row

        write_postings(posting_rows(), key_ns=self.namespace)
        check_deferred()
        writer = ChainWriter(key_prefix="ingest")  # takes the chain head: after the account locks
        writer.know_accounts([(a.pk, a.owner_id, a.purpose, a.project_id, a.normal_side) for a in used.values()],
                             balances=self._balances_now(list(used)))
        writer.write_chained(zip(rows, lines_of, digests))
        writer.close()
        add_rows(_summary_rows(items))  # the dashboard's money summary, in this transaction: one statement
        _publish(shown)
        # the union of each posting's regions, taken once per distinct office and project (the
        # regions of a posting are those of each of its parties, `rules.fact_codes`)
        orgs, projects = {}, {}
        for n in shown:
            orgs[id(n.east_org)], orgs[id(n.west_org)], projects[id(n.project)] = n.east_org, n.west_org, n.project
        codes, first = set(), min(n.booked_on for n in shown)
        for org in orgs.values():
            codes |= rules.fact_codes(org, None, None)
        for project in projects.values():
            codes |= rules.fact_codes(None, None, project)
        changed(codes, first, sender=Posting)
        return ids


_NORMAL = {str(purpose.value): side for purpose, side in NORMAL_SIDE.items()}


def _balances_and_head(account_ids) -> tuple[dict, int | None]:
    """({account id: balance after its latest entry}, the chain head's sequence number) read
    in one statement, so in one snapshot: the balances are those of every entry up to that
    number and of none after it (entries and the head move in one transaction). On SQLite
    (one writer at a time) the balances alone, and None for the head."""
    if not account_ids:
        return {}, None
    if not is_postgres():
        return latest(account_ids), None
    where, params = any_of("a.id", account_ids, "bigint")
    rows = select(f"SELECT a.id, (SELECT e.balance_fen FROM {Entry._meta.db_table} e WHERE e.account_id = a.id "
                  f"ORDER BY e.seq DESC LIMIT 1), (SELECT h.last_seq FROM {ChainHead._meta.db_table} h WHERE h.id = 1) "
                  f"FROM {Account._meta.db_table} a WHERE {where}", params)
    balances = dict.fromkeys(account_ids, 0)
    balances.update((pk, b or 0) for pk, b, _seq in rows)
    return balances, (rows[0][2] or 0) if rows else None


def _account_key(acc):
    return ("p", acc.project_id, acc.purpose) if acc.project_id else ("o", acc.owner_id, acc.purpose)


def _summary_rows(items):
    """(summary key…, fen) of the items' postings: each adds its amount under its key, a
    reversal takes its original's back out under the original's key — what
    `totals.add_postings` would read back from the tables, made from what the batch holds."""
    rows = []
    for it in items:
        counted, sign = it.plan.node, 1
        if counted.kind == REVERSAL:
            counted, sign = it.plan.ref_field[1], -1
        project, west, east = counted.project, counted.west_org, counted.east_org
        key = summary_key(str(counted.kind), counted.agreement_id, counted.booked_on,
                          west.id if west is not None else None, east.id if east is not None else None,
                          project.county_id if project is not None else None,
                          project.pairing_id if project is not None else None,
                          project.category if project is not None else None)
        if key is not None:
            rows.append((*key, sign * counted.amount_fen))
    return rows


def _publish(nodes):
    """One live event for the batch: how many postings, and the latest few with their
    regions, so that each dashboard keeps only those its user may see."""
    latest = []
    for n in nodes[-20:]:
        west = n.west_org.region.code if n.west_org is not None else ""
        latest.append({"id": n.pk, "kind": str(n.kind), "amount_fen": n.amount_fen, "booked_on": n.booked_on.isoformat(),
                       "county": n.project.county.code if n.project is not None else west,
                       "east": n.east_org.region.code if n.east_org is not None else ""})
    count = len(nodes)
    publish("ledger", {"kind": ngettext("%(n)d posting", "%(n)d postings", count) % {"n": count},
                       "count": count, "amount_fen": sum(x["amount_fen"] for x in latest), "items": latest})


@action
def post_many(user, items) -> list[int]:
    """Post `items` (PostingItems) as one batch, all or nothing: the ids of the new postings
    in item order (items already posted under their key with the same body are skipped), or
    a ValidationError naming every refused item as {"<index>.<field>": [reason]}."""
    batch = PostingBatch(user)
    refusals = batch.check(items)
    if refusals:
        errors = {}
        for r in refusals:
            errors.setdefault(f"{r.index}.{r.field}", []).append(r.reason)
        raise ValidationError(errors)
    return batch.write()
