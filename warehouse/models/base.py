"""Declarative base and the column helpers every model module uses.

Types are chosen once here so that every table follows the contract: text is
unbounded (``Text``, never ``VARCHAR(n)``), epoch-millisecond fields become
naive UTC ``TIMESTAMP`` columns, documented ``int``/``long``/``double``/``boolean``
fields get the matching SQL type, and every column carries the documentation
of its source field as its comment so that BI tools show it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Double,
    Index,
    Integer,
    MetaData,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, mapped_column

# Constraint names are fixed so that Alembic migrations and the models agree on
# both databases and a later migration can drop or alter a constraint by name.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


#: Every text column: unbounded, in the database's own collation.
TEXT = Text()
#: A text column in a primary, unique or foreign key: compared by code point on PostgreSQL
#: too (``COLLATE "C"``), as DuckDB compares text — index keys compared with memcmp rather
#: than a locale's collation (migrations 0002, 0003). Other text keeps the database's
#: collation: under "C", PostgreSQL's lower(), upper() and ILIKE know only ASCII letters.
KEY_TEXT = Text().with_variant(Text(collation="C"), "postgresql")


def key_columns_by_code_point(metadata: MetaData) -> None:
    """Give every text column of ``metadata`` that is in a primary, unique or foreign key
    the type :data:`KEY_TEXT` (identifiers; an indexed name such as a skill's keeps
    the database's collation, for lower() and ILIKE)."""
    for table in metadata.tables.values():
        keyed = {c.name for c in table.primary_key.columns}
        keyed |= {fk.parent.name for fk in table.foreign_keys}
        keyed |= {c.name for index in table.indexes if index.unique for c in index.columns}
        keyed |= {
            c.name
            for constraint in table.constraints
            if isinstance(constraint, UniqueConstraint)
            for c in constraint.columns
        }
        keyed |= {c.name for c in table.columns if c.unique}
        for column in table.columns:
            if column.name in keyed and isinstance(column.type, Text):
                column.type = KEY_TEXT


def text_index(column: str) -> Index:
    """A PostgreSQL index for equality lookups and joins on a text column that is no key.

    A hash index: a B-tree entry holds at most ~2.7 kB, so a long value (a 3,000-character
    skill name, say) would fail its record, and text has no length limit. Hash indexes
    store a value's hash and serve ``=`` and joins, which is what these columns take; the
    keys keep their B-trees (see ``loaders.batch.MAX_KEY_BYTES``). None on DuckDB (see
    README, "The data model")."""
    return Index(None, column, postgresql_using="hash").ddl_if(dialect="postgresql")


class Base(DeclarativeBase):
    """Base class of every warehouse table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        str: TEXT,
        int: BigInteger(),
        float: Double(),
        bool: Boolean(),
        datetime: DateTime(timezone=False),
        date: Date(),
    }


def text(comment: str, **kw):
    """An unbounded text column."""
    return mapped_column(TEXT, comment=comment, **kw)


def json_text(comment: str, **kw):
    """A column holding JSON as text (kept exactly as serialised by the loader)."""
    return mapped_column(TEXT, comment=f"{comment} (JSON text)", **kw)


def ts(comment: str, **kw):
    """A naive UTC timestamp column, from an epoch-millisecond source field."""
    return mapped_column(DateTime(timezone=False), comment=f"{comment} (UTC)", **kw)


def long(comment: str, **kw):
    """A 64-bit integer column (documented type ``long``, or ids that exceed 32 bits)."""
    return mapped_column(BigInteger(), comment=comment, **kw)


def int32(comment: str, **kw):
    """A 32-bit integer column (documented type ``int``)."""
    return mapped_column(Integer(), comment=comment, **kw)


def double(comment: str, **kw):
    """A double-precision column (documented type ``double``)."""
    return mapped_column(Double(), comment=comment, **kw)


def boolean(comment: str, **kw):
    """A boolean column."""
    return mapped_column(Boolean(), comment=comment, **kw)


def day(comment: str, **kw):
    """A calendar date column (from ``{"year", "month", "day"}``)."""
    return mapped_column(Date(), comment=comment, **kw)


EXTRA_COMMENT = (
    "Fields of the source object that no column holds, and values that could not be cast, "
    "kept so that nothing in an export is lost"
)


def extra():
    """The ``extra`` column: source fields without a column of their own, as JSON text."""
    return json_text(EXTRA_COMMENT)
