"""Funds pages (资金): the stage figures for the user's part of the tree, accounts with their
balances (always the replay of entries), postings with their balanced entries, and the
forms for the stage each side may post — the east allocates; the west confirms arrival,
disburses and records a project's spending; the side that posted reverses.

Every write goes through xiezuo.ledger.actions. Each form carries an idempotency key made
when it was shown (forms.KeyedForm), so a double submit posts once.

What part of the tree a user acts in comes from the scoping rule (`scope_for`, `visible`) and
which side their office stands on from their profile (`profile_of`); no view derives a prefix.
"""
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, Sum
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from xiezuo.core.money import fen_to_yuan_decimal
from xiezuo.core.scoping import scope_for, visible
from xiezuo.core.ui.forms import filter_values
from xiezuo.core.ui.views import (PER_PAGE, background_export, export_or_job, require, roundtrip, roundtrip_links, run_action,
                                 scoped_or_404, wants_xlsx)
from xiezuo.pairings.models import Agreement
from xiezuo.projects.models import Project
from xiezuo.users.scopes import profile_of

from . import actions as ledger
from .balances import accounts_page, balance, standing
from .choices import Kind, Side
from .exports import export_postings
from .figures import arrival_timeliness_for
from .filtersets import posting_years, postings, scope_arrays, with_balances
from .forms import AllocateForm, ArrivalForm, DisburseForm, PostingFilterForm, ReverseForm, SpendingForm
from .models import Account, Entry, Posting
from .totals import money_stages
from .rules import may_reverse

ACCOUNTS_PER_PAGE = 50
ENTRIES_PER_PAGE = 100
STAGES = ("committed", "allocated", "arrived", "disbursed", "spent")


def user_sides(user) -> set[str]:
    """Which stage forms a user may use: "east" (allocate) and/or "west" (arrival,
    disbursement, spending). The national coordinator both; office staff by where their
    organisation stands; readers none. The actions check each posting again."""
    scope = scope_for(user)
    if not scope.can_write:
        return set()
    if scope.everything:
        return {"east", "west"}
    profile = profile_of(user)
    role = profile.organisation.region.role if profile and profile.organisation else ""
    return {role} & {"east", "west"}


def _in_own_subtree(user, path: str):
    """The condition “`path` is a region code in the user's own subtree” (paired regions
    excluded): the scoping rule's own condition, asked of the rule."""
    return scope_for(user).q((path,), include_partners=False)


def project_money(user, project) -> dict:
    """The project page's funds (a part registered for "project-detail"): the project's
    money in force, in fen — disbursed to it (fiscal aid), donated to it (social help's
    pledges: not fiscal aid), spent, what its account holds; and, for its pairing, what the
    east allocated and what arrived (all years)."""
    in_force = standing(Posting.objects.all())
    mine = in_force.filter(project=project)
    money = {
        "disbursed": mine.filter(kind=Kind.DISBURSEMENT).aggregate(s=Sum("amount_fen"))["s"] or 0,
        "donated": mine.filter(kind=Kind.SOCIAL).aggregate(s=Sum("amount_fen"))["s"] or 0,
        "spent": mine.filter(kind=Kind.SPENDING).aggregate(s=Sum("amount_fen"))["s"] or 0,
        "allocated": None,
        "arrived": None,
    }
    money["held"] = money["disbursed"] + money["donated"] - money["spent"]
    if project.pairing_id:
        pair = in_force.filter(agreement__pairing_id=project.pairing_id)
        money["allocated"] = pair.filter(kind=Kind.ALLOCATION).aggregate(s=Sum("amount_fen"))["s"] or 0
        money["arrived"] = pair.filter(kind=Kind.ARRIVAL).aggregate(s=Sum("amount_fen"))["s"] or 0
    return money


