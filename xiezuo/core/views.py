"""The audit log's page: core keeps the log, so it keeps the page."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _l

from . import exports, filtersets
from .audit import AuditReader, type_label
from .forms import AuditFilterForm
from .scoping import can_read_audit
from .ui.forms import filter_values
from .ui.views import background_export, export_or_job, paginate, require, wants_xlsx

PER_PAGE = 30


@login_required
@background_export(_l("audit log"))
def audit_list(request):
    user = request.user
    require(can_read_audit(user))
    types = sorted(((t, type_label(t)) for t in filtersets.audit_object_types(user)), key=lambda t: t[1])
    form = AuditFilterForm(request.GET, object_types=types)
    qs = filtersets.audit_entries(user, **filter_values(form))
    if wants_xlsx(request):
        return export_or_job(request, qs, lambda rows: exports.audit_entries(rows, user=user))
    page = paginate(request, qs, PER_PAGE)
    reader = AuditReader(user)
    reader.prefetch(page)
    entries = [(e, reader.rows(e)) for e in page]
    return render(request, "audit/list.html", {"form": form, "page": page, "entries": entries})
