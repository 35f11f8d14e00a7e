"""The writer shared by every loader: parsed rows → the warehouse, in bulk, by the upsert rules.

One ``FileWriter`` writes one input file inside one transaction, in chunks of
records. Each chunk becomes one Arrow table per warehouse table, staged on the
connection and written with set-based SQL:

- conversations: a record replaces the stored conversation when its
  ``(version, digest)`` is greater or equal (an older record changes nothing);
  the conversation row and the "mid" tables (rows that others reference) are
  upserted in place, leaf rows are deleted and re-inserted, and mid rows the new
  record no longer has are removed — at once on PostgreSQL; on DuckDB (which
  cannot delete a referenced parent in the transaction that deleted its
  children) they are marked ``load_id = -1`` and purged right after commit, and
  again at the start of every load should a crash come between;
- web-session facts: inserted once (``ON CONFLICT DO NOTHING``); ``web_session``
  is re-merged from ``web_session_source`` for every visit the file touched.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pyarrow as pa

from loaders.records import ParsedRecord, Rejected
from warehouse.backend import Backend
from warehouse.tables import (
    CONVERSATION,
    WEB_SESSION,
    conversation_leaf_tables,
    conversation_mid_tables,
    tables,
    web_tables,
)

STALE = -1
_EPOCH = datetime(1970, 1, 1)


def to_epoch_ms(value: datetime | None) -> int | None:
    """A naive UTC timestamp read back from the database, as epoch milliseconds."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.replace(tzinfo=None) - value.utcoffset()
    return (value - _EPOCH) // timedelta(milliseconds=1)


def _q(name: str) -> str:
    return f'"{name}"'


def _cols(columns) -> str:
    return ", ".join(_q(c) for c in columns)


@dataclass
class FileCounts:
    """What writing one file did."""

    records_seen: int = 0
    records_loaded: int = 0
    records_rejected: int = 0
    warnings: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    older: int = 0
    rows: Counter = field(default_factory=Counter)
    warning_samples: list[str] = field(default_factory=list)
    rejections: list[Rejected] = field(default_factory=list)


def arrow_table(name: str, rows: list[dict]) -> pa.Table:
    """Rows (dicts keyed by column name) → an Arrow table with the table's full schema."""
    schema = tables()[name].schema
    return pa.Table.from_pylist(rows, schema=schema)


def dedupe(name: str, rows: list[dict]) -> list[dict]:
    """Keep the last row of each primary key: PostgreSQL refuses the same key twice in one
    INSERT … ON CONFLICT, and DuckDB would silently keep an arbitrary one."""
    key = tables()[name].primary_key
    seen: dict[tuple, dict] = {}
    for row in rows:
        seen[tuple(row.get(k) for k in key)] = row
    return list(seen.values()) if len(seen) != len(rows) else rows


