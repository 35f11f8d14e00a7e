"""Publish a read-only copy of the warehouse for BI tools.

A DuckDB file has one writer process and no readers, or only readers: a dashboard
that holds the warehouse open blocks ``lpwh load``. BI tools are therefore pointed
at a separate copy that ``publish`` writes after each load. The copy is written to
a temporary file next to the target and moved onto it with ``os.replace`` only when
complete, so a reader never sees a half-written file (readers that hold the old
copy open keep reading it) and a failure or crash leaves the previous copy as it
was.

The copy is written in an older DuckDB storage format (``v1.1.0`` by default), which
DuckDB 1.1.0 and later can read: many BI drivers bundle a DuckDB 1.x. DuckDB 1.0
cannot read the primary-key indexes that DuckDB 2.0 writes, whatever the format.

From a DuckDB warehouse, ``COPY FROM DATABASE`` copies everything, comments, primary
and foreign keys and the load id sequence included. From a PostgreSQL warehouse,
the schema is built by the same migration and every table is read with psycopg
and inserted in Arrow batches, parents before children.
"""

from __future__ import annotations

import glob
import os
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse import db

DEFAULT_STORAGE_VERSION = "v1.1.0"
# The oldest DuckDB that reads a file published in the default storage format (tested).
OLDEST_READER = "1.1.0"
BATCH_ROWS = 50_000
LOAD_ID_SEQUENCE = "load_file_load_id_seq"

_VERSION_RE = re.compile(r"^(v\d+\.\d+\.\d+|latest)$")
_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "BIGINT": pa.int64(),
    "INTEGER": pa.int32(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "TIMESTAMP": pa.timestamp("us"),
    "DATE": pa.date32(),
}


class PublishError(Exception):
    """Publishing could not start or complete; the previous copy (if any) is untouched."""


@dataclass(frozen=True)
class PublishResult:
    """What ``publish`` wrote."""

    source: str  # the warehouse, password redacted
    target: Path
    storage_version: str
    rows: dict[str, int] = field(default_factory=dict)  # rows per table of the copy
    size_bytes: int = 0
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    def describe(self) -> str:
        """One line for people: what was written where."""
        readers = (
            f"readable by DuckDB {OLDEST_READER} and later"
            if self.storage_version == DEFAULT_STORAGE_VERSION
            else f"storage version {self.storage_version}"
        )
        return (
            f"Published {self.source} to {self.target}: {len(self.rows)} tables, "
            f"{self.total_rows} rows, {self.size_bytes / 1e6:.1f} MB, {readers} "
            f"({self.seconds:.1f} s)"
        )


def publish(
    url: str | None,
    target: str | os.PathLike,
    *,
    storage_version: str = DEFAULT_STORAGE_VERSION,
    wait: float | None = None,
) -> PublishResult:
    """Write a read-only copy of the warehouse at ``url`` to the DuckDB file ``target``.

    ``url`` is resolved like ``--db``. The copy replaces ``target`` atomically, and only
    once it is complete; ``storage_version`` is the DuckDB storage format it is written in
    (``v1.1.0``: readable by DuckDB 1.1.0 and later; ``latest``: DuckDB 2.0 only).
    ``wait``: seconds to wait for another process's lock on a DuckDB warehouse (default
    ``$LPWH_WAIT``, else 0). Raises ``PublishError`` when the warehouse cannot be read (or
    stays locked), or the target is the warehouse itself or an existing file that is not a
    DuckDB file. Temporary copies left next to the target by a publish that was killed are
    removed.
    """
    started = time.monotonic()
    url = db.resolve_url(url)
    target = Path(target).expanduser().resolve()
    if not _VERSION_RE.match(storage_version):
        raise PublishError(
            f"storage version must look like v1.1.0 (or be latest): {storage_version!r}"
        )
    if not db.is_postgres(url):
        source_path = db.duckdb_path(url)
        if source_path == target:
            raise PublishError("the published copy cannot be the warehouse itself")
        if not source_path.is_file():
            raise PublishError(f"no DuckDB warehouse at {source_path}")
    if target.exists() and not _is_duckdb_file(target):
        raise PublishError(f"{target} exists and is not a DuckDB file: not replacing it")
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_orphans(target)
    temp = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.publishing")
    try:
        if db.is_postgres(url):
            _copy_postgres(url, temp, storage_version)
        else:
            _copy_duckdb(source_path, temp, storage_version, wait)
        rows = _row_counts(temp)
        _fsync(temp)
        # A WAL next to the target belongs to the old copy; with the new file it would be
        # garbage. Removing it first means a reader sees the old copy or the new, intact.
        _remove(_wal(target))
        os.replace(temp, target)
        _fsync_dir(target.parent)
    except BaseException:
        _remove(temp)
        _remove(_wal(temp))
        raise
    return PublishResult(
        source=db.redact(url),
        target=target,
        storage_version=storage_version,
        rows=rows,
        size_bytes=target.stat().st_size,
        seconds=time.monotonic() - started,
    )


