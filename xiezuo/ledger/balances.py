"""Balances are the replay of entries.

A balance is signed towards the account's normal side: what an eastern budget has
released, what sits in transit, in a western account or a project, what a project spent.

The current balance is read from the account's latest entry, which carries the replay up
to itself (`Entry.balance_fen`, written under the chain head lock and checked against a
full replay by `ledger verify`): one index probe per account, whatever the length of its
history. A balance as of a date sums the entries booked by then (`booked_on` may lie
before entries chained earlier, so no single entry carries it).
"""
import datetime

from django.db.models import Case, F, OuterRef, Q, Subquery, Sum, When

from xiezuo.core.arrays import filter_any

from .choices import Kind, Side
from .models import Account, Entry, Posting


def _signed(normal_side: str):
    """+amount on the normal side, -amount on the other, as an SQL expression."""
    other = Side.CREDIT if normal_side == Side.DEBIT else Side.DEBIT
    return Case(When(side=normal_side, then=F("amount_fen")), When(side=other, then=-F("amount_fen")))


def latest(account_ids) -> dict[int, int]:
    """{account id: balance after its latest entry} (0 for an account without entries), one
    query per 2,000 accounts. Read it under the chain head lock (or the account's own lock)
    when it must not move before it is used."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    last = Entry.objects.filter(account_id=OuterRef("pk")).order_by("-seq").values("balance_fen")[:1]
    out = dict.fromkeys(ids, 0)
    for start in range(0, len(ids), 2000):
        qs = filter_any(Account.objects.all(), "id", ids[start:start + 2000]).annotate(b=Subquery(last)).values_list("id", "b")
        out.update((pk, b or 0) for pk, b in qs)
    return out


def balance(account: Account, as_of: datetime.date | None = None) -> int:
    """The account's balance in fen (from the entries booked on or before `as_of`)."""
    if as_of is None:
        return latest([account.pk])[account.pk]
    qs = Entry.objects.filter(account_id=account.pk, booked_on__lte=as_of)
    return qs.aggregate(b=Sum(_signed(account.normal_side)))["b"] or 0


def balances(accounts, as_of: datetime.date | None = None) -> dict[int, int]:
    """{account id: balance} for many accounts."""
    accounts = list(accounts)
    if not accounts:
        return {}
    if as_of is None:
        return latest(a.pk for a in accounts)
    return replayed(accounts, as_of)


def replayed(accounts, as_of: datetime.date | None = None) -> dict[int, int]:
    """{account id: balance} summed over the accounts' entries in one query: the replay the
    carried balances must equal (tests and `ledger verify` compare the two)."""
    accounts = list(accounts)
    if not accounts:
        return {}
    qs = Entry.objects.filter(account__in=accounts)
    if as_of is not None:
        qs = qs.filter(booked_on__lte=as_of)
    rows = qs.values("account_id", "account__normal_side").annotate(
        d=Sum(Case(When(side=Side.DEBIT, then=F("amount_fen")), default=0)),
        c=Sum(Case(When(side=Side.CREDIT, then=F("amount_fen")), default=0)),
    ).order_by()
    out = {a.pk: 0 for a in accounts}
    for r in rows:
        d, c = r["d"] or 0, r["c"] or 0
        out[r["account_id"]] = d - c if r["account__normal_side"] == Side.DEBIT else c - d
    return out


def totals() -> tuple[int, int]:
    """(all debits, all credits) over the whole ledger: always equal."""
    row = Entry.objects.aggregate(
        d=Sum(Case(When(side=Side.DEBIT, then=F("amount_fen")), default=0)),
        c=Sum(Case(When(side=Side.CREDIT, then=F("amount_fen")), default=0)),
    )
    return row["d"] or 0, row["c"] or 0


def standing(postings):
    """Postings of a queryset that are still in force: not reversed, not reversals."""
    return postings.exclude(kind=Kind.REVERSAL).filter(reversal__isnull=True)


def arrival_timeliness(allocations=None) -> dict:
    """资金到位及时率 inputs: fen allocated (in force), fen arrived, fen arrived by the due date.

    `allocations` is a queryset of allocation postings (already scoped by the caller);
    an arrival counts as on time by its allocation's due date in force (`dues`); one with
    no due date at all counts as on time when it arrived.
    """
    from .dues import due_in_force

    allocations = standing(allocations if allocations is not None else Posting.objects.all()).filter(kind=Kind.ALLOCATION)
    # The allocations in force are a few thousand a year nationally: read once, their ids then
    # find the arrivals through the index on `allocation` (a nested condition instead is
    # misjudged by the planner as matching one row, and walks every arrival).
    mine = list(allocations.values_list("id", "amount_fen"))
    allocated = sum(fen for _id, fen in mine)
    # arrived and arrived on time in one pass over the arrivals (one query, not two)
    arrivals = standing(filter_any(Posting.objects.filter(kind=Kind.ARRIVAL), "allocation_id", sorted(i for i, _f in mine)))
    arrivals = arrivals.annotate(due=due_in_force("allocation__"))
    row = arrivals.aggregate(arrived=Sum("amount_fen"),
                             on_time=Sum("amount_fen", filter=Q(due__isnull=True) | Q(arrived_on__lte=F("due"))))
    return {"allocated_fen": allocated, "arrived_fen": row["arrived"] or 0, "on_time_fen": row["on_time"] or 0}


