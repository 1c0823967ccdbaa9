"""The lists behind the project, people and funds pages, and their Excel exports.

As in filters.py: each list takes the user and the cleaned filter values and returns a
queryset that has already passed the scoping rule, and each export takes that same
queryset, so a page and its export can never disagree about what a user sees.
"""
import datetime

from django.db.models import Exists, F, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core.excel import export_response
from xiezuo.core.money import fen_to_yuan_decimal
from xiezuo.core.scoping import scope_for, visible
from xiezuo.ledger.balances import balances, standing
from xiezuo.ledger.choices import Kind
from xiezuo.ledger.models import Account, Posting
from xiezuo.people.actions import on_post, stability
from xiezuo.people.models import Dispatch, PersonKind
from xiezuo.projects.choices import Status
from xiezuo.projects.models import Milestone, Project
from xiezuo.regions.models import Region

from xiezuo.core.excel import date_cell as _date
from xiezuo.core.excel import format_money_columns as _format_money_columns
from xiezuo.core.excel import yes_no as _yes

CLOSED = (Status.CANCELLED, Status.COMPLETED)


def region_prefix(text: str) -> str | None:
    """A region typed in a filter bar (“513436”, “美姑县（513436）”, “凉山”) → a code prefix
    for its subtree, or None when nothing matches."""
    import re

    text = (text or "").strip()
    if not text:
        return None
    found = re.search(r"\d{6}", text)
    region = (Region.objects.filter(code=found.group(0)).first() if found
              else Region.objects.filter(name=text).order_by("level", "code").first()
              or Region.objects.filter(name__startswith=text).order_by("level", "code").first())
    return region.prefix if region else None


# --- projects ------------------------------------------------------------------------


def late_q(today: datetime.date):
    """An open project with a milestone past its planned date and not reached (as the API)."""
    return Exists(Milestone.objects.filter(project=OuterRef("pk"), planned_date__lt=today, actual_date__isnull=True)) & ~Q(
        status__in=CLOSED)


def projects(user, *, q="", category="", status="", region="", pairing=None, year=None, late=False, **_ignored):
    qs = visible(user, Project.objects.select_related("county", "pairing__east_region", "pairing__west_region")).annotate(
        is_late=late_q(timezone.localdate()))
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    if region:
        prefix = region_prefix(region)
        qs = qs.filter(county__code__startswith=prefix) if prefix else qs.none()
    if pairing is not None:
        qs = qs.filter(pairing=pairing)
    if year:
        # Running in the year: started on or before its end, ends on or after its start.
        qs = qs.filter(planned_start__lte=datetime.date(year, 12, 31), planned_end__gte=datetime.date(year, 1, 1))
    if late:
        qs = qs.filter(is_late=True)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__istartswith=q) | Q(county__name__icontains=q))
    return qs.order_by("-planned_start", "code")


def project_years(user) -> list[int]:
    first = visible(user, Project.objects.all()).order_by("planned_start").values_list("planned_start", flat=True).first()
    last = visible(user, Project.objects.all()).order_by("-planned_end").values_list("planned_end", flat=True).first()
    if not first:
        return []
    return list(range(last.year, first.year - 1, -1))


def visible_pairings(user):
    from xiezuo.pairings.models import Pairing

    return visible(user, Pairing.objects.select_related("east_region", "west_region")).order_by(
        "kind", "east_region__code", "west_region__code")


def project_money(project) -> dict:
    """The project's money in force, in fen: disbursed to it, spent, and what its account
    holds; and, for its pairing, what the east allocated and what arrived (all years)."""
    in_force = standing(Posting.objects.all())
    mine = in_force.filter(project=project)
    out = {
        "disbursed": mine.filter(kind=Kind.DISBURSEMENT).aggregate(s=Sum("amount_fen"))["s"] or 0,
        "spent": mine.filter(kind=Kind.SPENDING).aggregate(s=Sum("amount_fen"))["s"] or 0,
        "allocated": None,
        "arrived": None,
    }
    out["held"] = out["disbursed"] - out["spent"]
    if project.pairing_id:
        pair = in_force.filter(agreement__pairing_id=project.pairing_id)
        out["allocated"] = pair.filter(kind=Kind.ALLOCATION).aggregate(s=Sum("amount_fen"))["s"] or 0
        out["arrived"] = pair.filter(kind=Kind.ARRIVAL).aggregate(s=Sum("amount_fen"))["s"] or 0
    return out


def export_projects(qs):
    headers = [_("project code"), _("name"), _("category"), _("enclave"), _("county code"), _("county"), _("pairing"),
               _("status"), _("planned start"), _("planned end"), _("actual start"), _("actual end"), _("percent done"),
               _("last report week"), _("late"), _("budget (yuan)"), _("budget (fen)"), _("demo data")]
    qs = qs.annotate(budget_fen=Sum("budget__amount_fen"))

    def rows():
        for p in qs.iterator(chunk_size=2000):
            budget = p.budget_fen or 0
            yield [p.code, p.name, p.get_category_display(), p.get_enclave_display() if p.enclave else "", p.county.code,
                   p.county.name, str(p.pairing) if p.pairing_id else "", p.get_status_display(), _date(p.planned_start),
                   _date(p.planned_end), _date(p.actual_start), _date(p.actual_end), p.percent_done,
                   _date(p.last_report_week), _yes(p.is_late), fen_to_yuan_decimal(budget), budget, _yes(p.is_demo)]

    return _format_money_columns(export_response(_("projects"), _("projects"), headers, rows()), [16])


