"""The canned business queries and ad-hoc read-only SQL, as a Python API.

The queries are the ``.sql`` files of the ``queries`` package (package data, found
with ``importlib.resources`` so that an installed wheel works anywhere). Each file's
header comment documents its question, parameters and columns; ``list_queries``
parses it, ``run_query`` binds the parameters and runs the file unchanged on DuckDB
or PostgreSQL, and ``run_sql`` runs one statement of the user's own, read-only.

Both databases return the same Python values: the SQL casts every average, share
and sum to ``DOUBLE PRECISION``, and the few values drivers still return as
``Decimal`` (ad-hoc SQL) become ``int`` when integral by scale, else ``float``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import sqlalchemy
from sqlalchemy import text

from warehouse import db as _db

if TYPE_CHECKING:
    import pyarrow

QUERIES_PACKAGE = "queries"

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PARAM_RE = re.compile(
    r"^param\s+(?P<name>\w+)\s+\((?P<type>.+?),\s*default\s+(?P<default>[^)]*)\):\s*(?P<doc>.*)$"
)
_COLUMN_RE = re.compile(r"^column\s+(?P<name>\w+):\s*(?P<doc>.*)$")
_KEYED_RE = re.compile(r"^(?P<key>question|order):\s*(?P<value>.*)$")
# PostgreSQL SQLSTATE 25006: read_only_sql_transaction.
_PG_READ_ONLY = "25006"


class QueryError(ValueError):
    """A query or SQL statement could not be run; the message says why, for a user."""


@dataclass(frozen=True, slots=True)
class QueryParameter:
    """A parameter of a canned query, as its header documents it.

    ``type`` is ``"date"`` (``YYYY-MM-DD``), ``"int"`` or ``"choice"`` (one of
    ``choices``); ``default`` is the value used when the parameter is not given
    (``None``: no value, e.g. no bound for ``start``/``end``).
    """

    name: str
    type: str
    default: str | None
    description: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class QueryInfo:
    """A canned query: its name, question, parameters and result columns."""

    name: str
    question: str
    parameters: tuple[QueryParameter, ...]
    columns: tuple[str, ...]
    column_descriptions: tuple[str, ...] = ()
    order: str = ""
    notes: str = ""
    sql: str = field(default="", repr=False)

    def parameter(self, name: str) -> QueryParameter | None:
        """The parameter called ``name``, or ``None``."""
        return next((p for p in self.parameters if p.name == name), None)


@dataclass(slots=True)
class QueryResult:
    """Rows of a query: ``columns`` names them, ``rows`` holds one tuple per row."""

    columns: list[str]
    rows: list[tuple]

    def __len__(self) -> int:
        return len(self.rows)

    def to_dicts(self) -> list[dict[str, Any]]:
        """The rows as dicts keyed by column name."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def to_arrow(self) -> pyarrow.Table:
        """The rows as a ``pyarrow.Table`` (column types inferred from the values)."""
        import pyarrow as pa

        arrays = [pa.array([row[i] for row in self.rows]) for i in range(len(self.columns))]
        return pa.Table.from_arrays(arrays, names=list(self.columns))


# --- the query catalogue ---------------------------------------------------------------


