"""Shared database fixtures: fresh, migrated warehouses on DuckDB and PostgreSQL.

Migrating every table for every test would dominate the run time, so each
backend is migrated once per session into a template (a DuckDB file, a
PostgreSQL template database) and every test gets a copy. Everything a session
creates on the PostgreSQL server has a name unique to the session and is
dropped at the end.

Fixtures:
- ``db_url`` (DuckDB and PostgreSQL), ``duckdb_url``, ``postgres_url``: a fresh,
  migrated, empty warehouse.
- ``empty_db_url`` (both), ``empty_duckdb_url``, ``empty_postgres_url``: a fresh
  database without any schema (DuckDB: a file that does not exist yet).
- ``pg_server_url``: the server from ``$LPWH_TEST_POSTGRES_URL`` (skips without it).
- ``fresh_db`` (both): a factory of fresh, migrated, empty warehouses, for tests that
  need many (hypothesis examples); ``fresh_db.clear()`` drops what it made so far.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from warehouse import migrate

# bench/ is a tool of the checkout, not part of the installed package. Appending the checkout
# makes it importable for its tests while the installed warehouse, earlier on the path, is
# still the one under test.
sys.path.append(str(Path(__file__).resolve().parents[1]))

PG_ENV = "LPWH_TEST_POSTGRES_URL"
BACKENDS = ["duckdb", "postgresql"]

_counter = itertools.count()


def _libpq_url(url: str) -> str:
    """``url`` as libpq understands it (no SQLAlchemy driver suffix)."""
    return "postgresql://" + url.split("://", 1)[1]


def _with_database(server_url: str, name: str) -> str:
    """The URL of database ``name`` on the server of ``server_url``."""
    url = make_url(_libpq_url(server_url)).set(database=name)
    return url.render_as_string(hide_password=False)


class PgServer:
    """Creates and drops the databases of one test session on a PostgreSQL server."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.prefix = f"lpwh_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        self.created: list[str] = []

    def _execute(self, sql: str) -> None:
        # CREATE/DROP DATABASE cannot run inside a transaction block.
        with psycopg.connect(_libpq_url(self.server_url), autocommit=True) as conn:
            conn.execute(sql)

    def create(self, suffix: str, template: str | None = None, options: str = "") -> str:
        """Create a database of this session (``options``: more of CREATE DATABASE's, such
        as a locale); return its URL."""
        name = f"{self.prefix}_{suffix}"
        sql = f'CREATE DATABASE "{name}"'
        if template:
            sql += f' TEMPLATE "{template}"'
        self._execute(f"{sql} {options}".rstrip())
        self.created.append(name)
        return _with_database(self.server_url, name)

    def create_icu(self, suffix: str) -> str:
        """A database of this session whose default collation is ICU's en-US (it sorts
        "a" < "B" and "Ürdingen" < "Zug"); the test is skipped on a server without ICU."""
        try:
            return self.create(
                suffix, "template0", "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"
            )
        except psycopg.errors.FeatureNotSupported as exc:
            pytest.skip(f"no ICU collation on this server: {exc}")

    def drop(self, url: str) -> None:
        """Drop a database of this session, closing whatever is still connected to it."""
        name = make_url(url).database
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if name in self.created:
            self.created.remove(name)

    def drop_all(self) -> None:
        for name in reversed(list(self.created)):
            self.drop(_with_database(self.server_url, name))


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    """The PostgreSQL server to test against, from ``$LPWH_TEST_POSTGRES_URL``."""
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} is not set: PostgreSQL tests skipped")
    return url


@pytest.fixture(scope="session")
def _pg_server(pg_server_url: str) -> Iterator[PgServer]:
    server = PgServer(pg_server_url)
    try:
        yield server
    finally:
        server.drop_all()


@pytest.fixture(scope="session")
def _pg_template(_pg_server: PgServer) -> str:
    """Name of this session's migrated template database."""
    url = _pg_server.create("tpl")
    migrate.upgrade(url)  # disposes its engine: a template must have no connection open
    return make_url(url).database


@pytest.fixture(scope="session")
def _duckdb_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This session's migrated template DuckDB file."""
    path = tmp_path_factory.mktemp("duckdb_template") / "template.duckdb"
    migrate.upgrade(str(path))
    # Closing the last connection checkpoints: the file alone holds the schema.
    assert not path.with_name(path.name + ".wal").exists()
    return path


@pytest.fixture
def duckdb_url(_duckdb_template: Path, tmp_path: Path) -> str:
    """Path of a fresh, migrated, empty DuckDB warehouse."""
    path = tmp_path / f"warehouse_{next(_counter)}.duckdb"
    shutil.copyfile(_duckdb_template, path)
    return str(path)


@pytest.fixture
def postgres_url(_pg_server: PgServer, _pg_template: str) -> Iterator[str]:
    """URL of a fresh, migrated, empty PostgreSQL warehouse (dropped after the test)."""
    url = _pg_server.create(f"db{next(_counter)}", template=_pg_template)
    try:
        yield url
    finally:
        _pg_server.drop(url)


@pytest.fixture(params=BACKENDS, ids=BACKENDS)
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh, migrated, empty warehouse on each backend."""
    fixture = "duckdb_url" if request.param == "duckdb" else "postgres_url"
    return request.getfixturevalue(fixture)


@pytest.fixture
def empty_duckdb_url(tmp_path: Path) -> str:
    """Path of a DuckDB file that does not exist yet."""
    return str(tmp_path / f"empty_{next(_counter)}.duckdb")


@pytest.fixture
def empty_postgres_url(_pg_server: PgServer) -> Iterator[str]:
    """URL of a fresh PostgreSQL database without any schema (dropped after the test)."""
    url = _pg_server.create(f"empty{next(_counter)}")
    try:
        yield url
    finally:
        _pg_server.drop(url)


@pytest.fixture(params=BACKENDS, ids=BACKENDS)
def empty_db_url(request: pytest.FixtureRequest) -> str:
    """A fresh database without any schema, on each backend."""
    fixture = "empty_duckdb_url" if request.param == "duckdb" else "empty_postgres_url"
    return request.getfixturevalue(fixture)


class FreshDatabases:
    """Makes fresh, migrated, empty warehouses on one backend; ``clear()`` drops them."""

    def __init__(self, request: pytest.FixtureRequest, backend: str, folder: Path) -> None:
        self.backend = backend
        self.folder = folder
        self.made: list[str] = []
        if backend == "duckdb":
            self.template = request.getfixturevalue("_duckdb_template")
        else:
            self.server = request.getfixturevalue("_pg_server")
            self.pg_template = request.getfixturevalue("_pg_template")

    def __call__(self) -> str:
        if self.backend == "duckdb":
            path = self.folder / f"fresh_{next(_counter)}.duckdb"
            shutil.copyfile(self.template, path)
            url = str(path)
        else:
            url = self.server.create(f"fresh{next(_counter)}", template=self.pg_template)
        self.made.append(url)
        return url

    def clear(self) -> None:
        for url in self.made:
            if self.backend == "duckdb":
                for path in Path(url).parent.glob(Path(url).name + "*"):
                    path.unlink()
            else:
                self.server.drop(url)
        self.made = []


@pytest.fixture(params=BACKENDS, ids=BACKENDS)
def fresh_db(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[FreshDatabases]:
    """A factory of fresh, migrated, empty warehouses on each backend."""
    factory = FreshDatabases(request, request.param, tmp_path_factory.mktemp("fresh"))
    try:
        yield factory
    finally:
        factory.clear()
