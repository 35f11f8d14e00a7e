"""The loader's bookkeeping: ``load_file`` rows, and what is recorded of a file that is
rejected or whose kind its first value does not tell."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import orjson
import pyarrow as pa

from loaders import detect, sources
from warehouse import backend as backends
from warehouse.load_results import FileResult, conversation_counts, now
from warehouse.tables import tables

#: Bytes of a rejected file's beginning kept as its ``load_rejection.raw``.
RAW_HEAD_BYTES = 64 * 1024


def insert_load_file(backend: backends.Backend, result: FileResult) -> None:
    """The ``load_file`` row of one file (see :func:`insert_load_files`)."""
    insert_load_files(backend, [result])


@cache
def _bookkeeping_schema(name: str) -> pa.Schema:
    """The Arrow schema of a bookkeeping table (``warehouse.tables``), its times to the
    microsecond, as the clock gives them (exports' times are milliseconds)."""
    schema = tables()[name].schema
    for i, f in enumerate(schema):
        if pa.types.is_timestamp(f.type):
            schema = schema.set(i, pa.field(f.name, pa.timestamp("us")))
    return schema


def insert_load_files(backend: backends.Backend, results: list[FileResult]) -> None:
    """The ``load_file`` rows of ``results``, staged as one Arrow table and inserted by one
    statement: a statement per file cost ~1.3 ms while the parsing processes kept the cores
    busy, and DuckDB binds a VALUES list's parameters at ~1 ms a row (3 s of a load of
    3,000 one-record files)."""
    finished = now()
    rows = []
    for result in results:
        c = result.counts
        detail = {
            "data_type": result.data_type,
            "conversations": conversation_counts(c),
            "rows": dict(sorted(c.rows.items())),
            "warning_samples": c.warning_samples,
        }
        if result.meta_data is not None:
            detail["meta_data"] = result.meta_data
        rows.append(
            (
                result.load_id,
                result.path,
                result.sha256,
                result.size_bytes,
                result.kind,
                result.status,
                c.records_seen,
                c.records_loaded,
                c.rejected,
                c.warnings,
                result.started_at,
                finished,
                result.error,
                orjson.dumps(detail).decode(),
            )
        )
    if not rows:
        return
    schema = _bookkeeping_schema("load_file")
    columns = dict(zip(schema.names, map(list, zip(*rows, strict=True)), strict=True))
    relation = backend.stage("load_file", pa.Table.from_pydict(columns, schema=schema))
    names = ", ".join(schema.names)
    backend.execute(f"INSERT INTO load_file ({names}) SELECT {names} FROM {relation}")
    backend.unstage(relation)


#: Values a file whose first value is undecided gets looked at (see :func:`second_look`).
SECOND_LOOK_VALUES = 100


def second_look(path: Path, max_record_bytes: int) -> detect.Detected | None:
    """Conversations, when a file's first value says nothing but one of the next few is a
    conversation page or record: a damaged first record of a JSON Lines export must not
    cost the file its other records (the first is then rejected alone, as any bad record).
    Detection itself decides on the first value only."""
    try:
        values = sources.iter_json_values(path, max_record_bytes)
        for count, (_, value) in enumerate(values):
            if count >= SECOND_LOOK_VALUES:
                break
            if isinstance(value, dict) and (
                "conversationHistoryRecords" in value or detect.RECORD_KEYS & value.keys()
            ):
                return detect.Detected(detect.CONVERSATIONS)
    except sources.InputError:
        return None  # unreadable further on: the file is rejected as unknown, as before
    return None


def raw_head(path: str) -> str | None:
    """The beginning of a rejected file, as text, for ``load_rejection.raw``."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(RAW_HEAD_BYTES)
    except OSError:
        return None
    if head[:2] == b"\x1f\x8b":
        try:
            with sources.open_bytes(Path(path)) as stream:
                head = stream.read(RAW_HEAD_BYTES)
        except Exception:  # noqa: BLE001 - a broken gzip still gets its compressed head recorded
            pass
    return head.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
