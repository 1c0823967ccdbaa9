"""Who a user acts for, and the scope that follows from it (registered with core.scoping).

The one place that looks up a user's profile: pages, the API, the work rhythm and the live
stream all ask `profile_of(user)` or `scope_for(user)`, and both are computed once per user
object.
"""
from django.utils import timezone

from xiezuo.core.scoping import ALL_READ_ROLES, NO_SCOPE, Scope
from xiezuo.pairings.models import Pairing

from .models import Profile

_MISSING = object()


def profile_of(user):
    """The user's profile with its organisation and region, or None (once per user object)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_xiezuo_profile", _MISSING)
    if cached is _MISSING:
        cached = Profile.objects.select_related("organisation__region").filter(user=user).first()
        user._xiezuo_profile = cached
    return cached


def organisation_of(user):
    profile = profile_of(user)
    return profile.organisation if profile is not None else None


def resolve(user) -> Scope:
    profile = profile_of(user)
    if profile is None:
        return NO_SCOPE
    if profile.role in ALL_READ_ROLES:
        return Scope(role=profile.role, everything=True, active=True)
    if profile.organisation is None:
        return Scope(role=profile.role, active=False)
    prefix = profile.organisation.region.prefix
    partners = Pairing.objects.partner_codes(prefix, timezone.localdate())
    return Scope(role=profile.role, own=prefix, partners=frozenset(partners), active=True)


def client_namespace(user) -> int:
    """Whose client ids these are: the id of the organisation the user acts for (0 for none).

    Idempotency keys and client ids are an organisation's own, so one office's id never
    collides with another's and a refusal never tells one office what another sent."""
    org = organisation_of(user)
    return org.pk if org is not None else 0
