"""Money parsing (integer fen) and the GB 32100 credit-code check character."""
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from django.utils import translation

from xiezuo.core.money import MoneyError, format_wan, format_yuan, yuan_to_fen
from xiezuo.orgs.credit_code import ALPHABET, make_credit_code, validate_credit_code


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


@given(st.integers(min_value=0, max_value=10**15))
def test_format_and_parse_round_trip(fen):
    assert yuan_to_fen(format_yuan(fen)) == fen


def test_wan_display():
    assert format_wan(123_456_789_00) == "12,345.68"


def test_a_real_credit_code_validates():
    # 91350100M000100Y43 is the GB 32100 standard's worked example
    assert validate_credit_code("91350100M000100Y43") == "91350100M000100Y43"


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17).map(lambda s: s[:2] + "110105" + s[8:]))
def test_every_generated_code_validates_and_any_other_check_char_fails(first17):
    code = make_credit_code(first17)
    assert validate_credit_code(code) == code
    wrong = next(ch for ch in ALPHABET if ch != code[-1])
    with pytest.raises(ValueError, match="check character"):
        validate_credit_code(code[:-1] + wrong)


@pytest.mark.parametrize("code,reason", [("91350100M000100Y4", "18"), ("91350100M000100I43", "not allowed"), ("91AB0100M000100Y43", "division")])
def test_malformed_codes_say_why(code, reason):
    with pytest.raises(ValueError, match=reason):
        validate_credit_code(code)
