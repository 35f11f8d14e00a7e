"""lp-warehouse: a typed SQL warehouse for LivePerson conversation and web-session exports.

The Python API behind the ``lpwh`` command::

    import warehouse

    warehouse.upgrade("warehouse.duckdb")                 # lpwh migrate
    summary = warehouse.load(["exports/"], "warehouse.duckdb")   # lpwh load exports/
    result = warehouse.run_query("warehouse.duckdb", "csat_by_agent", start="2024-01-01")
    rows = warehouse.run_sql("warehouse.duckdb", "SELECT count(*) FROM conversation").rows

Every function takes the database as a DuckDB file path or a ``postgresql://`` URL;
``None`` means ``$LPWH_DATABASE_URL``, else ``./warehouse.duckdb``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from warehouse.load_results import LoadSummary

_QUERY_API = (
    "list_queries",
    "run_query",
    "run_sql",
    "QueryInfo",
    "QueryParameter",
    "QueryResult",
    "QueryError",
)
__all__ = ["upgrade", "downgrade", "load", "publish", *_QUERY_API]


def upgrade(url: str | None = None, revision: str = "head") -> tuple[str | None, str | None]:
    """Upgrade the database to ``revision`` (the newest schema by default).

    Returns the revisions before and after."""
    from warehouse import db
    from warehouse import migrate as _migrate

    return _migrate.upgrade(db.resolve_url(url), revision)


def downgrade(url: str | None = None, revision: str = "base") -> tuple[str | None, str | None]:
    """Downgrade the database to ``revision`` (``base`` drops every warehouse table)."""
    from warehouse import db
    from warehouse import migrate as _migrate

    return _migrate.downgrade(db.resolve_url(url), revision)


def load(paths: Any, url: str | None = None, **options: Any) -> LoadSummary:
    """Load files, directories and globs; see ``warehouse.loading.load`` for the options."""
    from warehouse.loading import load as _load

    return _load(paths, url, **options)


def __getattr__(name: str) -> Any:
    # The query API lives in its own module; import it only when it is used.
    if name in _QUERY_API:
        from warehouse import queries

        return getattr(queries, name)
    if name in ("publish", "PublishResult", "PublishError"):
        from warehouse import publishing

        return getattr(publishing, name)
    raise AttributeError(name)
