"""Server-sent events for the dashboard: each open page gets the events its user may see,
worded in its user's language.

An event names the regions it concerns; the user sees it when the scoping rule lets them see
one of those regions (`Scope.sees_region`: their own subtree and the regions paired with
it, as on every page). Each event sent carries `lines`, [{"time", "text"}]: the feed lines
of `live.feed` in the reader's language and Beijing time, the same lines a reload reads back
from the records."""
import json
import random
import re
import time

from django.utils import translation

from xiezuo.core.events import Gap, broker
from xiezuo.core.scoping import scope_for

from . import feed

KEEPALIVE_SECONDS = 15
MAX_SECONDS = 600  # the browser's EventSource reconnects by itself, resuming from its last id
RETRY_MS, RETRY_JITTER_MS = 2000, 2000  # a page whose connection broke reconnects within 2–4 s


def visible_items(scope, items):
    return [it for it in items if scope.sees_region(it.get("county", "")) or (it.get("east") and scope.sees_region(it["east"]))]


def filter_event(scope, message: str) -> str | None:
    """The event as this user may see it, or None."""
    try:
        event = json.loads(message)
    except ValueError:
        return None
    data = event.get("data") or {}
    if "items" in data:
        items = visible_items(scope, data["items"])
        if not items:
            return None
        event["data"] = {**data, "items": items, "count": len(items) if not scope.everything else data.get("count", len(items))}
        if "amount_fen" in data and not scope.everything:  # a batch total covers only what this user may see
            event["data"]["amount_fen"] = sum(it.get("amount_fen", 0) for it in items)
    elif not scope.everything:
        # Single events name their regions; one the user may not see is never sent.
        codes = [c for c in [data.get("county"), data.get("east"), *(data.get("regions") or [])] if c]
        if not any(scope.sees_region(code) for code in codes):
            return None
    return json.dumps(event, ensure_ascii=False)


def worded(shown: str, language: str | None = None) -> str:
    """The filtered event with its feed lines, in `language`."""
    event = json.loads(shown)
    with translation.override(language):
        moment = feed.when(event.get("time"))
        event["lines"] = [{"time": moment, "text": text} for text in feed.lines(event.get("kind", ""), event.get("data") or {})]
    return json.dumps(event, ensure_ascii=False)


def event_stream(user, max_seconds=MAX_SECONDS, language: str | None = None, last_event_id: str | None = None):
    """The SSE text for one open page. Each event carries its `id:`; a page that reconnects
    with the last id it saw gets the events it missed first (from the broker's replay
    window), or one `resync` event when they are no longer kept, so it re-fetches its figures
    once. A `ping` every KEEPALIVE_SECONDS carries the latest id seen (including events this
    user may not see, so a reconnect does not wade through them again) and lets the page
    notice a connection that went silent."""
    scope = scope_for(user)
    resync = False
    try:
        subscription = broker().subscribe(after=last_event_id or None)
    except Gap:
        subscription, resync = broker().subscribe(), True
    started = time.monotonic()
    seen = subscription.start_id if (resync or not last_event_id) else last_event_id
    try:
        yield f"retry: {RETRY_MS + random.randrange(RETRY_JITTER_MS)}\n\n"  # spread the reconnects of a dead worker's pages
        if resync:
            yield f"id: {seen}\nevent: resync\ndata: {{}}\n\n"
        sent = time.monotonic()
        while sent - started < max_seconds:
            event = subscription.next(timeout=KEEPALIVE_SECONDS)
            if subscription.overflowed:  # this page fell too far behind: start again from now
                subscription.close()
                subscription = broker().subscribe()
                seen = subscription.start_id
                yield f"id: {seen}\nevent: resync\ndata: {{}}\n\n"
                sent = time.monotonic()
                continue
            shown = None
            if event is not None:
                seen, message = event
                shown = filter_event(scope, message)
            if shown:
                shown = worded(shown, language)
                kind = json.loads(shown).get("kind", "message")
                yield f"id: {seen}\nevent: {kind}\ndata: {shown}\n\n"
                sent = time.monotonic()
            elif time.monotonic() - sent >= KEEPALIVE_SECONDS:
                yield f"id: {seen}\nevent: ping\ndata: {{}}\n\n"
                sent = time.monotonic()
    finally:
        subscription.close()


FIGURES_SECONDS = 10  # how long one computation of an office's figures answers its pages' re-fetches
EVENT_ID = re.compile(r"^[0-9]{1,20}(-[0-9]{1,20})?$")
FIGURES_WAIT_SECONDS = 10  # a page waits this long for another page's computation


def shared_figures(view):
    """Answer the figures re-fetches the open pages of one office make after an event with
    one computation, instead of one each. Only a re-fetch that names the event it follows
    (`?partial=figures&after=<event id>`, as the page's script asks) is shared: it is kept a
    few seconds under the office's scope, the language, the day and that event id, and it was
    computed after that event was sent, so no page gets figures older than the event that
    made it ask. Any other request computes afresh. While one request computes, the others of
    the same key wait for its answer."""
    import functools
    import hashlib

    from django.core.cache import cache
    from django.http import HttpResponse
    from django.utils import timezone

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        scope = scope_for(request.user)
        after = request.GET.get("after", "")
        if sorted(request.GET) != ["after", "partial"] or request.GET.get("partial") != "figures" \
                or not EVENT_ID.match(after) or not scope.active:
            return view(request, *args, **kwargs)
        ident = repr((scope.role, scope.everything, scope.own, sorted(scope.partners), translation.get_language(),
                      timezone.localdate().isoformat(), after))
        key = "live:figures:" + hashlib.sha256(ident.encode()).hexdigest()
        html = cache.get(key)
        if html is None and not cache.add(key + ":busy", 1, timeout=FIGURES_WAIT_SECONDS):
            deadline = time.monotonic() + FIGURES_WAIT_SECONDS  # another request computes: wait for its answer
            while html is None and time.monotonic() < deadline and cache.get(key + ":busy") is not None:
                time.sleep(0.05)
                html = cache.get(key)
            html = html if html is not None else cache.get(key)
            claimed = False
        else:
            claimed = html is None
        try:
            if claimed:
                html = cache.get(key)  # stored by one that finished between our look and our claim
            if html is not None:
                return HttpResponse(html, content_type="text/html; charset=utf-8")
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                cache.set(key, response.content.decode(), FIGURES_SECONDS)
            return response
        finally:
            if claimed:
                cache.delete(key + ":busy")

    return wrapper
