"""Pages of 结对优化: the pairing model, scenarios (list, create, detail with the diff, the
map, the duals and the sensitivity, Excel and print), comparison, approval."""
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiezuo.core.scoping import scope_for
from xiezuo.core.ui.views import paginate, require, run_action, wants_xlsx
from xiezuo.pairings.models import Pairing
from xiezuo.regions.models import Region

from . import actions
from .exports import export_scenario
from .forms import ApproveForm, ModelForm, ScenarioForm
from .models import Change, ChangeStatus, PairingModel, Scenario
from .scenarios import LOSS_FORBIDDEN, LOSS_LIMIT
from .terms import KINDS, MISSING_TREATMENT


def _scenario(user, pk):
    qs = Scenario.objects.visible_to(user).select_related("model", "created_by")
    return get_object_or_404(qs, pk=pk)


def _readable(user):
    if not actions.can_read(user):
        raise Http404


def scopes_for(user):
    """The scopes the user may run a scenario in: (value, label)."""
    day = timezone.localdate()
    pairs = Pairing.objects.in_force(day).filter(kind="province").select_related("east_region", "west_region").order_by(
        "east_region__code", "west_region__code")
    scope = scope_for(user)
    out = []
    if scope.role == "national":
        out.append(("", _("every province (national)")))
    for p in pairs:
        if scope.role == "national" or (scope.own and (p.east_region.code.startswith(scope.own) or p.west_region.code.startswith(scope.own))):
            out.append((f"{p.east_region.code}-{p.west_region.code}", f"{p.east_region.name} — {p.west_region.name}"))
    return out


@login_required
def model_page(request):
    _readable(request.user)
    model = actions.ensure_model()
    if request.GET.get("version"):
        model = get_object_or_404(PairingModel, number=request.GET["version"])
    terms = [{**t, "label": KINDS.get(t["kind"], {}).get("label", t["kind"]), "formula": KINDS.get(t["kind"], {}).get("formula", ""),
              "facts": KINDS.get(t["kind"], {}).get("facts", []),
              "params_text": ", ".join(f"{k}={v}" for k, v in (t.get("params") or {}).items())} for t in model.terms]
    return render(request, "repairing/model.html", {
        "model": model, "terms": terms, "versions": PairingModel.objects.all()[:50], "missing_treatment": MISSING_TREATMENT,
        "total_weight": sum(float(t["weight"]) for t in model.terms), "can_edit": actions.can_edit_model(request.user),
        "current": PairingModel.current(),
    })


@login_required
def model_edit(request):
    _readable(request.user)
    require(actions.can_edit_model(request.user))
    current = actions.ensure_model(request.user)
    form = ModelForm(request.POST or None, initial={"terms": json.dumps(current.terms, ensure_ascii=False, indent=2)})
    status = 200
    if request.method == "POST" and form.is_valid():
        m, status = run_action(form, request, lambda: actions.save_model(request.user, terms=form.cleaned_data["terms"],
                                                                          note=form.cleaned_data["note"]),
                               _("The pairing model was saved as a new version."), rename={"terms": "terms"})
        if m is not None:
            return redirect(f"{_url('repairing-model')}?version={m.number}")
    return render(request, "repairing/model_edit.html", {"form": form, "current": current, "kinds": KINDS}, status=status)


def _url(name, *args):
    from django.urls import reverse

    return reverse(name, args=args)


@login_required
def scenario_list(request):
    _readable(request.user)
    qs = Scenario.objects.visible_to(request.user).select_related("model", "created_by")
    page = paginate(request, qs)
    return render(request, "repairing/list.html", {"page": page, "can_run": bool(_runnable_scopes(request.user))})


def _runnable_scopes(user):
    return [s for s in scopes_for(user) if actions.can_run(user, "county", *(s[0].split("-") if s[0] else ("", "")))]


@login_required
def scenario_create(request):
    _readable(request.user)
    scopes = _runnable_scopes(request.user)
    require(bool(scopes))
    model = actions.ensure_model(request.user)
    form = ScenarioForm(request.POST or None, scopes=scopes, model=model)
    status = 200
    if request.method == "POST" and form.is_valid():
        v = form.values()
        s, status = run_action(form, request, lambda: actions.create_scenario(request.user, model=model, **v),
                               _("The scenario was saved and is being solved."),
                               rename={"east_province": "scope", "west_province": "scope"})
        if s is not None:
            return redirect(s.get_absolute_url())
    return render(request, "repairing/create.html", {"form": form, "model": model}, status=status)


def _errors(exc) -> str:
    return "; ".join(m for ms in exc.message_dict.values() for m in ms) if hasattr(exc, "error_dict") else "; ".join(exc.messages)


def _regions(codes):
    return {r.code: r for r in Region.objects.filter(code__in=codes)}


