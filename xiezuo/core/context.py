"""Who is acting, from which request, through which path.

The audit log must name the actor of every change whatever path made it (page, API,
import, admin, command). Rather than thread a request through every function, the entry
points set this context once and the audit signal handlers read it.
"""
import contextvars
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Actor:
    user: object = None
    request_id: str = ""
    via: str = "system"  # web | api | admin | import | command | system
    site: str = ""  # the address the request came to ("https://host/"), for absolute links in exports


_current = contextvars.ContextVar("xiezuo_actor", default=Actor())


def current_actor() -> Actor:
    return _current.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextmanager
def acting(user=None, *, via=None, request_id=None, site=None):
    """Run a block as `user` through `via`; unspecified parts are inherited."""
    base = _current.get()
    actor = replace(
        base,
        user=user if user is not None else base.user,
        via=via or base.via,
        request_id=request_id or base.request_id or new_request_id(),
        site=site or base.site,
    )
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def action(func):
    """Mark a function as an action: one transaction, run as its `user` argument.

    The audit log takes the actor from the context; an action called directly (a script,
    a test, a management command) still names the user it was called for.
    """
    import functools

    from django.db import transaction

    @functools.wraps(func)
    def wrapper(user, *args, **kwargs):
        actor = current_actor()
        with transaction.atomic():
            if actor.user is None and getattr(user, "pk", None):
                with acting(user):
                    return func(user, *args, **kwargs)
            return func(user, *args, **kwargs)

    return wrapper
