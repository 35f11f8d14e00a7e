"""The schema: the migration builds exactly the models, on DuckDB and PostgreSQL.

Also: ``lpwh migrate`` and its downgrade, database resolution (``--db``,
``$LPWH_DATABASE_URL``, ``./warehouse.duckdb``) and password redaction.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from seeds import seed_example
from sqlalchemy.engine import make_url
from test_load import query
from typer.testing import CliRunner

import warehouse
from warehouse import db, migrate
from warehouse.cli import app
from warehouse.models import metadata

SEQUENCES = {"load_file_load_id_seq"}
VERSION_TABLE = "alembic_version"
# Columns that link a row to a conversation, a visit or an SDE event.
LINK_COLUMNS = ("conversation_id", "visit_id", "sde_id")


@dataclass
class TableInfo:
    """What a database's catalog (or the models) say about one table."""

    comment: str | None = None
    columns: dict[str, tuple[str, bool, str | None]] = field(default_factory=dict)
    primary_key: tuple[str, ...] = ()
    foreign_keys: set[tuple[tuple[str, ...], str, tuple[str, ...]]] = field(default_factory=set)
    indexes: set[tuple[str, tuple[str, ...], bool]] = field(default_factory=set)


def duckdb_type_of(column: sa.Column) -> str:
    """The DuckDB type name a model column must have."""
    t = column.type
    # Order matters: BigInteger is an Integer, Double a Float.
    if isinstance(t, sa.BigInteger):
        return "BIGINT"
    if isinstance(t, sa.Integer):
        return "INTEGER"
    if isinstance(t, sa.Double):
        return "DOUBLE"
    if isinstance(t, sa.Boolean):
        return "BOOLEAN"
    if isinstance(t, sa.DateTime):
        return "TIMESTAMP WITH TIME ZONE" if t.timezone else "TIMESTAMP"
    if isinstance(t, sa.Date):
        return "DATE"
    if isinstance(t, sa.String):
        return "VARCHAR" if t.length is None else f"VARCHAR({t.length})"
    raise AssertionError(f"{column.table.name}.{column.name}: unexpected type {t!r}")


def _on_duckdb(index: sa.Index) -> bool:
    """Whether the models create ``index`` on DuckDB (``Index(...).ddl_if(dialect=...)``)."""
    ddl_if = index._ddl_if
    if ddl_if is None or ddl_if.dialect is None:
        return True
    dialects = (ddl_if.dialect,) if isinstance(ddl_if.dialect, str) else ddl_if.dialect
    return "duckdb" in dialects


def model_catalog() -> dict[str, TableInfo]:
    """The schema the models describe, in DuckDB's terms."""
    tables = {}
    for table in metadata.sorted_tables:
        info = TableInfo(comment=table.comment)
        info.columns = {
            c.name: (duckdb_type_of(c), bool(c.nullable), c.comment) for c in table.columns
        }
        info.primary_key = tuple(c.name for c in table.primary_key.columns)
        for fk in table.foreign_key_constraints:
            info.foreign_keys.add(
                (
                    tuple(fk.column_keys),
                    fk.referred_table.name,
                    tuple(e.column.name for e in fk.elements),
                )
            )
        for index in table.indexes:
            if _on_duckdb(index):
                info.indexes.add((index.name, tuple(c.name for c in index.columns), index.unique))
        tables[table.name] = info
    return tables


def _index_columns(sql: str) -> tuple[str, ...]:
    inside = re.search(r"\((.*)\)", sql).group(1)
    return tuple(part.strip().strip('"') for part in inside.split(","))


