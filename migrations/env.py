"""Alembic environment of the warehouse: runs the revisions on DuckDB or PostgreSQL.

``warehouse.migrate`` hands over an open connection in ``config.attributes``;
the ``alembic`` command (for developers) gets the database from
``$LPWH_DATABASE_URL`` like ``lpwh`` does.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context
from alembic.ddl.impl import DefaultImpl

from warehouse import db
from warehouse.models import metadata

VERSION_TABLE = "alembic_version"


class DuckDBImpl(DefaultImpl):
    """Alembic has no DuckDB support of its own: the generic implementation does.

    DuckDB runs DDL inside transactions, so a failed upgrade leaves nothing behind.
    """

    __dialect__ = "duckdb"
    transactional_ddl = True

    def version_table_impl(self, *, version_table, version_table_schema, version_table_pk, **kw):
        """The version table with an unbounded text column (no VARCHAR(n) anywhere)."""
        table = super().version_table_impl(
            version_table=version_table,
            version_table_schema=version_table_schema,
            version_table_pk=version_table_pk,
            **kw,
        )
        table.c.version_num.type = sa.Text()
        return table


config = context.config
target_metadata = metadata


def _ensure_version_table(connection: sa.Connection) -> None:
    # Alembic would make version_num VARCHAR(32) on PostgreSQL; the warehouse has
    # no length-limited text anywhere, so the table is created here first.
    connection.execute(
        sa.text(
            f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} ("
            "version_num TEXT NOT NULL, "
            f"CONSTRAINT {VERSION_TABLE}_pkc PRIMARY KEY (version_num))"
        )
    )
    # Documented like every other table, for whoever browses the catalog.
    connection.execute(
        sa.text(f"COMMENT ON TABLE {VERSION_TABLE} IS 'Schema revision of the warehouse (Alembic)'")
    )
    connection.execute(
        sa.text(
            f"COMMENT ON COLUMN {VERSION_TABLE}.version_num IS "
            "'Revision id of the schema (migrations/versions)'"
        )
    )


def _run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        version_table=VERSION_TABLE,
        compare_type=True,
    )
    with context.begin_transaction():
        if not context.is_offline_mode():
            _ensure_version_table(connection)
        context.run_migrations()


def run_migrations_offline() -> None:
    """Emit the SQL of the revisions instead of running it (``alembic upgrade --sql``)."""
    url = config.attributes.get("lpwh_url") or db.resolve_url()
    context.configure(
        url=db.sqlalchemy_url(url),
        target_metadata=target_metadata,
        version_table=VERSION_TABLE,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the revisions on the connection given, else on the configured database."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = db.create_engine(config.attributes.get("lpwh_url") or db.resolve_url())
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
