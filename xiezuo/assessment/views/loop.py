"""Pages of the closed loop: rectification orders (list, detail, closure, verification),
warnings, incentives, restructuring proposals, intervention tickets, and the rules.

Thin: every list passes the scoping rule (`visible`), every write calls an action in
`orders.py` or `rules.py`, whose errors are shown on the form. Attachments are served
here, after the same scoping check as the order they belong to.
"""
import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiezuo.core.errors import messages_of
from xiezuo.core.excel import export_response
from xiezuo.core.scoping import scope_for, visible
from xiezuo.core.ui.forms import add_action_errors, filter_values
from xiezuo.core.ui.views import paginate, require, scoped_or_404, wants_xlsx

from .. import items, orders, rules, tasks
from ..choices import Grade
from ..choices import OPEN_ORDER_STATES, OrderStatus, ProposalStatus, TicketStatus, WarningStatus
from ..forms import ApplyForm, ClosureForm, IssueOrderForm, NoteForm, OrderFilterForm, RuleForm, StatusFilterForm, VerifyForm
from ..models import (ConsequenceRule, Incentive, InterventionTicket, OrderClosure, PerformanceWarning, RectificationOrder,
                     RestructuringProposal)
from xiezuo.core.periods import Period, PeriodError

TEMPLATES = "assessment/loop/"


def scorecard_url(subject_key: str, period_label: str, version=None) -> str:
    kind, _sep, ident = (subject_key or "").partition(":")
    try:
        url = reverse("scorecard-detail", args=[kind, ident, period_label])
    except NoReverseMatch:
        return ""
    return f"{url}?version={version}" if version else url


def _url(name, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _score_rows(obj) -> list[dict]:
    """The score evidence of a consequence, with a link to each scorecard."""
    rows = []
    for s in (obj.evidence or {}).get("scores", []):
        label = Grade(s["grade"]).label if s.get("grade") in Grade.values else "—"
        rows.append({**s, "grade_label": label, "url": scorecard_url(s["subject"], s["period"], s.get("version"))})
    return rows


def _counts(user) -> dict:
    """Open items per list, for the tabs."""
    return {
        "order": visible(user, RectificationOrder.objects.filter(status__in=OPEN_ORDER_STATES)).count(),
        "warning": visible(user, PerformanceWarning.objects.filter(status=WarningStatus.OPEN)).count(),
        "incentive": visible(user, Incentive.objects.all()).count(),
        "proposal": visible(user, RestructuringProposal.objects.filter(status=ProposalStatus.OPEN)).count(),
        "ticket": visible(user, InterventionTicket.objects.filter(status=TicketStatus.OPEN)).count(),
    }


def _ctx(request, tab, **extra):
    return {"section": "order", "tab": tab, "counts": _counts(request.user),
            "can_edit_rules": rules.may_edit_rules(request.user), **extra}


# --- orders --------------------------------------------------------------------------------


def order_queryset(user, *, status="", q="", **_):
    qs = visible(user, RectificationOrder.objects.all()).select_related(
        "owner_office", "owner_post", "issuer_office", "project", "milestone", "region", "escalated_to__office")
    today = timezone.localdate()
    if status == "open":
        qs = qs.filter(status__in=OPEN_ORDER_STATES)
    elif status == "overdue":
        qs = qs.filter(status__in=(OrderStatus.ISSUED, OrderStatus.SENT_BACK), deadline__lt=today)
    elif status:
        qs = qs.filter(status=status)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(project__code__icontains=q) | Q(owner_office__name__icontains=q))
    return qs.order_by("-issued_on", "-id")


def _export_orders(qs):
    headers = [_("id"), _("title"), _("project"), _("owner office"), _("owner post"), _("issued by"), _("issued on"),
               _("working days"), _("deadline"), _("status"), _("escalation level"), _("escalated to"), _("rule"),
               _("rule revision"), _("reason")]
    rows = ([o.pk, o.title, o.project.code if o.project_id else "", o.owner_office.name, o.owner_post.name, o.issuer_office.name,
             o.issued_on.isoformat(), o.working_days, o.deadline.isoformat(), o.get_status_display(), o.escalation_level,
             str(o.escalated_to) if o.escalated_to_id else "", o.rule.name if o.rule_id else _("issued by hand"),
             o.rule_revision or "", o.reason] for o in qs.select_related("rule"))
    return export_response(_("rectification orders"), _("rectification orders"), headers, rows)


