"""Money parsing (integer fen) and display."""
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from django.utils import translation

from xiezuo.core.money import MAX_FEN, MoneyError, format_wan, format_yuan, yuan_to_fen


@pytest.fixture(autouse=True, scope="module")
def _english():
    """The assertions match English wording; hypothesis needs a fixture that is not per-example."""
    with translation.override("en"):
        yield


@pytest.mark.parametrize("text,fen", [("1,234.56", 123456), ("0", 0), (1234.5, 123450), ("¥10", 1000), (Decimal("0.01"), 1), (7, 700)])
def test_yuan_amounts_become_exact_fen(text, fen):
    assert yuan_to_fen(text) == fen


@pytest.mark.parametrize("text", ["-1", "0.001", "abc", "", None, "NaN", True, 1.005])
def test_bad_amounts_are_refused(text):
    with pytest.raises(MoneyError):
        yuan_to_fen(text)


@given(st.integers(min_value=0, max_value=MAX_FEN))  # every amount the platform accepts
def test_format_and_parse_round_trip(fen):
    assert yuan_to_fen(format_yuan(fen)) == fen


def test_wan_display():
    assert format_wan(123_456_789_00) == "12,345.68"
