"""The FlashArray REST 2.x `filter` and `sort` query parameters, on items rendered as dicts.

Grammar (what py-pure-client's Filter emits, and what Cinder and the Ansible modules send):
    expr    := and ("or" and)*
    and     := unary ("and" unary)*
    unary   := "not" unary | primary
    primary := "(" expr ")" | "contains" "(" field "," value ")"
             | field [op (value | "(" value ("," value)* ")")]
    op      := "=" | "!=" | ">" | ">=" | "<" | "<="
A field is a dotted path, optionally ending in [any] or [all] for lists; a list value matches
"=" when any element does. Strings in '...' or "..."; `*` is a wildcard for "=" and "!=". A
number compares numerically with a quoted number ("progress='1.0'"). A bare field is true when
its value is truthy.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Item = dict[str, Any]
Predicate = Callable[[Item], bool]


class FilterError(ValueError):
    """The filter or sort expression cannot be parsed."""


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'[^']*'|"[^"]*")
      | (?P<op>!=|>=|<=|=|>|<)
      | (?P<punct>[(),])
      | (?P<number>-?\d+(?:\.\d+)?(?![\w.]))
      | (?P<word>[A-Za-z_][\w.]*(?:\[(?:any|all)\])?)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str


def _tokenize(text: str) -> list[_Token]:
    tokens, position = [], 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if not match:
            raise FilterError(f"cannot parse filter near '{text[position:]}'")
        kind = match.lastgroup or ""
        tokens.append(_Token(kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.position = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, kind: str | None = None, text: str | None = None) -> _Token:
        token = self.peek()
        if token is None or (kind and token.kind != kind) or (text and token.text != text):
            wanted = text or kind or "more"
            raise FilterError(
                f"filter: expected {wanted}, found {token.text if token else 'the end'}"
            )
        self.position += 1
        return token

    def at_word(self, word: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "word" and token.text.lower() == word

    def parse(self) -> Predicate:
        predicate = self.expression()
        if self.peek() is not None:
            raise FilterError(f"filter: unexpected '{self.peek().text}'")  # type: ignore[union-attr]
        return predicate

    def expression(self) -> Predicate:
        parts = [self.conjunction()]
        while self.at_word("or"):
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else lambda item: any(p(item) for p in parts)

    def conjunction(self) -> Predicate:
        parts = [self.unary()]
        while self.at_word("and"):
            self.take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else lambda item: all(p(item) for p in parts)

    def unary(self) -> Predicate:
        if self.at_word("not"):
            self.take()
            inner = self.unary()
            return lambda item: not inner(item)
        return self.primary()

    def primary(self) -> Predicate:
        token = self.peek()
        if token is not None and token.text == "(":
            self.take()
            inner = self.expression()
            self.take(text=")")
            return inner
        if self.at_word("contains"):
            self.take()
            self.take(text="(")
            path = self.take("word").text
            self.take(text=",")
            needle = self.value()
            self.take(text=")")
            return lambda item: _contains(_resolve(item, path), needle)
        path = self.take("word").text
        token = self.peek()
        if token is None or token.kind != "op":
            return lambda item: bool(_resolve(item, path))
        op = self.take("op").text
        if self.peek() is not None and self.peek().text == "(":  # type: ignore[union-attr]
            self.take()
            values = [self.value()]
            while self.peek() is not None and self.peek().text == ",":  # type: ignore[union-attr]
                self.take()
                values.append(self.value())
            self.take(text=")")
            return _membership(path, op, values)
        return _comparison(path, op, self.value())

    def value(self) -> str | float:
        token = self.take()
        if token.kind == "string":
            return token.text[1:-1]
        if token.kind == "number":
            return float(token.text)
        if token.kind == "word":
            return token.text
        raise FilterError(f"filter: expected a value, found '{token.text}'")


def _resolve(item: Item, path: str) -> Any:
    quantifier = None
    if path.endswith("[any]") or path.endswith("[all]"):
        path, quantifier = path[:-5], path[-4:-1]
    value: Any = item
    for part in path.split("."):
        if isinstance(value, list):
            value = [v.get(part) if isinstance(v, dict) else None for v in value]
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    if quantifier == "all" and isinstance(value, list):
        return _All(value)
    return value


class _All(list[Any]):
    """A list that matches a comparison only when every element does."""


def _scalar_equals(actual: Any, expected: str | float) -> bool:
    if actual is None:
        return False
    if isinstance(actual, bool):
        return str(expected).lower() == str(actual).lower()
    if isinstance(actual, int | float):
        try:
            return float(actual) == float(expected)
        except ValueError:
            return False
    if isinstance(expected, str) and "*" in expected:
        return fnmatch.fnmatchcase(str(actual), expected.replace("[", "[[]"))
    return str(actual) == (expected if isinstance(expected, str) else _number_text(expected))


def _number_text(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


def _scalar_order(actual: Any, op: str, expected: str | float) -> bool:
    if actual is None or isinstance(actual, bool):
        return False
    try:
        left: Any = float(actual)
        right: Any = float(expected)
    except (TypeError, ValueError):
        left, right = str(actual), str(expected)
    return {
        ">": left > right,
        ">=": left >= right,
        "<": left < right,
        "<=": left <= right,
    }[op]


def _comparison(path: str, op: str, expected: str | float) -> Predicate:
    def test(actual: Any) -> bool:
        if op == "=":
            return _scalar_equals(actual, expected)
        if op == "!=":
            return not _scalar_equals(actual, expected)
        return _scalar_order(actual, op, expected)

    def predicate(item: Item) -> bool:
        actual = _resolve(item, path)
        if isinstance(actual, _All):
            return bool(actual) and all(test(v) for v in actual)
        if isinstance(actual, list):
            if op == "!=":
                return not any(_scalar_equals(v, expected) for v in actual)
            return any(test(v) for v in actual)
        return test(actual)

    return predicate


def _membership(path: str, op: str, values: list[str | float]) -> Predicate:
    if op not in ("=", "!="):
        raise FilterError(f"filter: '{op}' cannot compare with a list")

    def inside(item: Item) -> bool:
        actual = _resolve(item, path)
        candidates = actual if isinstance(actual, list) else [actual]
        return any(_scalar_equals(a, v) for a in candidates for v in values)

    return inside if op == "=" else lambda item: not inside(item)


def _contains(actual: Any, needle: str | float) -> bool:
    if isinstance(actual, list):
        return any(_contains(a, needle) for a in actual)
    return actual is not None and str(needle) in str(actual)


def compile_filter(text: str) -> Predicate:
    """The predicate for a filter expression.

    :raises FilterError: when it cannot be parsed.
    """
    return _Parser(text).parse()


def sort_items(items: list[Item], sort: list[str]) -> list[Item]:
    """Items sorted by each key in turn; `-field` and `field-` sort descending; missing values
    sort last."""
    result = list(items)
    for key in reversed([k for k in sort if k]):
        descending = key.startswith("-") or key.endswith("-")
        path = key.strip("-")
        present = [i for i in result if _resolve(i, path) is not None]
        missing = [i for i in result if _resolve(i, path) is None]
        present.sort(key=lambda i: _sort_key(_resolve(i, path)), reverse=descending)
        result = present + missing
    return result


def _sort_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, int | float):
        return (0, value)
    return (1, str(value))
