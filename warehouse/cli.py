"""The ``lpwh`` command: a thin layer over the Python API in ``warehouse``.

Every command resolves the database the same way (``--db``, then
``LPWH_DATABASE_URL``, then ``./warehouse.duckdb``) and does nothing that a
user could not do by calling the API.
"""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(
    help="lp-warehouse: load LivePerson exports into a typed SQL warehouse and query it.",
    no_args_is_help=True,
    add_completion=False,
)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database: a DuckDB file path or a postgresql:// URL "
        "(default: $LPWH_DATABASE_URL, else ./warehouse.duckdb).",
        show_default=False,
    ),
]


# --- migrate command (schema) ---

# --- load command ---

# --- query and sql commands ---


def main() -> None:
    """Entry point of the ``lpwh`` console script."""
    app()


if __name__ == "__main__":
    main()