def parse_header(name: str, sql: str) -> QueryInfo:
    """Parse the header comment of a query file into a ``QueryInfo``.

    The header is the leading run of ``--`` lines; see the ``queries`` package
    docstring for its grammar. A line indented by three or more spaces continues
    the previous entry.
    """
    question, order = "", ""
    params: list[QueryParameter] = []
    columns: list[tuple[str, str]] = []
    notes: list[str] = []
    last: str | None = None  # which entry a continuation line extends
    for raw in sql.splitlines():
        stripped = raw.strip()
        if not stripped.startswith("--"):
            if stripped:
                break
            continue
        body = stripped[2:]
        line = body.strip()
        if line == name:
            continue
        if body.startswith("   ") and last is not None:
            if last == "question":
                question += " " + line
            elif last == "order":
                order += " " + line
            elif last == "param":
                p = params[-1]
                params[-1] = QueryParameter(
                    p.name, p.type, p.default, f"{p.description} {line}", p.choices
                )
            elif last == "column":
                columns[-1] = (columns[-1][0], f"{columns[-1][1]} {line}")
            else:
                notes[-1] += " " + line
            continue
        if m := _KEYED_RE.match(line):
            last = m["key"]
            if last == "question":
                question = m["value"]
            else:
                order = m["value"]
        elif m := _PARAM_RE.match(line):
            last = "param"
            params.append(_parameter(name, m))
        elif m := _COLUMN_RE.match(line):
            last = "column"
            columns.append((m["name"], m["doc"]))
        elif line:
            last = "notes"
            notes.append(line)
    if not question or not columns:
        raise QueryError(f"query file {name}.sql has no question or no columns in its header")
    return QueryInfo(
        name=name,
        question=question,
        parameters=tuple(params),
        columns=tuple(c for c, _ in columns),
        column_descriptions=tuple(d for _, d in columns),
        order=order,
        notes="\n".join(notes),
        sql=sql,
    )


def _parameter(query: str, m: re.Match[str]) -> QueryParameter:
    kind = m["type"].strip()
    default = m["default"].strip()
    choices: tuple[str, ...] = ()
    if kind.startswith("one of "):
        choices = tuple(c.strip() for c in kind[len("one of ") :].split("|"))
        kind = "choice"
    elif kind not in ("date", "int"):
        raise QueryError(f"query file {query}.sql: parameter {m['name']} has unknown type {kind}")
    return QueryParameter(
        name=m["name"],
        type=kind,
        default=None if default == "none" else default,
        description=m["doc"].strip(),
        choices=choices,
    )


@cache
def _catalogue() -> dict[str, QueryInfo]:
    found: dict[str, QueryInfo] = {}
    for entry in resources.files(QUERIES_PACKAGE).iterdir():
        if entry.name.endswith(".sql") and entry.is_file():
            name = entry.name[: -len(".sql")]
            found[name] = parse_header(name, entry.read_text(encoding="utf-8"))
    return dict(sorted(found.items()))


def list_queries() -> list[QueryInfo]:
    """Every canned query, sorted by name."""
    return list(_catalogue().values())


def get_query(name: str) -> QueryInfo:
    """The canned query called ``name``; a ``QueryError`` listing the queries if none is."""
    catalogue = _catalogue()
    if name not in catalogue:
        raise QueryError(f"unknown query {name!r}; the queries are: {', '.join(catalogue)}")
    return catalogue[name]


# --- running queries ---------------------------------------------------------------------


def run_query(
    url: str,
    name: str,
    *,
    start: date | str | None = None,
    end: date | str | None = None,
    params: Mapping[str, Any] | None = None,
    wait: float | None = None,
) -> QueryResult:
    """Run the canned query ``name`` on the database ``url`` (read-only).

    ``start`` (inclusive) and ``end`` (exclusive) bound the range in UTC days
    (``YYYY-MM-DD`` or ``date``; none: no bound). ``params`` gives the query's
    other parameters as strings (as on the command line) or values; an unknown
    name, an unknown parameter or a bad value raises ``QueryError``. ``wait``:
    seconds to wait for another process's lock on a DuckDB file (default
    ``$LPWH_WAIT``, else 0).
    """
    url = _db.resolve_url(url)
    info = get_query(name)
    given: dict[str, Any] = dict(params or {})
    for key, value in (("start", start), ("end", end)):
        if value is not None:
            if given.get(key) is not None:
                raise QueryError(f"{key} is given twice (as an argument and as a parameter)")
            given[key] = value
    binds = _bind_values(info, given)
    engine = _engine(url, wait)
    try:
        with engine.connect() as conn:
            result = conn.execute(text(info.sql), binds)
            columns = list(result.keys())
            rows = [tuple(_value(v) for v in row) for row in result]
    except sqlalchemy.exc.SQLAlchemyError as exc:
        raise QueryError(f"query {name} failed on {_db.redact(url)}: {_db_message(exc)}") from exc
    finally:
        engine.dispose()
    return QueryResult(columns, rows)