def _mine(request, model, qs):
    """Narrow a list to what 我的事项 links to: one row (`?id=`), the open items of some posts
    (`?post=`), or the closures some leading posts must verify (`?verify=`, orders only), by
    the same querysets as the items themselves. Returns (queryset, what is shown, the posts)."""
    from xiezuo.rhythm.models import Post

    group = {RectificationOrder: items.ORDER, PerformanceWarning: items.WARNING, RestructuringProposal: items.PROPOSAL,
             InterventionTicket: items.TICKET}.get(model)
    raw_id = request.GET.get("id", "")
    if raw_id.isdigit():
        return qs.filter(pk=int(raw_id)), "one", []
    for param, kind in (("post", group), ("verify", items.VERIFY if model is RectificationOrder else None)):
        ids = items.post_ids_from(request.GET.get(param))
        if ids and kind:
            rows = {items.ORDER: items.orders_of, items.VERIFY: lambda p: items.verifications_of(p), items.WARNING: items.warnings_of,
                    items.PROPOSAL: items.proposals_of, items.TICKET: items.tickets_of}[kind](ids)
            posts = list(visible(request.user, Post.objects.filter(pk__in=ids)).select_related("office"))
            return qs.filter(pk__in=rows.values("pk")), param, posts
    return qs, "", []


@login_required
def order_list(request):
    form = OrderFilterForm(request.GET)
    qs, mine, posts = _mine(request, RectificationOrder, order_queryset(request.user, **filter_values(form)))
    if wants_xlsx(request):
        return _export_orders(qs)
    return render(request, TEMPLATES + "orders.html", _ctx(request, "order", form=form, page=paginate(request, qs),
                                                             today=timezone.localdate(), mine=mine, mine_posts=posts,
                                                             may_issue=orders.may_issue(request.user)))


def _order(user, pk):
    return scoped_or_404(user, RectificationOrder.objects.select_related(
        "owner_office__region", "owner_post", "issuer_office__region", "project", "milestone", "region", "pairing", "rule",
        "escalated_to__office", "verified_by", "issued_by"), pk=pk)


def _order_page(request, order, closure_form=None, verify_form=None, status=200):
    user = request.user
    can_close, can_verify = orders.may_close(user, order), orders.may_verify(user, order)
    return render(request, TEMPLATES + "order.html", _ctx(
        request, "order", order=order, today=timezone.localdate(),
        closures=order.closures.select_related("submitted_by", "decided_by"),
        escalations=order.escalations.select_related("from_post__office", "to_post__office"),
        can_close=can_close, can_verify=can_verify,
        closure_form=closure_form or (ClosureForm() if can_close else None),
        verify_form=verify_form or (VerifyForm(initial={"decision": "accept"}) if can_verify else None),
        project_url=_url("project-detail", order.project_id) if order.project_id else "",
        scorecard=scorecard_url(order.subject_key, _period_of(order.issued_on)),
        score_rows=_score_rows(order),
    ), status=status)


def _period_of(day) -> str:
    return Period.containing("quarter", day).label


@login_required
def order_detail(request, pk):
    return _order_page(request, _order(request.user, pk))


def _run(form, request, do, success):
    try:
        result = do()
    except ValidationError as exc:
        add_action_errors(form, exc)
        return None, 200
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or _("you may not do this"))
        return None, 403
    messages.success(request, success)
    return result, 200


