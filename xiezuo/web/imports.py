"""Pages for the Excel imports: the list, and per kind the template, the upload and the result.

Thin: the reading, checking and writing live in xiezuo.core.importing and the apps'
importers.py, which each app registers when Django starts. Viewers and auditors may look and download templates but get 403 on upload;
the key-assistance import exists only for the national coordinator.
"""
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET, require_http_methods

from xiezuo.core.excel import xlsx_response
from xiezuo.core.importing import (CREATED, IMPORTERS, UNCHANGED, UPDATED, RowError, build_error_report, build_template,
                                   run_import)
ERRORS_SHOWN = 500  # on the page; the downloadable report has them all
SESSION_KEY = "xiezuo-import-errors:%s"


class ImportForm(forms.Form):
    file = forms.FileField(label=_l("Workbook (.xlsx)"))
    dry_run = forms.BooleanField(label=_l("Dry run: check the file and report, write nothing"), required=False)


def _importer(request, kind):
    importer = IMPORTERS.get(kind)
    if importer is None:
        raise Http404(_("no such import"))
    if not importer.listed_for(request.user):
        raise PermissionDenied(_("you may not run this import"))
    return importer


@login_required
@require_GET
def index(request):
    entries = [{"importer": i, "allowed": i.allowed(request.user)} for i in IMPORTERS.values() if i.listed_for(request.user)]
    return render(request, "imports/index.html", {"entries": entries, "can_import": any(e["allowed"] for e in entries)})


@login_required
@require_http_methods(["GET", "POST"])
def run(request, kind):
    importer = _importer(request, kind)
    allowed = importer.allowed(request.user)
    result = None
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied(_("your role can read but not change data"))
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            result = run_import(importer, request.user, form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"])
            if result.errors:
                request.session[SESSION_KEY % importer.slug] = [[e.row, e.column, e.reason] for e in result.errors]
            else:
                request.session.pop(SESSION_KEY % importer.slug, None)
            form = ImportForm(initial={"dry_run": False})
    else:
        form = ImportForm()
    context = {
        "importer": importer, "allowed": allowed, "form": form, "result": result,
        "columns": importer.columns,
        "errors_shown": result.errors[:ERRORS_SHOWN] if result else [],
        "errors_hidden": max(0, len(result.errors) - ERRORS_SHOWN) if result else 0,
        "created": result.counts[CREATED] if result else 0,
        "updated": result.counts[UPDATED] if result else 0,
        "unchanged": result.counts[UNCHANGED] if result else 0,
    }
    return render(request, "imports/run.html", context)


@login_required
@require_GET
def template(request, kind):
    importer = _importer(request, kind)
    return xlsx_response(_("import template %(title)s") % {"title": importer.title}, build_template(importer))


@login_required
@require_GET
def errors(request, kind):
    importer = _importer(request, kind)
    rows = request.session.get(SESSION_KEY % importer.slug)
    if not rows:
        raise Http404(_("there is no error report; run an import first"))
    errs = [RowError(r, c, reason) for r, c, reason in rows]
    return xlsx_response(_("import errors %(title)s") % {"title": importer.title}, build_error_report(errs))