def _bind_values(info: QueryInfo, given: Mapping[str, Any]) -> dict[str, Any]:
    known = {p.name for p in info.parameters}
    unknown = sorted(set(given) - known)
    if unknown:
        takes = ", ".join(_describe(p) for p in info.parameters) or "none"
        raise QueryError(
            f"query {info.name} has no parameter {', '.join(map(repr, unknown))}; "
            f"its parameters are: {takes}"
        )
    binds: dict[str, Any] = {}
    for p in info.parameters:
        value = given.get(p.name)
        if value is None or value == "":
            value = p.default
        binds[p.name] = None if value is None else _convert(info.name, p, value)
    return binds


def _describe(p: QueryParameter) -> str:
    kind = " | ".join(p.choices) if p.type == "choice" else p.type
    default = "none" if p.default is None else p.default
    return f"{p.name} ({kind}, default {default})"


def _convert(query: str, p: QueryParameter, value: Any) -> Any:
    if p.type == "date":
        return _as_datetime(p.name, value)
    if p.type == "int":
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise QueryError(f"{p.name} must be a whole number, got {value!r}")
        try:
            number = int(value)
        except ValueError:
            raise QueryError(f"{p.name} must be a whole number, got {value!r}") from None
        if number < 0:
            raise QueryError(f"{p.name} must not be negative, got {number}")
        return number
    text_value = str(value).strip()
    if text_value not in p.choices:
        raise QueryError(
            f"{p.name} of query {query} must be one of {', '.join(p.choices)}; got {value!r}"
        )
    return text_value


