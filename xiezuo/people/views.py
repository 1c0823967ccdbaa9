"""People pages: dispatched cadres and professionals (挂职干部、专业技术人才), the list with
its filters and Excel export, one record, the form in front of people.actions.save_dispatch,
and the stability figure for the user's part of the tree. ID numbers are shown masked."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy as _l

from xiezuo.core.scoping import scope_for, visible
from xiezuo.core.ui.forms import filter_values
from xiezuo.core.ui.views import (background_export, export_or_job, paginate, require, roundtrip, roundtrip_links, run_action,
                                  scoped_or_404, wants_xlsx)
from xiezuo.orgs.models import Organisation
from xiezuo.projects.filtersets import visible_pairings

from .actions import may_write_dispatch, on_post, save_dispatch
from .exports import export_dispatches
from .filtersets import dispatches, is_on_post, stability_of
from .forms import DispatchFilterForm, DispatchForm
from .models import Dispatch
from .privacy import mask_id_number


def _organisations(user):
    return visible(user, Organisation.objects.select_related("region")).filter(region__role__in=("east", "west")).order_by(
        "region__role", "region__code", "name")


def _dispatch(user, pk):
    return scoped_or_404(user, Dispatch.objects.select_related("from_org__region", "to_org__region", "pairing__east_region",
                                                               "pairing__west_region"), pk=pk)


@login_required
@background_export(_l("dispatched people"))
def dispatch_list(request):
    user = request.user
    form = DispatchFilterForm(request.GET, organisations=_organisations(user))
    qs = dispatches(user, **filter_values(form))
    if wants_xlsx(request):
        return export_or_job(request, qs, export_dispatches)
    from .importers import DispatchImporter

    kinds = {"dispatches": lambda: (DispatchImporter(), qs)}
    response = roundtrip(request, kinds)
    if response is not None:
        return response
    today = timezone.localdate()
    page = paginate(request, qs)
    rows = [(d, mask_id_number(d.id_number), is_on_post(d, today)) for d in page]
    return render(request, "people/list.html", {
        "form": form, "page": page, "rows": rows, "stability": stability_of(user, today),
        "on_post_count": on_post(visible(user, Dispatch.objects.all()), today).count(),
        "can_create": scope_for(user).can_write, "roundtrip_links": roundtrip_links(kinds),
    })


@login_required
def dispatch_detail(request, pk):
    user = request.user
    d = _dispatch(user, pk)
    today = timezone.localdate()
    return render(request, "people/detail.html", {
        "d": d, "id_masked": mask_id_number(d.id_number), "on_post": is_on_post(d, today),
        "can_edit": may_write_dispatch(user, d),
        "planned_days": (d.planned_end - d.planned_start).days,
        "served_days": ((d.actual_end or today) - d.actual_start).days if d.actual_start else None,
    })


@login_required
def dispatch_create(request):
    user = request.user
    require(scope_for(user).can_write)
    orgs, pairings = _organisations(user), visible_pairings(user)
    status = 200
    if request.method == "POST":
        form = DispatchForm(request.POST, organisations=orgs, pairings=pairings)
        if form.is_valid():
            d, status = run_action(form, request, lambda: save_dispatch(user, None, **form.action_values()),
                                   _("Dispatch record saved."))
            if d:
                return redirect("dispatch-detail", d.pk)
    else:
        form = DispatchForm(organisations=orgs, pairings=pairings)
    return render(request, "people/form.html", {"form": form, "title": _("New dispatch record")}, status=status)


@login_required
def dispatch_edit(request, pk):
    user = request.user
    dispatch = _dispatch(user, pk)
    require(may_write_dispatch(user, dispatch))
    orgs, pairings = _organisations(user), visible_pairings(user)
    status = 200
    if request.method == "POST":
        form = DispatchForm(request.POST, organisations=orgs, pairings=pairings, instance=dispatch)
        if form.is_valid():
            done, status = run_action(form, request, lambda: save_dispatch(user, dispatch, **form.action_values()),
                                      _("Dispatch record saved."))
            if done:
                return redirect("dispatch-detail", dispatch.pk)
    else:
        form = DispatchForm(organisations=orgs, pairings=pairings, instance=dispatch)
    return render(request, "people/form.html", {"form": form, "d": dispatch, "title": _("Edit dispatch record")}, status=status)
