"""Pages of the assessment: scorecards of a period, one scorecard, the rows behind a
number, and the indicator system with its versions and editor.

Thin: who may see a scorecard and its rows is decided in `scorecards` (404 outside the
user's view, PermissionDenied for the rows of a partner's scorecard), what a list holds in
`listing`, the rows in `evidence`, the spreadsheets in `reports`, every change in
`actions.new_version` and `tasks`.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiezuo.core.scoping import visible
from xiezuo.core.ui.views import paginate, require, wants_xlsx

from .. import evidence, listing, orders, reports, restatements, tasks
from ..actions import may_change_indicators, new_version
from ..choices import Grade, Level, PeerGroup
from ..facts import FACTS
from ..forms import IndicatorSystemForm, RecomputeForm, ScorecardFilterForm
from ..models import Computation, IndicatorSystem, Score
from ..scoring import MIN_COVERAGE
from xiezuo.core.periods import Period, PeriodError
from ..scorecards import formula_words, pairing_scorecard_for, restated_lines, restatement_found_at, restatement_lines, scorecard_for

SECTION = "scorecard"  # scorecard pages under “Assessment” in the top bar (indicator pages are “indicator-*”)


def _version_number(request):
    value = request.GET.get("version") or ""
    return int(value) if value.isdigit() else None


# --- the list -------------------------------------------------------------------------


@login_required
def scorecard_list(request):
    user = request.user
    period = listing.parse_period(request.GET.get("period"), timezone.localdate())
    versions = listing.versions_of(period)
    system = listing.version_for(period, _version_number(request))
    form = ScorecardFilterForm(request.GET or None, periods=listing.period_choices(period), versions=versions,
                               initial={"period": period.label})
    values = form.cleaned_data if form.is_bound and form.is_valid() else {}
    filters = listing.Filters(level=values.get("level", ""), peer_group=values.get("peer_group", ""),
                              grade=values.get("grade", ""), stale=bool(values.get("stale")), q=values.get("q", ""))
    rows = listing.scores(user, period, system, filters)
    if wants_xlsx(request):
        return reports.scorecard_list(rows, period, system)
    version = system.number if system and _version_number(request) else None
    summary = listing.overview(rows, period, version)
    page = paginate(request, rows.defer("facts", "values"))  # the list shows totals only; the JSON is the bulk of a row
    order_link = orders.score_order_link(user)  # a 限期整改 order by hand, where the user may issue one
    for s in page:
        s.order_url = order_link(s)
        s.name = listing.subject_name(s)
        s.code = listing.subject_code(s)
        s.url = listing.detail_url(s, period, version)
    return render(request, "assessment/list.html", {
        "section": SECTION, "form": form, "page": page, "period": period, "system": system, "versions": versions,
        "computation": listing.computation_of(period, system), "total": summary["total"], "stale": summary["stale"],
        "grade_counts": [(label, summary["grades"].get(value, 0), value) for value, label in Grade.choices],
        "min_coverage": MIN_COVERAGE,
        "ungraded": summary["grades"].get("", 0),
        "map": {"data": summary["map"], "pieces": listing.grade_pieces(system),
                "labels": {"pairs": _("province pairs"), "counties": _("counties"), "composite": _("composite"),
                           "incomplete": _("incomplete data")}},
        "can_recompute": may_change_indicators(user),
        "recompute_period": period.label,
    })


@login_required
@require_POST
def scorecard_recompute(request):
    """The national coordinator's “recompute”: the period under the current version, in
    the background where a queue exists (eager in-process by default)."""
    require(may_change_indicators(request.user))
    form = RecomputeForm(request.POST)
    label = form.data.get("period", "")
    try:
        period = Period.parse(label)
    except PeriodError:
        messages.error(request, _("“%(p)s” is not a period (examples: 2026, 2026Q3)") % {"p": label})
        return redirect("scorecard-list")
    result = _run_in_background(tasks.recompute_period, period.label)
    if isinstance(result, dict):
        messages.success(request, _("%(period)s recomputed under version %(v)s: %(n)s scores in %(s)s s.") % {
            "period": result["period"], "v": result["version"], "n": result["scores"], "s": result["seconds"]})
    else:
        messages.info(request, _("%(period)s is being recomputed in the background.") % {"period": period.label})
    return redirect(f"{reverse('scorecard-list')}?period={period.label}")


def _run_in_background(task, *args):
    """Eager (the embedded default): run now and return the result. With a broker: hand
    the task to a worker and return None, so the page does not wait for a national
    recomputation."""
    try:
        from xiezuo.celery import app
    except ImportError:  # pragma: no cover - Celery is part of the requirements
        return tasks.enqueue(task, *args)
    if app.conf.task_always_eager or not hasattr(task, "delay"):
        return tasks.enqueue(task, *args)
    task.delay(*args)
    return None


# --- one scorecard --------------------------------------------------------------------


def _card(request, kind, ident, period_label):
    """(card, period, subject) or Http404; the version from ?version=N."""
    try:
        period = Period.parse(period_label)
    except PeriodError:
        raise Http404(_("no such period"))
    number = _version_number(request)
    system = get_object_or_404(IndicatorSystem, number=number) if number else None
    user = request.user
    if kind == "region":
        card = scorecard_for(user, ident, period, system)
        from xiezuo.regions.models import Region

        subject = Region.objects.get(code=ident)
    elif kind == "pairing" and ident.isdigit():
        from xiezuo.pairings.models import Pairing

        card = pairing_scorecard_for(user, int(ident), period, system)
        subject = Pairing.objects.select_related("east_region", "west_region").get(pk=int(ident))
    else:
        raise Http404(_("no such scorecard"))
    return card, period, subject


def _other_versions(user, card):
    qs = visible(user, Score.objects.filter(subject_key=card.subject_key, period_kind=card.period.kind,
                                            period_start=card.period.start))
    return sorted(qs.values_list("system__number", flat=True), reverse=True)


@login_required
def scorecard_detail(request, kind, ident, period):
    user = request.user
    card, period, subject = _card(request, kind, ident, period)
    trend = listing.trend(user, card.subject_key, period.kind) if card.computed else []
    indicators = {i.code: i for i in card.system.indicators.all()} if card.system else {}
    if wants_xlsx(request):
        return reports.scorecard(card, subject, trend, indicators)
    explicit = _version_number(request)
    lines = []
    for line in card.lines:
        ind = indicators.get(line.code)
        facts = [(name, value, evidence.show_fact(name, value), str(FACTS[name].label)) for name, value in line.facts.items()]
        lines.append({"line": line, "indicator": ind, "facts": facts,
                      "evidence_url": _evidence_url(kind, ident, period, line.code, explicit)})
    chart = {
        "periods": [s.period_label for s in trend],
        "composite": [listing._num(s.composite) for s in trend],
        "basic": [listing._num(s.basic) for s in trend],
        "effectiveness": [listing._num(s.effectiveness) for s in trend],
        "pieces": listing.grade_pieces(card.system),
        "indicators": [{"name": li["line"].name, "score": listing._num(li["line"].score)} for li in lines],
        "labels": {"composite": _("composite"), "basic": _("basic guarantee"), "effectiveness": _("strategic effectiveness"),
                   "score": _("score")},
    }
    return render(request, "assessment/detail.html", {
        "section": SECTION, "card": card, "period": period, "subject": subject, "kind": kind, "lines": lines,
        "trend": [{"score": s, "url": listing.detail_url(s.subject_key, s.period, explicit)} for s in trend],
        "chart": chart, "map": _subject_map(card, subject, kind), "versions": _other_versions(user, card), "explicit_version": explicit,
        "peer_group_label": dict(PeerGroup.choices).get(card.peer_group, ""),
        "previous_url": listing.detail_url(card.subject_key, period.previous(), explicit),
        "next_url": listing.detail_url(card.subject_key, period.next(), explicit),
        "can_recompute": may_change_indicators(user),
        "order_url": orders.score_order_link(user)(card.score) if card.computed else "",
        "restatement": restatement_lines(card), "restatement_found_at": restatement_found_at(card),
        "restated": restated_lines(card),
        "can_restate": bool(card.computed and card.score.restatement and may_change_indicators(user)),
        "restate_url": reverse("scorecard-restate", args=[kind, ident, period.label]),
    })


@login_required
@require_POST
def scorecard_restate(request, kind, ident, period):
    """The national coordinator's 重述: a closed scorecard takes its pending figures."""
    require(may_change_indicators(request.user))
    card, period, subject = _card(request, kind, ident, period)
    if not card.computed:
        raise Http404(_("no scorecard has been computed for this period"))
    try:
        restatements.restate(request.user, card.score)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(subject)s %(period)s restated: the new figures are in force, the old ones are kept.") % {
            "subject": subject, "period": period.label})
    return redirect(listing.detail_url(card.subject_key, period, _version_number(request)))