def duckdb_catalog(path: str) -> dict[str, TableInfo]:
    """The schema of a DuckDB file, from its catalog functions (SQLAlchemy cannot reflect it)."""
    con = duckdb.connect(path, read_only=True)
    try:
        tables = {
            name: TableInfo(comment=comment)
            for name, comment in con.execute(
                "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'main'"
            ).fetchall()
        }
        for table, column, data_type, nullable, comment in con.execute(
            "SELECT table_name, column_name, data_type, is_nullable, comment "
            "FROM duckdb_columns() WHERE schema_name = 'main' AND NOT internal"
        ).fetchall():
            tables[table].columns[column] = (data_type, nullable, comment)
        for table, kind, columns, ref_table, ref_columns in con.execute(
            "SELECT table_name, constraint_type, constraint_column_names, referenced_table, "
            "referenced_column_names FROM duckdb_constraints() WHERE schema_name = 'main' "
            "AND constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY')"
        ).fetchall():
            if kind == "PRIMARY KEY":
                tables[table].primary_key = tuple(columns)
            else:
                tables[table].foreign_keys.add((tuple(columns), ref_table, tuple(ref_columns)))
        for name, table, unique, sql in con.execute(
            "SELECT index_name, table_name, is_unique, sql FROM duckdb_indexes() "
            "WHERE schema_name = 'main'"
        ).fetchall():
            tables[table].indexes.add((name, _index_columns(sql), unique))
        sequences = {
            row[0]
            for row in con.execute(
                "SELECT sequence_name FROM duckdb_sequences() WHERE schema_name = 'main'"
            ).fetchall()
        }
    finally:
        con.close()
    tables["__sequences__"] = TableInfo(columns={s: ("", False, None) for s in sequences})
    return tables


def pg_catalog(url: str) -> dict[str, TableInfo]:
    """The schema of a PostgreSQL database (reflection works there)."""
    engine = db.create_engine(url)
    try:
        with engine.connect() as conn:
            insp = sa.inspect(conn)
            tables = {}
            for name in insp.get_table_names():
                info = TableInfo(comment=insp.get_table_comment(name)["text"])
                for c in insp.get_columns(name):
                    info.columns[c["name"]] = (str(c["type"]), c["nullable"], c.get("comment"))
                info.primary_key = tuple(insp.get_pk_constraint(name)["constrained_columns"])
                for fk in insp.get_foreign_keys(name):
                    info.foreign_keys.add(
                        (
                            tuple(fk["constrained_columns"]),
                            fk["referred_table"],
                            tuple(fk["referred_columns"]),
                        )
                    )
                for ix in insp.get_indexes(name):
                    info.indexes.add((ix["name"], tuple(ix["column_names"]), ix["unique"]))
                tables[name] = info
            sequences = set(insp.get_sequence_names())
    finally:
        engine.dispose()
    tables["__sequences__"] = TableInfo(columns={s: ("", False, None) for s in sequences})
    return tables


def catalog(url: str) -> tuple[dict[str, TableInfo], set[str]]:
    """The tables (without Alembic's own) and the sequences of a database."""
    tables = pg_catalog(url) if db.is_postgres(url) else duckdb_catalog(url)
    sequences = set(tables.pop("__sequences__").columns)
    tables.pop(VERSION_TABLE, None)
    return tables, sequences


# --- the migration builds exactly the models -------------------------------------------------


def test_models_have_37_tables_and_no_bounded_text():
    assert len(metadata.tables) == 37
    bounded = [
        f"{t.name}.{c.name}"
        for t in metadata.tables.values()
        for c in t.columns
        if getattr(c.type, "length", None) is not None
    ]
    assert bounded == []


def test_postgres_migration_matches_models(empty_postgres_url):
    migrate.upgrade(empty_postgres_url)
    engine = db.create_engine(empty_postgres_url)
    try:
        with engine.connect() as conn:
            # Alembic compares table and column comments whenever the dialect supports them
            # (PostgreSQL does); types and server defaults are compared as asked here.
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True}
            )
            diff = compare_metadata(context, metadata)
            sequences = set(sa.inspect(conn).get_sequence_names())
    finally:
        engine.dispose()
    assert diff == []
    assert sequences == SEQUENCES


