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

WaitOption = Annotated[
    float | None,
    typer.Option(
        "--wait",
        metavar="SECONDS",
        help="How long to wait for another process's lock on a DuckDB file before failing "
        "(default: $LPWH_WAIT, else 0: fail at once, naming the process holding it).",
        show_default=False,
    ),
]


# --- migrate command (schema) ---


@app.callback()
def _group(ctx: typer.Context, db: DbOption = None, wait: WaitOption = None) -> None:
    """lp-warehouse: load LivePerson exports into a typed SQL warehouse and query it."""
    # ``--db`` and ``--wait`` are taken before the command too (``lpwh --db x.duckdb load …``):
    # the contract names ``--db`` without saying where it goes, so both places work.
    ctx.obj = {"db": db, "wait": wait}


def _shared(
    ctx: typer.Context, command: str, db: str | None, wait: float | None
) -> tuple[str | None, float | None]:
    """The command's ``--db`` and ``--wait``, else those given before the command.

    Two different databases (``lpwh --db a load --db b``) are refused rather than one
    silently chosen: loading into the wrong warehouse is not undone by loading again.
    """
    before = ctx.obj or {}
    for name, here in (("--db", db), ("--wait", wait)):
        there = before.get(name.lstrip("-"))
        if here is not None and there is not None and here != there:
            typer.echo(f"lpwh {command}: {name} is given twice, with different values", err=True)
            raise typer.Exit(2)
    return (
        db if db is not None else before.get("db"),
        wait if wait is not None else before.get("wait"),
    )


@app.command("migrate")
def migrate_command(
    ctx: typer.Context,
    db: DbOption = None,
    revision: Annotated[
        str, typer.Option("--revision", help="Schema revision to upgrade to.")
    ] = "head",
    downgrade: Annotated[
        str | None,
        typer.Option(
            "--downgrade",
            metavar="REVISION",
            help="Downgrade to REVISION instead ('base' drops every table of the warehouse).",
        ),
    ] = None,
    wait: WaitOption = None,
) -> None:
    """Bring the database to the newest schema (or to --revision), or --downgrade it."""
    from . import db as dbmod
    from . import migrate

    db, wait = _shared(ctx, "migrate", db, wait)
    if downgrade is not None and revision != "head":
        typer.echo("lpwh migrate: give either --revision or --downgrade, not both", err=True)
        raise typer.Exit(2)
    url = dbmod.resolve_url(db)
    shown = dbmod.redact(url)
    try:
        if downgrade is not None:
            before, after = migrate.downgrade(url, downgrade, wait=wait)
        else:
            before, after = migrate.upgrade(url, revision, wait=wait)
    except Exception as exc:  # any failure becomes one clear line, no traceback
        typer.echo(f"lpwh migrate: {shown}: {_error_line(exc, url)}", err=True)
        raise typer.Exit(1) from None
    if before == after:
        typer.echo(f"{shown}: already at schema revision {after or 'base (empty)'}; nothing to do")
    else:
        verb = "Downgraded" if downgrade is not None else "Upgraded"
        typer.echo(f"{verb} {shown} from {before or 'base (empty)'} to {after or 'base (empty)'}")


# --- load command ---


