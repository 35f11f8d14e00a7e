"""Raw database connections for bulk loading: DuckDB (Arrow) and PostgreSQL (COPY).

SQLAlchemy is used for the schema, migrations and queries; the load path talks
to the drivers directly because bulk paths are mandatory: a DuckDB connection
scans a registered Arrow table in one ``INSERT … SELECT``, and PostgreSQL gets
the same Arrow table through a binary ``COPY`` into a temporary staging table.
Both then run the same set-based SQL against the staged relation.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import duckdb
import pgpq
import pyarrow as pa
import pyarrow.compute as pc

from warehouse import db
from warehouse.tables import tables


class Backend:
    """A raw connection with staging of Arrow tables and explicit transactions."""

    dialect: str
    #: Whether :meth:`copy_into` is the cheaper way to append rows to a table.
    copies_into_tables = False

    def execute(self, sql: str, params: tuple | list | None = None) -> None:
        raise NotImplementedError

    def fetchall(self, sql: str, params: tuple | list | None = None) -> list[tuple]:
        raise NotImplementedError

    def execute_count(self, sql: str, params: tuple | list | None = None) -> int:
        """Run an INSERT, UPDATE or DELETE; the number of rows it changed."""
        raise NotImplementedError

    def stage(self, name: str, data: pa.Table, *, keys: bool = False) -> str:
        """Make ``data`` selectable under the returned relation name until ``unstage``.

        ``keys``: the rows are keys that the next statements look stored rows up by; the
        database is told how many (see ``PostgresBackend``)."""
        raise NotImplementedError

    def unstage(self, relation: str) -> None:
        raise NotImplementedError

    def copy_into(self, table: str, data: pa.Table) -> None:
        """Append ``data`` (columns of ``table``, by name) to the warehouse table."""
        relation = self.stage(table, data)
        cols = ", ".join(f'"{c}"' for c in data.column_names)
        self.execute(f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM {relation}')
        self.unstage(relation)

    def begin(self) -> None:
        raise NotImplementedError

    def commit(self) -> None:
        raise NotImplementedError

    def rollback(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def lock_for_load(self) -> None:
        """Serialise concurrent loads' write transactions (a no-op where one writer is the rule)."""

    def bound_memory(self) -> None:
        """Keep the database's memory within the load's budget (after each write)."""

    def unbound_memory(self, error: BaseException) -> bool:
        """After ``error`` ended a transaction: if it was the database running out of the
        load's memory budget, lift the budget for the rest of the load (True: the
        transaction is worth running again)."""
        return False

    def next_load_id(self) -> int:
        """A new load id (``load_file``'s sequence)."""
        return self.next_load_ids(1)[0]

    def next_load_ids(self, count: int) -> list[int]:
        """``count`` new load ids, ascending, taken from the sequence by one statement."""
        rows = self.fetchall(
            f"SELECT nextval('load_file_load_id_seq') FROM generate_series(1, {int(count)})"
        )
        return sorted(int(v) for (v,) in rows)


