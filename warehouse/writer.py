"""The writer shared by every loader: parsed batches → the warehouse, by the upsert rules.

A ``BatchWriter`` writes columnar batches (``loaders.batch.ParsedBatch``) inside the
caller's transaction. Each table of a batch is staged on the connection (an Arrow
table registered on DuckDB, a COPY-filled temporary table on PostgreSQL) and
written with one set-based statement:

- conversations: a record replaces the stored conversation when its
  ``(version, digest)`` is greater or equal (an older record changes nothing; the
  digest only breaks ties, so that equal versions give the same warehouse in any
  load order). A conversation new to the warehouse is appended with all its rows. Of
  a replaced one, the conversation row and the "mid" tables (rows that others
  reference) are upserted in place, leaf rows are deleted and re-inserted, and mid
  rows the new record no longer has are removed — at once on PostgreSQL; on DuckDB,
  which cannot delete a referenced parent in the transaction that deleted its
  children, they are marked ``load_id = -1`` and purged right after the commit (and
  at the start of every load, should a crash come between);
- web-session facts: inserted once (``ON CONFLICT DO NOTHING``); ``web_session`` is
  re-merged from ``web_session_source`` for every visit written, by ``finish()``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc

from loaders.batch import REC, ParsedBatch, batch_schema, build_batch
from loaders.records import ParsedRecord, Rejected
from warehouse.backend import Backend
from warehouse.rejections import RejectionLog, keep_samples
from warehouse.tables import (
    CONVERSATION,
    WEB_SESSION,
    conversation_leaf_tables,
    conversation_mid_tables,
    tables,
    web_tables,
)

STALE = -1
#: Visits whose ``web_session`` rows are merged by one statement.
MERGE_VISITS = 20_000
_MERGED = "_lpwh_merged_web_session"
_NO_TIME = "TIMESTAMP '0001-01-01 00:00:00'"  # ranks a source without a time below any other
_EPOCH = datetime(1970, 1, 1)
_MIN_RANK = -(2**62)


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
    """What loading one file did."""

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
    #: Rows in ``load_rejection`` (a record, an SDE event or body alone, or the whole file).
    rejected: int = 0
    #: The first of them (``warehouse.rejections.SAMPLES``), without their raw text.
    rejections: list[Rejected] = field(default_factory=list)

    def add_parse(self, batch: ParsedBatch) -> None:
        """Count what parsing found: records, rejections, warnings."""
        self.records_seen += batch.records_seen
        self.records_loaded += len(batch.metas)
        self.records_rejected += batch.records_seen - len(batch.metas)
        keep_samples(self.rejections, batch.rejections)
        self.rejected += len(batch.rejections)
        self.warnings += batch.warnings
        room = 20 - len(self.warning_samples)
        if room > 0:
            self.warning_samples.extend(batch.warning_samples[:room])


def arrow_table_of(columns: dict[str, list]) -> pa.Table:
    """A small ad-hoc Arrow table of text columns (key lists for staging)."""
    return pa.table({k: pa.array(v, pa.large_string()) for k, v in columns.items()})


def _rank(version: int | None, digest: str | None) -> tuple[int, str]:
    """Order of two records of one conversation: version first, then digest."""
    return (version if version is not None else _MIN_RANK, digest or "")


class BatchWriter:
    """Writes batches inside the caller's transaction; counts what it did per load id."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.counts: dict[int, FileCounts] = defaultdict(FileCounts)
        self.touched_visits: set[str] = set()
        self.retired_rows = False
        self.rejections = RejectionLog(backend)

    def add_parse(self, load_id: int, batch: ParsedBatch) -> None:
        """Count what parsing found of the file ``load_id`` in ``batch``, and set its
        rejections aside for :meth:`write_rejections`."""
        counts = self.counts[load_id]
        self.rejections.add(load_id, counts.rejected, batch.rejections)
        counts.add_parse(batch)

    def write_rejections(self, load_ids: list[int]) -> None:
        """The rejections of the files ``load_ids`` into ``load_rejection``, once those files'
        ``load_file`` rows are written."""
        self.rejections.write(load_ids)

    # -- entry points -------------------------------------------------------------------------

    def write(self, batch: ParsedBatch, load_ids: list[int]) -> None:
        """Write a batch; ``load_ids[i]`` is the load (file) of ``batch.metas[i]``."""
        conversation_recs = [i for i, m in enumerate(batch.metas) if m.kind == "conversation"]
        web_recs = [i for i, m in enumerate(batch.metas) if m.kind != "conversation"]
        if conversation_recs:
            self._write_conversations(batch, conversation_recs, load_ids)
        if web_recs:
            self._write_web(batch, web_recs, load_ids)
        self.backend.bound_memory()

    def finish(self) -> None:
        """Before commit: merge ``web_session`` for the visits written since the last finish."""
        visits = sorted(self.touched_visits)
        # In slices: the merge's aggregate is held in memory (a big file touches 100,000s).
        for start in range(0, len(visits), MERGE_VISITS):
            self._merge_web_sessions(visits[start : start + MERGE_VISITS])
        self.touched_visits.clear()

    # -- conversations ------------------------------------------------------------------------

    def _write_conversations(
        self, batch: ParsedBatch, recs: list[int], load_ids: list[int]
    ) -> None:
        b = self.backend
        metas = batch.metas
        keys = list(dict.fromkeys(metas[i].key for i in recs))
        rel = b.stage("chunk_keys", arrow_table_of({"conversation_id": keys}))
        stored = {
            cid: _rank(to_epoch_ms(version), digest)
            for cid, version, digest in b.fetchall(
                f"SELECT c.conversation_id, c.record_version, c.record_hash FROM conversation c "
                f"JOIN {rel} k ON c.conversation_id = k.conversation_id"
            )
        }
        b.unstage(rel)
        # Records are counted as if written one by one, in the order of the input: against
        # the stored version and the records before them (so a file's counts do not depend
        # on which other files share its batch). The newest of each conversation is written.
        current = dict(stored)
        best: dict[str, int] = {}
        advanced: list[int] = []  # records inserted or updated, superseded in the batch or not
        for i in recs:
            key = metas[i].key
            rank = _rank(metas[i].version, metas[i].digest)
            before = current.get(key)
            counts = self.counts[load_ids[i]]
            if before is None:
                counts.inserted += 1
            elif rank > before:
                counts.updated += 1
            elif rank == before:
                counts.unchanged += 1
                continue
            else:
                counts.older += 1
                continue
            current[key] = rank
            best[key] = i
            advanced.append(i)
        winners = list(best.values())
        replaced = [key for key in best if key in stored]
        if not winners:
            return

        written = {
            name: table
            for name, table in batch.tables.items()
            if name == CONVERSATION
            or name in conversation_leaf_tables()
            or name in conversation_mid_tables()
        }
        replaced_recs = [best[key] for key in replaced]
        self._stage_records(winners, load_ids, replaced_recs, counted=advanced)
        self._write_parent(CONVERSATION, written.pop(CONVERSATION), bool(replaced))
        if replaced:
            self._delete_leaves(replaced)
        for name in conversation_mid_tables():
            self._write_parent(name, written.pop(name, None), bool(replaced))
        if replaced:
            self._retire_stale_mids(replaced)
        for name in conversation_leaf_tables():
            table = written.pop(name, None)
            if table is not None and table.num_rows:
                self._insert(name, table)
        self.backend.unstage(self._records)

    def _stage_records(
        self,
        recs: list[int],
        load_ids: list[int],
        replacing: Iterable[int] = (),
        counted: Iterable[int] | None = None,
    ) -> None:
        """Stage the batch's records to write (``_rec``) with their load id (``_load``);
        ``replacing``: those of them that replace a stored conversation; ``counted``: the
        records whose rows count as written (default ``recs``; with the conversations a
        newer one replaced in the batch, as if the records were written one by one).

        Statements select their rows through this relation: the rows of records that lost
        to a newer one are left out, and ``load_id`` filled, by the database's join, which
        costs less than copying the Arrow tables to filter them here."""
        loads = [load_ids[i] for i in recs]
        by_rec: list[int | None] = [None] * len(load_ids)
        for i, load in zip(recs, loads, strict=True):
            by_rec[i] = load
        self._load_by_rec = pa.array(by_rec, pa.int64())
        self._record_loads = set(loads)
        count_by_rec: list[int | None] = [None] * len(load_ids)
        for i in recs if counted is None else counted:
            count_by_rec[i] = load_ids[i]
        self._count_by_rec = pa.array(count_by_rec, pa.int64())
        new_by_rec: list[bool | None] = [None if load is None else True for load in by_rec]
        for i in replacing:
            new_by_rec[i] = False
        self._new_by_rec = pa.array(new_by_rec, pa.bool_())
        table = pa.table({REC: pa.array(recs, pa.int32()), "_load": pa.array(loads, pa.int64())})
        self._records = self.backend.stage("records", table)

    def _rows_to_write(self, table: pa.Table, keep_rec: bool = False) -> pa.Table:
        """A batch's table as written: the staged records' rows, with their ``load_id``
        (and ``_rec`` if ``keep_rec``)."""
        loads = pc.take(self._load_by_rec, table.column(REC))
        if loads.null_count:
            keep = pc.is_valid(loads)
            table, loads = table.filter(keep), loads.filter(keep)
        if "load_id" in table.column_names:
            table = table.set_column(table.schema.get_field_index("load_id"), "load_id", loads)
        return table if keep_rec else table.drop_columns([REC])

    def _count_rows(self, name: str, table: pa.Table) -> None:
        """Count the rows of ``table`` written, per load id (see ``_stage_records``)."""
        if table.num_rows == 0:
            return
        loads = pc.take(self._count_by_rec, table.column(REC))
        for item in pc.value_counts(loads).to_pylist():
            if item["values"] is not None:
                self.counts[item["values"]].rows[name] += item["counts"]

    def _among(self, column: str, keys: str) -> str:
        """The condition ``column`` is one of the keys the query ``keys`` selects (a few
        thousand at most: a batch's), for statements that look stored rows up by them.

        On PostgreSQL as ``= ANY (ARRAY(keys))``, which the planner takes for a few keys
        whatever their number, so it looks them up by index. Joined (``IN``), it sized the
        lookup by the column's statistics: on child tables with a few to tens of rows per
        conversation, ANALYZE's sample puts the distinct conversation ids 5-7x too low
        (message_status: 59,404 of 400,000), so a batch's ~1,000 replaced conversations
        seemed to own ~140,000 rows and a seq scan of the whole table won (1.5 s on 8 M
        message statuses at 400,000 conversations, 48 ms by index): the cost of a
        further load grew with the warehouse."""
        if self.backend.dialect == "postgresql":
            return f"{column} = ANY (ARRAY({keys}))"
        return f"{column} IN ({keys})"

    def _delete_leaves(self, conversation_ids: list[str]) -> None:
        b = self.backend
        rel = b.stage("replaced", arrow_table_of({"conversation_id": conversation_ids}), keys=True)
        replaced = f"SELECT conversation_id FROM {rel}"
        for name in conversation_leaf_tables():
            info = tables()[name]
            if info.has("conversation_id"):
                among = self._among("conversation_id", replaced)
                b.execute(f"DELETE FROM {_q(name)} WHERE {among}")
            else:  # a child of an SDE event: found through its event
                events = (
                    f"SELECT sde_id FROM {_q(info.parent)} "
                    f"WHERE {self._among('conversation_id', replaced)}"
                )
                b.execute(f"DELETE FROM {_q(name)} WHERE {self._among('sde_id', events)}")
        b.unstage(rel)

    def _retire_stale_mids(self, conversation_ids: list[str]) -> None:
        """Mid rows of replaced conversations that the new records no longer have.

        Each mid table's new rows are still staged by the ``_upsert`` just before; a row
        of a replaced conversation that is not among them is stale.
        """
        b = self.backend
        rel = b.stage("replaced", arrow_table_of({"conversation_id": conversation_ids}), keys=True)
        for name in conversation_mid_tables():
            match = " AND ".join(
                f"n.{_q(k)} = {_q(name)}.{_q(k)}" for k in tables()[name].primary_key
            )
            condition = (
                f"{self._among('conversation_id', f'SELECT conversation_id FROM {rel}')} "
                f"AND NOT EXISTS (SELECT 1 FROM {_q('_stage_' + name)} n "
                f"JOIN {self._records} r ON n.{REC} = r.{REC} WHERE {match})"
            )
            if b.dialect == "postgresql":
                b.execute(f"DELETE FROM {_q(name)} WHERE {condition}")
            else:
                b.execute(f"UPDATE {_q(name)} SET load_id = {STALE} WHERE {condition}")
                self.retired_rows = True
        b.unstage(rel)

    # -- web sessions -------------------------------------------------------------------------

    def _write_web(self, batch: ParsedBatch, recs: list[int], load_ids: list[int]) -> None:
        written = {name: table for name, table in batch.tables.items() if name in web_tables()}
        unexpected = set(batch.tables) - set(written) - {CONVERSATION}
        unexpected -= set(conversation_leaf_tables()) | set(conversation_mid_tables())
        if unexpected:
            raise ValueError(f"parser produced rows for unexpected tables: {sorted(unexpected)}")
        visits: set[str] = set()
        for table in written.values():
            if "visit_id" in table.column_names:
                visits.update(v for v in pc.unique(table.column("visit_id")).to_pylist() if v)
        self._stage_records(recs, load_ids)
        if visits:
            self._insert_visits(sorted(visits), written)
        for name in web_tables():
            table = written.get(name)
            if table is not None and table.num_rows:
                self._insert_facts(name, table)
        self.backend.unstage(self._records)
        self.touched_visits |= visits

    def _insert_visits(self, visits: list[str], written: dict[str, pa.Table]) -> None:
        """The ``web_session`` rows of visits new to the warehouse (their facts reference
        them; ``finish()`` merges their columns), counted as the rows of the file that
        brought each visit first, as facts are."""
        sessions = arrow_table_of({"visit_id": visits})
        rel = self.backend.stage(WEB_SESSION, _full(WEB_SESSION, sessions))
        insert = (
            f"INSERT INTO web_session (visit_id) SELECT visit_id FROM {rel} "
            "ON CONFLICT (visit_id) DO NOTHING"
        )
        if len(self._record_loads) == 1:
            (load,) = self._record_loads
            inserted = self.backend.execute_count(insert)
            if inserted:
                self.counts[load].rows[WEB_SESSION] += inserted
            return
        new = self.backend.fetchall(f"{insert} RETURNING visit_id")
        if not new:
            return
        seen = pa.concat_tables(
            [
                t.select(["visit_id", REC]).cast(
                    pa.schema([("visit_id", pa.large_string()), (REC, pa.int32())])
                )
                for t in written.values()
                if "visit_id" in t.column_names
            ]
        )
        inserted = pa.table({"visit_id": pa.array([v for (v,) in new], pa.large_string())})
        for load, rows in self._first_loads(inserted, seen, ["visit_id"]).items():
            self.counts[load].rows[WEB_SESSION] += rows

    def _first_loads(self, inserted: pa.Table, staged: pa.Table, keys: list[str]) -> Counter:
        """How many of the ``inserted`` keys each load brought: a key's load is that of its
        first row (least ``_rec``) among the ``staged`` rows."""
        first = staged.select([*keys, REC]).group_by(keys).aggregate([(REC, "min")])
        recs = inserted.join(first, keys=keys).column(f"{REC}_min")
        return Counter(pc.take(self._load_by_rec, recs).to_pylist())

    def _merge_web_sessions(self, visits: list[str]) -> None:
        """Re-derive ``web_session`` rows from every file's ``web_session_source`` rows.

        For every field, the non-null value from the source with the latest
        ``source_time`` wins (a null never erases a value); ties between different values
        are broken by the greatest value (text by code point) so that the result never
        depends on load order. ``first_fact_time`` is the earliest, ``source_time`` the
        latest of all sources. The merge is the database's work (one aggregate over the
        visits' sources), not a round trip of every source row through Python.
        """
        b = self.backend
        info = tables()[WEB_SESSION]

        def merged(column: str) -> str:
            value = f"s.{_q(column)}"
            if column == "first_fact_time":
                return f"min({value})"
            if column == "source_time":
                return f"max({value})"
            if b.dialect == "duckdb":  # one hashed aggregate, where array_agg sorts per column
                rank = f"struct_pack(t := coalesce(s.source_time, {_NO_TIME}), v := {value})"
                return f"arg_max({value}, {rank}) FILTER (WHERE {value} IS NOT NULL)"
            # Code-point order, as DuckDB compares text; PostgreSQL's default is the locale's.
            text = pa.types.is_large_string(info.schema.field(column).type)
            collate = ' COLLATE "C"' if text else ""
            tie = f"{value}{collate} DESC"
            return (
                f"(array_agg({value} ORDER BY coalesce(s.source_time, {_NO_TIME}) DESC, {tie}) "
                f"FILTER (WHERE {value} IS NOT NULL))[1]"
            )

        rel = b.stage("visits", arrow_table_of({"visit_id": visits}), keys=True)
        fields = ", ".join(f"{merged(c)} AS {_q(c)}" for c in info.columns if c != "visit_id")
        # The merged rows are made first: DuckDB updates from a table some 20x faster than
        # from the aggregate itself (whose rows come in hash order).
        if b.dialect == "postgresql":  # by index, whatever the statistics (see _among)
            among = self._among("s.visit_id", f"SELECT visit_id FROM {rel}")
            sources = f"web_session_source s WHERE {among}"
        else:
            sources = f"web_session_source s JOIN {rel} v ON s.visit_id = v.visit_id"
        b.execute(
            f"CREATE TEMP TABLE {_MERGED} AS SELECT s.visit_id, {fields} "
            f"FROM {sources} GROUP BY s.visit_id"
        )
        b.unstage(rel)
        # Every visit written has its row already (_write_web inserts it before its facts,
        # which reference it): an UPDATE, which DuckDB does far faster than an upsert.
        if b.dialect == "duckdb":
            # A column at a time, only where it changes: DuckDB's UPDATE of committed rows
            # costs per column written, and most of a visit's columns stay as they were
            # (0.64-0.68 s -> 0.15-0.21 s for 20,000 visits in 8 files). PostgreSQL writes
            # a new row version per UPDATE: there, one statement.
            for c in info.update_columns:
                b.execute(
                    f"UPDATE web_session SET {_q(c)} = m.{_q(c)} FROM {_MERGED} m "
                    f"WHERE web_session.visit_id = m.visit_id "
                    f"AND web_session.{_q(c)} IS DISTINCT FROM m.{_q(c)}"
                )
        else:  # by index, not a hash join with all of web_session
            updates = ", ".join(f"{_q(c)} = m.{_q(c)}" for c in info.update_columns)
            among = self._among("web_session.visit_id", f"SELECT visit_id FROM {_MERGED}")
            b.execute(
                f"UPDATE web_session SET {updates} FROM {_MERGED} m "
                f"WHERE web_session.visit_id = m.visit_id AND {among}"
            )
        b.execute(f"DROP TABLE {_MERGED}")

    # -- statements ---------------------------------------------------------------------------

    def _source(
        self, name: str, table: pa.Table, counted: bool = False, with_rec: bool = False
    ) -> str:
        """Stage ``table`` and return the SQL source of its rows to write, with every column
        of the warehouse table (and ``_rec`` if ``with_rec``): for a batch's table (it has
        ``_rec``), only the rows of the staged records, with their ``load_id`` (counted
        unless ``counted``); for another table, all of it."""
        info = tables()[name]
        rel = self.backend.stage(name, table)
        if REC not in table.column_names:
            return rel
        if not counted:
            self._count_rows(name, table)
        columns = ", ".join(
            f"r._load AS {_q(c)}" if c == "load_id" else f"s.{_q(c)}" for c in info.columns
        )
        if with_rec:
            columns += f", s.{REC}"
        return f"(SELECT {columns} FROM {rel} s JOIN {self._records} r ON s.{REC} = r.{REC}) AS src"

    def _insert(self, name: str, table: pa.Table, *, counted: bool = False) -> None:
        """Append the rows of the staged records (their keys are new); count them unless
        ``counted``."""
        info = tables()[name]
        if self.backend.copies_into_tables:
            # PostgreSQL: COPY straight into the table saves writing a staging table and
            # reading it back; the rows to keep are picked here instead of by a join.
            if not counted:
                self._count_rows(name, table)
            self.backend.copy_into(name, self._rows_to_write(table))
            return
        if not table.num_rows:
            return
        source = self._source(name, table, counted=counted)
        self.backend.execute(
            f"INSERT INTO {_q(name)} ({_cols(info.columns)}) "
            f"SELECT {_cols(info.columns)} FROM {source}"
        )

    def _insert_facts(self, name: str, table: pa.Table) -> None:
        """Insert the rows whose key is not stored yet (a fact seen before stays as it is)
        and count, per load, the rows inserted: a fact seen again is not written again.

        The same fact twice in the batch (PostgreSQL refuses a key twice in one INSERT): the
        first in the input is kept, so that it is counted for, and its ``load_id`` names, the
        file that brought it first, as if the files were written one by one."""
        info = tables()[name]
        key = _cols(info.primary_key)
        one_load = len(self._record_loads) == 1
        # Each key once in the batch (the common case: a fact is seldom twice in one
        # batch): no row to choose, so no DISTINCT ON (15-20 % of DuckDB's statement), and
        # the rows are staged as written, with their load_id, instead of joined with the
        # staged records (a few ms a statement).
        if _unique_keys(table, info.primary_key):
            source = self.backend.stage(name, self._rows_to_write(table, keep_rec=True))
            select = f"SELECT {_cols(info.columns)} FROM {source} "
        else:
            source = self._source(name, table, counted=True, with_rec=not one_load)
            # A key's rows are the same fact, the same row but for its load_id: within one
            # file's records any of them will do.
            order = "" if one_load else f"ORDER BY {key}, {REC} "
            select = f"SELECT DISTINCT ON ({key}) {_cols(info.columns)} FROM {source} {order}"
        insert = (
            f"INSERT INTO {_q(name)} ({_cols(info.columns)}) {select}ON CONFLICT ({key}) DO NOTHING"
        )
        if one_load:  # the count is enough
            (load,) = self._record_loads
            inserted = self.backend.execute_count(insert)
            if inserted:
                self.counts[load].rows[name] += inserted
            self._merge_visitors(name, table, source, inserted)
            return
        has_load = info.has("load_id")
        returned = self.backend.fetchall(f"{insert} RETURNING {'load_id' if has_load else key}")
        self._merge_visitors(name, table, source, len(returned))
        if not returned:
            return
        if has_load:
            loads = Counter(load for (load,) in returned)
        else:  # a child row without load_id: the load of the first staged row of its key
            keys = list(info.primary_key)
            columns = list(zip(*returned, strict=True))
            inserted = pa.table(
                {k: pa.array(column, table.schema.field(k).type)
                 for k, column in zip(keys, columns, strict=True)}
            )  # fmt: skip
            loads = self._first_loads(inserted, table, keys)
        for load, rows in loads.items():
            self.counts[load].rows[name] += rows

    def _merge_visitors(self, name: str, table: pa.Table, source: str, inserted: int) -> None:
        """A fact seen again keeps the greatest ``visitor_id`` any of its files gave (by code
        point; a null is no value), whatever the order of the files: a body's header is not
        part of the fact it carries, and a file may lack the visitor another one names."""
        info = tables()[name]
        if not info.has("visitor_id"):
            return
        if inserted >= table.num_rows:
            return  # every row a new fact: nothing seen before, or twice, to merge with
        keys = list(info.primary_key)
        key = _cols(keys)
        # The whole key, joined: each stored fact looked up once by its primary key. (On
        # PostgreSQL a key array on the first key column besides, as _among gives, went into
        # each of those lookups: one index descent per array element per fact, 7-110 s a
        # statement for a load of 20,000 visits into a warehouse of 100,000.)
        match = " AND ".join(f"t.{_q(k)} = v.{_q(k)}" for k in keys)
        self.backend.execute(
            f"UPDATE {_q(name)} AS t SET visitor_id = v.visitor_id "
            f'FROM (SELECT {key}, max(visitor_id COLLATE "C") AS visitor_id FROM {source} '
            f"GROUP BY {key}) AS v "
            f"WHERE {match} AND v.visitor_id IS NOT NULL AND (t.visitor_id IS NULL "
            f'OR t.visitor_id COLLATE "C" < v.visitor_id COLLATE "C")'
        )

    def _write_parent(self, name: str, table: pa.Table | None, replacing: bool) -> None:
        """The rows of the conversation table or a mid table: those of conversations new to
        the warehouse appended, as leaf rows are (no stored row can have their keys: each
        references its conversation); those of replaced conversations upserted, which
        costs the database about twice as much per row, and staged for
        ``_retire_stale_mids``."""
        if table is None:
            table = _full(name, pa.table({}), with_rec=True)
        if replacing:
            new = pc.take(self._new_by_rec, table.column(REC))
            self._count_rows(name, table)
            self._insert(name, table.filter(new), counted=True)
            self._upsert(name, table.filter(pc.invert(new)))
        elif table.num_rows:
            self._insert(name, table)

    def _upsert(self, name: str, table: pa.Table) -> None:
        info = tables()[name]
        # Staged even when empty: _retire_stale_mids reads it.
        source = self._source(name, table, counted=True)
        if not table.num_rows:
            return
        updates = ", ".join(f"{_q(c)} = excluded.{_q(c)}" for c in info.update_columns)
        self.backend.execute(
            f"INSERT INTO {_q(name)} ({_cols(info.columns)}) "
            f"SELECT {_cols(info.columns)} FROM {source} "
            f"ON CONFLICT ({_cols(info.primary_key)}) DO UPDATE SET {updates}"
        )


