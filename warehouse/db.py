"""Which database to use, and how to connect to it.

A user names a database as a DuckDB file path or a ``postgresql://`` URL (``--db``,
else ``$LPWH_DATABASE_URL``, else ``./warehouse.duckdb``). This module turns that
string into a SQLAlchemy URL and engine, and redacts passwords for messages.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import sqlalchemy
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

ENV_VAR = "LPWH_DATABASE_URL"
STORAGE_VERSION_ENV = "LPWH_DUCKDB_STORAGE_VERSION"
DEFAULT_DUCKDB_FILE = "warehouse.duckdb"

_POSTGRES_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")
_DUCKDB_SCHEME = "duckdb:///"
# user:password@ in the authority part of any URL-like string.
_PASSWORD_RE = re.compile(r"^(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^:/@?#]*):(?P<pw>[^@/?#]*)@")


def resolve_url(db: str | None = None) -> str:
    """The database asked for: ``db``, else ``$LPWH_DATABASE_URL``, else ``./warehouse.duckdb``."""
    if db:
        return db
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


def create_engine(url: str, *, read_only: bool = False) -> sqlalchemy.Engine:
    """An engine for the database ``url`` names.

    DuckDB engines do not pool connections: a DuckDB file admits one writer process
    (or only readers), so the file must be released as soon as a connection closes.
    """
    sa_url = sqlalchemy_url(url)
    if is_postgres(url):
        if read_only:
            return sqlalchemy.create_engine(
                sa_url, connect_args={"options": "-c default_transaction_read_only=on"}
            )
        return sqlalchemy.create_engine(sa_url)
    connect_args: dict = {"read_only": True} if read_only else {}
    config = duckdb_config(duckdb_path(url))
    if config:
        connect_args["config"] = config
    return sqlalchemy.create_engine(sa_url, poolclass=NullPool, connect_args=connect_args)


def redact(url: str) -> str:
    """``url`` with any password replaced by ``***``, for messages and logs."""
    return _PASSWORD_RE.sub(lambda m: f"{m.group('head')}:***@", url, count=1)
