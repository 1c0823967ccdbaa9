from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import translation

from xiezuo.core.money import format_wan
from xiezuo.core.scoping import scope_for
from xiezuo.people.models import PersonKind

from .channels import channels
from .feed import latest
from .figures import dashboard, map_province
from .stream import event_stream, shared_figures


def _require_scope(request):
    if not scope_for(request.user).active:
        raise PermissionDenied


@login_required
@shared_figures  # the figures re-fetch after an event: one computation per office and change
def dashboard_page(request):
    _require_scope(request)
    if request.GET.get("partial") == "channels":
        return render(request, "live/_channels.html", {"c": channels(request.user)})
    data = dashboard(request.user)
    kinds = dict(PersonKind.choices)
    data["people_labelled"] = [(kinds.get(k, k), n) for k, n in sorted(data["people"].items())]
    money = [(key, data["money"].get(key)) for key in ("committed", "allocated", "arrived", "disbursed", "spent")]
    money = [(k, v, format_wan(v) if v is not None else None) for k, v in money]
    # five figures in a row fit up to ten characters each ("999,999.99", in 10k yuan); national
    # sums run to thirteen ("12,257,338.00") and then stand three to a row instead of overlapping
    wide = any(w is not None and len(w) > 10 for _k, _v, w in money)
    context = {"d": data, "money": money, "money_wide": wide, "section": "dashboard"}
    if request.GET.get("partial") == "figures":
        return render(request, "live/_figures.html", context)
    data["feed"] = latest(request.user)  # worded as the pushed events are (live.feed)
    province = map_province(request.user, data["points"])
    context["chart"] = {"sankey": data["sankey"], "points": data["points"], "map": {
        "province": province, "geo_url": static(f"vendor/geo/counties/{province}.json") if province else None,
        "own": scope_for(request.user).own or ""}}
    return render(request, "live/dashboard.html", context)


@login_required
def events(request):
    _require_scope(request)
    # EventSource sends Last-Event-ID when it reconnects by itself; the page's own reconnect
    # (after a silent connection) passes it as ?last=.
    last = request.headers.get("Last-Event-ID") or request.GET.get("last") or None
    response = StreamingHttpResponse(event_stream(request.user, language=translation.get_language(), last_event_id=last),
                                     content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
