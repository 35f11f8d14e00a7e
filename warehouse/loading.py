"""Loading files into the warehouse: the orchestration behind ``lpwh load``.

For each file: skip it if a file with the same SHA-256 was already loaded (unless
``force``), detect its kind from its content, and write everything it holds in
ONE transaction — so a file is loaded whole or not at all. A file that cannot be
read is rejected whole and recorded in ``load_file`` and ``load_rejection``; the
other files still load. Records that cannot be loaded (no conversation id, an
unknown SDE type, an unknown body type) go to ``load_rejection`` with their raw
text while the rest of the file loads.
"""

from __future__ import annotations

import os
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from loaders import detect, sources
from loaders.records import ParsedRecord, Rejected
from warehouse import backend as backends
from warehouse import db
from warehouse.writer import FileCounts, FileWriter, purge_stale

CHUNK_RECORDS = 2000
RAW_HEAD_BYTES = 64 * 1024
DONE_STATUSES = ("loaded", "listing", "unsupported")


@dataclass
class FileResult:
    """What happened to one file."""

    path: str
    status: str  # loaded, skipped, listing, unsupported, rejected
    kind: str | None = None
    data_type: str | None = None
    load_id: int | None = None
    sha256: str | None = None
    size_bytes: int | None = None
    error: str | None = None
    counts: FileCounts = field(default_factory=FileCounts)

    def to_dict(self) -> dict[str, Any]:
        c = self.counts
        return {
            "path": self.path,
            "status": self.status,
            "kind": self.kind,
            "data_type": self.data_type,
            "load_id": self.load_id,
            "sha256": self.sha256,
            "size_bytes": self.size_bytes,
            "error": self.error,
            "records_seen": c.records_seen,
            "records_loaded": c.records_loaded,
            "records_rejected": c.records_rejected,
            "warnings": c.warnings,
            "conversations": {
                "inserted": c.inserted,
                "updated": c.updated,
                "unchanged": c.unchanged,
                "older": c.older,
            },
            "rows": dict(sorted(c.rows.items())),
            "rejections": [asdict(r) | {"raw": None} for r in c.rejections],
            "warning_samples": list(c.warning_samples),
        }


@dataclass
class LoadSummary:
    """The outcome of one ``load`` call."""

    database: str
    files: list[FileResult] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        """Whether anything (a file, a record, an SDE event, a body) was rejected."""
        return any(f.status == "rejected" or f.counts.rejections for f in self.files)

    def totals(self) -> dict[str, Any]:
        statuses = Counter(f.status for f in self.files)
        rows: Counter = Counter()
        for f in self.files:
            rows.update(f.counts.rows)
        return {
            "files": len(self.files),
            "files_by_status": dict(sorted(statuses.items())),
            "conversations_inserted": sum(f.counts.inserted for f in self.files),
            "conversations_updated": sum(f.counts.updated for f in self.files),
            "conversations_unchanged": sum(f.counts.unchanged for f in self.files),
            "conversations_older_ignored": sum(f.counts.older for f in self.files),
            "records_seen": sum(f.counts.records_seen for f in self.files),
            "records_rejected": sum(
                len(f.counts.rejections) for f in self.files if f.status != "rejected"
            ),
            "warnings": sum(f.counts.warnings for f in self.files),
            "rows": dict(sorted(rows.items())),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "ok": not self.rejected,
            "totals": self.totals(),
            "files": [f.to_dict() for f in self.files],
        }


Progress = Callable[[FileResult | None, int], None]


