"""Indicator formulas: the grammar, Decimal arithmetic, “no value” for a zero divisor or a
missing fact, positions in error messages, and — with random expressions — agreement with
an independent evaluation and no exception other than FormulaError on any input."""
import decimal
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from xiezuo.assessment.facts import FACT_NAMES
from xiezuo.assessment.formula import MAX_LENGTH, FormulaError, check, evaluate, names, parse

FACTS = {"a": Decimal(1), "b": Decimal(4), "zero": Decimal(0), "missing": None}


@pytest.mark.parametrize("text, expected", [
    ("1 + 2 * 3", "7"),
    ("(1 + 2) * 3", "9"),
    ("a / b × 100", "25"),  # numerator / denominator × factor, left to right
    ("a ÷ b * 100", "25"),
    ("100 * a / b", "25"),
    ("10 - 4 - 3", "3"),
    ("64 / 4 / 2", "8"),
    ("-2 * -3", "6"),
    ("--1", "1"),
    ("+a", "1"),
    ("1 / 3 * 3", "0.9999999999999999999999999999"),  # Decimal, 28 digits: never float
    ("0.1 + 0.2", "0.3"),
    ("（a + b）× 2", "10"),  # full-width parentheses from a Chinese input method
    ("\u3000a\u3000+\u3000b", "5"),
    (".5 + 1.", "1.5"),
])
def test_arithmetic(text, expected):
    assert evaluate(text, FACTS) == Decimal(expected)


@pytest.mark.parametrize("text", ["a / zero", "a / (b - b) * 100", "missing * 0", "a / missing", "-missing", "zero / zero"])
def test_no_value_instead_of_an_error(text):
    assert evaluate(text, FACTS) is None


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("text, position, words", [
    ("", 0, "empty"),
    ("   ", 0, "empty"),
    ("1 +", 3, "ends too early"),
    ("(1 + 2", 0, "not closed"),
    ("1 + 2)", 5, "without"),
    ("a b", 2, "operator is expected"),
    ("1 2", 2, "operator is expected"),
    ("1..2", 0, "not a number"),
    ("1.2.3", 0, "not a number"),
    ("2a", 0, "not a number"),
    ("1e5", 0, "not a number"),
    ("a ** b", 3, "is expected"),
    ("a % b", 2, "cannot be used"),
    ("资金 / b", 0, "cannot be used"),
    ("__import__('os')", 11, "cannot be used"),
    ("a / ", 4, "ends too early"),
    ("*", 0, "is expected"),
])
def test_garbage_is_refused_with_its_position(text, position, words):
    with pytest.raises(FormulaError) as exc:
        parse(text)
    assert exc.value.position == position
    assert words in exc.value.message
    assert f"column {position + 1}" in str(exc.value)


def test_unknown_names_are_reported_at_save_time_with_their_position():
    check("funds_arrived_on_time_fen / funds_allocated_due_fen × 100", FACT_NAMES)
    with pytest.raises(FormulaError) as exc:
        check("funds_arrived_on_time_fen / funds_alocated_due_fen × 100", FACT_NAMES)
    assert exc.value.position == 28 and "funds_alocated_due_fen" in exc.value.message


def test_evaluating_an_unchecked_name_is_a_formula_error():
    with pytest.raises(FormulaError):
        evaluate("a + nobody", FACTS)


