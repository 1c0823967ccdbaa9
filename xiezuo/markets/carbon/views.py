"""Pages of the carbon-sink registry: projects, a project with its reports, verifications,
blocks and subscriptions (retire and transfer forms for what the user holds), subscriptions,
and the public registry with search by serial number."""
from django.contrib.auth.decorators import login_required
from django.db.models import F, Sum
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _, gettext_lazy as _l
from django.views.decorators.http import require_POST

from xiezuo.core.scoping import scope_for
from xiezuo.core.ui.forms import filter_values
from xiezuo.core.ui.views import background_export, export_or_job, paginate, require, run_action, scoped_or_404, wants_xlsx
from xiezuo.orgs.models import Organisation

from ..choices import BlockStatus, Movement
from ..common import form_errors, organisations, run, western_counties
from ..models import CarbonBlock, CarbonMove, SinkProject
from . import actions
from .exports import export_projects, export_registry
from .filtersets import projects, registry, subscriptions
from .forms import (DeliverForm, ProjectFilterForm, RegistryFilterForm, ReportForm, RetireForm, SinkProjectForm, SubscribeForm,
                    TransferForm, VerifyForm)


def _held(user, project):
    scope = scope_for(user)
    qs = CarbonBlock.objects.filter(project=project, status=BlockStatus.ACTIVE).select_related("project")
    if not scope.can_write:
        return qs.none()
    return qs if scope.everything else qs.filter(holder__region__code__startswith=scope.own)


@login_required
@background_export(_l("carbon sink projects"))
def project_list(request):
    user = request.user
    form = ProjectFilterForm(request.GET)
    qs = projects(user, **filter_values(form))
    if wants_xlsx(request):
        return export_or_job(request, qs, export_projects)
    moves = CarbonMove.objects.filter(block__project__in=qs.values("pk"))
    figures = {k: moves.filter(kind=kind).aggregate(s=Sum("units"))["s"] or 0
               for k, kind in (("issued", Movement.ISSUE), ("delivered", Movement.DELIVER), ("retired", Movement.RETIRE))}
    subs = subscriptions(user)
    figures["subscribed"] = subs.aggregate(s=Sum("tonnes"))["s"] or 0
    return render(request, "markets/carbon_list.html", {
        "form": form, "page": paginate(request, qs), "figures": figures, "can_create": western_counties(user).exists(),
        "subscriptions": [(s, actions.due_t(s)) for s in subs[:20]],
    })


@login_required
def project_create(request):
    user = request.user
    counties = western_counties(user)
    require(counties.exists())
    status = 200
    if request.method == "POST":
        form = SinkProjectForm(request.POST, counties=counties)
        if form.is_valid():
            p, status = run_action(form, request, lambda: actions.register_project(user, **form.cleaned_data), _("Sink project registered."))
            if p:
                return redirect("markets-carbon-detail", p.pk)
    else:
        form = SinkProjectForm(counties=counties)
    return render(request, "markets/form.html", {"form": form, "title": _("New carbon sink project"), "back": "markets-carbon-list"},
                  status=status)


@login_required
def project_detail(request, pk):
    user = request.user
    p = scoped_or_404(user, SinkProject.objects.select_related("county", "owner"), pk=pk)
    held = _held(user, p)
    holders = _holders()
    from xiezuo.core.scoping import can_edit_in_region
    from xiezuo.users.scopes import organisation_of

    from .. import rules

    county_side = can_edit_in_region(user, p.county.code)
    unverified = p.reports.filter(verification__isnull=True)
    own = organisation_of(user)
    evaluator = own if own is not None and own.kind == "evaluator" else Organisation.objects.filter(kind="evaluator").order_by("id").first()
    subscribers = organisations(user, "east")
    open_subs = subscriptions(user).filter(project=p)
    extra = {
        "report_form": ReportForm() if county_side else None,
        "verify_form": VerifyForm(reports=unverified) if unverified.exists() and evaluator and not actions.may_verify(user, evaluator) else None,
        "to_issue": p.reports.filter(verification__isnull=False).select_related("verification") if rules.is_national(user) else [],
        "subscribe_form": SubscribeForm(subscribers=subscribers) if subscribers.exists() else None,
        "deliver_form": DeliverForm(subscriptions=open_subs.select_related("subscriber")) if open_subs.exists() and not rules.may_act_for(
            user, p.owner) else None,
    }
    return render(request, "markets/carbon_detail.html", {
        **extra,
        "p": p, "reports": p.reports.select_related("verification__evaluator").order_by("period_start"),
        "blocks": p.blocks.exclude(status=BlockStatus.SPLIT).select_related("holder").order_by("first")[:200],
        "subs": [(s, actions.due_t(s)) for s in subscriptions(user).filter(project=p)],
        "retire_form": RetireForm(blocks=held) if held.exists() else None,
        "transfer_form": TransferForm(blocks=held, holders=holders) if held.exists() else None,
    })