class FileWriter:
    """Writes the parsed records of one file, in chunks, inside the caller's transaction."""

    MAX_WARNING_SAMPLES = 20

    def __init__(self, backend: Backend, load_id: int) -> None:
        self.backend = backend
        self.load_id = load_id
        self.counts = FileCounts()
        self.touched_visits: set[str] = set()

    # -- entry points -------------------------------------------------------------------------

    def write(self, items: list[ParsedRecord | Rejected]) -> None:
        """Write one chunk: conversation records, web bodies and rejections, in that order."""
        conversations: dict[str, ParsedRecord] = {}
        web: list[ParsedRecord] = []
        for item in items:
            self.counts.records_seen += 1
            if isinstance(item, Rejected):
                self.counts.records_rejected += 1
                self.counts.rejections.append(item)
                continue
            self._note_warnings(item)
            self.counts.rejections.extend(item.rejections)
            if item.kind == "conversation":
                self.counts.records_loaded += 1
                previous = conversations.get(item.key)
                # The same conversation twice in one chunk: the newer version wins.
                if previous is None or _rank(item) >= _rank(previous):
                    conversations[item.key] = item
            else:
                self.counts.records_loaded += 1
                web.append(item)
        if conversations:
            self._write_conversations(list(conversations.values()))
        if web:
            self._write_web(web)

    def finish(self) -> None:
        """Work that needs the whole file: merge ``web_session`` for the visits it touched."""
        if self.touched_visits:
            self._merge_web_sessions(sorted(self.touched_visits))

    # -- conversations ------------------------------------------------------------------------

    def _write_conversations(self, records: list[ParsedRecord]) -> None:
        b = self.backend
        keys = arrow_table_of({"conversation_id": [r.key for r in records]})
        rel = b.stage("chunk_keys", keys)
        stored = {
            cid: (to_epoch_ms(version), digest)
            for cid, version, digest in b.fetchall(
                f"SELECT c.conversation_id, c.record_version, c.record_hash FROM conversation c "
                f"JOIN {rel} k ON c.conversation_id = k.conversation_id"
            )
        }
        b.unstage(rel)
        winners: list[ParsedRecord] = []
        replaced: list[str] = []
        for record in records:
            old = stored.get(record.key)
            if old is None:
                self.counts.inserted += 1
                winners.append(record)
                continue
            new_rank, old_rank = _rank(record), (_version_or_min(old[0]), old[1] or "")
            if new_rank == old_rank:
                self.counts.unchanged += 1
            elif new_rank > old_rank:
                self.counts.updated += 1
                winners.append(record)
                replaced.append(record.key)
            else:
                self.counts.older += 1
        if not winners:
            return

        rows: dict[str, list[dict]] = defaultdict(list)
        for record in winners:
            for name, table_rows in record.tables.items():
                rows[name].extend(table_rows)
            conversation_row = rows[CONVERSATION][-1]
            conversation_row["record_version"] = record.version
            conversation_row["record_hash"] = record.digest
        for name in (CONVERSATION, *conversation_mid_tables()):
            if tables()[name].has("load_id"):
                for row in rows.get(name, ()):
                    row["load_id"] = self.load_id

        self._upsert(CONVERSATION, rows.pop(CONVERSATION))
        if replaced:
            self._delete_leaves(replaced)
        for name in conversation_mid_tables():
            self._upsert(name, rows.pop(name, []))
        if replaced:
            self._retire_stale_mids(replaced)
        for name in conversation_leaf_tables():
            table_rows = rows.pop(name, [])
            if table_rows:
                self._insert(name, table_rows)
        if rows:
            raise ValueError(f"parser produced rows for unexpected tables: {sorted(rows)}")

    def _delete_leaves(self, conversation_ids: list[str]) -> None:
        b = self.backend
        rel = b.stage("replaced", arrow_table_of({"conversation_id": conversation_ids}))
        in_keys = f"IN (SELECT conversation_id FROM {rel})"
        for name in conversation_leaf_tables():
            info = tables()[name]
            if info.has("conversation_id"):
                b.execute(f"DELETE FROM {_q(name)} WHERE conversation_id {in_keys}")
            else:  # a child of an SDE event: find it through its event
                b.execute(
                    f"DELETE FROM {_q(name)} WHERE sde_id IN "
                    f"(SELECT sde_id FROM {_q(info.parent)} WHERE conversation_id {in_keys})"
                )
        b.unstage(rel)

    def _retire_stale_mids(self, conversation_ids: list[str]) -> None:
        """Mid rows of replaced conversations that the new records no longer have.

        Each mid table's new rows are still staged by the ``_upsert`` just before; a row
        of a replaced conversation that is not among them is stale.
        """
        b = self.backend
        rel = b.stage("replaced", arrow_table_of({"conversation_id": conversation_ids}))
        for name in conversation_mid_tables():
            match = " AND ".join(
                f"n.{_q(k)} = {_q(name)}.{_q(k)}" for k in tables()[name].primary_key
            )
            condition = (
                f"conversation_id IN (SELECT conversation_id FROM {rel}) "
                f"AND NOT EXISTS (SELECT 1 FROM {_q('_stage_' + name)} n WHERE {match})"
            )
            if b.dialect == "postgresql":
                b.execute(f"DELETE FROM {_q(name)} WHERE {condition}")
            else:
                b.execute(f"UPDATE {_q(name)} SET load_id = {STALE} WHERE {condition}")
        b.unstage(rel)

    # -- web sessions -------------------------------------------------------------------------

    def _write_web(self, records: list[ParsedRecord]) -> None:
        rows: dict[str, list[dict]] = defaultdict(list)
        for record in records:
            for name, table_rows in record.tables.items():
                rows[name].extend(table_rows)
        visits = set()
        for table_rows in rows.values():
            for row in table_rows:
                visit = row.get("visit_id")
                if visit is not None:
                    visits.add(visit)
        for name in web_tables():
            if tables()[name].has("load_id"):
                for row in rows.get(name, ()):
                    row["load_id"] = self.load_id
        if visits:
            self._insert(WEB_SESSION, [{"visit_id": v} for v in sorted(visits)], on_conflict=True)
        for name in web_tables():
            table_rows = rows.pop(name, [])
            if table_rows:
                self._insert(name, table_rows, on_conflict=True)
        if rows:
            raise ValueError(f"parser produced rows for unexpected tables: {sorted(rows)}")
        self.touched_visits |= visits

    def _merge_web_sessions(self, visits: list[str]) -> None:
        """Re-derive ``web_session`` rows from every file's ``web_session_source`` rows."""
        b = self.backend
        info = tables()[WEB_SESSION]
        source_cols = [c for c in info.columns if c != "visit_id"]
        rel = b.stage("visits", arrow_table_of({"visit_id": visits}))
        fetched = b.fetchall(
            f"SELECT s.visit_id, {', '.join('s.' + _q(c) for c in source_cols)} "
            f"FROM web_session_source s JOIN {rel} v ON s.visit_id = v.visit_id"
        )
        b.unstage(rel)
        by_visit: dict[str, list[tuple]] = defaultdict(list)
        for row in fetched:
            by_visit[row[0]].append(row[1:])
        merged = [merge_session_sources(v, source_cols, by_visit.get(v, [])) for v in visits]
        self._upsert(WEB_SESSION, merged)

    # -- statements ---------------------------------------------------------------------------

    def _stage(self, name: str, rows: list[dict]) -> str:
        self.counts.rows[name] += len(rows)
        return self.backend.stage(name, arrow_table(name, rows))

    def _insert(self, name: str, rows: list[dict], *, on_conflict: bool = False) -> None:
        info = tables()[name]
        rows = dedupe(name, rows)
        rel = self._stage(name, rows)
        conflict = f" ON CONFLICT ({_cols(info.primary_key)}) DO NOTHING" if on_conflict else ""
        self.backend.execute(
            f"INSERT INTO {_q(name)} ({_cols(info.columns)}) "
            f"SELECT {_cols(info.columns)} FROM {rel}{conflict}"
        )

    def _upsert(self, name: str, rows: list[dict]) -> None:
        info = tables()[name]
        rows = dedupe(name, rows)
        rel = self._stage(name, rows)
        if not rows:
            return
        updates = ", ".join(f"{_q(c)} = excluded.{_q(c)}" for c in info.update_columns)
        self.backend.execute(
            f"INSERT INTO {_q(name)} ({_cols(info.columns)}) "
            f"SELECT {_cols(info.columns)} FROM {rel} "
            f"ON CONFLICT ({_cols(info.primary_key)}) DO UPDATE SET {updates}"
        )

    def _note_warnings(self, record: ParsedRecord) -> None:
        if not record.warnings:
            return
        self.counts.warnings += len(record.warnings)
        room = self.MAX_WARNING_SAMPLES - len(self.counts.warning_samples)
        if room > 0:
            self.counts.warning_samples.extend(
                f"{record.position}: {w}" for w in record.warnings[:room]
            )


