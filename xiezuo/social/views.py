"""Pages of social help: the needs list (the offices' scoped list, and the published list every
social organisation and foundation reads, without personal data), one need with the step the
user may take, the cadre's form. Thin: filter sets, actions, exports."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy as _l
from django.views.decorators.http import require_POST

from xiezuo.core.errors import ValidationError, messages_of
from xiezuo.core.scoping import scope_for, visible
from xiezuo.core.ui.forms import filter_values
from xiezuo.core.ui.views import background_export, export_or_job, paginate, require, roundtrip, roundtrip_links, run_action, wants_xlsx
from xiezuo.people.models import Dispatch
from xiezuo.projects.models import Project
from xiezuo.regions.models import Region

from . import actions, rules
from .choices import PUBLIC_STATUSES, NeedStatus
from .exports import export_needs
from .figures import needs_by_status
from .filtersets import needs, paid_by_need, published_needs
from .forms import NeedFilterForm, NeedForm, PledgeForm, ResultForm
from .models import Need, Pledge


def _is_office_user(user) -> bool:
    from xiezuo.users.scopes import organisation_of

    scope = scope_for(user)
    if scope.everything:
        return True
    org = organisation_of(user)
    return scope.active and org is not None and org.kind == "office"


@login_required
@background_export(_l("social help needs"))
def need_list(request):
    user = request.user
    office = _is_office_user(user)
    public = not office or request.GET.get("view") == "published"
    form = NeedFilterForm(request.GET)
    values = filter_values(form)
    qs = published_needs(user, **values) if public else needs(user, **values)
    if wants_xlsx(request):
        return export_or_job(request, qs, (lambda q: export_needs(q, public=True)) if public else export_needs)
    from .importers import NeedImporter

    kinds = {} if public else {"social-needs": lambda: (NeedImporter(), qs)}
    response = roundtrip(request, kinds)
    if response is not None:
        return response
    page = paginate(request, qs)
    money = paid_by_need([n.pk for n in page])
    return render(request, "social/needs.html", {
        "form": form, "page": page, "rows": [(n, *money.get(n.pk, (0, 0))) for n in page], "public": public, "office": office,
        "figures": needs_by_status(user) if office else None, "can_create": scope_for(user).can_write and office,
        "roundtrip_links": roundtrip_links(kinds),
    })


def _need(user, pk):
    """(need, full): the full record when the user's scope covers it; the public view of a
    published need otherwise; 404 for anything else."""
    base = Need.objects.select_related("county", "cadre", "taken_by", "project", "pairing")
    need = visible(user, base).filter(pk=pk).first()
    if need is not None:
        return need, True
    need = base.filter(pk=pk, status__in=PUBLIC_STATUSES).first()
    if need is None or not scope_for(user).active:
        raise Http404(_("no such need"))
    return need, False


@login_required
def need_detail(request, pk):
    user = request.user
    need, full = _need(user, pk)
    pledges = list(need.pledges.select_related("donor", "posting"))
    donor = rules.acting_org(user, rules.DONORS)
    paid = sum(p.amount_fen for p in pledges if p.paid_on)
    pledged = sum(p.amount_fen for p in pledges)
    projects = Project.objects.filter(county=need.county).order_by("code") if full and rules.may_record(user, need.county) else None
    return render(request, "social/need.html", {
        "need": need, "full": full, "pledges": pledges, "paid": paid, "pledged": pledged, "open_fen": max(need.budget_fen - pledged, 0),
        "may_review": need.status == NeedStatus.RECORDED and rules.may_review(user, need),
        "may_take": need.status == NeedStatus.PUBLISHED and rules.may_take(user, need) is not None,
        "may_pledge": need.status in actions.OPEN_FOR_PLEDGES and donor is not None and need.budget_fen > pledged,
        "donor": donor,
        "may_result": need.status in (NeedStatus.TAKEN, NeedStatus.FUNDED) and (
            (full and rules.may_record(user, need.county)) or (rules.acting_org(user, rules.TAKERS) is not None
                                                            and rules.acting_org(user, rules.TAKERS).pk == need.taken_by_id)),
        "may_confirm": need.status == NeedStatus.DONE and full and rules.may_record(user, need.county),
        "projects": projects if need.status not in (NeedStatus.CONFIRMED, NeedStatus.DONE) else None,
        "pledge_form": PledgeForm(), "result_form": ResultForm(initial={"completed_on": timezone.localdate(),
                                                                         "beneficiaries_reached": need.beneficiaries}),
    })


def _counties(user):
    scope = scope_for(user)
    qs = Region.objects.filter(level="county", role="west").order_by("code")
    return qs if scope.everything else qs.filter(code__startswith=scope.own or "-")


@login_required
def need_create(request):
    user = request.user
    require(scope_for(user).can_write and _is_office_user(user))
    counties = _counties(user)
    cadres = visible(user, Dispatch.objects.select_related("to_org__region")).filter(kind="cadre", direction="e2w")
    projects = visible(user, Project.objects.all()).filter(county__in=counties).order_by("code")
    status = 200
    if request.method == "POST":
        form = NeedForm(request.POST, counties=counties, cadres=cadres, projects=projects)
        if form.is_valid():
            need, status = run_action(form, request, lambda: actions.record_need(user, **form.cleaned_data), _("Need recorded."))
            if need:
                return redirect("social-need-detail", need.pk)
    else:
        form = NeedForm(counties=counties, cadres=cadres, projects=projects)
    return render(request, "social/form.html", {"form": form, "title": _("New need")}, status=status)


def _step(request, pk, do, done):
    try:
        do()
    except ValidationError as exc:
        for _field, msgs in messages_of(exc).items():
            for m in msgs:
                messages.error(request, m)
        return redirect("social-need-detail", pk)
    except PermissionDenied as exc:
        raise PermissionDenied(str(exc)) from None
    messages.success(request, done)
    return redirect("social-need-detail", pk)


@login_required
@require_POST
def need_review(request, pk):
    need, _full = _need(request.user, pk)
    publish = request.POST.get("decision") == "publish"
    return _step(request, pk, lambda: actions.review_need(request.user, need, publish=publish, note=request.POST.get("note", "")),
                 _("Need published.") if publish else _("Need returned."))


@login_required
@require_POST
def need_take(request, pk):
    need, _full = _need(request.user, pk)
    return _step(request, pk, lambda: actions.take_up(request.user, need), _("Need taken up."))


@login_required
@require_POST
def need_pledge(request, pk):
    need, _full = _need(request.user, pk)
    form = PledgeForm(request.POST)
    if not form.is_valid():
        for msgs in form.errors.values():
            for m in msgs:
                messages.error(request, m)
        return redirect("social-need-detail", pk)
    return _step(request, pk, lambda: actions.pledge(request.user, need, amount_fen=form.cleaned_data["amount_fen"]), _("Pledge recorded."))


@login_required
@require_POST
def pledge_pay(request, pk, pledge_pk):
    need, _full = _need(request.user, pk)
    pledge = need.pledges.filter(pk=pledge_pk).first()
    if pledge is None:
        raise Http404
    return _step(request, pk, lambda: actions.pay_pledge(request.user, pledge), _("Pledge paid into the project's account."))


@login_required
@require_POST
def need_result(request, pk):
    need, _full = _need(request.user, pk)
    form = ResultForm(request.POST)
    if not form.is_valid():
        for msgs in form.errors.values():
            for m in msgs:
                messages.error(request, m)
        return redirect("social-need-detail", pk)
    return _step(request, pk, lambda: actions.record_result(request.user, need, **form.cleaned_data), _("Result recorded."))


@login_required
@require_POST
def need_confirm(request, pk):
    need, _full = _need(request.user, pk)
    return _step(request, pk, lambda: actions.confirm_result(request.user, need), _("Result confirmed."))


@login_required
@require_POST
def need_project(request, pk):
    need, full = _need(request.user, pk)
    if not full:
        raise PermissionDenied
    project = Project.objects.filter(pk=request.POST.get("project") or 0).first()
    return _step(request, pk, lambda: actions.set_project(request.user, need, project), _("Project linked."))
