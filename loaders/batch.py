"""Parsed records → columnar batches: the form in which parsed input travels to the writer.

Parsing and the conversion of rows to Arrow are the expensive part of a load, so
they run where the parsing runs — in worker processes when several files are
loaded — and the writer receives Arrow tables, which cross a process boundary
cheaply. Every row carries ``_rec``, the index of its record in ``metas``, so the
writer can keep the rows of the records that win the upsert rules and drop the
rest without looking at a single Python dict.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from loaders.records import Item, Notice, ParsedRecord, Rejected
from loaders.values import MAX_DEPTH, TooDeep

REC = "_rec"
MAX_WARNING_SAMPLES = 20
#: The longest text a key or indexed column takes (UTF-8 bytes). PostgreSQL cannot index
#: longer values (a B-tree entry holds at most ~2.7 kB): a record with one — a hostile
#: megabyte-long conversationId, say — is rejected alone instead of failing its file.
MAX_KEY_BYTES = 1000


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

    def __reduce__(self):
        # Batches travel from the parsing processes by pickle. Arrow pickles a table array
        # by array (~0.4 s for the 90 MB of tables of 5,000 conversations, and ~0.2 s to
        # unpickle); its IPC format writes them as one buffer in a quarter of that time, and
        # the receiver reads the tables straight out of that buffer, without a copy.
        # The rest (records' metadata, rejections) the pickler at hand takes as it is, which
        # also lets it write once a record's metadata that a group's share repeats.
        state = vars(self).copy()
        names, ends, data = tables_to_ipc(state.pop("tables"))
        return (_unpickle_batch, (state, names, ends, data))


def tables_to_ipc(tables: dict[str, pa.Table]) -> tuple[list[str], list[int], bytes]:
    """Tables as one buffer of consecutive Arrow IPC streams: names, end offsets, bytes."""
    sink = pa.BufferOutputStream()
    names, ends = [], []
    for name, table in tables.items():
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        names.append(name)
        ends.append(sink.tell())
    return names, ends, sink.getvalue().to_pybytes()


def tables_from_ipc(names: list[str], ends: list[int], data: bytes) -> dict[str, pa.Table]:
    """The tables of :func:`tables_to_ipc`, reading ``data`` in place (no copy)."""
    buffer = pa.py_buffer(data)
    tables = {}
    start = 0
    for name, end in zip(names, ends, strict=True):
        tables[name] = pa.ipc.open_stream(buffer.slice(start, end - start)).read_all()
        start = end
    return tables


def _unpickle_batch(state: dict, names: list[str], ends: list[int], data: bytes) -> ParsedBatch:
    batch = ParsedBatch.__new__(ParsedBatch)
    batch.__dict__.update(state)
    batch.tables = tables_from_ipc(names, ends, data)
    return batch


#: Tables whose rows the writer merges into another table's columns of the same names
#: (``web_session`` is derived from the files' ``web_session_source`` rows): a value that
#: column indexes there must be indexable here.
MERGED_INTO = {"web_session_source": "web_session"}


@cache
def indexed_columns(name: str) -> tuple[str, ...]:
    """The columns of a table that are part of its primary key, a unique or B-tree index,
    or that are merged into such a column of another table (see :data:`MERGED_INTO`).
    Columns of hash indexes only (``warehouse.models.base.text_index``) take any length."""
    from warehouse.models import metadata

    table = metadata.tables[name]
    columns = {c.name for c in table.primary_key.columns}
    columns |= {
        c.name
        for index in table.indexes
        if index.dialect_options["postgresql"]["using"] != "hash"
        for c in index.columns
    }
    columns |= {c.name for c in table.columns if c.unique}
    if name in MERGED_INTO:
        columns |= set(indexed_columns(MERGED_INTO[name])) & {c.name for c in table.columns}
    return tuple(sorted(columns))


def _overlong_key(item: ParsedRecord) -> str | None:
    """Why a record cannot be stored: a key or indexed value longer than MAX_KEY_BYTES."""
    for name, rows in item.tables.items():
        columns = indexed_columns(name)
        for row in rows:
            for column in columns:
                value = row.get(column)
                if (
                    type(value) is str
                    and len(value) * 4 > MAX_KEY_BYTES  # cheap test first
                    and len(value.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES
                ):
                    size = len(value.encode("utf-8", "surrogatepass"))
                    return (
                        f"{name}.{column} is {size:,} bytes long: key and indexed values "
                        f"longer than {MAX_KEY_BYTES:,} bytes are not loaded"
                    )
    return None


@cache
def batch_schema(name: str) -> pa.Schema:
    """The Arrow schema of a table's rows in a batch: the table's columns plus ``_rec``."""
    from warehouse.tables import tables

    return tables()[name].schema.append(pa.field(REC, pa.int32()))


@cache
def _row_struct(name: str) -> pa.StructType:
    # The batch schema without ``_rec`` as one struct: Arrow converts a list of row dicts
    # to it in C++ (``_rec`` is added as a column of its own).
    return pa.struct([f for f in batch_schema(name) if f.name != REC])


@cache
def _key_text_columns(name: str) -> tuple[str, ...]:
    # The indexed columns of a table that hold text: the only ones a too long key can be in
    # once the rows have become Arrow (a str in a column of another type fails the conversion).
    schema = batch_schema(name)
    return tuple(c for c in indexed_columns(name) if schema.field(c).type == pa.large_string())


def build_batch(items: list[Item]) -> ParsedBatch:
    """Turn parsed records (and rejections) into one columnar batch.

    Records with a key or indexed value over MAX_KEY_BYTES are rejected (see
    :func:`_overlong_key`)."""
    return build_shared_batch([items])[0]


def build_shared_batch(
    files: list[list[Item]],
) -> tuple[ParsedBatch, list[ParsedBatch]]:
    """One batch of the parsed records of several files, and each file's share of it.

    A share is a batch without tables: its file's records (``metas``, in the batch's
    order), rejections, records seen and warnings — what that file is counted for. Records
    with a too long key are rejected in their file's share. Such values are rare, so the
    batch is first built without looking at each row, then its key columns are measured at
    once in Arrow; only when one is too long is the batch built again, record by record,
    with the check."""
    try:
        built = _build(files, checked=False)
        if not _has_overlong_key(built[0].tables):
            return built
    except Exception:  # noqa: BLE001, S110 - the checked build below raises it again, if real
        # A value Arrow refuses (a str in a timestamp column, say) may be in a record the
        # checked build rejects as too long; if not, that build fails the same way.
        pass
    return _build(files, checked=True)


def _has_overlong_key(tables: dict[str, pa.Table]) -> bool:
    # All text key columns of the batch as one chunked array: two compute calls per batch,
    # whatever the number of tables (each call costs more than measuring a small column).
    chunks = [
        chunk
        for name, table in tables.items()
        for column in _key_text_columns(name)
        for chunk in table.column(column).chunks
    ]
    if not chunks:
        return False
    longest = pc.max(pc.binary_length(pa.chunked_array(chunks, pa.large_string()))).as_py()
    return longest is not None and longest > MAX_KEY_BYTES


def _build(files: list[list[Item]], *, checked: bool) -> tuple[ParsedBatch, list[ParsedBatch]]:
    # ``checked``: reject each record with a too long key (row by row) instead of trusting
    # the caller to have ruled them out. The items are not modified.
    batch = ParsedBatch()
    shares: list[ParsedBatch] = []
    rows: dict[str, list[dict]] = {}
    recs: dict[str, list[int]] = {}
    for items in files:
        share = ParsedBatch()
        shares.append(share)
        for item in items:
            if isinstance(item, Notice):
                share.warnings += 1
                if len(share.warning_samples) < MAX_WARNING_SAMPLES:
                    share.warning_samples.append(f"{item.position}: {item.warning}")
                continue
            share.records_seen += 1
            if isinstance(item, Rejected):
                share.rejections.append(item)
                continue
            if checked:
                overlong = _overlong_key(item)
                if overlong is not None:
                    share.rejections.append(Rejected(item.position, overlong, None))
                    continue
            index = len(batch.metas)
            meta = RecordMeta(item.kind, item.position, item.key, item.version, item.digest)
            batch.metas.append(meta)
            share.metas.append(meta)
            if item.warnings:
                share.warnings += len(item.warnings)
                room = MAX_WARNING_SAMPLES - len(share.warning_samples)
                if room > 0:
                    share.warning_samples.extend(
                        f"{item.position}: {w}" for w in item.warnings[:room]
                    )
            share.rejections.extend(item.rejections)
            conversation = item.kind == "conversation"
            for name, table_rows in item.tables.items():
                if not table_rows:
                    continue
                if conversation and name == "conversation":
                    # The version and digest travel in the conversation row (copies: the
                    # parsed record stays as the parser made it).
                    table_rows = [
                        {**row, "record_version": item.version, "record_hash": item.digest}
                        for row in table_rows
                    ]
                target = rows.get(name)
                if target is None:
                    rows[name] = target = []
                    recs[name] = []
                target.extend(table_rows)
                recs[name].extend([index] * len(table_rows))
        batch.records_seen += share.records_seen
        batch.rejections.extend(share.rejections)
        batch.warnings += share.warnings
        room = MAX_WARNING_SAMPLES - len(batch.warning_samples)
        batch.warning_samples.extend(share.warning_samples[: max(room, 0)])
    batch.tables = {
        name: _arrow_table(name, table_rows, recs[name]) for name, table_rows in rows.items()
    }
    return batch, shares


def _arrow_table(name: str, rows: list[dict], recs: list[int]) -> pa.Table:
    # Same result as ``pa.Table.from_pylist(rows with _rec, schema=batch_schema(name))``, with
    # the per-cell work in C++ rather than in a Python loop per column.
    columns = pa.array(rows, type=_row_struct(name)).flatten()
    columns.append(pa.array(recs, pa.int32()))
    return pa.Table.from_arrays(columns, schema=batch_schema(name))


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
                    pc.add(rec, pa.scalar(offset, pa.int32())),
                )
            pieces.setdefault(name, []).append(table)
    out.tables = {name: pa.concat_tables(parts) for name, parts in pieces.items()}
    return out


def conversation_items(values: Iterable[tuple[str, Any]]) -> Iterator[Item]:
    """Parsed conversation records of the top-level JSON values of a conversation export
    (pages, single records, :class:`loaders.sources.Unread` values), as ``(position, value)``."""
    from loaders import conversations, sources

    for position, value in values:
        if isinstance(value, sources.Unread):
            yield Rejected(position, value.reason, value.raw)
            continue
        if not isinstance(value, dict):
            yield Rejected(position, "not a JSON object", safe_json(value))
            continue
        if _partial(value):
            yield Notice(position, PARTIAL_PAGE)
        try:
            for record_position, record in conversations.iter_conversation_records(value, position):
                yield guarded(conversations.parse_conversation, record, record_position)
        except Exception as exc:  # noqa: BLE001 - a value that is not a page of records
            yield Rejected(position, f"cannot read records: {_describe(exc)}", None)


PARTIAL_PAGE = (
    "the API marked this page partial (_metadata.shardsStatusResult.partialResult): "
    "conversations may be missing; export the range again"
)


def _partial(page: dict) -> bool:
    """Whether a response page says it is partial (some of the API's shards did not answer)."""
    meta = page.get("_metadata")
    status = meta.get("shardsStatusResult") if isinstance(meta, dict) else None
    flag = status.get("partialResult") if isinstance(status, dict) else None
    return flag is True or flag == "true"


TOO_DEEP = "record nested too deeply to be read"
#: Frames a record that ran out of Python's stack gets on its second try (see guarded).
RETRY_FRAMES = 4 * MAX_DEPTH


def guarded(parse, value, position: str) -> ParsedRecord | Rejected:
    """``parse(value, position)``; a failure rejects that record only.

    A record nested deeper than ``values.MAX_DEPTH`` is rejected wherever it is parsed.
    Parsing recurses too (up to two frames per level), and how much of Python's stack is
    left depends on the caller (a parsing process's stack is deeper than the loading
    process's): a record that runs out of it is parsed again with that much more room,
    so that only its own depth decides."""
    try:
        return parse(value, position)
    except TooDeep:
        return Rejected(position, TOO_DEEP, safe_json(value))
    except RecursionError:
        pass
    except Exception as exc:  # noqa: BLE001 - no record may stop the load
        return Rejected(position, f"cannot parse: {_describe(exc)}", safe_json(value))
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(limit + RETRY_FRAMES)
    try:
        return parse(value, position)
    except RecursionError:  # TooDeep, or deeper than even the extra room
        return Rejected(position, TOO_DEEP, safe_json(value))
    except Exception as exc:  # noqa: BLE001
        return Rejected(position, f"cannot parse: {_describe(exc)}", safe_json(value))
    finally:
        sys.setrecursionlimit(limit)


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text[:500]}" if text else type(exc).__name__


class _Text(str):
    """JSON text already written (for :func:`safe_json`'s explicit stack)."""


def safe_json(value: object) -> str:
    """JSON text of a parsed value, whatever its depth (orjson stops at 255 levels and the
    standard library at Python's recursion limit): the raw text of a rejected record."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # too deep for orjson, or an integer beyond 64 bits
        pass
    out: list[str] = []
    stack: list[object] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, _Text):
            out.append(item)
        elif isinstance(item, dict):
            stack.append(_Text("}"))
            for i, (k, v) in reversed(list(enumerate(item.items()))):
                stack.append(v)
                stack.append(_Text(("," if i else "") + json.dumps(str(k)) + ":"))
            out.append("{")
        elif isinstance(item, list):
            stack.append(_Text("]"))
            for i, v in reversed(list(enumerate(item))):
                stack.append(v)
                if i:
                    stack.append(_Text(","))
            out.append("[")
        else:
            out.append(json.dumps(item, ensure_ascii=False, default=str))
    return "".join(out)
