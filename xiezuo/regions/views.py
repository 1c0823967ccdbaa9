from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiezuo.core.scoping import can_edit_in_region, can_set_key_assistance, scope_for
from xiezuo.core.ui.forms import add_action_errors, filter_values
from xiezuo.core.ui.parts import parts
from xiezuo.core.ui.views import paginate, require, scoped_or_404, wants_xlsx

from . import exports, filtersets
from .actions import save_region_fact, set_key_assistance
from .forms import KeyAssistanceForm, RegionFactForm, RegionFilterForm
from .choices import Level
from .models import Region


@login_required
def region_list(request):
    form = RegionFilterForm(request.GET)
    values = filter_values(form)
    searching = bool(values)
    if wants_xlsx(request):
        return exports.regions(filtersets.regions(request.user, **values))
    context = {"form": form, "searching": searching}
    if searching:
        context["page"] = paginate(request, filtersets.regions(request.user, **values))
    else:
        context["nodes"] = filtersets.region_roots(request.user)
    return render(request, "regions/list.html", context)


@login_required
def region_children(request, code):
    """The children of one node of the tree (an htmx partial; also a plain page)."""
    region = scoped_or_404(request.user, Region.objects.all(), code=code)
    nodes = filtersets.region_children(request.user, region)
    template = "regions/_nodes.html" if request.htmx else "regions/children.html"
    return render(request, template, {"region": region, "nodes": nodes})


@login_required
def region_suggest(request):
    """<option>s for a region code field's datalist (htmx)."""
    field = request.GET.get("field", "q")
    regions = filtersets.suggest_regions(request.user, request.GET.get(field, ""), request.GET.get("role", ""))
    return render(request, "regions/_suggest.html", {"regions": regions})


SEARCH_LIMIT = 20


@login_required
def region_search(request):
    """The region pickers' suggestions (JSON): regions the user may see — their subtree and
    the regions paired with it — whose code starts with, or whose name or full name holds,
    what was typed; `role` and `level` narrow them as the field does. A region outside the
    user's scope is never offered, whatever is typed."""
    q = (request.GET.get("q") or "").strip()[:50]
    results = []
    if q:
        qs = Region.objects.visible_to(request.user).select_related("parent")
        qs = qs.filter(code__startswith=q) if q.isdigit() else qs.filter(Q(name__icontains=q) | Q(full_name__icontains=q))
        if request.GET.get("role") in ("east", "west"):
            qs = qs.filter(role=request.GET["role"])
        if request.GET.get("level") in Level.values:
            qs = qs.filter(level=request.GET["level"])
        results = [{"value": f"{r.name}（{r.code}）", "text": r.name, "hint": f"{r.full_name or r.name} · {r.code}"}
                   for r in qs.order_by("level", "code")[:SEARCH_LIMIT]]
    return JsonResponse({"results": results})


def _breadcrumbs(user, region):
    scope = scope_for(user)
    return [(a, scope.sees_region(a.code)) for a in region.ancestors()]


def _fact_form_initial(region, year):
    fact = region.facts.filter(year=year).first() if year else None
    if fact is None:
        return {"year": year} if year else {}
    return {name: getattr(fact, name) for name in ("year",) + RegionFactForm.FACT_FIELDS}


SHOWN_ON_REGION_PAGE = 20


@login_required
def region_detail(request, code):
    user = request.user
    region = scoped_or_404(user, Region.objects.select_related("parent"), code=code)
    can_edit = can_edit_in_region(user, region.code)
    latest = region.facts.order_by("-year").first()
    context = {
        "region": region,
        "breadcrumbs": _breadcrumbs(user, region),
        "facts": region.facts.order_by("-year"),
        "can_edit_facts": can_edit,
        "fact_form": RegionFactForm(initial={"year": (latest.year + 1) if latest else None}) if can_edit else None,
        "can_set_key": can_set_key_assistance(user) and region.level == "county" and region.role == "west",
        "children": filtersets.region_children(user, region),
        **parts("region-detail", user, region),  # pairings, organisations
        # a province's subtree holds hundreds of both: the page shows the first ones and links
        # to the list filtered by the region
        "SHOWN": SHOWN_ON_REGION_PAGE, "SHOWN_SLICE": f":{SHOWN_ON_REGION_PAGE}",
    }
    return render(request, "regions/detail.html", context)


@login_required
def region_facts(request, code):
    """The yearly facts form: GET ?year= prefills, POST saves through save_region_fact."""
    user = request.user
    region = scoped_or_404(user, Region.objects.all(), code=code)
    require(can_edit_in_region(user, region.code))
    status = 200
    if request.method == "POST":
        form = RegionFactForm(request.POST)
        if form.is_valid():
            try:
                save_region_fact(user, region, form.cleaned_data["year"], **form.fact_values())
            except ValidationError as exc:
                add_action_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or _("you may not change this"))
                status = 403
            else:
                messages.success(request, _("Facts for %(year)s saved.") % {"year": form.cleaned_data["year"]})
                return redirect(region.get_absolute_url() + "#facts")
    else:
        try:
            year = int(request.GET.get("year", ""))
        except ValueError:
            year = None
        form = RegionFactForm(initial=_fact_form_initial(region, year))
    return render(request, "regions/fact_form.html", {"region": region, "form": form}, status=status)


@login_required
@require_POST
def region_key_assistance(request, code):
    user = request.user
    region = scoped_or_404(user, Region.objects.all(), code=code)
    require(can_set_key_assistance(user))
    form = KeyAssistanceForm(request.POST)
    form.is_valid()
    try:
        set_key_assistance(user, region, bool(form.cleaned_data.get("flag")))
    except ValidationError as exc:
        for texts in exc.message_dict.values():
            for text in texts:
                messages.error(request, text)
    else:
        if region.key_assistance:
            messages.success(request, _("%(region)s is now a national key assistance county.") % {"region": region.name})
        else:
            messages.success(request, _("%(region)s is no longer a national key assistance county.") % {"region": region.name})
    return redirect(region.get_absolute_url())
