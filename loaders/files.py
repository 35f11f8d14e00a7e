"""Input files: which files a path names, their SHA-256, and their decompressed bytes.

A file may be gzip-compressed: recognised by its magic bytes, never by its name
(multi-member gzip reads as one stream). :class:`CountingReader` is what every reader
parses from: it counts the bytes it hands out, for error positions, turns a broken or
truncated gzip stream into :class:`InputError`, and, for the streaming parser, mends lone
surrogate escapes (see :mod:`loaders.surrogates`).
"""

from __future__ import annotations

import glob
import gzip
import hashlib
import io
import os
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from loaders.long_integers import IntegerMask
from loaders.surrogates import Mender

GZIP_MAGIC = b"\x1f\x8b"
UTF8_BOM = b"\xef\xbb\xbf"
#: Bytes read at a time by the streaming readers.
CHUNK_SIZE = 64 * 1024
# Reading errors of a broken or truncated gzip stream (BadGzipFile is an OSError).
_READ_ERRORS = (EOFError, zlib.error, OSError)


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


def _is_hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _files_under(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file() and not _is_hidden(p, directory))


def printable(text: str) -> str:
    """``text`` fit to store and print: the bytes of a file name that are not UTF-8 (which
    Python holds as lone surrogates) spelt as ``\\xff`` escapes, any other lone surrogate as
    ``\\udxxx``. Valid text comes back as it is."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


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
            if path.is_dir():
                raise FileNotFoundError(f"{printable(text)}: a directory without files to load")
            raise FileNotFoundError(f"{printable(text)}: no such file or glob")
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


class _Masked:
    """Mending (when asked), then masking long integers: the same feed and finish."""

    def __init__(self, mender: Mender | None) -> None:
        self.mender = mender
        self.mask = IntegerMask()

    def feed(self, data: bytes) -> bytes:
        return self.mask.feed(self.mender.feed(data) if self.mender else data)

    def finish(self) -> bytes:
        rest = self.mender.finish() if self.mender else b""
        return self.mask.feed(rest) + self.mask.finish()


class CountingReader(io.RawIOBase):
    """The decompressed content of a file for parsing: skips a UTF-8 byte-order mark,
    counts the bytes read (for error positions) and turns read errors into InputError.

    ``mend``: lone surrogate escapes are mended (same length: positions stay the file's),
    for ijson, whose yajl parser reads them as ``?``. Readers that parse with orjson mend
    only the text orjson refuses (``loaders.sources.loads``), at no cost to the rest.
    ``mask``: integers too long for yajl are masked too (see :mod:`loaders.long_integers`:
    for a check of the text by yajl, not to read values from)."""

    def __init__(self, path: Path, mend: bool = False, mask: bool = False) -> None:
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
        self._mender: Mender | _Masked | None = Mender() if mend else None
        if mask:
            self._mender = _Masked(self._mender)
        self._ready = b""  # mended, not handed out yet
        self._eof = False

    def _fail(self, exc: BaseException) -> None:
        if isinstance(exc, (EOFError, zlib.error, gzip.BadGzipFile)):
            raw = getattr(getattr(self, "_stream", None), "fileobj", None)
            where = f"compressed byte {raw.tell()}" if raw is not None else "gzip header"
            raise InputError(self.path, where, f"broken or truncated gzip data: {exc}") from exc
        raise InputError(self.path, "file", f"cannot read: {exc}") from exc

    def readable(self) -> bool:
        return True

    def _take(self, size: int) -> bytes:
        """``size`` bytes (all that is left when ``size`` < 0), fewer only at the end."""
        if self._mender is None:
            try:
                data = self._stream.read(size)
            except _READ_ERRORS as exc:
                self._fail(exc)
            self.consumed += len(data)
            return data
        out = self._ready
        while (size < 0 or len(out) < size) and not self._eof:
            try:
                data = self._stream.read(-1 if size < 0 else size - len(out))
            except _READ_ERRORS as exc:
                self._fail(exc)
            if data:
                out += self._mender.feed(data)
            else:
                self._eof = True
                out += self._mender.finish()
        if 0 <= size < len(out):
            out, self._ready = out[:size], out[size:]
        else:
            self._ready = b""
        self.consumed += len(out)
        return out

    def read(self, size: int = -1) -> bytes:
        data = self._take(-1 if size is None else size)
        self.last = len(data)
        self.last_data = data
        self.lines_before = self.lines_read
        self.lines_read += data.count(b"\n")
        return data

    def read_block(self, size: int) -> bytes:
        """Like :meth:`read` without the bookkeeping for error positions (for readers
        that never report them)."""
        return self._take(size)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        if self._mender is not None:
            raise ValueError("lines are parsed by orjson: read them without mending")
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
