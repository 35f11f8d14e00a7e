"""Input files → JSON values, streamed, with exact error positions.

A file may be gzip-compressed (recognised by its magic bytes, never by its name;
multi-member gzip is one stream) and may hold one JSON document of any size, JSON
Lines (one value per line, blank lines allowed), or several JSON documents one
after the other (LivePerson's published Data Access examples hold two copies).

:func:`iter_json_values` yields ``(position, value)`` pairs. A document whose top
level holds one of :data:`SPLIT_KEYS` as an array (a conversation page's
``conversationHistoryRecords``, a Data Access file's ``recordCollection``) is
split so that no caller ever holds a whole page: first the document with those
arrays emptied (``{"_metadata": …, "conversationHistoryRecords": []}`` — still a
page, so page-aware code handles it naturally, and its other keys are not lost),
then every element on its own, at ``"<document>, conversationHistoryRecords[3]"``.

Memory stays bounded: a file up to :data:`SMALL_FILE_LIMIT` bytes (decompressed)
is read at once and parsed with orjson (a page document element by element, as below);
a bigger one is read line by line (JSON Lines: recognised when its first line is a
whole value that fits in that first chunk) or streamed (documents): block by block,
each element's text parsed by orjson (:mod:`loaders.stream_walker`), a document's other
keys known before its first element (``metaData`` after ``recordCollection`` too);
what that path does not read exactly is read with ijson (:mod:`loaders.stream_ijson`):
one pass collects each document's other keys and counts its array elements, a second
pass (ijson's C ``items``) yields the elements one by one.

Every defect of the input raises :class:`InputError` naming the file and the byte
offset or line; the caller rolls the whole file back, so raising after some
values were yielded is fine.

No record is read whole if its text is bigger than the record limit
(:func:`max_record_bytes`: ``$LPWH_MAX_RECORD_BYTES``, default 64 MiB): a JSON Lines
line or a page element over it comes as an :class:`Unread` value (the caller rejects
that record, the rest of the file loads), and a document over it that is not a page
raises :class:`InputError`. Lines are read with a bounded ``readline``; a streamed
element's text is held up to the record limit at most, and one over it is measured by
the first ijson pass and skipped unbuilt by the second, so an absurd record never has
to fit in memory. Values nested deeper than orjson parses
(1024 levels) are read with ijson instead.

This module reads small files and JSON Lines and chooses the path; the files themselves
(paths, digests, gzip) are :mod:`loaders.files`', the record limit, page splitting and
error positions :mod:`loaders.json_input`'s.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson

from loaders import json_input
from loaders.files import (
    CHUNK_SIZE,
    CountingReader,
    InputError,
    expand_paths,
    open_bytes,
    sha256_of,
)
from loaders.json_input import (
    SPLIT_KEYS,
    UNREAD_HEAD_BYTES,
    Unread,
    after_document,
    char_to_byte,
    error_offset,
    is_page,
    json_error,
    max_record_bytes,
    over_limit,
    record_limit,
    split_members,
    split_value,
    too_big_document,
    too_deep,
)
from loaders.stream_ijson import ijson_documents, ijson_members, ijson_value
from loaders.stream_walker import (
    Unsupported,
    Walker,
    fast_documents,
    fast_page,
    fast_scan,
    has_long_number,
    survey,
)
from loaders.surrogates import mend

__all__ = [
    "CountingReader",
    "InputError",
    "SMALL_FILE_LIMIT",
    "Unread",
    "expand_paths",
    "iter_json_parts",
    "iter_json_values",
    "max_record_bytes",
    "open_bytes",
    "record_limit",
    "sha256_of",
]

#: Decompressed size up to which a file is read at once and parsed with orjson. Avro-JSON
#: turns into ~20 times its size in Python objects (every value is a one-key dict), so
#: the limit is kept low; streaming costs ~15 % more parse time on web-session files.
SMALL_FILE_LIMIT = 8 * 1024 * 1024
# Blank: white space to yajl, and to bytes.strip() (a JSON Lines line of it is skipped).
_NON_BLANK = re.compile(rb"[^ \t\r\n\x0b\x0c]")


# -- the small path: read at once, orjson ---------------------------------------------------------


def loads(data: bytes | memoryview, *, beyond_a_double: bool = True) -> Any:
    """``orjson.loads(data)``, with the exceptions the streaming parsers make too.

    Text orjson refuses where the streaming parser (yajl) reads it is read as yajl does,
    mended to the same length (an error's position holds): a lone surrogate escape (see
    :mod:`loaders.surrogates`), a form feed or vertical tab between tokens (white space
    to yajl). And orjson reads an integer beyond 64 bits as a float, losing digits, and
    refuses one beyond a double ("number is infinity"), where the streaming path reads
    both exactly: text that may hold one is read again by the standard library (see
    :func:`_exactly`). Text nested too deep for that raises orjson's error for nesting
    too deep, so that callers read it as they read such text (streamed, with ijson).
    Without ``beyond_a_double``, orjson's "number is infinity" is raised as it is: for
    text that may go on past the value (read again, the whole of it would be)."""
    try:
        value, text = _parse(data)
    except orjson.JSONDecodeError as exc:
        if not beyond_a_double or not beyond_double(exc) or not has_long_number(data):
            raise
        return _exactly(_YAJL_SPACE.sub(_as_space, mend(bytes(data))), exc)
    if has_long_number(text):
        return _exactly(text, None)
    return value


def beyond_double(exc: orjson.JSONDecodeError) -> bool:
    """Whether orjson refused a number beyond a double (an integer the standard library
    reads exactly, or a fraction no reader here takes)."""
    return "infinity" in exc.msg


def _exactly(text: bytes | memoryview, refused: orjson.JSONDecodeError | None) -> Any:
    """``text`` read by the standard library, whose integers have every digit; as strict
    as orjson otherwise (no NaN or Infinity, no float beyond a double). ``refused``:
    orjson's error for the text, raised again when it is not JSON here either."""
    try:
        return json.loads(bytes(text), parse_float=_finite, parse_constant=_no_constant)
    except RecursionError:
        raise orjson.JSONDecodeError(TOO_DEEP_TO_READ_EXACTLY, "", 0) from None
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError) and exc.msg == "Extra data":
            # Documents one after another: callers split them where orjson's error says.
            raise orjson.JSONDecodeError(TRAILING_CHARACTERS, exc.doc, exc.pos) from None
        if refused is None:
            raise  # not reached: orjson took the text, so the standard library does
        raise refused from None