def may_pay_into(user, project) -> bool:
    """Paying into a project and recording its spending is the western side's step, in the
    user's own subtree (a part registered for "project-detail")."""
    return "west" in user_sides(user) and scope_for(user).in_own(project.county.code)


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@login_required
def ledger_index(request):
    user = request.user
    require(scope_for(user).active)
    year = _year(request)
    stages = money_stages(user, year)
    labels = {"committed": _("committed"), "allocated": _("allocated"), "arrived": _("arrived"),
              "disbursed": _("disbursed"), "spent": _("spent")}
    committed = stages.get("committed") or 0
    figures = [{"key": k, "label": labels[k], "fen": stages.get(k, 0),
                "percent": round(100 * stages.get(k, 0) / committed, 1) if committed else None} for k in STAGES]
    arrays = scope_arrays(user)
    timeliness = arrival_timeliness_for(user, year, arrays)
    allocated = timeliness["allocated_fen"]
    page = accounts_page(user, request.GET.get("page"), ACCOUNTS_PER_PAGE)
    years = sorted(set(posting_years(user)) | {timezone.localdate().year, year}, reverse=True)
    return render(request, "ledger/index.html", {
        "year": year, "years": years, "figures": figures, "timeliness": timeliness,
        "on_time_percent": round(100 * timeliness["on_time_fen"] / allocated, 1) if allocated else None,
        "page": page, "accounts": with_balances(page),
        "recent": postings(user, probe=False, arrays=arrays).select_related(None)[:10], "sides": user_sides(user),
    })


@login_required
@background_export(_l("ledger postings"))
def ledger_postings(request):
    user = request.user
    form = PostingFilterForm(request.GET, years=posting_years(user))
    arrays = scope_arrays(user)
    qs = postings(user, arrays=arrays, **filter_values(form))
    if wants_xlsx(request):
        return export_or_job(request, qs, export_postings)
    from .importers import PostingImporter

    kinds = {"postings": lambda: (PostingImporter(), qs)}
    response = roundtrip(request, kinds)
    if response is not None:
        return response
    # counted through the indexes, listed in date order with the scope tested row by row
    listed = postings(user, arrays=arrays, probe=False, **filter_values(form))
    paginator = Paginator(listed.values_list("id", flat=True), PER_PAGE)
    paginator.count = qs.count()
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = _posting_rows(list(page.object_list))
    return render(request, "ledger/postings.html", {"form": form, "page": page, "roundtrip_links": roundtrip_links(kinds)})


def _posting_rows(ids):
    """The postings of a page, in the page's order, with what their rows show. The page's ids
    come from the scoped, filtered list without its ten joins, and the related rows from one
    small query each: planning the list with all its joins took PostgreSQL longer than running
    it."""
    rows = Posting.objects.filter(pk__in=ids).annotate(is_reversed=Exists(Posting.objects.filter(reversal_of=OuterRef("pk"))))
    rows = rows.prefetch_related(Prefetch("project", Project.objects.only("id", "code")), "agreement__pairing__east_region",
                                 "agreement__pairing__west_region", "east_org", "west_org").in_bulk()
    return [rows[i] for i in ids]


@login_required
def ledger_posting(request, pk):
    user = request.user
    posting = scoped_or_404(user, Posting.objects.select_related(
        "agreement__pairing__east_region", "agreement__pairing__west_region", "project__county", "east_org__region",
        "west_org__region", "reversal_of", "allocation", "created_by"), pk=pk)
    entries = list(posting.entries.select_related("account__owner", "account__project").order_by("seq"))
    reversal = Posting.objects.filter(reversal_of=posting).first()
    arrivals = list(Posting.objects.filter(allocation=posting, kind=Kind.ARRIVAL).annotate(
        is_reversed=Exists(Posting.objects.filter(reversal_of=OuterRef("pk")))).order_by("id")) \
        if posting.kind == Kind.ALLOCATION else []
    reversible = (posting.kind != Kind.REVERSAL and reversal is None and may_reverse(user, posting) is None)
    return render(request, "ledger/posting.html", {
        "posting": posting, "entries": entries, "reversal": reversal, "arrivals": arrivals,
        "debits": sum(e.amount_fen for e in entries if e.side == Side.DEBIT),
        "credits": sum(e.amount_fen for e in entries if e.side == Side.CREDIT),
        "may_reverse": reversible,
    })


@login_required
def ledger_account(request, pk):
    """One account: its entries in chain order, each with the balance it carries (the replay
    up to it, checked by `ledger verify`)."""
    user = request.user
    account = scoped_or_404(user, Account.objects.select_related("owner__region", "project"), pk=pk)
    entries = Entry.objects.filter(account=account).select_related("posting").order_by("seq")
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    lines = [(e, e.balance_fen) for e in page]
    return render(request, "ledger/account.html", {"account": account, "page": page, "lines": lines,
                                                   "balance": balance(account)})


