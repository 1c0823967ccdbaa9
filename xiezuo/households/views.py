"""Pages of 防返贫监测: the household list with its filters and export, the household page
(masked by default, “show full numbers” with a purpose, logged), the workflow's forms, the
figures, and the person search by ID number."""
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core.errors import messages_of
from xiezuo.core.personal.access import log_reveal, may_reveal, purpose_error
from xiezuo.core.scoping import can_edit_in_region, scope_for
from xiezuo.core.ui.forms import filter_values
from xiezuo.core.ui.parts import parts
from xiezuo.core.ui.views import paginate, require, scoped_or_404, wants_xlsx

from . import actions
from .choices import Step
from .edits import edit_household, may_edit
from .exports import export_households
from .figures import LEVELS, figures, totals
from .filtersets import households
from .forms import ClueForm, ConsentForm, DecisionForm, HelpForm, HouseholdFilterForm, PurposeForm, SearchForm, StepForm
from .models import Case, Household
from .privacy import HOUSEHOLD_FIELDS, MEMBER_FIELDS, household_view, may_see_rows, member_view
from .rules import explain


@login_required
def household_list(request):
    user = request.user
    if not may_see_rows(user):
        return figures_page(request)
    form = HouseholdFilterForm(request.GET)
    qs = households(user, **filter_values(form))
    if wants_xlsx(request):
        return export_households(qs, revealed=False)
    page = paginate(request, qs)
    scope = scope_for(user)
    return render(request, "households/list.html", {
        "form": form, "page": page, "purpose_form": PurposeForm(),
        "may_reveal": scope.role in ("office_admin", "office_editor"),
        "query": request.GET.urlencode(),
    })


