"""What the markets' pages share: the regions and organisations a user may act for."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError

from xiezuo.core.errors import messages_of
from xiezuo.core.scoping import scope_for
from xiezuo.orgs.models import Organisation
from xiezuo.regions.models import Region


def _own(user, qs, path):
    scope = scope_for(user)
    if not scope.can_write:
        return qs.none()
    if scope.everything:
        return qs
    return qs.filter(**{f"{path}__startswith": scope.own})


def western_counties(user):
    return _own(user, Region.objects.filter(level="county", role="west"), "code").order_by("code")


def organisations(user, role):
    return _own(user, Organisation.objects.filter(region__role=role).select_related("region"), "region__code").order_by(
        "region__code", "name")


def run(request, do, done):
    """Run an action for a POST button; messages say what happened or why it was refused.
    Returns the action's result, or None when it was refused."""
    try:
        result = do()
    except ValidationError as exc:
        for field, texts in messages_of(exc).items():
            for text in texts:
                messages.error(request, text)
        return None
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "403")
        return None
    messages.success(request, done)
    return result


def form_errors(request, form):
    for field, errs in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for e in errs:
            messages.error(request, f"{label}: {e}" if label else e)