def _subject_map(card, subject, kind) -> dict:
    """The subject on the province map: its province(s) shaded by its composite, a county
    as a point at its seat; and, for a county or prefecture (one province), that province's
    counties as areas with the subject's shaded, which the page draws instead."""
    from django.templatetags.static import static

    from xiezuo.regions.models import Region, province_of

    if kind == "region":
        places = [subject]
    else:
        places = [subject.east_region, subject.west_region]
    provinces = dict(Region.objects.filter(code__in=[province_of(p.code) for p in places]).values_list("code", "name"))
    incomplete = getattr(card.score, "grade", "") == Grade.INCOMPLETE
    value = None if incomplete else listing._num(card.composite)  # an incomplete composite is not painted as a grade
    areas, points = [], []
    for place in places:
        name = provinces.get(province_of(place.code))
        if name and value is not None:
            areas.append({"name": name, "value": value, "pairs": [f"{subject}: {card.composite}"], "url": ""})
        if place.level != "province" and place.longitude is not None and value is not None:
            points.append({"name": place.name, "value": [place.longitude, place.latitude, value],
                           "grade": card.score.get_grade_display(), "url": ""})
    counties = None
    if kind == "region" and subject.level != "province" and card.score is not None:
        # the place itself is drawn either way; an incomplete composite in grey (no grade colour)
        province = province_of(subject.code)
        counties = {"province": province, "geo_url": static(f"vendor/geo/counties/{province}.json"),
                    "prefix": subject.prefix, "name": str(subject), "value": value, "grade": card.score.get_grade_display()}
    return {"data": {"areas": areas, "points": points}, "counties": counties, "pieces": listing.grade_pieces(card.system),
            "labels": {"pairs": _("province pairs"), "counties": _("counties"), "composite": _("composite")}}


