"""The fast streaming path: each element of a document read by orjson from its bytes.

See the comment below for how it finds where each value ends, and what it leaves to the
ijson path (:mod:`loaders.stream_ijson`) by raising :class:`Unsupported`.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from loaders.files import CountingReader, InputError
from loaders.json_input import SPLIT_KEYS, after_document, char_to_byte

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
# (lone surrogates), and whitespace yajl allows and orjson does not (form feeds).
#
# A value whose text may hold a number of 19 digits or more is read again here by the
# standard library, exactly: orjson reads an integer beyond 64 bits as a float, and yajl
# refuses one beyond 63 bits (the ijson path then reads the whole file with ijson's Python
# backend, slow, and laxer than JSON: see BIG_INTEGER_BACKEND). orjson took the text, so
# nothing else in it reads differently.

#: Decompressed bytes read at a time by the fast path.
FAST_BLOCK = 1024 * 1024
#: The survey's first block (see survey).
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


class Unsupported(Exception):
    """Input the fast path leaves to the ijson path."""


def _truncated(exc: orjson.JSONDecodeError) -> bool:
    return (exc.msg or "").startswith("unexpected end of data")


def _long_numbers(
    data: bytes, start: int, offset: int, runs: list[int], first_only: bool = False
) -> None:
    """Append to ``runs`` the stream offsets of the runs of 19 digits or more that begin at
    or after ``data[start]`` and may be numbers (not after a letter, say, as in a hex
    digest); ``offset``: the stream offset of ``data[0]``. ``first_only``: stop at the
    first."""
    digits = data[start:].translate(_DIGITS)
    found = digits.find(_DIGIT_RUN)
    while found >= 0:
        at = start + found
        before = at - 1
        while before >= 0 and at - before < 64 and data[before] in _BEFORE_DIGITS:
            before -= 1
        if before < 0 or at - before >= 64 or data[before] in b":,[":
            runs.append(offset + at)
            if first_only:
                return
        end = found + len(_DIGIT_RUN)
        while end < len(digits) and digits[end] == 0x30:
            end += 1
        found = digits.find(_DIGIT_RUN, end)


def has_long_number(data: bytes | memoryview) -> bool:
    """Whether ``data`` may hold a number of 19 digits or more (see :func:`_long_numbers`):
    one orjson may read as a float although it is an integer beyond 64 bits."""
    runs: list[int] = []
    _long_numbers(data if isinstance(data, bytes) else bytes(data), 0, 0, runs, True)
    return bool(runs)


def survey(path: Path) -> tuple[bool, list[int]]:
    """Whether the file is one document with nothing after its first split array (see
    above; False when not sure), and the runs of digits that may be long numbers."""
    try:
        reader = CountingReader(path)
    except InputError:
        raise Unsupported from None

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
        raise Unsupported from None
    finally:
        reader.close()


def _survey_blocks(blocks: Iterable[bytes]) -> tuple[bool, list[int]]:
    # survey of the content in these blocks.
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


class Walker:
    """Reads a file of JSON object documents block by block, each value with orjson.

    Positions are indices into :attr:`buf`, which holds the file's decompressed content
    from stream offset :attr:`base`. ``runs``: the stream offsets of runs of digits that may
    be long numbers, or None to find them while reading. Raises :class:`Unsupported` for
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
                raise Unsupported from None
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
            raise Unsupported from None
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
            raise Unsupported
        self.pos += 1

    def key(self) -> str:
        """The object key at :attr:`pos` (whitespace first), past its colon."""
        if self.peek() != _QUOTE:
            raise Unsupported
        while (match := _STRING_TOKEN.match(self.buf, self.pos)) is None:
            if len(self.buf) - self.pos > self.limit or not self.more():
                raise Unsupported
        end = match.end()
        try:
            key = orjson.loads(self.view[self.pos : end])
        except orjson.JSONDecodeError:
            raise Unsupported from None
        self.size += end - self.pos
        self.pos = end
        self.expect(_COLON)
        return key

    def _checked(self, value: Any, start: int, end: int) -> Any:
        """``value``, read from ``buf[start:end]``; or that text read exactly (see above)
        when it may hold a long number."""
        if end - start > self.limit:
            raise Unsupported  # the ijson path measures the record and rejects it unread
        runs = self.runs
        if runs:
            first = self.base + start
            while runs and runs[0] < first:
                runs.popleft()
            if runs and runs[0] < self.base + end:
                try:
                    return json.loads(self.buf[start:end])
                except (RecursionError, ValueError):
                    raise Unsupported from None  # nested deeper than Python reads
        return value

    def _measured(self, start: int, exc: orjson.JSONDecodeError) -> tuple[Any, int]:
        """The value at ``start`` that orjson read whole before failing with ``exc`` on what
        follows it, and the position after it."""
        end = start + char_to_byte(self.view[start:], exc.pos)
        try:
            value = orjson.loads(self.view[start:end])
        except orjson.JSONDecodeError:
            raise Unsupported from None
        return self._checked(value, start, end), end

    def value(self) -> tuple[Any, int]:
        """The value at :attr:`pos` (whitespace first) and the position after it, measured
        with growing windows."""
        if self.peek() is None:
            raise Unsupported
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
                        raise Unsupported  # over the record limit: measured and refused there
                    self.more()
                    continue
                end = n
            cut = end == n and not self.eof  # the value may go on in the next block
            try:
                value = orjson.loads(self.view[start:end])
            except orjson.JSONDecodeError as exc:
                if after_document(exc):
                    return self._measured(start, exc)
                if window <= self.limit and (cut or (end < n and _truncated(exc))):
                    window *= 4
                    continue
                raise Unsupported from None
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
                    if not after_document(exc):
                        raise Unsupported from None
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
            raise Unsupported
        self.pos += 1
        if self.peek() in (_CLOSE_BRACKET, None):
            raise Unsupported  # a trailing comma, or the end of the file

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
        numbered: dict[str, int] = {}  # elements of each split key so far (given twice)
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
                    raise Unsupported  # a second split array: the survey was wrong (not JSON)
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
                    index = numbered.get(key, 0)
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
                    numbered[key] = index
            else:
                value, end = self.value()
                self.size += end - self.pos
                rest[key] = value
                self.pos = end
            # The ijson path refuses a document whose other keys pass the record limit
            # (characters of text, 4 more per string): past half of it, let it decide.
            if 2 * self.size > self.limit:
                raise Unsupported
            follows = self.peek()
            self.pos += 1
            if follows not in (_CLOSE_BRACE, _COMMA):
                raise Unsupported
        if not announced:
            self.yielded += 1
            yield position, None, rest  # type: ignore[misc]


