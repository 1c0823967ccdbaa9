"""The audit log as a workbook: the rows of `filtersets.audit_entries`, up to a limit, read as
the page reads them (type in words, fields by label, values readable, Beijing time)."""
from itertools import islice

from django.utils.translation import gettext as _

from .audit import AuditReader, type_label
from .excel import export_response

CHUNK = 2000


def audit_entries(qs, limit: int = 50_000, *, user=None):
    """`user` names the references the reader may see (without one they stay ids)."""
    headers = [_("time"), _("user"), _("via"), _("action"), _("object type"), _("object id"), _("object"),
               _("region code"), _("other region code"), _("request id"), _("changes")]
    reader = AuditReader(user)
    types = {}

    def changes(entry):
        return "；".join(f"{label}: {'—' if old is None else old} → {'—' if new is None else new}"
                        for label, _key, old, new in reader.rows(entry))

    def rows():
        entries = qs[:limit].iterator(chunk_size=CHUNK)
        while True:
            chunk = list(islice(entries, CHUNK))
            if not chunk:
                return
            if user is not None:
                reader.prefetch(chunk)
            for e in chunk:
                if e.object_type not in types:
                    types[e.object_type] = type_label(e.object_type)
                yield [e.time, e.username, e.via, e.get_action_display(), types[e.object_type], e.object_id, e.object_repr,
                       e.region_code, e.other_region_code, e.request_id, changes(e)]

    return export_response(_("audit log"), _("audit log"), headers, rows())
