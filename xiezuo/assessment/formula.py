"""Indicator formulas: a small arithmetic language over named facts, never Python's eval.

The national coordinator types formulas on a page (DHIS2's “numerator / denominator ×
factor”), so the text is untrusted. It is read by a hand-written tokenizer and
recursive-descent parser into a tree of four node types, and evaluated with Decimal:

    expr   := term (("+" | "-") term)*
    term   := unary (("*" | "×" | "/" | "÷") unary)*
    unary  := ("+" | "-") unary | atom
    atom   := NUMBER | NAME | "(" expr ")"

NUMBER is digits with an optional decimal part (no exponents); NAME is an ASCII
identifier naming a fact (e.g. `funds_arrived_on_time_fen`). Full-width parentheses and
spaces typed with a Chinese input method are accepted. Operators of equal precedence
associate to the left, so `a / b × 100` is `(a / b) × 100`.

Evaluation yields None — “no value” — when a fact has no value or a divisor is zero:
an indicator with nothing to measure is left out of the composite, it does not fail the
computation. Every problem with the text raises FormulaError with a 0-based position and
a message marked for translation.
"""
import decimal
from dataclasses import dataclass
from typing import Mapping, Union

from django.utils.translation import gettext as _

MAX_LENGTH = 500
MAX_DEPTH = 40
CONTEXT = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN, Emax=999_999, Emin=-999_999,
                          traps=[decimal.InvalidOperation, decimal.Overflow, decimal.DivisionByZero])

_OPERATORS = {"+": "+", "-": "-", "*": "*", "×": "*", "/": "/", "÷": "/", "(": "(", ")": ")", "（": "(", "）": ")"}
_SPACES = " \t\r\n\u3000"


class FormulaError(ValueError):
    """The formula text cannot be used; `position` is the 0-based offset of the problem."""

    def __init__(self, message: str, position: int):
        super().__init__(message)
        self.message = message
        self.position = position

    def __str__(self):
        return _("%(msg)s (column %(col)d)") % {"msg": self.message, "col": self.position + 1}


# --- the tree -----------------------------------------------------------------------


@dataclass(frozen=True)
class Num:
    value: decimal.Decimal


@dataclass(frozen=True)
class Name:
    name: str
    position: int


@dataclass(frozen=True)
class Neg:
    operand: "Node"


@dataclass(frozen=True)
class Bin:
    op: str  # one of + - * /
    left: "Node"
    right: "Node"


Node = Union[Num, Name, Neg, Bin]


# --- tokens ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # "num", "name", "op", "end"
    text: str
    position: int


def tokenize(text: str) -> list[Token]:
    if not isinstance(text, str):
        raise FormulaError(_("a formula is text"), 0)
    if len(text) > MAX_LENGTH:
        raise FormulaError(_("a formula is at most %(n)d characters") % {"n": MAX_LENGTH}, MAX_LENGTH)
    tokens, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c in _SPACES:
            i += 1
        elif c in _OPERATORS:
            tokens.append(Token("op", _OPERATORS[c], i))
            i += 1
        elif c.isascii() and (c.isdigit() or c == "."):
            j = i
            while j < n and text[j].isascii() and text[j].isdigit():
                j += 1
            if j < n and text[j] == ".":
                j += 1
                while j < n and text[j].isascii() and text[j].isdigit():
                    j += 1
            literal = text[i:j]
            if literal == "." or literal.count(".") > 1:
                raise FormulaError(_("a number is expected"), i)
            if j < n and text[j].isascii() and (text[j].isalpha() or text[j] in "_."):
                raise FormulaError(_("“%(v)s” is not a number") % {"v": text[i:j + 1]}, i)
            tokens.append(Token("num", literal, i))
            i = j
        elif c.isascii() and (c.isalpha() or c == "_"):
            j = i
            while j < n and text[j].isascii() and (text[j].isalnum() or text[j] == "_"):
                j += 1
            tokens.append(Token("name", text[i:j], i))
            i = j
        else:
            raise FormulaError(_("“%(v)s” cannot be used in a formula") % {"v": c}, i)
    tokens.append(Token("end", "", n))
    return tokens


