"""Before/after tables for the pairing history and the audit log.

Snapshots store attribute names (`east_region_id`) and raw values; a person wants the
field's label and, for a reference, the name of the thing — but only when the viewer may
see that thing (otherwise the raw id is shown, as in the snapshot).
"""
from django.core.exceptions import FieldDoesNotExist

from xiezuo.core.scoping import visible


def _field(model, attname):
    if model is None:
        return None
    for field in model._meta.concrete_fields:
        if field.attname == attname:
            return field
    try:
        return model._meta.get_field(attname)
    except FieldDoesNotExist:
        return None


def _display(user, field, value, cache):
    if value is None or value == "":
        return value
    if field is None:
        return value
    if field.is_relation and field.related_model is not None:
        related = field.related_model
        if getattr(related, "scope_paths", None) is None:
            return value
        key = (related, value)
        if key not in cache:
            obj = visible(user, related._default_manager.filter(pk=value)).first()
            cache[key] = f"{obj} (#{value})" if obj is not None else value
        return cache[key]
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    return value


def changed(before, after):
    """[(key, before, after)] for every key whose value differs (as AuditEntry.changed_fields)."""
    before, after = before or {}, after or {}
    return [(k, before.get(k), after.get(k)) for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]


def diff_rows(user, model, triples, cache=None):
    """[(label, key, before, after)] for (key, before, after) triples, readable."""
    cache = {} if cache is None else cache
    rows = []
    for key, old, new in triples:
        field = _field(model, key)
        label = str(field.verbose_name) if field is not None else key
        rows.append((label, key, _display(user, field, old, cache), _display(user, field, new, cache)))
    return rows
