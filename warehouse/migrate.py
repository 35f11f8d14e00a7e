"""Bring a warehouse database to a schema revision with Alembic, from code.

The revisions live in the ``migrations`` package installed next to ``warehouse``;
Alembic is pointed at that directory, so migrating works from any directory and
from an installed wheel, without an ``alembic.ini``.
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

import migrations

from . import db

VERSION_TABLE = "alembic_version"


def script_location() -> Path:
    """The directory of the installed ``migrations`` package."""
    return Path(migrations.__file__).resolve().parent


def _config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location()))
    if url is not None:
        cfg.attributes["lpwh_url"] = url
    return cfg


def head_revision() -> str:
    """The newest revision of the schema."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships revisions
        raise RuntimeError("no schema revision found in the migrations package")
    return head


def _version_table_exists(conn: sa.Connection, url: str) -> bool:
    # SQLAlchemy reflection is unreliable on DuckDB; ask each database's catalog directly.
    if db.is_postgres(url):
        sql = "SELECT to_regclass(:name) IS NOT NULL"
        return bool(conn.execute(sa.text(sql), {"name": VERSION_TABLE}).scalar())
    sql = "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = :name"
    return bool(conn.execute(sa.text(sql), {"name": VERSION_TABLE}).scalar())


def _current(conn: sa.Connection, url: str) -> str | None:
    if not _version_table_exists(conn, url):
        return None
    return conn.execute(sa.text(f"SELECT max(version_num) FROM {VERSION_TABLE}")).scalar()


def current_revision(url: str | os.PathLike, *, wait: float | None = None) -> str | None:
    """The revision the database is at, or None when it has no schema yet."""
    url = db.resolve_url(url)
    engine = db.create_engine(url, wait=wait)
    try:
        with engine.connect() as conn:
            return _current(conn, url)
    finally:
        engine.dispose()


class UnknownRevision(Exception):
    """The database is at a schema revision this version of lp-warehouse does not have."""


def check_known(revision: str | None, url: str) -> None:
    """Raise :class:`UnknownRevision` when ``revision`` (the database's, at ``url``) is not
    one of this lp-warehouse's: a newer release made the warehouse."""
    known = {s.revision for s in ScriptDirectory.from_config(_config()).walk_revisions()}
    if revision is not None and revision not in known:
        raise UnknownRevision(
            f"{db.redact(url)} is at schema revision {revision}, which this lp-warehouse "
            f"does not know (its newest is {head_revision()}): it was made by a newer "
            "lp-warehouse; upgrade lp-warehouse to use it"
        )


#: PostgreSQL advisory lock key of schema changes: two migrations (two first loads of an
#: empty database) run one after the other, the second finding the schema already there.
MIGRATION_LOCK = 7450106


def _run(
    url: str | os.PathLike, action, wait: float | None = None
) -> tuple[str | None, str | None]:
    url = db.resolve_url(url)
    """Run ``action(config)`` in one transaction; return the revisions before and after."""
    engine = db.create_engine(url, wait=wait)
    try:
        with engine.begin() as conn:
            if db.is_postgres(url):
                conn.execute(sa.text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
            before = _current(conn, url)
            check_known(before, url)
            cfg = _config(url)
            cfg.attributes["connection"] = conn
            action(cfg)
            after = _current(conn, url)
            if after is None and _version_table_exists(conn, url):
                # At base nothing of the warehouse is left, Alembic's own table included.
                conn.execute(sa.text(f"DROP TABLE {VERSION_TABLE}"))
        return before, after
    finally:
        engine.dispose()


def upgrade(
    url: str | os.PathLike, revision: str = "head", *, wait: float | None = None
) -> tuple[str | None, str | None]:
    """Upgrade the database ``url`` names to ``revision``; return the revisions before and after.

    On DuckDB, waits up to ``wait`` seconds for another process's lock on the file."""
    return _run(url, lambda cfg: command.upgrade(cfg, revision), wait)


def downgrade(
    url: str | os.PathLike, revision: str = "base", *, wait: float | None = None
) -> tuple[str | None, str | None]:
    """Downgrade the database ``url`` names to ``revision`` (``base``: drop everything).

    Returns the revisions before and after.
    """
    return _run(url, lambda cfg: command.downgrade(cfg, revision), wait)
