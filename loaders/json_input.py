"""What the JSON readers share: the record limit, split pages, and error positions.

A record (a JSON Lines line, a page element, a document that is not a page) is never read
whole if its text is bigger than the record limit (:func:`max_record_bytes`); it comes as
:class:`Unread` instead. A page document is handed out as the document with its
:data:`SPLIT_KEYS` arrays emptied, then each element on its own (:func:`split_value`).
orjson's errors are turned into byte offsets, lines and columns here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from loaders.files import InputError

#: Top-level array keys whose elements are yielded one by one.
SPLIT_KEYS = ("conversationHistoryRecords", "recordCollection")

#: The largest record (JSON Lines line, page element, document that is not a page), in
#: bytes of JSON text, unless ``$LPWH_MAX_RECORD_BYTES`` or the caller says otherwise.
DEFAULT_MAX_RECORD_BYTES = 64 * 1024 * 1024
MAX_RECORD_ENV = "LPWH_MAX_RECORD_BYTES"
#: How much of an oversized line is kept as the rejected record's raw text.
UNREAD_HEAD_BYTES = 64 * 1024
_limit: int | None = None  # set by record_limit() for readers that take no limit argument


def max_record_bytes(value: int | None = None) -> int:
    """The record limit in bytes: ``value``, else the one :func:`record_limit` set, else
    ``$LPWH_MAX_RECORD_BYTES``, else :data:`DEFAULT_MAX_RECORD_BYTES`."""
    if value is None:
        value = _limit
    if value is None:
        configured = os.environ.get(MAX_RECORD_ENV, "").strip()
        if not configured:
            return DEFAULT_MAX_RECORD_BYTES
        try:
            value = int(configured)
        except ValueError:
            raise ValueError(
                f"{MAX_RECORD_ENV} must be a number of bytes, got {configured!r}"
            ) from None
    if value < 1:
        raise ValueError(f"the record limit must be at least 1 byte, got {value}")
    return int(value)


@contextmanager
def record_limit(value: int | None) -> Iterator[None]:
    """Within the block, readers called without a limit use ``value`` (None: unchanged)."""
    global _limit
    before = _limit
    if value is not None:
        _limit = max_record_bytes(value)
    try:
        yield
    finally:
        _limit = before


@dataclass(frozen=True, slots=True)
class Unread:
    """Yielded in place of a value that was not read: its text is over the record limit.

    The caller rejects the record with ``reason``; ``raw`` is the beginning of its text
    when that was seen (a JSON Lines line), else None."""

    reason: str
    raw: str | None = None


def over_limit(size: int, limit: int, about: bool = False) -> str:
    approx = "more than " if about else ""
    return (
        f"record of {approx}{size:,} bytes is over the limit of {limit:,} bytes "
        f"(--max-record-bytes / {MAX_RECORD_ENV})"
    )


def too_big_document(size: int, limit: int) -> str:
    return (
        f"a document of more than {size:,} bytes that is not a page of records: over the "
        f"record limit of {limit:,} bytes (--max-record-bytes / {MAX_RECORD_ENV})"
    )


def too_deep(exc: orjson.JSONDecodeError) -> bool:
    """orjson refused a value nested deeper than it parses (valid JSON all the same)."""
    msg = (exc.msg or "").lower()
    return "depth" in msg or "recursion" in msg


def _json_size(value: Any) -> int:
    """Bytes of the JSON text of a parsed value (for the record limit of in-memory files)."""
    try:
        return len(orjson.dumps(value))
    except TypeError:  # big integers, or nested deeper than orjson writes
        try:
            return len(json.dumps(value, ensure_ascii=False).encode())
        except RecursionError:
            return 0  # deep values are small here: the whole file fits in memory


# -- error positions ------------------------------------------------------------------------------


def describe_offset(data: bytes | memoryview, offset: int, base: int = 0) -> str:
    """``"line L column C (byte B)"`` of byte ``offset`` of ``data`` (the file's first
    ``len(data)`` bytes after ``base``; the column counts bytes, 1-based)."""
    buf = bytes(data[:offset])
    line = buf.count(b"\n") + 1
    column = offset - (buf.rfind(b"\n") + 1) + 1
    return f"line {line} column {column} (byte {base + offset})"


def error_offset(data: bytes | memoryview, exc: orjson.JSONDecodeError) -> tuple[int, str]:
    """Byte offset and message of an orjson error in ``data`` (orjson counts characters
    and does not locate invalid UTF-8)."""
    raw = bytes(data)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as u:
        return u.start, f"invalid UTF-8: {u.reason}"
    return len(text[: exc.pos].encode("utf-8")), f"JSON syntax error: {exc.msg}"


def json_error(path: Path, data: bytes | memoryview, exc: orjson.JSONDecodeError, base: int):
    offset, message = error_offset(data, exc)
    return InputError(path, describe_offset(data, offset, base), message)


def after_document(exc: orjson.JSONDecodeError) -> bool:
    # orjson's wording for a complete value followed by more content.
    msg = exc.msg or ""
    return "after document" in msg or "trailing characters" in msg


# -- splitting pages ------------------------------------------------------------------------------


def split_value(
    value: Any, position: str, limit: int | None = None
) -> Iterator[tuple[str, str | None, Any]]:
    """``(position, array key, value)``: the document (array key None), then each element
    of its :data:`SPLIT_KEYS` arrays (see the module doc).

    Elements are released as they are yielded, so a consumer that does not keep them
    keeps memory flat. With ``limit`` (given when the text of ``value`` is bigger than
    it), an element whose JSON text is over it comes as :class:`Unread`."""
    if isinstance(value, dict) and any(type(value.get(k)) is list for k in SPLIT_KEYS):
        yield from split_members(value.items(), position, limit)
        return
    yield position, None, value


def split_members(
    members: Iterable[tuple[str, Any]], position: str, limit: int | None = None
) -> Iterator[tuple[str, str | None, Any]]:
    """:func:`split_value` of a document given as its members in their order, a name
    possibly given twice (orjson keeps the last), as the streaming path reads it: the
    elements of every split array, in order, a key's numbered on from its earlier arrays';
    the document keeps each name's last value (``[]`` for a split array)."""
    rest: dict[str, Any] = {}
    arrays: list[tuple[str, list]] = []
    for key, member in members:
        if key in SPLIT_KEYS and type(member) is list:
            arrays.append((key, member))
            rest[key] = []
        else:
            rest[key] = member
    del members
    yield position, None, rest
    numbered: dict[str, int] = {}
    for key, items in arrays:
        first = numbered.get(key, 0)
        numbered[key] = first + len(items)
        for i in range(len(items)):
            item = items[i]
            items[i] = None
            if limit is not None and (size := _json_size(item)) > limit:
                item = Unread(over_limit(size, limit))
            yield f"{position}, {key}[{first + i}]", key, item


def is_page(value: Any) -> bool:
    return isinstance(value, dict) and any(type(value.get(k)) is list for k in SPLIT_KEYS)


def char_to_byte(data: memoryview, chars: int) -> int:
    """Byte length of the first ``chars`` characters of valid UTF-8 ``data``."""
    head = bytes(data[: chars * 4])  # a character is at most 4 bytes: decode only this much
    if head.isascii():
        return chars
    return len(head.decode("utf-8", errors="ignore")[:chars].encode("utf-8"))
