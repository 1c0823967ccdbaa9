"""The audit log as a workbook: the rows of `filtersets.audit_entries`, up to a limit."""
from django.utils import timezone
from django.utils.translation import gettext as _

from .excel import export_response


def audit_entries(qs, limit: int = 50_000):
    headers = [_("time"), _("user"), _("via"), _("action"), _("object type"), _("object id"), _("object"),
               _("region code"), _("other region code"), _("request id"), _("changes")]

    def changes(entry):
        return "; ".join(f"{k}: {before!r} → {after!r}" for k, before, after in entry.changed_fields())

    rows = ([timezone.localtime(e.time).strftime("%Y-%m-%d %H:%M:%S"), e.username, e.via, e.get_action_display(), e.object_type,
             e.object_id, e.object_repr, e.region_code, e.other_region_code, e.request_id, changes(e)]
            for e in qs[:limit].iterator(chunk_size=2000))
    return export_response(_("audit log"), _("audit log"), headers, rows)
