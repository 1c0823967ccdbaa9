"""Pages of 劳务协作: workers (masked unless revealed with a purpose, every reveal logged),
duplicates and their merge, jobs, matching both ways, referrals, order-based trainings,
placements with their retention checks and subsidies, and the retention check list."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy as _l
from django.views.decorators.http import require_POST

from xiezuo.core.personal.access import log_reveal, may_reveal, purpose_error, reveal
from xiezuo.core.scoping import scope_for, visible
from xiezuo.core.ui.forms import add_action_errors, filter_values
from xiezuo.core.ui.views import (Counted, background_export, export_or_job, paginate, require, roundtrip, roundtrip_links, run_action,
                                  scoped_or_404, wants_xlsx)
from xiezuo.orgs.models import Organisation
from xiezuo.projects.models import Project
from xiezuo.regions.models import Region

from . import actions, filtersets, forms, rules, totals
from .exports import export_checks, export_jobs, export_payments, export_placements, export_trainings, export_workers
from .matching import jobs_for, workers_for
from .models import Job, Placement, Referral, SubsidyPayment, Worker


def _counties(user):
    scope = scope_for(user)
    qs = Region.objects.filter(level="county", role="west")
    if scope.everything:
        return qs.order_by("code")
    if scope.own is None:
        return qs.none()
    return qs.filter(code__startswith=scope.own).order_by("code")


def _organisations(user):
    return Organisation.objects.select_related("region").order_by("name")


def _messages_error(request, exc):
    from django.contrib import messages

    from xiezuo.core.errors import messages_of

    if isinstance(exc, ValidationError):
        for texts in messages_of(exc).values():
            for t in texts:
                messages.error(request, t)
    else:
        messages.error(request, str(exc) or _("you may not do this"))


# --- workers ------------------------------------------------------------------------


def _revealed_export(request, qs):
    """The export with full ID numbers and phones: only when the user may see every row's
    full data, with a purpose, logged once for the export (how many rows, which ids)."""
    purpose = request.GET.get("purpose", "")
    error = purpose_error(purpose)
    if error:
        raise PermissionDenied(error)
    codes = set(qs.values_list("county__code", flat=True).distinct()[:1000])
    if not codes or not all(may_reveal(request.user, c) for c in codes):
        raise PermissionDenied(_("Your role may not see this person's full personal data."))
    log_reveal(request.user, object_type="labour.worker", object_ids=list(qs.values_list("pk", flat=True)[:50]),
               fields=["id_number", "phone"], purpose=purpose, region_code=min(codes), via="export")
    from xiezuo.core.excel import export_response  # noqa: F401  (the export below builds it)

    response = export_workers(qs.defer(None), revealed=True)
    return response


@login_required
@background_export(_l("workers"))
def worker_list(request):
    user = request.user
    form = forms.WorkerFilterForm(request.GET)
    qs = filtersets.workers(user, **filter_values(form))
    if wants_xlsx(request):
        if request.GET.get("reveal"):
            return _revealed_export(request, qs)
        return export_or_job(request, qs, export_workers)
    kinds = {}  # no round trip: an export shows ID numbers masked, a file registers with full ones
    response = roundtrip(request, kinds)
    if response is not None:
        return response
    page = paginate(request, qs)
    # the link to the duplicates, without their number: counting them groups every live
    # registration by its keyed hash (seconds at a million workers), so the duplicates page does it
    return render(request, "labour/worker_list.html", {
        "form": form, "page": page, "can_create": _counties(user).exists() and scope_for(user).can_write,
        "roundtrip_links": roundtrip_links(kinds), "duplicates": scope_for(user).can_write,
        "may_reveal_export": scope_for(user).can_write and scope_for(user).own is not None,
    })


def _worker(user, pk):
    return scoped_or_404(user, Worker.objects.select_related("county", "merged_into"), pk=pk)


@login_required
def worker_detail(request, pk):
    user = request.user
    w = _worker(user, pk)
    shown, reveal_form = None, forms.RevealForm()
    status = 200
    if request.method == "POST":
        reveal_form = forms.RevealForm(request.POST)
        if reveal_form.is_valid():
            try:
                shown = reveal(user, w, ["id_number", "phone"], purpose=reveal_form.cleaned_data["purpose"], via="page")
            except PermissionDenied as exc:
                reveal_form.add_error(None, str(exc))
                status = 403
    editable = rules.may_keep_worker(user, w.county.code) and not w.merged_into_id
    placements = filtersets.placements(user, worker=w)
    return render(request, "labour/worker_detail.html", {
        "w": w, "shown": shown, "reveal_form": reveal_form, "may_reveal": may_reveal(user, w.county.code),
        "editable": editable, "matches": jobs_for(w, limit=10) if not w.merged_into_id else [],
        "referrals": Referral.objects.filter(worker=w).select_related("job__employer", "job__place"),
        "placements": placements, "placement_form": forms.PlacementForm(organisations=_organisations(user)) if editable else None,
        "outcome_form": forms.OutcomeForm(),
    }, status=status)


@login_required
def worker_create(request):
    user = request.user
    counties = _counties(user)
    require(scope_for(user).can_write and counties.exists())
    status = 200
    if request.method == "POST":
        form = forms.WorkerForm(request.POST, counties=counties)
        if form.is_valid():
            values = dict(form.cleaned_data)
            w, status = run_action(form, request, lambda: actions.register_worker(user, **values), _("Worker registered."))
            if w:
                return redirect("labour-worker-detail", w.pk)
    else:
        form = forms.WorkerForm(counties=counties)
    return render(request, "labour/form.html", {"form": form, "title": _("Register a worker")}, status=status)


@login_required
def worker_duplicates(request):
    user = request.user
    require(scope_for(user).can_write)
    if request.method == "POST":
        form = forms.MergeForm(request.POST)
        if form.is_valid():
            keep = get_object_or_404(Worker, pk=form.cleaned_data["keep"])
            drop = _worker(user, form.cleaned_data["drop"])
            try:
                actions.merge_workers(user, keep=keep, drop=drop, reason=form.cleaned_data["reason"])
                from django.contrib import messages

                messages.success(request, _("Registrations merged."))
            except (ValidationError, PermissionDenied) as exc:
                _messages_error(request, exc)
        return redirect("labour-worker-duplicates")
    return render(request, "labour/duplicates.html", {"groups": actions.duplicates(user)})


@login_required
@require_POST
def worker_refer(request, pk):
    user = request.user
    w = _worker(user, pk)
    job = get_object_or_404(Job.objects.visible_to(user), pk=request.POST.get("job"))
    try:
        match = next((m for m in jobs_for(w, queryset=Job.objects.filter(pk=job.pk))), None)
        actions.refer(user, w, job, reason=match.reason if match else "")
        from django.contrib import messages

        messages.success(request, _("Referral recorded."))
    except (ValidationError, PermissionDenied) as exc:
        _messages_error(request, exc)
    return redirect("labour-worker-detail", w.pk)


@login_required
@require_POST
def referral_outcome(request, pk):
    user = request.user
    referral = get_object_or_404(visible(user, Referral.objects.select_related("worker")), pk=pk)
    form = forms.OutcomeForm(request.POST)
    if form.is_valid():
        try:
            actions.record_outcome(user, referral, form.cleaned_data["outcome"])
        except (ValidationError, PermissionDenied) as exc:
            _messages_error(request, exc)
    return redirect("labour-worker-detail", referral.worker_id)


# --- jobs -------------------------------------------------------------------------------


@login_required
@background_export(_l("jobs"))
def job_list(request):
    user = request.user
    data = request.GET if request.GET else {"status": "open"}
    form = forms.JobFilterForm(data)
    qs = filtersets.jobs(user, **filter_values(form))
    if wants_xlsx(request):
        return export_or_job(request, qs, export_jobs)
    kinds = {}  # no round trip: an export shows ID numbers masked, a file registers with full ones
    response = roundtrip(request, kinds)
    if response is not None:
        return response
    return render(request, "labour/job_list.html", {"form": form, "page": paginate(request, qs),
                                                    "can_create": scope_for(user).can_write, "roundtrip_links": roundtrip_links(kinds)})


@login_required
def job_detail(request, pk):
    user = request.user
    job = get_object_or_404(Job.objects.visible_to(user).select_related("employer__region", "place"), pk=pk)
    return render(request, "labour/job_detail.html", {
        "job": job, "matches": workers_for(job, Worker.objects.visible_to(user), limit=20),
        "can_refer": scope_for(user).can_write,
    })


@login_required
def job_create(request):
    user = request.user
    require(scope_for(user).can_write)
    orgs = _organisations(user)
    status = 200
    if request.method == "POST":
        form = forms.JobForm(request.POST, organisations=orgs)
        if form.is_valid():
            values = dict(form.cleaned_data)
            job, status = run_action(form, request, lambda: actions.save_job(user, **values), _("Job posted."))
            if job:
                return redirect("labour-job-detail", job.pk)
    else:
        form = forms.JobForm(organisations=orgs)
    return render(request, "labour/form.html", {"form": form, "title": _("Post a job")}, status=status)


# --- trainings ------------------------------------------------------------------------


@login_required
@background_export(_l("trainings"))
def training_list(request):
    user = request.user
    form = forms.WorkerFilterForm(request.GET)
    qs = filtersets.trainings(user, **filter_values(form))
    if wants_xlsx(request):
        return export_or_job(request, qs, export_trainings)
    return render(request, "labour/training_list.html", {"page": paginate(request, qs), "form": form,
                                                         "can_create": scope_for(user).can_write})


@login_required
def training_create(request):
    user = request.user
    require(scope_for(user).can_write)
    counties, orgs = Region.objects.filter(level="county", role="west").order_by("code"), _organisations(user)
    status = 200
    if request.method == "POST":
        form = forms.TrainingForm(request.POST, counties=counties, organisations=orgs)
        if form.is_valid():
            values = dict(form.cleaned_data)
            t, status = run_action(form, request, lambda: actions.save_training(user, **values), _("Training recorded."))
            if t:
                return redirect("labour-training-list")
    else:
        form = forms.TrainingForm(counties=_counties(user), organisations=orgs)
    return render(request, "labour/form.html", {"form": form, "title": _("New order-based training")}, status=status)


# --- placements, checks, subsidies ------------------------------------------------------------


@login_required
@background_export(_l("placements"))
def placement_list(request):
    user = request.user
    form = forms.PlacementFilterForm(request.GET)
    filters = filter_values(form)
    qs = filtersets.placements(user, **filters)
    if wants_xlsx(request):
        return export_or_job(request, qs, export_placements)
    kinds = {}  # no round trip: an export shows ID numbers masked, a file registers with full ones
    response = roundtrip(request, kinds)
    if response is not None:
        return response
    # unfiltered, or by year alone, the list's length is the summary's
    if not any(v for k, v in filters.items() if k != "year"):
        qs = Counted(qs, totals.placements_seen(user, filters.get("year")))
    return render(request, "labour/placement_list.html", {"form": form, "page": paginate(request, qs),
                                                          "roundtrip_links": roundtrip_links(kinds)})


@login_required
def placement_create(request, worker_pk):
    user = request.user
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    w = _worker(user, worker_pk)
    require(rules.may_keep_worker(user, w.county.code))
    form = forms.PlacementForm(request.POST, organisations=_organisations(user))
    if form.is_valid():
        values = dict(form.cleaned_data)
        job_pk = values.pop("job")
        values["job"] = Job.objects.filter(pk=job_pk).first() if job_pk else None
        p, status = run_action(form, request, lambda: actions.record_placement(user, worker=w, **values), _("Placement recorded."))
        if p:
            return redirect("labour-placement-detail", p.pk)
    for field, errs in form.errors.items():
        for e in errs:
            _messages_error(request, ValidationError({field: [e]}))
    return redirect("labour-worker-detail", w.pk)


def _placement(user, pk):
    return scoped_or_404(user, Placement.objects.select_related("worker", "county", "place", "employer", "job"), pk=pk)


@login_required
def placement_detail(request, pk):
    user = request.user
    p = _placement(user, pk)
    may_check = rules.may_write_check(user, p.county.code, p.place.code)
    may_pay = rules.may_keep_worker(user, p.county.code)
    projects = Project.objects.filter(county=p.county, category="labour").order_by("name")
    return render(request, "labour/placement_detail.html", {
        "p": p, "checks": p.checks.all(), "payments": SubsidyPayment.objects.filter(placement=p),
        "due": [(m, p.due_on(m), next((c for c in p.checks.all() if c.milestone == m), None)) for m in (3, 6, 12)], "months_kept": actions.months_kept(p),
        "check_form": forms.CheckForm(initial={"checked_on": timezone.localdate()}) if may_check else None,
        "pay_form": forms.PayForm(projects=projects) if may_pay else None,
    })


@login_required
@require_POST
def check_create(request, pk):
    user = request.user
    p = _placement(user, pk)
    form = forms.CheckForm(request.POST)
    if form.is_valid():
        try:
            actions.record_check(user, placement=p, **form.cleaned_data)
            from django.contrib import messages

            messages.success(request, _("Retention check recorded."))
        except (ValidationError, PermissionDenied) as exc:
            _messages_error(request, exc)
    else:
        _messages_error(request, ValidationError(form.errors))
    return redirect("labour-placement-detail", p.pk)


@login_required
@require_POST
def subsidy_pay(request, pk):
    user = request.user
    p = _placement(user, pk)
    form = forms.PayForm(request.POST, projects=Project.objects.filter(county=p.county, category="labour"))
    if form.is_valid():
        claimed = form.cleaned_data["claimed_fen"] or None
        try:
            actions.pay_subsidy(user, placement=p, kind=form.cleaned_data["kind"], project=form.cleaned_data["project"],
                                claimed_fen=claimed)
            from django.contrib import messages

            messages.success(request, _("Subsidy paid through the ledger."))
        except (ValidationError, PermissionDenied) as exc:
            _messages_error(request, exc)
    else:
        _messages_error(request, ValidationError(form.errors))
    return redirect("labour-placement-detail", p.pk)


@login_required
@background_export(_l("retention checks"))
def check_list(request):
    user = request.user
    form = forms.CheckFilterForm(request.GET)
    filters = filter_values(form)
    qs = filtersets.checks(user, **filters)
    if wants_xlsx(request):
        return export_or_job(request, qs, export_checks)
    kinds = {}  # no round trip: an export shows ID numbers masked, a file registers with full ones
    response = roundtrip(request, kinds)
    if response is not None:
        return response
    if not filters.get("region"):  # by milestone and outcome, or none: the list's length is the summary's
        employed = {"yes": True, "no": False}.get(filters.get("employed"))
        qs = Counted(qs, totals.checks_seen(user, int(filters["milestone"]) if filters.get("milestone") else None, employed))
    return render(request, "labour/check_list.html", {"form": form, "page": paginate(request, qs),
                                                      "roundtrip_links": roundtrip_links(kinds)})


@login_required
@background_export(_l("subsidy payments"))
def payment_list(request):
    """Subsidies paid, scoped like the placements they were paid for, the worker masked."""
    user = request.user
    form = forms.PaymentFilterForm(request.GET)
    qs = filtersets.payments(user, **filter_values(form))
    if wants_xlsx(request):
        return export_or_job(request, qs, export_payments)
    return render(request, "labour/payment_list.html", {"form": form, "page": paginate(request, qs)})
