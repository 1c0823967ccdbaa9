"""Small helpers shared by the page views."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404

from django.utils.translation import gettext as _

from xiezuo.core.scoping import visible

from ..forms import add_action_errors

PER_PAGE = 50


def scoped_or_404(user, queryset, **lookup):
    """The object if the user may see it; 404 otherwise (never reveal that it exists)."""
    return get_object_or_404(visible(user, queryset), **lookup)


def require(allowed: bool):
    """Forbidden writes answer 403 (the object is visible, the change is not allowed)."""
    if not allowed:
        raise PermissionDenied


def wants_xlsx(request) -> bool:
    return request.GET.get("format") == "xlsx"


def paginate(request, queryset, per_page: int = PER_PAGE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def run_action(form, request, do, success_message, rename=None):
    """Call an action for a form page.

    Returns (result, status): the action's result and 200; or None with the action's
    ValidationError messages put on the form (200), or None with the PermissionDenied
    reason on the form and 403 (the page still shows what was typed and why it failed).
    """
    try:
        obj = do()
    except ValidationError as exc:
        add_action_errors(form, exc, rename)
        return None, 200
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or _("you may not do this"))
        return None, 403
    messages.success(request, success_message)
    return obj, 200
