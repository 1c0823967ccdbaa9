"""`core.jsontext.flat_json` writes what `json.dumps` writes, or leaves it to the encoder:
receipts, request hashes and the ledger's chain keep digests of this text, so one wrong byte
would make a retried batch look new or a verified chain look broken."""
import datetime
import json

import pytest

from xiezuo.core.jsontext import flat_json

FLAT = [
    {},
    {"b": "中文“引号”", "a": 1, "c": None, "d": True, "e": False, "f": -5, "g": ""},
    {"quote": 'a"b', "back": "c\\d", "ctl": "line\nbreak\ttab\x01", "big": 10**20},
    {"z": 0, "A": "x", "é": "y"},
]


@pytest.mark.parametrize("data", FLAT)
@pytest.mark.parametrize("sort_keys", [False, True])
@pytest.mark.parametrize("separators", [(", ", ": "), (",", ":")])
def test_the_same_text_as_json_dumps(data, sort_keys, separators):
    expected = json.dumps(data, ensure_ascii=False, sort_keys=sort_keys, separators=separators)
    assert flat_json(data, sort_keys=sort_keys, item_sep=separators[0], key_sep=separators[1]) == expected


def test_dates_only_when_asked_and_only_plain_dates():
    data = {"on": datetime.date(2026, 2, 28), "n": 1}
    assert flat_json(data) is None
    assert flat_json(data, sort_keys=True, dates=True) == json.dumps(data, sort_keys=True, default=datetime.date.isoformat)
    assert flat_json({"at": datetime.datetime(2026, 2, 28, 8, 0)}, dates=True) is None


@pytest.mark.parametrize("data", [{"x": 1.5}, {"x": [1]}, {"x": {"y": 1}}, {1: "a"}, [1, 2], "text", None])
def test_anything_else_is_left_to_the_encoder(data):
    assert flat_json(data) is None
