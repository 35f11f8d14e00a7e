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
each element's text parsed by orjson (see "the fast streaming path"), a document's other
keys known before its first element (``metaData`` after ``recordCollection`` too);
what that path does not read exactly is read with ijson: one pass collects each
document's other keys and counts its array elements, a second pass (ijson's C
``items``) yields the elements one by one.

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
"""

from __future__ import annotations

import glob
import gzip
import hashlib
import io
import json
import os
import re
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import ijson
import orjson

try:  # yajl2_c: the C backend; the others are correct but several times slower
    BACKEND = ijson.get_backend("yajl2_c")
except ImportError:  # pragma: no cover - depends on the installed wheel
    BACKEND = ijson
#: yajl refuses integers beyond 64 bits, which are valid JSON (orjson reads them, as
#: floats): a file that has one is read again with ijson's Python backend, slow but exact.
BIG_INTEGER_BACKEND = ijson.get_backend("python")


class _BigInteger(Exception):
    """yajl met an integer beyond 64 bits: read again with :data:`BIG_INTEGER_BACKEND`."""


def big_integer(exc: Exception, backend: Any) -> bool:
    """Whether ``backend`` (yajl) refused an integer beyond 64 bits."""
    return backend is not BIG_INTEGER_BACKEND and "integer overflow" in str(exc)


#: Decompressed size up to which a file is read at once and parsed with orjson. Avro-JSON
#: turns into ~20 times its size in Python objects (every value is a one-key dict), so
#: the limit is kept low; streaming costs ~15 % more parse time on web-session files.
SMALL_FILE_LIMIT = 8 * 1024 * 1024
#: Top-level array keys whose elements are yielded one by one.
SPLIT_KEYS = ("conversationHistoryRecords", "recordCollection")

GZIP_MAGIC = b"\x1f\x8b"
UTF8_BOM = b"\xef\xbb\xbf"
CHUNK_SIZE = 64 * 1024
# Reading errors of a broken or truncated gzip stream (BadGzipFile is an OSError).
_READ_ERRORS = (EOFError, zlib.error, OSError)
_NON_BLANK = re.compile(rb"[^ \t\r\n]")
_SCALAR_EVENTS = frozenset({"string", "number", "boolean", "null"})
_ITEM_START_EVENTS = _SCALAR_EVENTS | {"start_map", "start_array"}

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


_resolve_limit = max_record_bytes  # for functions whose argument has the same name


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


def _over_limit(size: int, limit: int, about: bool = False) -> str:
    approx = "more than " if about else ""
    return (
        f"record of {approx}{size:,} bytes is over the limit of {limit:,} bytes "
        f"(--max-record-bytes / {MAX_RECORD_ENV})"
    )


def _too_big_document(size: int, limit: int) -> str:
    return (
        f"a document of more than {size:,} bytes that is not a page of records: over the "
        f"record limit of {limit:,} bytes (--max-record-bytes / {MAX_RECORD_ENV})"
    )


def _too_deep(exc: orjson.JSONDecodeError) -> bool:
    """orjson refused a value nested deeper than it parses (valid JSON all the same)."""
    msg = (exc.msg or "").lower()
    return "depth" in msg or "recursion" in msg


def _ijson_value(data: bytes) -> Any:
    """The single JSON value of ``data``, parsed by ijson (no nesting limit)."""
    try:
        return next(iter(BACKEND.items(io.BytesIO(data), "", use_float=True)))
    except ijson.JSONError as exc:
        if not big_integer(exc, BACKEND):
            raise
        return next(iter(BIG_INTEGER_BACKEND.items(io.BytesIO(data), "", use_float=True)))


def _json_size(value: Any) -> int:
    """Bytes of the JSON text of a parsed value (for the record limit of in-memory files)."""
    try:
        return len(orjson.dumps(value))
    except TypeError:  # big integers, or nested deeper than orjson writes
        try:
            return len(json.dumps(value, ensure_ascii=False).encode())
        except RecursionError:
            return 0  # deep values are small here: the whole file fits in memory


class InputError(Exception):
    """A file that cannot be read as JSON: not JSON, truncated, broken gzip, bad UTF-8, empty.

    ``str()`` names the file, the position (byte offset and/or line) and the problem.
    """

    def __init__(self, path: str | os.PathLike, position: str, message: str) -> None:
        super().__init__(str(path), position, message)
        self.path = str(path)
        self.position = position
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}: {self.position}: {self.message}"


# -- files ----------------------------------------------------------------------------------------


def _is_hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _files_under(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file() and not _is_hidden(p, directory))


def expand_paths(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Files to load: files as given, every regular non-hidden file under a directory
    (recursively, sorted), and the matches of globs (``*``, ``**``), without duplicates.

    Raises ``FileNotFoundError`` for a path that matches no file.
    """
    out: list[Path] = []
    seen: set[Path] = set()
    for given in paths:
        text = os.fspath(given)
        path = Path(text)
        if path.is_dir():
            found = _files_under(path)
        elif path.exists():
            found = [path]
        elif glob.has_magic(text):
            found = []
            for match in sorted(glob.glob(text, recursive=True)):
                p = Path(match)
                found.extend(_files_under(p) if p.is_dir() else [p] if p.is_file() else [])
        else:
            found = []
        if not found:
            what = "directory" if path.is_dir() else "file or glob"
            raise FileNotFoundError(f"{text}: no such {what} with files to load")
        for p in found:
            if p not in seen:
                seen.add(p)
                out.append(p)
    return out


