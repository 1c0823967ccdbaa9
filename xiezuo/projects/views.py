"""Project pages: the list with its filters and Excel export, the project page with
everything it reports, and the forms for the writes a county office does. Every write goes
through xiezuo.projects.actions; out of scope a project answers 404, a reader gets 403."""
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy as _l

from xiezuo.core.scoping import can_edit_project, scope_for, visible
from xiezuo.core.ui.forms import filter_values
from xiezuo.core.ui.parts import parts
from xiezuo.core.ui.views import (background_export, export_or_job, paginate, require, roundtrip, roundtrip_links, run_action,
                                  scoped_or_404, wants_xlsx)
from xiezuo.orgs.models import Organisation

from .actions import (add_partner, attach_to_report, complete_milestone, create_project, record_output, register_asset,
                      set_milestones, submit_report, transition, update_project)
from .choices import TRANSITIONS, FundSource, LinkMechanism, Status
from .exports import export_projects
from .filtersets import CLOSED, project_years, projects, visible_pairings
from .forms import (AssetForm, CompleteMilestoneForm, MilestonePlanForm, OutputForm, PartnerForm, ProjectFilterForm, ProjectForm,
                    ReportForm, TransitionForm)
from .models import Asset, Milestone, ProgressReport, Project, ProjectOutput, ProjectPartner, ReportAttachment

REPORTS_SHOWN = 20


def may_edit(user, project) -> bool:
    east = project.pairing.east_region.code if project.pairing_id else None
    return can_edit_project(user, project.county.code, east)


def _project(user, pk):
    return scoped_or_404(user, Project.objects.select_related("county", "pairing__east_region", "pairing__west_region"), pk=pk)


def _writable(request, pk):
    """The project for a write: 404 out of scope, 403 when the user may only read it."""
    project = _project(request.user, pk)
    require(may_edit(request.user, project))
    return project


def _writable_pairings(user):
    return visible_pairings(user) if scope_for(user).can_write else visible_pairings(user).none()


@login_required
@background_export(_l("projects"))
def project_list(request):
    user = request.user
    form = ProjectFilterForm(request.GET, years=project_years(user), pairings=visible_pairings(user))
    qs = projects(user, **filter_values(form))
    if wants_xlsx(request):
        return export_or_job(request, qs, export_projects)
    kinds = _roundtrip_kinds(qs)
    response = roundtrip(request, kinds)
    if response is not None:
        return response
    return render(request, "projects/list.html", {"form": form, "page": paginate(request, qs),
                                                  "can_create": scope_for(user).can_write,
                                                  "roundtrip_links": roundtrip_links(kinds)})


def _roundtrip_kinds(qs):
    from .importers import MilestoneImporter, ProgressReportImporter, ProjectImporter

    ids = qs.values("id")
    return {
        "projects": lambda: (ProjectImporter(), qs.prefetch_related("budget", "partners__organisation")),
        "milestones": lambda: (MilestoneImporter(), Milestone.objects.filter(project__in=ids).select_related("project").order_by("project__code", "seq")),
        "progress-reports": lambda: (ProgressReportImporter(), ProgressReport.objects.filter(project__in=ids).select_related("project").order_by("project__code", "week")),
    }


def _milestone_rows(project, today):
    """Each milestone with how late it is: days past plan (reached late, or not reached
    and past its date); 0 when on time."""
    rows = []
    for m in project.milestones.all():
        if m.actual_date is not None:
            late = max(0, (m.actual_date - m.planned_date).days)
        else:
            late = max(0, (today - m.planned_date).days)
        rows.append({"m": m, "late_days": late, "open": m.actual_date is None})
    first_open = next((r for r in rows if r["open"]), None)
    if first_open:
        first_open["next"] = True
    return rows