def test_duckdb_migration_matches_models(empty_duckdb_url):
    migrate.upgrade(empty_duckdb_url)
    tables, sequences = catalog(empty_duckdb_url)
    expected = model_catalog()
    assert sorted(tables) == sorted(expected)
    for name, want in expected.items():
        got = tables[name]
        assert got.comment == want.comment, name
        assert got.columns == want.columns, name
        assert got.primary_key == want.primary_key, name
        assert got.foreign_keys == want.foreign_keys, name
        assert got.indexes == want.indexes, name
    assert sequences == SEQUENCES


def test_duckdb_types_are_the_contracts():
    # A spot check that the mapping above is the contract's, on columns whose type it fixes.
    expected = model_catalog()
    assert expected["sde_customer_info"].columns["balance"][0] == "DOUBLE"
    assert expected["sde_customer_info"].columns["company_size"][0] == "INTEGER"
    assert expected["sde_customer_info"].columns["last_payment_date"][0] == "DATE"
    assert expected["sde_visitor_error"].columns["level"][0] == "BIGINT"
    assert expected["sde_visitor_error"].columns["resolved"][0] == "BOOLEAN"
    assert expected["conversation"].columns["start_time"][0] == "TIMESTAMP"
    assert expected["sde_lead"].columns["raw"][0] == "VARCHAR"


def test_no_text_column_has_a_length_on_postgres(postgres_url):
    engine = db.create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            bounded = conn.execute(
                sa.text(
                    "SELECT table_name || '.' || column_name FROM information_schema.columns "
                    "WHERE table_schema = 'public' AND character_maximum_length IS NOT NULL"
                )
            ).all()
            text_columns = conn.execute(
                sa.text(
                    "SELECT count(*) FROM information_schema.columns "
                    "WHERE table_schema = 'public' AND data_type = 'text'"
                )
            ).scalar()
    finally:
        engine.dispose()
    assert bounded == []  # Alembic's version table included
    assert text_columns > 300


def test_every_table_has_a_primary_key_and_its_links_are_foreign_keys(db_url):
    tables, _ = catalog(db_url)
    assert len(tables) == 37
    for name, info in tables.items():
        assert info.primary_key, f"{name} has no primary key"
        fk_columns = {col for cols, _, _ in info.foreign_keys for col in cols}
        for column in LINK_COLUMNS:
            owns_it = info.primary_key == (column,)
            if column in info.columns and not owns_it:
                assert column in fk_columns, f"{name}.{column} is not a foreign key"
        if len(info.primary_key) > 1:
            # A composite key is a child's: part of it must point at the parent.
            assert any(set(cols) <= set(info.primary_key) for cols, _, _ in info.foreign_keys), (
                f"child table {name} has no foreign key to its parent"
            )
    assert ("load_id",) in {cols for cols, _, _ in tables["load_rejection"].foreign_keys}
    assert (("conversation_id", "message_id"), "message", ("conversation_id", "message_id")) in (
        tables["message_intent"].foreign_keys
    )


def test_fixture_database_is_migrated_and_empty(db_url):
    assert migrate.current_revision(db_url) == migrate.head_revision() == "0005"
    engine = db.create_engine(db_url)
    try:
        with engine.connect() as conn:
            counts = {
                name: conn.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar()
                for name in metadata.tables
            }
    finally:
        engine.dispose()
    assert set(counts.values()) == {0}


def test_load_id_sequence_gives_increasing_ids(db_url):
    engine = db.create_engine(db_url)
    try:
        with engine.begin() as conn:
            ids = [
                conn.execute(sa.text("SELECT nextval('load_file_load_id_seq')")).scalar()
                for _ in range(3)
            ]
        with engine.connect() as conn:
            # load_id has no server default: the loader must take it from the sequence.
            with pytest.raises(sa.exc.DBAPIError):
                conn.execute(sa.text("INSERT INTO load_file (path, status) VALUES ('x', 'y')"))
            conn.rollback()
    finally:
        engine.dispose()
    assert ids == [1, 2, 3]


# --- upgrade and downgrade -------------------------------------------------------------------