#: A temporary copy untouched this long, of a process that no longer runs here, is an
#: orphan (the age spares a publish running on another machine sharing the folder).
ORPHAN_SECONDS = 600


def _remove_orphans(target: Path) -> None:
    """Remove the temporary copies (and their WAL) that a publish to ``target`` killed
    before it could clean up left behind: those of processes that no longer run."""
    prefix = f".{target.name}."
    for path in target.parent.glob(f"{glob.escape(prefix)}*.publishing*"):
        pid = path.name[len(prefix) :].split(".", 1)[0]
        try:
            age = time.time() - path.stat().st_mtime
        except OSError:
            continue
        if pid.isdigit() and age > ORPHAN_SECONDS and not _running(int(pid)):
            _remove(path)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


#: Key index memory per stored row allowed for the copy (DuckDB keeps the copy's primary
#: and foreign key indexes in memory: ~110-220 bytes a row, see README "Choosing the database").
INDEX_BYTES_PER_ROW = 256


def _copy_duckdb(source: Path, temp: Path, storage_version: str, wait: float | None) -> None:
    """Copy a DuckDB warehouse, schema and all, into a new file at ``temp``.

    Memory is bounded as a load's is: the copy's key indexes, which DuckDB cannot spill,
    plus the load's budget for the rest (``$LPWH_DUCKDB_MEMORY_MB``), instead of DuckDB's
    default of 80 % of the machine (a 1.3 GB copy took 2.65 GB). If DuckDB still runs out,
    the copy is made again without the bound."""
    from warehouse.backend import duckdb_row_memory

    try:
        _copy_duckdb_once(source, temp, storage_version, wait, duckdb_row_memory())
    except duckdb.OutOfMemoryException:
        _remove(temp)
        _remove(_wal(temp))
        _copy_duckdb_once(source, temp, storage_version, wait, None)


