"""A conversation's version leaves out its response due time: stored versions are redone.

A conversation's version is the latest timestamp of its record. Up to 0004 that counted
``responseTime.latestEffectiveResponseDueTime``, a deadline: often later than anything
else in the record and the same in the OPEN and the CLOSED snapshot, so the two had equal
versions and the stale OPEN one could replace the CLOSED one. The loader now leaves it
out. Stored versions that the due time decided are computed again here from the stored
rows — by the rule the loader follows now — so that a newer snapshot loaded after the
upgrade is not taken for an older one. (Time stamps of SDE events rejected alone counted
too, and are not in the tables: where one of them was the latest, the version comes out
earlier than a new load of the file would make it; ``lpwh load --force`` of the file
gives that.)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Every table of a conversation's rows and its timestamp columns that count in the version,
#: as of this revision (``loaders.conversations`` keeps the loader's own list; a test checks
#: that the two agree). ``True``: the table has ``load_id``, and rows retired by DuckDB's
#: two-step replacement (``load_id = -1``) are no longer the conversation's.
VERSION_COLUMNS: dict[str, tuple[tuple[str, ...], bool]] = {
    "conversation": (
        ("start_time", "end_time", "conversation_end_time", "full_dialog_end_time",
         "summary_last_updated_time"),
        True,
    ),
    "participant": (("time",), False),
    "message": (("time",), True),
    "message_status": (("time",), False),
    "message_score": (("time",), False),
    "transfer": (("time",), False),
    "interaction": (("interaction_time",), False),
    "cobrowse_session": (("start_time", "end_time"), False),
    "dialog": (("start_time", "end_time"), False),
    "agent_survey": (("last_update_time",), True),
    **{
        f"sde_{name}": (("server_time", "original_time"), True)
        for name in (
            "customer_info", "personal_info", "cart_status", "marketing_campaign_info",
            "search_content", "viewed_product", "visitor_error", "lead", "service_activity",
        )
    },
    "sde_purchase": (("cart_server_time", "server_time", "original_time"), True),
}  # fmt: skip

_AFFECTED = (
    "SELECT conversation_id FROM conversation "
    "WHERE record_version = latest_effective_response_due_time"
)


def _times() -> str:
    """Every version time of the affected conversations, one row each."""
    parts = []
    for table, (columns, has_load_id) in VERSION_COLUMNS.items():
        live = " AND load_id <> -1" if has_load_id else ""
        for column in columns:
            parts.append(
                f'SELECT conversation_id, "{column}" AS t FROM "{table}" '
                f"WHERE conversation_id IN ({_AFFECTED}){live}"
            )
    return "\nUNION ALL ".join(parts)


def upgrade() -> None:
    """Versions decided by the due time, computed again without it."""
    op.execute(
        "UPDATE conversation SET record_version = v.version "
        f"FROM (SELECT conversation_id, max(t) AS version FROM ({_times()}) times "
        "GROUP BY conversation_id) v "
        "WHERE conversation.conversation_id = v.conversation_id"
    )


def downgrade() -> None:
    """Nothing to undo: a version without the due time is never later than one with it,
    so the older rule still replaces what it should."""
