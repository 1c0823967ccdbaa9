"""Pages of pairings and of the pairs' yearly agreements."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xiezuo.core.scoping import can_approve_pairing, can_edit_agreement, can_manage_pairing, scope_for
from xiezuo.core.ui.diffs import changed, diff_rows
from xiezuo.core.ui.forms import filter_values
from xiezuo.core.ui.views import paginate, require, run_action, scoped_or_404, wants_xlsx
from xiezuo.orgs.models import Organisation

from . import exports, filtersets
from .actions import approve_pairing, create_pairing, end_pairing, reject_pairing, requests_for, save_agreement, update_pairing
from .choices import REGION_KINDS, Status
from .forms import (AgreementFilterForm, AgreementForm, PairingAdjustForm, PairingCreateForm, PairingDecisionForm, PairingEndForm,
                    PairingFilterForm)
from .models import Agreement, Pairing


def _level(pairing):
    return pairing.kind if pairing.kind in REGION_KINDS else "sector"


def may_manage(user, pairing) -> bool:
    return can_manage_pairing(user, pairing.east_region.code, pairing.west_region.code, _level(pairing))


def may_create_pairings(user) -> bool:
    scope = scope_for(user)
    return scope.active and scope.role in ("national", "office_admin")


@login_required
def pairing_list(request):
    form = PairingFilterForm(request.GET)
    qs = filtersets.pairings(request.user, **filter_values(form))
    if wants_xlsx(request):
        return exports.pairings(qs)
    return render(request, "pairings/list.html", {"form": form, "page": paginate(request, qs),
                                                  "awaiting": requests_for(request.user).count()})


@login_required
def pairing_detail(request, pk):
    user = request.user
    pairing = scoped_or_404(user, Pairing.objects.select_related("east_region", "west_region", "east_org", "west_org"), pk=pk)
    changes = [(c, diff_rows(user, Pairing, changed(c.before, c.after))) for c in pairing.changes.select_related("user")]
    return render(request, "pairings/detail.html", {
        "pairing": pairing,
        "changes": changes,
        "agreements": filtersets.agreements(user, pairing=pairing),
        "can_manage": may_manage(user, pairing),
        "can_add_agreement": pairing.is_approved and can_edit_agreement(user, pairing.east_region.code, pairing.west_region.code),
        "can_decide": pairing.is_request and can_approve_pairing(user, pairing.requested_in, pairing.requested_by_id),
        "decision_form": PairingDecisionForm(),
    })


@login_required
def pairing_requests(request):
    """待办: the requested overrides awaiting this user's decision, and those the user's own
    area has asked for (so the requesting office sees where its request stands)."""
    user = request.user
    scope = scope_for(user)
    mine = Pairing.objects.none()
    if scope.active and scope.own is not None:
        mine = (Pairing.objects.visible_to(user).filter(requested_in__startswith=scope.own)
                .exclude(status=Status.APPROVED, decided_by__isnull=True)
                .select_related("east_region", "west_region", "requested_by", "decided_by").order_by("-id"))
    return render(request, "pairings/requests.html", {
        "awaiting": requests_for(user), "mine": mine[:100],
    })


def _decide(request, pk, decide, done_message, rejecting):
    user = request.user
    pairing = scoped_or_404(user, Pairing.objects.select_related("east_region", "west_region"), pk=pk)
    require(pairing.is_request and can_approve_pairing(user, pairing.requested_in, pairing.requested_by_id))
    status = 200
    if request.method == "POST":
        form = PairingDecisionForm(request.POST)
        if form.is_valid():
            done, status = run_action(form, request, lambda: decide(user, pairing, reason=form.cleaned_data["reason"]), done_message)
            if done:
                return redirect(pairing.get_absolute_url())
    else:
        form = PairingDecisionForm()
    title = _("Reject the request") if rejecting else _("Approve the request")
    return render(request, "pairings/decide.html", {"form": form, "pairing": pairing, "title": title, "rejecting": rejecting},
                  status=status)


@login_required
def pairing_approve(request, pk):
    return _decide(request, pk, approve_pairing, _("Request approved: the pairing is in force."), False)


@login_required
def pairing_reject(request, pk):
    return _decide(request, pk, reject_pairing, _("Request rejected."), True)


@login_required
def pairing_create(request):
    user = request.user
    require(may_create_pairings(user))
    orgs = Organisation.objects.visible_to(user).select_related("region")
    status = 200
    if request.method == "POST":
        form = PairingCreateForm(request.POST, organisations=orgs)
        if form.is_valid():
            d = form.cleaned_data
            pairing, status = run_action(form, request, lambda: create_pairing(
                user, reason=d.get("reason") or "", override_reason=d.get("override_reason") or "", **form.action_values()),
                _("Pairing created."))
            if pairing:
                return redirect(pairing.get_absolute_url())
    else:
        form = PairingCreateForm(organisations=orgs, initial=request.GET.dict() or None)
    return render(request, "pairings/form.html", {"form": form, "title": _("New pairing")}, status=status)


@login_required
def pairing_adjust(request, pk):
    user = request.user
    pairing = scoped_or_404(user, Pairing.objects.select_related("east_region", "west_region"), pk=pk)
    require(may_manage(user, pairing))
    status = 200
    if request.method == "POST":
        form = PairingAdjustForm(request.POST, pairing=pairing)
        if form.is_valid():
            d = form.cleaned_data
            done, status = run_action(form, request, lambda: update_pairing(
                user, pairing, reason=d["reason"], override_reason=d.get("override_reason") or "", **form.action_values()),
                _("Pairing changed."))
            if done:
                return redirect(pairing.get_absolute_url())
    else:
        form = PairingAdjustForm(pairing=pairing)
    return render(request, "pairings/change.html", {"form": form, "pairing": pairing, "title": _("Adjust pairing")}, status=status)


@login_required
def pairing_end(request, pk):
    user = request.user
    pairing = scoped_or_404(user, Pairing.objects.select_related("east_region", "west_region"), pk=pk)
    require(may_manage(user, pairing))
    status = 200
    if request.method == "POST":
        form = PairingEndForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            done, status = run_action(form, request, lambda: end_pairing(user, pairing, valid_to=d["valid_to"], reason=d["reason"]),
                                _("Pairing ended."))
            if done:
                return redirect(pairing.get_absolute_url())
    else:
        form = PairingEndForm()
    return render(request, "pairings/change.html", {"form": form, "pairing": pairing, "title": _("End pairing"), "ending": True},
                  status=status)


# --- agreements -----------------------------------------------------------------------


def _may_edit(user, agreement) -> bool:
    return can_edit_agreement(user, agreement.pairing.east_region.code, agreement.pairing.west_region.code)


def _writable_pairings(user):
    """The pairings the user may write agreements for (both sides' office staff)."""
    if not scope_for(user).can_write:
        return Pairing.objects.none()
    return Pairing.objects.visible_to(user).approved().select_related("east_region", "west_region").order_by("kind", "east_region__code", "west_region__code")


@login_required
def agreement_list(request):
    user = request.user
    form = AgreementFilterForm(request.GET, years=filtersets.agreement_years(user))
    qs = filtersets.agreements(user, **filter_values(form))
    if wants_xlsx(request):
        return exports.agreements(qs)
    return render(request, "agreements/list.html", {"form": form, "page": paginate(request, qs),
                                                    "can_create": scope_for(user).can_write})


@login_required
def agreement_detail(request, pk):
    user = request.user
    agreement = scoped_or_404(user, Agreement.objects.select_related("pairing__east_region", "pairing__west_region"), pk=pk)
    return render(request, "agreements/detail.html", {"agreement": agreement, "can_edit": _may_edit(user, agreement)})


@login_required
def agreement_create(request):
    user = request.user
    require(scope_for(user).can_write)
    pairings = _writable_pairings(user)
    status = 200
    if request.method == "POST":
        form = AgreementForm(request.POST, pairings=pairings)
        if form.is_valid():
            agreement, status = run_action(
                form, request, lambda: save_agreement(user, pairing=form.cleaned_data["pairing"], **form.action_values()),
                _("Agreement saved."), AgreementForm.RENAME)
            if agreement:
                return redirect(agreement.get_absolute_url())
    else:
        initial = {"pairing": request.GET.get("pairing")} if request.GET.get("pairing") else {}
        form = AgreementForm(pairings=pairings, initial=initial)
    return render(request, "agreements/form.html", {"form": form, "title": _("New agreement")}, status=status)


def _warn_due_date_moved(request, agreement, due_before) -> None:
    """An amended due date applies to the allocations already booked under the agreement
    (the assessment reads the agreement's date in force): say so, with how many."""
    if agreement.funds_due_date == due_before:
        return
    booked = agreement.postings.filter(kind="allocation", reversal__isnull=True)
    count = booked.count()
    if not count:
        return
    messages.warning(request, _(
        "The funds due date moved from %(old)s to %(new)s. The %(n)s allocation(s) already booked under this agreement "
        "are now due by %(new)s too: the timeliness of funds and the agreement's rigidity count against the new date. "
        "Quarters already closed keep their figures and show the change as a pending restatement.") % {
        "old": due_before.isoformat() if due_before else _("the end of the year"),
        "new": agreement.funds_due_date.isoformat() if agreement.funds_due_date else _("the end of the year"), "n": count})


@login_required
def agreement_edit(request, pk):
    user = request.user
    agreement = scoped_or_404(user, Agreement.objects.select_related("pairing__east_region", "pairing__west_region"), pk=pk)
    require(_may_edit(user, agreement))
    pairings = Pairing.objects.filter(pk=agreement.pairing_id)
    status = 200
    if request.method == "POST":
        due_before = agreement.funds_due_date  # as it stood before this edit
        form = AgreementForm(request.POST, pairings=pairings, instance=agreement)
        if form.is_valid():
            done, status = run_action(form, request, lambda: save_agreement(user, agreement, **form.action_values()),
                                      _("Agreement saved."), AgreementForm.RENAME)
            if done:
                _warn_due_date_moved(request, done, due_before)
                return redirect(agreement.get_absolute_url())
    else:
        form = AgreementForm(pairings=pairings, instance=agreement)
    return render(request, "agreements/form.html", {"form": form, "agreement": agreement, "title": _("Edit agreement")}, status=status)
