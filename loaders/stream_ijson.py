"""The streaming path with ijson: what the faster readers leave, read exactly.

One pass over the whole file collects each document's other keys and counts (and
measures) the elements of its split arrays; a second pass, ijson's C ``items`` per split
key, yields the elements one by one (one over the record limit is skipped unbuilt). yajl's
errors are turned into byte offsets where its message allows.

yajl's own ``parse`` spells out the prefix of every event, however deep, for a whole read
before the first event is seen: on text nested n levels deep a 64 KiB read costs some
64K × 5n bytes of prefix strings (40,000 levels of ``[``: 4 GB; a 200 KB file could
exhaust the machine). So the first pass reads 4 KiB at a time (at most ~90 MB of prefixes
before its check sees them) and gives up at a prefix longer than :data:`DEEP_PREFIX`; the
file is then read with :func:`shallow_parse` (yajl's ``basic_parse``, prefixes spelt out
only near the top, where they are compared: linear, ~60 % slower) in both passes.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ijson

from loaders import long_integers
from loaders.files import CHUNK_SIZE, CountingReader, InputError
from loaders.json_input import SPLIT_KEYS, Unread, over_limit, too_big_document
from loaders.surrogates import mend

try:  # yajl2_c: the C backend; the others are correct but several times slower
    BACKEND = ijson.get_backend("yajl2_c")
except ImportError:  # pragma: no cover - depends on the installed wheel
    BACKEND = ijson
#: yajl refuses integers beyond 64 bits, which are valid JSON (orjson reads them, as
#: floats): a file that has one is read again with ijson's Python backend, slow but exact.
BIG_INTEGER_BACKEND = ijson.get_backend("python")


class BigInteger(Exception):
    """yajl met an integer beyond 64 bits: read again with :data:`BIG_INTEGER_BACKEND`."""


def big_integer(exc: Exception, backend: Any) -> bool:
    """Whether ``backend`` (yajl) refused an integer beyond 64 bits."""
    return backend is not BIG_INTEGER_BACKEND and "integer overflow" in str(exc)


_SCALAR_EVENTS = frozenset({"string", "number", "boolean", "null"})
_ITEM_START_EVENTS = _SCALAR_EVENTS | {"start_map", "start_array"}
#: Prefixes of events deeper than this many levels are not spelt out (None).
SHALLOW = 4
#: A prefix longer than this (characters) sends the file to :func:`shallow_parse`.
DEEP_PREFIX = 1024
#: Bytes per read of the first pass while it reads yajl's prefixes (see the module doc).
GUARDED_CHUNK = 4096


class _Deep(Exception):
    """The first pass met a prefix longer than :data:`DEEP_PREFIX`."""


def _events(backend: Any, reader: Any, shallow: bool, buf_size: int) -> Iterator[tuple]:
    """``(prefix, event, value)`` of every JSON value of the reader."""
    options = {"multiple_values": True, "use_float": True, "buf_size": buf_size}
    if shallow:
        return shallow_parse(backend, reader, **options)
    return backend.parse(reader, **options)


def shallow_parse(backend: Any, reader: Any, **options: Any) -> Iterator[tuple[Any, str, Any]]:
    """``backend.parse(reader, **options)``, with ``None`` for the prefix of an event more
    than :data:`SHALLOW` levels deep: memory and time linear in the nesting."""
    path: list[str] = []
    for event, value in backend.basic_parse(reader, **options):
        if event == "map_key":
            depth = len(path) - 1
            prefix = ".".join(path[:-1]) if depth <= SHALLOW else None
            path[-1] = value
        elif event == "start_map" or event == "start_array":
            prefix = ".".join(path) if len(path) <= SHALLOW else None
            path.append("" if event == "start_map" else "item")
        elif event == "end_map" or event == "end_array":
            path.pop()
            prefix = ".".join(path) if len(path) <= SHALLOW else None
        else:
            prefix = ".".join(path) if len(path) <= SHALLOW else None
        yield prefix, event, value


def ijson_value(data: bytes) -> Any:
    """The single JSON value of ``data``, parsed by ijson (no nesting limit)."""
    return _read(data, _built_value)


def ijson_members(data: bytes) -> list[tuple[str, Any]]:
    """The members of the object ``data`` in their order, a name given twice given twice
    (parsed by ijson: no nesting limit)."""
    return _read(data, _built_members)


def _read(data: bytes, read: Callable[[Any, bytes], Any]) -> Any:
    """``read(backend, data)`` with yajl, or where yajl refuses an integer beyond 63 bits,
    with ijson's Python backend once yajl took the text with such integers masked (the
    Python backend takes more than JSON allows: see loaders.long_integers)."""
    data = mend(data)
    try:
        return read(BACKEND, data)
    except ijson.JSONError as exc:
        if not big_integer(exc, BACKEND):
            raise
    _built_value(BACKEND, long_integers.mask(data))
    return read(BIG_INTEGER_BACKEND, data)


def _built_members(backend: Any, data: bytes) -> list[tuple[str, Any]]:
    return list(backend.kvitems(io.BytesIO(data), "", use_float=True))


def _built_value(backend: Any, data: bytes) -> Any:
    builder = ijson.ObjectBuilder()
    for event, value in backend.basic_parse(io.BytesIO(data), use_float=True):
        builder.event(event, value)
    return builder.value


@dataclass(slots=True)
class _Document:
    """What the first streaming pass learned about one top-level document."""

    rest: Any  # the document with its split arrays emptied
    counts: list[tuple[str, int]] = field(default_factory=list)  # (split key, elements)
    big: dict[tuple[str, int], int] = field(default_factory=dict)  # (key, index) → bytes
    #: Split keys whose elements' prefix another value has here (see _items_skipping): a
    #: member "item" of the key's value when that is an object, or a top-level member
    #: named "<key>.item".
    objects: set[str] = field(default_factory=set)


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


#: Characters of a parser's message kept in an InputError.
MAX_MESSAGE = 200


def ijson_input_error(
    path: Path, reader: CountingReader, exc: Exception, document: int
) -> InputError:
    """An ijson (yajl) error as an InputError with the byte offset where it can be found."""
    arg = exc.args[0] if exc.args else b""
    message = arg if isinstance(arg, bytes) else str(arg).encode("utf-8", "replace")
    first = message.strip().split(b"\n")[0].decode("utf-8", "replace") or type(exc).__name__
    if len(first) > MAX_MESSAGE:  # the Python backend quotes a whole bad token
        first = first[: MAX_MESSAGE - 3] + "..."
    end = reader.consumed
    if "premature EOF" in first:
        return InputError(
            path, f"byte {end} (end of file)", "truncated JSON: the file ends inside a value"
        )
    kind = "invalid UTF-8" if "invalid bytes in UTF8" in first else "JSON syntax error"
    offset = _yajl_offset(message, reader.last_data)
    return InputError(path, _where(reader, document, offset), f"{kind}: {first}")


def _where(reader: CountingReader, document: int, offset: int | None) -> str:
    """The position of ``offset`` in the reader's last read (or of that read)."""
    start = reader.consumed - reader.last
    if offset is not None and 0 <= offset <= reader.last:
        line = reader.lines_before + reader.last_data.count(b"\n", 0, offset) + 1
        return f"document {document}, line {line}, near byte {start + offset}"
    return f"document {document}, between byte {start} and byte {reader.consumed}"