def _evidence_url(kind, ident, period, code, version):
    url = reverse("scorecard-evidence", args=[kind, ident, period.label, code])
    return f"{url}?version={version}" if version else url


@login_required
def scorecard_evidence(request, kind, ident, period, code):
    """The rows behind one indicator of one scorecard: each fact its formula reads, with
    the stored value, the filter that counted it, and the rows themselves."""
    card, period, subject = _card(request, kind, ident, period)
    if not card.computed or code not in (card.score.values or {}):
        raise Http404(_("this scorecard has no such indicator"))
    if not card.evidence_visible:
        raise PermissionDenied(_("the rows behind another region's scorecard are not shown to you"))
    indicator = card.system.indicators.get(code=code)
    tables = [evidence.table(card, name) for name in evidence.facts_of(indicator.formula)]
    if wants_xlsx(request):
        return reports.evidence(card, subject, indicator, tables)
    line = next((li for li in card.lines if li.code == code), None)
    explicit = _version_number(request)
    pending = next((c for c in restatement_lines(card) if c["code"] == code), None)
    return render(request, "assessment/evidence.html", {
        "section": SECTION, "card": card, "period": period, "subject": subject, "kind": kind, "indicator": indicator, "line": line,
        "tables": tables, "scorecard_url": listing.detail_url(card.subject_key, period, explicit),
        "computation": card.score.computation, "formula_words": formula_words(indicator.formula), "restatement": pending,
    })


# --- the indicator system -------------------------------------------------------------


@login_required
def indicator_system(request, number=None):
    """A version of the indicator system (the current one by default) and all versions."""
    system = get_object_or_404(IndicatorSystem, number=number) if number else IndicatorSystem.current()
    versions = list(IndicatorSystem.objects.select_related("created_by").order_by("-number"))
    runs = {}
    for c in Computation.objects.order_by("period_start").values("system_id", "period_label"):
        runs.setdefault(c["system_id"], []).append(c["period_label"])
    for v in versions:
        v.periods = runs.get(v.pk, [])
    facts = _fact_rows()
    levels = dict(Level.choices)
    indicators = list(system.indicators.order_by("seq", "code"))
    for ind in indicators:
        ind.level_labels = [str(levels.get(lv, lv)) for lv in ind.levels or []]
        ind.formula_words = formula_words(ind.formula)
        ind.definitions = _definitions(ind.formula)
    return render(request, "assessment/indicators.html", {
        "system": system, "indicators": indicators,
        "cutoffs": system.cutoffs, "versions": versions, "can_edit": may_change_indicators(request.user),
        "facts": facts, "total_weight": sum(i.weight for i in system.indicators.all()),
    })


def _definitions(text: str) -> list[tuple[str, str]]:
    """(fact label, which rows count, in words) for each fact an indicator's formula reads."""
    from ..facts import words

    try:
        names = evidence.facts_of(text)
    except Exception:  # a formula saved before a fact was renamed: show it as it is
        return []
    return [(str(FACTS[n].label), words(n)) for n in names if n in FACTS]


def _fact_rows():
    from ..facts import FACT_NAMES, words

    return [(name, FACTS[name].label, words(name)) for name in sorted(FACT_NAMES, key=lambda n: str(FACTS[n].label))]


@login_required
def indicator_edit(request):
    """The national coordinator edits the current version; saving makes a new one."""
    user = request.user
    require(may_change_indicators(user))
    current = IndicatorSystem.current()
    status = 200
    if request.method == "POST":
        form = IndicatorSystemForm(request.POST, system=current)
        if form.is_valid():
            changes = form.changes()
            if not changes:
                form.add_error(None, _("Nothing was changed, so no new version was made."))
            else:
                try:
                    system = new_version(user, changes, note=form.cleaned_data.get("note") or "")
                except ValidationError as exc:
                    form.put_action_errors(exc)
                except PermissionDenied as exc:
                    form.add_error(None, str(exc))
                    status = 403
                else:
                    messages.success(request, _("Version %(n)s of the indicator system is now current. Scorecards already "
                                                "computed keep their version until their period is recomputed.") % {"n": system.number})
                    return redirect("indicator-version", number=system.number)
    else:
        form = IndicatorSystemForm(system=current)
    facts = _fact_rows()
    return render(request, "assessment/indicator_form.html", {"form": form, "system": current,
                                                              "facts": facts}, status=status)

