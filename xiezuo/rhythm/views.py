"""Pages of the rhythm: responsibility lists, my items, the weekly sheet, consultations, plans.

Thin: they pick the office the user may see, call the sheet compiler or an action, and
render. A page that shows several forms (a consultation, a plan) posts them all to itself
with an `op` naming the form, so a refused form comes back with its reasons in place.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core.dates import check_day
from xiezuo.core.errors import messages_of
from xiezuo.core.scoping import can_see, scope_for, visible
from xiezuo.pairings.models import Pairing
from xiezuo.core.ui.views import paginate, require, run_action, scoped_or_404, wants_xlsx

from . import actions, exports, sheets
from .forms import (AcceptanceForm, ActionItemForm, AdjustmentForm, CompleteForm, ConsultationForm, EvaluationForm, MinutesForm,
                    PlanForm, PostForm)
from .items import my_items as gather_my_items
from .models import Consultation, Plan, Post
from .permissions import (can_close_action, can_edit_plan, can_manage_posts, can_read_office, can_run_consultation, default_office,
                          offices_for)


def _office(request):
    """The office asked for (?office=id) if the user may read it, else their default office."""
    user = request.user
    raw = request.GET.get("office") or request.POST.get("office_id")
    if raw:
        office = offices_for(user).filter(pk=raw).first() if str(raw).isdigit() else None
        if office is None:
            raise Http404(_("no such office"))
        return office
    office = default_office(user)
    if office is None:
        raise Http404(_("no office to show"))
    return office


# --- responsibility lists -----------------------------------------------------------


@login_required
def post_list(request):
    user = request.user
    office = _office(request)
    posts = visible(user, Post.objects.filter(office=office)).select_related("office__region").prefetch_related("holders", "projects")
    if wants_xlsx(request):
        return exports.posts(posts)
    return render(request, "rhythm/post_list.html", {
        "office": office, "offices": offices_for(user), "posts": posts, "can_manage": can_manage_posts(user, office)})


def _post_form_page(request, office, post=None):
    user = request.user
    require(can_manage_posts(user, office))
    status = 200
    if request.method == "POST":
        form = PostForm(request.POST, office=office)
        if form.is_valid():
            saved, status = run_action(form, request, lambda: actions.save_post(user, post, office=office, **form.cleaned_data),
                                       _("Post saved."))
            if saved:
                return redirect(f"{_url('post-list')}?office={office.pk}")
    else:
        initial = {"name": post.name, "duties": post.duties, "is_lead": post.is_lead,
                   "holders": list(post.holders.values_list("pk", flat=True)),
                   "projects": list(post.projects.values_list("pk", flat=True))} if post else {}
        form = PostForm(office=office, initial=initial)
    title = _("Edit post") if post else _("New post")
    return render(request, "rhythm/post_form.html", {"form": form, "office": office, "post": post, "title": title}, status=status)


def _url(name, *args):
    from django.urls import reverse

    return reverse(name, args=args)


@login_required
def post_create(request):
    return _post_form_page(request, _office(request))


@login_required
def post_edit(request, pk):
    post = scoped_or_404(request.user, Post.objects.select_related("office__region"), pk=pk)
    return _post_form_page(request, post.office, post)


@login_required
def my_items(request):
    seen, rows, counts = gather_my_items(request.user)
    return render(request, "rhythm/my_items.html", {
        "posts": [s.post for s in seen if not s.standing_in], "standing_in": [s.post for s in seen if s.standing_in],
        "items": rows, "counts": counts, "overdue": sum(1 for i, _p, _s in rows if i.overdue)})


# --- the weekly sheet ---------------------------------------------------------------


def _sheet_week(request):
    """(Monday, error text): a week that is not one, or lies outside the platform's range of
    days (year 1 or 9999, whose previous or next week does not exist), is shown as this
    week, saying so."""
    try:
        return check_day(sheets.parse_week(request.GET.get("week"))), ""
    except (ValueError, OverflowError):
        return sheets.parse_week(None), _("“%(v)s” is not a week; use the form 2026-W49") % {"v": request.GET.get("week")}


@login_required
def weekly_sheet(request):
    """The sheet closed: one row per region with its counts; a region's lines are fetched
    when it is opened (`weekly_sheet_group`). With a single region it opens at once."""
    user = request.user
    office = _office(request)
    week, week_error = _sheet_week(request)
    if wants_xlsx(request):
        return exports.weekly_sheet(sheets.compile_sheet(office, week, limit=None))
    sheet = sheets.compile_groups(office, week)
    single = None
    if len(sheet.groups) == 1:
        single = sheets.group_detail(office, week, sheet.groups[0].code, counts=sheet.groups[0].counts)
    today = timezone.localdate()
    return render(request, "rhythm/weekly_sheet.html", {
        "sheet": sheet, "office": office, "offices": offices_for(user), "week_error": week_error, "single": single,
        "prev_week": sheets.week_label(week - timezone.timedelta(days=7)),
        "next_week": sheets.week_label(week + timezone.timedelta(days=7)) if week + timezone.timedelta(days=7) <= today else "",
        "this_week": sheets.week_label(sheets.monday_of(today)),
    })


@login_required
def weekly_sheet_group(request):
    """One region of the sheet opened (htmx): each category's first page of lines; with
    ?cat= and ?page=, the next page of one category's lines."""
    office = _office(request)
    week, _error = _sheet_week(request)
    code = request.GET.get("group", "")
    if not sheets.valid_group(office, code):
        raise Http404(_("no such group"))
    context = {"office": office, "week": sheets.week_label(week), "group": code}
    key = request.GET.get("cat")
    if key is None:
        return render(request, "rhythm/_sheet_group.html", {**context, "detail": sheets.group_detail(office, week, code)})
    if key not in dict(sheets.CATEGORIES):
        raise Http404(_("no such category"))
    page = int(request.GET["page"]) if request.GET.get("page", "").isdigit() else 1
    lines, count = sheets.group_lines(office, week, code, key, page=max(page, 1))
    more = page * sheets.GROUP_PAGE < count
    return render(request, "rhythm/_sheet_lines.html", {**context, "key": key, "lines": lines, "next_page": page + 1 if more else None,
                                                        "count": count, "shown": min(page * sheets.GROUP_PAGE, count)})


