"""Value casting shared by every parser, driven by the SQL type of the target column.

The contract's value rules live here: epoch-millisecond fields (numbers or strings of
digits; ``-1``/``"undefined"``/``"null"``/``""`` mean unknown) become ``int`` epoch ms,
v1 strings and v2 typed values cast to the same documented type, ``{"year","month","day"}``
becomes a ``datetime.date``, and text is never truncated.

Casters take one source value and return the cast value or ``None`` (unknown); a value
that cannot be cast raises :class:`CastError`. :class:`RowMapper` applies them to a source
dict: it is built once per (table, section) and maps each source key to a column (by
default the key in snake_case), keeping fields without a column, and values that failed
to cast, in the row's ``extra`` JSON so that nothing is lost. For the key layouts it meets
often it compiles a function that does the same with a few operations per field (see
"mappers specialised per key layout").
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import BigInteger, Boolean, Date, DateTime, Double, Integer, Table, Text

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

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
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
    delta = dt - _EPOCH
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
            delta = dt - _EPOCH
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


def _text_of_non_str(value: Any) -> str | None:
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
    return _text_of_non_str(value)


def cast_text_null_strings(value: Any) -> str | None:
    """Text of a conversation record: like :func:`cast_text`, but ``"undefined"``/``"null"``
    mean NULL."""
    if type(value) is str:
        return None if value in NULL_STRINGS else value
    return _text_of_non_str(value)


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


# -- mapping a source dict onto a table ----------------------------------------------------------

_SNAKE_1 = re.compile(r"(.)([A-Z][a-z]+)")
_SNAKE_2 = re.compile(r"([a-z0-9])([A-Z])")


def snake_case(name: str) -> str:
    """``alertedMCS`` → ``alerted_mcs``, ``avatarURL`` → ``avatar_url``."""
    return _SNAKE_2.sub(r"\1_\2", _SNAKE_1.sub(r"\1_\2", name)).lower()


class Fallback(str):
    """A mapping target used only when no other source key filled the column (for example
    ``startTime`` text when ``startTimeL`` is missing or unknown)."""


#: Mapping target for a key the caller handles itself: the mapper neither maps nor keeps it.
SKIP = None

# A mapper's entry for a source key: a plain ``str`` (the column) for a text column — the
# common case, stored inline — else ``(kind, column, caster, fast_type, low, high)``: a
# value of exactly ``fast_type`` within ``[low, high]`` is stored as it is, which is what
# the caster would return for it (ints for integer and timestamp columns, bools).
_PRIMARY, _FALLBACK, _EXTRA, _SKIP = 0, 1, 2, 3
_EXTRA_ENTRY = (_EXTRA, None, None, None, 0, 0)
_SKIP_ENTRY = (_SKIP, None, None, None, 0, 0)
_MAX_CACHED_KEYS = 4096
_FAST_RANGES: dict[Any, tuple[type, Any, Any]] = {
    cast_epoch_ms: (int, 0, MAX_EPOCH_MS),
    cast_int32: (int, INT32_MIN, INT32_MAX),
    cast_int64: (int, INT64_MIN, INT64_MAX),
    cast_bool: (bool, False, True),
}
_NO_FAST = (None, 0, 0)


def _primary(column: str, caster: Caster) -> str | tuple:
    if caster is cast_text or caster is cast_text_null_strings:
        return column
    return (_PRIMARY, column, caster, *_FAST_RANGES.get(caster, _NO_FAST))


def context_text(context: str | tuple) -> str:
    """The text of a warning context: a ``str``, or a tuple of parts to concatenate (a
    context is only spelt out when a warning is written)."""
    return context if type(context) is str else "".join(map(str, context))


# -- mappers specialised per key layout -----------------------------------------------------------
#
# A source section nearly always arrives with the same keys in the same order (the API
# writes them so), and the generic loop of :meth:`RowMapper.map_into` pays a dict lookup,
# a tuple unpacking and several branches per field to rediscover what each key means. For a
# layout seen often enough the mapper compiles a function that unpacks the values in one go
# and has each field's branch written out (its column a constant). Only the common, cheap
# outcome is inlined — a text, or an int or bool in range, or a time text equal to its
# epoch-ms twin; every other value goes through the same casting functions as the generic
# loop, in the same order, so that rows, ``extra`` and warnings come out identical.

#: Layouts a mapper compiles at most (hostile input could make every record's keys new).
_MAX_LAYOUTS = 64
#: Keys a compiled layout has at most: the code grows with them (the API's have ~40).
_MAX_LAYOUT_KEYS = 200
#: Sightings of a layout before it is compiled (compiling one costs about as much as mapping
#: a hundred dicts the generic way): a layout met a few times is likely to recur, as the
#: API writes its sections with the same keys; one met once or twice may be a stray.
_COMPILE_AFTER = 8
#: Distinct layouts a mapper counts before it forgets the counts (hostile input again).
_MAX_SEEN = 4096


def _cast_into(
    caster: Caster,
    key: str,
    value: Any,
    column: str,
    row: dict,
    extra: dict,
    warnings: list[str],
    context: str | tuple,
) -> None:
    # A primary value off the inlined path: cast, or warn and keep it in extra.
    try:
        out = caster(value)
    except CastError as exc:
        warnings.append(f"{context_text(context)}: {key}: {exc}")
        extra[key] = value
        return
    if out is not None:
        row[column] = out


def _fallback_into(
    caster: Caster,
    key: str,
    value: Any,
    column: str,
    row: dict,
    extra: dict,
    warnings: list[str],
    context: str | tuple,
) -> None:
    # A fallback value, after every primary one: fills the column if still empty.
    try:
        out = caster(value)
    except CastError as exc:
        warnings.append(f"{context_text(context)}: {key}: {exc}")
        extra[key] = value
        return
    if out is None:
        return
    current = row.get(column)
    if current is None:
        row[column] = out
    elif current != out:
        # e.g. a "time" text that disagrees with "timeL": keep it, not lost
        extra[key] = value


# The API's text form of a time, "2024-03-12 00:08:50.661+0000", spelt from epoch ms in pieces:
# the date and hour (cached: the times of a record share a few hours), "MM:SS", ".mmm+0000".
_HOUR_TEXT: dict[int, str] = {}
_MAX_HOURS = 100_000
_MINUTE_SECOND_TEXT = tuple(f"{m:02d}:{s:02d}" for m in range(60) for s in range(60))
_MILLI_TEXT = tuple(f".{ms:03d}+0000" for ms in range(1000))


def _is_api_time_of(value: Any, current: Any) -> bool:
    """Whether ``value`` is exactly the API's text of the epoch ms ``current`` — then casting it
    gives ``current``, and a fallback of it has nothing to do (this spares parsing it)."""
    if type(value) is not str or type(current) is not int or not 0 <= current <= MAX_EPOCH_MS:
        return False
    hour = current // 3_600_000
    text = _HOUR_TEXT.get(hour)
    if text is None:
        if len(_HOUR_TEXT) >= _MAX_HOURS:
            _HOUR_TEXT.clear()
        text = _HOUR_TEXT[hour] = (_EPOCH + timedelta(hours=hour)).strftime("%Y-%m-%d %H:")
    rest = current - hour * 3_600_000
    second = rest // 1000
    return value == text + _MINUTE_SECOND_TEXT[second] + _MILLI_TEXT[rest - second * 1000]


def _text_into(row: dict, column: str, value: Any) -> None:
    # A text column's value that is not a str: None, or a number or container to spell out
    # (the same for both text casters, which differ only on str values).
    if value is not None:
        out = _text_of_non_str(value)
        if out is not None:
            row[column] = out


def _compile_layout(
    keys: tuple[str, ...], entries: list[str | tuple], nulls: frozenset
) -> Callable[..., None]:
    """A function ``(src, row, extra, warnings, context)`` doing what the generic loop does for
    a dict whose keys are exactly ``keys``, in that order (``entries``: their resolved entries).

    Source keys are never written into the code (they may be anything): the function reads
    them, and the casters, from its closure. Columns are names of the model's columns. The
    code is kept short (rare cases are calls), as compiling costs about 10 us a line."""
    body: list[str] = []
    late: list[str] = []
    names = []
    for i, entry in enumerate(entries):
        v = f"v{i}"
        names.append(v)
        if type(entry) is str:
            col = repr(entry)
            if nulls:
                body.append(f"    if type({v}) is not str: X(row, {col}, {v})")
                body.append(f"    elif {v} not in N: row[{col}] = {v}")
            else:
                body.append(f"    if type({v}) is str: row[{col}] = {v}")
                body.append(f"    else: X(row, {col}, {v})")
            continue
        kind, column, caster, fast_type, low, high = entry
        col = repr(column)
        args = f"C[{i}], K[{i}], {v}, {col}, row, extra, warnings, context"
        if kind == _PRIMARY:
            if fast_type is bool:
                body.append(f"    if type({v}) is bool: row[{col}] = {v}")
            elif fast_type is int:
                body.append(f"    if type({v}) is int and {low!r} <= {v} <= {high!r}:")
                body.append(f"        row[{col}] = {v}")
            if fast_type is None:
                body.append(f"    if {v} is not None: S({args})")
            else:
                body.append(f"    elif {v} is not None: S({args})")
        elif kind == _EXTRA:
            body.append(f"    extra[K[{i}]] = {v}")
        elif kind == _FALLBACK:
            if caster is cast_epoch_ms:
                # Nearly always the text twin of a "…L" epoch ms just stored: compared as
                # text first (see _is_api_time_of), parsed only when it differs.
                late.append(f"    if {v} is not None and not A({v}, row.get({col})): F({args})")
            else:
                late.append(f"    if {v} is not None: F({args})")
        else:  # _SKIP
            names[-1] = "_"
    source = (
        "def make(N, X, S, F, A, K, C):\n"
        "  def map_layout(src, row, extra, warnings, context):\n"
        + (f"    {', '.join(names)}, = src.values()\n" if names else "")
        + "".join(f"{line}\n" for line in (*body, *late))
        + "    return None\n"
        "  return map_layout\n"
    )
    namespace: dict[str, Any] = {}
    exec(compile(source, f"<RowMapper layout of {len(keys)} keys>", "exec"), namespace)  # noqa: S102
    casters = tuple(e[2] if type(e) is tuple else None for e in entries)
    return namespace["make"](
        nulls,
        _text_into,
        _cast_into,
        _fallback_into,
        _is_api_time_of,
        keys,
        casters,
    )


class RowMapper:
    """Maps the fields of one source section onto the columns of one table.

    Built once per (table, section): ``mapping`` gives explicit targets
    ``{source key: column | Fallback(column) | SKIP}``; any other key goes, when
    ``defaults`` is on, to the column named ``prefix + snake_case(key)`` (a ``…L`` key
    feeds the timestamp column without the ``L``, and a key naming a timestamp column
    directly is its fallback). Keys without a column, and values that fail to cast,
    land in ``extra``.
    """

    __slots__ = (
        "table",
        "has_extra",
        "_entries",
        "_columns",
        "_prefix",
        "_defaults",
        "_null",
        "_nulls",
        "_text",
        "_layouts",
        "_seen",
    )

    def __init__(
        self,
        model: Any,
        mapping: Mapping[str, str | None] | None = None,
        *,
        prefix: str = "",
        null_strings: bool = False,
        exclude: Iterable[str] = (),
        defaults: bool = True,
    ) -> None:
        table: Table = getattr(model, "__table__", model)
        self.table = table.name
        self.has_extra = "extra" in table.columns
        excluded = {"extra", "load_id", "record_version", "record_hash", *exclude}
        self._columns = {
            c.name: (caster_for(c, null_strings=null_strings), isinstance(c.type, DateTime))
            for c in table.columns
            if c.name not in excluded
        }
        self._prefix = prefix
        self._defaults = defaults
        self._null = null_strings
        # Every text column of a mapper has the same caster: these strings are its NULLs.
        self._nulls = NULL_STRINGS if null_strings else frozenset()
        self._text = cast_text_null_strings if null_strings else cast_text
        self._entries: dict[str, str | tuple] = {}
        # Key layout → its compiled function (see _compile_layout), and how often layouts
        # not yet compiled were seen (see _COMPILE_AFTER).
        self._layouts: dict[tuple[str, ...], Callable[..., None]] = {}
        self._seen: dict[tuple[str, ...], int] = {}
        for key, target in (mapping or {}).items():
            if target is SKIP:
                self._entries[key] = _SKIP_ENTRY
                continue
            column = table.columns.get(str(target))
            if column is None:
                raise KeyError(f"{table.name} has no column {target!r} (mapping of {key!r})")
            caster = caster_for(column, null_strings=null_strings)
            if isinstance(target, Fallback):
                self._entries[key] = (_FALLBACK, str(target), caster, *_NO_FAST)
            else:
                self._entries[key] = _primary(str(target), caster)

    def _resolve(self, key: str) -> str | tuple:
        entry: str | tuple = _EXTRA_ENTRY
        if self._defaults:
            name = self._prefix + snake_case(key)
            col = self._columns.get(name)
            if col is not None:
                entry = (_FALLBACK, name, col[0], *_NO_FAST) if col[1] else _primary(name, col[0])
            elif name.endswith("_l"):
                col = self._columns.get(name[:-2])
                if col is not None and col[1]:
                    entry = _primary(name[:-2], col[0])
        if len(self._entries) < _MAX_CACHED_KEYS:
            self._entries[key] = entry
        return entry

    def map_into(
        self,
        src: Mapping[str, Any],
        row: dict[str, Any],
        extra: dict[str, Any],
        warnings: list[str],
        context: str | tuple,
    ) -> None:
        """Cast the fields of ``src`` into ``row``; unmapped and uncastable ones into ``extra``.

        ``context`` prefixes warnings: a ``str`` or a tuple of parts (see
        :func:`context_text`)."""
        if type(src) is dict and len(src) <= _MAX_LAYOUT_KEYS:
            layout = tuple(src)
            fn = self._layouts.get(layout)
            if fn is None:
                fn = self._specialise(layout)
            if fn is not None:
                fn(src, row, extra, warnings, context)
                return
        self._map_generic(src, row, extra, warnings, context)

    def _specialise(self, layout: tuple[str, ...]) -> Callable[..., None] | None:
        # The compiled function for a layout seen before, else None (the generic loop).
        seen = self._seen
        count = seen.get(layout, 0) + 1
        if count < _COMPILE_AFTER or len(self._layouts) >= _MAX_LAYOUTS:
            if len(seen) >= _MAX_SEEN:
                seen.clear()
            seen[layout] = count
            return None
        seen.pop(layout, None)
        entries = [self._entries.get(key) or self._resolve(key) for key in layout]
        fn = _compile_layout(layout, entries, self._nulls)
        self._layouts[layout] = fn
        return fn

    def _map_generic(
        self,
        src: Mapping[str, Any],
        row: dict[str, Any],
        extra: dict[str, Any],
        warnings: list[str],
        context: str | tuple,
    ) -> None:
        # The reference behaviour: one key at a time (any Mapping, any layout).
        entries = self._entries
        nulls = self._nulls
        pending = None
        for key, value in src.items():
            entry = entries.get(key)
            if entry is None:
                entry = self._resolve(key)
            if type(entry) is str:  # a text column
                if type(value) is str:
                    if value not in nulls:
                        row[entry] = value
                    continue
                if value is None:
                    continue
                out = self._text(value)  # numbers and containers: never a CastError
                if out is not None:
                    row[entry] = out
                continue
            kind, column, caster, fast_type, low, high = entry
            if kind == _PRIMARY:
                if type(value) is fast_type and low <= value <= high:
                    row[column] = value
                    continue
                if value is None:
                    continue
                try:
                    out = caster(value)
                except CastError as exc:
                    warnings.append(f"{context_text(context)}: {key}: {exc}")
                    extra[key] = value
                    continue
                if out is not None:
                    row[column] = out
            elif kind == _EXTRA:
                extra[key] = value
            elif kind == _FALLBACK:
                if value is not None:
                    if pending is None:
                        pending = []
                    pending.append((key, value, column, caster))
        if pending:
            for key, value, column, caster in pending:
                try:
                    out = caster(value)
                except CastError as exc:
                    warnings.append(f"{context_text(context)}: {key}: {exc}")
                    extra[key] = value
                    continue
                if out is None:
                    continue
                current = row.get(column)
                if current is None:
                    row[column] = out
                elif current != out:
                    # e.g. a "time" text that disagrees with "timeL": keep it, not lost
                    extra[key] = value

    def finish(self, row: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
        """Store ``extra`` (if any, and if the table has the column) as JSON text in the row."""
        if extra and self.has_extra:
            row["extra"] = dumps(extra)
        return row

    def map(
        self,
        src: Mapping[str, Any],
        warnings: list[str],
        context: str | tuple,
        base: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A new row: ``base`` (key columns) plus the cast fields of ``src`` and its ``extra``."""
        row = dict(base) if base else {}
        extra: dict[str, Any] = {}
        self.map_into(src, row, extra, warnings, context)
        return self.finish(row, extra)
