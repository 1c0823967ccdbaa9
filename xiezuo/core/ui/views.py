"""Helpers every app's page views share: scoped look-ups, pagination, running an action
for a form, the Excel round trip."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404

from django.utils.translation import gettext as _

from xiezuo.core.excel import xlsx_response
from xiezuo.core.exportjobs.jobs import background_export  # noqa: F401  (list views mark themselves with it)
from xiezuo.core.importing import IMPORTERS, export_for_import, max_rows
from xiezuo.core.scoping import visible

from .forms import add_action_errors

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


def export_or_job(request, queryset, export):
    """The list's Excel export: at once when it is small; past the threshold a background
    job (`core.exportjobs`) and a redirect to its page, where progress shows and the file
    waits. `export(queryset)` is the app's export, returning the workbook response; inside a
    running job the same call writes the job's file, counting rows as they are read.

    The view must be marked `@background_export(label)`; an unmarked one exports at once."""
    from django.shortcuts import redirect

    from xiezuo.core.exportjobs import jobs

    if jobs.running() is not None:
        return jobs.write(queryset, export)
    list_name = getattr(getattr(request, "resolver_match", None), "view_name", "")
    if not list_name or jobs.list_label(list_name) is None:
        return export(queryset)
    total = queryset.count()
    if total <= jobs.immediate_rows():
        return export(queryset)
    job = jobs.start_export(request.user, list_name, request.GET, total=total)
    jobs.enqueue(job)
    return redirect(job.get_absolute_url())


def roundtrip(request, kinds: dict):
    """The filtered list as a workbook in an importer's own format, or None.

    `kinds` maps a kind (e.g. "projects") to a function returning (importer, queryset);
    the request asks with ?format=import-<kind>. Edited and uploaded again through the
    import page, rows left alone count as unchanged.
    """
    fmt = request.GET.get("format", "")
    if not fmt.startswith("import-"):
        return None
    make = kinds.get(fmt[len("import-"):])
    if make is None:
        raise Http404(_("no such export"))
    importer, objects = make()
    limit = max_rows()
    if objects.count() > limit:
        return HttpResponse(_("More than %(n)d rows: narrow the filter so the workbook can be imported again.") % {"n": limit},
                            status=400, content_type="text/plain; charset=utf-8")
    return xlsx_response(str(importer.title), export_for_import(importer, objects))


def roundtrip_links(kinds: dict) -> list:
    """(format value, label) for the list's “export in import format” menu."""
    return [(f"import-{kind}", IMPORTERS[kind].title) for kind in kinds if kind in IMPORTERS]


class Counted:
    """A queryset whose length is known already, for the paginator: a list whose unfiltered
    length a summary table keeps (a province office sees hundreds of thousands of purchases
    or placements) should not count them on every page view."""

    ordered = True

    def __init__(self, qs, count: int):
        self.qs, self.n = qs, count

    def count(self):
        return self.n

    def __getitem__(self, index):
        return self.qs[index]


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
