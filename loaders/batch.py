"""Parsed records → columnar batches: the form in which parsed input travels to the writer.

Parsing and the conversion of rows to Arrow are the expensive part of a load, so
they run where the parsing runs — in worker processes when several files are
loaded — and the writer receives Arrow tables, which cross a process boundary
cheaply. Every row carries ``_rec``, the index of its record in ``metas``, so the
writer can keep the rows of the records that win the upsert rules and drop the
rest without looking at a single Python dict.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyarrow as pa

from loaders.records import ParsedRecord, Rejected

REC = "_rec"
MAX_WARNING_SAMPLES = 20


@dataclass(slots=True)
class RecordMeta:
    """What the writer needs to know of one parsed record besides its rows."""

    kind: str
    position: str
    key: str | None
    version: int | None
    digest: str | None


@dataclass
class ParsedBatch:
    """Some records of one file (or several), as Arrow tables plus per-record metadata."""

    metas: list[RecordMeta] = field(default_factory=list)
    tables: dict[str, pa.Table] = field(default_factory=dict)
    rejections: list[Rejected] = field(default_factory=list)
    records_seen: int = 0
    warnings: int = 0
    warning_samples: list[str] = field(default_factory=list)


@cache
def batch_schema(name: str) -> pa.Schema:
    """The Arrow schema of a table's rows in a batch: the table's columns plus ``_rec``."""
    from warehouse.tables import tables

    return tables()[name].schema.append(pa.field(REC, pa.int32()))


def build_batch(items: list[ParsedRecord | Rejected]) -> ParsedBatch:
    """Turn parsed records (and rejections) into one columnar batch."""
    batch = ParsedBatch()
    rows: dict[str, list[dict]] = {}
    for item in items:
        batch.records_seen += 1
        if isinstance(item, Rejected):
            batch.rejections.append(item)
            continue
        index = len(batch.metas)
        batch.metas.append(
            RecordMeta(item.kind, item.position, item.key, item.version, item.digest)
        )
        if item.warnings:
            batch.warnings += len(item.warnings)
            room = MAX_WARNING_SAMPLES - len(batch.warning_samples)
            if room > 0:
                batch.warning_samples.extend(f"{item.position}: {w}" for w in item.warnings[:room])
        batch.rejections.extend(item.rejections)
        for name, table_rows in item.tables.items():
            if not table_rows:
                continue
            target = rows.setdefault(name, [])
            for row in table_rows:
                row[REC] = index
            target.extend(table_rows)
        if item.kind == "conversation":
            for row in item.tables.get("conversation", ()):
                row["record_version"] = item.version
                row["record_hash"] = item.digest
    batch.tables = {
        name: pa.Table.from_pylist(table_rows, schema=batch_schema(name))
        for name, table_rows in rows.items()
    }
    return batch


def merge_batches(batches: list[ParsedBatch]) -> ParsedBatch:
    """Several batches as one (record indices renumbered), so that small files share statements."""
    if len(batches) == 1:
        return batches[0]
    out = ParsedBatch()
    pieces: dict[str, list[pa.Table]] = {}
    for batch in batches:
        offset = len(out.metas)
        out.metas.extend(batch.metas)
        out.rejections.extend(batch.rejections)
        out.records_seen += batch.records_seen
        out.warnings += batch.warnings
        out.warning_samples.extend(batch.warning_samples)
        for name, table in batch.tables.items():
            if offset:
                rec = table.column(REC)
                table = table.set_column(
                    table.schema.get_field_index(REC),
                    REC,
                    pa.compute.add(rec, pa.scalar(offset, pa.int32())),
                )
            pieces.setdefault(name, []).append(table)
    out.tables = {name: pa.concat_tables(parts) for name, parts in pieces.items()}
    return out


def iter_file_batches(path: Path, kind: str, chunk_records: int) -> Iterator[ParsedBatch]:
    """Parse a file of a known kind into batches of at most ``chunk_records`` records.

    Raises ``loaders.sources.InputError`` when the file cannot be read; batches
    already yielded must then be discarded by the caller (the file is rejected whole).
    """
    chunk: list[ParsedRecord | Rejected] = []
    for item in iter_file_records(path, kind):
        chunk.append(item)
        if len(chunk) >= chunk_records:
            yield build_batch(chunk)
            chunk = []
    if chunk:
        yield build_batch(chunk)


def iter_file_records(path: Path, kind: str) -> Iterator[ParsedRecord | Rejected]:
    """Parsed records of a file of a known kind (``conversations`` or ``web_session``), streamed."""
    import orjson

    from loaders import sources

    if kind == "conversations":
        from loaders import conversations

        for position, value in sources.iter_json_values(path):
            if not isinstance(value, dict):
                yield Rejected(position, "not a JSON object", orjson.dumps(value).decode())
                continue
            for record_position, record in conversations.iter_conversation_records(value, position):
                yield conversations.parse_conversation(record, record_position)
    elif kind == "web_session":
        from loaders import web_sessions

        yield from web_sessions.iter_web_records(path)
    else:
        raise ValueError(f"not a kind of file with records: {kind}")


@dataclass
class FileParse:
    """The whole parse of one (small) file, as a worker process returns it."""

    batches: list[ParsedBatch] = field(default_factory=list)
    error_position: str | None = None
    error: str | None = None


def parse_whole_file(path: str, kind: str, chunk_records: int) -> FileParse:
    """Parse a whole file (in a worker process): its batches, or why it cannot be read."""
    from loaders.sources import InputError

    result = FileParse()
    try:
        result.batches = list(iter_file_batches(Path(path), kind, chunk_records))
    except InputError as exc:
        return FileParse(error_position=exc.position, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - a parser bug must reject the file, not the load
        reason = f"{path}: internal error while parsing: {exc!r}"
        return FileParse(error_position=None, error=reason)
    return result


def worker_count() -> int:
    """Parsing processes to use: one per core (``LPWH_WORKERS`` overrides; 0 parses inline)."""
    configured = os.environ.get("LPWH_WORKERS")
    if configured is not None:
        return max(0, int(configured))
    return os.cpu_count() or 1