def load(
    paths: Iterable[str | os.PathLike],
    url: str | None = None,
    *,
    force: bool = False,
    chunk_records: int = CHUNK_RECORDS,
    on_progress: Progress | None = None,
) -> LoadSummary:
    """Load files, directories and globs into the warehouse at ``url``.

    ``url`` is resolved like ``--db`` (``LPWH_DATABASE_URL``, then
    ``./warehouse.duckdb``); an empty database is migrated first. ``on_progress``
    is called with ``(None, records)`` as records are written and with
    ``(result, 0)`` when a file is done.
    """
    from warehouse import migrate

    url = db.resolve_url(url)
    files = sources.expand_paths([str(p) for p in paths])
    if migrate.current_revision(url) != migrate.head_revision():
        migrate.upgrade(url)
    summary = LoadSummary(database=db.redact(url))
    backend = backends.connect(url)
    try:
        if backend.dialect == "duckdb":
            purge_stale(backend)  # finish a replacement a crash may have interrupted
        for path in files:
            result = _load_one(
                backend, path, force=force, chunk_records=chunk_records, on_progress=on_progress
            )
            summary.files.append(result)
            if on_progress:
                on_progress(result, 0)
    finally:
        backend.close()
    return summary


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _load_one(
    backend: backends.Backend,
    path: Path,
    *,
    force: bool,
    chunk_records: int,
    on_progress: Progress | None,
) -> FileResult:
    result = FileResult(path=str(path), status="loading")
    try:
        result.size_bytes = path.stat().st_size
        result.sha256 = sources.sha256_of(path)
    except OSError as exc:
        return _reject_unreadable(backend, result, f"cannot read {path}: {exc}")
    if not force and backends.scalar(
        backend,
        "SELECT load_id FROM load_file WHERE sha256 = ? AND status IN (?, ?, ?) LIMIT 1",
        [result.sha256, *DONE_STATUSES],
    ):
        result.status = "skipped"
        return result

    result.load_id = backend.next_load_id()
    backend.execute(
        "INSERT INTO load_file (load_id, path, sha256, size_bytes, status, records_seen, "
        "records_loaded, records_rejected, warnings, started_at) "
        "VALUES (?, ?, ?, ?, 'loading', 0, 0, 0, 0, ?)",
        [result.load_id, result.path, result.sha256, result.size_bytes, _now()],
    )
    try:
        detected = detect.detect_kind(path)
    except sources.InputError as exc:
        return _reject_file(backend, result, exc.position, str(exc))
    result.kind = detected.kind
    result.data_type = getattr(detected, "data_type", None)

    if detected.kind == "listing":
        return _finish_without_data(backend, result, "listing")
    if detected.kind == "data_access":
        return _finish_without_data(
            backend,
            result,
            "unsupported",
            f"Data Access data type {result.data_type!r} is not loaded",
        )
    if detected.kind not in ("conversations", "web_session"):
        return _reject_file(
            backend, result, "byte 0", f"{path}: not a LivePerson export this loader knows"
        )

    writer = FileWriter(backend, result.load_id)
    backend.begin()
    try:
        backend.lock_for_load()
        for chunk in _chunks(_records(path, detected.kind), chunk_records):
            writer.write(chunk)
            if on_progress:
                on_progress(None, len(chunk))
        writer.finish()
        result.counts = writer.counts
        _write_rejections(writer, result)
        result.status = "loaded"
        _update_load_file(backend, result)
        backend.commit()
    except sources.InputError as exc:
        backend.rollback()
        return _reject_file(backend, result, exc.position, str(exc))
    except Exception as exc:  # noqa: BLE001 - no input may crash the loader; the file is rejected
        backend.rollback()
        detail = "".join(traceback.format_exception_only(exc)).strip()
        return _reject_file(
            backend, result, None, f"{path}: internal error while loading: {detail}"
        )
    if backend.dialect == "duckdb":
        backend.begin()
        purge_stale(backend)
        backend.commit()
    return result


def _records(path: Path, kind: str) -> Iterator[ParsedRecord | Rejected]:
    """Parsed records of a file of a known kind, streamed."""
    if kind == "conversations":
        from loaders import conversations

        for position, value in sources.iter_json_values(path):
            if not isinstance(value, dict):
                yield Rejected(position, "not a JSON object", _raw_text(value))
                continue
            for record_position, record in conversations.iter_conversation_records(value, position):
                yield conversations.parse_conversation(record, record_position)
    else:
        from loaders import web_sessions

        yield from web_sessions.iter_web_records(path)


def _chunks(items: Iterator, size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _raw_text(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return repr(value)


def _write_rejections(writer: FileWriter, result: FileResult) -> None:
    rows = [
        {
            "load_id": result.load_id,
            "ordinal": i,
            "path": result.path,
            "position": r.position,
            "reason": r.reason,
            "raw": r.raw,
        }
        for i, r in enumerate(result.counts.rejections)
    ]
    if rows:
        writer._insert("load_rejection", rows)
        result.counts.rows.pop("load_rejection", None)


def _update_load_file(backend: backends.Backend, result: FileResult) -> None:
    c = result.counts
    detail = {
        "data_type": result.data_type,
        "conversations": {
            "inserted": c.inserted,
            "updated": c.updated,
            "unchanged": c.unchanged,
            "older": c.older,
        },
        "rows": dict(sorted(c.rows.items())),
        "warning_samples": c.warning_samples,
    }
    backend.execute(
        "UPDATE load_file SET kind = ?, status = ?, records_seen = ?, records_loaded = ?, "
        "records_rejected = ?, warnings = ?, finished_at = ?, error = ?, detail = ? "
        "WHERE load_id = ?",
        [
            result.kind,
            result.status,
            c.records_seen,
            c.records_loaded,
            len(c.rejections),
            c.warnings,
            _now(),
            result.error,
            orjson.dumps(detail).decode(),
            result.load_id,
        ],
    )


def _finish_without_data(
    backend: backends.Backend, result: FileResult, status: str, note: str | None = None
) -> FileResult:
    result.status = status
    result.error = note
    _update_load_file(backend, result)
    return result


def _raw_head(path: str) -> str | None:
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


def _reject_file(
    backend: backends.Backend, result: FileResult, position: str | None, reason: str
) -> FileResult:
    """Record a file rejected whole: nothing of it was written."""
    result.status = "rejected"
    result.error = reason
    result.counts = FileCounts(rejections=[Rejected(position or "file", reason, None)])
    backend.begin()
    _update_load_file(backend, result)
    backend.execute(
        "INSERT INTO load_rejection (load_id, ordinal, path, position, reason, raw) "
        "VALUES (?, 0, ?, ?, ?, ?)",
        [result.load_id, result.path, position, reason, _raw_head(result.path)],
    )
    backend.commit()
    return result


def _reject_unreadable(backend: backends.Backend, result: FileResult, reason: str) -> FileResult:
    result.load_id = backend.next_load_id()
    backend.execute(
        "INSERT INTO load_file (load_id, path, status, records_seen, records_loaded, "
        "records_rejected, warnings, started_at) VALUES (?, ?, 'rejected', 0, 0, 1, 0, ?)",
        [result.load_id, result.path, _now()],
    )
    return _reject_file(backend, result, None, reason)