# --- the stages ----------------------------------------------------------------------


def _stage_page(request, form, title, status, stage, **extra):
    return render(request, "ledger/form.html", {"form": form, "title": title, "stage": stage, **extra}, status=status)


# What each stage shows as available before an amount is typed (ledger.available), and
# how the picked row is found among those the user may choose.
PICKS = {"allocation": "agreement", "arrival": "allocation", "disbursement": "project", "spending": "project"}


def _choices(user, stage):
    return {"allocation": lambda: _allocatable(user), "arrival": lambda: _awaiting_arrival(user),
            "disbursement": lambda: _payable_projects(user), "spending": lambda: _payable_projects(user)}[stage]()


STAGE_SIDE = {"allocation": "east", "arrival": "west", "disbursement": "west", "spending": "west"}


def _available(user, stage, raw):
    """The available amount for the row picked on a stage's form, or None (a row the user may
    not choose). Before a project is picked, the disbursement form shows what the user's own
    office may disburse (可拨付余额), so the amount is known before one is typed."""
    from . import available

    raw = str(raw or "").strip()
    if stage not in PICKS:
        return None
    qs = _choices(user, stage)
    row = None
    if raw and PICKS[stage] == "project":
        row = qs.filter(code=raw).first() or (qs.filter(pk=raw).first() if raw.isdigit() else None)
    elif raw:
        row = qs.filter(pk=raw).first() if raw.isdigit() else None
    if row is None and stage == "disbursement":
        profile = profile_of(user)
        found = available.for_office(profile.organisation if profile else None)
    elif row is None:
        return None
    else:
        found = {"allocation": available.for_allocation, "arrival": available.for_arrival,
                 "disbursement": available.for_disbursement, "spending": available.for_spending}[stage](row)
    if found is None:
        return None
    return {**found, "label": str(found["label"]), "text": f"{fen_to_yuan_decimal(found['fen']):,.2f}"}


@login_required
def ledger_available(request):
    """The stage form's available amount for the row picked (JSON), as the page shows it."""
    stage = request.GET.get("stage", "")
    require(STAGE_SIDE.get(stage) in user_sides(request.user))
    found = _available(request.user, stage, request.GET.get("pick"))
    return JsonResponse({"available": found})


SEARCH_LIMIT = 20


@login_required
def ledger_project_search(request):
    """The project picker's suggestions (JSON): projects the user may pay into or record
    spending for whose code starts with, or whose name holds, what was typed."""
    require("west" in user_sides(request.user))
    q = (request.GET.get("q") or "").strip()[:50]
    results = []
    if q:
        qs = _payable_projects(request.user).filter(Q(code__istartswith=q) | Q(name__icontains=q)).order_by("code")
        results = [{"value": p.code, "text": f"{p.code} {p.name}", "hint": p.county.name} for p in qs[:SEARCH_LIMIT]]
    return JsonResponse({"results": results})


def _done(request, posting):
    return redirect("ledger-posting", posting.pk)


def _allocatable(user):
    """Agreements of region pairings whose eastern side is the user's own (this year and last)."""
    year = timezone.localdate().year
    return visible(user, Agreement.objects.select_related("pairing__east_region", "pairing__west_region")).filter(
        _in_own_subtree(user, "pairing__east_region__code"), pairing__kind__in=("province", "prefecture", "county"),
        year__gte=year - 1).order_by("-year", "pairing__kind", "pairing__east_region__code", "pairing__west_region__code")


def _awaiting_arrival(user, pending_only=True):
    """Allocations to the user's own western offices: on the form, those in force that have
    not arrived; on submit, any of them, so that a double submit reaches the action, which
    answers it with the arrival already posted under the same key (or says why not)."""
    qs = visible(user, Posting.objects.filter(kind=Kind.ALLOCATION)).filter(_in_own_subtree(user, "west_org__region__code"))
    if pending_only:
        arrived = standing(Posting.objects.filter(kind=Kind.ARRIVAL, allocation=OuterRef("pk")))
        qs = standing(qs).exclude(Exists(arrived))
    return qs.select_related(
        "agreement__pairing__east_region", "agreement__pairing__west_region", "project").order_by("booked_on", "id")


