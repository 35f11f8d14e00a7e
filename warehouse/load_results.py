"""What a load did: per file (:class:`FileResult`) and in all (:class:`LoadSummary`).

``lpwh load`` prints these (``warehouse.load_report``) and ``warehouse.load`` returns
them; ``load_file`` rows are written from them (``warehouse.load_bookkeeping``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from warehouse.writer import FileCounts


def conversation_counts(c: FileCounts) -> dict[str, int]:
    """A file's conversations inserted, updated, unchanged and older (ignored)."""
    return {
        "inserted": c.inserted,
        "updated": c.updated,
        "unchanged": c.unchanged,
        "older": c.older,
    }


@dataclass
class FileResult:
    """What happened to one file."""

    path: str
    status: str  # loaded, skipped, listing, unsupported, rejected
    kind: str | None = None
    data_type: str | None = None
    #: A Data Access file's own ``metaData`` (accountId, startTime, endTime, schemaVersion,
    #: …), Avro unions unwrapped, when it comes before the file's records.
    meta_data: dict | None = None
    load_id: int | None = None
    sha256: str | None = None
    size_bytes: int | None = None
    error: str | None = None
    counts: FileCounts = field(default_factory=FileCounts)
    started_at: datetime = field(default_factory=lambda: now())
    #: The file's own path where ``path`` (printable) had to spell a name that is not UTF-8.
    source: str | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        c = self.counts
        return {
            "path": self.path,
            "status": self.status,
            "kind": self.kind,
            "data_type": self.data_type,
            "meta_data": self.meta_data,
            "load_id": self.load_id,
            "sha256": self.sha256,
            "size_bytes": self.size_bytes,
            "error": self.error,
            "records_seen": c.records_seen,
            "records_loaded": c.records_loaded,
            # As load_file.records_rejected and the table's "rejected": the file's rows in
            # load_rejection (a record, an SDE event or body alone, or the whole file).
            "records_rejected": c.rejected,
            "warnings": c.warnings,
            "conversations": conversation_counts(c),
            "rows": dict(sorted(c.rows.items())),
            # The first rejections.SAMPLES (load_rejection has every one, with its raw text).
            "rejections": [asdict(r) for r in c.rejections],
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
        return any(f.status == "rejected" or f.counts.rejected for f in self.files)

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
                f.counts.rejected for f in self.files if f.status != "rejected"
            ),
            # Every row written to load_rejection, files rejected whole included.
            "rejections": sum(f.counts.rejected for f in self.files),
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


def again(result: FileResult) -> FileResult:
    """A file's result as before its (rolled back) transaction: to be loaded again."""
    return FileResult(
        path=result.path,
        source=result.source,
        status="loading",
        kind=result.kind,
        data_type=result.data_type,
        sha256=result.sha256,
        size_bytes=result.size_bytes,
    )


def now() -> datetime:
    """The time now, UTC, naive (as the bookkeeping columns hold it)."""
    return datetime.now(UTC).replace(tzinfo=None)
