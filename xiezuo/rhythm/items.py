"""The one list of things a post must do, gathered from every app that creates them.

Rectification orders, warnings, tickets (assessment) and consultation decisions (rhythm)
live in their own apps; the "my items" page, the weekly dispatch sheet and escalation need
them as one list. Each app registers a source: a function `(post_ids, open_only) ->
iterable of Item`. Apps register in their AppConfig.ready(), so this module imports none
of them.
"""
import datetime
from dataclasses import dataclass

_SOURCES = []


@dataclass(frozen=True)
class Item:
    kind: str  # a short label shown to users, already translated, e.g. "整改通知"
    title: str
    post_id: int
    deadline: datetime.date | None
    status: str  # display label
    is_open: bool
    url: str = ""
    overdue: bool = False


def source(fn):
    """Decorator: register a function that yields the Items owned by the given posts."""
    if fn not in _SOURCES:
        _SOURCES.append(fn)
    return fn


def items_for_posts(post_ids, open_only: bool = True) -> list[Item]:
    post_ids = list(post_ids)
    found = [item for fn in _SOURCES for item in fn(post_ids, open_only)]
    return sorted(found, key=lambda i: (not i.overdue, i.deadline or datetime.date.max, i.kind, i.title))