def sha256_of(path: str | os.PathLike) -> str:
    """SHA-256 (hex) of the file's bytes as stored (compressed if it is gzip), streamed."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def is_gzip(path: str | os.PathLike) -> bool:
    """True when the file starts with the gzip magic bytes."""
    with open(path, "rb") as f:
        return f.read(2) == GZIP_MAGIC


def open_bytes(path: str | os.PathLike) -> BinaryIO:
    """The file's content as a binary stream, decompressed when it is gzip (by magic bytes;
    multi-member gzip reads as one stream). Reading a broken gzip raises ``EOFError``,
    ``gzip.BadGzipFile`` or ``zlib.error``."""
    if is_gzip(path):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


class CountingReader(io.RawIOBase):
    """The decompressed content of a file for parsing: skips a UTF-8 byte-order mark,
    counts the bytes read (for error positions) and turns read errors into InputError."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        try:
            self._stream = open_bytes(path)
            self.skipped = 3 if self._stream.read(3) == UTF8_BOM else 0
            self._stream.seek(self.skipped)
        except _READ_ERRORS as exc:
            self._fail(exc)
        self.consumed = self.skipped  # decompressed bytes handed out, BOM included
        self.last = 0  # size of the last chunk handed out
        self.last_data = b""
        self.lines_read = self.lines_before = 0  # newlines before/up to the last chunk

    def _fail(self, exc: BaseException) -> None:
        if isinstance(exc, (EOFError, zlib.error, gzip.BadGzipFile)):
            raw = getattr(getattr(self, "_stream", None), "fileobj", None)
            where = f"compressed byte {raw.tell()}" if raw is not None else "gzip header"
            raise InputError(self.path, where, f"broken or truncated gzip data: {exc}") from exc
        raise InputError(self.path, "file", f"cannot read: {exc}") from exc

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        try:
            data = self._stream.read(size)
        except _READ_ERRORS as exc:
            self._fail(exc)
        self.consumed += len(data)
        self.last = len(data)
        self.last_data = data
        self.lines_before = self.lines_read
        self.lines_read += data.count(b"\n")
        return data

    def read_block(self, size: int) -> bytes:
        """Like :meth:`read` without the bookkeeping for error positions (for readers
        that never report them)."""
        try:
            data = self._stream.read(size)
        except _READ_ERRORS as exc:
            self._fail(exc)
        self.consumed += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        try:
            line = self._stream.readline(-1 if size is None else size)
        except _READ_ERRORS as exc:
            self._fail(exc)
        self.consumed += len(line)
        return line

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.readline, b"")

    def close(self) -> None:
        stream = getattr(self, "_stream", None)
        if stream is not None:
            stream.close()
        super().close()


# -- error positions ------------------------------------------------------------------------------


def describe_offset(data: bytes | memoryview, offset: int, base: int = 0) -> str:
    """``"line L column C (byte B)"`` of byte ``offset`` of ``data`` (the file's first
    ``len(data)`` bytes after ``base``; the column counts bytes, 1-based)."""
    buf = bytes(data[:offset])
    line = buf.count(b"\n") + 1
    column = offset - (buf.rfind(b"\n") + 1) + 1
    return f"line {line} column {column} (byte {base + offset})"


def _error_offset(data: bytes | memoryview, exc: orjson.JSONDecodeError) -> tuple[int, str]:
    """Byte offset and message of an orjson error in ``data`` (orjson counts characters
    and does not locate invalid UTF-8)."""
    raw = bytes(data)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as u:
        return u.start, f"invalid UTF-8: {u.reason}"
    return len(text[: exc.pos].encode("utf-8")), f"JSON syntax error: {exc.msg}"


def _json_error(path: Path, data: bytes | memoryview, exc: orjson.JSONDecodeError, base: int):
    offset, message = _error_offset(data, exc)
    return InputError(path, describe_offset(data, offset, base), message)


def _after_document(exc: orjson.JSONDecodeError) -> bool:
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
        arrays: list[tuple[str, list]] = []
        rest: dict[str, Any] = {}
        for key, v in value.items():
            if key in SPLIT_KEYS and type(v) is list:
                arrays.append((key, v))
                rest[key] = []
            else:
                rest[key] = v
        yield position, None, rest
        for key, items in arrays:
            for i in range(len(items)):
                item = items[i]
                items[i] = None
                if limit is not None and (size := _json_size(item)) > limit:
                    item = Unread(_over_limit(size, limit))
                yield f"{position}, {key}[{i}]", key, item
        return
    yield position, None, value


def _is_page(value: Any) -> bool:
    return isinstance(value, dict) and any(type(value.get(k)) is list for k in SPLIT_KEYS)


# -- the small path: read at once, orjson ---------------------------------------------------------


def _first_line_is_value(data: bytes) -> bool:
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
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return True


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
    return Unread(_over_limit(content, limit), text), size