#: The error of text with a long integer nested deeper than Python reads (see too_deep).
TOO_DEEP_TO_READ_EXACTLY = "recursion limit reached reading long integers exactly"
#: The error of a document followed by more, read exactly (orjson's words: see
#: after_document).
TRAILING_CHARACTERS = "trailing characters after document"


def _finite(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise ValueError(f"number is infinity when parsed as double: {text[:20]}")
    return number


def _no_constant(text: str) -> Any:
    raise ValueError(f"not JSON: {text}")


def _parse(data: bytes | memoryview) -> tuple[Any, bytes | memoryview]:
    """orjson's value of ``data`` (mended, see :func:`loads`) and the text it read."""
    try:
        return orjson.loads(data), data
    except orjson.JSONDecodeError as exc:
        # Only for these two errors: any other (the end of one of several documents, say)
        # costs no copy of the text.
        if "surrogate" in exc.msg:
            mended = mend(bytes(data))
        elif 0 <= exc.pos < len(exc.doc) and exc.doc[exc.pos] in "\x0b\x0c":
            mended = _YAJL_SPACE.sub(_as_space, bytes(data))
        else:
            raise
        if mended == data:
            raise
    return _parse(mended)


# A string (left as it is: yajl refuses a raw form feed in one, as orjson does), or a form
# feed or vertical tab outside strings.
_YAJL_SPACE = re.compile(rb'"(?:[^"\\]|\\.)*"|[\x0b\x0c]', re.S)


def _as_space(match: re.Match[bytes]) -> bytes:
    token = match.group()
    return b" " if len(token) == 1 else token


def first_line_is_value(data: bytes) -> bool:
    """True when the first non-blank line is a complete JSON value and more follows: JSON
    Lines (a pretty-printed document's first line is never a whole value)."""
    start = 0
    while True:
        end = data.find(b"\n", start)
        if end < 0:
            return False
        line = data[start:end]
        if line.strip():
            break
        start = end + 1
    if _NON_BLANK.search(data, end + 1) is None:
        return False
    return _is_value(line)


def _is_value(line: bytes) -> bool:
    """Whether ``line`` is one JSON value (orjson took it: so too one nested too deep to
    read its long integers exactly, which the line reader reads as ijson does)."""
    try:
        loads(line)
    except orjson.JSONDecodeError as exc:
        return exc.msg == TOO_DEEP_TO_READ_EXACTLY
    return True


def starts_json_lines(reader: CountingReader, head: bytes, limit: int) -> bool:
    """:func:`first_line_is_value` of a file whose first bytes, ``head``, were read from
    ``reader``, when its first non-blank line or the blank lines after it go on past them
    (a JSON Lines page of records of some 80 KB is longer than :data:`SMALL_FILE_LIMIT`):
    the line's end is looked for up to the record limit, without holding the line (a
    one-line document of gigabytes is read through up to that limit, then left to the
    streaming reader), then the next non-blank byte; then the line is read again and
    parsed. Reads from ``reader``."""
    found = _NON_BLANK.search(head)
    if found is None:
        return False
    start = head.rfind(b"\n", 0, found.start()) + 1  # where the first non-blank line starts
    end = head.find(b"\n", start)
    if end >= 0 and _NON_BLANK.search(head, end + 1) is not None:
        return first_line_is_value(head)
    if end >= 0:
        after = b""  # blank to the end of the head
    else:
        end = len(head)
        while True:
            chunk = reader.read(CHUNK_SIZE * 16)
            if not chunk:
                return False  # one line: a document
            newline = chunk.find(b"\n")
            end += len(chunk) if newline < 0 else newline
            if end - start > limit:
                return False  # the streaming reader measures a value that big, and refuses it
            if newline >= 0:
                after = chunk[newline + 1 :]
                break
    while _NON_BLANK.search(after) is None:
        after = reader.read(CHUNK_SIZE * 16)
        if not after:
            return False  # nothing follows the line
    with CountingReader(reader.path) as again:
        line = again.read(end)[start:]
    return _is_value(line)


def skip_long_line(readline: Callable[[int], bytes], line: bytes, limit: int) -> tuple[Unread, int]:
    """A line over ``limit`` bytes, of which ``readline`` gave the first ``line``: read on to
    its newline without keeping it. Returns it as :class:`Unread` and its size in bytes."""
    head, size, ended, rest = line[:UNREAD_HEAD_BYTES], len(line), False, b""
    del line
    while not ended:
        rest = readline(CHUNK_SIZE * 16)
        size += len(rest)
        ended = not rest or rest.endswith(b"\n")
    text = head.decode("utf-8", "replace").replace("\x00", "\ufffd")
    content = size - 1 if rest else size
    return Unread(over_limit(content, limit), text), size


def iter_lines(
    path: Path, readline: Callable[[int], bytes], base: int, limit: int, number: int = 0
) -> Iterator[tuple[str, str | None, Any]]:
    """JSON Lines, read with a bounded ``readline``: a line over ``limit`` bytes is skipped
    (read on to its newline without being kept) and comes as :class:`Unread`. ``base`` and
    ``number``: the byte offset and the count of lines before the first line read."""
    offset = base
    while True:
        line = readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            unread, size = skip_long_line(readline, line, limit)
            yield f"line {number}", None, unread
            offset += size
            continue
        if line.strip():
            try:
                value = loads(line)
            except orjson.JSONDecodeError as exc:
                if not too_deep(exc):
                    col, message = error_offset(line, exc)
                    where = f"line {number} column {col + 1} (byte {offset + col})"
                    raise InputError(path, where, message) from None
                value = ijson_value(line)
            yield from _split(line, value, f"line {number}")
        offset += len(line)


class _ReadStreamed(Exception):
    """A document the streaming path reads (see _streamed_from_there): nested deeper than
    orjson goes, or than its long integers are read exactly, holding an integer beyond a
    double, or spelling a split key twice (see _repeats_a_split_key)."""


def _streamed_from_there(
    parts: Iterator[tuple[str, str | None, Any]], path: Path, limit: int
) -> Iterator[tuple[str, str | None, Any]]:
    """``parts``; from where they meet a document to read streamed (:class:`_ReadStreamed`),
    the streaming path's parts of the file, skipping those already yielded."""
    done = 0
    try:
        for part in parts:
            yield part
            done += 1
    except _ReadStreamed:
        for number, part in enumerate(_stream_documents(path, limit)):
            if number >= done:
                yield part


def _iter_documents(
    path: Path, data: bytes, base: int, limit: int
) -> Iterator[tuple[str, str | None, Any]]:
    """Several documents one after the other (not one per line)."""
    view = memoryview(data)
    start, number, size = 0, 0, len(data)
    whitespace = b" \t\r\n"
    while True:
        while start < size and data[start] in whitespace:
            start += 1
        if start >= size:
            return
        number += 1
        rest = view[start:]
        try:
            try:
                # (Read exactly, an integer beyond a double would make the rest of the file
                # read again after each document: documents holding one are streamed.)
                value = loads(rest, beyond_a_double=False)
                end = size
            except orjson.JSONDecodeError as exc:
                if not after_document(exc):
                    raise
                end = start + char_to_byte(rest, exc.pos)
                value = loads(view[start:end])
        except orjson.JSONDecodeError as exc:
            if too_deep(exc) or (beyond_double(exc) and has_long_number(view[start:])):
                raise _ReadStreamed from None
            raise json_error(path, data, _shift(exc, data, start), base) from None
        if _repeats_a_split_key(data, value, start, end):
            raise _ReadStreamed  # (as the streamed path reads it from here: positions too)
        big = end - start > limit
        if big and not is_page(value):
            where = f"document {number} (byte {base + start})"
            raise InputError(path, where, too_big_document(limit, limit))
        position = f"document {number} (byte {base + start})"
        yield from split_value(value, position, limit if big else None)
        start = end


def _shift(exc: orjson.JSONDecodeError, data: bytes, start: int) -> orjson.JSONDecodeError:
    """The error of a parse of ``data[start:]`` re-expressed for the whole of ``data``."""
    chars = len(data[:start].decode("utf-8", errors="replace"))
    return orjson.JSONDecodeError(exc.msg, exc.doc, exc.pos + chars)


def _iter_small(
    path: Path, data: bytes, base: int, limit: int
) -> Iterator[tuple[str, str | None, Any]]:
    if _NON_BLANK.search(data) is None:
        raise InputError(path, f"byte {base}", "empty file: no JSON value")
    if base == 0 and len(data) <= limit:
        # One page document is read element by element, as a big file is (see the fast
        # path below): the whole page as Python objects is slower to build and to hold.
        yield from _walked_or(
            lambda: (fast_page(data, limit), None),
            lambda: _iter_small_whole(path, data, base, limit),
        )
        return
    yield from _iter_small_whole(path, data, base, limit)


def _iter_small_whole(
    path: Path, data: bytes, base: int, limit: int
) -> Iterator[tuple[str, str | None, Any]]:
    """A small file read whole by orjson (or as JSON Lines, or documents one by one)."""
    try:
        value = loads(data)
    except orjson.JSONDecodeError as exc:
        if first_line_is_value(data):
            yield from iter_lines(path, io.BytesIO(data).readline, base, limit)
        elif after_document(exc):
            documents = _iter_documents(path, data, base, limit)
            yield from _streamed_from_there(documents, path, limit)
        elif too_deep(exc):
            # Nested deeper than orjson goes: ijson reads it (the parsers reject the record).
            yield from _stream_documents(path, limit)
        else:
            raise json_error(path, data, exc, base) from None
        return
    big = len(data) > limit
    if big and not is_page(value):
        raise InputError(path, f"byte {base}", too_big_document(limit, limit))
    parts = _split(data, value, f"byte {base}", limit if big else None)
    del data, value
    yield from parts


def _split(
    data: bytes, value: Any, position: str, limit: int | None = None
) -> Iterator[tuple[str, str | None, Any]]:
    """:func:`split_value` of ``value``, read by orjson from ``data``. orjson keeps the
    last of two members of the same name: text that gives a split key twice is read again
    member by member (ijson), each split array's elements in order, as the streaming path
    reads such a document."""
    if _repeats_a_split_key(data, value):
        return split_members(ijson_members(data), position, limit)
    return split_value(value, position, limit)


#: A split key as JSON text (see _repeats_a_split_key).
_SPLIT_KEY_TEXTS = {key: f'"{key}"'.encode() for key in SPLIT_KEYS}


def _spellings(key: str) -> re.Pattern[bytes]:
    """Every JSON spelling of the string ``key`` (of ASCII letters): each letter as it is or
    as a ``\\u00XX`` escape."""
    letters = (f"(?:{c}|\\\\u00(?i:{ord(c):02x}))" for c in key)
    return re.compile(f'"{"".join(letters)}"'.encode())


_SPLIT_KEY_SPELLINGS = {key: _spellings(key) for key in SPLIT_KEYS}
# (re finds it in half the time bytes.find takes: 0.5 ms per 1.7 MB page without one)
_ESCAPE = re.compile(rb"\\u00")


def _repeats_a_split_key(data: bytes, value: Any, start: int = 0, end: int | None = None) -> bool:
    """Whether the document ``value``, read from ``data[start:end]``, may hold one of its
    split arrays' keys twice (it is spelt more than once in its text: ~0.2 ms per MB to
    count; escaped spellings are looked for only in text with such an escape)."""
    if type(value) is not dict:
        return False
    end = len(data) if end is None else end
    escaped: bool | None = None
    for key, text in _SPLIT_KEY_TEXTS.items():
        if key not in value:
            continue
        if escaped is None:
            escaped = _ESCAPE.search(data, start, end) is not None
        if escaped:
            if len(_SPLIT_KEY_SPELLINGS[key].findall(data, start, end)) > 1:
                return True
        elif data.count(text, start, end) > 1:
            return True
    return False


def _stream_documents(path: Path, limit: int) -> Iterator[tuple[str, str | None, Any]]:
    """The streaming path for documents: the fast path; from where it gives up, the ijson
    path (which starts again, skipping the parts already yielded)."""

    def open_walker() -> tuple[Walker, list[dict] | None]:
        simple, runs = survey(path)
        rests: list[dict] | None = None
        if not simple:
            rests, runs = fast_scan(path, limit)
        return Walker(path, limit, runs), rests

    yield from _walked_or(open_walker, lambda: ijson_documents(path, limit))


def _walked_or(
    open_walker: Callable[[], tuple[Walker, list[dict] | None]],
    fallback: Callable[[], Iterator[tuple[str, str | None, Any]]],
) -> Iterator[tuple[str, str | None, Any]]:
    """The parts the element walker reads; from where it gives up (``Unsupported``), the
    parts of ``fallback`` (which starts again), skipping those already yielded."""
    walker: Walker | None = None
    try:
        walker, rests = open_walker()
        yield from fast_documents(walker, rests)
        return
    except Unsupported:
        pass
    finally:
        if walker is not None:
            walker.close()
    done = 0 if walker is None else walker.yielded
    for number, part in enumerate(fallback()):
        if number >= done:
            yield part


def iter_json_values(
    path: str | os.PathLike, max_record_bytes: int | None = None
) -> Iterator[tuple[str, Any]]:
    """Every top-level JSON value of the (decompressed) file as ``(position, value)``.

    Positions: ``"line 12"`` (JSON Lines), ``"byte 0"`` (one document),
    ``"document 2 (byte 1040)"`` (several documents; streamed files say
    ``"document 2"``), followed by ``", conversationHistoryRecords[3]"`` for split
    elements (see :func:`split_value`). A record over ``max_record_bytes`` (see
    :func:`max_record_bytes`) comes as :class:`Unread`. Raises :class:`InputError`.
    """
    for position, _key, value in iter_json_parts(path, max_record_bytes):
        yield position, value


def iter_json_parts(
    path: str | os.PathLike, max_record_bytes: int | None = None
) -> Iterator[tuple[str, str | None, Any]]:
    """Like :func:`iter_json_values`, as ``(position, array key, value)``: the array key
    is the split key an element came from, None for a whole value or a document."""
    path = Path(path)
    limit = json_input.max_record_bytes(max_record_bytes)
    reader = CountingReader(path)
    try:
        base = reader.skipped
        head = reader.read(SMALL_FILE_LIMIT + 1)
        small = len(head) <= SMALL_FILE_LIMIT
        if small:
            reader.close()
        json_lines = not small and starts_json_lines(reader, head, limit)
    except BaseException:
        reader.close()
        raise
    if small:
        yield from _iter_small(path, head, base, limit)
        return
    del head
    if json_lines:
        # Start again from the first byte: the first chunk was only a peek.
        reader.close()
        with CountingReader(path) as lines:
            yield from iter_lines(path, lines.readline, lines.skipped, limit)
        return
    reader.close()
    yield from _stream_documents(path, limit)
