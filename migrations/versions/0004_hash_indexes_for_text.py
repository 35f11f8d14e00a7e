"""Text columns that are no key are indexed by hash on PostgreSQL: values of any length load.

A PostgreSQL B-tree entry holds at most ~2.7 kB, so the loader rejected a whole
conversation whose skill name, agent id, intent id or order id was longer than 1,000 bytes
(and a web body whose visitor id was), where the contract says text has no length
limit. These columns are looked up by equality and joined on, which a hash index serves
with no limit on the value. Keys keep their B-trees. Nothing to do on DuckDB, which has
none of these indexes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, column) of every index that becomes a hash index; each is named ix_<table>_<column>.
TEXT_INDEXES = (
    ("conversation", "latest_agent_id"),
    ("conversation", "latest_skill_name"),
    ("participant", "agent_id"),
    ("message_intent", "intent_id"),
    ("sde_purchase", "order_id"),
    ("web_session", "visitor_id"),
)


def _rebuild(using: str) -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for table, column in TEXT_INDEXES:
        name = f"ix_{table}_{column}"
        op.drop_index(name, table_name=table)
        op.create_index(name, table, [column], postgresql_using=using)


def upgrade() -> None:
    """Hash indexes instead of B-trees on the text columns of TEXT_INDEXES."""
    _rebuild("hash")


#: The longest value a B-tree of 0003 is sure to take (an entry holds at most ~2.7 kB).
BTREE_VALUE_BYTES = 2000


def downgrade() -> None:
    """B-trees again, as 0001 made them — refused, with what stands in the way, while a
    stored value is too long for one (PostgreSQL would fail with "index row size")."""
    if op.get_context().dialect.name == "postgresql" and not op.get_context().as_sql:
        bind = op.get_bind()
        for table, column in TEXT_INDEXES:
            sql = (
                f'SELECT count(*) FROM "{table}" WHERE octet_length("{column}") > '
                f"{BTREE_VALUE_BYTES}"
            )
            long_values = bind.exec_driver_sql(sql).scalar()
            if long_values:
                raise RuntimeError(
                    f"cannot downgrade below 0004: {long_values} value(s) of {table}.{column} "
                    f"are longer than {BTREE_VALUE_BYTES:,} bytes, more than the B-tree index "
                    "of revision 0003 holds; shorten or delete them first"
                )
    _rebuild("btree")