def _iter_lines(
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
                value = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                if not _too_deep(exc):
                    col, message = _error_offset(line, exc)
                    where = f"line {number} column {col + 1} (byte {offset + col})"
                    raise InputError(path, where, message) from None
                value = _ijson_value(line)
            yield from split_value(value, f"line {number}")
        offset += len(line)


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
            value = orjson.loads(rest)
            end = size
        except orjson.JSONDecodeError as exc:
            if not _after_document(exc):
                raise _json_error(path, data, _shift(exc, data, start), base) from None
            end = start + _char_to_byte(rest, exc.pos)
            value = orjson.loads(view[start:end])
        big = end - start > limit
        if big and not _is_page(value):
            where = f"document {number} (byte {base + start})"
            raise InputError(path, where, _too_big_document(limit, limit))
        position = f"document {number} (byte {base + start})"
        yield from split_value(value, position, limit if big else None)
        start = end


def _char_to_byte(data: memoryview, chars: int) -> int:
    """Byte length of the first ``chars`` characters of valid UTF-8 ``data``."""
    head = bytes(data[: chars * 4])  # a character is at most 4 bytes: decode only this much
    if head.isascii():
        return chars
    return len(head.decode("utf-8", errors="ignore")[:chars].encode("utf-8"))


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
            lambda: (_fast_page(data, limit), None),
            lambda: _iter_small_whole(path, data, base, limit),
        )
        return
    yield from _iter_small_whole(path, data, base, limit)