def _payable_projects(user):
    return visible(user, Project.objects.select_related("county")).filter(
        _in_own_subtree(user, "county__code")).exclude(status="cancelled")


def _stage_view(request, form_class, choices, pick, act, message, title, stage, note):
    """One stage's page (allocate, confirm arrival, disburse, spend): the form over the rows the
    user may choose (`choices`, passed to the form as its `pick` + "s" keyword and preselected
    from the query string's `pick`), and on a valid POST the action `act(cleaned_data)`."""
    choice_kw = {pick + "s": choices}
    status = 200
    if request.method == "POST":
        form = form_class(request.POST, **choice_kw)
        if form.is_valid():
            posting, status = run_action(form, request, lambda: act(form.cleaned_data), message,
                                         getattr(form_class, "RENAME", None))
            if posting:
                return _done(request, posting)
    else:
        form = form_class(**choice_kw, initial={pick: request.GET.get(pick)})
    chosen = request.POST.get(pick) if request.method == "POST" else request.GET.get(pick)
    return _stage_page(request, form, title, status, stage, note=note, pick=pick,
                       available=_available(request.user, stage, chosen))


@login_required
def ledger_allocate(request):
    user = request.user
    require("east" in user_sides(user))
    return _stage_view(
        request, AllocateForm, _allocatable(user), "agreement",
        lambda d: ledger.allocate(user, agreement=d["agreement"], amount_fen=d["amount"], idempotency_key=d["idempotency_key"],
                                  booked_on=d.get("booked_on"), memo=d.get("memo") or ""),
        _("Allocation posted."), _("Allocate fiscal aid"), "allocation",
        _("The eastern office releases aid under an agreement (下达); it stays in transit until the western office confirms its arrival."))


@login_required
def ledger_arrival(request):
    user = request.user
    require("west" in user_sides(user))
    return _stage_view(
        request, ArrivalForm, _awaiting_arrival(user, pending_only=request.method != "POST"), "allocation",
        lambda d: ledger.confirm_arrival(user, allocation=d["allocation"], arrived_on=d["arrived_on"],
                                         idempotency_key=d["idempotency_key"], memo=d.get("memo") or ""),
        _("Arrival confirmed."), _("Confirm arrival of funds"), "arrival",
        _("The western office confirms that an allocation arrived in its account (到位). Timeliness is measured against the agreement's due date."))


@login_required
def ledger_disburse(request):
    user = request.user
    require("west" in user_sides(user))
    return _stage_view(
        request, DisburseForm, _payable_projects(user), "project",
        lambda d: ledger.disburse(user, project=d["project"], amount_fen=d["amount"], idempotency_key=d["idempotency_key"],
                                  booked_on=d.get("booked_on"), memo=d.get("memo") or ""),
        _("Disbursement posted."), _("Disburse to a project"), "disbursement",
        _("The western office pays arrived funds into the project's account (拨付), from the office of the project's county."))


@login_required
def ledger_spend(request):
    user = request.user
    require("west" in user_sides(user))
    return _stage_view(
        request, SpendingForm, _payable_projects(user), "project",
        lambda d: ledger.record_spending(user, project=d["project"], amount_fen=d["amount"], idempotency_key=d["idempotency_key"],
                                         spent_on=d.get("booked_on"), memo=d.get("memo") or ""),
        _("Spending recorded."), _("Record project spending"), "spending",
        _("The project spends from its account (支出), recorded by the western side."))


@login_required
def ledger_reverse(request, pk):
    user = request.user
    posting = scoped_or_404(user, Posting.objects.select_related("east_org__region", "west_org__region", "project__county"), pk=pk)
    require(posting.kind != Kind.REVERSAL and may_reverse(user, posting) is None)
    status = 200
    if request.method == "POST":
        form = ReverseForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            reversal, status = run_action(form, request, lambda: ledger.reverse(
                user, posting=posting, reason=d["reason"], idempotency_key=d["idempotency_key"], booked_on=d.get("booked_on")),
                _("Reversal posted."))
            if reversal:
                return _done(request, reversal)
    else:
        form = ReverseForm()
    return _stage_page(request, form, _("Reverse %(posting)s") % {"posting": posting}, status, "reversal", posting=posting,
                       note=_("Entries are never edited or deleted: a reversal posts the mirror image of the original (冲销)."))
