"""Mapping a source dict onto a table's row: :class:`RowMapper`, shared by every parser.

A mapper is built once per (table, section): it maps each source key to a column (by
default the key in snake_case) and casts its value with the column's caster (see
:mod:`loaders.values`), keeping fields without a column, and values that failed to cast,
in the row's ``extra`` JSON so that nothing is lost. For the key layouts it meets often it
compiles a function that does the same with a few operations per field (see "mappers
specialised per key layout").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import DateTime, Table

from loaders.values import (
    EPOCH,
    INT32_MAX,
    INT32_MIN,
    INT64_MAX,
    INT64_MIN,
    MAX_EPOCH_MS,
    NULL_STRINGS,
    Caster,
    CastError,
    cast_bool,
    cast_epoch_ms,
    cast_int32,
    cast_int64,
    cast_text,
    cast_text_null_strings,
    caster_for,
    context_text,
    dumps,
    text_of_non_str,
)

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
        text = _HOUR_TEXT[hour] = (EPOCH + timedelta(hours=hour)).strftime("%Y-%m-%d %H:")
    rest = current % 3_600_000
    # One f-string builds the text in one allocation (two ``+`` make an intermediate one).
    return value == f"{text}{_MINUTE_SECOND_TEXT[rest // 1000]}{_MILLI_TEXT[rest % 1000]}"


def _text_into(row: dict, column: str, value: Any) -> None:
    # A text column's value that is not a str: None, or a number or container to spell out
    # (the same for both text casters, which differ only on str values).
    if value is not None:
        out = text_of_non_str(value)
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