# --- consultations ------------------------------------------------------------------


@login_required
def consultation_list(request):
    user = request.user
    offices = offices_for(user)
    qs = visible(user, Consultation.objects.select_related("office__region")).filter(office__in=offices)
    office = None
    if request.GET.get("office"):
        office = _office(request)
        qs = qs.filter(office=office)
    writable = [o for o in offices if can_run_consultation(user, o)]
    return render(request, "rhythm/consultation_list.html", {"page": paginate(request, qs), "offices": offices, "office": office,
                                                             "can_create": bool(writable)})


@login_required
def consultation_create(request):
    user = request.user
    writable = [o.pk for o in offices_for(user) if can_run_consultation(user, o)]
    require(bool(writable))
    offices = offices_for(user).filter(pk__in=writable)
    status = 200
    if request.method == "POST":
        form = ConsultationForm(request.POST, offices=offices)
        if form.is_valid():
            made, status = run_action(form, request, lambda: actions.create_consultation(user, **form.cleaned_data),
                                      _("Consultation scheduled."))
            if made:
                return redirect(made.get_absolute_url())
    else:
        today = timezone.localdate()
        mine = default_office(user)
        form = ConsultationForm(offices=offices, initial={"office": mine.pk if mine and mine.pk in writable else None,
                                                          "month": f"{today:%Y-%m}", "meeting_date": today})
    return render(request, "rhythm/consultation_form.html", {"form": form}, status=status)


@login_required
def consultation_detail(request, pk):
    user = request.user
    c = get_object_or_404(Consultation.objects.select_related("office__region"), pk=pk)
    # The deciding office's part of the tree sees the whole meeting; an office below it
    # that was given (or escalated) a decision sees only its own decisions, since the
    # agenda and minutes speak of places outside its scope.
    full = can_see(user, c) and can_read_office(user, c.office)
    own_items = visible(user, c.actions.all())
    if not full and not own_items.exists():
        raise Http404
    if wants_xlsx(request):
        require(full)
        return exports.consultation(c)
    may_run = full and can_run_consultation(user, c.office)
    posts = sheets.office_posts(c.office).order_by("office__region__code", "-is_lead", "name")
    forms = {"minutes": MinutesForm(initial={"minutes": c.minutes}), "action": ActionItemForm(posts=posts)}
    failed_item, status = None, 200
    if request.method == "POST":
        op = request.POST.get("op")
        if op == "compile":
            require(may_run)
            try:
                actions.compile_agenda(user, c)
                messages.success(request, _("Agenda compiled."))
            except ValidationError as exc:
                for texts in messages_of(exc).values():
                    for text in texts:
                        messages.error(request, text)
            return redirect(c.get_absolute_url())
        if op == "minutes":
            require(may_run)
            form = forms["minutes"] = MinutesForm(request.POST)
            if form.is_valid():
                done, status = run_action(form, request, lambda: actions.record_minutes(user, c, minutes=form.cleaned_data["minutes"]),
                                          _("Minutes recorded."))
                if done:
                    return redirect(c.get_absolute_url())
        elif op == "action":
            require(may_run)
            form = forms["action"] = ActionItemForm(request.POST, posts=posts)
            if form.is_valid():
                done, status = run_action(form, request, lambda: actions.add_action_item(user, c, **form.cleaned_data),
                                          _("Decision recorded."))
                if done:
                    return redirect(c.get_absolute_url())
        elif op == "complete":
            item = get_object_or_404(c.actions.all() if full else own_items, pk=request.POST.get("item"))
            require(can_close_action(user, item))
            form = forms["complete"] = CompleteForm(request.POST)
            failed_item = item.pk
            if form.is_valid():
                done, status = run_action(form, request, lambda: actions.complete_action_item(
                    user, item, done_on=form.cleaned_data["done_on"], note=form.cleaned_data["done_note"]), _("Item closed."))
                if done:
                    return redirect(c.get_absolute_url())
        else:
            raise PermissionDenied
    items = list((c.actions.all() if full else own_items).select_related("owner_post__office", "escalated_to__office"))
    for item in items:
        item.may_close = item.done_on is None and can_close_action(user, item)
    return render(request, "rhythm/consultation_detail.html", {
        "c": c, "full": full, "agenda": c.agenda.all() if full else [], "items": items, "may_run": may_run, "forms": forms,
        "complete_form": forms.get("complete") or CompleteForm(initial={"done_on": timezone.localdate()}),
        "failed_item": failed_item}, status=status)