def test_downgrade_to_base_leaves_nothing(empty_db_url):
    assert migrate.current_revision(empty_db_url) is None
    assert migrate.upgrade(empty_db_url) == (None, "0005")
    tables, sequences = catalog(empty_db_url)
    assert len(tables) == 37 and sequences == SEQUENCES
    assert migrate.downgrade(empty_db_url) == ("0005", None)
    tables, sequences = catalog(empty_db_url)
    assert tables == {} and sequences == set()
    assert migrate.current_revision(empty_db_url) is None
    # Alembic's own table goes too: nothing at all is left.
    if db.is_postgres(empty_db_url):
        engine = db.create_engine(empty_db_url)
        try:
            with engine.connect() as conn:
                left = conn.execute(
                    sa.text(
                        "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
                    )
                ).scalar()
        finally:
            engine.dispose()
        assert left == 0
    else:
        con = duckdb.connect(empty_db_url, read_only=True)
        try:
            left = con.execute("SELECT count(*) FROM duckdb_tables()").fetchone()[0]
        finally:
            con.close()
        assert left == 0


def test_upgrade_twice_changes_nothing(db_url):
    assert migrate.upgrade(db_url) == ("0005", "0005")
    tables, _ = catalog(db_url)
    assert len(tables) == 37


def test_duckdb_file_is_released_after_migrate(empty_duckdb_url):
    migrate.upgrade(empty_duckdb_url)
    # A second process could not open the file for writing if we still held it.
    code = "import duckdb, sys; duckdb.connect(sys.argv[1]).execute('CHECKPOINT').close()"
    subprocess.run([sys.executable, "-c", code, empty_duckdb_url], check=True, timeout=60)


# --- lpwh migrate ----------------------------------------------------------------------------

runner = CliRunner()


def test_cli_migrate_and_downgrade(empty_db_url):
    result = runner.invoke(app, ["migrate", "--db", empty_db_url])
    assert result.exit_code == 0, result.output
    assert f"Upgraded {empty_db_url} from base (empty) to 0005" in result.output
    assert len(catalog(empty_db_url)[0]) == 37

    result = runner.invoke(app, ["migrate", "--db", empty_db_url])
    assert result.exit_code == 0, result.output
    assert "already at schema revision 0005" in result.output

    result = runner.invoke(app, ["migrate", "--db", empty_db_url, "--downgrade", "base"])
    assert result.exit_code == 0, result.output
    assert f"Downgraded {empty_db_url} from 0005 to base (empty)" in result.output
    assert catalog(empty_db_url) == ({}, set())

    result = runner.invoke(app, ["migrate", "--db", empty_db_url, "--revision", "0001"])
    assert result.exit_code == 0, result.output
    assert migrate.current_revision(empty_db_url) == "0001"


def test_cli_migrate_unknown_revision_is_a_clear_error(empty_duckdb_url):
    result = runner.invoke(app, ["migrate", "--db", empty_duckdb_url, "--revision", "nope"])
    assert result.exit_code == 1
    assert "nope" in result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)


def test_cli_redacts_the_password(empty_postgres_url):
    # The test server's own password if its URL has one; else any (it trusts local users).
    password = make_url(empty_postgres_url).password or "s3cret"
    with_password = make_url(empty_postgres_url).set(password=password)
    url = with_password.render_as_string(hide_password=False)
    result = runner.invoke(app, ["migrate", "--db", url])
    assert result.exit_code == 0, result.output
    assert f":{password}@" not in result.output
    assert ":***@" in result.output

    missing = with_password.set(database="lpwh_no_such_database_x").render_as_string(
        hide_password=False
    )
    result = runner.invoke(app, ["migrate", "--db", missing])
    assert result.exit_code == 1
    assert f":{password}@" not in result.output
    assert "lpwh_no_such_database_x" in result.output
    assert "Traceback" not in result.output