def purge_stale(backend: Backend) -> None:
    """Delete mid rows retired by an earlier transaction (DuckDB's two-step replacement)."""
    for name in conversation_mid_tables():
        backend.execute(f"DELETE FROM {_q(name)} WHERE load_id = {STALE}")


def arrow_table_of(columns: dict[str, list]) -> pa.Table:
    """A small ad-hoc Arrow table of text columns (key lists for staging)."""
    return pa.table({k: pa.array(v, pa.large_string()) for k, v in columns.items()})


def merge_session_sources(visit_id: str, columns: list[str], sources: list[tuple]) -> dict:
    """Merge what several files said about one visit.

    For every field, the non-null value from the source with the latest
    ``source_time`` wins (a null never erases a value); ties between different values
    are broken by the value itself so that the result never depends on load order.
    ``first_fact_time`` is the earliest, ``source_time`` the latest of all sources.
    """
    row: dict[str, Any] = {"visit_id": visit_id}
    idx = {c: i for i, c in enumerate(columns)}
    times = [s[idx["source_time"]] for s in sources]
    for column in columns:
        values = [(t, s[idx[column]]) for t, s in zip(times, sources, strict=True)]
        values = [(t, v) for t, v in values if v is not None]
        if not values:
            row[column] = None
        elif column == "first_fact_time":
            row[column] = min(v for _, v in values)
        elif column == "source_time":
            row[column] = max(v for _, v in values)
        else:
            row[column] = max(values, key=lambda tv: (_sortable_time(tv[0]), _sortable(tv[1])))[1]
    for column in columns:
        if isinstance(row[column], datetime):
            row[column] = to_epoch_ms(row[column])
    return row


def _sortable_time(value: datetime | None) -> int:
    return to_epoch_ms(value) if value is not None else -(2**62)


def _sortable(value: Any) -> tuple:
    if isinstance(value, datetime | date):
        return (1, value.isoformat())
    return (0, str(value))


def _version_or_min(version: int | None) -> int:
    return version if version is not None else -(2**62)


def _rank(record: ParsedRecord) -> tuple[int, str]:
    """Order of two records of one conversation: version first, then digest (a tie-break
    that makes equal-version records give the same warehouse in any load order)."""
    return (_version_or_min(record.version), record.digest or "")