def utf8_error(
    path: Path, reader: CountingReader, exc: UnicodeDecodeError, document: int
) -> InputError:
    """The error of a string that is not UTF-8, at its byte where the last read shows it."""
    found = reader.last_data.find(exc.object) if isinstance(exc.object, bytes) else -1
    offset = found + exc.start if found >= 0 else None
    return InputError(path, _where(reader, document, offset), f"invalid UTF-8: {exc.reason}")


def _scan_documents(
    path: Path, limit: int, backend: Any = BACKEND, shallow: bool = False, mask: bool = False
) -> list[_Document]:
    """First streaming pass: validate the whole file and keep each document without the
    elements of its split arrays (Python sees every event, but builds only small parts).

    Elements are measured on the way: an element's text spans at least from the end of
    the chunk read where it starts to the start of the chunk read where it ends; one
    whose span is over ``limit`` is noted in ``big`` (so it is never over-counted). A
    document that is not split is built, and counted as it is: over ``limit``, the file
    is refused. Raises :class:`_Deep` (unless ``shallow``) for text nested too deep for
    yajl's prefixes. ``mask``: long integers masked (see :mod:`loaders.long_integers`), to
    check the text, not to read its values."""
    docs: list[_Document] = []
    reader = CountingReader(path, mend=True, mask=mask)
    builder: ijson.ObjectBuilder | None = None
    counts: list[tuple[str, int]] = []
    big: dict[tuple[str, int], int] = {}
    pending: str | None = None  # a split key whose value comes next
    objects: set[str] = set()  # split keys whose value is an object, this document
    skipping: str | None = None
    item_prefix = ""
    count = first = 0
    item_start = 0
    built = 0  # bytes (about) of the document being built
    try:
        events = _events(backend, reader, shallow, CHUNK_SIZE if shallow else GUARDED_CHUNK)
        for prefix, event, value in events:
            if prefix is not None and len(prefix) > DEEP_PREFIX:
                raise _Deep
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
                    counts.append((skipping, count - first))
                    skipping = None
                continue
            if type(value) is str:
                built += len(value) + 4
                if built > limit:
                    raise InputError(
                        path, f"document {len(docs) + 1}", too_big_document(limit, limit)
                    )
            if prefix == "":
                if event == "map_key":
                    pending = value if value in SPLIT_KEYS else None
                    if value in _ITEM_NAMES:
                        # Its value has the prefix of the split array's elements.
                        objects.add(_ITEM_NAMES[value])
                    builder.event(event, value)  # type: ignore[union-attr]
                    continue
                if builder is None:
                    builder = ijson.ObjectBuilder()
                    counts, big, built, objects = [], {}, 0, set()
                builder.event(event, value)
                if event in ("end_map", "end_array") or event in _SCALAR_EVENTS:
                    docs.append(_Document(builder.value, counts, big, objects))
                    builder = None
                continue
            if pending is not None:
                if event == "start_array" and prefix == pending:
                    builder.event("start_array", None)  # type: ignore[union-attr]
                    builder.event("end_array", None)  # type: ignore[union-attr]
                    # A key given twice numbers its elements on from the first array's.
                    first = sum(n for key, n in counts if key == pending)
                    skipping, item_prefix, count = pending, pending + ".item", first
                    pending = None
                    continue
                if event == "start_map" and prefix == pending:
                    objects.add(pending)
                pending = None
            builder.event(event, value)  # type: ignore[union-attr]
    except UnicodeDecodeError as exc:  # bytes yajl lets through (an overlong form, a surrogate)
        raise utf8_error(path, reader, exc, len(docs) + 1) from None
    except ijson.JSONError as exc:
        if big_integer(exc, backend):
            raise BigInteger from None
        if not docs and builder is None and "premature EOF" in str(exc):
            raise InputError(path, "byte 0", "empty file: no JSON value") from None
        raise ijson_input_error(path, reader, exc, len(docs) + 1) from None
    finally:
        reader.close()
    if not docs:
        raise InputError(path, "byte 0", "empty file: no JSON value")
    return docs