def test_deep_nesting_and_long_text_are_refused_not_crashed():
    with pytest.raises(FormulaError):
        parse("(" * 200 + "1" + ")" * 200)
    with pytest.raises(FormulaError):
        parse("-" * 200 + "1")
    with pytest.raises(FormulaError):
        parse("1+" * (MAX_LENGTH // 2) + "1")
    assert evaluate("+".join(["1"] * 240), {}) == 240  # long but flat is fine


def test_huge_values_give_no_value_rather_than_an_overflow():
    big = "9" * 200
    assert evaluate(" * ".join([big] * 2), {}) is not None
    assert evaluate(f"a / 0.{'0' * 150}1", FACTS) is not None


def test_names_are_listed_left_to_right():
    assert [n.name for n in names(parse("x / (y - x) * 100"))] == ["x", "y", "x"]


# --- random expressions ----------------------------------------------------------------------

PREC = {"+": 1, "-": 1, "*": 2, "/": 2}
NAMES = ["alpha", "beta", "gamma", "delta"]
numbers = st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False, allow_infinity=False)


def trees(depth=4):
    leaves = st.one_of(numbers.map(lambda d: ("num", d)), st.sampled_from(NAMES).map(lambda n: ("name", n)))
    return st.recursive(leaves, lambda inner: st.one_of(
        st.tuples(st.just("neg"), inner),
        st.tuples(st.just("bin"), st.sampled_from("+-*/"), inner, inner),
    ), max_leaves=12)


def render(tree, draw_style) -> tuple[str, int]:
    """Text with as few parentheses as the grammar needs; the right operand of an operator
    of equal precedence is always wrapped, since a − (b − c) ≠ a − b − c."""
    kind = tree[0]
    if kind == "num":
        return format(tree[1], "f"), 4
    if kind == "name":
        return tree[1], 4
    if kind == "neg":
        text, prec = render(tree[1], draw_style)
        return "-" + (text if prec >= 3 else wrap(text, draw_style)), 3
    _kind, op, left, right = tree
    p = PREC[op]
    lt, lp = render(left, draw_style)
    rt, rp = render(right, draw_style)
    if lp < p:
        lt = wrap(lt, draw_style)
    if rp <= p:
        rt = wrap(rt, draw_style)
    symbol = {"*": draw_style["times"], "/": draw_style["divide"]}.get(op, op)
    space = draw_style["space"]
    return f"{lt}{space}{symbol}{space}{rt}", p


def wrap(text, style):
    return f"{style['open']}{text}{style['close']}"


def reference(tree, env):
    """Straightforward evaluation of the tree, independent of the parser."""
    kind = tree[0]
    if kind == "num":
        return tree[1]
    if kind == "name":
        return env[tree[1]]
    if kind == "neg":
        v = reference(tree[1], env)
        return None if v is None else -v
    _kind, op, left, right = tree
    a, b = reference(left, env), reference(right, env)
    if a is None or b is None:
        return None
    if op == "/" and b == 0:
        return None
    return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b}[op]()


styles = st.fixed_dictionaries({
    "times": st.sampled_from(["*", "×"]), "divide": st.sampled_from(["/", "÷"]),
    "open": st.just("("), "close": st.just(")"), "space": st.sampled_from(["", " ", "  "]),
}) | st.fixed_dictionaries({
    "times": st.sampled_from(["*", "×"]), "divide": st.sampled_from(["/", "÷"]),
    "open": st.just("（"), "close": st.just("）"), "space": st.sampled_from(["", "\u3000"]),
})
envs = st.fixed_dictionaries({n: st.one_of(st.none(), numbers, st.just(Decimal(0))) for n in NAMES})


@settings(max_examples=400, deadline=None)
@given(trees(), styles, envs)
def test_random_expressions_evaluate_like_the_reference(tree, style, env):
    text, _p = render(tree, style)
    if len(text) > MAX_LENGTH:
        return
    with decimal.localcontext(decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN)):
        expected = reference(tree, env)
    assert evaluate(text, env) == expected, text


@settings(max_examples=300, deadline=None)
@given(trees(), envs)
def test_integer_arithmetic_without_division_is_exact(tree, env):
    def strip(t):  # integers only, no division: the result must be exact
        if t[0] == "num":
            return ("num", Decimal(int(t[1])))
        if t[0] == "name":
            return t
        if t[0] == "neg":
            return ("neg", strip(t[1]))
        return ("bin", "*" if t[1] == "/" else t[1], strip(t[2]), strip(t[3]))

    tree = strip(tree)
    env = {k: None if v is None else Decimal(int(v)) for k, v in env.items()}
    text, _p = render(tree, {"times": "*", "divide": "/", "open": "(", "close": ")", "space": " "})

    def exact(t):
        if t[0] == "num":
            return int(t[1])
        if t[0] == "name":
            return None if env[t[1]] is None else int(env[t[1]])
        if t[0] == "neg":
            v = exact(t[1])
            return None if v is None else -v
        a, b = exact(t[2]), exact(t[3])
        if a is None or b is None:
            return None
        return a + b if t[1] == "+" else a - b if t[1] == "-" else a * b

    expected = exact(tree)
    result = evaluate(text, env)
    if expected is None:
        assert result is None
    elif abs(expected) < 10**27:  # within the 28 significant digits Decimal keeps
        assert result == expected, text


ALPHABET = st.sampled_from(list("0123456789.+-*/×÷()（） abz_\u3000") + ["alpha", "beta", "**", "1e3", "中", "$", "\n"])


@settings(max_examples=1000, deadline=None)
@given(st.lists(ALPHABET, max_size=60).map("".join))
def test_near_miss_text_never_raises_anything_but_formula_error(text):
    try:
        tree = parse(text)
    except FormulaError:
        return
    env = {n.name: Decimal(1) for n in names(tree)}
    evaluate(tree, env)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_text_never_raises_anything_but_formula_error(text):
    try:
        tree = parse(text)
    except FormulaError:
        return
    evaluate(tree, {n.name: Decimal(2) for n in names(tree)})
