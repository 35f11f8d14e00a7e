"""Which database to use, and how to connect to it.

A user names a database as a DuckDB file path or a ``postgresql://`` URL (``--db``,
else ``$LPWH_DATABASE_URL``, else ``./warehouse.duckdb``). This module turns that
string into a SQLAlchemy URL and engine, and redacts passwords for messages.

A DuckDB file admits one writing process (or only readers): every connection made
here to a DuckDB file waits up to ``wait`` seconds (``--wait``, else ``$LPWH_WAIT``,
else 0: fail at once) for another process's lock, retrying with backoff, and then
fails with :class:`DatabaseLocked`, whose message names the process holding the lock.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote

import duckdb
import sqlalchemy
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

T = TypeVar("T")

ENV_VAR = "LPWH_DATABASE_URL"
STORAGE_VERSION_ENV = "LPWH_DUCKDB_STORAGE_VERSION"
DEFAULT_DUCKDB_FILE = "warehouse.duckdb"
WAIT_ENV = "LPWH_WAIT"
#: Seconds to wait for another process's lock on a DuckDB file when neither ``--wait``
#: nor ``$LPWH_WAIT`` says: none — a second writer fails at once, naming the holder.
DEFAULT_WAIT = 0.0

_POSTGRES_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")
_DUCKDB_SCHEME = "duckdb:///"
# user:password@ of a URL in a text; the password runs to the last "@" of the URL's run of
# non-blank characters: people write passwords with "@", "#", "/" or "?" unescaped, and
# libpq and SQLAlchemy accept some of them.
_PASSWORD_RE = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^:/@?#\s]*):(?P<pw>\S*)@")
# The part of a connection URL up to the ":" after the user name.
_URL_USER_RE = re.compile(r"\s*[A-Za-z][A-Za-z0-9+.\-]*://[^:/@?#\s]*:")
# What splits a password written unescaped into the parts a driver may quote alone
# ("could not translate host name 'TopSecret@host'").
_PASSWORD_SPLIT_RE = re.compile(r"[@/?#:\s]+")
# A password given as a query parameter (libpq accepts ?password=…).
_QUERY_PASSWORD_RE = re.compile(r"(?P<head>[?&]password=)(?P<pw>[^&#\s]*)", re.I)
# DuckDB's lock conflict: 'Conflicting lock is held in /usr/bin/python3 (PID 123) by user x'.
_LOCK_HOLDER_RE = re.compile(r"Conflicting lock is held in (?P<exe>.+?) \(PID (?P<pid>\d+)\)")


def resolve_url(db: str | os.PathLike | None = None) -> str:
    """The database asked for: ``db`` (a URL, a path, a ``Path``), else ``$LPWH_DATABASE_URL``,
    else ``./warehouse.duckdb``."""
    if db:
        return os.fspath(db)
    env = os.environ.get(ENV_VAR)
    if env:
        return env
    return DEFAULT_DUCKDB_FILE


def is_postgres(url: str) -> bool:
    """Whether ``url`` names a PostgreSQL database (anything else is a DuckDB file)."""
    return url.lower().startswith(_POSTGRES_SCHEMES)


def duckdb_path(url: str) -> Path:
    """The absolute path of the DuckDB file that ``url`` (a path or ``duckdb:///path``) names."""
    path = url[len(_DUCKDB_SCHEME) :] if url.lower().startswith(_DUCKDB_SCHEME) else url
    return Path(path).expanduser().resolve()


def duckdb_config(path: Path) -> dict[str, str]:
    """DuckDB settings for opening ``path``: a NEW file is written in the storage format
    ``$LPWH_DUCKDB_STORAGE_VERSION`` names (``v1.1.0``: readable by DuckDB 1.1 and later)."""
    version = os.environ.get(STORAGE_VERSION_ENV)
    if version and not path.exists():
        return {"storage_compatibility_version": version}
    return {}


def sqlalchemy_url(url: str) -> sqlalchemy.URL:
    """The SQLAlchemy URL of a user-level URL: psycopg 3 for PostgreSQL, else a DuckDB file."""
    if is_postgres(url):
        _, rest = url.split("://", 1)
        return make_url(f"postgresql+psycopg://{rest}")
    return sqlalchemy.URL.create("duckdb", database=str(duckdb_path(url)))


def create_engine(
    url: str, *, read_only: bool = False, wait: float | None = None
) -> sqlalchemy.Engine:
    """An engine for the database ``url`` names.

    DuckDB engines do not pool connections: a DuckDB file admits one writer process
    (or only readers), so the file must be released as soon as a connection closes.
    Each DuckDB connection waits up to ``wait`` seconds (see :func:`wait_seconds`) for
    another process's lock, then raises :class:`DatabaseLocked` (wrapped by SQLAlchemy
    in a ``DBAPIError`` whose ``orig`` it is).
    """
    sa_url = sqlalchemy_url(url)
    if is_postgres(url):
        if read_only:
            return sqlalchemy.create_engine(
                sa_url, connect_args={"options": "-c default_transaction_read_only=on"}
            )
        return sqlalchemy.create_engine(sa_url)
    connect_args: dict = {"read_only": True} if read_only else {}
    config: dict = duckdb_config(duckdb_path(url))
    if read_only:
        # A read-only file still lets a statement write elsewhere: COPY … TO, EXPORT
        # DATABASE and ATTACH write files (COPY TO over the warehouse file itself destroys
        # it). No file but the warehouse is touched, and no statement can lift that.
        config |= {"enable_external_access": False, "lock_configuration": True}
    if config:
        connect_args["config"] = config
    engine = sqlalchemy.create_engine(sa_url, poolclass=NullPool, connect_args=connect_args)
    seconds = wait_seconds(wait)
    path = duckdb_path(url)

    @event.listens_for(engine, "do_connect")
    def _connect_waiting(dialect, _record, cargs, cparams):  # noqa: ANN001, ANN202
        return retry_locked(lambda: dialect.connect(*cargs, **cparams), path, seconds)

    return engine


# -- the DuckDB file lock ------------------------------------------------------------------------


class DatabaseLocked(duckdb.IOException):
    """Another process holds the DuckDB file's lock, and waiting for it did not help.

    A ``duckdb.IOException``, so that SQLAlchemy wraps it like any driver error."""


def wait_seconds(wait: float | None = None) -> float:
    """How long to wait for a DuckDB file lock: ``wait``, else ``$LPWH_WAIT``, else 0."""
    if wait is not None:
        return max(0.0, float(wait))
    configured = os.environ.get(WAIT_ENV, "").strip()
    if not configured:
        return DEFAULT_WAIT
    try:
        return max(0.0, float(configured))
    except ValueError:
        raise ValueError(f"{WAIT_ENV} must be a number of seconds, got {configured!r}") from None


def _is_lock_conflict(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.IOException) and "Conflicting lock" in str(exc)


def lock_holder(message: str) -> str:
    """The process named in DuckDB's lock-conflict ``message``: PID and command line (read
    from ``/proc``, passwords redacted) when it can be read, else the executable."""
    m = _LOCK_HOLDER_RE.search(message)
    if m is None:
        return "another process"
    pid = m.group("pid")
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        args = [a.decode("utf-8", "replace") for a in raw.split(b"\0") if a]
    except OSError:
        args = []
    command = " ".join(redact(a) for a in args) if args else m.group("exe")
    command = " ".join(command.split())  # one line, whatever the arguments hold
    if len(command) > 300:
        command = command[:297] + "..."
    return f"PID {pid} ({command})"


def retry_locked(connect: Callable[[], T], path: Path, wait: float) -> T:
    """``connect()``, retried with backoff while another process holds the lock on the
    DuckDB file ``path``, for up to ``wait`` seconds; then :class:`DatabaseLocked`."""
    deadline = time.monotonic() + wait
    delay = 0.05
    while True:
        try:
            return connect()
        except duckdb.IOException as exc:
            if not _is_lock_conflict(exc):
                raise
            left = deadline - time.monotonic()
            if left <= 0:
                waited = (
                    f"still held after waiting {wait:g} s"
                    if wait > 0
                    else f"not waiting (use --wait SECONDS or {WAIT_ENV} to wait for it)"
                )
                raise DatabaseLocked(
                    f"the DuckDB file {path} is locked by another process: "
                    f"{lock_holder(str(exc))}; {waited}"
                ) from None
            time.sleep(min(delay, left))
            delay = min(delay * 2, 1.0)


def connect_duckdb(path: str | os.PathLike, *, wait: float | None = None, **kwargs: Any):
    """``duckdb.connect(path, **kwargs)``, waiting for another process's lock (see
    :func:`retry_locked`; ``wait`` as in :func:`wait_seconds`)."""
    return retry_locked(lambda: duckdb.connect(str(path), **kwargs), Path(path), wait_seconds(wait))


# The tables are found by DuckDB's replacement scan, which looks a table name up among the
# variables of the Python frame that runs the statement: this code runs with the tables as
# its variables. ``con.register()`` would be simpler, but it keeps every registered table
# alive until the transaction ends, even after ``unregister()`` (duckdb-python issue #469):
# a whole file's parsed rows held in memory for its one transaction. A replacement scan
# lets go of a table when the statement ends.
_EXECUTE = compile("result = con.execute(sql, params)", "<statement with tables>", "exec")


def execute_with_tables(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: Any = None,
    tables: dict[str, Any] | None = None,
) -> duckdb.DuckDBPyConnection:
    """``con.execute(sql, params)`` where ``sql`` may read the Arrow tables of ``tables`` by
    name, without DuckDB keeping them alive after the statement (as ``register`` does)."""
    # (python_enable_replacements, on by default, is what lets DuckDB see them)
    scope = {**(tables or {}), "con": con, "sql": sql, "params": params or []}
    exec(_EXECUTE, scope)
    return scope["result"]


def _url_password(url: str) -> tuple[int, int] | None:
    """Where the password of the connection URL ``url`` is: from the ":" after the user name
    to the URL's last "@" (blanks included: the whole text is the URL)."""
    m = _URL_USER_RE.match(url)
    if m is None:
        return None
    at = url.rfind("@")
    return (m.end(), at) if at >= m.end() else None


def redact(url: str) -> str:
    """``url`` (or any text holding URLs) with every password replaced by ``***``."""
    span = _url_password(url)
    text = url if span is None else f"{url[: span[0]]}***{url[span[1] :]}"
    text = _PASSWORD_RE.sub(lambda m: f"{m.group('head')}:***@", text)
    return _QUERY_PASSWORD_RE.sub(lambda m: f"{m.group('head')}***", text)


def _passwords(url: str) -> set[str]:
    found: set[str] = set()
    for m in (*_PASSWORD_RE.finditer(url), *_QUERY_PASSWORD_RE.finditer(url)):
        if m.group("pw"):
            found |= {m.group("pw"), unquote(m.group("pw"))}
    span = _url_password(url)
    if span is not None and span[1] > span[0]:
        password = url[span[0] : span[1]]
        found |= {password, unquote(password)}
        # A driver that splits the URL elsewhere than we do quotes pieces of it.
        found |= {part for part in _PASSWORD_SPLIT_RE.split(password) if len(part) >= 4}
    return found


def scrub(message: str, url: str) -> str:
    """A message about the database ``url`` fit to show: the URL redacted, and its password
    (as written, and percent-decoded) replaced by ``***`` wherever else it appears —
    drivers quote parts of a connection string in their errors."""
    text = message.replace(url, redact(url))
    for secret in sorted(_passwords(url), key=len, reverse=True):
        text = text.replace(secret, "***")
    return redact(text)