# --- plans --------------------------------------------------------------------------


def _writable_pairings(user):
    if not scope_for(user).can_write:
        return Pairing.objects.none()
    ids = [p.pk for p in visible(user, Pairing.objects.select_related("east_region", "west_region")) if can_edit_plan(user, p)]
    return Pairing.objects.filter(pk__in=ids).select_related("east_region", "west_region").order_by("kind", "east_region__code")


@login_required
def plan_list(request):
    user = request.user
    qs = visible(user, Plan.objects.select_related("pairing__east_region", "pairing__west_region"))
    if wants_xlsx(request):
        return exports.plans(qs)
    return render(request, "rhythm/plan_list.html", {"page": paginate(request, qs), "can_create": scope_for(user).can_write})


@login_required
def plan_create(request):
    user = request.user
    require(scope_for(user).can_write)
    pairings = _writable_pairings(user)
    status = 200
    if request.method == "POST":
        form = PlanForm(request.POST, pairings=pairings)
        if form.is_valid():
            plan, status = run_action(form, request, lambda: actions.create_plan(user, **form.cleaned_data), _("Plan saved."))
            if plan:
                return redirect(plan.get_absolute_url())
    else:
        year = timezone.localdate().year
        form = PlanForm(pairings=pairings, initial={"start_year": year, "end_year": year + 4, "pairing": request.GET.get("pairing")})
    return render(request, "rhythm/plan_form.html", {"form": form}, status=status)


def _next_year_to_evaluate(plan, today):
    done = set(plan.evaluations.values_list("year", flat=True))
    return next((y for y in plan.years if y not in done and y <= today.year), None)


@login_required
def plan_detail(request, pk):
    user = request.user
    plan = scoped_or_404(user, Plan.objects.select_related("pairing__east_region", "pairing__west_region"), pk=pk)
    may_edit = can_edit_plan(user, plan.pairing)
    today = timezone.localdate()
    forms = {
        "evaluate": EvaluationForm(initial={"year": _next_year_to_evaluate(plan, today), "evaluated_on": today}),
        "adjust": AdjustmentForm(initial={"adjusted_on": today, "title": plan.title, "end_year": plan.end_year, "goals": plan.goals}),
        "accept": AcceptanceForm(initial={"accepted_on": today}),
    }
    status = 200
    if request.method == "POST":
        op = request.POST.get("op")
        form_class = {"evaluate": EvaluationForm, "adjust": AdjustmentForm, "accept": AcceptanceForm}.get(op)
        if form_class is None:
            raise PermissionDenied
        require(may_edit)
        form = forms[op] = form_class(request.POST)
        if form.is_valid():
            do = {"evaluate": lambda: actions.evaluate_plan(user, plan, **form.cleaned_data),
                  "adjust": lambda: actions.adjust_plan(user, plan, **form.cleaned_data),
                  "accept": lambda: actions.accept_plan(user, plan, **form.cleaned_data)}[op]
            done, status = run_action(form, request, do, _("Saved."))
            if done:
                return redirect(plan.get_absolute_url())
        forms["open"] = op
    return render(request, "rhythm/plan_detail.html", {
        "plan": plan, "evaluations": plan.evaluations.all(), "adjustment": getattr(plan, "adjustment", None),
        "acceptance": getattr(plan, "acceptance", None), "may_edit": may_edit and plan.status not in ("accepted", "rejected"),
        "forms": forms}, status=status)