@app.command("load")
def load_command(
    ctx: typer.Context,
    paths: Annotated[list[str], typer.Argument(help="Files, directories and globs to load.")],
    db: DbOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Load files even if the same content was loaded before.")
    ] = False,
    output_format: Annotated[
        str, typer.Option("--format", help="Summary format: table or json.")
    ] = "table",
    publish_to: Annotated[
        str | None,
        typer.Option(
            "--publish",
            metavar="PATH",
            help="After the load, write a read-only copy for BI tools to PATH "
            "(replaced atomically).",
        ),
    ] = None,
    wait: WaitOption = None,
    max_record_bytes: Annotated[
        int | None,
        typer.Option(
            "--max-record-bytes",
            metavar="BYTES",
            min=1,
            help="Reject, unread, any record (JSON Lines line, page element) whose JSON text "
            "is bigger (default: $LPWH_MAX_RECORD_BYTES, else 64 MiB).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Load conversation exports and web-session files (JSON, JSON Lines, .gz) into the warehouse.

    Exits with status 1 when anything was rejected (the summary says what and where).
    """
    from . import db as dbmod
    from .load_report import LoadProgress, print_summary
    from .loading import load

    db, wait = _shared(ctx, "load", db, wait)
    if output_format not in ("table", "json"):
        typer.echo("lpwh load: --format must be table or json", err=True)
        raise typer.Exit(2)
    url = dbmod.resolve_url(db)
    shown = dbmod.redact(url)
    try:
        with LoadProgress(enabled=output_format == "table") as progress:
            summary = load(
                paths,
                url,
                force=force,
                on_progress=progress.update,
                wait=wait,
                max_record_bytes=max_record_bytes,
            )
    except FileNotFoundError as exc:
        typer.echo(f"lpwh load: {exc}", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        typer.echo(
            "lpwh load: interrupted: the files committed before stay loaded (load_file lists "
            "them), the rest was rolled back; load again to finish (loaded files are skipped)",
            err=True,
        )
        raise typer.Exit(130) from None
    except Exception as exc:  # a database that cannot be opened, a lock held by another process
        typer.echo(f"lpwh load: {shown}: {_error_line(exc, url)}", err=True)
        raise typer.Exit(1) from None
    print_summary(summary, output_format)
    if publish_to is not None:
        from .publishing import publish

        try:
            published = publish(url, publish_to, wait=wait)
        except Exception as exc:  # one clear line, no traceback
            typer.echo(f"lpwh load: publishing {publish_to}: {_error_line(exc, url)}", err=True)
            raise typer.Exit(1) from None
        typer.echo(published.describe(), err=output_format == "json")
    if summary.rejected:
        raise typer.Exit(1)


def _error_line(exc: BaseException, url: str) -> str:
    """The first line of an error, without the database password (see ``db.scrub``)."""
    from . import db as dbmod

    if isinstance(getattr(exc, "orig", None), dbmod.DatabaseLocked):
        exc = exc.orig  # type: ignore[union-attr] # its message says it all, unwrapped
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return dbmod.scrub(message, url)


# --- query and sql commands ---

QueryFormatOption = Annotated[
    str, typer.Option("--format", help="Output format: table, csv or json.", show_default=True)
]


def _check_format(command: str, output_format: str) -> None:
    from .output import FORMATS

    if output_format not in FORMATS:
        typer.echo(f"lpwh {command}: --format must be one of {', '.join(FORMATS)}", err=True)
        raise typer.Exit(2)


def _parse_params(pairs: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key or not value.strip():
            typer.echo(f"lpwh query: --param expects KEY=VALUE, got {pair!r}", err=True)
            raise typer.Exit(2)
        if key in params:
            typer.echo(f"lpwh query: --param {key} is given twice", err=True)
            raise typer.Exit(2)
        params[key] = value
    return params


@app.command("query")
def query_command(
    ctx: typer.Context,
    name: Annotated[
        str | None, typer.Argument(help="Query to run (lpwh query --list shows them).")
    ] = None,
    list_queries: Annotated[
        bool, typer.Option("--list", help="List the queries and the question each answers.")
    ] = False,
    start: Annotated[
        str | None, typer.Option("--start", help="First day, inclusive (YYYY-MM-DD, UTC).")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--end", help="Day after the last, exclusive (YYYY-MM-DD, UTC).")
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", metavar="KEY=VALUE", help="A query parameter; repeatable."),
    ] = None,
    output_format: QueryFormatOption = "table",
    db: DbOption = None,
    wait: WaitOption = None,
) -> None:
    """Run a canned business query (one SQL file each in queries/), or --list them."""
    from . import db as dbmod
    from . import queries
    from .output import render

    db, wait = _shared(ctx, "query", db, wait)
    _check_format("query", output_format)
    if list_queries:
        infos = queries.list_queries()
        render(["name", "question"], [(q.name, q.question) for q in infos], output_format)
        return
    if not name:
        typer.echo("lpwh query: give a query NAME, or --list to see them", err=True)
        raise typer.Exit(2)
    url = dbmod.resolve_url(db)
    try:
        result = queries.run_query(
            url, name, start=start, end=end, params=_parse_params(param or []), wait=wait
        )
    except queries.QueryError as exc:
        typer.echo(f"lpwh query: {dbmod.scrub(str(exc), url)}", err=True)
        raise typer.Exit(1) from None
    except (typer.Exit, typer.Abort, typer.TyperException):
        raise  # usage errors keep their own message and exit status
    except Exception as exc:  # a malformed URL, an unreachable server: one line, no secret
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        typer.echo(f"lpwh query: {dbmod.redact(url)}: {dbmod.scrub(message, url)}", err=True)
        raise typer.Exit(1) from None
    render(result.columns, result.rows, output_format)


@app.command("sql")
def sql_command(
    ctx: typer.Context,
    sql: Annotated[str, typer.Argument(help="One read-only SQL statement.")],
    output_format: QueryFormatOption = "table",
    db: DbOption = None,
    wait: WaitOption = None,
) -> None:
    """Run one read-only SQL statement on the warehouse; anything that writes fails."""
    from . import db as dbmod
    from . import queries
    from .output import render

    db, wait = _shared(ctx, "sql", db, wait)
    _check_format("sql", output_format)
    url = dbmod.resolve_url(db)
    try:
        result = queries.run_sql(url, sql, wait=wait)
    except queries.QueryError as exc:
        typer.echo(f"lpwh sql: {dbmod.scrub(str(exc), url)}", err=True)
        raise typer.Exit(1) from None
    except (typer.Exit, typer.Abort, typer.TyperException):
        raise  # usage errors keep their own message and exit status
    except Exception as exc:  # a malformed URL, an unreachable server: one line, no secret
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        typer.echo(f"lpwh sql: {dbmod.redact(url)}: {dbmod.scrub(message, url)}", err=True)
        raise typer.Exit(1) from None
    try:
        render(result.columns, result.rows, output_format)
    except ValueError as exc:  # two columns of one name, for JSON
        typer.echo(f"lpwh sql: {exc}", err=True)
        raise typer.Exit(1) from None


# --- publish command ---


@app.command("publish")
def publish_command(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="DuckDB file to write the read-only copy to.")],
    db: DbOption = None,
    storage_version: Annotated[
        str,
        typer.Option(
            "--storage-version",
            help="DuckDB storage format of the copy: v1.1.0 is readable by DuckDB 1.1.0 and "
            "later (what BI drivers bundle); latest only by DuckDB 2.0.",
        ),
    ] = "v1.1.0",
    wait: WaitOption = None,
) -> None:
    """Write a read-only copy of the warehouse for BI tools, replacing TARGET atomically.

    Point dashboards at the copy: they never see a half-written file and never block a load.
    """
    from . import db as dbmod
    from .publishing import publish

    db, wait = _shared(ctx, "publish", db, wait)
    url = dbmod.resolve_url(db)
    shown = dbmod.redact(url)
    try:
        result = publish(url, target, storage_version=storage_version, wait=wait)
    except Exception as exc:  # one clear line, no traceback; the previous copy is untouched
        # Scrubbed, not just the URL replaced: libpq quotes a bad password in its errors.
        typer.echo(f"lpwh publish: {shown}: {_error_line(exc, url)}", err=True)
        raise typer.Exit(1) from None
    typer.echo(result.describe())


def main() -> None:
    """Entry point of the ``lpwh`` console script."""
    app()


if __name__ == "__main__":
    main()