@login_required
def household_export(request):
    """The list's export with full numbers: only for those who may reveal every household in
    it, after giving a purpose; logged with the households' count."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    user = request.user
    require(may_see_rows(user))
    from django.http import QueryDict

    params = QueryDict(request.POST.get("query", ""))
    form = HouseholdFilterForm(params)
    qs = households(user, **filter_values(form))
    purpose = request.POST.get("purpose", "")
    error = purpose_error(purpose)
    own = scope_for(user).own
    if error or not own or not may_reveal(user, own) or qs.exclude(village_code__startswith=own).exists():
        messages.error(request, error or _("Your role may not see these households' full personal data."))
        return redirect(f"{_url('households-list')}?{params.urlencode()}")
    ids = list(qs.values_list("id", flat=True)[:100_000])
    log_reveal(user, object_type="households.household", object_ids=ids, fields=MEMBER_FIELDS + HOUSEHOLD_FIELDS,
               purpose=purpose, region_code=own, via="export")
    return export_households(qs, revealed=True)


def _url(name, *args):
    from django.urls import reverse

    return reverse(name, args=args)


def _household(user, pk):
    require(may_see_rows(user))
    return scoped_or_404(user, Household.objects.select_related("village", "county"), pk=pk)


@login_required
def household_detail(request, pk):
    user = request.user
    h = _household(user, pk)
    revealed = False
    purpose_form = PurposeForm(request.POST or None) if request.method == "POST" else PurposeForm()
    can_reveal = may_reveal(user, h.village_code[:6])
    if request.method == "POST":
        if not can_reveal:
            raise PermissionDenied
        if purpose_form.is_valid():
            members = list(h.members.all())
            log_reveal(user, object_type="households.member", object_ids=[m.pk for m in members] or [h.pk],
                       fields=MEMBER_FIELDS + HOUSEHOLD_FIELDS, purpose=purpose_form.cleaned_data["purpose"],
                       region_code=h.village_code[:6], via="page")
            revealed = True
    members = [(m, member_view(m, revealed)) for m in h.members.all()]
    can_edit = can_edit_in_region(user, h.village_code[:6])
    cases = list(h.cases.prefetch_related("steps").all())
    open_case = next((c for c in cases if c.step != Step.CLOSED), None)
    today = timezone.localdate()
    flags = list(h.flags.order_by("-month", "rule")[:20])
    context = {
        "h": h, "hv": household_view(h, revealed), "members": members, "revealed": revealed, "can_reveal": can_reveal,
        "purpose_form": purpose_form, "can_edit": can_edit, "can_change": may_edit(user, h), "cases": cases, "open_case": open_case,
        "incomes": list(h.incomes.all()[:13]), "flags": [(f, explain(f)) for f in flags],
        "help": list(h.help.select_related("project").all()), "events": list(h.events.all()[:50]),
        "clue_form": ClueForm(initial={"clue_on": today}), "consent_form": ConsentForm(initial={"consent_on": today}),
        "step_form": StepForm(initial={"done_on": today, "passed": True}),
        "decision_form": DecisionForm(initial={"on": today, "category": open_case.proposed_category if open_case else ""}),
        "help_form": HelpForm(initial={"started_on": today}), "today": today,
        "elsewhere": [row for rows in parts("household", user, h).values() for row in (rows or [])],
    }
    return render(request, "households/detail.html", context)


def _post_action(request, household, form_class, do, success):
    form = form_class(request.POST)
    if not form.is_valid():
        for field, errs in form.errors.items():
            for e in errs:
                messages.error(request, f"{form.fields[field].label if field in form.fields else ''} {e}".strip())
        return redirect(household.get_absolute_url())
    try:
        do(form.cleaned_data)
    except ValidationError as exc:
        for _field, msgs in messages_of(exc).items():
            for m in msgs:
                messages.error(request, m)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("you may not do this"))
    else:
        messages.success(request, success)
    return redirect(household.get_absolute_url())


def _writable(request, pk):
    if request.method != "POST":
        raise PermissionDenied
    h = _household(request.user, pk)
    require(can_edit_in_region(request.user, h.village_code[:6]))
    return h


@login_required
def clue_create(request, pk):
    h = _writable(request, pk)
    return _post_action(request, h, ClueForm, lambda d: actions.open_case(
        request.user, h, kind=d["kind"], channel=d["channel"], clue_on=d["clue_on"], source=d["source"],
        proposed_category=d["proposed_category"], consent_on=d["consent_on"], consent_by=d["consent_by"], post=d["post"]),
        _("Clue recorded."))


def _case(request, pk, case_pk):
    h = _writable(request, pk)
    return h, scoped_or_404(request.user, Case.objects.filter(household=h), pk=case_pk)


@login_required
def case_consent(request, pk, case_pk):
    h, case = _case(request, pk, case_pk)
    return _post_action(request, h, ConsentForm, lambda d: actions.record_consent(
        request.user, case, on=d["consent_on"], by=d["consent_by"], post=d["post"]), _("Consent recorded."))


@login_required
def case_step(request, pk, case_pk):
    h, case = _case(request, pk, case_pk)
    return _post_action(request, h, StepForm, lambda d: actions.advance(
        request.user, case, step=case.step, done_on=d["done_on"], post=d["post"], finding=d["finding"],
        passed=d["passed"], notice_from=d["notice_from"], notice_to=d["notice_to"]), _("Step recorded."))


@login_required
def case_decide(request, pk, case_pk):
    h, case = _case(request, pk, case_pk)
    return _post_action(request, h, DecisionForm, lambda d: actions.decide(
        request.user, case, decision=d["decision"], on=d["on"], post=d["post"], category=d["category"],
        finding=d["finding"]), _("Decision recorded."))


@login_required
def help_create(request, pk):
    h = _writable(request, pk)

    def do(d):
        project = None
        if d["project"]:
            from xiezuo.projects.models import Project

            project = scoped_or_404(request.user, Project.objects.all(), pk=d["project"])
        return actions.add_help(request.user, h, kind=d["kind"], description=d["description"], started_on=d["started_on"],
                                post=d["post"], project=project, amount_fen=(d["amount_yuan"] or 0) * 100)

    return _post_action(request, h, HelpForm, do, _("Help measure recorded."))


def _figure_rows(rows, level, day):
    """The figures' table rows as HTML, built here: the national page has some 460 counties of 18
    cells, which the template engine took most of the page's time to render one by one."""
    from django.utils.html import format_html, format_html_join
    from django.utils.safestring import mark_safe

    from xiezuo.core.templatetags.xiezuo import num

    below = "township" if level == "county" else "village"
    out = []
    for r in rows:
        if level != "village":
            area = format_html('<a href="?level={}&amp;prefix={}&amp;day={}">{}</a>', below, r["unit"], day.isoformat(), r["name"])
        else:
            area = format_html("{}", r["name"])
        cells = [r["monitored"], r["by_category"]["unstable"], r["by_category"]["marginal"], r["by_category"]["sudden"],
                 r["by_status"]["identifying"], r["by_status"]["exited"], r["identified"], r["exited"]]
        helps = [r["help"][k] for k in ("employment", "project", "insurance", "medical", "education", "social")]
        overdue = format_html('<span class="badge text-bg-danger">{}</span>', num(r["overdue"])) if r["overdue"] else "0"
        out.append(format_html(
            '<tr><td>{} <span class="small text-body-secondary font-monospace">{}</span></td>{}<td>{}</td>{}<td>{}</td><td>{}</td></tr>\n',
            area, r["unit"], format_html_join("", "<td>{}</td>", ((num(v),) for v in cells)),
            "—" if r["median_days"] is None else r["median_days"],
            format_html_join("", "<td>{}</td>", ((num(v),) for v in helps)), overdue, num(r["without_help"])))
    return mark_safe("".join(out))


@login_required
def figures_page(request):
    user = request.user
    level = request.GET.get("level") if request.GET.get("level") in LEVELS else "county"
    prefix = "".join(ch for ch in request.GET.get("prefix", "") if ch.isdigit())[:12]
    try:
        day = datetime.date.fromisoformat(request.GET.get("day", "")) if request.GET.get("day") else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    rows = figures(user, level, prefix, day)
    return render(request, "households/figures.html", {
        "rows": rows, "rows_html": _figure_rows(rows, level, day), "total": totals(rows), "level": level, "prefix": prefix, "day": day, "levels": list(LEVELS),
        "rows_visible": may_see_rows(user),
    })


