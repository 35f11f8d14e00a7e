"""What a BI tool sees when it connects: every contract table with its documentation.

A BI tool lists tables and columns from the database's catalog and shows their
comments. On PostgreSQL it reflects with SQLAlchemy's inspector (what Superset
does), as the full warehouse user and as the read-only role the README
recommends; on DuckDB it reads the published copy's catalog (``duckdb_tables()``,
``duckdb_columns()``, ``duckdb_constraints()``), which must carry the same tables,
columns, types, comments, primary and foreign keys as the models.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import duckdb
import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url
from test_publish import SAMPLE, insert_sample

from warehouse import db
from warehouse.models import metadata
from warehouse.publishing import publish

CONTRACT_TABLES = {t.name for t in metadata.sorted_tables}


def expected_catalog(type_name) -> dict[str, dict]:
    """The models as a catalog: per table its comment, columns, primary key and foreign keys."""
    return {
        t.name: {
            "comment": t.comment,
            "columns": {c.name: (type_name(c.type), c.nullable, c.comment) for c in t.columns},
            "primary_key": [c.name for c in t.primary_key.columns],
            "foreign_keys": {
                (
                    tuple(fk.column_keys),
                    fk.referred_table.name,
                    tuple(e.column.name for e in fk.elements),
                )
                for fk in t.foreign_key_constraints
            },
        }
        for t in metadata.sorted_tables
    }


# -- PostgreSQL: SQLAlchemy's inspector ---------------------------------------------------------


def pg_type(type_: sa.types.TypeEngine) -> str:
    return type_.compile(dialect=postgresql.dialect())


def inspected_catalog(url: str) -> tuple[set[str], dict[str, dict]]:
    """Every table's catalog entry as SQLAlchemy's inspector reports it."""
    engine = db.create_engine(url, read_only=True)
    try:
        with engine.connect() as conn:
            insp = sa.inspect(conn)
            names = set(insp.get_table_names())
            catalog = {
                name: {
                    "comment": insp.get_table_comment(name)["text"],
                    "columns": {
                        c["name"]: (pg_type(c["type"]), c["nullable"], c.get("comment"))
                        for c in insp.get_columns(name)
                    },
                    "primary_key": insp.get_pk_constraint(name)["constrained_columns"],
                    "foreign_keys": {
                        (
                            tuple(fk["constrained_columns"]),
                            fk["referred_table"],
                            tuple(fk["referred_columns"]),
                        )
                        for fk in insp.get_foreign_keys(name)
                    },
                }
                for name in names & CONTRACT_TABLES
            }
    finally:
        engine.dispose()
    return names, catalog


def test_postgres_inspector_finds_every_table_documented(postgres_url: str) -> None:
    insert_sample(postgres_url)

    names, catalog = inspected_catalog(postgres_url)

    assert names == CONTRACT_TABLES | {"alembic_version"}
    assert catalog == expected_catalog(pg_type)
    assert catalog["message"]["columns"]["text"][0] == "TEXT"
    assert catalog["message"]["columns"]["message_id"][0] == 'TEXT COLLATE "C"'
    assert catalog["conversation"]["columns"]["start_time"][0] == "TIMESTAMP WITHOUT TIME ZONE"
    assert catalog["sde_purchase_product"]["foreign_keys"] == {
        (("sde_id",), "sde_purchase", ("sde_id",))
    }


@pytest.fixture
def bi_role_url(postgres_url: str) -> str:
    """The README's read-only role on the test warehouse; the role is dropped afterwards."""
    role = f"lpwh_bi_{uuid.uuid4().hex[:8]}"
    database = make_url(postgres_url).database
    recipe = [  # the statements of docs/bi.md, with this test's names
        f"CREATE ROLE {role} LOGIN PASSWORD 'change-me'",
        f'GRANT CONNECT ON DATABASE "{database}" TO {role}',
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON SEQUENCES TO {role}",
    ]
    owner = "postgresql://" + postgres_url.split("://", 1)[1]
    with psycopg.connect(owner, autocommit=True) as conn:
        for statement in recipe:
            conn.execute(statement)
    url = make_url(postgres_url).set(username=role, password="change-me")
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(owner, autocommit=True) as conn:
            conn.execute(f"DROP OWNED BY {role}")
            conn.execute(f"DROP ROLE {role}")