def _lpwh(args: list[str], cwd: Path, env_url: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != db.ENV_VAR}
    if env_url is not None:
        env[db.ENV_VAR] = env_url
    return subprocess.run(
        [sys.executable, "-m", "warehouse.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_creates_a_duckdb_file_that_does_not_exist(tmp_path):
    path = tmp_path / "new" / "warehouse.duckdb"
    path.parent.mkdir()
    proc = _lpwh(["migrate", "--db", str(path)], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert path.exists()
    assert len(catalog(str(path))[0]) == 37


def test_cli_uses_env_var_then_default_file(tmp_path):
    env_file = tmp_path / "from_env.duckdb"
    proc = _lpwh(["migrate"], cwd=tmp_path, env_url=str(env_file))
    assert proc.returncode == 0, proc.stderr
    assert env_file.exists() and not (tmp_path / "warehouse.duckdb").exists()

    proc = _lpwh(["migrate"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "warehouse.duckdb" in proc.stdout
    assert len(catalog(str(tmp_path / "warehouse.duckdb"))[0]) == 37


def test_cli_error_has_no_traceback(tmp_path):
    proc = _lpwh(["migrate", "--db", str(tmp_path / "no" / "such" / "dir" / "w.duckdb")], tmp_path)
    assert proc.returncode == 1
    assert "lpwh migrate:" in proc.stderr
    assert "Traceback" not in proc.stderr


# --- database resolution ---------------------------------------------------------------------


def test_resolve_url_prefers_option_then_env_then_default(monkeypatch):
    monkeypatch.delenv(db.ENV_VAR, raising=False)
    assert db.resolve_url() == "warehouse.duckdb"
    monkeypatch.setenv(db.ENV_VAR, "postgresql://u@h/d")
    assert db.resolve_url() == "postgresql://u@h/d"
    assert db.resolve_url("/x/y.duckdb") == "/x/y.duckdb"


@pytest.mark.parametrize(
    ("url", "postgres"),
    [
        ("postgresql://u@h/d", True),
        ("postgres://u@h/d", True),
        ("postgresql+psycopg://u@h/d", True),
        ("warehouse.duckdb", False),
        ("/abs/w.duckdb", False),
        ("duckdb:///abs/w.duckdb", False),
    ],
)
def test_is_postgres(url, postgres):
    assert db.is_postgres(url) is postgres


def test_sqlalchemy_url(tmp_path, monkeypatch):
    assert db.sqlalchemy_url("postgres://u:p@h:5/d").render_as_string(hide_password=False) == (
        "postgresql+psycopg://u:p@h:5/d"
    )
    assert db.sqlalchemy_url("postgresql://u@h/d").drivername == "postgresql+psycopg"
    monkeypatch.chdir(tmp_path)
    rel = db.sqlalchemy_url("w.duckdb")
    assert rel.drivername == "duckdb" and rel.database == str(tmp_path / "w.duckdb")
    assert db.sqlalchemy_url("duckdb:///" + str(tmp_path / "a.duckdb")).database == str(
        tmp_path / "a.duckdb"
    )


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://user:pa:ss@host:5432/db", "postgresql://user:***@host:5432/db"),
        ("postgresql://user@host/db", "postgresql://user@host/db"),
        (
            "postgresql+psycopg://u:x@h/d?sslmode=require",
            "postgresql+psycopg://u:***@h/d?sslmode=require",
        ),
        ("/data/w.duckdb", "/data/w.duckdb"),
    ],
)
def test_redact(url, shown):
    assert db.redact(url) == shown


def test_read_only_duckdb_engine_cannot_write(duckdb_url):
    engine = db.create_engine(duckdb_url, read_only=True)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM conversation")).scalar() == 0
            with pytest.raises(sa.exc.DBAPIError):
                conn.execute(sa.text("INSERT INTO web_session (visit_id) VALUES ('v')"))
    finally:
        engine.dispose()


# --- 0002, 0003: identifiers by code point on PostgreSQL ----------------------------------------


def _text_collations(url: str) -> set[tuple[str, str | None]]:
    return {(t, c) for t, _, c in _column_collations(url)}


def _column_collations(url: str) -> set[tuple[str, str, str | None]]:
    rows = query(
        url,
        "SELECT table_name, column_name, collation_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND data_type = 'text'",
    )
    return {(t, n, c) for t, n, c in rows if t in metadata.tables}


def _model_collations() -> set[tuple[str, str, str | None]]:
    from warehouse.models.base import KEY_TEXT

    return {
        (table.name, column.name, "C" if column.type is KEY_TEXT else None)
        for table in metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, sa.Text)
    }


def test_identifiers_compare_by_code_point_other_text_by_the_databases_collation(postgres_url):
    collations = _column_collations(postgres_url)
    assert collations == _model_collations()
    keys = {(t, n) for t, n, c in collations if c == "C"}
    assert ("conversation", "conversation_id") in keys and ("message", "message_id") in keys
    assert ("web_page_view", "fact_id") in keys
    assert ("conversation", "latest_skill_name") not in keys  # indexed, but a name
    assert ("sde_search_content_keyword", "keyword") not in keys


def test_0002_collates_the_text_of_a_warehouse_with_data_and_back(empty_db_url, tmp_path):
    migrate.upgrade(empty_db_url, "0001")
    page = tmp_path / "page.json"
    page.write_text(seed_example(0, repaired=True))
    engine = db.create_engine(empty_db_url)
    try:
        with engine.begin() as conn:  # rows written at 0001 (the loader would upgrade first)
            conn.execute(
                sa.text(
                    "INSERT INTO conversation (conversation_id, record_hash) "
                    "VALUES ('Zb', 'h'), ('a', 'h')"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO message (conversation_id, message_id) "
                    "VALUES ('Zb', 'm1'), ('a', 'm1')"
                )
            )
    finally:
        engine.dispose()
    assert migrate.upgrade(empty_db_url, "0002") == ("0001", "0002")
    order = "SELECT conversation_id FROM conversation ORDER BY conversation_id"
    assert warehouse.run_sql(empty_db_url, order).rows == [("Zb",), ("a",)]  # code points
    assert warehouse.run_sql(empty_db_url, "SELECT count(*) FROM message").rows == [(2,)]
    if db.is_postgres(empty_db_url):
        assert {c for _, c in _text_collations(empty_db_url)} == {"C"}
    summary = warehouse.load([page], empty_db_url)  # upgrades to the head first
    assert summary.totals()["conversations_inserted"] == 1
    assert migrate.downgrade(empty_db_url, "0001") == ("0005", "0001")
    if db.is_postgres(empty_db_url):
        assert {c for _, c in _text_collations(empty_db_url)} == {None}  # the default again
    assert warehouse.run_sql(empty_db_url, "SELECT count(*) FROM conversation").rows == [(3,)]


def _store_conversation(url: str, conversation_id: str, skill_sql: str) -> None:
    """A bare conversation row whose latest_skill_name is the SQL expression ``skill_sql``."""
    engine = db.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO conversation (conversation_id, record_hash, latest_skill_name) "
                    f"VALUES (:cid, 'h', {skill_sql})"
                ),
                {"cid": conversation_id},
            )
    finally:
        engine.dispose()