def _holders():
    """Who may receive units: the offices and enterprises of either side (the form offers these,
    and a posted transfer is checked against the same list)."""
    return Organisation.objects.filter(region__role__in=("east", "west"), kind__in=("office", "enterprise")).order_by("region__code")


@login_required
@require_POST
def block_retire(request, pk):
    user = request.user
    p = scoped_or_404(user, SinkProject.objects.all(), pk=pk)
    form = RetireForm(request.POST, blocks=_held(user, p))
    if not form.is_valid():
        form_errors(request, form)
    else:
        c = form.cleaned_data
        run(request, lambda: actions.retire(user, block=c["block"], units=c["units"], beneficiary=c["beneficiary"],
                                            purpose=c["purpose"]), _("Units retired."))
    return redirect("markets-carbon-detail", pk)


@login_required
@require_POST
def block_transfer(request, pk):
    user = request.user
    p = scoped_or_404(user, SinkProject.objects.all(), pk=pk)
    form = TransferForm(request.POST, blocks=_held(user, p), holders=_holders())
    if not form.is_valid():
        form_errors(request, form)
    else:
        c = form.cleaned_data
        run(request, lambda: actions.transfer(user, block=c["block"], units=c["units"], to_holder=c["to_holder"]), _("Units transferred."))
    return redirect("markets-carbon-detail", pk)


def registry_view(request):
    """Public: every live block with its project, vintage, holder type and status; search by serial."""
    form = RegistryFilterForm(request.GET)
    qs = registry(**filter_values(form))
    if wants_xlsx(request):
        return export_or_job(request, qs, export_registry)
    totals = CarbonBlock.objects.exclude(status=BlockStatus.SPLIT).values("status").annotate(
        n=Sum(F("last") - F("first") + 1)).order_by("status")
    return render(request, "markets/carbon_registry.html", {"form": form, "page": paginate(request, qs),
                                                            "serial": form.data.get("serial", ""), "totals": totals})


def _step(request, pk, form_class, do, done, **form_kwargs):
    p = scoped_or_404(request.user, SinkProject.objects.select_related("county", "owner"), pk=pk)
    form = form_class(request.POST, **{k: v(p) for k, v in form_kwargs.items()})
    if not form.is_valid():
        form_errors(request, form)
    else:
        run(request, lambda: do(p, form.cleaned_data), done)
    return redirect("markets-carbon-detail", pk)


@login_required
@require_POST
def report_submit(request, pk):
    return _step(request, pk, ReportForm, lambda p, c: actions.submit_monitoring(request.user, project=p, **c), _("Monitoring report submitted."))


@login_required
@require_POST
def report_verify(request, pk):
    from xiezuo.users.scopes import organisation_of

    own = organisation_of(request.user)
    evaluator = own if own is not None and own.kind == "evaluator" else Organisation.objects.filter(kind="evaluator").order_by("id").first()
    return _step(request, pk, VerifyForm, lambda p, c: actions.verify_report(request.user, report=c["report"], evaluator=evaluator,
                                                                            verified_t=c["verified_t"]),
                 _("Verification recorded."), reports=lambda p: p.reports.filter(verification__isnull=True))


@login_required
@require_POST
def issue_units(request, pk):
    from ..models import Verification

    p = scoped_or_404(request.user, SinkProject.objects.all(), pk=pk)
    v = Verification.objects.filter(report__project=p, pk=request.POST.get("verification") or 0).first()
    if v is not None:
        run(request, lambda: actions.issue(request.user, verification=v), _("Units issued."))
    return redirect("markets-carbon-detail", pk)


@login_required
@require_POST
def subscribe(request, pk):
    return _step(request, pk, SubscribeForm, lambda p, c: actions.sign_subscription(
        request.user, project=p, subscriber=c["subscriber"], price_fen_per_t=c["price"], share_pct=c["share_pct"], tonnes=c["tonnes"]),
        _("Subscription signed."), subscribers=lambda p: organisations(request.user, "east"))


@login_required
@require_POST
def deliver(request, pk):
    return _step(request, pk, DeliverForm, lambda p, c: actions.deliver(request.user, subscription=c["subscription"], units=c["units"]),
                 _("Units delivered and paid through the ledger."),
                 subscriptions=lambda p: subscriptions(request.user).filter(project=p))
