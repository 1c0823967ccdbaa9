"""The funds lists, once: postings and accounts, each a queryset that has already passed the
scoping rule, used by the funds pages and the postings export alike."""
from django.db.models import Exists, OuterRef, Q

from xiezuo.core.arrays import is_postgres, pg_array
from xiezuo.core.scoping import scope_for, visible

from .balances import balances
from .choices import Kind
from .models import Account, Posting


ASK = object()  # `arrays` not given: looked up


def scope_arrays(user):
    """(offices, projects) in the user's own subtree as PostgreSQL array literals, for
    `visible_postings`; None where it uses `visible` as it is. A page that filters postings
    more than once looks them up once (an office's projects number tens of thousands)."""
    scope = scope_for(user)
    paths = ("west_org__region__code", "east_org__region__code", "project__county__code")
    if scope.everything or not is_postgres() or tuple(Posting.scope_paths) != paths or Posting.scope_include_partners:
        return None
    from xiezuo.orgs.models import Organisation
    from xiezuo.projects.models import Project

    orgs = pg_array(Organisation.objects.filter(scope.q(("region__code",), False)).order_by().values_list("id", flat=True))
    projects = pg_array(Project.objects.filter(scope.q(("county__code",), False)).order_by().values_list("id", flat=True))
    return orgs, projects


def visible_postings(user, qs, *, probe: bool = True, arrays=ASK):
    """`visible(user, qs)` for postings, the way the database can use its indexes: the
    scoping rule (either office's region or the project's county in the user's subtree) as
    three indexed `= ANY(array)` conditions on the posting's own columns, with the offices and
    projects in scope looked up first. Written as joins, the rule is an OR over three joined
    tables, which PostgreSQL can only test on every one of millions of postings (0.9 s for a
    county office's count at national scale).

    `probe`: the arrays as index conditions, the way to find an office's postings among all
    (a count, a list in date order). Otherwise as hashed sub-selects, the way to test rows
    found by another index (the allocations of a year's agreements): PostgreSQL compares a
    row with an array parameter element by element, and an office's projects number tens of
    thousands at national scale."""
    if arrays is ASK:
        arrays = scope_arrays(user)
    if arrays is None:
        return visible(user, qs)
    orgs, projects = arrays
    column = ('"ledger_posting"."{}" = ANY(ARRAY(SELECT unnest(%s::bigint[])))' if probe else
              '"ledger_posting"."{}" IN (SELECT unnest(%s::bigint[]))').format
    return qs.extra(where=[f"({column('west_org_id')} OR {column('east_org_id')} OR {column('project_id')})"],
                    params=[orgs, orgs, projects])


def postings(user, *, kind="", year=None, date_from=None, date_to=None, q="", in_force="", probe=True, arrays=ASK, **_ignored):
    """`in_force` "yes": neither reversed nor a reversal; "no": one or the other. `probe` and
    `arrays`: see `visible_postings` (probe=False for a list read in date order, which
    PostgreSQL walks by date and tests row by row)."""
    qs = visible_postings(user, Posting.objects.select_related(
        "project__county", "agreement__pairing__east_region", "agreement__pairing__west_region", "east_org", "west_org",
        "reversal_of", "created_by"), probe=probe, arrays=arrays).annotate(is_reversed=Exists(Posting.objects.filter(reversal_of=OuterRef("pk"))))
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(booked_on__year=year)
    if date_from:
        qs = qs.filter(booked_on__gte=date_from)
    if date_to:
        qs = qs.filter(booked_on__lte=date_to)
    if in_force == "yes":
        qs = qs.exclude(kind=Kind.REVERSAL).filter(is_reversed=False)
    elif in_force == "no":
        qs = qs.filter(Q(kind=Kind.REVERSAL) | Q(is_reversed=True))
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(project__code__istartswith=q) | Q(project__name__icontains=q) | Q(memo__icontains=q)
                       | Q(idempotency_key=q) | Q(east_org__name__icontains=q) | Q(west_org__name__icontains=q))
    return qs.order_by("-booked_on", "-id")


def posting_years(user) -> list[int]:
    """From the first to the last year booked: two index lookups rather than a DISTINCT over
    millions of entries."""
    qs = visible(user, Posting.objects.all())
    first = qs.order_by("booked_on").values_list("booked_on", flat=True).first()
    last = qs.order_by("-booked_on").values_list("booked_on", flat=True).first()
    return list(range(last.year, first.year - 1, -1)) if first else []


def accounts(user, **_filters):
    return visible(user, Account.objects.select_related("owner__region", "project")).order_by(
        "owner__region__code", "purpose", "project__code", "id")


def with_balances(accounts):
    """Give each account `balance` (fen): the replay of its entries, for these accounts only
    (a page of them: a national office has an account per project)."""
    accounts = list(accounts)
    sums = balances(accounts)
    for a in accounts:
        a.balance = sums.get(a.pk, 0)
    return accounts