def test_0003_gives_names_the_databases_collation_again_and_back(empty_db_url):
    """Under "C", PostgreSQL's lower() knows only ASCII: 0003 keeps "C" for identifiers only,
    with the data in place; the canned queries lower-case names as DuckDB does."""
    migrate.upgrade(empty_db_url, "0002")
    _store_conversation(empty_db_url, "CID", "'ÄPFEL'")
    assert migrate.upgrade(empty_db_url) == ("0002", "0005")
    lower = "SELECT lower(latest_skill_name), lower(conversation_id) FROM conversation"
    assert warehouse.run_sql(empty_db_url, lower).rows == [("äpfel", "cid")]
    if db.is_postgres(empty_db_url):
        assert _column_collations(empty_db_url) == _model_collations()
        assert migrate.downgrade(empty_db_url, "0002") == ("0005", "0002")
        assert {c for _, c in _text_collations(empty_db_url)} == {"C"}
        # Under "C", lower() knows only ASCII letters.
        assert warehouse.run_sql(empty_db_url, lower).rows == [("Äpfel", "cid")]
        assert migrate.upgrade(empty_db_url) == ("0002", "0005")
    assert warehouse.run_sql(empty_db_url, "SELECT count(*) FROM conversation").rows == [(1,)]


# --- 0004: text that is no key indexed by hash on PostgreSQL ---------------------------------


