"""The canned queries of queries.md, on DuckDB and PostgreSQL.

Every test builds a small data set by hand, runs the query on both databases (the
``db_url`` fixture) and compares with expected rows worked out by hand: the same
literal rows on both databases prove that both return identical Python values.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path

import pytest
from query_data import Data

from warehouse.queries import QueryError, get_query, list_queries, run_query, run_sql

# The documented queries and their columns, as queries.md fixes them.
DOCUMENTED = {
    "conversation_volume": ("day", "conversations", "closed", "open"),
    "csat_by_agent": (
        "agent_id",
        "agent_name",
        "conversations",
        "rated",
        "avg_csat",
        "csat_top2_pct",
    ),
    "first_response_time_by_skill": (
        "skill_name",
        "conversations",
        "answered",
        "unanswered",
        "avg_frt_s",
        "median_frt_s",
    ),
    "transfer_rate_by_skill": ("skill_name", "conversations", "transferred", "transfer_rate_pct"),
    "close_reason_breakdown": (
        "close_reason",
        "close_reason_description",
        "conversations",
        "share_pct",
    ),
    "mcs_by_skill": ("skill_name", "conversations", "avg_mcs", "negative", "neutral", "positive"),
    "aov_by_customer_segment": ("source", "segment", "orders", "revenue", "aov", "contexts"),
    "chat_conversion_by_skill": (
        "skill_name",
        "conversations",
        "converted",
        "conversion_pct",
        "revenue",
    ),
    "cart_abandonment": (
        "source",
        "contexts_with_cart",
        "purchased",
        "abandoned",
        "abandonment_pct",
        "abandoned_value",
    ),
    "lead_pipeline": ("source", "topic", "leads", "total_value", "avg_value"),
    "top_visitor_errors": ("code", "message", "occurrences", "contexts", "unresolved"),
    "survey_answers": ("survey_type", "question", "answer", "responses", "share_pct"),
    "agent_workload": (
        "agent_id",
        "agent_name",
        "conversations",
        "messages_sent",
        "avg_duration_s",
    ),
    "bot_intents": ("intent_id", "occurrences", "avg_confidence_score"),
    "campaign_engagement_funnel": (
        "campaign_id",
        "channel",
        "shows",
        "accepts",
        "closes",
        "timeouts",
        "acceptance_pct",
    ),
    "goal_achievement": (
        "campaign_goal_id",
        "campaign_goal_type",
        "achievements",
        "visits",
        "metadata_kind",
    ),
    "top_pages": ("url", "page_views", "visits", "entries"),
    "visits_by_geo": ("country_code", "country", "visits", "visitors"),
    "search_keywords": ("keyword", "searches", "contexts"),
}
LIMITED = {"top_visitor_errors", "top_pages", "search_keywords"}


def rows(url: str, name: str, **kwargs) -> list[tuple]:
    """The rows of a query, after checking its columns are the documented ones."""
    result = run_query(url, name, **kwargs)
    assert tuple(result.columns) == DOCUMENTED[name]
    return result.rows


# --- the catalogue ---------------------------------------------------------------------------


def test_every_documented_query_exists_with_its_columns() -> None:
    infos = {q.name: q for q in list_queries()}
    for name, columns in DOCUMENTED.items():
        assert name in infos, name
        assert infos[name].columns == columns
        assert infos[name].question.endswith("?")


def test_parameters_are_documented_with_defaults() -> None:
    for info in list_queries():
        names = [p.name for p in info.parameters]
        assert names[:2] == ["start", "end"], info.name
        assert info.parameter("start").default is None
        assert info.parameter("start").type == "date"
    for name in LIMITED:
        limit = get_query(name).parameter("limit")
        assert (limit.type, limit.default) == ("int", "20")
    segment_by = get_query("aov_by_customer_segment").parameter("segment_by")
    assert segment_by.default == "customer_type"
    assert segment_by.choices == ("customer_type", "customer_status")


def test_sql_binds_exactly_the_documented_parameters() -> None:
    from sqlalchemy import text

    for info in list_queries():
        assert set(text(info.sql)._bindparams) == {p.name for p in info.parameters}, info.name


def test_every_query_on_an_empty_warehouse(db_url: str) -> None:
    for name in DOCUMENTED:
        assert rows(db_url, name) == [], name


# --- errors -----------------------------------------------------------------------------------


def test_unknown_query_lists_the_queries(duckdb_url: str) -> None:
    with pytest.raises(QueryError) as err:
        run_query(duckdb_url, "conversation_volum")
    assert "conversation_volum" in str(err.value)
    for name in DOCUMENTED:
        assert name in str(err.value)


def test_unknown_parameter_lists_the_parameters(duckdb_url: str) -> None:
    with pytest.raises(QueryError) as err:
        run_query(duckdb_url, "top_pages", params={"limt": "5"})
    message = str(err.value)
    assert "'limt'" in message
    assert "start" in message and "end" in message and "limit (int, default 20)" in message


@pytest.mark.parametrize("bad", ["2024-13-01", "2024-3-1", "yesterday", "2024-03-01T10:00"])
def test_bad_date_is_a_clear_error(duckdb_url: str, bad: str) -> None:
    with pytest.raises(QueryError, match=r"start must be a date YYYY-MM-DD"):
        run_query(duckdb_url, "conversation_volume", start=bad)


def test_bad_parameter_values(duckdb_url: str) -> None:
    with pytest.raises(QueryError, match="limit must be a whole number"):
        run_query(duckdb_url, "top_pages", params={"limit": "ten"})
    with pytest.raises(QueryError, match="limit must not be negative"):
        run_query(duckdb_url, "top_pages", params={"limit": "-1"})
    with pytest.raises(QueryError, match="customer_type, customer_status"):
        run_query(duckdb_url, "aov_by_customer_segment", params={"segment_by": "tier"})
    with pytest.raises(QueryError, match="given twice"):
        run_query(duckdb_url, "top_pages", start="2024-03-01", params={"start": "2024-03-02"})


def test_missing_duckdb_file_is_a_clear_error(tmp_path) -> None:
    missing = tmp_path / "nowhere.duckdb"
    with pytest.raises(QueryError, match="no warehouse at"):
        run_query(str(missing), "conversation_volume")
    assert not missing.exists()


def test_unmigrated_database_says_so(empty_db_url: str) -> None:
    if not empty_db_url.startswith("postgresql"):
        # An empty DuckDB file: create it, without tables.
        import duckdb

        duckdb.connect(empty_db_url).close()
    with pytest.raises(QueryError, match="migrate"):
        run_query(empty_db_url, "conversation_volume")


# --- conversation queries -----------------------------------------------------------------------


def test_conversation_volume(db_url: str) -> None:
    d = Data()
    d.conversation("c1", "2024-03-01 08:00:00", status="CLOSE")
    d.conversation("c2", "2024-03-01 23:59:59.999", status="OPEN")
    d.conversation("c3", "2024-03-02 00:00:00", status="CLOSE")
    d.conversation("c4", "2024-03-02 12:00:00", status=None)
    d.conversation("c5", "2024-03-03 00:00:00", status="CLOSE")
    d.conversation("c6", None, status="CLOSE")  # starts on no day
    d.insert(db_url)

    assert rows(db_url, "conversation_volume") == [
        (date(2024, 3, 1), 2, 1, 1),
        (date(2024, 3, 2), 2, 1, 0),
        (date(2024, 3, 3), 1, 1, 0),
    ]
    # start inclusive, end exclusive (c3 at 00:00 of the start day is in, c5 at 00:00 of the
    # end day is out)
    assert rows(db_url, "conversation_volume", start="2024-03-02", end="2024-03-03") == [
        (date(2024, 3, 2), 2, 1, 0),
    ]
    assert rows(db_url, "conversation_volume", start=date(2024, 3, 2)) == [
        (date(2024, 3, 2), 2, 1, 0),
        (date(2024, 3, 3), 1, 1, 0),
    ]
    assert rows(db_url, "conversation_volume", end="2024-03-02") == [(date(2024, 3, 1), 2, 1, 1)]
    assert rows(db_url, "conversation_volume", start="2024-04-01") == []
    assert rows(db_url, "conversation_volume", start="2024-03-03", end="2024-03-01") == []


def test_csat_by_agent(db_url: str) -> None:
    d = Data()
    # a1: ratings 5, 4, 2 and one unrated; its latest named conversation calls it "Ann New".
    d.conversation(
        "c1",
        "2024-03-01 10:00",
        latest_agent_id="a1",
        latest_agent_full_name="Ann Old",
        csat_rate=5,
    )
    d.conversation(
        "c2",
        "2024-03-02 10:00",
        latest_agent_id="a1",
        latest_agent_full_name="Ann New",
        csat_rate=4,
    )
    d.conversation("c3", "2024-03-03 10:00", latest_agent_id="a1", csat_rate=2)
    d.conversation("c4", "2024-03-04 10:00", latest_agent_id="a1", csat_rate=None)
    d.conversation(
        "c5", "2024-03-02 11:00", latest_agent_id="z9", latest_agent_full_name="Zed", csat_rate=4
    )
    d.conversation(
        "c6", "2024-03-03 11:00", latest_agent_id="z9", latest_agent_full_name="Zed", csat_rate=5
    )
    d.conversation("c7", "2024-03-01 12:00", latest_agent_id="b2", latest_agent_full_name="Bea")
    d.conversation("c8", "2024-03-05 12:00", latest_agent_id="b2", latest_agent_full_name="Bea")
    d.conversation("c9", "2024-03-01 13:00", latest_agent_id=None, csat_rate=1)  # no agent
    d.insert(db_url)

    assert rows(db_url, "csat_by_agent") == [
        ("a1", "Ann New", 4, 3, 3.67, 66.67),
        ("b2", "Bea", 2, 0, None, None),  # nobody rated: no average, no share
        ("z9", "Zed", 2, 2, 4.5, 100.0),
    ]
    assert rows(db_url, "csat_by_agent", start="2024-03-02", end="2024-03-04") == [
        ("a1", "Ann New", 2, 2, 3.0, 50.0),
        ("z9", "Zed", 2, 2, 4.5, 100.0),
    ]
    # In range, a1's conversations carry no name.
    assert rows(db_url, "csat_by_agent", start="2024-03-03") == [
        ("a1", None, 2, 1, 2.0, 0.0),
        ("b2", "Bea", 1, 0, None, None),
        ("z9", "Zed", 1, 1, 5.0, 100.0),
    ]


def test_first_response_time_by_skill(db_url: str) -> None:
    d = Data()
    # Sales: response times 10.5 s, 20 s, 0 s (agent at the very same time), 40 s; c3 unanswered.
    d.conversation("c1", "2024-03-01 09:00", latest_skill_name="Sales")
    d.message("c1", "2024-03-01 09:59:00", "Agent")  # before the consumer: not a response
    d.message("c1", "2024-03-01 10:00:00", "Consumer")
    d.message("c1", "2024-03-01 10:00:30", "Consumer")
    d.message("c1", "2024-03-01 10:00:10.500", "Agent")
    d.message("c1", "2024-03-01 10:00:40", "Agent")
    d.conversation("c2", "2024-03-01 11:00", latest_skill_name="Sales")
    d.message("c2", "2024-03-01 11:00:00", "Consumer")
    d.message("c2", "2024-03-01 11:00:20", "Agent")
    d.conversation("c3", "2024-03-01 12:00", latest_skill_name="Sales")
    d.message("c3", "2024-03-01 11:59:00", "Agent")
    d.message("c3", "2024-03-01 12:00:00", "Consumer")
    d.conversation("c4", "2024-03-01 12:00", latest_skill_name="Sales")
    d.message("c4", "2024-03-01 12:00:00", "Consumer")
    d.message("c4", "2024-03-01 12:00:00", "Agent")
    d.conversation("c10", "2024-03-01 13:00", latest_skill_name="Sales")
    d.message("c10", "2024-03-01 13:00:00", "Consumer")
    d.message("c10", "2024-03-01 13:00:40", "Agent")
    # Sales, but the consumer message has no time: a conversation with a consumer message,
    # and no agent message is known to follow it (the one here has a time): unanswered.
    d.conversation("c8", "2024-03-01 14:00", latest_skill_name="Sales")
    d.message("c8", None, "Consumer")
    d.message("c8", "2024-03-01 14:00:05", "Agent")
    # No skill: Unassigned, 60.005 s (rounds half away from zero).
    d.conversation("c5", "2024-03-02 10:00", latest_skill_name=None)
    d.message("c5", "2024-03-02 10:00:00", "Consumer")
    d.message("c5", "2024-03-02 10:01:00.005", "Agent")
    # Without any consumer message: no row for Support, nothing added to Unassigned.
    d.conversation("c6", "2024-03-02 11:00", latest_skill_name="")
    d.message("c6", "2024-03-02 11:00:00", "Agent")
    d.conversation("c7", "2024-03-02 12:00", latest_skill_name="Support")
    d.message("c7", "2024-03-02 12:00:00", "Agent")
    d.insert(db_url)

    assert rows(db_url, "first_response_time_by_skill") == [
        # avg (0 + 10.5 + 20 + 40) / 4 = 17.625; median (10.5 + 20) / 2
        ("Sales", 6, 4, 2, 17.63, 15.25),
        ("Unassigned", 1, 1, 0, 60.01, 60.01),
    ]
    assert rows(db_url, "first_response_time_by_skill", end="2024-03-02") == [
        ("Sales", 6, 4, 2, 17.63, 15.25),
    ]
    assert rows(db_url, "first_response_time_by_skill", start="2024-03-02") == [
        ("Unassigned", 1, 1, 0, 60.01, 60.01),
    ]


def test_first_response_time_all_unanswered(db_url: str) -> None:
    d = Data()
    d.conversation("c1", "2024-03-01 09:00", latest_skill_name="Sales")
    d.message("c1", "2024-03-01 09:00:00", "Consumer")
    d.insert(db_url)
    assert rows(db_url, "first_response_time_by_skill") == [("Sales", 1, 0, 1, None, None)]


def test_transfer_rate_by_skill(db_url: str) -> None:
    d = Data()
    d.conversation("c1", "2024-03-01 10:00", latest_skill_name="Sales")
    d.transfer("c1", target_skill_name="Support")
    d.transfer("c1", target_skill_name="Sales")  # two transfers: one transferred conversation
    d.conversation("c2", "2024-03-01 11:00", latest_skill_name="Sales")
    d.transfer("c2")
    d.conversation("c3", "2024-03-01 12:00", latest_skill_name="Sales")
    d.conversation("c4", "2024-03-02 10:00", latest_skill_name="Support")
    d.conversation("c5", "2024-03-02 11:00", latest_skill_name=None)
    d.transfer("c5")
    d.conversation("c6", "2024-03-02 12:00", latest_skill_name="")
    d.insert(db_url)

    assert rows(db_url, "transfer_rate_by_skill") == [
        ("Sales", 3, 2, 66.67),
        ("Unassigned", 2, 1, 50.0),
        ("Support", 1, 0, 0.0),
    ]
    assert rows(db_url, "transfer_rate_by_skill", start="2024-03-02") == [
        ("Unassigned", 2, 1, 50.0),
        ("Support", 1, 0, 0.0),
    ]
    assert rows(db_url, "transfer_rate_by_skill", end="2024-03-01") == []


def test_close_reason_breakdown(db_url: str) -> None:
    d = Data()
    d.conversation(
        "c1",
        "2024-03-01 10:00",
        status="CLOSE",
        close_reason="AGENT",
        close_reason_description="MANUAL_CLOSE",
    )
    d.conversation(
        "c7",
        "2024-03-01 11:00",
        status="CLOSE",
        close_reason="CONSUMER",
        close_reason_description="AUTO_CLOSE",
    )
    d.conversation(
        "c2",
        "2024-03-02 10:00",
        status="CLOSE",
        close_reason="AGENT",
        close_reason_description="MANUAL_CLOSE",
    )
    d.conversation(
        "c3",
        "2024-03-02 11:00",
        status="CLOSE",
        close_reason="CONSUMER",
        close_reason_description="MANUAL_CLOSE",
    )
    d.conversation(
        "c4",
        "2024-03-02 12:00",
        status="CLOSE",
        close_reason="SYSTEM",
        close_reason_description="AUTO_CLOSE",
    )
    d.conversation("c5", "2024-03-03 10:00", status="CLOSE")  # reason unknown
    d.conversation(
        "c6",
        "2024-03-02 13:00",
        status="OPEN",
        close_reason="AGENT",
        close_reason_description="MANUAL_CLOSE",
    )
    d.insert(db_url)

    assert rows(db_url, "close_reason_breakdown") == [
        ("AGENT", "MANUAL_CLOSE", 2, 33.33),
        ("CONSUMER", "AUTO_CLOSE", 1, 16.67),
        ("CONSUMER", "MANUAL_CLOSE", 1, 16.67),
        ("SYSTEM", "AUTO_CLOSE", 1, 16.67),
        (None, None, 1, 16.67),
    ]
    assert rows(db_url, "close_reason_breakdown", start="2024-03-02", end="2024-03-03") == [
        ("AGENT", "MANUAL_CLOSE", 1, 33.33),
        ("CONSUMER", "MANUAL_CLOSE", 1, 33.33),
        ("SYSTEM", "AUTO_CLOSE", 1, 33.33),
    ]


def test_mcs_by_skill(db_url: str) -> None:
    d = Data()
    for i, mcs in enumerate([0, 33, 34, 67, 100, None]):  # bucket edges; None is left out
        d.conversation(f"s{i}", "2024-03-01 10:00", latest_skill_name="Sales", mcs=mcs)
    for i, mcs in enumerate([66, 50, 51]):
        d.conversation(f"t{i}", "2024-03-02 10:00", latest_skill_name="Support", mcs=mcs)
    d.conversation("u0", "2024-03-01 11:00", latest_skill_name=None, mcs=10)
    d.insert(db_url)

    assert rows(db_url, "mcs_by_skill") == [
        ("Sales", 5, 46.8, 2, 1, 2),
        ("Support", 3, 55.67, 0, 3, 0),
        ("Unassigned", 1, 10.0, 1, 0, 0),
    ]
    assert rows(db_url, "mcs_by_skill", end="2024-03-02") == [
        ("Sales", 5, 46.8, 2, 1, 2),
        ("Unassigned", 1, 10.0, 1, 0, 0),
    ]


def test_survey_answers(db_url: str) -> None:
    d = Data()
    d.conversation("c1", "2024-03-01 10:00")
    d.survey_answer("c1", "Satisfaction", "How satisfied?", "5")
    d.survey_answer("c1", "Satisfaction", "Resolved?", "Yes")
    d.conversation("c2", "2024-03-01 11:00")
    d.survey_answer("c2", "Satisfaction", "How satisfied?", "5")
    d.survey_answer("c2", "Satisfaction", "Resolved?", "No")
    d.conversation("c3", "2024-03-01 12:00")
    d.survey_answer("c3", "Satisfaction", "How satisfied?", "4")
    d.survey_answer("c3", "Satisfaction", None, None, survey_index=1)  # a survey without answers
    d.conversation("c4", "2024-03-02 10:00")
    d.survey_answer("c4", "Satisfaction", "How satisfied?", "3")
    d.survey_answer("c4", "NPS", "Recommend?", "10", survey_index=1)
    d.insert(db_url)

    assert rows(db_url, "survey_answers") == [
        ("NPS", "Recommend?", "10", 1, 100.0),
        ("Satisfaction", "How satisfied?", "5", 2, 50.0),
        ("Satisfaction", "How satisfied?", "3", 1, 25.0),
        ("Satisfaction", "How satisfied?", "4", 1, 25.0),
        ("Satisfaction", "Resolved?", "No", 1, 50.0),
        ("Satisfaction", "Resolved?", "Yes", 1, 50.0),
    ]
    assert rows(db_url, "survey_answers", end="2024-03-02") == [
        ("Satisfaction", "How satisfied?", "5", 2, 66.67),
        ("Satisfaction", "How satisfied?", "4", 1, 33.33),
        ("Satisfaction", "Resolved?", "No", 1, 50.0),
        ("Satisfaction", "Resolved?", "Yes", 1, 50.0),
    ]


def test_agent_workload(db_url: str) -> None:
    d = Data()
    d.conversation("c1", "2024-03-01 10:00", status="CLOSE", duration=60000)
    d.conversation("c2", "2024-03-01 12:00", status="CLOSE", duration=90500)
    d.conversation("c3", "2024-03-02 10:00", status="OPEN", duration=5000)
    d.conversation("c4", "2024-03-02 11:00", status="CLOSE", duration=None)
    d.participant(
        "c1", "AGENT", agent_id="a1", participant_id="a1", agent_full_name="Ann", role="AGENT"
    )
    d.participant(
        "c1", "AGENT", agent_id="a2", participant_id="a2", agent_full_name="Bob", role="MANAGER"
    )
    d.participant("c1", "CONSUMER", participant_id="cons1", role="CONSUMER")
    d.participant(
        "c2", "AGENT", agent_id="a1", participant_id="a1", agent_full_name="Ann B", role="AGENT"
    )
    d.participant(
        "c2",
        "AGENT",
        agent_id="a1",
        participant_id="a1",
        agent_full_name="Ann B",
        role="ASSIGNED_AGENT",
    )
    d.participant(
        "c3", "AGENT", agent_id="a2", participant_id="a2", agent_full_name="Bob", role="AGENT"
    )
    d.participant("c4", "AGENT", agent_id="a3", participant_id="a3", role="AGENT")
    for sender, count in (("a1", 2), ("a2", 1), ("cons1", 3)):
        for _ in range(count):
            d.message("c1", "2024-03-01 10:01", "Agent", participant_id=sender)
    d.message("c2", "2024-03-01 12:01", "Agent", participant_id="a1")
    d.message("c3", "2024-03-02 10:01", "Agent", participant_id="a2")
    d.message("c3", "2024-03-02 10:02", "Agent", participant_id="a2")
    d.insert(db_url)

    assert rows(db_url, "agent_workload") == [
        ("a1", "Ann B", 2, 3, 75.25),  # (60 + 90.5) / 2
        ("a2", "Bob", 2, 3, 60.0),  # c3 is open: only c1 counts for the duration
        ("a3", None, 1, 0, None),  # c4 has no duration
    ]
    assert rows(db_url, "agent_workload", start="2024-03-02") == [
        ("a2", "Bob", 1, 2, None),
        ("a3", None, 1, 0, None),
    ]


def test_bot_intents(db_url: str) -> None:
    d = Data()
    d.conversation("c1", "2024-03-01 10:00")
    m1 = d.message("c1", "2024-03-01 10:01", "Agent")
    m2 = d.message("c1", "2024-03-01 10:02", "Agent")
    d.intent("c1", m1, "billing", 0.9)
    d.intent("c1", m1, "greeting", 0.5)
    d.intent("c1", m2, "billing", 0.8)
    d.conversation("c2", "2024-03-02 10:00")
    m3 = d.message("c2", "2024-03-02 10:01", "Agent")
    m4 = d.message("c2", "2024-03-02 10:02", "Agent")
    d.intent("c2", m3, "billing", 0.75)
    d.intent("c2", m3, "greeting", None)
    d.intent("c2", m3, "cancel", 0.333)
    d.intent("c2", m4, None, 0.1)
    d.insert(db_url)

    assert rows(db_url, "bot_intents") == [
        ("billing", 3, 0.82),  # 2.45 / 3
        ("greeting", 2, 0.5),  # the null score is not averaged
        ("cancel", 1, 0.33),
        (None, 1, 0.1),
    ]
    assert rows(db_url, "bot_intents", end="2024-03-02") == [
        ("billing", 2, 0.85),
        ("greeting", 1, 0.5),
    ]


# --- context (SDE) queries ----------------------------------------------------------------------


def _segment_data() -> Data:
    d = Data()
    for cid in ("cA", "cB", "cC"):
        d.conversation(cid, "2024-03-01 10:00")
    d.conversation("cD", "2024-03-05 10:00")
    d.visit("v1", "2024-03-01 09:00")
    d.visit("v2", None, first_fact="2024-03-01 09:30")  # in range by its earliest fact
    d.visit("v3", "2024-03-01 10:00")

    # cA: the latest customer info says ' PREMIUM', no status.
    d.sde(
        "customer_info",
        conversation="cA",
        server_time="2024-03-01 10:01",
        customer_type=" Premium ",
        customer_status="Gold",
    )
    d.sde(
        "customer_info",
        conversation="cA",
        server_time="2024-03-01 10:05",
        customer_type="PREMIUM",
        customer_status=None,
        is_authenticated=False,
    )
    # cB: the latest type is empty (so 'unknown'), the latest status 'silver '.
    d.sde(
        "customer_info",
        conversation="cB",
        server_time="2024-03-01 10:01",
        customer_type="Basic",
        customer_status="Silver",
    )
    d.sde(
        "customer_info",
        conversation="cB",
        server_time="2024-03-01 10:05",
        customer_type="",
        customer_status="silver ",
    )
    d.sde(
        "customer_info", conversation="cD", server_time="2024-03-05 10:01", customer_type="premium"
    )
    d.sde(
        "customer_info",
        visit="v1",
        server_time="2024-03-01 09:01",
        customer_type="premium",
        customer_status=" GOLD",
    )
    # v2: an event without a time is older than any event with one.
    d.sde("customer_info", visit="v2", server_time="2024-03-01 09:31", customer_type="Premium")
    d.sde(
        "customer_info", visit="v2", server_time=None, customer_type="basic", customer_status="gold"
    )

    # cA: order o1 twice (its latest event, 120, counts), o2, and an event without a total.
    d.sde("purchase", conversation="cA", server_time="2024-03-01 10:02", order_id="o1", total=100.0)
    d.sde("purchase", conversation="cA", server_time="2024-03-01 10:06", order_id="o1", total=120.0)
    d.sde("purchase", conversation="cA", server_time="2024-03-01 10:03", order_id="o2", total=30.5)
    d.sde("purchase", conversation="cA", server_time="2024-03-01 10:04", order_id="o3", total=None)
    # cB: three orders (two without an order id are two orders).
    d.sde("purchase", conversation="cB", server_time="2024-03-01 10:02", order_id="o4", total=10.0)
    d.sde("purchase", conversation="cB", server_time="2024-03-01 10:03", total=5.0)
    d.sde("purchase", conversation="cB", server_time="2024-03-01 10:04", total=5.0)
    d.sde("purchase", conversation="cC", server_time="2024-03-01 10:02", order_id="o5", total=7.25)
    d.sde(
        "purchase", conversation="cD", server_time="2024-03-05 10:02", order_id="o6", total=1000.0
    )
    # v1: the same order id as in cA is another order (another context); twice in v1 is once.
    d.sde("purchase", visit="v1", server_time="2024-03-01 09:02", order_id="o1", total=50.0)
    d.sde("purchase", visit="v1", server_time="2024-03-01 09:03", order_id="o1", total=50.0)
    d.sde("purchase", visit="v2", server_time="2024-03-01 09:32", order_id="o9", total=19.99)
    d.sde("purchase", visit="v2", server_time="2024-03-01 09:33", order_id="o10", total=0.01)
    d.sde("purchase", visit="v3", server_time="2024-03-01 10:02", order_id="o11", total=None)
    return d


def test_aov_by_customer_segment_by_type(db_url: str) -> None:
    _segment_data().insert(db_url)
    march_1 = {"start": "2024-03-01", "end": "2024-03-02"}
    expected = [
        ("conversation", "premium", 2, 150.5, 75.25, 1),
        ("conversation", "unknown", 4, 27.25, 6.81, 2),  # cB (empty type) and cC (no info)
        ("web_session", "premium", 3, 70.0, 23.33, 2),
    ]
    assert rows(db_url, "aov_by_customer_segment", **march_1) == expected
    assert (
        rows(db_url, "aov_by_customer_segment", params={"segment_by": "customer_type"}, **march_1)
        == expected
    )
    # Without bounds cD (premium, 1000) is in.
    assert rows(db_url, "aov_by_customer_segment") == [
        ("conversation", "premium", 3, 1150.5, 383.5, 2),
        ("conversation", "unknown", 4, 27.25, 6.81, 2),
        ("web_session", "premium", 3, 70.0, 23.33, 2),
    ]
    assert rows(db_url, "aov_by_customer_segment", start="2024-03-02", end="2024-03-05") == []


def test_aov_by_customer_segment_by_status(db_url: str) -> None:
    _segment_data().insert(db_url)
    assert rows(
        db_url,
        "aov_by_customer_segment",
        end="2024-03-02",
        params={"segment_by": "customer_status"},
    ) == [
        ("conversation", "unknown", 3, 157.75, 52.58, 2),  # cA (latest status null), cC
        ("conversation", "silver", 3, 20.0, 6.67, 1),
        ("web_session", "gold", 1, 50.0, 50.0, 1),
        ("web_session", "unknown", 2, 20.0, 10.0, 1),
    ]


def test_chat_conversion_by_skill(db_url: str) -> None:
    d = Data()
    d.conversation("c1", "2024-03-01 10:00", latest_skill_name="Sales")
    d.sde("purchase", conversation="c1", server_time="2024-03-01 10:01", order_id="o1", total=50.0)
    d.sde("purchase", conversation="c1", server_time="2024-03-01 10:02", order_id="o1", total=60.0)
    d.sde("purchase", conversation="c1", server_time="2024-03-01 10:03", order_id="o2", total=None)
    d.conversation("c2", "2024-03-01 11:00", latest_skill_name="Sales")
    d.sde("purchase", conversation="c2", server_time="2024-03-01 11:01", total=None)
    d.conversation("c3", "2024-03-01 12:00", latest_skill_name="Sales")
    d.conversation("c4", "2024-03-02 10:00", latest_skill_name="Support")
    d.sde("purchase", conversation="c4", server_time="2024-03-02 10:01", total=10.1)
    d.sde("purchase", conversation="c4", server_time="2024-03-02 10:02", total=0.2)
    d.conversation("c5", "2024-03-01 13:00", latest_skill_name=None)
    d.visit("v1", "2024-03-01 10:00")
    d.sde("purchase", visit="v1", server_time="2024-03-01 10:01", total=999.0)  # web: not a chat
    d.insert(db_url)

    assert rows(db_url, "chat_conversion_by_skill") == [
        ("Sales", 3, 1, 33.33, 60.0),
        ("Support", 1, 1, 100.0, 10.3),
        ("Unassigned", 1, 0, 0.0, 0.0),
    ]
    assert rows(db_url, "chat_conversion_by_skill", start="2024-03-02") == [
        ("Support", 1, 1, 100.0, 10.3),
    ]


def test_cart_abandonment(db_url: str) -> None:
    d = Data()
    d.conversation("c1", "2024-03-01 10:00")
    d.sde("cart_status", conversation="c1", server_time="2024-03-01 10:01", total=40.0)
    d.sde("cart_status", conversation="c1", server_time="2024-03-01 10:02", total=55.0)
    d.sde("purchase", conversation="c1", server_time="2024-03-01 10:03", total=None)  # purchased
    d.conversation("c2", "2024-03-01 11:00")
    d.sde("cart_status", conversation="c2", server_time="2024-03-01 11:01", total=20.0)
    d.sde("cart_status", conversation="c2", server_time="2024-03-01 11:02", total=None)  # latest
    d.conversation("c3", "2024-03-02 10:00")
    d.sde("cart_status", conversation="c3", server_time="2024-03-02 10:01", total=12.5)
    d.conversation("c4", "2024-03-01 12:00")
    d.sde("purchase", conversation="c4", server_time="2024-03-01 12:01", total=9.0)  # no cart
    d.visit("v1", "2024-03-01 09:00")
    d.sde("cart_status", visit="v1", server_time="2024-03-01 09:01", total=100.0)
    d.sde("purchase", visit="v1", server_time="2024-03-01 09:02", total=100.0)
    d.visit("v2", "2024-03-01 09:00", first_fact="2024-03-05 09:00")  # session start wins
    d.sde("cart_status", visit="v2", server_time="2024-03-01 09:01", total=0.1)
    d.sde("cart_status", visit="v2", server_time="2024-03-01 09:02", total=0.2)
    d.visit("v3", None, first_fact="2024-03-02 09:00")
    d.sde("cart_status", visit="v3", server_time="2024-03-02 09:01", total=0.1)
    d.insert(db_url)

    assert rows(db_url, "cart_abandonment") == [
        ("conversation", 3, 1, 2, 66.67, 12.5),
        ("web_session", 3, 1, 2, 66.67, 0.3),  # 0.2 + 0.1, exactly
    ]
    assert rows(db_url, "cart_abandonment", end="2024-03-02") == [
        ("conversation", 2, 1, 1, 50.0, 0.0),  # c2's latest cart has no total
        ("web_session", 2, 1, 1, 50.0, 0.2),
    ]
    assert rows(db_url, "cart_abandonment", start="2024-03-02") == [
        ("conversation", 1, 0, 1, 100.0, 12.5),
        ("web_session", 1, 0, 1, 100.0, 0.1),
    ]


def test_lead_pipeline(db_url: str) -> None:
    d = Data()
    d.conversation("c1", "2024-03-01 10:00")
    d.sde("lead", conversation="c1", topic="Insurance", lead_id="L1", value=100.0)
    d.sde("lead", conversation="c1", topic="Insurance", lead_id="L1", value=100.0)  # same lead
    d.sde("lead", conversation="c1", topic="Insurance", lead_id=None, value=None)  # a lead
    d.conversation("c2", "2024-03-02 10:00")
    d.sde("lead", conversation="c2", topic="Insurance", lead_id="L1", value=50.0)  # other context
    d.sde("lead", conversation="c2", topic=None, lead_id="L7", value=10.0)
    d.visit("v1", "2024-03-01 09:00")
    d.sde("lead", visit="v1", topic="Loans", lead_id="L2", value=0.1)
    d.sde("lead", visit="v1", topic="Loans", lead_id="L3", value=0.2)
    d.sde("lead", visit="v1", topic="Insurance", lead_id="L9", value=None)
    d.sde("lead", visit="v1", topic="Cards", lead_id="L4", value=10.0)
    d.insert(db_url)

    assert rows(db_url, "lead_pipeline") == [
        ("conversation", "Insurance", 3, 250.0, 83.33),
        ("conversation", None, 1, 10.0, 10.0),  # ties on total_value: by source
        ("web_session", "Cards", 1, 10.0, 10.0),
        ("web_session", "Loans", 2, 0.3, 0.15),
        ("web_session", "Insurance", 1, 0.0, None),  # no values: sum 0, average NULL
    ]
    assert rows(db_url, "lead_pipeline", end="2024-03-02") == [
        ("conversation", "Insurance", 2, 200.0, 100.0),
        ("web_session", "Cards", 1, 10.0, 10.0),
        ("web_session", "Loans", 2, 0.3, 0.15),
        ("web_session", "Insurance", 1, 0.0, None),
    ]


def test_top_visitor_errors(db_url: str) -> None:
    d = Data()
    d.conversation("c1", "2024-03-01 10:00")
    d.conversation("c2", "2024-03-01 11:00")
    d.conversation("same", "2024-03-01 12:00")
    d.visit("v1", "2024-03-01 09:00")
    d.visit("v2", "2024-03-02 09:00")
    d.visit("same", "2024-03-01 09:00")  # a visit with the id of a conversation: another context
    d.sde(
        "visitor_error", conversation="c1", code="100004", message="Payment failed", resolved=False
    )
    d.sde(
        "visitor_error", conversation="c1", code="100004", message="Payment failed", resolved=None
    )
    d.sde("visitor_error", visit="v1", code="100004", message="Payment failed", resolved=True)
    d.sde("visitor_error", visit="v2", code="100004", message="Payment failed", resolved=None)
    d.sde("visitor_error", conversation="c2", code="200", message="Timeout", resolved=True)
    d.sde("visitor_error", visit="v1", code="200", message="Timeout", resolved=True)
    d.sde("visitor_error", conversation="same", code="300", message="X", resolved=False)
    d.sde("visitor_error", visit="same", code="300", message="X", resolved=False)
    d.sde("visitor_error", visit="v1", code="100004", message="Other", resolved=None)
    d.insert(db_url)

    expected = [
        ("100004", "Payment failed", 4, 3, 3),
        ("200", "Timeout", 2, 2, 0),
        ("300", "X", 2, 2, 2),
        ("100004", "Other", 1, 1, 1),
    ]
    assert rows(db_url, "top_visitor_errors") == expected
    assert rows(db_url, "top_visitor_errors", params={"limit": "2"}) == expected[:2]
    assert rows(db_url, "top_visitor_errors", params={"limit": 0}) == []
    assert rows(db_url, "top_visitor_errors", start="2024-03-02") == [
        ("100004", "Payment failed", 1, 1, 1),
    ]


def test_top_visitor_errors_default_limit_is_20(db_url: str) -> None:
    d = Data()
    d.visit("v1", "2024-03-01 09:00")
    for i in range(25):
        d.sde("visitor_error", visit="v1", code=f"{i:03d}", message="m")
    d.insert(db_url)
    result = rows(db_url, "top_visitor_errors")
    assert [r[0] for r in result] == [f"{i:03d}" for i in range(20)]


def test_search_keywords(db_url: str) -> None:
    d = Data()
    d.conversation("c1", "2024-03-01 10:00")
    d.visit("v1", "2024-03-01 09:00")
    d.visit("v2", "2024-03-02 09:00")
    e1 = d.sde("search_content", conversation="c1")
    d.keywords(e1, "Shoes", " shoes ", "Red")  # 'shoes' twice in one event: one search
    e2 = d.sde("search_content", conversation="c1")
    d.keywords(e2, "SHOES", None)
    e3 = d.sde("search_content", visit="v1")
    d.keywords(e3, "shoes", "  ", "Boots")
    e4 = d.sde("search_content", visit="v2")
    d.keywords(e4, "boots")
    d.insert(db_url)

    assert rows(db_url, "search_keywords") == [("shoes", 3, 2), ("boots", 2, 2), ("red", 1, 1)]
    assert rows(db_url, "search_keywords", params={"limit": "1"}) == [("shoes", 3, 2)]
    assert rows(db_url, "search_keywords", start="2024-03-02") == [("boots", 1, 1)]


# --- web-session queries --------------------------------------------------------------------


def test_campaign_engagement_funnel(db_url: str) -> None:
    d = Data()
    d.visit("v1", "2024-03-01 09:00")
    d.visit("v2", "2024-03-02 09:00")
    for kind in ("Show", "SHOW", " show ", "accept", "Close", "Timeout"):
        d.impression("v1", 10, "WEB", kind)
    d.impression("v1", 10, "MESSAGING", "Accept")
    d.impression("v2", 20, "WEB", "Show")
    d.impression("v2", 20, "WEB", "Accept")
    d.impression("v1", 5, "WEB", "Show")
    d.impression("v1", None, "WEB", "Hover")
    d.insert(db_url)

    assert rows(db_url, "campaign_engagement_funnel") == [
        (10, "WEB", 3, 1, 1, 1, 33.33),
        (5, "WEB", 1, 0, 0, 0, 0.0),
        (20, "WEB", 1, 1, 0, 0, 100.0),
        (10, "MESSAGING", 0, 1, 0, 0, None),  # no shows: no rate
        (None, "WEB", 0, 0, 0, 0, None),
    ]
    assert rows(db_url, "campaign_engagement_funnel", start="2024-03-02") == [
        (20, "WEB", 1, 1, 0, 0, 100.0),
    ]


def test_goal_achievement(db_url: str) -> None:
    d = Data()
    d.visit("v1", "2024-03-01 09:00")
    d.visit("v2", "2024-03-02 09:00")
    d.visit("v3", "2024-03-01 10:00")
    reduce = "ReduceAbandonmentGoalMetadata"
    d.goal("v1", 1, 2, "g-a", reduce)
    d.goal("v1", 1, 2, "g-a", reduce)  # the same achievement seen twice
    d.goal("v2", 1, 2, "g-b", reduce)
    d.goal("v1", 2, 1, "g-c", "UrlGoalMetadata")
    d.goal("v2", 2, 1, "g-d", "PurchaseMetadata")  # mixed kinds
    d.goal("v3", 3, 1, "g-e", None)  # absent kind
    d.goal("v1", 4, 1, "g-f", "LeadMetadata")
    d.goal("v1", 4, 1, "g-g", None)  # a kind and no kind: mixed
    d.insert(db_url)

    assert rows(db_url, "goal_achievement") == [
        (1, 2, 2, 2, reduce),
        (2, 1, 2, 2, None),
        (4, 1, 2, 1, None),
        (3, 1, 1, 1, None),
    ]
    assert rows(db_url, "goal_achievement", start="2024-03-02") == [
        (1, 2, 1, 1, reduce),
        (2, 1, 1, 1, "PurchaseMetadata"),
    ]


def test_top_pages(db_url: str) -> None:
    d = Data()
    d.visit("v1", "2024-03-01 10:00")
    d.page_view("v1", "/home", "2024-03-01 10:00")
    d.page_view("v1", "/cart", "2024-03-01 10:05")
    d.page_view("v1", "/home", "2024-03-01 10:10")
    d.visit("v2", "2024-03-01 09:00")
    d.page_view("v2", "/home", "2024-03-01 09:01")
    d.page_view("v2", "/cart", "2024-03-01 09:00")  # entry, though listed second
    d.visit("v3", "2024-03-01 11:00")
    d.page_view("v3", "/home", None)  # unknown time: not the first view
    d.page_view("v3", "/about", "2024-03-01 11:00")
    d.visit("v4", "2024-03-02 08:00")
    d.page_view("v4", "/pay", "2024-03-02 08:00")
    d.page_view("v4", "/home", "2024-03-02 08:00")  # same time: the smaller URL is the entry
    d.insert(db_url)

    assert rows(db_url, "top_pages") == [
        ("/home", 5, 4, 2),
        ("/cart", 2, 2, 1),
        ("/about", 1, 1, 1),
        ("/pay", 1, 1, 0),
    ]
    assert rows(db_url, "top_pages", params={"limit": "2"}) == [
        ("/home", 5, 4, 2),
        ("/cart", 2, 2, 1),
    ]
    assert rows(db_url, "top_pages", end="2024-03-02") == [
        ("/home", 4, 3, 1),
        ("/cart", 2, 2, 1),
        ("/about", 1, 1, 1),
    ]


def test_visits_by_geo(db_url: str) -> None:
    d = Data()
    us = {"country_code": "US", "country": "United States"}
    d.visit("v1", "2024-03-01 09:00", visitor_id="A", **us)
    d.visit("v2", "2024-03-01 10:00", visitor_id="A", **us)
    d.visit("v3", None, first_fact="2024-03-01 11:00", visitor_id="B", **us)
    d.visit("v4", "2024-03-01 12:00", visitor_id="C", country_code="FR", country="France")
    d.visit("v5", "2024-03-01 13:00", visitor_id="D")
    d.visit("v6", "2024-03-01 14:00", visitor_id=None, country_code="", country=" ")
    d.visit("v7", "2024-03-02 09:00", visitor_id="E", country_code="DE", country="Germany")
    d.insert(db_url)

    assert rows(db_url, "visits_by_geo") == [
        ("US", "United States", 3, 2),
        (None, None, 2, 1),  # unknown, and empty, countries; a missing visitor id is not one
        ("DE", "Germany", 1, 1),
        ("FR", "France", 1, 1),
    ]
    assert rows(db_url, "visits_by_geo", start="2024-03-02") == [("DE", "Germany", 1, 1)]


# --- values at the edges ---------------------------------------------------------------------


def test_trimming_removes_white_space_of_any_kind(db_url: str) -> None:
    # Tabs, line breaks and no-break spaces are trimmed as spaces are: the same keyword,
    # segment, country or impression type whatever surrounds it.
    d = Data()
    d.conversation("c1", "2024-03-01 10:00")
    d.sde(
        "customer_info",
        conversation="c1",
        server_time="2024-03-01 10:01",
        customer_type="\tVIP\n",
        customer_status="\t\r\n",  # white space only: no segment
    )
    d.sde("purchase", conversation="c1", server_time="2024-03-01 10:02", order_id="o1", total=10.0)
    e1 = d.sde("search_content", conversation="c1")
    d.keywords(e1, "bags", "\tBags\n", "\u00a0BAGS ")  # one keyword, once in this event
    e2 = d.sde("search_content", conversation="c1")
    d.keywords(e2, "\r\nbags", "\t")  # a keyword of white space only is no keyword
    d.visit("v1", "2024-03-01 09:00", visitor_id="A", country_code="US\n", country="\tUSA")
    d.visit("v2", "2024-03-01 09:30", visitor_id="B", country_code="\t", country="\u00a0")
    d.impression("v1", 10, "WEB", "\tShow\r\n")
    d.impression("v1", 10, "WEB", "\u00a0accept")
    d.insert(db_url)

    assert rows(db_url, "search_keywords") == [("bags", 2, 1)]
    assert rows(db_url, "aov_by_customer_segment") == [("conversation", "vip", 1, 10.0, 10.0, 1)]
    assert rows(db_url, "aov_by_customer_segment", params={"segment_by": "customer_status"}) == [
        ("conversation", "unknown", 1, 10.0, 10.0, 1)
    ]
    assert rows(db_url, "visits_by_geo") == [("US", "USA", 1, 1), (None, None, 1, 1)]
    assert rows(db_url, "campaign_engagement_funnel") == [(10, "WEB", 1, 1, 0, 0, 100.0)]


def test_lower_casing_folds_letters_beyond_ascii(db_url: str) -> None:
    # queries.md lower-cases keywords and segments: "ÄPFEL" and "äpfel" are one keyword on
    # PostgreSQL too (a text column collated "C" there lower-cased ASCII letters only).
    d = Data()
    for cid, segment in (("c1", "ÉLITE"), ("c2", "élite")):
        d.conversation(cid, "2024-03-01 10:00")
        d.sde(
            "customer_info", conversation=cid, server_time="2024-03-01 10:01", customer_type=segment
        )
        d.sde("purchase", conversation=cid, server_time="2024-03-01 10:02", order_id=cid, total=5.0)
    d.keywords(d.sde("search_content", conversation="c1"), "ÄPFEL")
    d.keywords(d.sde("search_content", conversation="c2"), "äpfel", "ΣΟΦΊΑ")
    d.insert(db_url)

    assert rows(db_url, "search_keywords") == [("äpfel", 2, 2), ("σοφία", 1, 1)]
    assert rows(db_url, "aov_by_customer_segment") == [("conversation", "élite", 2, 10.0, 5.0, 2)]


def test_amounts_too_big_for_an_exact_sum_do_not_fail_the_money_queries(db_url: str) -> None:
    # A total of 1e15 or more is no real amount, but it is a valid number: it is summed as a
    # double (the exact decimal sum holds smaller ones) instead of overflowing the query.
    d = Data()
    d.conversation("c1", "2024-03-01 10:00", latest_skill_name="Sales")
    d.sde("purchase", conversation="c1", server_time="2024-03-01 10:01", order_id="o1", total=1e30)
    d.sde("purchase", conversation="c1", server_time="2024-03-01 10:02", order_id="o2", total=10.5)
    d.conversation("c2", "2024-03-01 11:00", latest_skill_name="Sales")
    d.sde("cart_status", conversation="c2", server_time="2024-03-01 11:01", total=-1e300)
    d.sde("lead", conversation="c2", topic="Loans", lead_id="L1", value=1e30)
    d.sde("lead", conversation="c2", topic="Loans", lead_id="L2", value=2.25)
    d.sde("lead", conversation="c2", topic="Cards", lead_id="L3", value=0.1)
    d.sde("lead", conversation="c2", topic="Cards", lead_id="L4", value=0.2)
    d.insert(db_url)

    assert rows(db_url, "aov_by_customer_segment") == [
        ("conversation", "unknown", 2, 1e30 + 10.5, (1e30 + 10.5) / 2, 1)
    ]
    assert rows(db_url, "chat_conversion_by_skill") == [("Sales", 2, 1, 50.0, 1e30 + 10.5)]
    assert rows(db_url, "cart_abandonment") == [("conversation", 1, 0, 1, 100.0, -1e300)]
    assert rows(db_url, "lead_pipeline") == [
        ("conversation", "Loans", 2, 1e30 + 2.25, (1e30 + 2.25) / 2),
        ("conversation", "Cards", 2, 0.3, 0.15),  # below 1e15 the sum stays exact
    ]


def test_amounts_and_scores_are_read_with_every_digit_and_never_overflow(db_url: str) -> None:
    # PostgreSQL's cast of a double to a decimal keeps 15 significant digits (1234567.894999999
    # became 1234567.895 and its mean .90), and its AVG of doubles fails beyond ~1e154: both
    # databases now answer as DuckDB did, from each value's shortest decimal text.
    d = Data()
    d.conversation("c1", "2024-03-01 10:00", latest_skill_name="Sales")
    m1 = d.message("c1", "2024-03-01 10:01", "Agent")
    d.intent("c1", m1, "precise", 1234567.894999999)
    d.intent("c1", m1, "huge", 1e200)
    d.intent("c1", m1, "huge", 1.0)
    d.intent("c1", m1, "unscored", None)
    d.sde(
        "purchase",
        conversation="c1",
        server_time="2024-03-01 10:02",
        order_id="o1",
        total=123456.78901234567,
    )
    d.sde("lead", conversation="c1", topic="Exact", lead_id="L1", value=1234567.894999999)
    d.sde("lead", conversation="c1", topic="Huge", lead_id="L2", value=1e200)
    d.sde("lead", conversation="c1", topic="Huge", lead_id="L3", value=1.0)
    d.insert(db_url)

    assert rows(db_url, "bot_intents") == [
        ("huge", 2, 5e199),
        ("precise", 1, 1234567.89),
        ("unscored", 1, None),
    ]
    assert rows(db_url, "lead_pipeline") == [
        ("conversation", "Huge", 2, 1e200, 5e199),
        ("conversation", "Exact", 1, 1234567.894999999, 1234567.89),
    ]
    assert rows(db_url, "chat_conversion_by_skill") == [("Sales", 1, 1, 100.0, 123456.7890123457)]
    assert rows(db_url, "aov_by_customer_segment") == [
        ("conversation", "unknown", 1, 123456.7890123457, 123456.79, 1)
    ]


def test_ties_sort_by_code_point_on_a_locale_collated_server(_pg_server, duckdb_url) -> None:
    # Ties are ordered by the first column ascending, in code-point order as DuckDB compares
    # text, also where the database's default collation is a locale's (ICU en-US sorts
    # "a" < "b" < "B" < "école" < "hats"): the same rows, and LIMIT keeps the same ones.
    pg_url = _pg_server.create_icu("icu_q")
    try:
        from warehouse import migrate

        migrate.upgrade(pg_url)
        d = Data()
        for n, name in enumerate(["b", "B", "a"]):
            d.conversation(f"c{n}", "2024-03-01 10:00", latest_skill_name=name)
            d.conversation(f"d{n}", "2024-03-01 10:00", latest_agent_id=name)
            d.visit(f"v{n}", "2024-03-01 09:00")
            d.page_view(f"v{n}", f"/{name}", "2024-03-01 09:00")
        search = d.sde("search_content", conversation="c0")
        d.keywords(search, "hats", "école")
        for url in (duckdb_url, pg_url):
            d.insert(url)

        skills = [("Unassigned", 3, 0, 0.0), ("B", 1, 0, 0.0), ("a", 1, 0, 0.0), ("b", 1, 0, 0.0)]
        for url in (duckdb_url, pg_url):
            assert rows(url, "transfer_rate_by_skill") == skills
            assert [r[0] for r in rows(url, "csat_by_agent")] == ["B", "a", "b"]
            assert rows(url, "search_keywords", params={"limit": "1"}) == [("hats", 1, 1)]
            assert [r[0] for r in rows(url, "top_pages")] == ["/B", "/a", "/b"]
    finally:
        _pg_server.drop(pg_url)


# --- results ------------------------------------------------------------------------------------


def test_result_as_dicts_and_arrow(db_url: str) -> None:
    d = Data()
    d.conversation("c1", "2024-03-01 08:00:00", status="CLOSE")
    d.insert(db_url)
    result = run_query(db_url, "conversation_volume")
    assert result.to_dicts() == [
        {"day": date(2024, 3, 1), "conversations": 1, "closed": 1, "open": 0}
    ]
    table = result.to_arrow()
    assert table.column_names == ["day", "conversations", "closed", "open"]
    assert table.to_pylist() == result.to_dicts()


# --- ad-hoc SQL ---------------------------------------------------------------------------------


def test_run_sql_returns_the_same_values_on_both(db_url: str) -> None:
    d = Data()
    d.conversation("c1", "2024-03-01 08:00:00.250", status="CLOSE", duration=1500)
    d.conversation("c2", "2024-03-02 08:00:00", status="OPEN", duration=500)
    d.insert(db_url)
    result = run_sql(
        db_url,
        "SELECT status, start_time, CAST(start_time AS DATE) AS day, SUM(duration) AS total, "
        "CAST(1.25 AS DECIMAL(10, 2)) AS price "
        "FROM conversation GROUP BY status, start_time ORDER BY status;",
    )
    from datetime import datetime

    assert result.columns == ["status", "start_time", "day", "total", "price"]
    assert result.rows == [
        ("CLOSE", datetime(2024, 3, 1, 8, 0, 0, 250000), date(2024, 3, 1), 1500, 1.25),
        ("OPEN", datetime(2024, 3, 2, 8, 0, 0), date(2024, 3, 2), 500, 1.25),
    ]


@pytest.mark.parametrize(
    "statement",
    [
        "DROP TABLE conversation",
        "DELETE FROM conversation",
        "UPDATE conversation SET status = 'OPEN'",
        "INSERT INTO conversation (conversation_id, record_hash) VALUES ('x', 'y')",
        "CREATE TABLE evil (x INTEGER)",
        # A second statement could end the read-only transaction and start another.
        "COMMIT; DROP TABLE conversation",
        "SELECT 1; DROP TABLE conversation",
    ],
)
def test_run_sql_is_read_only(db_url: str, statement: str) -> None:
    _one_closed_conversation(db_url)
    with pytest.raises(QueryError):
        run_sql(db_url, statement)
    _assert_still_one_closed_conversation(db_url)


def _one_closed_conversation(url: str) -> None:
    d = Data()
    d.conversation("c1", "2024-03-01 08:00", status="CLOSE")
    d.insert(url)


def _assert_still_one_closed_conversation(url: str) -> None:
    assert run_sql(url, "SELECT conversation_id, status FROM conversation").rows == [
        ("c1", "CLOSE")
    ]


@pytest.mark.parametrize(
    "statement",
    [
        "COPY (SELECT 1 AS x) TO '{target}'",
        "COPY (SELECT 1 AS x) TO '{warehouse}'",  # over the warehouse file itself
        "/* a comment */ (COPY conversation TO '{target}')",
        "EXPORT DATABASE '{target}'",
        "ATTACH '{target}' (READ_WRITE)",
        "DO $$ BEGIN EXECUTE 'COPY (SELECT 1) TO ''{target}'''; END $$",
    ],
)
def test_run_sql_writes_no_file(db_url: str, statement: str) -> None:
    # Read-only is not only the warehouse's tables: no statement writes a file anywhere.
    _one_closed_conversation(db_url)
    # A folder the PostgreSQL server's own user (a superuser here) may write in too.
    folder = Path(tempfile.mkdtemp(prefix="lpwh_sql_"))
    folder.chmod(0o777)
    target = folder / "out"
    warehouse = db_url if not db_url.startswith("postgresql") else str(folder / "w.duckdb")
    try:
        with pytest.raises(QueryError):
            run_sql(db_url, statement.format(target=target, warehouse=warehouse))
        assert not target.exists()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    _assert_still_one_closed_conversation(db_url)


def test_run_sql_drop_says_read_only(db_url: str) -> None:
    with pytest.raises(QueryError, match="read-only"):
        run_sql(db_url, "DROP TABLE conversation")
    assert run_sql(db_url, "SELECT COUNT(*) AS n FROM conversation").rows == [(0,)]


def test_postgres_cannot_switch_the_transaction_to_read_write(postgres_url: str) -> None:
    with pytest.raises(QueryError):
        run_sql(postgres_url, "SET TRANSACTION READ WRITE")


def test_run_sql_errors_are_clear(db_url: str) -> None:
    with pytest.raises(QueryError, match="SQL failed"):
        run_sql(db_url, "SELECT nope FROM conversation")
    with pytest.raises(QueryError, match="no SQL"):
        run_sql(db_url, "   ")