def _copy_duckdb_once(
    source: Path, temp: Path, storage_version: str, wait: float | None, budget_mb: int | None
) -> None:
    from warehouse.backend import MB

    con = _open_source(source, wait)
    alias = f"lpwh_publish_{uuid.uuid4().hex[:8]}"
    # Only an instance of its own is bounded: the caller's open instance (see _open_source)
    # keeps its limit, which DuckDB reports rounded and so could not be put back exactly.
    own = con.execute("SELECT current_setting('access_mode')").fetchone()[0] == "read_only"
    try:
        if budget_mb is not None and own:
            rows = con.execute("SELECT coalesce(sum(estimated_size), 0) FROM duckdb_tables()")
            indexes_mb = -(-int(rows.fetchone()[0]) * INDEX_BYTES_PER_ROW // MB)
            con.execute(f"SET memory_limit = '{budget_mb + indexes_mb}MiB'")
        source_db = con.execute("SELECT current_database()").fetchone()[0]
        # READ_WRITE: an ATTACH from a read-only connection would default to read-only.
        con.execute(
            f"ATTACH {_literal(str(temp))} AS {alias} "
            f"(STORAGE_VERSION {_literal(storage_version)}, READ_WRITE)"
        )
        try:
            # One transaction: a consistent snapshot even if this process also writes.
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute(f"COPY FROM DATABASE {_ident(source_db)} TO {alias}")
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute(f"CHECKPOINT {alias}")
        finally:
            con.execute(f"DETACH {alias}")
    finally:
        con.close()


def _open_source(path: Path, wait: float | None = None) -> duckdb.DuckDBPyConnection:
    """The warehouse opened read-only, or shared with this process's open read-write instance.

    DuckDB refuses a second instance of a file with another configuration in one process,
    so when the caller still holds the warehouse open read-write, its instance is used.
    Another process's lock is waited for as ``db.retry_locked`` does.
    """

    def connect() -> duckdb.DuckDBPyConnection:
        try:
            return duckdb.connect(str(path), read_only=True)
        except duckdb.ConnectionException:
            return duckdb.connect(str(path))

    try:
        return db.retry_locked(connect, path, db.wait_seconds(wait))
    except db.DatabaseLocked as exc:
        raise PublishError(str(exc)) from None
    except duckdb.IOException as exc:
        raise PublishError(
            f"cannot read the warehouse {path} (is a load or another writer using it?): "
            f"{str(exc).splitlines()[0]}"
        ) from exc


def _copy_postgres(url: str, temp: Path, storage_version: str) -> None:
    """Copy a PostgreSQL warehouse: same migration on a new DuckDB file, then the rows."""
    import psycopg

    from warehouse import migrate
    from warehouse.models import metadata

    revision = migrate.current_revision(url)
    if revision is None:
        raise PublishError(f"{db.redact(url)} has no warehouse schema (run lpwh migrate)")
    migrate.check_known(revision, url)  # before the copy's own migration says it its way
    # Creating the file in the old format first: DuckDB keeps an existing file's format.
    con = duckdb.connect()
    con.execute(
        f"ATTACH {_literal(str(temp))} AS new_file (STORAGE_VERSION {_literal(storage_version)})"
    )
    con.close()
    migrate.upgrade(str(temp), revision)

    duck = duckdb.connect(str(temp))
    try:
        columns = _duckdb_columns(duck)
        with psycopg.connect(_libpq_url(url)) as pg:
            # One snapshot of every table, as a BI user would see the warehouse at one moment.
            pg.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            duck.execute("BEGIN TRANSACTION")
            for table in metadata.sorted_tables:  # parents before children: FKs hold throughout
                if table.name in columns:
                    _copy_table(pg, duck, table.name, columns[table.name])
            _copy_sequence(pg, duck)
            duck.execute("COMMIT")
        duck.execute("CHECKPOINT")
    finally:
        duck.close()


def _copy_table(pg, duck: duckdb.DuckDBPyConnection, table: str, columns: dict[str, str]) -> None:
    names = list(columns)
    select = ", ".join(_ident(c) for c in names)
    types = [_ARROW_TYPES[columns[c]] for c in names]
    # A server-side cursor streams the table instead of holding it in memory.
    with pg.cursor(name=f"lpwh_publish_{table}") as cur:
        cur.execute(f"SELECT {select} FROM {_ident(table)}")
        while rows := cur.fetchmany(BATCH_ROWS):
            values = list(zip(*rows, strict=True))
            batch = pa.table(
                [pa.array(v, type=t) for v, t in zip(values, types, strict=True)], names=names
            )
            # One transaction copies every table: the batch must not outlive its statement.
            db.execute_with_tables(
                duck,
                f"INSERT INTO {_ident(table)} ({select}) SELECT {select} FROM lpwh_publish_batch",
                tables={"lpwh_publish_batch": batch},
            )


def _copy_sequence(pg, duck: duckdb.DuckDBPyConnection) -> None:
    """Start the copy's load id sequence where PostgreSQL's stands (DuckDB cannot ALTER it)."""
    row = pg.execute(f"SELECT last_value, is_called FROM {LOAD_ID_SEQUENCE}").fetchone()
    start = row[0] + 1 if row[1] else row[0]
    duck.execute(f"DROP SEQUENCE {LOAD_ID_SEQUENCE}")
    duck.execute(f"CREATE SEQUENCE {LOAD_ID_SEQUENCE} START WITH {int(start)}")


def _duckdb_columns(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Columns and types of every table of a DuckDB file, in column order."""
    columns: dict[str, dict[str, str]] = {}
    for table, column, data_type in con.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() "
        "WHERE schema_name = 'main' AND NOT internal ORDER BY table_name, column_index"
    ).fetchall():
        columns.setdefault(table, {})[column] = data_type
    return columns


def _row_counts(path: Path) -> dict[str, int]:
    """Rows per table of the written copy (opening it also proves it is a complete file)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [
            row[0]
            for row in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
                "ORDER BY table_name"
            ).fetchall()
        ]
        return {t: con.execute(f"SELECT count(*) FROM {_ident(t)}").fetchone()[0] for t in tables}
    finally:
        con.close()


def _is_duckdb_file(path: Path) -> bool:
    # A DuckDB file has the magic bytes "DUCK" at offset 8 of its first block.
    if not path.is_file():
        return False
    with path.open("rb") as f:
        return f.read(12)[8:12] == b"DUCK"


def _libpq_url(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    # Makes the rename durable; not every platform can open a directory.
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
