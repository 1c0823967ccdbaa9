"""JSON text of flat objects, written out directly.

Batches write tens of thousands of small flat objects as JSON (request bodies to hash,
audit snapshots): text, whole numbers, true/false and nulls under text keys. `json`'s
encoder builds its C encoder anew on every call, which for such an object costs more than
the writing; joining the parts here gives the same text, byte for byte, at a fraction of
the cost. Anything else (nested values, floats, keys that are not text) answers None, and
the caller goes through its encoder, so the text never depends on which path wrote it.
"""
import datetime
import json

_str = json.encoder.encode_basestring  # the C string encoder json.dumps(ensure_ascii=False) uses
_int = int.__repr__
_DATE = datetime.date


def flat_json(data, *, sort_keys=False, item_sep=", ", key_sep=": ", dates=False) -> str | None:
    """The text `json.dumps(data, ensure_ascii=False, sort_keys=…, separators=(item_sep,
    key_sep))` writes for a flat dict, or None when `data` is not one. With `dates`,
    `datetime.date` values (exactly that type) are written as their ISO text, as an encoder
    whose `default` gives `isoformat()` writes them."""
    if type(data) is not dict:
        return None
    parts = []
    for key in sorted(data) if sort_keys else data:
        if type(key) is not str:
            return None
        value = data[key]
        kind = type(value)
        if kind is str:
            text = _str(value)
        elif kind is int:
            text = _int(value)
        elif value is None:
            text = "null"
        elif kind is bool:
            text = "true" if value else "false"
        elif dates and kind is _DATE:
            text = f'"{value.isoformat()}"'
        else:
            return None
        parts.append(f"{_str(key)}{key_sep}{text}")
    return "{" + item_sep.join(parts) + "}"
