"""Server-sent events for the dashboard: each open page gets the events its user may see,
worded in its user's language.

An event names the regions it concerns; the user sees it when the scoping rule lets them see
one of those regions (`Scope.sees_region`: their own subtree and the regions paired with
it, as on every page). Each event sent carries `lines`, [{"time", "text"}]: the feed lines
of `live.feed` in the reader's language and Beijing time, the same lines a reload reads back
from the records."""
import json
import time

from django.utils import translation

from xiezuo.core.events import broker
from xiezuo.core.scoping import scope_for

from . import feed

KEEPALIVE_SECONDS = 15
MAX_SECONDS = 600  # the browser's EventSource reconnects by itself


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


def event_stream(user, max_seconds=MAX_SECONDS, language: str | None = None):
    scope = scope_for(user)
    subscription = broker().subscribe()
    started = time.monotonic()
    try:
        yield "retry: 1000\n\n"
        while time.monotonic() - started < max_seconds:
            message = subscription.get(timeout=KEEPALIVE_SECONDS)
            if message is None:
                yield ": keepalive\n\n"
                continue
            shown = filter_event(scope, message)
            if shown:
                shown = worded(shown, language)
                kind = json.loads(shown).get("kind", "message")
                yield f"event: {kind}\ndata: {shown}\n\n"
    finally:
        subscription.close()