def _as_datetime(name: str, value: Any) -> datetime:
    """A day bound as a naive UTC midnight (the columns are naive UTC timestamps)."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, str) and _DATE_RE.match(value.strip()):
        try:
            return datetime.combine(date.fromisoformat(value.strip()), time())
        except ValueError:
            pass
    raise QueryError(f"{name} must be a date YYYY-MM-DD, got {value!r}")


def run_sql(url: str, sql: str, *, wait: float | None = None) -> QueryResult:
    """Run one SQL statement of the user's on the database ``url``, read-only (``wait``
    as in :func:`run_query`).

    DuckDB opens the file read-only, with access to any other file disabled (no COPY …
    TO, EXPORT or ATTACH); PostgreSQL runs a query (SELECT, WITH, VALUES, TABLE, SHOW,
    EXPLAIN; not COPY or DO) alone (as a prepared statement, so ``;``-separated
    statements cannot slip a ``COMMIT`` in) in a read-only transaction that is rolled
    back afterwards. Anything that would write fails with a ``QueryError`` and changes
    nothing.
    """
    if not sql.strip():
        raise QueryError("no SQL given")
    url = _db.resolve_url(url)
    if _db.is_postgres(url):
        return _run_sql_postgres(url, sql)
    return _run_sql_duckdb(url, sql, wait)


#: The statements ``run_sql`` runs on PostgreSQL: queries. A read-only transaction refuses
#: every write to the database, but not COPY … TO a server file (which a superuser may
#: run), nor what a DO block executes.
_PG_QUERY_KEYWORDS = frozenset({"select", "with", "values", "table", "show", "explain"})
_LEADING_NOISE_RE = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/|\()*", re.S)


def _first_keyword(sql: str) -> str:
    """The first word of a statement, past white space, comments and opening parentheses."""
    rest = sql[_LEADING_NOISE_RE.match(sql).end() :]
    word = re.match(r"[A-Za-z_]+", rest)
    return word.group(0).lower() if word else ""


def _run_sql_postgres(url: str, sql: str) -> QueryResult:
    import psycopg

    keyword = _first_keyword(sql)
    if keyword not in _PG_QUERY_KEYWORDS:
        raise QueryError(
            f"read-only: lpwh sql runs queries ({', '.join(sorted(_PG_QUERY_KEYWORDS))}) on "
            f"PostgreSQL, not {keyword.upper() or 'this statement'}; nothing was run"
        )
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            driver = conn.connection.driver_connection
            try:
                with driver.cursor() as cur:
                    cur.execute("SET TRANSACTION READ ONLY")
                    # A first query fixes the transaction's snapshot: from then on
                    # ``SET TRANSACTION READ WRITE`` is refused.
                    cur.execute("SELECT 1")
                    cur.execute(sql, prepare=True)
                    columns = [d.name for d in cur.description or ()]
                    rows = (
                        [tuple(_value(v) for v in row) for row in cur.fetchall()] if columns else []
                    )
            except psycopg.Error as exc:
                raise QueryError(_sql_message(exc.sqlstate == _PG_READ_ONLY, str(exc))) from exc
            finally:
                driver.rollback()
    except sqlalchemy.exc.SQLAlchemyError as exc:
        raise QueryError(f"cannot query {_db.redact(url)}: {_db_message(exc)}") from exc
    finally:
        engine.dispose()
    return QueryResult(columns, rows)


def _run_sql_duckdb(url: str, sql: str, wait: float | None) -> QueryResult:
    import duckdb

    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryError(_sql_message(False, str(exc))) from exc
    if len(statements) != 1:
        raise QueryError(_sql_message(False, "cannot run multiple statements at once"))
    engine = _engine(url, wait)
    try:
        with engine.connect() as conn:
            try:
                result = conn.exec_driver_sql(sql)
                columns = list(result.keys()) if result.returns_rows else []
                rows = [tuple(_value(v) for v in row) for row in result] if columns else []
            except sqlalchemy.exc.DBAPIError as exc:
                message = _db_message(exc)
                raise QueryError(_sql_message("read-only mode" in message, message)) from exc
    except sqlalchemy.exc.SQLAlchemyError as exc:
        raise QueryError(f"cannot query {_db.redact(url)}: {_db_message(exc)}") from exc
    finally:
        engine.dispose()
    return QueryResult(columns, rows)


def _sql_message(read_only: bool, message: str) -> str:
    first = message.strip().splitlines()[0] if message.strip() else "unknown error"
    if read_only:
        return (
            f"read-only: the statement would change the database, and nothing was changed ({first})"
        )
    if "multiple" in first and ("commands" in first or "statements" in first):
        return f"SQL failed: {first} (give one statement)"
    return f"SQL failed: {first}"


def _engine(url: str, wait: float | None = None) -> sqlalchemy.Engine:
    """A read-only engine; a clear error when a DuckDB file is missing (no empty file made)."""
    if not _db.is_postgres(url):
        path = _db.duckdb_path(url)
        if path.is_dir():
            raise QueryError(f"{path} is a directory, not a DuckDB warehouse file: give --db FILE")
        if not path.is_file():
            raise QueryError(
                f"no warehouse at {path}: load data first (lpwh load PATH) or give --db"
            )
    return _db.create_engine(url, read_only=True, wait=wait)


def _db_message(exc: sqlalchemy.exc.SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    message = str(orig if orig is not None else exc).strip()
    first = message.splitlines()[0] if message else type(exc).__name__
    if re.search(r"(Table with name|relation) \S+ does not exist", first):
        first += " (is the database migrated? run lpwh migrate or lpwh load)"
    return first


def _value(value: Any) -> Any:
    """A database value as the same Python value whichever database returned it."""
    if isinstance(value, Decimal):
        if value.is_finite() and value.as_tuple().exponent >= 0:
            return int(value)
        return float(value)
    return value