def visible_accounts(user):
    """The accounts `user` may see, as `visible` gives them, found through the two indexed
    ways an account is in view — its owner's region or its project's county — rather than a
    condition over both joins, which the database can only test on every account (half a
    second for a county office at national scale)."""
    from xiezuo.core.scoping import scope_for, visible
    from xiezuo.orgs.models import Organisation
    from xiezuo.projects.models import Project

    scope = scope_for(user)
    qs = Account.objects.all()
    if scope.everything or tuple(Account.scope_paths) != ("owner__region__code", "project__county__code"):
        return visible(user, qs)
    partners = Account.scope_include_partners
    orgs = Organisation.objects.filter(scope.q(("region__code",), partners)).values("id")
    projects = Project.objects.filter(scope.q(("county__code",), partners)).values("id")
    ids = set(Account.objects.filter(owner_id__in=orgs).values_list("id", flat=True))
    ids |= set(Account.objects.filter(project_id__in=projects).values_list("id", flat=True))
    return filter_any(qs, "id", sorted(ids))


def accounts_page(user, number, per_page: int):
    """One page of the accounts `user` may see, in the funds page's order (region, purpose,
    project): the order is worked out from counts per owner and purpose (`AccountOrder`),
    then the page's 50 rows are read whole."""
    from django.core.paginator import Paginator

    if tuple(Account.scope_paths) == ("owner__region__code", "project__county__code"):
        ordered = AccountOrder(user)
    else:  # a scoping rule AccountOrder does not know: sorted whole
        ordered = visible_accounts(user).order_by("owner__region__code", "purpose", "project__code", "id").values_list("id", flat=True)
    page = Paginator(ordered, per_page).get_page(number)
    ids = list(page.object_list)
    rows = Account.objects.select_related("owner__region", "project").in_bulk(ids)
    page.object_list = [rows[i] for i in ids]
    return page


class AccountOrder:
    """The ids of the accounts `user` may see, ordered by their owner's region code, purpose,
    project code and id, as a sequence a paginator can count and slice without sorting them
    all.

    An office's accounts number tens of thousands at national scale (two per project), and
    sorting them over joins to their owners' regions and projects for each page of 50 was
    the funds page's slowest part. Here the accounts are counted per owner and purpose from
    an index; these groups, sorted by (region code, purpose) in Python, say which few hold the
    page, and only those are read, in one query in the page's order. An account in view only
    through its project's county (an eastern buyer's spending account for a western project)
    is counted with its owner and purpose as well, and read under the same condition."""

    def __init__(self, user):
        self.regions, self.groups = _account_groups(user)
        self.total = sum(n for _key, n, _whole, _through in self.groups)

    def count(self):
        return self.total

    def __len__(self):
        return self.total

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("AccountOrder is read by slices")
        start, stop, _step = index.indices(self.total)
        if start >= stop:
            return []
        # an owner's accounts of one purpose are one group's, so the groups spanned are read as
        # one condition per purpose
        whole, through, skip, at = {}, {}, None, 0
        for (_code, purpose), n, seen, partly in self.groups:
            if at >= stop:
                break
            if at + n > start:
                skip = start - at if skip is None else skip
                whole.setdefault(purpose, set()).update(seen)
                through.setdefault(purpose, set()).update(partly)
            at += n
        cond = Q(pk__in=[])
        for purpose, owners in sorted(whole.items()):
            if owners:
                cond |= Q(owner_id__in=sorted(owners), purpose=purpose)
        for purpose, owners in sorted(through.items()):
            if owners:
                cond |= Q(owner_id__in=sorted(owners), purpose=purpose, project__county__in=self.regions)
        qs = Account.objects.filter(cond).order_by("owner__region__code", "purpose", "project__code", "id")
        return list(qs.values_list("id", flat=True)[skip:skip + stop - start])


def _account_groups(user) -> tuple:
    """(the regions in view as a queryset of ids, or None for all; [((owner's region code,
    purpose), accounts in view, {owners whose accounts of the purpose are all in view},
    {owners whose accounts of the purpose are in view through their projects' counties})]
    sorted as the funds page lists them)."""
    from django.db.models import Count

    from xiezuo.core.arrays import is_postgres, pg_array
    from xiezuo.core.scoping import scope_for
    from xiezuo.orgs.models import Organisation
    from xiezuo.regions.models import Region

    scope = scope_for(user)
    counted = Account.objects.values_list("owner_id", "purpose").annotate(n=Count("id")).order_by()
    regions, through = None, []
    if not scope.everything:
        regions = Region.objects.filter(scope.q(("code",), Account.scope_include_partners)).values("id")
        region_ids = sorted(r["id"] for r in regions)
        orgs = sorted(filter_any(Organisation.objects.all(), "region_id", region_ids).order_by().values_list("id", flat=True))
        counted = filter_any(counted, "owner_id", orgs)
        # the owners outside the scope are excluded by a constant array, which PostgreSQL hashes
        by_project = Account.objects.filter(project__isnull=False).values_list("owner_id", "purpose").annotate(n=Count("id")).order_by()
        if is_postgres():
            by_project = by_project.extra(
                where=['"ledger_account"."project_id" IN (SELECT p.id FROM projects_project p '
                       'WHERE p.county_id = ANY(ARRAY(SELECT unnest(%s::bigint[]))))',
                       'NOT ("ledger_account"."owner_id" = ANY(%s::bigint[]))'],
                params=[pg_array(region_ids), pg_array(orgs)])
        else:
            by_project = by_project.filter(project__county_id__in=region_ids).exclude(owner_id__in=orgs)
        through = list(by_project)
    counted = list(counted)
    owners = {o for o, _p, _n in counted} | {o for o, _p, _n in through}
    code_of = dict(filter_any(Organisation.objects.all(), "id", sorted(owners)).order_by().values_list("id", "region__code"))
    groups = {}
    for rows, which in ((counted, 1), (through, 2)):
        for owner, purpose, n in rows:
            g = groups.setdefault((code_of[owner], purpose), [0, set(), set()])
            g[0] += n
            g[which].add(owner)
    return regions, [(key, n, whole, partly) for key, (n, whole, partly) in sorted(groups.items())]