def _issue_subject(request):
    """The project (and milestone) or scorecard row an order is issued from, as the user may
    see it (404 otherwise), with what the form starts from."""
    from xiezuo.projects.models import Milestone, Project

    from ..models import Score
    from ..offices import office_for_region

    user, get = request.user, request.GET
    project = milestone = score = None
    if get.get("milestone", "").isdigit():
        milestone = scoped_or_404(user, Milestone.objects.select_related("project__county", "project__pairing"), pk=get["milestone"])
        project = milestone.project
    elif get.get("project", "").isdigit():
        project = scoped_or_404(user, Project.objects.select_related("county", "pairing"), pk=get["project"])
    if get.get("score", "").isdigit():
        score = scoped_or_404(user, Score.objects.select_related("system", "region", "pairing__west_region", "pairing__east_region"),
                              pk=get["score"])
    initial, areas = {"working_days": 10}, []
    if project is not None:
        areas = [project.county]
        initial["owner_office"] = office_for_region(project.county)
        initial["title"] = f"{project.name} · {milestone.name}" if milestone else project.name
        if milestone is not None:
            initial["milestone"] = milestone.pk
            late = (timezone.localdate() - milestone.planned_date).days
            initial["reason"] = _("Milestone #%(seq)s %(name)s of %(project)s was planned for %(day)s%(late)s.") % {
                "seq": milestone.seq, "name": milestone.name, "project": project.code, "day": milestone.planned_date.isoformat(),
                "late": (_(" and is %(n)d days late") % {"n": late}) if milestone.actual_date is None and late > 0 else ""}
    elif score is not None:
        areas = [score.region] if score.region_id else [score.pairing.west_region, score.pairing.east_region]
        initial["owner_office"] = office_for_region(areas[0])
        name = score.region.name if score.region_id else str(score.pairing)
        initial["title"] = _("%(subject)s: rectify the %(period)s assessment result") % {"subject": name, "period": score.period_label}
        initial["reason"] = _("%(period)s composite %(composite)s, graded %(grade)s (rank %(rank)s of %(peers)s).") % {
            "period": score.period_label, "composite": score.composite if score.composite is not None else "—",
            "grade": score.get_grade_display() or "—", "rank": score.rank or "—", "peers": score.peers or "—"}
    return project, milestone, score, initial, areas


@login_required
def order_issue(request):
    """Issue a 限期整改 order by hand, from a project, a scorecard row or the orders list."""
    user = request.user
    require(orders.may_issue(user))
    project, milestone, score, initial, areas = _issue_subject(request)
    offices = orders.order_targets(user)
    if areas:  # only the offices whose area holds the subject
        offices = orders.targets_for(user, areas)
        if not offices.exists():
            raise PermissionDenied(_("no office in your charge answers for this"))
    if initial.get("owner_office") is not None and not offices.filter(pk=initial["owner_office"].pk).exists():
        initial["owner_office"] = offices.first()
    milestones = project.milestones.order_by("seq") if project is not None else None
    status = 200
    if request.method == "POST":
        form = IssueOrderForm(request.POST, offices=offices, milestones=milestones)
        if form.is_valid():
            data = form.cleaned_data
            order, status = _run(form, request, lambda: orders.issue_order(
                user, owner_office=data["owner_office"], title=data["title"], reason=data["reason"],
                working_days=data["working_days"], project=project, milestone=data.get("milestone") or None, score=score),
                _("Rectification order issued."))
            if order:
                return redirect(order.get_absolute_url())
            status = 400 if status == 200 else status
        else:
            status = 400
    else:
        form = IssueOrderForm(initial=initial, offices=offices, milestones=milestones)
    return render(request, TEMPLATES + "order_form.html", _ctx(
        request, "order", form=form, project=project, milestone=milestone, score=score,
        project_url=_url("project-detail", project.pk) if project else "",
        scorecard=scorecard_url(score.subject_key, score.period_label, score.system.number) if score else ""), status=status)


@login_required
@require_POST
def order_close(request, pk):
    order = _order(request.user, pk)
    form = ClosureForm(request.POST, request.FILES)
    status = 200
    if form.is_valid():
        done, status = _run(form, request, lambda: orders.submit_closure(
            request.user, order, text=form.cleaned_data["text"], attachment=form.cleaned_data.get("attachment")),
            _("Closure submitted for verification."))
        if done:
            return redirect(order.get_absolute_url())
    order.refresh_from_db()
    return _order_page(request, order, closure_form=form, status=status if status != 200 else 400)


