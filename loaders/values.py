"""Value casting shared by every parser, driven by the SQL type of the target column.

The contract's value rules live here: epoch-millisecond fields (numbers or strings of
digits; ``-1``/``"undefined"``/``"null"``/``""`` mean unknown) become ``int`` epoch ms,
v1 strings and v2 typed values cast to the same documented type, ``{"year","month","day"}``
becomes a ``datetime.date``, and text is never truncated.

Casters take one source value and return the cast value or ``None`` (unknown); a value
that cannot be cast raises :class:`CastError`. :class:`loaders.row_mapper.RowMapper`
applies them to a source dict. Also here: the JSON text the warehouse keeps of a value
(:func:`dumps`) and the nesting limit (:data:`MAX_DEPTH`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import orjson
from sqlalchemy import BigInteger, Boolean, Date, DateTime, Double, Integer, Text

Caster = Callable[[Any], Any]

#: Strings that mean "no value" in the text fields of a conversation record.
NULL_STRINGS = frozenset({"undefined", "null"})
# Strings that mean "no value" in typed (non-text) fields, whatever the source.
_TYPED_NULLS = frozenset({"", "undefined", "null"})

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# 9999-12-31T23:59:59.999Z: beyond it no database TIMESTAMP can hold the value.
MAX_EPOCH_MS = 253_402_300_799_999
MIN_EPOCH_MS = -62_135_596_800_000  # 0001-01-01T00:00:00Z

#: Epoch milliseconds count from here.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_fromisoformat = datetime.fromisoformat
_JSON_SUFFIX = "(JSON text)"


class CastError(ValueError):
    """A source value that cannot be cast to the column's type."""

    def __init__(self, value: Any, kind: str) -> None:
        super().__init__(f"cannot cast {short_repr(value)} to {kind}")
        self.value = value
        self.kind = kind


def short_repr(value: Any, limit: int = 80) -> str:
    """``repr`` of a value, cut short: warnings must stay readable for 60 kB values."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def dumps(value: Any) -> str:
    """JSON text of a value, as stored in JSON and ``extra`` columns: keys sorted, so that
    the same content is the same text whatever the order of its keys (which one of two
    such records is stored then does not matter: their digests are equal too)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:
        return slow_dumps(value)


#: How deep a value may nest for :func:`slow_dumps` to write it. Python's encoder recurses,
#: so its own limit depends on how deep the caller's stack already is (a parsing process's
#: is deeper than the loading process's): a record nested ~975 levels deep loaded in one
#: and was rejected in the other. Well within Python's limit, this one holds on every path.
MAX_DEPTH = 512


class TooDeep(RecursionError):
    """A value nested deeper than :data:`MAX_DEPTH`: its record is rejected (as nested too
    deeply to be read, like any record deeper than Python reads)."""


