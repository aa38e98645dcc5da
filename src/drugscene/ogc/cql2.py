"""Basic CQL2 in the text encoding (OGC 21-065, classes *basic-cql2* and *cql2-text*), for
the ``filter`` parameter of OGC API – Features Part 3.

Supported: comparisons ``=  <>  <  <=  >  >=`` between a queryable and a literal (string in
single quotes, number, ``TRUE``/``FALSE``, ``DATE('…')``, ``TIMESTAMP('…')``),
``prop IS [NOT] NULL``, ``AND``, ``OR``, ``NOT`` and parentheses. Keywords are
case-insensitive; a property may be written in double quotes. Anything else (LIKE, IN,
BETWEEN, spatial or temporal functions) is a 400 error naming the position.

A parsed filter becomes a Django ``Q`` (:func:`to_q`) for collections in the database, or
is evaluated row by row (:func:`matches`) for the computed hot spots. Comparisons with a
missing value are false, and so is their negation (SQL's three-valued logic).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Q
from django.utils.dateparse import parse_date, parse_datetime


class CqlError(ValueError):
    pass


@dataclass(frozen=True)
class Queryable:
    """A property that filters may use: its JSON Schema type and its ORM path."""

    type: str  # string, integer, number, boolean, date, timestamp
    path: str | None = None  # ORM lookup; None: evaluated in Python on the row

    def schema(self) -> dict:
        if self.type == "date":
            return {"type": "string", "format": "date"}
        if self.type == "timestamp":
            return {"type": "string", "format": "date-time"}
        return {"type": self.type}


TOKEN = re.compile(r"""
    \s*(?:
      (?P<str>'(?:[^']|'')*')
    | (?P<num>-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    | (?P<op><>|<=|>=|=|<|>)
    | (?P<paren>[()])
    | (?P<qid>"[^"]+")
    | (?P<word>[A-Za-z_][A-Za-z0-9_.:]*)
    )""", re.VERBOSE)
KEYWORDS = {"AND", "OR", "NOT", "IS", "NULL", "TRUE", "FALSE", "DATE", "TIMESTAMP"}


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise CqlError(f"cannot read the filter at position {pos + 1}: "
                           f"{text[pos:pos + 20]!r}")
        kind = m.lastgroup
        value = m.group(kind)
        start = m.start(kind) + 1
        if kind == "word" and value.upper() in KEYWORDS:
            kind, value = "kw", value.upper()
        out.append((kind, value, start))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str, queryables: dict[str, Queryable]) -> None:
        self.toks = _tokens(text)
        self.i = 0
        self.queryables = queryables

    def peek(self) -> tuple[str, str, int] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str, int]:
        tok = self.peek()
        if tok is None:
            raise CqlError("the filter ends too early")
        self.i += 1
        return tok

    def expect(self, kind: str, value: str | None = None) -> tuple[str, str, int]:
        tok = self.take()
        if tok[0] != kind or (value is not None and tok[1] != value):
            raise CqlError(f"expected {value or kind} at position {tok[2]}, got {tok[1]!r}")
        return tok

    def is_kw(self, word: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[0] == "kw" and tok[1] == word

    def parse(self):
        node = self.disjunction()
        tok = self.peek()
        if tok is not None:
            raise CqlError(f"unexpected {tok[1]!r} at position {tok[2]}")
        return node

    def disjunction(self):
        items = [self.conjunction()]
        while self.is_kw("OR"):
            self.take()
            items.append(self.conjunction())
        return items[0] if len(items) == 1 else ("or", items)

    def conjunction(self):
        items = [self.negation()]
        while self.is_kw("AND"):
            self.take()
            items.append(self.negation())
        return items[0] if len(items) == 1 else ("and", items)

    def negation(self):
        if self.is_kw("NOT"):
            self.take()
            return ("not", self.negation())
        tok = self.peek()
        if tok is not None and tok[0] == "paren" and tok[1] == "(":
            self.take()
            node = self.disjunction()
            self.expect("paren", ")")
            return node
        return self.predicate()

    def prop(self) -> tuple[str, Queryable]:
        kind, value, pos = self.take()
        if kind == "qid":
            value = value[1:-1]
        elif kind != "word":
            raise CqlError(f"expected a property name at position {pos}, got {value!r}")
        if value not in self.queryables:
            raise CqlError(f"{value!r} is not a queryable of this collection (see its "
                           "queryables)")
        return value, self.queryables[value]

    def literal(self, q: Queryable) -> Any:
        kind, value, pos = self.take()
        if kind == "str":
            text = value[1:-1].replace("''", "'")
            if q.type in ("date", "timestamp"):
                raise CqlError(f"compare {q.type}s with {q.type.upper()}('...') at "
                               f"position {pos}")
            if q.type != "string":
                raise CqlError(f"a {q.type} cannot be compared with a string at {pos}")
            return text
        if kind == "num":
            if q.type not in ("integer", "number"):
                raise CqlError(f"a {q.type} cannot be compared with a number at {pos}")
            return float(value) if any(c in value for c in ".eE") else int(value)
        if kind == "kw" and value in ("TRUE", "FALSE"):
            if q.type != "boolean":
                raise CqlError(f"a {q.type} cannot be compared with a boolean at {pos}")
            return value == "TRUE"
        if kind == "kw" and value in ("DATE", "TIMESTAMP"):
            self.expect("paren", "(")
            raw = self.expect("str")[1][1:-1]
            self.expect("paren", ")")
            if value == "DATE":
                parsed: date | datetime | None = parse_date(raw)
            else:
                parsed = parse_datetime(raw)
                if parsed is not None and parsed.tzinfo is None:
                    parsed = None
            if parsed is None:
                raise CqlError(f"not a valid {value}: {raw!r} at position {pos}")
            if q.type not in ("date", "timestamp"):
                raise CqlError(f"a {q.type} cannot be compared with a {value.lower()}")
            if q.type == "date" and isinstance(parsed, datetime):
                raise CqlError(f"compare dates with DATE('...') at position {pos}")
            return parsed
        raise CqlError(f"expected a literal at position {pos}, got {value!r}")

    def predicate(self):
        name, q = self.prop()
        if self.is_kw("IS"):
            self.take()
            negate = False
            if self.is_kw("NOT"):
                self.take()
                negate = True
            self.expect("kw", "NULL")
            return ("isnull", name, not negate)
        _kind, op, pos = self.expect("op")
        value = self.literal(q)
        if q.type == "timestamp" and isinstance(value, date) and not isinstance(value,
                                                                                  datetime):
            raise CqlError(f"compare timestamps with TIMESTAMP('...') at position {pos}")
        if q.type == "boolean" and op not in ("=", "<>"):
            raise CqlError(f"booleans compare with = or <> only (position {pos})")
        return ("cmp", name, op, value)


def parse(text: str, queryables: dict[str, Queryable]):
    """The syntax tree of a CQL2-text filter, checked against the queryables."""
    if not text.strip():
        raise CqlError("the filter is empty")
    return _Parser(text, queryables).parse()


LOOKUP = {"=": "exact", "<": "lt", "<=": "lte", ">": "gt", ">=": "gte"}
OPPOSITE = {"=": "<>", "<>": "=", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}


def _compare(path: str, op: str, value) -> Q:
    """``path op value`` is true (never for a missing value)."""
    if op == "<>":
        return ~Q(**{path: value}) & Q(**{f"{path}__isnull": False})
    return Q(**{f"{path}__{LOOKUP[op]}": value})


def to_q(node, queryables: dict[str, Queryable], *, truth: bool = True) -> Q:
    """A Django ``Q`` of the rows on which the tree is true (``truth=False``: false), with
    SQL's three-valued logic: a comparison with a missing value is neither, and so is its
    negation. All queryables of the tree must have an ORM path."""
    kind = node[0]
    if kind == "not":
        return to_q(node[1], queryables, truth=not truth)
    if kind in ("and", "or"):
        parts = [to_q(n, queryables, truth=truth) for n in node[1]]
        conjunctive = (kind == "and") == truth  # De Morgan for the false side
        out = parts[0]
        for part in parts[1:]:
            out = (out & part) if conjunctive else (out | part)
        return out
    path = queryables[node[1]].path
    if kind == "isnull":
        return Q(**{f"{path}__isnull": node[2] == truth})
    _c, _name, op, value = node
    return _compare(path, op if truth else OPPOSITE[op], value)


def matches(node, row: dict) -> bool | None:
    """Evaluate a tree on a row; ``None`` is SQL's unknown (a missing value compared)."""
    kind = node[0]
    if kind == "and":
        values = [matches(n, row) for n in node[1]]
        if any(v is False for v in values):
            return False
        return None if any(v is None for v in values) else True
    if kind == "or":
        values = [matches(n, row) for n in node[1]]
        if any(v is True for v in values):
            return True
        return None if any(v is None for v in values) else False
    if kind == "not":
        value = matches(node[1], row)
        return None if value is None else not value
    if kind == "isnull":
        return (row.get(node[1]) is None) == node[2]
    _c, name, op, value = node
    have = row.get(name)
    if have is None:
        return None
    return {"=": have == value, "<>": have != value, "<": have < value,
            "<=": have <= value, ">": have > value, ">=": have >= value}[op]
