"""A big JSON Lines file cut into blocks of whole lines, so that several processes parse it.

A file too big to be parsed whole is streamed in one transaction; read line by line in
the loading process, its parsing would use one core. Instead the loading process only
cuts the (decompressed) file into blocks of whole lines — a line is never split — and
parsing processes turn each block into batches, which the loading process writes in the
order of the file. Each block carries the count of lines and bytes before it, so every
position (``line 12``, ``line 3 column 7 (byte 1040)``) is the one a line-by-line read
gives. A line over the record limit is never held whole: the cutter skips it and hands
it on as :class:`loaders.sources.Unread`, as the line-by-line reader does.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from loaders import sources
from loaders.batch import ParsedBatch, build_batch, conversation_items
from loaders.records import Item

#: Decompressed bytes per block: enough records that a block's batch is worth a write
#: (batches are regrouped to ``chunk_records`` before writing), few enough that a parsing
#: process holds little (a block's parse takes ~10x its size). Measured on a 600 MB file:
#: 8 MiB and 4 MiB load in the same time, 2 MiB is 15 % slower; the process tree's PSS
#: was 572 MB with 8 MiB, 452 MB with 4 MiB (PostgreSQL).
BLOCK_BYTES = 4 * 1024 * 1024


@dataclass(slots=True)
class LineBlock:
    """Whole lines of a file: ``data``, after ``lines_before`` lines and ``base`` bytes."""

    data: bytes
    lines_before: int
    base: int


@dataclass(slots=True)
class SkippedLine:
    """A line over the record limit, read past by the cutter (not kept)."""

    position: str
    unread: sources.Unread


def is_json_lines(path: str | os.PathLike, limit: int | None = None) -> bool:
    """True when the (decompressed) file is JSON Lines: its first line is a whole JSON value
    and more follows. Reads the first 8 MiB, and on to the end of a longer first line up to
    the record limit ``limit`` (see ``sources.starts_json_lines``)."""
    with sources.CountingReader(Path(path)) as reader:
        head = reader.read(sources.SMALL_FILE_LIMIT + 1)
        return sources.starts_json_lines(reader, head, sources.max_record_bytes(limit))


def iter_line_blocks(
    path: str | os.PathLike, limit: int, block_bytes: int | None = None
) -> Iterator[LineBlock | SkippedLine]:
    """The file's lines in blocks of about ``block_bytes`` (default :data:`BLOCK_BYTES`),
    and the lines over ``limit`` bytes as :class:`SkippedLine`. Raises ``InputError`` when
    the file cannot be read."""
    block_bytes = block_bytes or BLOCK_BYTES
    with sources.CountingReader(Path(path)) as reader:
        lines: list[bytes] = []
        size = 0
        base = reader.skipped
        number = 0  # lines before the block being filled
        while True:
            line = reader.readline(limit + 1)
            if len(line) > limit and not line.endswith(b"\n"):
                if lines:
                    yield LineBlock(b"".join(lines), number, base)
                    number, base, lines, size = number + len(lines), base + size, [], 0
                unread, skipped = sources.skip_long_line(reader.readline, line, limit)
                number += 1
                base += skipped
                yield SkippedLine(f"line {number}", unread)
                continue
            if line:
                lines.append(line)
                size += len(line)
            if lines and (size >= block_bytes or not line):
                yield LineBlock(b"".join(lines), number, base)
                number, base, lines, size = number + len(lines), base + size, [], 0
            if not line:
                return


def parse_line_block(
    path: str, block: LineBlock, limit: int, chunk_records: int
) -> list[ParsedBatch]:
    """Parse a block of a conversation export (in a parsing process) into batches. Raises
    ``InputError`` (a JSON syntax error, with its position in the file) as a read would."""
    values = (
        (position, value)
        for position, _key, value in sources.iter_lines(
            Path(path), io.BytesIO(block.data).readline, block.base, limit, block.lines_before
        )
    )
    batches = []
    chunk: list[Item] = []
    for item in conversation_items(values):
        chunk.append(item)
        if len(chunk) >= chunk_records:
            batches.append(build_batch(chunk))
            chunk = []
    if chunk:
        batches.append(build_batch(chunk))
    return batches
