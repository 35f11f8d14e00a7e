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
_NESTED = frozenset({dict, list})  # the value types that unwrap/clean descend into


#: Primitive branches whose value is a scalar: unwrapping them ends there.
_SCALAR_PRIMITIVES: dict[str, frozenset[type]] = {
    name: types for name, types in PRIMITIVES.items() if name not in ("array", "map")
}


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


def _members(items: Any, drop_nulls: bool, walk: Any) -> dict:
    # The members of a record or map. Wrapped scalars, the bulk of any Avro-JSON document,
    # are unwrapped here instead of in a recursive call each.
    out = {}
    for k, v in items:
        t = type(v)
        if t is dict:
            if len(v) == 1:
                (name,) = v
                inner = v[name]
                types = _SCALAR_PRIMITIVES.get(name)
                if types is not None and type(inner) in types:
                    out[k] = inner
                    continue
            out[k] = walk(v)
        elif t is list:
            out[k] = walk(v)
        elif v is not None or not drop_nulls:
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
            if _branch_matches(name, inner):
                t = type(inner)
                if t is dict:  # a map or a record: its members are not a union
                    return _members(inner.items(), False, unwrap)
                if t is list:
                    return [unwrap(v) if type(v) in _NESTED else v for v in inner]
                return inner
        return _members(value.items(), False, unwrap)
    if t is list:
        return [unwrap(v) if type(v) in _NESTED else v for v in value]
    return value


def clean(value: Any) -> Any:
    """:func:`unwrap` without null object members (list positions are kept): the form
    that identifies a fact whatever null fields a schema version adds."""
    t = type(value)
    if t is dict:
        if len(value) == 1:
            (name,) = value
            inner = value[name]
            if _branch_matches(name, inner):
                t = type(inner)
                if t is dict:
                    return _members(inner.items(), True, clean)
                if t is list:
                    return [clean(v) if type(v) in _NESTED else v for v in inner]
                return inner
        return _members(value.items(), True, clean)
    if t is list:
        return [clean(v) if type(v) in _NESTED else v for v in value]
    return value


def unwrap_named(value: Any) -> tuple[str | None, Any]:
    """``(record or enum name, plain value)`` for a named union branch such as
    ``{"com.liveperson.dataaccess.ReduceAbandonmentGoalMetadata": {...}}``; for anything
    else ``(None, unwrap(value))``."""
    name, inner = branch(value)
    if name is not None and name not in PRIMITIVES:
        if type(inner) is dict:
            return name, {k: unwrap(v) for k, v in inner.items()}
        return name, unwrap(inner)
    return None, unwrap(value)
