"""The one list of things a post must do, gathered from every app that creates them.

Rectification orders, warnings, tickets (assessment) and consultation decisions (rhythm)
live in their own apps; the "my items" page, the weekly dispatch sheet and escalation need
them as one list. Each app registers a source: a function `(post_ids, open_only) ->
iterable of Item`, and for each kind of item (`Item.group`) the list page that shows
exactly the given posts' items of that kind (`list_link`), so that "my items" can count
them and link to the list that has the same count. Apps register in their
AppConfig.ready(), so this module imports none of them.

Who sees which posts' items (`posts_seen_by`): the holders of a post; and, so that no item
goes unseen, the items of a post nobody holds are shown to the office's admins, marked as
standing in. An office with no admin shows its vacant leading post's items (orders about
projects without a post in charge, warnings, proposals) to its editors instead.
"""
import datetime
from collections import OrderedDict
from dataclasses import dataclass

_SOURCES = []
_LISTS = {}


@dataclass(frozen=True)
class Item:
    kind: str  # a short label shown to users, already translated, e.g. "整改通知"
    title: str
    post_id: int
    deadline: datetime.date | None
    status: str  # display label
    is_open: bool
    url: str = ""  # the item's own page
    overdue: bool = False
    group: str = ""  # a stable code of the kind ("order", "decision"…), the key of `list_link`
    note: str = ""  # why it is here, e.g. "专管岗空缺，由负责人岗代办", already translated


def source(fn):
    """Decorator: register a function that yields the Items owned by the given posts."""
    if fn not in _SOURCES:
        _SOURCES.append(fn)
    return fn


def list_link(group: str, fn):
    """Register `fn(post_ids) -> url` of the list showing the posts' open items of `group`."""
    _LISTS[group] = fn


def _order(items):
    return sorted(items, key=lambda i: (not i.overdue, i.deadline or datetime.date.max, i.kind, i.title))


def items_for_posts(post_ids, open_only: bool = True) -> list[Item]:
    post_ids = list(post_ids)
    return _order(item for fn in _SOURCES for item in fn(post_ids, open_only))


# --- my items ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeenPost:
    post: object  # rhythm.models.Post
    standing_in: bool  # the user does not hold it: it is vacant and the user administers its office


def posts_seen_by(user) -> list[SeenPost]:
    """The posts whose items the user sees: those they hold, then the vacant posts of the
    office they act for when they are its admin (its vacant leading post when they are an
    editor of an office without admin)."""
    from django.db.models import Count

    from xiezuo.core.scoping import scope_for
    from xiezuo.users.models import Profile
    from xiezuo.users.scopes import organisation_of

    from .models import Post

    held = list(user.posts.select_related("office__region").order_by("office__region__code", "-is_lead", "name"))
    seen = [SeenPost(p, False) for p in held]
    scope, office = scope_for(user), organisation_of(user)
    if not scope.active or office is None or scope.role not in ("office_admin", "office_editor", "national"):
        return seen
    vacant = (Post.objects.filter(office=office).annotate(n=Count("holders")).filter(n=0)
              .exclude(pk__in=[p.pk for p in held]).select_related("office__region").order_by("-is_lead", "name"))
    if scope.role == "office_editor":
        if Profile.objects.filter(organisation=office, role="office_admin", user__is_active=True).exists():
            return seen
        vacant = vacant.filter(is_lead=True)  # the head's items must reach someone; other posts' stay theirs
    return seen + [SeenPost(p, True) for p in vacant]


@dataclass(frozen=True)
class Count:
    kind: str
    group: str
    count: int
    overdue: int
    url: str


def my_items(user):
    """(seen posts, [(item, post, standing in)], counts per kind) for the "my items" page:
    each item once (an order escalated to one of the user's posts and owned by another is
    listed under the first), and per kind the count and the list that shows the same rows."""
    seen = posts_seen_by(user)
    by_id = {s.post.pk: s for s in seen}
    found = OrderedDict()
    for item in items_for_posts(list(by_id), open_only=True):
        found.setdefault((item.group, item.url or id(item)), item)
    rows = [(i, by_id[i.post_id].post, by_id[i.post_id].standing_in) for i in found.values()]
    counts = OrderedDict()
    for item in found.values():
        entry = counts.setdefault(item.group, {"kind": item.kind, "count": 0, "overdue": 0, "posts": set()})
        entry["count"] += 1
        entry["overdue"] += item.overdue
        entry["posts"].add(item.post_id)
    summary = [Count(kind=e["kind"], group=g, count=e["count"], overdue=e["overdue"],
                     url=_LISTS[g](sorted(e["posts"])) if g in _LISTS else "") for g, e in counts.items()]
    return seen, rows, summary


def officer_posts(user, project) -> list:
    """The project page's part: the posts in charge of the project (项目专管岗), with their
    holders, so the page says who receives its orders and tickets."""
    from .models import Post

    posts = Post.objects.filter(projects=project).select_related("office").prefetch_related("holders").order_by("pk")
    return [{"post": p, "holders": [u.get_full_name() or u.username for u in p.holders.all()]} for p in posts]