@login_required
@require_POST
def order_verify(request, pk):
    order = _order(request.user, pk)
    form = VerifyForm(request.POST)
    status = 200
    if form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        done, status = _run(form, request, lambda: orders.verify_closure(
            request.user, order, accept=accept, note=form.cleaned_data["note"]),
            _("Order verified and closed.") if accept else _("Order sent back."))
        if done:
            return redirect(order.get_absolute_url())
    order.refresh_from_db()
    return _order_page(request, order, verify_form=form, status=status if status != 200 else 400)


@login_required
def order_attachment(request, pk):
    closure = get_object_or_404(visible(request.user, OrderClosure.objects.all()), pk=pk)
    if not closure.attachment:
        raise Http404(_("no file"))
    name = closure.attachment_name or os.path.basename(closure.attachment.name)
    return FileResponse(closure.attachment.open("rb"), as_attachment=True, filename=name)


# --- warnings, incentives, proposals, tickets ---------------------------------------------


def _listing(request, model, tab, heading, statuses=()):
    user = request.user
    form = StatusFilterForm(request.GET, statuses=statuses)
    values = filter_values(form)
    qs = visible(user, model.objects.all()).select_related("owner_office", "owner_post", "region", "pairing", "rule")
    if values.get("status"):
        qs = qs.filter(status=values["status"])
    if values.get("period"):
        try:
            p = Period.parse(values["period"])
            qs = qs.filter(period_kind=p.kind, period_start=p.start)
        except PeriodError:
            pass
    qs, mine, posts = _mine(request, model, qs.order_by("-created", "-id"))
    if wants_xlsx(request):
        return _export_consequences(model, heading, qs)
    page = paginate(request, qs)
    for obj in page:
        obj.score_rows = _score_rows(obj)
        obj.may_answer = _may_answer(user, obj)
        obj.subject_label = items.subject_label(obj) if obj.subject_key else obj.subject_name
    return render(request, TEMPLATES + "consequences.html", _ctx(request, tab, form=form, page=page, heading=heading,
                                                                 today=timezone.localdate(), mine=mine, mine_posts=posts))


def _export_consequences(model, heading, qs):
    """Every row of a warnings / incentives / proposals / tickets list, as the page filters it."""
    headers = [_("id"), _("subject"), _("period"), _("level"), _("consecutive periods"), _("benefit"), _("signal"), _("title"),
               _("status"), _("owner office"), _("owner post"), _("pairing"), _("respond by"), _("rule"), _("rule revision"),
               _("created"), _("reason")]

    def row(o):
        return [o.pk, o.subject_name, o.period_label, getattr(o, "level", ""), getattr(o, "streak", ""), getattr(o, "benefit", ""),
                o.get_signal_display() if hasattr(o, "signal") else "", str(o.title) if hasattr(o, "signal") else "",
                o.get_status_display() if hasattr(o, "status") else "", o.owner_office.name, o.owner_post.name,
                str(o.pairing) if o.pairing_id else "", o.deadline.isoformat() if getattr(o, "deadline", None) else "",
                o.rule.name, o.rule_revision, timezone.localtime(o.created).strftime("%Y-%m-%d %H:%M"), o.reason]

    return export_response(heading, heading, headers, (row(o) for o in qs))


def _may_answer(user, obj) -> bool:
    from ..offices import acts_for

    if isinstance(obj, PerformanceWarning):
        return obj.status == WarningStatus.OPEN and acts_for(user, obj.owner_office)
    if isinstance(obj, InterventionTicket):
        return obj.status == TicketStatus.OPEN and acts_for(user, obj.owner_office)
    if isinstance(obj, RestructuringProposal):
        scope = scope_for(user)
        return obj.status == ProposalStatus.OPEN and (acts_for(user, obj.owner_office) or (scope.active and scope.role == "national"))
    return False