@login_required
def project_detail(request, pk):
    user = request.user
    project = get_object_or_404(visible(user, Project.objects.select_related(
        "county", "pairing__east_region", "pairing__west_region").prefetch_related(
        "milestones", "budget",
        Prefetch("partners", queryset=ProjectPartner.objects.select_related("organisation__region").order_by("role", "organisation__name")),
        Prefetch("outputs", queryset=ProjectOutput.objects.prefetch_related("links").order_by("-as_of")),
        Prefetch("assets", queryset=Asset.objects.order_by("registered_on", "id")),
    )), pk=pk)
    today = timezone.localdate()
    can_edit = may_edit(user, project)
    reports = list(ProgressReport.objects.filter(project=project).select_related("reported_by").order_by("-week")[:REPORTS_SHOWN])
    attachments = {}
    for a in ReportAttachment.objects.filter(report__in=reports).order_by("id"):
        attachments.setdefault(a.report_id, []).append(a)
    budget = sorted(project.budget.all(), key=lambda b: FundSource.values.index(b.source))
    mechanisms = dict(LinkMechanism.choices)
    outputs = [{"o": o, "links": [(mechanisms[link.mechanism], link.households) for link in
                                  sorted(o.links.all(), key=lambda link: LinkMechanism.values.index(link.mechanism))],
                "households": sum(link.households for link in o.links.all())} for o in project.outputs.all()]
    return render(request, "projects/detail.html", {
        "project": project,
        "can_edit": can_edit,
        "milestones": _milestone_rows(project, today),
        "is_late": project.status not in CLOSED and any(
            m.actual_date is None and m.planned_date < today for m in project.milestones.all()),
        "budget": budget,
        "budget_total": sum(b.amount_fen for b in budget),
        "reports": [(r, attachments.get(r.pk, [])) for r in reports],
        "report_count": ProgressReport.objects.filter(project=project).count(),
        "outputs": outputs,
        "transitions": bool(TRANSITIONS[Status(project.status)]),
        "complete_form": CompleteMilestoneForm() if can_edit else None,
        "closed": project.status in CLOSED,
        # The funds (money, can_pay) are the ledger's, an app above this one: it registers them.
        **parts("project-detail", user, project),
    })


def _form_page(request, project, form, title, status=200, **extra):
    return render(request, "projects/form.html", {"form": form, "project": project, "title": title, **extra}, status=status)


@login_required
def project_create(request):
    user = request.user
    require(scope_for(user).can_write)
    pairings = _writable_pairings(user)
    status = 200
    if request.method == "POST":
        form = ProjectForm(request.POST, pairings=pairings)
        if form.is_valid():
            d = form.cleaned_data
            project, status = run_action(form, request, lambda: create_project(
                user, county=d["county"], budget=form.budget(), **form.action_values()), _("Project created."), ProjectForm.RENAME)
            if project:
                return redirect(project.get_absolute_url())
    else:
        form = ProjectForm(pairings=pairings, initial={"planned_start": timezone.localdate()})
    return _form_page(request, None, form, _("New project"), status)


@login_required
def project_edit(request, pk):
    user = request.user
    project = _writable(request, pk)
    pairings = _writable_pairings(user)
    status = 200
    if request.method == "POST":
        form = ProjectForm(request.POST, pairings=pairings, instance=project)
        if form.is_valid():
            keep = set(project.budget.values_list("source", flat=True))
            done, status = run_action(form, request, lambda: update_project(
                user, project, budget=form.budget(keep_zero=keep), **form.action_values()), _("Project saved."), ProjectForm.RENAME)
            if done:
                return redirect(project.get_absolute_url())
    else:
        form = ProjectForm(pairings=pairings, instance=project)
    return _form_page(request, project, form, _("Edit project"), status)


@login_required
def project_transition(request, pk):
    user = request.user
    project = _writable(request, pk)
    status = 200
    if request.method == "POST":
        form = TransitionForm(request.POST, project=project)
        if form.is_valid():
            d = form.cleaned_data
            done, status = run_action(form, request, lambda: transition(user, project, d["to"], on=d.get("on")),
                                      _("Status changed."), {"status": "to", "actual_end": "on", "actual_start": "on"})
            if done:
                return redirect(project.get_absolute_url())
    else:
        form = TransitionForm(project=project)
    note = "" if form.fields["to"].choices else _("a project that is %(status)s does not change status any more") % {
        "status": project.get_status_display()}
    return _form_page(request, project, form, _("Change status"), status, current_status=project.get_status_display(), note=note)