@login_required
def person_search(request):
    """Find a person by ID number through the keyed hash; the number typed is not echoed."""
    user = request.user
    require(may_see_rows(user))
    form = SearchForm(request.POST or None)
    found, searched = None, False
    if request.method == "POST" and form.is_valid():
        searched = True
        member = actions.find_person(form.cleaned_data["id_number"])
        if member is not None and Household.objects.visible_to(user).filter(pk=member.household_id).exists():
            found = (member, member_view(member))
        form = SearchForm()
    return render(request, "households/search.html", {"form": form, "found": found, "searched": searched})


@login_required
def lines_page(request):
    """The monitoring lines: every office reads those of its area; the province office and the
    national coordinator set them (`lines.set_line`)."""
    from .forms import LineForm
    from .lines import set_line
    from .models import MonitoringLine

    user = request.user
    form = LineForm(request.POST or None, initial={"year": timezone.localdate().year})
    status = 200
    if request.method == "POST" and form.is_valid():
        from xiezuo.regions.models import Region

        d = form.cleaned_data
        region = Region.objects.filter(code=d["region"]).first()
        if region is None:
            form.add_error("region", _("No region with this code."))
        else:
            try:
                set_line(user, region, d["year"], d["line_yuan"], near_percent=d["near_percent"],
                         fall_percent=d["fall_percent"], rigid_percent=d["rigid_percent"], note=d["note"])
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
                status = 403
            except ValueError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Monitoring line saved."))
                return redirect("households-lines")
    scope = scope_for(user)
    lines = MonitoringLine.objects.select_related("region").order_by("-year", "region__code")
    if not scope.everything:  # the lines of its area and of its province, which apply to it
        from django.db.models import Q

        own = scope.own or "-"
        lines = lines.filter(Q(region__code__startswith=own) | Q(region__code=own[:2] + "0000")) if scope.active else lines.none()
    may_set = scope.active and (scope.role == "national" or (scope.role in ("office_admin", "office_editor")
                                                               and scope.own is not None and len(scope.own) == 2))
    return render(request, "households/lines.html", {"form": form, "lines": lines, "may_set": may_set}, status=status)


def _member_formset():
    from django.forms import BaseFormSet, formset_factory

    from .forms import MemberEditForm

    class Members(BaseFormSet):
        def __init__(self, *args, masked=(), **kwargs):
            self.masked = list(masked)
            super().__init__(*args, **kwargs)

        def get_form_kwargs(self, index):
            return {"masked": self.masked[index] if index is not None and index < len(self.masked) else None}

    return formset_factory(MemberEditForm, formset=Members, extra=2, max_num=30)


@login_required
def household_edit(request, pk):
    """Change a household and its members: only its county's editors (and the offices above);
    personal fields shown masked as placeholders, written only when typed or cleared."""
    from .forms import HouseholdEditForm
    from .models import Village

    user = request.user
    h = _household(user, pk)
    require(may_edit(user, h))
    members = list(h.members.all())
    masked_h = household_view(h)
    masked_m = [{k: v for k, v in member_view(m).items()} for m in members]
    initial_h = {"village": h.village_code, "number": h.number, "formerly_poor": h.formerly_poor,
                 "housing_safe": h.housing_safe, "water_safe": h.water_safe}
    initial_m = [{"id": m.pk, "relation": m.relation, "name": m.name, "health": m.health, "education": m.education,
                  "employment": m.employment, "out_of_school": m.out_of_school, "medical_insured": m.medical_insured,
                  "active": m.active} for m in members]
    Members = _member_formset()
    status = 200
    if request.method == "POST":
        form = HouseholdEditForm(request.POST, masked=masked_h)
        formset = Members(request.POST, prefix="members", initial=initial_m, masked=masked_m)
        if form.is_valid() and formset.is_valid():
            village = Village.objects.filter(code=form.cleaned_data["village"]).first()
            positions, changes = [], []
            for f in formset.forms:
                values = f.values()
                if values is not None:
                    positions.append(f)
                    changes.append(values)
            if village is None:
                form.add_error("village", _("No village with this code."))
            else:
                try:
                    edit_household(user, h, form.values(), changes, village=village)
                except ValidationError as exc:
                    for key, msgs in messages_of(exc).items():
                        target, field = form, key
                        if key.startswith("members["):
                            i = int(key[len("members["):key.index("]")])
                            target, field = positions[i], key.split(".", 1)[1]
                        for m in msgs:
                            target.add_error(field if field in target.fields else None, m)
                except PermissionDenied as exc:
                    form.add_error(None, str(exc))
                    status = 403
                else:
                    messages.success(request, _("Household saved."))
                    return redirect(h.get_absolute_url())
    else:
        form = HouseholdEditForm(initial=initial_h, masked=masked_h)
        formset = Members(prefix="members", initial=initial_m, masked=masked_m)
    rows = [(f, members[i] if i < len(members) else None) for i, f in enumerate(formset.forms)]
    return render(request, "households/edit.html", {"h": h, "form": form, "formset": formset, "rows": rows},
                  status=status)
