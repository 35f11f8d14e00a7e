"""Text that is not an identifier keeps the database's collation on PostgreSQL.

0002 gave every text column COLLATE "C". Under "C", PostgreSQL's lower(), upper(), ILIKE
and case-insensitive regular expressions know only ASCII letters: lower('ÄPFEL') stays
'ÄPFEL', so the canned queries that lower-case keywords and customer segments answered
differently from DuckDB, and so would anyone's SQL on names, titles and text. Identifiers
— the text columns of primary, unique and foreign keys — stay "C" (their index keys are
compared with memcmp, which is what made loads faster); every other text column goes back
to the database's default collation. The canned queries say COLLATE "C" wherever they
sort, so their order stays that of DuckDB. Nothing to do on DuckDB.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from alembic import op

from migrations.collation import collate_sql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The warehouse's tables, as at 0002.
TABLES = importlib.import_module("migrations.versions.0002_text_by_code_point").TABLES


def upgrade() -> None:
    """Text columns outside primary, unique and foreign keys: the database's collation."""
    if op.get_context().dialect.name == "postgresql":
        op.execute(collate_sql(TABLES, "others", "default"))


def downgrade() -> None:
    """Every text column COLLATE "C" again, as 0002 left them."""
    if op.get_context().dialect.name == "postgresql":
        op.execute(collate_sql(TABLES, "others", "C"))