def map_payload(s: Scenario, changes):
    """Lines east → west for the proposal; changed pairs highlighted, dropped ones dashed."""
    r = s.result or {}
    pairs = r.get("pairs", [])
    removed = [(c.old_east.code, c.west.code) for c in changes if c.old_east_id]
    codes = {p["east"] for p in pairs} | {p["west"] for p in pairs} | {c for pr in removed for c in pr}
    regions = _regions(codes)

    def xy(code):
        reg = regions.get(code)
        return None if reg is None or reg.longitude is None else [reg.longitude, reg.latitude]

    lines = []
    for p in pairs:
        a, b = xy(p["east"]), xy(p["west"])
        if a and b:
            lines.append({"coords": [a, b], "name": f"{p['east_name']} → {p['west_name']}", "kind": "kept" if p["kept"] else "added"})
    for e, w in removed:
        a, b = xy(e), xy(w)
        if a and b:
            lines.append({"coords": [a, b], "name": f"{regions[e].name} → {regions[w].name}", "kind": "removed"})
    points = [{"name": reg.name, "value": [reg.longitude, reg.latitude], "side": reg.role} for reg in regions.values() if reg.longitude is not None]
    return {"lines": lines, "points": points,
            "labels": {"kept": _("kept"), "added": _("added"), "removed": _("removed")}}


@login_required
def scenario_detail(request, pk):
    _readable(request.user)
    s = _scenario(request.user, pk)
    order = {"reassigned": 0, "removed": 1, "added": 2}
    changes = sorted(s.changes.select_related("west", "old_east", "new_east", "new_pairing", "approved_by"),
                     key=lambda c: (order.get(c.kind, 3), c.west.code, c.pk))
    if wants_xlsx(request):
        return export_scenario(s, changes)
    r = s.result or {}
    terms = [t["code"] for t in s.model.terms]
    rows = []
    for c in changes:
        note = _(c.loss_note) if c.loss_note in (LOSS_FORBIDDEN, LOSS_LIMIT) else c.loss_note
        rows.append({"c": c, "loss_note": note, "terms": [(code, (c.old_terms.get("terms") or {}).get(code), (c.new_terms.get("terms") or {}).get(code)) for code in terms],
                     "deciding": c.deciding[:2]})
    counts = {k: sum(1 for c in changes if c.kind == k) for k in ("added", "removed", "reassigned")}
    counts["kept"] = sum(1 for p in r.get("pairs", []) if p.get("kept"))
    can_approve = actions.can_approve(request.user, s) and s.status in ("optimal", "time_limit")
    template = "repairing/print.html" if request.GET.get("print") else "repairing/detail.html"
    names = dict(Region.objects.filter(code__in=[c for c in (s.east_province, s.west_province) if c]).values_list("code", "name"))
    scope_label = f"{names.get(s.east_province, s.east_province)} — {names.get(s.west_province, s.west_province)}" if s.east_province else _("national")
    params = sorted((s.parameters or {}).items())
    return render(request, template, {
        "s": s, "r": r, "rows": rows, "scope_label": scope_label, "params": params, "terms": terms, "counts": counts, "can_approve": can_approve,
        "pending": sum(1 for c in changes if c.status == ChangeStatus.PROPOSED),
        "approve_form": ApproveForm(initial={"end_date": timezone.localdate()}),
        "map": map_payload(s, changes) if r.get("pairs") else None,
        "running": not s.done, "pairs": r.get("pairs", [])[:500],
        "others": Scenario.objects.visible_to(request.user).exclude(pk=s.pk)[:30], "missing_treatment": MISSING_TREATMENT,
    })


@login_required
@require_POST
def change_approve(request, pk):
    _readable(request.user)
    change = get_object_or_404(Change.objects.select_related("scenario"), pk=pk)
    s = _scenario(request.user, change.scenario_id)
    require(actions.can_approve(request.user, s))
    form = ApproveForm(request.POST)
    if form.is_valid():
        try:
            actions.approve_change(request.user, change, end_date=form.cleaned_data["end_date"])
            messages.success(request, _("The change was approved and applied to the pairings."))
        except ValidationError as exc:  # shown; nothing applied
            messages.error(request, _errors(exc))
    else:
        messages.error(request, _("Give the date today's pair ends on."))
    return redirect(s.get_absolute_url() + "#changes")


@login_required
@require_POST
def scenario_approve_all(request, pk):
    _readable(request.user)
    s = _scenario(request.user, pk)
    require(actions.can_approve(request.user, s))
    form = ApproveForm(request.POST)
    if form.is_valid():
        try:
            n = actions.approve_all(request.user, s, end_date=form.cleaned_data["end_date"])
            messages.success(request, _("%(n)s changes were approved and applied to the pairings.") % {"n": n})
        except ValidationError as exc:
            messages.error(request, _errors(exc))
    return redirect(s.get_absolute_url() + "#changes")


@login_required
def scenario_compare(request):
    _readable(request.user)
    try:
        a = _scenario(request.user, int(request.GET.get("a", "")))
        b = _scenario(request.user, int(request.GET.get("b", "")))
    except ValueError:
        raise Http404
    pa = {(p["east"], p["west"]): p for p in (a.result or {}).get("pairs", [])}
    pb = {(p["east"], p["west"]): p for p in (b.result or {}).get("pairs", [])}
    only_a = [pa[k] for k in sorted(set(pa) - set(pb))]
    only_b = [pb[k] for k in sorted(set(pb) - set(pa))]
    return render(request, "repairing/compare.html", {"a": a, "b": b, "only_a": only_a[:500], "only_b": only_b[:500],
                                                      "common": len(set(pa) & set(pb))})

