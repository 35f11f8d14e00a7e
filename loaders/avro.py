"""Avro-JSON union unwrapping, generic (never field by field).

The Data Access API writes every nullable value as an Avro union in its JSON encoding:
``null``, or a one-key object naming the branch — a primitive (``{"string": "x"}``,
``{"long": 1}``, ``{"int": 1}``, ``{"double": 1.5}``, ``{"boolean": true}``, …), a
container (``{"array": [...]}``, ``{"map": {...}}``) or a named record or enum
(``{"com.liveperson.dataaccess.Campaign": {...}}``,
``{"com.liveperson.dataaccess.ControlGroupEnum": "NA"}``).

A one-key object is unwrapped only when it is unmistakably a union branch: a primitive
or container name whose value has the matching JSON type, or a dotted (namespaced)
record name. Any other one-key object (``{"string": 5}``, ``{"url": "x"}``) stays a dict.
"""

from __future__ import annotations

import re
from typing import Any

_NAMED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+\Z")


_DOUBLE_STRINGS = frozenset({"NaN", "Infinity", "-Infinity"})  # Avro-JSON non-finite doubles

#: Branch name → the JSON types that branch is encoded as.
PRIMITIVES: dict[str, frozenset[type]] = {
    "string": frozenset({str}),
    "bytes": frozenset({str}),
    "int": frozenset({int}),
    "long": frozenset({int}),
    "float": frozenset({int, float}),
    "double": frozenset({int, float}),
    "boolean": frozenset({bool}),
    "array": frozenset({list}),
    "map": frozenset({dict}),
}


# Named-branch test per key seen (bounded): the regular expression is the costly part.
_NAMED_CACHE: dict[str, bool] = {}
_NAMED_CACHE_MAX = 4096


def _branch_matches(name: str, inner: Any) -> bool:
    types = PRIMITIVES.get(name)
    if types is not None:
        return type(inner) in types or (
            type(inner) is str and name in ("double", "float") and inner in _DOUBLE_STRINGS
        )
    named = _NAMED_CACHE.get(name)
    if named is None:
        named = "." in name and _NAMED.match(name) is not None
        if len(_NAMED_CACHE) < _NAMED_CACHE_MAX:
            _NAMED_CACHE[name] = named
    return named


def is_record_name(name: Any) -> bool:
    """True for a namespaced Avro name such as ``com.liveperson.dataaccess.Campaign``."""
    return type(name) is str and _NAMED.match(name) is not None


def short_name(name: str | None) -> str | None:
    """``com.liveperson.dataaccess.Campaign`` → ``Campaign``."""
    return None if name is None else name.rsplit(".", 1)[-1]


def branch(value: Any) -> tuple[str | None, Any]:
    """One level of union: ``(branch name, inner value)`` for a union branch, else
    ``(None, value)``. The inner value is not unwrapped further."""
    if type(value) is dict and len(value) == 1:
        for name, inner in value.items():
            if _branch_matches(name, inner):
                return name, inner
    return None, value


# unwrap and clean are the hot path of web-session parsing (every value of a body goes through
# one of them), hence written out twice, with the common cases first: a member that is a
# scalar branch of the exact type (``{"string": "x"}``, ``{"long": 1}``: one type test), a
# named record, an array; anything else goes through _branch_matches in the general case.

#: Scalar branches and the exact type of their usual value (others, such as an int in a
#: "double", take the general path).
_EXACT: dict[str, type] = {
    "string": str,
    "bytes": str,
    "long": int,
    "int": int,
    "boolean": bool,
    "double": float,
    "float": float,
}


def _unwrap_list(items: list) -> list:
    # The elements of an array, unwrapped: a record (not a one-key dict) goes straight to
    # its members.
    return [
        (_unwrap_members(x) if len(x) != 1 else unwrap(x))
        if type(x) is dict
        else _unwrap_list(x)
        if type(x) is list
        else x
        for x in items
    ]


def _clean_list(items: list) -> list:
    # As _unwrap_list, for clean.
    return [
        (_clean_members(x) if len(x) != 1 else clean(x))
        if type(x) is dict
        else _clean_list(x)
        if type(x) is list
        else x
        for x in items
    ]


def _unwrap_members(record: dict) -> dict:
    # The members of a record or map (they are not a union themselves).
    out = {}
    for k, v in record.items():
        t = type(v)
        if t is dict:
            if len(v) == 1:
                (name,) = v
                inner = v[name]
                t = type(inner)
                if _EXACT.get(name) is t:
                    out[k] = inner
                    continue
                if _NAMED_CACHE.get(name):  # a named record or enum, seen before
                    if t is dict:
                        out[k] = _unwrap_members(inner)
                    elif t is list:
                        out[k] = _unwrap_list(inner)
                    else:
                        out[k] = inner
                    continue
                if t is list and name == "array":
                    out[k] = _unwrap_list(inner)
                    continue
            out[k] = unwrap(v)
        elif t is list:
            out[k] = _unwrap_list(v)
        else:
            out[k] = v
    return out


def _clean_members(record: dict) -> dict:
    # As _unwrap_members, without the members that are null.
    out = {}
    for k, v in record.items():
        t = type(v)
        if t is dict:
            if len(v) == 1:
                (name,) = v
                inner = v[name]
                t = type(inner)
                if _EXACT.get(name) is t:
                    out[k] = inner
                    continue
                if _NAMED_CACHE.get(name):  # a named record or enum, seen before
                    if t is dict:
                        out[k] = _clean_members(inner)
                    elif t is list:
                        out[k] = _clean_list(inner)
                    else:
                        out[k] = inner
                    continue
                if t is list and name == "array":
                    out[k] = _clean_list(inner)
                    continue
            out[k] = clean(v)
        elif t is list:
            out[k] = _clean_list(v)
        elif v is not None:
            out[k] = v
    return out


def unwrap(value: Any) -> Any:
    """The plain value of Avro-JSON ``value``, recursively: union branches removed, arrays
    and maps unwrapped element by element, records as plain dicts."""
    t = type(value)
    if t is dict:
        if len(value) == 1:
            (name,) = value
            inner = value[name]
            t = type(inner)
            if _EXACT.get(name) is t:
                return inner
            if _branch_matches(name, inner):
                if t is dict:  # a map or a record: its members are not a union
                    return _unwrap_members(inner)
                if t is list:
                    return _unwrap_list(inner)
                return inner
        return _unwrap_members(value)
    if t is list:
        return _unwrap_list(value)
    return value


def clean(value: Any) -> Any:
    """:func:`unwrap` without null object members (list positions are kept): the form
    that identifies a fact whatever null fields a schema version adds."""
    t = type(value)
    if t is dict:
        if len(value) == 1:
            (name,) = value
            inner = value[name]
            t = type(inner)
            if _EXACT.get(name) is t:
                return inner
            if _branch_matches(name, inner):
                if t is dict:
                    return _clean_members(inner)
                if t is list:
                    return _clean_list(inner)
                return inner
        return _clean_members(value)
    if t is list:
        return _clean_list(value)
    return value


def unwrap_named(value: Any) -> tuple[str | None, Any]:
    """``(record or enum name, plain value)`` for a named union branch such as
    ``{"com.liveperson.dataaccess.ReduceAbandonmentGoalMetadata": {...}}``; for anything
    else ``(None, unwrap(value))``."""
    name, inner = branch(value)
    if name is not None and name not in PRIMITIVES:
        if type(inner) is dict:
            return name, _unwrap_members(inner)
        return name, unwrap(inner)
    return None, unwrap(value)