def _unique_keys(table: pa.Table, keys: Iterable[str]) -> bool:
    """Whether no two rows of ``table`` have the same ``keys`` (a key's last column
    alone, a digest, mostly tells, for a third of the cost of grouping by them all)."""
    keys = list(keys)
    if pc.count_distinct(table.column(keys[-1]), mode="all").as_py() == table.num_rows:
        return True
    if len(keys) == 1:
        return False
    return table.select(keys).group_by(keys, use_threads=False).aggregate([]).num_rows == (
        table.num_rows
    )


def _full(name: str, table: pa.Table, with_rec: bool = False) -> pa.Table:
    """``table`` with every column of the warehouse table (missing ones NULL), in order
    (and ``_rec``, as in a batch, if ``with_rec``)."""
    schema = batch_schema(name) if with_rec else tables()[name].schema
    n = table.num_rows
    columns = [
        table.column(f.name) if f.name in table.column_names else pa.nulls(n, f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema)


def purge_stale(backend: Backend) -> None:
    """Delete mid rows retired by an earlier transaction (DuckDB's two-step replacement)."""
    for name in conversation_mid_tables():
        backend.execute(f"DELETE FROM {_q(name)} WHERE load_id = {STALE}")


class FileWriter:
    """One file's writer over parsed records (not batches): what tests and simple callers use."""

    def __init__(self, backend: Backend, load_id: int) -> None:
        self.writer = BatchWriter(backend)
        self.load_id = load_id

    @property
    def counts(self) -> FileCounts:
        return self.writer.counts[self.load_id]

    def write(self, items: list[ParsedRecord | Rejected]) -> None:
        batch = build_batch(items)
        self.writer.add_parse(self.load_id, batch)
        self.writer.write(batch, [self.load_id] * len(batch.metas))

    def finish(self) -> None:
        self.writer.finish()