def slow_dumps(value: Any) -> str:
    """:func:`dumps` of what orjson does not write: integers beyond 64 bits (kept exact by
    the readers) and nesting deeper than 254 levels. The same text as orjson's otherwise
    (sorted keys, no spaces), so that such a value does not change how the rest of the
    row's JSON reads. Raises :class:`TooDeep` beyond :data:`MAX_DEPTH` levels."""
    if nested_deeper_than(value, MAX_DEPTH):
        raise TooDeep(f"nested deeper than {MAX_DEPTH} levels")
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def nested_deeper_than(value: Any, limit: int) -> bool:
    """Whether ``value`` has containers (objects, arrays) nested more than ``limit`` deep;
    measured without recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        kind = type(item)
        if kind is dict:
            children = item.values()
        elif kind is list:
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if type(child) in (dict, list))
    return False


# -- timestamps ---------------------------------------------------------------------------------


def parse_datetime_text(text: str) -> int:
    """``"2016-08-29 14:30:24.565+0000"`` or any ISO 8601 date-time → epoch ms (naive = UTC)."""
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise CastError(text, "timestamp") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    delta = dt - EPOCH
    return delta.days * 86_400_000 + delta.seconds * 1000 + delta.microseconds // 1000


def _epoch_from_int(value: int) -> int | None:
    if value >= 0:
        if value > MAX_EPOCH_MS:
            raise CastError(value, "timestamp")
        return value
    if value == -1:
        return None
    raise CastError(value, "timestamp")


def cast_epoch_ms(value: Any) -> int | None:
    """Epoch-millisecond timestamp: int, float or string of digits (or an ISO date-time)."""
    t = type(value)
    if t is int:
        return _epoch_from_int(value)
    if t is str:
        if len(value) > 18 and value[4] == "-" and value[10] in " T":
            # The API's own text form of a time: "2016-08-29 14:30:24.565+0000" (tested
            # first: the "time" fallbacks of every message, status and score are in it).
            try:
                dt = _fromisoformat(value)
            except ValueError:
                raise CastError(value, "timestamp") from None
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=UTC)
            delta = dt - EPOCH
            return delta.days * 86_400_000 + delta.seconds * 1000 + delta.microseconds // 1000
        if value.isdigit() and value.isascii():
            return _epoch_from_int(int(value))
        s = value.strip()
        if s in _TYPED_NULLS or s == "-1":
            return None
        if s[:1] == "-" and s[1:].isdigit() and s.isascii():
            return _epoch_from_int(int(s))
        if "-" in s[1:] or ":" in s:
            ms = parse_datetime_text(s)
            if not MIN_EPOCH_MS <= ms <= MAX_EPOCH_MS:
                raise CastError(value, "timestamp")
            return ms
        try:
            f = float(s)
        except ValueError:
            raise CastError(value, "timestamp") from None
        return _epoch_from_float(f, value)
    if t is float:
        return _epoch_from_float(value, value)
    raise CastError(value, "timestamp")


def _epoch_from_float(f: float, original: Any) -> int | None:
    if not math.isfinite(f):
        raise CastError(original, "timestamp")
    return _epoch_from_int(int(f))


# -- numbers ------------------------------------------------------------------------------------


def _integral(value: Any, kind: str) -> int | None:
    t = type(value)
    if t is int:
        return value
    if t is str:
        s = value.strip()
        if s in _TYPED_NULLS:
            return None
        if "_" in s:  # Python's int()/float() accept digit separators; JSON sources do not
            raise CastError(value, kind)
        try:
            return int(s)
        except ValueError:
            pass
        try:
            f = float(s)
        except ValueError:
            raise CastError(value, kind) from None
        if _exact_integer(f):
            return int(f)
        raise CastError(value, kind)
    if t is float and _exact_integer(value):
        return int(value)
    raise CastError(value, kind)


def _exact_integer(f: float) -> bool:
    """Whether a float stands for a whole number of the 64-bit range. At 2**63 and beyond a
    float is the rounding of some other integer (``-9223372036854775809`` reads as the float
    -2**63, which as an integer would be in range): refused, rather than stored off by one."""
    return math.isfinite(f) and f.is_integer() and abs(f) < 2.0**63


def cast_int32(value: Any) -> int | None:
    """A documented ``int``: int, integral float or numeric string (``"34.0"``), 32-bit."""
    n = _integral(value, "int")
    if n is not None and not INT32_MIN <= n <= INT32_MAX:
        raise CastError(value, "int")
    return n


def cast_int64(value: Any) -> int | None:
    """A documented ``long``: int, integral float or numeric string, 64-bit."""
    n = _integral(value, "long")
    if n is not None and not INT64_MIN <= n <= INT64_MAX:
        raise CastError(value, "long")
    return n


def cast_double(value: Any) -> float | None:
    """A documented ``double``: number or numeric string; NaN and infinities are refused."""
    t = type(value)
    if t is float:
        if math.isfinite(value):
            return value
        raise CastError(value, "double")
    if t is int:
        try:
            return float(value)
        except OverflowError:
            raise CastError(value, "double") from None
    if t is str:
        s = value.strip()
        if s in _TYPED_NULLS:
            return None
        if "_" in s:
            raise CastError(value, "double")
        try:
            f = float(s)
        except ValueError:
            raise CastError(value, "double") from None
        if math.isfinite(f):
            return f
    raise CastError(value, "double")


_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})


def cast_bool(value: Any) -> bool | None:
    """A boolean: ``true``/``false``, the strings ``"true"``/``"false"`` (any case), 0 or 1."""
    t = type(value)
    if t is bool:
        return value
    if t is str:
        s = value.strip().lower()
        if s in _TRUE:
            return True
        if s in _FALSE:
            return False
        if s in _TYPED_NULLS:
            return None
    elif t is int or t is float:
        if value == 1:
            return True
        if value == 0:
            return False
    raise CastError(value, "boolean")


# -- text, JSON, dates ---------------------------------------------------------------------------


def text_of_non_str(value: Any) -> str | None:
    """A value that is not a ``str`` as text (JSON's spelling: ``true``, ``12``, ``1.5``,
    ``[1]``); ``None`` stays unknown."""
    t = type(value)
    if t is bool:
        return "true" if value else "false"
    if t is int:
        return str(value)
    if t is float:
        return repr(value) if math.isfinite(value) else dumps(value)
    if value is None:
        return None
    return dumps(value)


def cast_text(value: Any) -> str | None:
    """Text, kept exactly; numbers become their JSON spelling, objects and arrays JSON text."""
    if type(value) is str:
        return value
    return text_of_non_str(value)


def cast_text_null_strings(value: Any) -> str | None:
    """Text of a conversation record: like :func:`cast_text`, but ``"undefined"``/``"null"``
    mean NULL."""
    if type(value) is str:
        return None if value in NULL_STRINGS else value
    return text_of_non_str(value)


def cast_json(value: Any) -> str | None:
    """JSON text. A string that already holds a JSON object or array (``richContent.content``,
    ``rawMetadata``) is kept as it is, not re-parsed (this is the hot path); any other string
    is stored as a JSON string."""
    if value is None:
        return None
    if type(value) is str:
        head = value.lstrip()[:1]
        return value if head == "{" or head == "[" else dumps(value)
    return dumps(value)


def cast_json_null_strings(value: Any) -> str | None:
    """JSON text of a conversation record: like :func:`cast_json`, but a ``"undefined"`` or
    ``"null"`` string means NULL, as in its text fields."""
    if type(value) is str and value in NULL_STRINGS:
        return None
    return cast_json(value)


def cast_ymd_date(value: Any) -> date | None:
    """``{"year", "month", "day"}`` (int or string parts) or ``"YYYY-MM-DD"`` → a date."""
    if isinstance(value, dict):
        y, m, d = value.get("year"), value.get("month"), value.get("day")
        if y is None and m is None and d is None:
            return None
        try:
            year, month, day = _integral(y, "date"), _integral(m, "date"), _integral(d, "date")
            return date(year, month, day)  # type: ignore[arg-type]
        except (CastError, TypeError, ValueError, OverflowError):  # date(10**20, 1, 1)
            raise CastError(value, "date") from None
    if type(value) is str:
        s = value.strip()
        if s in _TYPED_NULLS:
            return None
        try:
            return date.fromisoformat(s)
        except ValueError:
            raise CastError(value, "date") from None
    raise CastError(value, "date")


def caster_for(column, *, null_strings: bool = False) -> Caster:
    """The caster for a column, derived from its SQL type (JSON text columns are ``Text``
    columns whose comment ends in "(JSON text)", see ``warehouse.models.base.json_text``)."""
    t = column.type
    if isinstance(t, DateTime):
        return cast_epoch_ms
    if isinstance(t, BigInteger):
        return cast_int64
    if isinstance(t, Integer):
        return cast_int32
    if isinstance(t, Double):
        return cast_double
    if isinstance(t, Boolean):
        return cast_bool
    if isinstance(t, Date):
        return cast_ymd_date
    if isinstance(t, Text):
        if (column.comment or "").endswith(_JSON_SUFFIX):
            return cast_json_null_strings if null_strings else cast_json
        return cast_text_null_strings if null_strings else cast_text
    raise TypeError(f"no caster for column {column.name} of type {t!r}")


def cast_or_warn(
    caster: Caster, value: Any, warnings: list[str], context: str | tuple, key: str
) -> Any:
    """Cast a single value; on failure add a warning (``context``: see :func:`context_text`)
    and return None."""
    try:
        return caster(value)
    except CastError as exc:
        warnings.append(f"{context_text(context)}: {key}: {exc}")
        return None


def epoch_or_warn(value: Any, warnings: list[str], context: str | tuple, key: str) -> int | None:
    """``cast_or_warn(cast_epoch_ms, …)`` with its common cases answered first, without a call:
    an int epoch ms in range, or a string of ASCII digits (the SDE time stamps)."""
    t = type(value)
    if t is int:
        if 0 <= value <= MAX_EPOCH_MS:
            return value
    elif t is str and value.isdigit() and value.isascii():
        # What cast_epoch_ms does with such a string (its first test needs a "-").
        n = int(value)
        if n <= MAX_EPOCH_MS:
            return n
    return cast_or_warn(cast_epoch_ms, value, warnings, context, key)


def context_text(context: str | tuple) -> str:
    """The text of a warning context: a ``str``, or a tuple of parts to concatenate (a
    context is only spelt out when a warning is written)."""
    return context if type(context) is str else "".join(map(str, context))