def _iter_small_whole(
    path: Path, data: bytes, base: int, limit: int
) -> Iterator[tuple[str, str | None, Any]]:
    """A small file read whole by orjson (or as JSON Lines, or documents one by one)."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if _first_line_is_value(data):
            yield from _iter_lines(path, io.BytesIO(data).readline, base, limit)
        elif _after_document(exc):
            yield from _iter_documents(path, data, base, limit)
        elif _too_deep(exc):
            # Nested deeper than orjson goes: ijson reads it (the parsers reject the record).
            yield from _stream_documents(path, limit)
        else:
            raise _json_error(path, data, exc, base) from None
        return
    big = len(data) > limit
    del data
    if big and not _is_page(value):
        raise InputError(path, f"byte {base}", _too_big_document(limit, limit))
    yield from split_value(value, f"byte {base}", limit if big else None)


# -- the streaming path: line by line, or ijson ---------------------------------------------------


@dataclass(slots=True)
class _Document:
    """What the first streaming pass learned about one top-level document."""

    rest: Any  # the document with its split arrays emptied
    counts: list[tuple[str, int]] = field(default_factory=list)  # (split key, elements)
    big: dict[tuple[str, int], int] = field(default_factory=dict)  # (key, index) → bytes


def _yajl_offset(message: bytes, chunk: bytes) -> int | None:
    """Where in ``chunk`` yajl stopped, from the context it prints, else None.

    yajl shows up to 30 bytes either side of its offset (newlines as spaces), after
    ``40 - offset`` spaces when the offset is below 30, else after 10 spaces. The
    candidates that reproduce the context exactly are kept.
    yajl's offset is near the error (at or just after the offending token).
    """
    lines = message.split(b"\n")
    if len(lines) < 3 or not lines[2].rstrip().endswith(b"^"):
        return None
    context = lines[1]
    flat = chunk.replace(b"\n", b" ").replace(b"\r", b" ")
    n = len(flat)
    candidates = {
        o for o in range(min(30, n + 1)) if context == b" " * (40 - o) + flat[: min(n, o + 30)]
    }
    text = context[10:]
    if context[:10] == b" " * 10 and text:
        found = flat.find(text)
        while found >= 0:
            o = found + 30
            if o <= n and flat[o - 30 : min(n, o + 30)] == text:
                candidates.add(o)
            found = flat.find(text, found + 1)
    # The parser stops at the first error: with repeated text, the earliest match is it.
    return min(candidates) if candidates else None


def ijson_input_error(
    path: Path, reader: CountingReader, exc: Exception, document: int
) -> InputError:
    """An ijson (yajl) error as an InputError with the byte offset where it can be found."""
    arg = exc.args[0] if exc.args else b""
    message = arg if isinstance(arg, bytes) else str(arg).encode("utf-8", "replace")
    first = message.strip().split(b"\n")[0].decode("utf-8", "replace") or type(exc).__name__
    end = reader.consumed
    start = end - reader.last
    if "premature EOF" in first:
        return InputError(
            path, f"byte {end} (end of file)", "truncated JSON: the file ends inside a value"
        )
    kind = "invalid UTF-8" if "invalid bytes in UTF8" in first else "JSON syntax error"
    offset = _yajl_offset(message, reader.last_data)
    if offset is not None and 0 <= offset <= reader.last:
        line = reader.lines_before + reader.last_data.count(b"\n", 0, offset) + 1
        where = f"document {document}, line {line}, near byte {start + offset}"
    else:
        where = f"document {document}, between byte {start} and byte {end}"
    return InputError(path, where, f"{kind}: {first}")


def _scan_documents(path: Path, limit: int, backend: Any = BACKEND) -> list[_Document]:
    """First streaming pass: validate the whole file and keep each document without the
    elements of its split arrays (Python sees every event, but builds only small parts).

    Elements are measured on the way: an element's text spans at least from the end of
    the chunk read where it starts to the start of the chunk read where it ends; one
    whose span is over ``limit`` is noted in ``big`` (so it is never over-counted). A
    document that is not split is built, and counted as it is: over ``limit``, the file
    is refused."""
    docs: list[_Document] = []
    reader = CountingReader(path)
    builder: ijson.ObjectBuilder | None = None
    counts: list[tuple[str, int]] = []
    big: dict[tuple[str, int], int] = {}
    pending: str | None = None  # a split key whose value comes next
    skipping: str | None = None
    item_prefix = ""
    count = 0
    item_start = 0
    built = 0  # bytes (about) of the document being built
    try:
        events = backend.parse(reader, multiple_values=True, use_float=True, buf_size=CHUNK_SIZE)
        for prefix, event, value in events:
            if skipping is not None:
                if prefix == item_prefix:
                    if event in ("start_map", "start_array"):
                        count += 1
                        item_start = reader.consumed
                    elif event in ("end_map", "end_array"):
                        span = reader.consumed - reader.last - item_start
                        if span > limit:
                            big[(skipping, count - 1)] = span
                    elif event in _SCALAR_EVENTS:
                        count += 1
                        if event == "string" and len(value) > limit:
                            big[(skipping, count - 1)] = len(value)
                elif prefix == skipping and event == "end_array":
                    counts.append((skipping, count))
                    skipping = None
                continue
            if type(value) is str:
                built += len(value) + 4
                if built > limit:
                    raise InputError(
                        path, f"document {len(docs) + 1}", _too_big_document(limit, limit)
                    )
            if prefix == "":
                if event == "map_key":
                    pending = value if value in SPLIT_KEYS else None
                    builder.event(event, value)  # type: ignore[union-attr]
                    continue
                if builder is None:
                    builder = ijson.ObjectBuilder()
                    counts, big, built = [], {}, 0
                builder.event(event, value)
                if event in ("end_map", "end_array") or event in _SCALAR_EVENTS:
                    docs.append(_Document(builder.value, counts, big))
                    builder = None
                continue
            if pending is not None:
                if event == "start_array" and prefix == pending:
                    builder.event("start_array", None)  # type: ignore[union-attr]
                    builder.event("end_array", None)  # type: ignore[union-attr]
                    skipping, item_prefix, count = pending, pending + ".item", 0
                    pending = None
                    continue
                pending = None
            builder.event(event, value)  # type: ignore[union-attr]
    except ijson.JSONError as exc:
        if big_integer(exc, backend):
            raise _BigInteger from None
        if not docs and builder is None and "premature EOF" in str(exc):
            raise InputError(path, "byte 0", "empty file: no JSON value") from None
        raise ijson_input_error(path, reader, exc, len(docs) + 1) from None
    finally:
        reader.close()
    if not docs:
        raise InputError(path, "byte 0", "empty file: no JSON value")
    return docs


def _items_skipping(
    reader: CountingReader, key: str, skip: set[int], backend: Any
) -> Iterator[Any]:
    """Like ijson's ``items(reader, key + ".item")`` over every document, but the elements
    whose number (counted over the whole file) is in ``skip`` are never built: None comes
    in their place. Slower than the C ``items``: used only for a key with such elements."""
    item_prefix = key + ".item"
    number = -1
    builder: ijson.ObjectBuilder | None = None
    skipping = False
    events = backend.parse(reader, multiple_values=True, use_float=True, buf_size=CHUNK_SIZE)
    for prefix, event, value in events:
        if builder is None and not skipping:
            if prefix != item_prefix or event not in _ITEM_START_EVENTS:
                continue
            number += 1
            if event in _SCALAR_EVENTS:
                yield None if number in skip else value
                continue
            if number in skip:
                skipping = True
                continue
            builder = ijson.ObjectBuilder()
            builder.event(event, value)
            continue
        if prefix == item_prefix and event in ("end_map", "end_array"):
            if skipping:
                skipping = False
                yield None
            else:
                builder.event(event, value)  # type: ignore[union-attr]
                yield builder.value  # type: ignore[union-attr]
                builder = None
            continue
        if builder is not None:
            builder.event(event, value)


def _ijson_documents(path: Path, limit: int) -> Iterator[tuple[str, str | None, Any]]:
    """The streaming path with ijson: a first pass over the whole file, then ijson's C
    ``items`` per split key (see the module doc)."""
    backend = BACKEND
    try:
        docs = _scan_documents(path, limit, backend)
    except _BigInteger:
        backend = BIG_INTEGER_BACKEND
        docs = _scan_documents(path, limit, backend)
    readers: dict[str, CountingReader] = {}
    items: dict[str, Iterator[Any]] = {}
    skips: dict[str, set[int]] = {}
    seen: dict[str, int] = {}
    for doc in docs:  # element numbers over the whole file, per key
        for key, n in doc.counts:
            first = seen.get(key, 0)
            skips.setdefault(key, set()).update(first + i for k, i in doc.big if k == key)
            seen[key] = first + n
    try:
        for number, doc in enumerate(docs, 1):
            position = "byte 0" if len(docs) == 1 else f"document {number}"
            yield position, None, doc.rest
            for key, n in doc.counts:
                if key not in items:
                    readers[key] = CountingReader(path)
                    if skips.get(key):
                        items[key] = _items_skipping(readers[key], key, skips[key], backend)
                    else:
                        items[key] = backend.items(
                            readers[key],
                            key + ".item",
                            multiple_values=True,
                            use_float=True,
                            buf_size=CHUNK_SIZE,
                        )
                it = items[key]
                for i in range(n):
                    try:
                        value = next(it)
                    except (StopIteration, ijson.JSONError):
                        raise InputError(
                            path, position, "the file changed while being read"
                        ) from None
                    if (key, i) in doc.big:
                        value = Unread(_over_limit(doc.big[(key, i)], limit, about=True))
                    yield f"{position}, {key}[{i}]", key, value
    finally:
        for reader in readers.values():
            reader.close()


# -- the fast streaming path: orjson on each element ----------------------------------------------
#
# ijson hands every token to Python (the first pass) or builds values token by token (the
# second); most of a streamed file's time went there. The fast path finds where each value
# ends and gives its bytes to orjson. A slice from the first byte of a value that orjson
# reads as one complete value ends where that value ends (same bytes, same tokens), so
# splitting this way is exact. Where an element ends is guessed from the separator seen
# between the last two elements (``},{"body":`` in a compact Data Access file): its next
# occurrence is almost always the element's end; a guess inside the element (a nested
# object of the same shape) leaves the slice incomplete and the next one is tried, and an
# element followed by something else shows its end as orjson's "content after document".
#
# A document's other keys must be known before its first element is yielded, and positions
# depend on the number of documents. A survey of the whole file (a byte translation and
# substring searches, without parsing) settles the usual case: one document whose split
# array is its last member. There, for JSON that the ijson path reads (the only JSON that
# matters: anything else fails and is handed to it), no ``}`` is followed by the start of
# another value but inside a string (a second document would be), and no ``]`` by a comma
# (more members after the array would be). Otherwise a first pass reads the whole file the
# same way as the second (values parsed and dropped) and keeps each document's other keys.
#
# Everything else goes to the ijson path, which then does exactly what it always did, and
# is skipped over what was already yielded: invalid JSON (for its error message and
# position), a truncated or broken gzip stream, top-level values that are not objects,
# records over the record limit, nesting deeper than orjson reads, strings orjson refuses
# (lone surrogates), whitespace yajl allows and orjson does not (form feeds), and integers
# orjson reads (as floats) although yajl refuses them (beyond 64 bits: a value whose text
# may hold a number of 19 digits is read by the ijson path, which then reads the whole file
# with ijson's Python backend, exact and slow: see BIG_INTEGER_BACKEND).

#: Decompressed bytes read at a time by the fast path.
FAST_BLOCK = 1024 * 1024
#: The survey's first block (see _survey).
_FIRST_BLOCK = 64 * 1024
#: Guesses of an element's end tried before it is measured with a window.
_GUESSES = 8
#: How far after an element's start its end is guessed.
_GUESS_SPAN = 256 * 1024
#: The first window given to orjson to find where a value ends.
_WINDOW = 16 * 1024
_WHITESPACE = b" \t\r\n"
_YAJL_WHITESPACE = b" \t\r\n\x0b\x0c"
_OPEN_BRACE, _CLOSE_BRACE, _CLOSE_BRACKET, _OPEN_BRACKET = 0x7B, 0x7D, 0x5D, 0x5B
_COMMA, _COLON, _QUOTE = 0x2C, 0x3A, 0x22
_NOT_WHITESPACE = re.compile(rb"[^ \t\r\n]")
_STRING_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
# What follows an object element when an object follows it: the separator to guess with.
_NEXT_OBJECT = re.compile(
    rb'[ \t\r\n]*,[ \t\r\n]*\{[ \t\r\n]*"[^"\\]*(?:\\.[^"\\]*)*"[ \t\r\n]*:', re.S
)
# The survey's byte classes (whitespace is deleted): "}", "]" and "," as they are, digits
# "0", anything else (the first byte of any value but a number) "a".
_CLASSES = bytes(i if i in b"}]," else 0x30 if 0x30 <= i <= 0x39 else 0x61 for i in range(256))
_VALUE_AFTER_OBJECT = re.compile(rb"\}[a0]")
_ARRAY_THEN_MORE = re.compile(rb"\],")  # a regular expression finds it faster
_DIGIT_RUN = b"0" * 19
# Digits → "0", anything else → "a" (whitespace kept: runs are found where they are).
_DIGITS = bytes(0x30 if 0x30 <= i <= 0x39 else 0x61 for i in range(256))
# What may come between the byte before a number and its digits.
_BEFORE_DIGITS = b" \t\r\n\x0b\x0c-"


class _Unsupported(Exception):
    """Input the fast path leaves to the ijson path."""


def _truncated(exc: orjson.JSONDecodeError) -> bool:
    return (exc.msg or "").startswith("unexpected end of data")


def _long_numbers(data: bytes, start: int, offset: int, runs: list[int]) -> None:
    """Append to ``runs`` the stream offsets of the runs of 19 digits or more that begin at
    or after ``data[start]`` and may be numbers (not after a letter, say, as in a hex
    digest); ``offset``: the stream offset of ``data[0]``."""
    digits = data[start:].translate(_DIGITS)
    found = digits.find(_DIGIT_RUN)
    while found >= 0:
        at = start + found
        before = at - 1
        while before >= 0 and at - before < 64 and data[before] in _BEFORE_DIGITS:
            before -= 1
        if before < 0 or at - before >= 64 or data[before] in b":,[":
            runs.append(offset + at)
        end = found + len(_DIGIT_RUN)
        while end < len(digits) and digits[end] == 0x30:
            end += 1
        found = digits.find(_DIGIT_RUN, end)


def _survey(path: Path) -> tuple[bool, list[int]]:
    """Whether the file is one document with nothing after its first split array (see
    above; False when not sure), and the runs of digits that may be long numbers."""
    try:
        reader = CountingReader(path)
    except InputError:
        raise _Unsupported from None

    def blocks() -> Iterator[bytes]:
        # A small first block: a file that is not one simple document usually shows it
        # early (a conversation page: in its first record).
        size = _FIRST_BLOCK
        while data := reader.read_block(size):
            yield data
            size = FAST_BLOCK

    try:
        return _survey_blocks(blocks())
    except InputError:
        raise _Unsupported from None
    finally:
        reader.close()


def _survey_blocks(blocks: Iterable[bytes]) -> tuple[bool, list[int]]:
    # _survey of the content in these blocks.
    runs: list[int] = []
    carry = b""
    previous = b""  # the end of the block before
    offset = 0
    for data in blocks:
        text = carry + data.translate(_CLASSES, _YAJL_WHITESPACE)
        if _ARRAY_THEN_MORE.search(text) or _VALUE_AFTER_OBJECT.search(text):
            return False, runs
        if text.find(_DIGIT_RUN) >= 0:
            # Where: again with the whitespace, and the end of the block before.
            start = max(0, len(previous) - len(_DIGIT_RUN) + 1)
            _long_numbers(previous + data, start, offset - len(previous), runs)
        carry = text[-len(_DIGIT_RUN) :]
        previous = data[-256:]
        offset += len(data)
    return True, runs


class _Walker:
    """Reads a file of JSON object documents block by block, each value with orjson.

    Positions are indices into :attr:`buf`, which holds the file's decompressed content
    from stream offset :attr:`base`. ``runs``: the stream offsets of runs of digits that may
    be long numbers, or None to find them while reading. Raises :class:`_Unsupported` for
    anything it does not read exactly as the ijson path does."""

    def __init__(
        self, path: Path | None, limit: int, runs: list[int] | None, data: bytes | None = None
    ) -> None:
        self.limit = limit
        self.reader: CountingReader | None = None
        if data is None:
            try:
                self.reader = CountingReader(path)  # type: ignore[arg-type]
            except InputError:
                raise _Unsupported from None
        self.buf = b"" if data is None else data  # ``data``: the whole content, in memory
        self.view = memoryview(self.buf)
        self.pos = 0
        self.base = 0
        self.eof = data is not None
        self.survey = runs is None
        self.found: list[int] = []  # the runs found while reading
        self.runs: deque[int] = deque(runs or ())
        self.separator: bytes | None = None
        self.size = 0  # bytes of the current document's other keys
        self.yielded = 0  # parts yielded (see document)

    def close(self) -> None:
        self.view.release()
        if self.reader is not None:
            self.reader.close()

    def more(self) -> bool:
        """Read the next block into the buffer (what is before :attr:`pos` is dropped)."""
        if self.eof or self.reader is None:
            return False
        try:
            data = self.reader.read_block(FAST_BLOCK)
        except InputError:
            raise _Unsupported from None
        if not data:
            self.eof = True
            return False
        kept = self.buf[self.pos :]
        self.base += self.pos
        self.pos = 0
        self.view.release()
        self.buf = kept + data
        self.view = memoryview(self.buf)
        if self.survey:
            # From 18 bytes before the new data: a run may straddle the two.
            count = len(self.found)
            start = max(0, len(kept) - len(_DIGIT_RUN) + 1)
            _long_numbers(self.buf, start, self.base, self.found)
            self.runs.extend(self.found[count:])
        return True

    def peek(self) -> int | None:
        """The next byte that is not whitespace (:attr:`pos` moves onto it), None at the end."""
        while True:
            buf, pos = self.buf, self.pos
            if pos < len(buf) and buf[pos] not in _WHITESPACE:
                return buf[pos]
            match = _NOT_WHITESPACE.search(buf, pos)
            if match is not None:
                self.pos = match.start()
                return buf[self.pos]
            self.pos = len(buf)
            if not self.more():
                return None

    def expect(self, byte: int) -> None:
        if self.peek() != byte:
            raise _Unsupported
        self.pos += 1

    def key(self) -> str:
        """The object key at :attr:`pos` (whitespace first), past its colon."""
        if self.peek() != _QUOTE:
            raise _Unsupported
        while (match := _STRING_TOKEN.match(self.buf, self.pos)) is None:
            if len(self.buf) - self.pos > self.limit or not self.more():
                raise _Unsupported
        end = match.end()
        try:
            key = orjson.loads(self.view[self.pos : end])
        except orjson.JSONDecodeError:
            raise _Unsupported from None
        self.size += end - self.pos
        self.pos = end
        self.expect(_COLON)
        return key

    def _checked(self, value: Any, start: int, end: int) -> Any:
        """``value``, read from ``buf[start:end]``; or that text read by ijson when it may
        hold a number orjson reads and yajl refuses."""
        if end - start > self.limit:
            raise _Unsupported  # the ijson path measures the record and rejects it unread
        runs = self.runs
        if runs:
            first = self.base + start
            while runs and runs[0] < first:
                runs.popleft()
            if runs and runs[0] < self.base + end:
                try:
                    return _ijson_value(self.buf[start:end])
                except ijson.JSONError:
                    raise _Unsupported from None
        return value

    def _measured(self, start: int, exc: orjson.JSONDecodeError) -> tuple[Any, int]:
        """The value at ``start`` that orjson read whole before failing with ``exc`` on what
        follows it, and the position after it."""
        end = start + _char_to_byte(self.view[start:], exc.pos)
        try:
            value = orjson.loads(self.view[start:end])
        except orjson.JSONDecodeError:
            raise _Unsupported from None
        return self._checked(value, start, end), end

    def value(self) -> tuple[Any, int]:
        """The value at :attr:`pos` (whitespace first) and the position after it, measured
        with growing windows."""
        if self.peek() is None:
            raise _Unsupported
        window = _WINDOW
        while True:
            buf, start = self.buf, self.pos
            n = len(buf)
            # End the window before a comma: no token and no UTF-8 character is cut. With
            # no comma after it, the window is what was read (once it is big enough).
            end = buf.find(b",", start + window) if start + window < n else -1
            if end < 0:
                if not self.eof and n - start < window:
                    if n - start > self.limit:
                        raise _Unsupported  # over the record limit: measured and refused there
                    self.more()
                    continue
                end = n
            cut = end == n and not self.eof  # the value may go on in the next block
            try:
                value = orjson.loads(self.view[start:end])
            except orjson.JSONDecodeError as exc:
                if _after_document(exc):
                    return self._measured(start, exc)
                if window <= self.limit and (cut or (end < n and _truncated(exc))):
                    window *= 4
                    continue
                raise _Unsupported from None
            if cut and buf[end - 1] in b"0123456789":
                # A number that the end of the block may have cut: read on.
                window = max(window, n - start + 1)
                continue
            return self._checked(value, start, end), end

    def element(self) -> Any:
        """The array element at :attr:`pos` (not whitespace). :attr:`pos` moves to the next
        element's first byte, or onto the array's closing bracket."""
        while True:
            buf, start = self.buf, self.pos
            separator = self.separator
            if separator is None or buf[start] != _OPEN_BRACE:
                break
            span = start + _GUESS_SPAN  # an element longer than this is measured
            guess = buf.find(separator, start, span)
            for _ in range(_GUESSES):
                if guess < 0:
                    break
                try:
                    value = orjson.loads(self.view[start : guess + 1])
                except orjson.JSONDecodeError as exc:
                    if _truncated(exc):  # a nested object of the same shape
                        guess = buf.find(separator, guess + 1, span)
                        continue
                    if not _after_document(exc):
                        raise _Unsupported from None
                    value, end = self._measured(start, exc)  # another separator follows
                    self._past(end)
                    return value
                if self.runs or guess + 1 - start > self.limit:
                    value = self._checked(value, start, guess + 1)
                self.pos = guess + separator.index(b"{", 1)
                return value
            if guess >= 0 or self.eof or len(buf) >= span:
                break
            self.more()  # the element may go on past the buffer
        value, end = self.value()
        self._past(end)
        return value

    def _past(self, end: int) -> None:
        """Move past the whitespace and comma after an element that ends at ``end``; learn
        the separator when an object follows an object."""
        buf = self.buf
        last = end - 1
        while last > max(0, end - 64) and buf[last] in _WHITESPACE:
            last -= 1
        if buf[last] == _CLOSE_BRACE:
            match = _NEXT_OBJECT.match(buf, last + 1)
            if match is not None:
                self.separator = buf[last : match.end()]
        self.pos = end
        follows = self.peek()
        if follows == _CLOSE_BRACKET:
            return
        if follows != _COMMA:
            raise _Unsupported
        self.pos += 1
        if self.peek() in (_CLOSE_BRACKET, None):
            raise _Unsupported  # a trailing comma, or the end of the file

    def document(
        self, rest: dict, position: str | None, announce: bool = False
    ) -> Iterator[tuple[str, str | None, Any]]:
        """One object document from :attr:`pos`: its members other than split arrays go
        into ``rest``, each split array as ``[]``, in their order. With a ``position``, the
        parts of :func:`iter_json_parts` for the elements of its split arrays (without, it
        reads them and yields nothing); with ``announce``, ``rest`` as a part too, at the
        start of the first split array (more than one is unsupported) or at the end.
        :attr:`yielded` counts the parts."""
        self.expect(_OPEN_BRACE)
        self.size = 0
        announced = not announce
        follows = self.peek()
        if follows == _CLOSE_BRACE:
            self.pos += 1
        while follows != _CLOSE_BRACE:
            key = self.key()
            if key in SPLIT_KEYS and self.peek() == _OPEN_BRACKET:
                rest[key] = []
                if not announced:
                    announced = True
                    self.yielded += 1
                    yield position, None, rest  # type: ignore[misc]
                elif announce:
                    raise _Unsupported  # a second split array: the survey was wrong (not JSON)
                self.pos += 1
                if self.peek() == _CLOSE_BRACKET:
                    self.pos += 1
                elif position is None:
                    while True:
                        self.element()
                        if self.buf[self.pos] == _CLOSE_BRACKET:
                            self.pos += 1
                            break
                else:
                    index = 0
                    element = self.element
                    prefix = f"{position}, {key}["
                    while True:
                        value = element()
                        self.yielded += 1
                        yield f"{prefix}{index}]", key, value
                        index += 1
                        if self.buf[self.pos] == _CLOSE_BRACKET:
                            self.pos += 1
                            break
            else:
                value, end = self.value()
                self.size += end - self.pos
                rest[key] = value
                self.pos = end
            # The ijson path refuses a document whose other keys pass the record limit
            # (characters of text, 4 more per string): past half of it, let it decide.
            if 2 * self.size > self.limit:
                raise _Unsupported
            follows = self.peek()
            self.pos += 1
            if follows not in (_CLOSE_BRACE, _COMMA):
                raise _Unsupported
        if not announced:
            self.yielded += 1
            yield position, None, rest  # type: ignore[misc]


def _fast_scan(path: Path, limit: int) -> tuple[list[dict], list[int]]:
    """First pass of the fast path: each document with its split arrays emptied, and the
    runs of digits that may be long numbers."""
    walker = _Walker(path, limit, None)
    rests: list[dict] = []
    try:
        while walker.peek() is not None:
            rest: dict = {}
            for _ in walker.document(rest, None):
                pass
            rests.append(rest)
    finally:
        walker.close()
    if not rests:
        raise _Unsupported  # the ijson path names the empty file
    return rests, walker.found


def _fast_documents(
    walker: _Walker, rests: list[dict] | None
) -> Iterator[tuple[str, str | None, Any]]:
    """The fast path (see above): the same parts as :func:`_ijson_documents`. ``rests``:
    what the first pass found, None when the survey found one document with nothing after
    its first split array but its end."""
    if rests is None:
        yield from walker.document({}, "byte 0", announce=True)
    else:
        for number, known in enumerate(rests, 1):
            position = "byte 0" if len(rests) == 1 else f"document {number}"
            walker.yielded += 1
            yield position, None, known
            yield from walker.document({}, position)
    if walker.peek() is not None:
        raise _Unsupported  # more than the first pass saw (the file changed), or not JSON


def _fast_page(data: bytes, limit: int) -> _Walker:
    """The fast path for a small file in memory (no byte-order mark), one document, ready
    to give the parts :func:`_iter_small_whole` yields. Its values are orjson's, as there:
    where orjson and yajl differ (numbers of 19 digits), it leaves the file to the whole
    read."""
    bounds = [0, *range(_FIRST_BLOCK, len(data), FAST_BLOCK), len(data)]
    blocks = (data[bounds[i] : bounds[i + 1]] for i in range(len(bounds) - 1))
    simple, runs = _survey_blocks(blocks)
    if not simple or runs:
        raise _Unsupported
    return _Walker(None, limit, [], data)


def _stream_documents(path: Path, limit: int) -> Iterator[tuple[str, str | None, Any]]:
    """The streaming path for documents: the fast path; from where it gives up, the ijson
    path (which starts again, skipping the parts already yielded)."""

    def open_walker() -> tuple[_Walker, list[dict] | None]:
        simple, runs = _survey(path)
        rests: list[dict] | None = None
        if not simple:
            rests, runs = _fast_scan(path, limit)
        return _Walker(path, limit, runs), rests

    yield from _walked_or(open_walker, lambda: _ijson_documents(path, limit))


def _walked_or(
    open_walker: Callable[[], tuple[_Walker, list[dict] | None]],
    fallback: Callable[[], Iterator[tuple[str, str | None, Any]]],
) -> Iterator[tuple[str, str | None, Any]]:
    """The parts the element walker reads; from where it gives up (``_Unsupported``), the
    parts of ``fallback`` (which starts again), skipping those already yielded."""
    walker: _Walker | None = None
    try:
        walker, rests = open_walker()
        yield from _fast_documents(walker, rests)
        return
    except _Unsupported:
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
    limit = _resolve_limit(max_record_bytes)
    reader = CountingReader(path)
    try:
        base = reader.skipped
        head = reader.read(SMALL_FILE_LIMIT + 1)
        small = len(head) <= SMALL_FILE_LIMIT
        if small:
            reader.close()
        json_lines = not small and _first_line_is_value(head)
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
            yield from _iter_lines(path, lines.readline, lines.skipped, limit)
        return
    reader.close()
    yield from _stream_documents(path, limit)
