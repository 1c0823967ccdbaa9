from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xiezuo.core.scoping import can_edit_agreement, can_manage_pairing, scope_for, visible
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.actions import create_pairing, end_pairing, update_pairing
from xiezuo.pairings.choices import REGION_KINDS
from xiezuo.pairings.models import Pairing

from .. import exports, filters
from ..diffs import changed, diff_rows
from ..forms import PairingAdjustForm, PairingCreateForm, PairingEndForm, PairingFilterForm, filter_values
from xiezuo.core.ui.views import paginate, require, run_action, scoped_or_404, wants_xlsx


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
    qs = filters.pairings(request.user, **filter_values(form))
    if wants_xlsx(request):
        return exports.pairings(qs)
    return render(request, "pairings/list.html", {"form": form, "page": paginate(request, qs)})


@login_required
def pairing_detail(request, pk):
    user = request.user
    pairing = scoped_or_404(user, Pairing.objects.select_related("east_region", "west_region", "east_org", "west_org"), pk=pk)
    changes = [(c, diff_rows(user, Pairing, changed(c.before, c.after))) for c in pairing.changes.select_related("user")]
    return render(request, "pairings/detail.html", {
        "pairing": pairing,
        "changes": changes,
        "agreements": filters.agreements(user, pairing=pairing),
        "can_manage": may_manage(user, pairing),
        "can_add_agreement": can_edit_agreement(user, pairing.east_region.code, pairing.west_region.code),
    })


@login_required
def pairing_create(request):
    user = request.user
    require(may_create_pairings(user))
    orgs = visible(user, Organisation.objects.select_related("region"))
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
