"""Files → parsed batches: streamed, parsed whole, or parsed in groups of small files.

What the parsing processes run. ``iter_file_batches`` streams a file of a known kind in
batches (the loading process writes each as it comes); ``parse_whole_file`` returns a
small file's batches at once, or why it cannot be read; ``parse_file_group`` parses
several small files into shared batches, each file keeping its own account.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from loaders.batch import (
    ParsedBatch,
    build_batch,
    build_shared_batch,
    conversation_items,
    guarded,
)
from loaders.records import Item

#: A whole-file parse gives up beyond this many bytes of batches (Arrow data and rejected
#: raw text): the file is small on disk but big once decompressed — a gzip bomb, say — and
#: is streamed in its own transaction instead of being held in memory.
WHOLE_PARSE_BYTES = 64 * 1024 * 1024


def iter_file_batches(
    path: Path, kind: str, chunk_records: int, max_record_bytes: int | None = None
) -> Iterator[ParsedBatch]:
    """Parse a file of a known kind into batches of at most ``chunk_records`` records.

    Raises ``loaders.sources.InputError`` when the file cannot be read; batches
    already yielded must then be discarded by the caller (the file is rejected whole).
    Records over ``max_record_bytes`` are rejected (see ``loaders.sources``).
    """
    chunk: list[Item] = []
    for item in iter_file_records(path, kind, max_record_bytes):
        chunk.append(item)
        if len(chunk) >= chunk_records:
            yield build_batch(chunk)
            chunk = []
    if chunk:
        yield build_batch(chunk)


def iter_file_records(path: Path, kind: str, max_record_bytes: int | None = None) -> Iterator[Item]:
    """Parsed records of a file of a known kind (``conversations`` or ``web_session``), streamed.

    No record stops the file: one over the record limit, or one a parser fails on (nested
    too deep for Python, say), is rejected with the reason and the rest still loads."""
    from loaders import sources

    limit = sources.max_record_bytes(max_record_bytes)
    if kind == "conversations":
        yield from conversation_items(sources.iter_json_values(path, limit))
    elif kind == "web_session":
        with sources.record_limit(limit):
            from loaders import web_files

            yield from web_files.iter_web_records(path, guard=guarded)
    else:
        raise ValueError(f"not a kind of file with records: {kind}")


@dataclass
class FileParse:
    """The whole parse of one (small) file, as a worker process returns it."""

    batches: list[ParsedBatch] = field(default_factory=list)
    error_position: str | None = None
    error: str | None = None
    too_big: bool = False  # over WHOLE_PARSE_BYTES: to be streamed instead
    #: In a group (:func:`parse_file_group`): the file's share of the group's batches ...
    share: ParsedBatch | None = None
    #: ... or ``alone``: not parsed with the group, to be parsed on its own.
    alone: bool = False


@dataclass
class GroupParse:
    """The parse of a group of small files, as a worker process returns it: one
    :class:`FileParse` per file, and the records of those with a ``share``, in order."""

    files: list[FileParse] = field(default_factory=list)
    batches: list[ParsedBatch] = field(default_factory=list)


def _batch_bytes(batch: ParsedBatch) -> int:
    """What a batch holds, in bytes (an upper bound): its tables and rejected raw text."""
    # Buffer sizes cost far less than nbytes, which works out the bytes each column slice
    # references.
    size = sum(t.get_total_buffer_size() for t in batch.tables.values())
    return size + sum(len(r.raw or "") for r in batch.rejections)


def parse_whole_file(
    path: str, kind: str, chunk_records: int, max_record_bytes: int | None = None
) -> FileParse:
    """Parse a whole file (in a worker process): its batches, or why it cannot be read, or
    ``too_big`` when its batches would pass :data:`WHOLE_PARSE_BYTES`."""
    from loaders.sources import InputError

    result = FileParse()
    size = 0
    try:
        for batch in iter_file_batches(Path(path), kind, chunk_records, max_record_bytes):
            size += _batch_bytes(batch)
            if size > WHOLE_PARSE_BYTES:
                return FileParse(too_big=True)
            result.batches.append(batch)
    except InputError as exc:
        return FileParse(error_position=exc.position, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - a parser bug must reject the file, not the load
        reason = f"{path}: internal error while parsing: {exc!r}"
        return FileParse(error_position=None, error=reason)
    return result


def parse_file_group(
    files: list[tuple[str, str]], chunk_records: int, max_record_bytes: int | None = None
) -> GroupParse:
    """Parse small files, ``(path, kind)``, together (in a worker process).

    Their records go into as few batches as ``chunk_records`` allows: building a batch,
    sending it to the loading process and merging it there cost milliseconds per batch
    whatever its size, which a file per batch pays on exports of many small pages. A file
    that cannot be read gets its error, as from :func:`parse_whole_file`; one of more
    records than ``chunk_records``, or beyond :data:`WHOLE_PARSE_BYTES` of the group's
    batches, or in a batch that cannot be built, is left ``alone``: the caller parses it
    on its own (where a failure concerns that file only).
    """
    from loaders.sources import InputError

    group = GroupParse()
    held: list[list[Item]] = []  # files parsed, their batch not built
    held_files: list[FileParse] = []
    size = 0

    def build() -> int:
        """Build the held files' batch; its size in bytes."""
        try:
            batch, shares = build_shared_batch(held)
        except Exception:  # noqa: BLE001 - the culprit fails its own parse, alone
            for result in held_files:
                result.alone = True
            return 0
        for result, share in zip(held_files, shares, strict=True):
            result.share = share
        group.batches.append(batch)
        return _batch_bytes(batch)

    for path, kind in files:
        result = FileParse()
        group.files.append(result)
        if size > WHOLE_PARSE_BYTES:
            result.alone = True
            continue
        items: list[Item] = []
        records = iter_file_records(Path(path), kind, max_record_bytes)
        try:
            for item in records:
                items.append(item)
                if len(items) > chunk_records:
                    result.alone = True
                    break
            records.close()
        except InputError as exc:
            result.error_position, result.error = exc.position, str(exc)
            continue
        except Exception as exc:  # noqa: BLE001 - a parser bug must reject the file, not the load
            result.error = f"{path}: internal error while parsing: {exc!r}"
            continue
        if result.alone:
            continue
        held.append(items)
        held_files.append(result)
        if sum(len(i) for i in held) >= chunk_records:
            size += build()
            held.clear()
            held_files.clear()
    if held:
        build()
    return group


def worker_count() -> int:
    """Parsing processes to use: one per core (``LPWH_WORKERS`` overrides; 0 parses inline)."""
    configured = os.environ.get("LPWH_WORKERS")
    if configured is not None and configured.strip():
        try:
            return max(0, int(configured))
        except ValueError:
            raise ValueError(
                f"LPWH_WORKERS must be a number of processes (0: parse inline), got {configured!r}"
            ) from None
    return os.cpu_count() or 1
