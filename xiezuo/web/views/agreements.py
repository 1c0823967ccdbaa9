from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xiezuo.core.scoping import can_edit_agreement, scope_for, visible
from xiezuo.pairings.actions import save_agreement
from xiezuo.pairings.models import Agreement, Pairing

from .. import exports, filters
from ..forms import AgreementFilterForm, AgreementForm, filter_values
from xiezuo.core.ui.views import paginate, require, run_action, scoped_or_404, wants_xlsx


def _may_edit(user, agreement) -> bool:
    return can_edit_agreement(user, agreement.pairing.east_region.code, agreement.pairing.west_region.code)


def _writable_pairings(user):
    """The pairings the user may write agreements for (both sides' office staff)."""
    if not scope_for(user).can_write:
        return Pairing.objects.none()
    return visible(user, Pairing.objects.select_related("east_region", "west_region")).order_by("kind", "east_region__code", "west_region__code")


@login_required
def agreement_list(request):
    user = request.user
    form = AgreementFilterForm(request.GET, years=filters.agreement_years(user))
    qs = filters.agreements(user, **filter_values(form))
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


@login_required
def agreement_edit(request, pk):
    user = request.user
    agreement = scoped_or_404(user, Agreement.objects.select_related("pairing__east_region", "pairing__west_region"), pk=pk)
    require(_may_edit(user, agreement))
    pairings = Pairing.objects.filter(pk=agreement.pairing_id)
    status = 200
    if request.method == "POST":
        form = AgreementForm(request.POST, pairings=pairings, instance=agreement)
        if form.is_valid():
            done, status = run_action(form, request, lambda: save_agreement(user, agreement, **form.action_values()),
                                      _("Agreement saved."), AgreementForm.RENAME)
            if done:
                return redirect(agreement.get_absolute_url())
    else:
        form = AgreementForm(pairings=pairings, instance=agreement)
    return render(request, "agreements/form.html", {"form": form, "agreement": agreement, "title": _("Edit agreement")}, status=status)