def fast_scan(path: Path, limit: int) -> tuple[list[dict], list[int]]:
    """First pass of the fast path: each document with its split arrays emptied, and the
    runs of digits that may be long numbers."""
    walker = Walker(path, limit, None)
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
        raise Unsupported  # the ijson path names the empty file
    return rests, walker.found


def fast_documents(
    walker: Walker, rests: list[dict] | None
) -> Iterator[tuple[str, str | None, Any]]:
    """The fast path (see above): the same parts as
    :func:`loaders.stream_ijson.ijson_documents`. ``rests``: what the first pass found,
    None when the survey found one document with nothing after its first split array but
    its end."""
    # One document starts after a byte order mark, as read at once says.
    whole = f"byte {walker.reader.skipped if walker.reader is not None else 0}"
    if rests is None:
        yield from walker.document({}, whole, announce=True)
    else:
        for number, known in enumerate(rests, 1):
            position = whole if len(rests) == 1 else f"document {number}"
            walker.yielded += 1
            yield position, None, known
            yield from walker.document({}, position)
    if walker.peek() is not None:
        raise Unsupported  # more than the first pass saw (the file changed), or not JSON


def fast_page(data: bytes, limit: int) -> Walker:
    """The fast path for a small file in memory (no byte-order mark), one document, ready
    to give the parts :func:`_iter_small_whole` yields. Its values are orjson's, as there:
    where orjson and yajl differ (numbers of 19 digits), it leaves the file to the whole
    read."""
    bounds = [0, *range(_FIRST_BLOCK, len(data), FAST_BLOCK), len(data)]
    blocks = (data[bounds[i] : bounds[i + 1]] for i in range(len(bounds) - 1))
    simple, runs = _survey_blocks(blocks)
    if not simple or runs:
        raise Unsupported
    return Walker(None, limit, [], data)