@login_required
def warning_list(request):
    return _listing(request, PerformanceWarning, "warning", _("Warnings"), WarningStatus.choices)


@login_required
def incentive_list(request):
    return _listing(request, Incentive, "incentive", _("Incentives"))


@login_required
def proposal_list(request):
    return _listing(request, RestructuringProposal, "proposal", _("Restructuring proposals"), ProposalStatus.choices)


@login_required
def ticket_list(request):
    return _listing(request, InterventionTicket, "ticket", _("Intervention tickets"), TicketStatus.choices)


def _answer(request, model, pk, do, success, back):
    obj = scoped_or_404(request.user, model.objects.all(), pk=pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            do(obj, form.cleaned_data["note"])
        except PermissionDenied:
            raise
        except ValidationError as exc:
            for texts in messages_of(exc).values():
                for text in texts:
                    messages.error(request, text)
            return redirect(f"{back}?id={obj.pk}")
        messages.success(request, success)
    else:
        messages.error(request, _("write a note first"))
    return redirect(f"{back}?id={obj.pk}")  # the row itself, answered, wherever it sits in the list


@login_required
@require_POST
def warning_acknowledge(request, pk):
    return _answer(request, PerformanceWarning, pk, lambda w, note: orders.acknowledge_warning(request.user, w, response=note),
                   _("Warning acknowledged."), reverse("warning-list"))


@login_required
@require_POST
def proposal_decide(request, pk):
    accept = request.POST.get("decision") == "accept"
    return _answer(request, RestructuringProposal, pk,
                   lambda p, note: orders.decide_proposal(request.user, p, accept=accept, note=note),
                   _("Proposal accepted.") if accept else _("Proposal rejected."), reverse("proposal-list"))


@login_required
@require_POST
def ticket_resolve(request, pk):
    return _answer(request, InterventionTicket, pk, lambda t, note: orders.resolve_ticket(request.user, t, resolution=note),
                   _("Ticket resolved."), reverse("ticket-list"))


# --- rules -----------------------------------------------------------------------------------


@login_required
def rule_list(request):
    require(scope_for(request.user).active)
    rules.ensure_default_rules()
    found = list(rules.ordered(ConsequenceRule.objects.select_related("updated_by")))
    for r in found:
        r.summary = rules.summary(r)
    return render(request, TEMPLATES + "rules.html", _ctx(request, "rule", rules=found, apply_form=ApplyForm()))


@login_required
def rule_edit(request, pk):
    user = request.user
    require(rules.may_edit_rules(user))
    rule = get_object_or_404(ConsequenceRule, pk=pk)
    status = 200
    if request.method == "POST":
        form = RuleForm(request.POST, kind=rule.kind)
        if form.is_valid():
            done, status = _run(form, request, lambda: rules.update_rule(user, rule, **form.action_values(rule)), _("Rule saved."))
            if done:
                return redirect("rule-list")
    else:
        initial = {f: getattr(rule, f) for f in rules.EDITABLE}
        initial["levels"] = ", ".join(str(n) for n in rule.levels or [])
        form = RuleForm(initial=initial, kind=rule.kind)
    return render(request, TEMPLATES + "rule_form.html", _ctx(request, "rule", form=form, rule=rule), status=status)


@login_required
@require_POST
def rule_apply(request):
    """The national coordinator runs the rules for a period now (through the task queue)."""
    require(rules.may_edit_rules(request.user))
    form = ApplyForm(request.POST)
    if form.is_valid():
        try:
            label = Period.parse(form.cleaned_data["period"]).label
        except PeriodError as exc:
            messages.error(request, str(exc))
            return redirect("rule-list")
        if tasks.app.conf.task_always_eager:
            result = tasks.enqueue(tasks.apply_rules, label)
            messages.success(request, _("Rules applied to %(period)s: %(n)d new consequences.") % {"period": label, "n": result["total"]})
        else:  # a worker does it; the page does not wait
            tasks.apply_rules.delay(label)
            messages.success(request, _("The rules for %(period)s are being applied in the background.") % {"period": label})
    return redirect("rule-list")