# --- people --------------------------------------------------------------------------


def mask_id_number(value: str) -> str:
    """ID numbers are personal information (PIPL): shown and exported masked, always."""
    from xiezuo.people.api import mask_id_number as mask

    return mask(value)


def dispatches(user, *, q="", kind="", direction="", region="", organisation=None, pairing=None, on_post_now=False, term="",
               **_ignored):
    today = timezone.localdate()
    qs = visible(user, Dispatch.objects.select_related("from_org__region", "to_org__region", "pairing__east_region",
                                                       "pairing__west_region"))
    if kind:
        qs = qs.filter(kind=kind)
    if direction:
        qs = qs.filter(direction=direction)
    if region:
        prefix = region_prefix(region)
        qs = (qs.filter(Q(from_org__region__code__startswith=prefix) | Q(to_org__region__code__startswith=prefix))
              if prefix else qs.none())
    if organisation is not None:
        qs = qs.filter(Q(from_org=organisation) | Q(to_org=organisation))
    if pairing is not None:
        qs = qs.filter(pairing=pairing)
    if on_post_now:
        qs = on_post(qs, today)
    if term == "completed":
        qs = qs.filter(actual_end__isnull=False, actual_end__gte=F("planned_end"))
    elif term == "left_early":
        qs = qs.filter(actual_end__isnull=False, actual_end__lt=F("planned_end"))
    elif term == "running":
        qs = qs.filter(actual_end__isnull=True)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(person_name__icontains=q) | Q(from_org__name__icontains=q) | Q(to_org__name__icontains=q))
    return qs.order_by("-planned_start", "id")


def is_on_post(d: Dispatch, today: datetime.date) -> bool:
    return d.actual_start is not None and d.actual_start <= today and (d.actual_end is None or d.actual_end >= today)


def stability_for(user, as_of: datetime.date | None = None) -> dict:
    """专业技术人才派驻稳定性 for the user's scope: of the professionals whose agreed term
    ended by `as_of`, the share who stayed to its end."""
    as_of = as_of or timezone.localdate()
    completed, due = stability(visible(user, Dispatch.objects.all()), as_of)
    return {"completed": completed, "due": due, "as_of": as_of,
            "percent": round(100 * completed / due, 1) if due else None}


def export_dispatches(qs):
    today = timezone.localdate()
    headers = [_("id"), _("name"), _("ID number (masked)"), _("kind"), _("professional"), _("direction"), _("from"),
               _("from region code"), _("to"), _("to region code"), _("pairing"), _("planned start"), _("planned end"),
               _("actual start"), _("actual end"), _("on post today"), _("completed the agreed term"), _("demo data")]
    rows = ([d.pk, d.person_name, mask_id_number(d.id_number), d.get_kind_display(), _yes(d.kind != PersonKind.CADRE),
             d.get_direction_display(), d.from_org.name, d.from_org.region.code, d.to_org.name, d.to_org.region.code,
             str(d.pairing) if d.pairing_id else "", _date(d.planned_start), _date(d.planned_end), _date(d.actual_start),
             _date(d.actual_end), _yes(is_on_post(d, today)), _yes(d.completed_term), _yes(d.is_demo)]
            for d in qs.iterator(chunk_size=2000))
    return export_response(_("dispatches"), _("dispatches"), headers, rows)


# --- ledger --------------------------------------------------------------------------


def postings(user, *, kind="", year=None, date_from=None, date_to=None, q="", in_force="", **_ignored):
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


def visible_accounts(user):
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


def export_postings(qs):
    headers = [_("posting"), _("kind"), _("booked on"), _("amount (yuan)"), _("amount (fen)"), _("eastern side"),
               _("western side"), _("agreement"), _("project code"), _("project"), _("funds due by"), _("arrived on"),
               _("reversal of"), _("reversed"), _("memo"), _("idempotency key"), _("posted by"), _("posted at")]
    rows = ([p.pk, p.get_kind_display(), _date(p.booked_on), fen_to_yuan_decimal(p.amount_fen), p.amount_fen,
             p.east_org.name if p.east_org_id else "", p.west_org.name if p.west_org_id else "",
             str(p.agreement) if p.agreement_id else "", p.project.code if p.project_id else "",
             p.project.name if p.project_id else "", _date(p.due_date), _date(p.arrived_on),
             p.reversal_of_id or "", _yes(p.is_reversed), p.memo, p.idempotency_key,
             p.created_by.username if p.created_by_id else "",
             timezone.localtime(p.created_at).strftime("%Y-%m-%d %H:%M:%S")]
            for p in qs.iterator(chunk_size=2000))
    return _format_money_columns(export_response(_("postings"), _("postings"), headers, rows), [4])


def user_sides(user) -> set[str]:
    """Which stage forms a user may use: "east" (allocate) and/or "west" (arrival,
    disbursement, spending). The national coordinator both; office staff by where their
    organisation stands; readers none. The actions check each posting again."""
    scope = scope_for(user)
    if not scope.can_write:
        return set()
    if scope.everything:
        return {"east", "west"}
    from xiezuo.users.scopes import profile_of

    profile = profile_of(user)
    role = profile.organisation.region.role if profile and profile.organisation else ""
    return {role} & {"east", "west"}