def test_the_read_only_role_sees_everything_and_changes_nothing(
    postgres_url, bi_role_url, tmp_path
):
    insert_sample(postgres_url)
    # It can publish the warehouse to a DuckDB file (the sequence is copied too).
    assert publish(bi_role_url, tmp_path / "copy.duckdb").rows["sde_purchase_product"] > 0

    names, catalog = inspected_catalog(bi_role_url)

    assert names == CONTRACT_TABLES | {"alembic_version"}
    assert catalog == expected_catalog(pg_type)
    engine = sa.create_engine(db.sqlalchemy_url(bi_role_url))
    try:
        with engine.connect() as conn:
            total = conn.execute(sa.text("SELECT sum(price) FROM sde_purchase_product")).scalar()
            assert total == 49.75
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                conn.execute(sa.text("DELETE FROM message"))
    finally:
        engine.dispose()


# -- DuckDB: the published copy's catalog ------------------------------------------------------


def duckdb_type(type_: sa.types.TypeEngine) -> str:
    # Order matters: BigInteger is an Integer.
    for kind, name in (
        (sa.BigInteger, "BIGINT"),
        (sa.Integer, "INTEGER"),
        (sa.Double, "DOUBLE"),
        (sa.Boolean, "BOOLEAN"),
        (sa.DateTime, "TIMESTAMP"),
        (sa.Date, "DATE"),
        (sa.Text, "VARCHAR"),
    ):
        if isinstance(type_, kind):
            return name
    raise AssertionError(f"unexpected type {type_!r}")


def duckdb_catalog(path: Path) -> tuple[set[str], dict[str, dict]]:
    """Every table's catalog entry from DuckDB's own catalog functions."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        catalog: dict[str, dict] = {
            name: {"comment": comment, "columns": {}, "primary_key": [], "foreign_keys": set()}
            for name, comment in con.execute(
                "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'main'"
            ).fetchall()
        }
        for table, column, data_type, nullable, comment in con.execute(
            "SELECT table_name, column_name, data_type, is_nullable, comment FROM duckdb_columns() "
            "WHERE schema_name = 'main' AND NOT internal ORDER BY column_index"
        ).fetchall():
            catalog[table]["columns"][column] = (data_type, nullable, comment)
        for table, kind, columns, referenced, referenced_columns in con.execute(
            "SELECT table_name, constraint_type, constraint_column_names, referenced_table, "
            "referenced_column_names FROM duckdb_constraints() WHERE schema_name = 'main' "
            "AND constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY')"
        ).fetchall():
            if kind == "PRIMARY KEY":
                catalog[table]["primary_key"] = list(columns)
            else:
                catalog[table]["foreign_keys"].add(
                    (tuple(columns), referenced, tuple(referenced_columns))
                )
    finally:
        con.close()
    names = set(catalog)
    return names, {name: catalog[name] for name in names & CONTRACT_TABLES}


def test_published_duckdb_catalog_has_every_table_documented(db_url: str, tmp_path: Path):
    insert_sample(db_url)
    target = tmp_path / "published.duckdb"
    publish(db_url, target)

    names, catalog = duckdb_catalog(target)

    assert names == CONTRACT_TABLES | {"alembic_version"}
    assert catalog == expected_catalog(duckdb_type)
    assert catalog["load_rejection"]["primary_key"] == ["load_id", "ordinal"]
    assert catalog["message"]["comment"] == metadata.tables["message"].comment
    assert catalog["message"]["columns"]["text"][2] == metadata.tables["message"].c.text.comment


def test_a_bi_tool_reads_the_published_copy_read_only(duckdb_url: str, tmp_path: Path) -> None:
    insert_sample(duckdb_url)
    target = tmp_path / "published.duckdb"
    publish(duckdb_url, target)
    # What Superset does with duckdb:////abs/path and {"connect_args": {"read_only": true}}.
    engine = sa.create_engine(f"duckdb:///{target}", connect_args={"read_only": True})
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT c.conversation_id, count(m.message_id) FROM conversation c "
                    "LEFT JOIN message m USING (conversation_id) GROUP BY 1 ORDER BY 1"
                )
            ).all()
            with pytest.raises(sa.exc.DBAPIError, match="read-only"):
                conn.execute(sa.text("DELETE FROM message"))
    finally:
        engine.dispose()
    messages = {cid: 0 for cid in (c["conversation_id"] for c in SAMPLE["conversation"])}
    for m in SAMPLE["message"]:
        messages[m["conversation_id"]] += 1
    assert rows == sorted(messages.items())
