"""Text compares by code point on PostgreSQL: every text column gets COLLATE "C".

DuckDB compares text by code point (binary); a PostgreSQL database compares by its
default collation, often a locale's (en_US.UTF-8, an ICU locale) or C.UTF-8, which all
go through the C library's or ICU's collation for every comparison. Two reasons to
collate the warehouse's text by code point on PostgreSQL too:

- the same order on both databases, for anyone's SQL as for the canned queries (which
  say COLLATE "C" where they sort);
- loads: every index insert compares keys (conversation ids, message ids, SDE ids, …)
  with memcmp instead of the locale's collation — on this project's server (C.UTF-8)
  loads of the benchmark's conversations took about 8 % less time; on locale-collated
  servers the saving is bigger.

Equality does not change (every collation involved is deterministic), so joins with
text columns of other collations still work. Nothing to do on DuckDB. PostgreSQL
rebuilds the indexes on the columns it alters: on a big warehouse this migration takes
about as long as building those indexes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from migrations.collation import collate_sql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The warehouse's tables at revision 0001 (a later table is created collated).
TABLES = (
    "agent_survey",
    "agent_survey_answer",
    "cobrowse_session",
    "conversation",
    "conversation_intent",
    "dialog",
    "interaction",
    "load_file",
    "load_rejection",
    "message",
    "message_intent",
    "message_score",
    "message_status",
    "participant",
    "sde_cart_status",
    "sde_cart_status_product",
    "sde_customer_info",
    "sde_lead",
    "sde_marketing_campaign_info",
    "sde_personal_info",
    "sde_personal_info_contact",
    "sde_purchase",
    "sde_purchase_product",
    "sde_search_content",
    "sde_search_content_keyword",
    "sde_service_activity",
    "sde_viewed_product",
    "sde_viewed_product_product",
    "sde_visitor_error",
    "survey_answer",
    "transfer",
    "web_eligibility",
    "web_goal_achieved",
    "web_impression",
    "web_page_view",
    "web_session",
    "web_session_source",
)


def _collate(collation: str) -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(collate_sql(TABLES, "all", collation))


def upgrade() -> None:
    """Every text column of the warehouse's tables: COLLATE "C" (PostgreSQL)."""
    _collate("C")


def downgrade() -> None:
    """Back to the database's default collation (PostgreSQL)."""
    _collate("default")
