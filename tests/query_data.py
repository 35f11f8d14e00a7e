"""Small hand-made data sets for the query tests, inserted with SQLAlchemy Core.

A test describes its rows with a ``Data`` builder (conversations, visits, messages,
SDE events, web facts, ...), each with only the columns the query under test looks
at; ``Data.insert(url)`` writes them into a fresh warehouse, parents first. Keys
that the queries never read (ordinals, message ids, SDE ids, fact ids) are numbered
automatically.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import datetime
from typing import Any

from warehouse.db import create_engine
from warehouse.models import metadata


def ts(value: str | datetime | None) -> datetime | None:
    """``'2024-03-01 10:00:00.500'`` as a naive UTC datetime (``None`` stays ``None``)."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


class Data:
    """Rows to insert, table by table."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._ids = itertools.count(1)

    def _next(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):04d}"

    def _ordinal(self, table: str, **key: Any) -> int:
        return sum(1 for row in self.rows[table] if all(row.get(k) == v for k, v in key.items()))

    # --- conversations -------------------------------------------------------------------

    def conversation(self, conversation_id: str, start: str | None, **cols: Any) -> str:
        """A conversation starting at ``start`` (UTC); ``cols`` are other conversation columns."""
        if "end_time" in cols:
            cols["end_time"] = ts(cols["end_time"])
        self.rows["conversation"].append(
            {
                "conversation_id": conversation_id,
                "start_time": ts(start),
                "record_hash": "test",
                **cols,
            }
        )
        return conversation_id

    def message(
        self,
        conversation_id: str,
        time: str | None,
        sent_by: str | None,
        participant_id: str | None = None,
        **cols: Any,
    ) -> str:
        """A message of a conversation; returns its message id."""
        message_id = cols.pop("message_id", None) or self._next("m")
        self.rows["message"].append(
            {
                "conversation_id": conversation_id,
                "message_id": message_id,
                "time": ts(time),
                "sent_by": sent_by,
                "participant_id": participant_id,
                **cols,
            }
        )
        return message_id

    def transfer(self, conversation_id: str, **cols: Any) -> None:
        """A transfer of a conversation."""
        ordinal = self._ordinal("transfer", conversation_id=conversation_id)
        self.rows["transfer"].append(
            {"conversation_id": conversation_id, "ordinal": ordinal, **cols}
        )

    def participant(self, conversation_id: str, participant_type: str, **cols: Any) -> None:
        """An agent (``'AGENT'``) or consumer (``'CONSUMER'``) participant of a conversation."""
        ordinal = self._ordinal(
            "participant", conversation_id=conversation_id, participant_type=participant_type
        )
        self.rows["participant"].append(
            {
                "conversation_id": conversation_id,
                "participant_type": participant_type,
                "ordinal": ordinal,
                **cols,
            }
        )

    def survey_answer(
        self,
        conversation_id: str,
        survey_type: str | None,
        question: str | None,
        answer: str | None,
        survey_index: int = 0,
    ) -> None:
        """One question/answer of a conversation's survey (``question`` None: no answers)."""
        answer_index = self._ordinal(
            "survey_answer", conversation_id=conversation_id, survey_index=survey_index
        )
        self.rows["survey_answer"].append(
            {
                "conversation_id": conversation_id,
                "survey_index": survey_index,
                "answer_index": answer_index,
                "survey_type": survey_type,
                "question": question,
                "answer": answer,
            }
        )

    def intent(
        self, conversation_id: str, message_id: str, intent_id: str | None, score: float | None
    ) -> None:
        """An intent recognised in a message (the message must be added too)."""
        ordinal = self._ordinal(
            "message_intent", conversation_id=conversation_id, message_id=message_id
        )
        self.rows["message_intent"].append(
            {
                "conversation_id": conversation_id,
                "message_id": message_id,
                "ordinal": ordinal,
                "intent_id": intent_id,
                "confidence_score": score,
            }
        )

    # --- SDE events ----------------------------------------------------------------------

    def sde(
        self,
        table: str,
        *,
        conversation: str | None = None,
        visit: str | None = None,
        server_time: str | None = None,
        **cols: Any,
    ) -> str:
        """An SDE event of ``conversation`` or of ``visit`` in ``sde_<table>``; returns its id."""
        assert (conversation is None) != (visit is None), "an event has one context"
        sde_id = self._next("sde")
        self.rows[f"sde_{table}"].append(
            {
                "sde_id": sde_id,
                "source": "conversation" if conversation else "web_session",
                "conversation_id": conversation,
                "visit_id": visit,
                "server_time": ts(server_time),
                "raw": "{}",
                **cols,
            }
        )
        return sde_id

    def keywords(self, sde_id: str, *keywords: str | None) -> None:
        """The keywords of a search-content event."""
        for ordinal, keyword in enumerate(keywords):
            self.rows["sde_search_content_keyword"].append(
                {"sde_id": sde_id, "ordinal": ordinal, "keyword": keyword}
            )

    # --- web sessions --------------------------------------------------------------------

    def visit(
        self,
        visit_id: str,
        start: str | None,
        first_fact: str | None = None,
        **cols: Any,
    ) -> str:
        """A visit whose session starts at ``start`` (and whose earliest fact is ``first_fact``)."""
        self.rows["web_session"].append(
            {
                "visit_id": visit_id,
                "session_start_time": ts(start),
                "first_fact_time": ts(first_fact),
                **cols,
            }
        )
        return visit_id

    def page_view(self, visit_id: str, url: str | None, time: str | None) -> None:
        """A navigation entry of a visit."""
        self.rows["web_page_view"].append(
            {"visit_id": visit_id, "fact_id": self._next("f"), "url": url, "event_time": ts(time)}
        )

    def impression(
        self,
        visit_id: str,
        campaign_id: int | None,
        channel: str | None,
        impression_type: str | None,
    ) -> None:
        """An engagement impression of a visit."""
        self.rows["web_impression"].append(
            {
                "visit_id": visit_id,
                "fact_id": self._next("f"),
                "campaign_id": campaign_id,
                "engagement_channel": channel,
                "impression_type": impression_type,
            }
        )

    def goal(
        self,
        visit_id: str,
        campaign_goal_id: int | None,
        campaign_goal_type: int | None,
        achieved_goal_id: str | None,
        metadata_kind: str | None,
    ) -> None:
        """An achieved goal of a visit."""
        self.rows["web_goal_achieved"].append(
            {
                "visit_id": visit_id,
                "fact_id": self._next("f"),
                "campaign_goal_id": campaign_goal_id,
                "campaign_goal_type": campaign_goal_type,
                "achieved_goal_id": achieved_goal_id,
                "metadata_kind": metadata_kind,
            }
        )

    # --- writing -------------------------------------------------------------------------

    def insert(self, url: str) -> None:
        """Write every row into the warehouse at ``url``, parent tables first."""
        engine = create_engine(url)
        try:
            with engine.begin() as conn:
                for table in metadata.sorted_tables:
                    rows = self.rows.get(table.name)
                    if not rows:
                        continue
                    # executemany needs the same keys in every row: absent means NULL.
                    keys = sorted({k for row in rows for k in row})
                    conn.execute(table.insert(), [{k: row.get(k) for k in keys} for row in rows])
        finally:
            engine.dispose()
