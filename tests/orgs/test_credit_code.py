"""The GB 32100 credit-code check character."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from django.utils import translation

from xiezuo.orgs.credit_code import ALPHABET, make_credit_code, validate_credit_code


@pytest.fixture(autouse=True, scope="module")
def _english():
    """The assertions match English wording; hypothesis needs a fixture that is not per-example."""
    with translation.override("en"):
        yield


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
