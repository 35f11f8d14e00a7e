"""Text collations of the warehouse's columns on PostgreSQL, altered by the catalog.

Migrations 0002 and 0003 change the collation of many text columns. Which columns is read
from the database's own catalog by the statement itself (a ``DO`` block), so that the
revisions neither depend on the current models nor need a connection to be written out:
``alembic upgrade --sql`` prints them as they run.
"""

from __future__ import annotations

#: Columns in a primary, unique or foreign key (constraints, and unique indexes).
_KEYED = """
    EXISTS (
        SELECT 1 FROM pg_constraint k
        JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
        WHERE k.conrelid = (quote_ident(c.table_schema) || '.'
                            || quote_ident(c.table_name))::regclass
          AND k.contype IN ('p', 'u', 'f') AND a.attname = c.column_name)
    OR EXISTS (
        SELECT 1 FROM pg_index i
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
        WHERE i.indrelid = (quote_ident(c.table_schema) || '.'
                            || quote_ident(c.table_name))::regclass
          AND i.indisunique AND a.attname = c.column_name)
"""

WHICH = {"all": "TRUE", "keys": _KEYED, "others": f"NOT ({_KEYED})"}


def collate_sql(tables: tuple[str, ...], which: str, collation: str) -> str:
    """A ``DO`` block that gives the text columns of ``tables`` (``which``: ``all``, ``keys``
    or ``others``) the collation ``collation``: one ``ALTER TABLE`` per table, so that its
    indexes are rebuilt once."""
    # (No "%" in the text: written out offline, SQLAlchemy would double it.)
    names = ", ".join(f"'{t}'" for t in tables)
    return f"""
DO $lpwh$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT c.table_name,
               string_agg('ALTER COLUMN ' || quote_ident(c.column_name) || ' TYPE text COLLATE '
                          || quote_ident('{collation}'), ', ' ORDER BY c.ordinal_position) AS alters
        FROM information_schema.columns c
        WHERE c.table_schema = current_schema() AND c.data_type = 'text'
          AND c.table_name IN ({names}) AND ({WHICH[which]})
        GROUP BY c.table_name ORDER BY c.table_name
    LOOP
        EXECUTE 'ALTER TABLE ' || quote_ident(r.table_name) || ' ' || r.alters;
    END LOOP;
END
$lpwh$"""
