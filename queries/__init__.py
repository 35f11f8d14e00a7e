"""The canned business queries of ``queries.md``: one portable SQL file per query.

Each ``<name>.sql`` file runs unchanged on DuckDB and PostgreSQL and starts with a
header comment that ``warehouse.queries`` parses (see ``warehouse.queries.parse_header``):

    -- <name>
    -- question: <the business question>
    -- param <name> (<date | int | one of a|b>, default <value | none>): <description>
    -- column <name>: <description>
    -- order: <row order>
    -- <any other comment line: notes>

A comment line indented by three or more spaces continues the previous entry.
Parameters are bound by name (``:start``, ``:end``, ...), never formatted into the text.
The files are package data: ``importlib.resources.files("queries")`` finds them in an
installed wheel as well as in the checkout.
"""