@login_required
def project_milestones(request, pk):
    user = request.user
    project = _writable(request, pk)
    status = 200
    if request.method == "POST":
        form = MilestonePlanForm(request.POST, project=project)
        if form.is_valid():
            done, status = run_action(form, request, lambda: set_milestones(user, project, form.cleaned_data["plan"]),
                                      _("Milestone plan saved."), {"milestones": "plan"})
            if done:
                return redirect(project.get_absolute_url() + "#milestones")
    else:
        form = MilestonePlanForm(project=project)
    return _form_page(request, project, form, _("Milestone plan"), status, wide=True)


@login_required
def project_milestone_complete(request, pk, seq):
    user = request.user
    project = _writable(request, pk)
    milestone = get_object_or_404(project.milestones.select_related("project"), seq=seq)
    status = 200
    if request.method == "POST":
        form = CompleteMilestoneForm(request.POST)
        if form.is_valid():
            done, status = run_action(form, request, lambda: complete_milestone(user, milestone, form.cleaned_data["on"]),
                                      _("Milestone marked as reached."), {"actual_date": "on"})
            if done:
                return redirect(project.get_absolute_url() + "#milestones")
    else:
        form = CompleteMilestoneForm()
    title = _("Milestone %(n)d reached: %(name)s") % {"n": milestone.seq, "name": milestone.name}
    return _form_page(request, project, form, title, status, milestone=milestone)


@login_required
def project_report(request, pk):
    user = request.user
    project = _writable(request, pk)
    status = 200
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data

            def file_report():
                """The report and its attachment together, or neither."""
                with transaction.atomic():
                    report = submit_report(user, project, week=d["week"], percent=d["percent"], done=d.get("done") or "",
                                           problems=d.get("problems") or "")
                    if d.get("attachment"):
                        attach_to_report(user, report, d["attachment"])
                return report

            done, status = run_action(form, request, file_report, _("Weekly report filed."), {"project": None})
            if done:
                return redirect(project.get_absolute_url() + "#reports")
    else:
        form = ReportForm(initial={"percent": project.percent_done})
    return _form_page(request, project, form, _("Weekly report"), status,
                      note=_("A second report for the same week replaces the first."))


@login_required
def project_attachment(request, pk, attachment_pk):
    """A weekly report's file, for those who may see the project (never straight from MEDIA_URL)."""
    project = _project(request.user, pk)
    attachment = get_object_or_404(ReportAttachment.objects.filter(project=project), pk=attachment_pk)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


@login_required
def project_output(request, pk):
    user = request.user
    project = _writable(request, pk)
    status = 200
    if request.method == "POST":
        form = OutputForm(request.POST)
        if form.is_valid():
            done, status = run_action(form, request, lambda: record_output(user, project, **form.action_values()),
                                      _("Outputs recorded."), OutputForm.RENAME)
            if done:
                return redirect(project.get_absolute_url() + "#outputs")
    else:
        form = OutputForm()
    return _form_page(request, project, form, _("Record outputs"), status,
                      note=_("Figures as of a date; recording the same date again replaces them. Amounts in yuan."))


@login_required
def project_asset(request, pk):
    user = request.user
    project = _writable(request, pk)
    status = 200
    if request.method == "POST":
        form = AssetForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            done, status = run_action(form, request, lambda: register_asset(
                user, project, name=d["name"], asset_class=d["asset_class"], value_fen=d["value"], owner_tier=d["owner_tier"],
                registered_on=d["registered_on"]), _("Asset registered."), AssetForm.RENAME)
            if done:
                return redirect(project.get_absolute_url() + "#assets")
    else:
        form = AssetForm(initial={"registered_on": timezone.localdate()})
    return _form_page(request, project, form, _("Register an asset"), status)


@login_required
def project_partner(request, pk):
    user = request.user
    project = _writable(request, pk)
    orgs = visible(user, Organisation.objects.select_related("region")).order_by("region__code", "name")
    status = 200
    if request.method == "POST":
        form = PartnerForm(request.POST, organisations=orgs)
        if form.is_valid():
            d = form.cleaned_data
            done, status = run_action(form, request, lambda: add_partner(user, project, d["organisation"], d["role"]),
                                      _("Partner added."))
            if done:
                return redirect(project.get_absolute_url() + "#partners")
    else:
        form = PartnerForm(organisations=orgs)
    return _form_page(request, project, form, _("Add a partner"), status)
