from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xiezuo.core.scoping import can_edit_in_region, scope_for
from xiezuo.core.ui.forms import filter_values
from xiezuo.core.ui.parts import parts
from xiezuo.core.ui.views import paginate, require, run_action, scoped_or_404, wants_xlsx

from . import exports, filtersets
from .actions import save_organisation
from .choices import OrgKind
from .forms import OrganisationFilterForm, OrganisationForm, org_label
from .models import Organisation


@login_required
def org_list(request):
    form = OrganisationFilterForm(request.GET)
    qs = filtersets.organisations(request.user, **filter_values(form))
    if wants_xlsx(request):
        return exports.organisations(qs)
    return render(request, "orgs/list.html", {"form": form, "page": paginate(request, qs),
                                              "can_create": scope_for(request.user).can_write})


SEARCH_LIMIT = 20


@login_required
def org_search(request):
    """The organisation pickers' suggestions (JSON): organisations the user may see whose
    name holds what was typed, or whose credit code or region starts with it; `kind` (one
    or several, comma-separated) and `role` (east, west) narrow them as the form does."""
    q = (request.GET.get("q") or "").strip()[:50]
    results = []
    if q:
        qs = filtersets.organisations(request.user, q=q)
        kinds = [k for k in (request.GET.get("kind") or "").split(",") if k in OrgKind.values]
        if kinds:
            qs = qs.filter(kind__in=kinds)
        if request.GET.get("role") in ("east", "west"):
            qs = qs.filter(region__role=request.GET["role"])
        kind_labels = dict(OrgKind.choices)
        results = [{"value": org_label(o), "text": o.name, "hint": f"{o.region.full_name or o.region.name} · {kind_labels.get(o.kind, o.kind)}"}
                   for o in qs.order_by("name", "id")[:SEARCH_LIMIT]]
    return JsonResponse({"results": results})


@login_required
def org_detail(request, pk):
    user = request.user
    org = scoped_or_404(user, Organisation.objects.select_related("region"), pk=pk)
    return render(request, "orgs/detail.html", {"org": org, "can_edit": can_edit_in_region(user, org.region.code),
                                                **parts("org-detail", user, org)})  # pairings


@login_required
def org_create(request):
    user = request.user
    require(scope_for(user).can_write)
    status = 200
    if request.method == "POST":
        form = OrganisationForm(request.POST)
        if form.is_valid():
            org, status = run_action(form, request, lambda: save_organisation(user, **form.action_values()), _("Organisation saved."))
            if org:
                return redirect(org.get_absolute_url())
    else:
        form = OrganisationForm(initial={"region": request.GET["region"]} if request.GET.get("region") else None)
    return render(request, "orgs/form.html", {"form": form, "title": _("New organisation")}, status=status)


@login_required
def org_edit(request, pk):
    user = request.user
    org = scoped_or_404(user, Organisation.objects.select_related("region"), pk=pk)
    require(can_edit_in_region(user, org.region.code))
    status = 200
    if request.method == "POST":
        form = OrganisationForm(request.POST, instance=org)
        if form.is_valid():
            done, status = run_action(form, request, lambda: save_organisation(user, org, **form.action_values()),
                                      _("Organisation saved."))
            if done:
                return redirect(org.get_absolute_url())
    else:
        form = OrganisationForm(instance=org)
    return render(request, "orgs/form.html", {"form": form, "org": org, "title": _("Edit organisation")}, status=status)