# --- the parser -----------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        t = self.tokens[self.i]
        self.i += 1
        return t

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise FormulaError(_("the formula is empty"), 0)
        node = self.expr(0)
        if self.tok.kind != "end":
            t = self.tok
            raise FormulaError(_("“)” without “(”") if t.text == ")" else _("an operator is expected before “%(v)s”") % {"v": t.text},
                               t.position)
        return node

    def expr(self, depth: int) -> Node:
        node = self.term(depth)
        while self.tok.kind == "op" and self.tok.text in "+-":
            op = self.take().text
            node = Bin(op, node, self.term(depth))
        return node

    def term(self, depth: int) -> Node:
        node = self.unary(depth)
        while self.tok.kind == "op" and self.tok.text in "*/":
            op = self.take().text
            node = Bin(op, node, self.unary(depth))
        return node

    def unary(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise FormulaError(_("the formula nests more than %(n)d levels deep") % {"n": MAX_DEPTH}, self.tok.position)
        if self.tok.kind == "op" and self.tok.text in "+-":
            op = self.take().text
            operand = self.unary(depth + 1)
            return Neg(operand) if op == "-" else operand
        return self.atom(depth)

    def atom(self, depth: int) -> Node:
        t = self.take()
        if t.kind == "num":
            return Num(decimal.Decimal(t.text))
        if t.kind == "name":
            return Name(t.text, t.position)
        if t.kind == "op" and t.text == "(":
            node = self.expr(depth + 1)
            close = self.take()
            if close.kind != "op" or close.text != ")":
                raise FormulaError(_("“(” is not closed"), t.position if close.kind == "end" else close.position)
            return node
        if t.kind == "end":
            raise FormulaError(_("the formula ends too early"), t.position)
        raise FormulaError(_("a number, a name or “(” is expected, not “%(v)s”") % {"v": t.text}, t.position)


def parse(text: str) -> Node:
    """The tree of a formula, or FormulaError."""
    return _Parser(text).parse()


def names(node: Node) -> list[Name]:
    """Every name in the tree, left to right."""
    if isinstance(node, Name):
        return [node]
    if isinstance(node, Neg):
        return names(node.operand)
    if isinstance(node, Bin):
        return names(node.left) + names(node.right)
    return []


def check(text: str, known) -> Node:
    """Parse and make sure every name is a known fact: what the editor runs on save."""
    node = parse(text)
    for name in names(node):
        if name.name not in known:
            raise FormulaError(_("“%(v)s” is not a known fact") % {"v": name.name}, name.position)
    return node


def words(formula: Union[str, Node], label_of) -> str:
    """A formula as officials read it: each fact by its label (`label_of(name)`), × and ÷
    for the operators, brackets only where the order needs them. Display only."""
    from django.utils.translation import get_language

    node = parse(formula) if isinstance(formula, str) else formula
    text = _words(node, label_of, 0)
    if (get_language() or "").startswith("en"):
        text = text.translate(str.maketrans("［］（）", "[]()"))
    return text


_RANK = {"+": 1, "-": 1, "*": 2, "/": 2}
_SIGN = {"+": "+", "-": "−", "*": "×", "/": "÷"}


def _words(node: Node, label_of, outer: int) -> str:
    if isinstance(node, Num):
        return f"{node.value:f}"
    if isinstance(node, Name):
        return f"［{label_of(node.name)}］"
    if isinstance(node, Neg):
        return f"−{_words(node.operand, label_of, 3)}"
    rank = _RANK[node.op]
    text = f"{_words(node.left, label_of, rank)} {_SIGN[node.op]} {_words(node.right, label_of, rank + 1)}"
    return f"（{text}）" if rank < outer else text


# --- evaluation -------------------------------------------------------------------------

Value = Union[decimal.Decimal, int, None]


def evaluate(formula: Union[str, Node], facts: Mapping[str, Value]) -> decimal.Decimal | None:
    """The formula's value over `facts`, or None when a fact is missing or a divisor is 0.

    A name absent from `facts` is an error (the formula was not checked); a name present
    with the value None means the platform has no data for it.
    """
    node = parse(formula) if isinstance(formula, str) else formula
    try:
        return _eval(node, facts)
    except (decimal.DivisionByZero, decimal.InvalidOperation):
        return None
    except decimal.Overflow:
        return None


def _eval(node: Node, facts) -> decimal.Decimal | None:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Name):
        if node.name not in facts:
            raise FormulaError(_("“%(v)s” is not a known fact") % {"v": node.name}, node.position)
        v = facts[node.name]
        return None if v is None else decimal.Decimal(v)
    if isinstance(node, Neg):
        v = _eval(node.operand, facts)
        return None if v is None else CONTEXT.minus(v)
    left = _eval(node.left, facts)
    right = _eval(node.right, facts)
    if left is None or right is None:
        return None
    if node.op == "+":
        return CONTEXT.add(left, right)
    if node.op == "-":
        return CONTEXT.subtract(left, right)
    if node.op == "*":
        return CONTEXT.multiply(left, right)
    if right == 0:
        return None
    return CONTEXT.divide(left, right)