class DuckDBBackend(Backend):
    dialect = "duckdb"

    def __init__(self, path: str, wait: float | None = None) -> None:
        self.row_memory = duckdb_row_memory()
        # Waits for another process's lock on the file (--wait), then names the holder.
        self.con = db.connect_duckdb(path, wait=wait)
        self._staged: dict[str, pa.Table] = {}
        # The limit is the database instance's, which other connections of this process
        # to the same file share: it is put back when the load is done.
        self._memory_limit = self.fetchall("SELECT current_setting('memory_limit')")[0][0]
        self.bounded = True
        self.bound_memory()
        # The same for the checkpoint threshold: see LOAD_CHECKPOINT_THRESHOLD.
        self._threshold = self.fetchall("SELECT current_setting('checkpoint_threshold')")[0][0]
        self.execute(f"SET checkpoint_threshold = '{LOAD_CHECKPOINT_THRESHOLD}'")

    def unbound_memory(self, error):
        if not self.bounded or not isinstance(error, duckdb.OutOfMemoryException):
            return False
        # What DuckDB cannot spill is more than the indexes: no bound for this load.
        self.bounded = False
        self.execute(f"SET memory_limit = '{self._memory_limit}'")
        return True

    def bound_memory(self, indexes_factor: int = 1):
        if not self.bounded:
            return
        # A file is written in one transaction. DuckDB holds the rows a transaction adds in
        # memory until its memory limit (by default 80 % of the machine), then spills them
        # to disk, but it cannot spill the key indexes of those rows: a limit fixed low
        # enough to keep rows out of memory fails big files (Out of Memory). So the limit
        # follows the indexes: what they take now, plus the budget for everything else.
        indexes = self.fetchall(
            "SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory() "
            "WHERE tag = 'ART_INDEX'"
        )[0][0]
        limit_mb = self.row_memory + indexes_factor * -(-int(indexes) // MB)
        self.execute(f"SET memory_limit = '{limit_mb}MiB'")

    def _run(self, sql: str, params):
        return db.execute_with_tables(self.con, sql, params, self._staged)

    def execute(self, sql, params=None):
        self._run(sql, params)

    def fetchall(self, sql, params=None):
        return self._run(sql, params).fetchall()

    def execute_count(self, sql, params=None):
        return self._run(sql, params).fetchone()[0]

    def stage(self, name, data, *, keys=False):
        relation = f"_stage_{name}"
        self._staged[relation] = data
        return relation

    def unstage(self, relation):
        self._staged.pop(relation, None)

    def begin(self):
        self.con.execute("BEGIN TRANSACTION")

    def commit(self):
        # Committing merges the transaction's key indexes into the table's: room for both.
        self.bound_memory(indexes_factor=2)
        self.con.execute("COMMIT")
        self.bound_memory()

    def rollback(self):
        self.con.execute("ROLLBACK")

    def checkpoint(self) -> None:
        """Write what the load committed from the write-ahead log into the file, within the
        load's memory bound if it can (as a commit does), else without it."""
        self.bound_memory(indexes_factor=2)
        try:
            self.con.execute("CHECKPOINT")
        except duckdb.OutOfMemoryException as exc:
            if not self.unbound_memory(exc):
                raise
            self.con.execute("CHECKPOINT")

    def close(self):
        try:
            try:
                self.checkpoint()
            except duckdb.Error:
                # A transaction left aborted (Ctrl-C mid-statement): closing rolls it back;
                # what was committed stays in the log, which DuckDB checkpoints (or replays)
                # later.
                pass
            try:
                self.con.execute(f"SET memory_limit = '{self._memory_limit}'")
                self.con.execute(f"SET checkpoint_threshold = '{self._threshold}'")
            except duckdb.Error:
                pass  # (the same aborted transaction)
        finally:
            self.con.close()


MB = 1024 * 1024
#: What DuckDB may hold in memory during a load besides its key indexes, unless
#: ``$LPWH_DUCKDB_MEMORY_MB`` says otherwise; rows beyond it spill to a temporary file.
DEFAULT_DUCKDB_ROW_MEMORY_MB = 512
DUCKDB_MEMORY_ENV = "LPWH_DUCKDB_MEMORY_MB"
#: Write-ahead log size at which DuckDB checkpoints during a load (its default, 16 MiB, means
#: after every commit of a load). A checkpoint writes back the key indexes the commits
#: touched, and with random keys (digests, UUIDs) that is most of each index: its cost grows
#: with the warehouse, not with what the load adds (8 web-session files into a warehouse of
#: 140,000 visits, four transactions: commits 6.8-7.0 s of a 17.5-19.3 s load; with one
#: checkpoint at the end, 3.8-4.0 s of 14.2-15.2 s). So a load checkpoints when it ends
#: (DuckDBBackend.close), and before only when the log passes this size: a bound on the log
#: on disk and on what a load killed midway leaves DuckDB to replay when the file is next
#: opened (a log of 156 MB, 20,000 visits: 1.45 s and 420 MB of memory).
LOAD_CHECKPOINT_THRESHOLD = "256MiB"


def duckdb_row_memory() -> int:
    """The load's DuckDB memory budget besides key indexes, in MiB (see
    :data:`DEFAULT_DUCKDB_ROW_MEMORY_MB`)."""
    configured = os.environ.get(DUCKDB_MEMORY_ENV, "").strip()
    if not configured:
        return DEFAULT_DUCKDB_ROW_MEMORY_MB
    try:
        value = int(configured)
    except ValueError:
        value = 0
    if value < 16:
        raise ValueError(f"{DUCKDB_MEMORY_ENV} must be a number of MiB >= 16, got {configured!r}")
    return value


class PostgresBackend(Backend):
    dialect = "postgresql"
    copies_into_tables = True

    def __init__(self, url: str) -> None:
        import psycopg

        self.con = psycopg.connect(_libpq_url(url), autocommit=True)
        # The loader's statements are short: compiling them (PostgreSQL's JIT, on for costly
        # plans) took ~180 ms apiece on some deletes of a big warehouse.
        self.con.execute("SET jit = off")
        self._staged: set[str] = set()
        self._staged_in_txn: set[str] = set()  # created by the open transaction

    def _sql(self, sql: str) -> str:
        # The shared SQL is written with DuckDB's ``?`` placeholders.
        return sql.replace("?", "%s")

    def execute(self, sql, params=None):
        self.con.execute(self._sql(sql), params)

    def fetchall(self, sql, params=None):
        return self.con.execute(self._sql(sql), params).fetchall()

    def execute_count(self, sql, params=None):
        return self.con.execute(self._sql(sql), params).rowcount

    def stage(self, name, data, *, keys=False):
        relation = f"_stage_{name}"
        if relation not in self._staged:
            known = tables()[name].columns if name in tables() else ()
            # The warehouse table's columns keep its types; others (``_rec``) get theirs here.
            own = [c for c in data.column_names if c in known]
            other = pa.schema([f for f in data.schema if f.name not in known])
            if own:
                cols = ", ".join(f'"{c}"' for c in own)
                self.con.execute(
                    f'CREATE TEMP TABLE "{relation}" AS SELECT {cols} FROM "{name}" WITH NO DATA'
                )
                for f in other:
                    self.con.execute(
                        f'ALTER TABLE "{relation}" ADD COLUMN "{f.name}" {_PG_TYPES[f.type]}'
                    )
            else:
                self.con.execute(f'CREATE TEMP TABLE "{relation}" ({_pg_columns(other)})')
            self._staged.add(relation)
            self._staged_in_txn.add(relation)
        else:
            self.con.execute(f'TRUNCATE "{relation}"')
        self._copy(relation, data)
        if keys:
            # Autovacuum never analyzes a temporary table: without statistics the planner
            # took a key set for ~2,500 rows and scanned whole child tables to delete a few
            # conversations' rows (400 ms on 1.5 M message statuses, 3 ms once analyzed),
            # a cost that grew with the warehouse.
            self.con.execute(f'ANALYZE "{relation}"')
        return relation

    def copy_into(self, table, data):
        self._copy(table, data)

    def _copy(self, table: str, data: pa.Table) -> None:
        if data.num_rows:
            cols = ", ".join(f'"{c}"' for c in data.column_names)
            with self.con.cursor() as cur:
                with cur.copy(f'COPY "{table}" ({cols}) FROM STDIN (FORMAT binary)') as copy:
                    for chunk in _binary_copy(data):
                        copy.write(chunk)

    def unstage(self, relation):
        pass  # staging tables are reused (truncated) by the next stage() of the same name

    def begin(self):
        self.con.execute("BEGIN")
        self._staged_in_txn.clear()

    def commit(self):
        self.con.execute("COMMIT")
        self._staged_in_txn.clear()

    def rollback(self):
        self.con.execute("ROLLBACK")
        # Staging tables created inside the rolled-back transaction are gone with it; those
        # of the load's committed transactions stay (forgetting them, the next stage()
        # would create them again: "relation already exists").
        self._staged -= self._staged_in_txn
        self._staged_in_txn.clear()

    def close(self):
        self.con.close()

    def lock_for_load(self):
        # Two loads that write the same conversation at once would race between reading the
        # stored version and writing: one lock per write transaction makes concurrent loads
        # equivalent to some sequential order of their files.
        self.con.execute("SELECT pg_advisory_xact_lock(7450105)")


_PG_TYPES = {
    # As the warehouse's key columns (migrations 0002, 0003): staged keys compare as theirs
    # do. (Staged rows of a warehouse table take that table's own column types.)
    pa.large_string(): 'TEXT COLLATE "C"',
    pa.string(): 'TEXT COLLATE "C"',
    pa.int64(): "BIGINT",
    pa.int32(): "INTEGER",
    pa.float64(): "DOUBLE PRECISION",
    pa.bool_(): "BOOLEAN",
    pa.date32(): "DATE",
    pa.timestamp("ms"): "TIMESTAMP",
}


def _pg_columns(schema: pa.Schema) -> str:
    return ", ".join(f'"{f.name}" {_PG_TYPES[f.type]}' for f in schema)


def _binary_copy(data: pa.Table) -> Iterator[bytes]:
    """Arrow → PostgreSQL's binary COPY format, by pgpq (Rust): no values turned into text
    and parsed back by the server, which CSV cost on both sides (~6 % of a load). The
    Arrow types are those of the warehouse columns (int32 for INTEGER, timestamp[ms] for
    TIMESTAMP, …), as the binary format requires. NUL characters, which PostgreSQL text
    cannot hold, become U+FFFD."""
    columns = []
    for column in data.columns:
        if pa.types.is_large_string(column.type) or pa.types.is_string(column.type):
            column = pc.replace_substring(column, "\x00", "\ufffd")
        columns.append(column)
    data = pa.table(columns, names=data.column_names)
    encoder = pgpq.ArrowToPostgresBinaryEncoder(data.schema)
    yield encoder.write_header()
    for batch in data.to_batches():
        yield encoder.write_batch(batch)
    yield encoder.finish()


def _libpq_url(url: str) -> str:
    """A PostgreSQL URL as libpq takes it (without SQLAlchemy's ``+driver``)."""
    scheme, rest = url.split("://", 1)
    return f"postgresql://{rest}"


def connect(url: str, *, wait: float | None = None) -> Backend:
    """A load connection to the warehouse at ``url`` (a DuckDB path or a PostgreSQL URL).

    On DuckDB, waits up to ``wait`` seconds for another process's lock on the file
    (see :func:`warehouse.db.wait_seconds`), then raises ``db.DatabaseLocked``."""
    if db.is_postgres(url):
        return PostgresBackend(url)
    return DuckDBBackend(str(db.duckdb_path(url)), wait=wait)


def scalar(backend: Backend, sql: str, params: Any = None) -> Any:
    """The first column of the first row, or None."""
    rows = backend.fetchall(sql, params)
    return rows[0][0] if rows else None
