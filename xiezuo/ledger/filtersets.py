"""The funds lists, once: postings and accounts, each a queryset that has already passed the
scoping rule, used by the funds pages and the postings export alike."""
from django.db.models import Exists, OuterRef, Q

from xiezuo.core.scoping import visible

from .balances import balances
from .choices import Kind
from .models import Account, Posting


def postings(user, *, kind="", year=None, date_from=None, date_to=None, q="", in_force="", **_ignored):
    """`in_force` "yes": neither reversed nor a reversal; "no": one or the other."""
    qs = visible(user, Posting.objects.select_related(
        "project__county", "agreement__pairing__east_region", "agreement__pairing__west_region", "east_org", "west_org",
        "reversal_of", "created_by")).annotate(is_reversed=Exists(Posting.objects.filter(reversal_of=OuterRef("pk"))))
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
