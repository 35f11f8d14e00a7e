"""What the writer knows about each table, derived once from the models.

Arrow schemas for bulk staging, primary keys for upserts, and the roles that the
upsert rules need: which tables belong to a conversation, which of those are
themselves parents of other rows ("mid" tables, upserted in place because
DuckDB cannot delete a referenced parent in the transaction that deleted its
children), and which are leaves (deleted and re-inserted).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pyarrow as pa
from sqlalchemy import BigInteger, Boolean, Date, DateTime, Double, Integer, Table, Text

from warehouse.models import metadata

CONVERSATION = "conversation"
WEB_SESSION = "web_session"
BOOKKEEPING = {"load_file", "load_rejection"}


def arrow_type(column_type) -> pa.DataType:
    """The Arrow type used to stage a column of this SQL type."""
    if isinstance(column_type, DateTime):
        return pa.timestamp("ms")
    if isinstance(column_type, BigInteger):
        return pa.int64()
    if isinstance(column_type, Integer):
        return pa.int32()
    if isinstance(column_type, Double):
        return pa.float64()
    if isinstance(column_type, Boolean):
        return pa.bool_()
    if isinstance(column_type, Date):
        return pa.date32()
    if isinstance(column_type, Text):
        return pa.large_string()
    raise TypeError(f"no Arrow type for {column_type!r}")


@dataclass(frozen=True)
class TableInfo:
    """A table as the writer sees it."""

    name: str
    columns: tuple[str, ...]
    primary_key: tuple[str, ...]
    schema: pa.Schema
    parent: str | None  # the table a child row belongs to (first FK target), if any
    foreign_key_columns: tuple[str, ...]

    @property
    def update_columns(self) -> tuple[str, ...]:
        """Columns an upsert sets: not the key, and not the foreign keys — a row's parent
        never changes under the same key, and DuckDB refuses to SET an indexed (key or
        FK) column of a row that other rows reference."""
        fixed = set(self.primary_key) | set(self.foreign_key_columns)
        return tuple(c for c in self.columns if c not in fixed)

    def has(self, column: str) -> bool:
        return column in self.columns


def _info(table: Table) -> TableInfo:
    columns = tuple(str(c.name) for c in table.columns)
    parents = [str(fk.column.table.name) for fk in table.foreign_keys]
    # Prefer the FK that is part of the key: an SDE child's parent is its event, and an
    # SDE event's (nullable) conversation/visit FKs only say which context it has.
    key_parents = [str(fk.column.table.name) for fk in table.foreign_keys if fk.parent.primary_key]
    return TableInfo(
        name=str(table.name),
        columns=columns,
        primary_key=tuple(str(c.name) for c in table.primary_key.columns),
        schema=pa.schema([pa.field(c.name, arrow_type(c.type)) for c in table.columns]),
        parent=(key_parents or parents or [None])[0],
        foreign_key_columns=tuple(sorted({str(fk.parent.name) for fk in table.foreign_keys})),
    )


@cache
def tables() -> dict[str, TableInfo]:
    """Every warehouse table, in dependency order (parents before children)."""
    return {str(t.name): _info(t) for t in metadata.sorted_tables}


@cache
def referenced_tables() -> frozenset[str]:
    """Tables that other tables reference by foreign key."""
    return frozenset(
        fk.column.table.name for t in metadata.tables.values() for fk in t.foreign_keys
    )


def is_sde_event(name: str) -> bool:
    """Whether the table is one of the ten SDE event tables (not their child tables)."""
    info = tables()[name]
    return name.startswith("sde_") and info.primary_key == ("sde_id",)


@cache
def conversation_tables() -> tuple[str, ...]:
    """Tables whose rows are replaced with a conversation (all but the conversation itself)."""
    out = []
    for name, info in tables().items():
        if name in BOOKKEEPING or name == CONVERSATION:
            continue
        if info.has("conversation_id") or (info.parent and is_sde_event(info.parent)):
            out.append(name)
    return tuple(out)


@cache
def conversation_mid_tables() -> tuple[str, ...]:
    """Conversation tables that are parents of other rows: upserted in place, never deleted
    in the transaction that replaces their conversation."""
    return tuple(t for t in conversation_tables() if t in referenced_tables())


@cache
def conversation_leaf_tables() -> tuple[str, ...]:
    """Conversation tables that nothing references: deleted and re-inserted."""
    return tuple(t for t in conversation_tables() if t not in referenced_tables())


@cache
def web_tables() -> tuple[str, ...]:
    """Tables written from web-session files (facts that accumulate), without web_session."""
    out = []
    for name, info in tables().items():
        if name in BOOKKEEPING or name in (CONVERSATION, WEB_SESSION):
            continue
        if (
            name.startswith("web_")
            or is_sde_event(name)
            or (info.parent and is_sde_event(info.parent))
        ):
            out.append(name)
    return tuple(out)