#: Top-level member names whose value ijson gives the prefix of a split array's elements.
_ITEM_NAMES = {f"{key}.item": key for key in SPLIT_KEYS}


def _items_skipping(
    reader: CountingReader, key: str, skip: set[int], backend: Any, shallow: bool
) -> Iterator[Any]:
    """Like ijson's ``items(reader, key + ".item")`` over every document, but the elements
    whose number (counted over the whole file) is in ``skip`` are never built: None comes
    in their place; and only elements of arrays: ijson gives a member ``item`` of an
    object, and a top-level member ``<key>.item``, the same prefix. Slower than the C
    ``items``: used only for a key with such elements or such members, or on a file read
    with :func:`shallow_parse`."""
    item_prefix = key + ".item"
    number = -1
    builder: ijson.ObjectBuilder | None = None
    skipping = False
    in_array = False  # in the value of ``key``, an array
    for prefix, event, value in _events(backend, reader, shallow, CHUNK_SIZE):
        if prefix == key and event in ("start_array", "end_array"):
            in_array = event == "start_array"
        if builder is None and not skipping:
            if not in_array or prefix != item_prefix or event not in _ITEM_START_EVENTS:
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


def ijson_documents(path: Path, limit: int) -> Iterator[tuple[str, str | None, Any]]:
    """The streaming path with ijson: a first pass over the whole file, then ijson's C
    ``items`` per split key (see the module doc)."""
    backend, shallow, checked = BACKEND, False, False
    while True:
        try:
            if backend is BIG_INTEGER_BACKEND and not checked:
                # yajl checks the text with those integers masked first: the Python
                # backend takes more than JSON allows (see loaders.long_integers).
                with contextlib.suppress(BigInteger):
                    _scan_documents(path, limit, BACKEND, shallow, mask=True)
                checked = True
            docs = _scan_documents(path, limit, backend, shallow)
            break
        except BigInteger:
            backend = BIG_INTEGER_BACKEND
        except _Deep:
            shallow, checked = True, False
    readers: dict[str, CountingReader] = {}
    items: dict[str, Iterator[Any]] = {}
    skips: dict[str, set[int]] = {}
    seen: dict[str, int] = {}
    objects = {key for doc in docs for key in doc.objects}
    for doc in docs:  # element numbers over the whole file, per key
        for key in dict.fromkeys(key for key, _ in doc.counts):
            first = seen.get(key, 0)
            skips.setdefault(key, set()).update(first + i for k, i in doc.big if k == key)
            seen[key] = first + sum(n for k, n in doc.counts if k == key)
    whole = "byte 0"
    if len(docs) == 1:
        with CountingReader(path) as reader:
            whole = f"byte {reader.skipped}"  # one document starts after a byte order mark
    try:
        for number, doc in enumerate(docs, 1):
            position = whole if len(docs) == 1 else f"document {number}"
            yield position, None, doc.rest
            numbered: dict[str, int] = {}  # elements of each split key so far (given twice)
            for key, n in doc.counts:
                if key not in items:
                    readers[key] = CountingReader(path, mend=True)
                    if skips.get(key) or shallow or key in objects:
                        # (C items would spell out the prefix of every event of the file)
                        items[key] = _items_skipping(
                            readers[key], key, skips.get(key, set()), backend, shallow
                        )
                    else:
                        items[key] = backend.items(
                            readers[key],
                            key + ".item",
                            multiple_values=True,
                            use_float=True,
                            buf_size=CHUNK_SIZE,
                        )
                it = items[key]
                first = numbered.get(key, 0)
                numbered[key] = first + n
                for i in range(first, first + n):
                    try:
                        value = next(it)
                    except (StopIteration, ijson.JSONError):
                        raise InputError(
                            path, position, "the file changed while being read"
                        ) from None
                    if (key, i) in doc.big:
                        value = Unread(over_limit(doc.big[(key, i)], limit, about=True))
                    yield f"{position}, {key}[{i}]", key, value
    finally:
        for reader in readers.values():
            reader.close()
