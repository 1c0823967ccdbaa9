"""What a detail page shows from apps above its own: the region page lists the pairings and
organisations in the region's subtree, the organisation page its pairings, yet regions and
orgs may not import the apps above them. Those apps register a part from their
AppConfig.ready; the page asks for every part registered under its name.
"""
from collections.abc import Callable

_PARTS: dict[str, dict[str, Callable]] = {}


def register_part(page: str, name: str, compute: Callable) -> None:
    """`compute(user, obj)` gives the context value `name` of the page `page`."""
    _PARTS.setdefault(page, {})[name] = compute


def parts(page: str, user, obj) -> dict:
    """The context values the apps registered for `page`, computed for `user` and `obj`."""
    return {name: compute(user, obj) for name, compute in _PARTS.get(page, {}).items()}
