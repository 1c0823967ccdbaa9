"""The audit log's page: core keeps the log, so it keeps the page."""
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import exports, filtersets
from .forms import AuditFilterForm
from .scoping import can_read_audit
from .ui.diffs import diff_rows
from .ui.forms import filter_values
from .ui.views import paginate, require, wants_xlsx

PER_PAGE = 30


def _model(label):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _type_label(label):
    model = _model(label)
    return f"{model._meta.verbose_name}（{label}）" if model is not None else label


@login_required
def audit_list(request):
    user = request.user
    require(can_read_audit(user))
    types = [(t, _type_label(t)) for t in filtersets.audit_object_types(user)]
    form = AuditFilterForm(request.GET, object_types=types)
    qs = filtersets.audit_entries(user, **filter_values(form))
    if wants_xlsx(request):
        return exports.audit_entries(qs)
    page = paginate(request, qs, PER_PAGE)
    cache = {}
    entries = [(e, diff_rows(user, _model(e.object_type), e.changed_fields(), cache)) for e in page]
    return render(request, "audit/list.html", {"form": form, "page": page, "entries": entries})