def _index_methods(url: str) -> dict[str, str]:
    rows = query(
        url,
        "SELECT i.relname, am.amname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "JOIN pg_am am ON am.oid = i.relam JOIN pg_class t ON t.oid = x.indrelid "
        "WHERE t.relnamespace = current_schema()::regnamespace AND NOT x.indisprimary",
    )
    return dict(rows)


def _model_index_methods() -> dict[str, str]:
    return {
        index.name: index.dialect_options["postgresql"]["using"] or "btree"
        for table in metadata.tables.values()
        for index in table.indexes
    }


def test_text_that_is_no_key_takes_any_length(db_url, tmp_path):
    """A B-tree entry holds ~2.7 kB on PostgreSQL: a conversation with a longer skill name,
    agent id or SDE order id used to be rejected whole. Keys keep the limit."""
    import json

    long_text = "".join(f"{i:05d}-Ä" for i in range(700))  # ~5,600 bytes, incompressible
    page = json.loads(seed_example(0, repaired=True))
    record = page["conversationHistoryRecords"][0]
    record["info"]["latestSkillName"] = long_text
    record["info"]["latestAgentId"] = long_text
    record["agentParticipants"][0]["agentId"] = long_text
    path = tmp_path / "page.json"
    path.write_text(json.dumps(page))
    summary = warehouse.load([path], db_url)
    assert not summary.rejected
    assert query(db_url, "SELECT latest_skill_name, latest_agent_id FROM conversation") == [
        (long_text, long_text)
    ]
    sql = "SELECT conversation_id FROM conversation WHERE latest_skill_name = :s"
    assert query(db_url, sql, s=long_text) == [(record["info"]["conversationId"],)]
    assert (long_text,) in query(db_url, "SELECT agent_id FROM participant")
    if db.is_postgres(db_url):
        methods = _index_methods(db_url)
        assert methods == _model_index_methods()
        assert methods["ix_conversation_latest_skill_name"] == "hash"
        assert methods["ix_conversation_start_time"] == "btree"


def test_0004_makes_hash_indexes_and_back(postgres_url):
    _store_conversation(postgres_url, "c1", "repeat('skill ', 700)")
    engine = db.create_engine(postgres_url)
    try:
        # A B-tree cannot hold the 4,200-byte name: the downgrade says so and changes nothing.
        with pytest.raises(RuntimeError, match=r"1 value\(s\) of conversation.latest_skill_name"):
            migrate.downgrade(postgres_url, "0003")
        assert migrate.current_revision(postgres_url) == "0005"
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE conversation SET latest_skill_name = 'skill'"))
    finally:
        engine.dispose()
    assert migrate.downgrade(postgres_url, "0003") == ("0005", "0003")
    assert set(_index_methods(postgres_url).values()) == {"btree"}
    assert migrate.upgrade(postgres_url) == ("0003", "0005")
    assert _index_methods(postgres_url) == _model_index_methods()


def test_revisions_written_out_as_sql_make_the_same_schema(capsys, _pg_server):
    """``alembic upgrade --sql`` (offline: no connection) writes every revision out; 0002
    and 0003 pick their columns from the catalog inside the statement they emit. Run on an
    empty database, that SQL makes the schema the models describe."""
    from alembic import command

    command.upgrade(migrate._config("postgresql://u@h/db"), "head", sql=True)
    out = capsys.readouterr().out
    assert out.count("DO $lpwh$") == 2
    url = _pg_server.create("offline")
    engine = db.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(out.replace("%", "%%"))
    finally:
        engine.dispose()
    assert _column_collations(url) == _model_collations()
    assert query(url, "SELECT version_num FROM alembic_version") == [("0005",)]


