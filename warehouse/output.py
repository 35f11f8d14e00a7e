"""Rendering query results for ``lpwh query`` and ``lpwh sql``: table, CSV or JSON.

``json`` is one array of objects keyed by the result's column names, dates and
timestamps as ISO 8601 strings; ``csv`` has a header row and empty cells for NULL;
``table`` is a rich table for people (cells wrap rather than being cut off).
"""

from __future__ import annotations

import csv
import io
import sys
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any, TextIO

import orjson

FORMATS = ("table", "csv", "json")


def render(
    columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str, out: TextIO | None = None
) -> None:
    """Write ``rows`` (named by ``columns``) to ``out`` (default stdout) as ``fmt``."""
    out = out if out is not None else sys.stdout
    if fmt == "json":
        out.write(to_json(columns, rows))
        out.write("\n")
    elif fmt == "csv":
        out.write(to_csv(columns, rows))
    elif fmt == "table":
        print_table(columns, rows, out)
    else:
        raise ValueError(f"unknown format {fmt!r}; the formats are: {', '.join(FORMATS)}")


def to_json(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """One JSON array of objects whose keys are ``columns``; ``ValueError`` when two columns
    have the same name (one object key would silently hide the other's values)."""
    twice = sorted(c for c, n in Counter(columns).items() if n > 1)
    if twice:
        names = ", ".join(repr(c) for c in twice)
        raise ValueError(
            f"more than one column is named {names}: JSON objects need distinct keys "
            "(name them with AS, or use --format table or csv)"
        )
    objects = [dict(zip(columns, row, strict=True)) for row in rows]
    return orjson.dumps(objects, default=_json_default, option=orjson.OPT_INDENT_2).decode()


def _json_default(value: Any) -> Any:
    # orjson handles str, numbers, bool, None, date, datetime, time and UUID itself.
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return str(value)


def to_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """CSV text with a header row; NULL is an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return buffer.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return str(value)


#: Rows a table shows: it is for people, and rich lays out every cell of it first (100,000
#: rows took 7 minutes and 2.6 GB); csv and json write any number.
TABLE_ROWS = 1000


def print_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], out: TextIO) -> None:
    """A rich table of the rows (the first TABLE_ROWS, and a caption saying how many there
    are), numbers right-aligned, NULL shown dimmed."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    total = len(rows)
    table = Table(show_lines=False, caption=f"{total:,} row{'s' if total != 1 else ''}")
    rows = rows[:TABLE_ROWS]
    for i, name in enumerate(columns):
        numeric = any(
            isinstance(row[i], int | float) and not isinstance(row[i], bool) for row in rows
        )
        table.add_column(name, justify="right" if numeric else "left", overflow="fold")
    for row in rows:
        table.add_row(*(Text("NULL", style="dim") if v is None else Text(_cell(v)) for v in row))
    console = Console(file=out)
    console.print(table)
    if total > len(rows):
        console.print(
            f"(the first {len(rows):,} of {total:,} rows: --format csv or json gives them all)"
        )