def test_a_database_of_a_newer_lp_warehouse_is_named_as_such(db_url, tmp_path):
    engine = db.create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f"UPDATE {migrate.VERSION_TABLE} SET version_num = '0099'"))
    finally:
        engine.dispose()
    with pytest.raises(migrate.UnknownRevision, match="schema revision 0099, which this"):
        migrate.upgrade(db_url)
    page = tmp_path / "page.json"
    page.write_text(seed_example(0, repaired=True))
    result = CliRunner().invoke(app, ["load", str(page), "--db", db_url])
    assert result.exit_code == 1
    assert "made by a newer lp-warehouse; upgrade lp-warehouse" in result.output
    copy = tmp_path / "copy.duckdb"
    result = CliRunner().invoke(app, ["publish", str(copy), "--db", db_url])
    if db.is_postgres(db_url):  # rebuilt from the models' migrations: refused the same way
        assert result.exit_code == 1
        assert "made by a newer lp-warehouse; upgrade lp-warehouse" in result.output
        assert not copy.exists()
    else:  # a DuckDB warehouse is copied as it is, revision and all
        assert result.exit_code == 0, result.output
        assert migrate.current_revision(str(copy)) == "0099"
    assert migrate.current_revision(db_url) == "0099"  # nothing changed


# --- 0005: versions without the response due time --------------------------------------------


def test_0005_lists_the_version_columns_the_loader_counts():
    from alembic.script import ScriptDirectory

    from loaders.conversations import _VERSION_TS

    revision = ScriptDirectory.from_config(migrate._config("duckdb:///x")).get_revision("0005")
    loader = {
        table: columns
        for table, columns in _VERSION_TS.items()
        if columns and "conversation_id" in metadata.tables[table].c
    }
    revision = revision.module
    assert {t: cols for t, (cols, _) in revision.VERSION_COLUMNS.items()} == loader


def test_0005_redoes_the_versions_the_due_time_decided(empty_db_url):
    url = empty_db_url
    migrate.upgrade(url, "0004")
    ms = "TIMESTAMP '2024-03-01 10:00:00' + INTERVAL '{} minutes'"
    conversations = [  # id, version, due time, start time (minutes after 10:00)
        ("due-decided", 600, 600, 0),
        ("due-earlier", 30, 20, 30),
        ("only-due", 600, 600, None),
    ]
    statements = [
        "INSERT INTO conversation (conversation_id, record_hash, record_version, "
        "latest_effective_response_due_time, start_time, load_id) VALUES "
        + ", ".join(
            f"('{cid}', 'h', {ms.format(v)}, {ms.format(d)}, "
            f"{ms.format(s) if s is not None else 'NULL'}, 1)"
            for cid, v, d, s in conversations
        ),
        # The latest of the rest: a message of minute 7, a transfer of minute 9 and an SDE
        # event of minute 8; a message retired by DuckDB's replacement (load_id -1) is no
        # longer the conversation's.
        "INSERT INTO message (conversation_id, message_id, time, load_id) VALUES "
        f"('due-decided', 'm1', {ms.format(7)}, 1), ('due-decided', 'm0', {ms.format(50)}, -1)",
        "INSERT INTO transfer (conversation_id, ordinal, time) "
        f"VALUES ('due-decided', 0, {ms.format(9)})",
        "INSERT INTO sde_lead (sde_id, source, raw, conversation_id, server_time, load_id) "
        f"VALUES ('s1', 'conversation', '{{}}', 'due-decided', {ms.format(8)}, 1)",
    ]
    engine = db.create_engine(url)
    try:
        with engine.begin() as conn:
            for sql in statements:
                conn.execute(sa.text(sql))
    finally:
        engine.dispose()
    assert migrate.upgrade(url) == ("0004", "0005")
    assert query(url, "SELECT conversation_id, record_version FROM conversation ORDER BY 1") == [
        ("due-decided", datetime(2024, 3, 1, 10, 9)),
        ("due-earlier", datetime(2024, 3, 1, 10, 30)),  # not decided by its due time: kept
        ("only-due", None),
    ]
