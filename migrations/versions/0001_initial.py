"""Initial schema: every table of the warehouse contract.

Written out table by table (first drafted with Alembic autogenerate against an
empty PostgreSQL database, then reviewed): a migration must not change when the
models do. Text columns are unbounded TEXT, epoch-millisecond fields naive UTC
TIMESTAMP; every table and column carries its comment, on DuckDB too (Alembic
emits ``COMMENT ON`` for both). Constraint and index names follow the naming
convention in ``warehouse.models.base``.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

# Comments are the columns' documentation, kept verbatim on one line each.
# ruff: noqa: E501

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# DuckDB has no SERIAL: load_file.load_id comes from this sequence on both databases.
# The column has no server default; the loader asks the sequence for the next id.
LOAD_ID_SEQUENCE = "load_file_load_id_seq"


def _on_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _create_index(*args, **kw) -> None:
    # Secondary indexes exist on PostgreSQL only: DuckDB does not need them for analytic
    # scans, and on DuckDB an indexed column of a row that other rows reference cannot be
    # updated (the upsert of a conversation would fail). The models say the same (ddl_if).
    if _on_postgres():
        op.create_index(*args, **kw)


def _drop_index(*args, **kw) -> None:
    if _on_postgres():
        op.drop_index(*args, **kw)


def upgrade() -> None:
    """Create every table, index and the load id sequence."""
    op.execute(sa.schema.CreateSequence(sa.Sequence(LOAD_ID_SEQUENCE)))
    op.create_table(
        "conversation",
        sa.Column(
            "conversation_id",
            sa.Text(),
            nullable=False,
            comment="Id of the conversation (info.conversationId)",
        ),
        sa.Column(
            "record_version",
            sa.DateTime(),
            nullable=True,
            comment="Version of the stored record: the latest timestamp anywhere in it; a record is replaced only by one whose version is greater or equal (UTC)",
        ),
        sa.Column(
            "record_hash",
            sa.Text(),
            nullable=False,
            comment="Digest of the stored record, the tie-break between two records of equal version",
        ),
        sa.Column(
            "load_id",
            sa.BigInteger(),
            nullable=True,
            comment="load_file.load_id of the load that wrote this row",
        ),
        sa.Column(
            "start_time",
            sa.DateTime(),
            nullable=True,
            comment="Conversation start time (info.startTimeL) (UTC)",
        ),
        sa.Column(
            "end_time",
            sa.DateTime(),
            nullable=True,
            comment="Conversation end time (info.endTimeL); NULL while open (UTC)",
        ),
        sa.Column(
            "conversation_end_time",
            sa.DateTime(),
            nullable=True,
            comment="End time of the conversation's main dialog (info.conversationEndTimeL) (UTC)",
        ),
        sa.Column(
            "full_dialog_end_time",
            sa.DateTime(),
            nullable=True,
            comment="End time of the last dialog of the conversation (info.fullDialogEndTimeL) (UTC)",
        ),
        sa.Column(
            "duration",
            sa.BigInteger(),
            nullable=True,
            comment="Conversation duration in milliseconds",
        ),
        sa.Column("brand_id", sa.Text(), nullable=True, comment="Account (brand) id"),
        sa.Column(
            "latest_agent_id", sa.Text(), nullable=True, comment="Id of the last agent assigned"
        ),
        sa.Column(
            "latest_agent_nickname",
            sa.Text(),
            nullable=True,
            comment="Nickname of the last agent assigned",
        ),
        sa.Column(
            "latest_agent_full_name",
            sa.Text(),
            nullable=True,
            comment="Full name of the last agent assigned",
        ),
        sa.Column(
            "latest_agent_login_name",
            sa.Text(),
            nullable=True,
            comment="Login name of the last agent assigned",
        ),
        sa.Column(
            "agent_deleted",
            sa.Boolean(),
            nullable=True,
            comment="Whether the last agent has been deleted",
        ),
        sa.Column(
            "latest_skill_id",
            sa.BigInteger(),
            nullable=True,
            comment="Id of the last skill (-1: none)",
        ),
        sa.Column("latest_skill_name", sa.Text(), nullable=True, comment="Name of the last skill"),
        sa.Column(
            "source",
            sa.Text(),
            nullable=True,
            comment="Source of the conversation (APP, SHARK, ...)",
        ),
        sa.Column(
            "close_reason",
            sa.Text(),
            nullable=True,
            comment="Who closed the conversation (AGENT, CONSUMER, SYSTEM)",
        ),
        sa.Column(
            "close_reason_description",
            sa.Text(),
            nullable=True,
            comment="How it was closed (MANUAL_CLOSE, ...)",
        ),
        sa.Column(
            "mcs",
            sa.Integer(),
            nullable=True,
            comment="Meaningful Connection Score of the conversation, 0-100",
        ),
        sa.Column(
            "alerted_mcs",
            sa.Integer(),
            nullable=True,
            comment="Alerted MCS: -1 negative, 0 neutral, 1 positive (info.alertedMCS)",
        ),
        sa.Column("status", sa.Text(), nullable=True, comment="Conversation status: OPEN or CLOSE"),
        sa.Column(
            "full_dialog_status",
            sa.Text(),
            nullable=True,
            comment="Status of the conversation's full dialog",
        ),
        sa.Column(
            "first_conversation",
            sa.Boolean(),
            nullable=True,
            comment="Whether this is the consumer's first",
        ),
        sa.Column(
            "csat_rate", sa.Integer(), nullable=True, comment="Consumer satisfaction rating, 1-5"
        ),
        sa.Column("device", sa.Text(), nullable=True, comment="Consumer's device type"),
        sa.Column("browser", sa.Text(), nullable=True, comment="Consumer's browser"),
        sa.Column(
            "operating_system", sa.Text(), nullable=True, comment="Consumer's operating system"
        ),
        sa.Column(
            "latest_agent_group_id",
            sa.BigInteger(),
            nullable=True,
            comment="Id of the last agent's group",
        ),
        sa.Column(
            "latest_agent_group_name",
            sa.Text(),
            nullable=True,
            comment="Name of the last agent's group",
        ),
        sa.Column(
            "latest_queue_state", sa.Text(), nullable=True, comment="Queue state (IN_QUEUE, ACTIVE)"
        ),
        sa.Column(
            "is_partial",
            sa.Boolean(),
            nullable=True,
            comment="Whether the record holds partial data",
        ),
        sa.Column(
            "pending_agent_survey",
            sa.Boolean(),
            nullable=True,
            comment="Whether an agent survey is pending for the conversation",
        ),
        sa.Column(
            "campaign_engagement_id",
            sa.Text(),
            nullable=True,
            comment="Engagement id (campaign section)",
        ),
        sa.Column("campaign_engagement_name", sa.Text(), nullable=True, comment="Engagement name"),
        sa.Column("campaign_id", sa.Text(), nullable=True, comment="Campaign id"),
        sa.Column("campaign_name", sa.Text(), nullable=True, comment="Campaign name"),
        sa.Column("goal_id", sa.Text(), nullable=True, comment="Campaign goal id"),
        sa.Column("goal_name", sa.Text(), nullable=True, comment="Campaign goal name"),
        sa.Column(
            "engagement_agent_note",
            sa.Text(),
            nullable=True,
            comment="Note to the agent defined on the engagement",
        ),
        sa.Column(
            "engagement_source",
            sa.Text(),
            nullable=True,
            comment="Engagement source (WEB_SITE, ...)",
        ),
        sa.Column("visitor_behavior_id", sa.Text(), nullable=True, comment="Visitor behaviour id"),
        sa.Column(
            "visitor_behavior_name", sa.Text(), nullable=True, comment="Visitor behaviour name"
        ),
        sa.Column(
            "engagement_application_id",
            sa.Text(),
            nullable=True,
            comment="Engagement application id",
        ),
        sa.Column(
            "engagement_application_name",
            sa.Text(),
            nullable=True,
            comment="Engagement application name",
        ),
        sa.Column(
            "engagement_application_type_id",
            sa.Text(),
            nullable=True,
            comment="Engagement application type id",
        ),
        sa.Column(
            "engagement_application_type_name",
            sa.Text(),
            nullable=True,
            comment="Engagement application type name",
        ),
        sa.Column("visitor_profile_id", sa.Text(), nullable=True, comment="Visitor profile id"),
        sa.Column("visitor_profile_name", sa.Text(), nullable=True, comment="Visitor profile name"),
        sa.Column("lob_id", sa.BigInteger(), nullable=True, comment="Line of business id"),
        sa.Column("lob_name", sa.Text(), nullable=True, comment="Line of business name"),
        sa.Column("location_id", sa.Text(), nullable=True, comment="Engagement location id"),
        sa.Column("location_name", sa.Text(), nullable=True, comment="Engagement location name"),
        sa.Column(
            "profile_system_default",
            sa.Boolean(),
            nullable=True,
            comment="Whether the profile is the default",
        ),
        sa.Column(
            "behavior_system_default",
            sa.Boolean(),
            nullable=True,
            comment="Whether the behaviour is the default",
        ),
        sa.Column(
            "monitoring_country",
            sa.Text(),
            nullable=True,
            comment="Consumer's country (monitoring section)",
        ),
        sa.Column(
            "monitoring_country_code", sa.Text(), nullable=True, comment="Consumer's country code"
        ),
        sa.Column("monitoring_state", sa.Text(), nullable=True, comment="Consumer's state"),
        sa.Column("monitoring_city", sa.Text(), nullable=True, comment="Consumer's city"),
        sa.Column(
            "monitoring_isp",
            sa.Text(),
            nullable=True,
            comment="Consumer's internet service provider",
        ),
        sa.Column("monitoring_org", sa.Text(), nullable=True, comment="Consumer's organisation"),
        sa.Column(
            "monitoring_device",
            sa.Text(),
            nullable=True,
            comment="Consumer's device (monitoring section)",
        ),
        sa.Column(
            "monitoring_ip_address", sa.Text(), nullable=True, comment="Consumer's IP address"
        ),
        sa.Column(
            "monitoring_browser",
            sa.Text(),
            nullable=True,
            comment="Consumer's browser (monitoring section)",
        ),
        sa.Column(
            "monitoring_operating_system",
            sa.Text(),
            nullable=True,
            comment="Consumer's operating system (monitoring section)",
        ),
        sa.Column(
            "monitoring_conversation_start_page",
            sa.Text(),
            nullable=True,
            comment="Page on which the conversation started",
        ),
        sa.Column(
            "monitoring_conversation_start_page_title",
            sa.Text(),
            nullable=True,
            comment="Title of the page on which the conversation started",
        ),
        sa.Column(
            "latest_effective_response_due_time",
            sa.DateTime(),
            nullable=True,
            comment="When the agent's response is due (responseTime.latestEffectiveResponseDueTime) (UTC)",
        ),
        sa.Column(
            "configured_response_time",
            sa.BigInteger(),
            nullable=True,
            comment="Configured response time (responseTime.configuredResponseTime)",
        ),
        sa.Column(
            "summary_text",
            sa.Text(),
            nullable=True,
            comment="Conversation summary written by the agent",
        ),
        sa.Column(
            "summary_last_updated_time",
            sa.DateTime(),
            nullable=True,
            comment="When the summary was last updated (UTC)",
        ),
        sa.Column(
            "extra",
            sa.Text(),
            nullable=True,
            comment="Fields of the source object that no column holds, and values that could not be cast, kept so that nothing in an export is lost (JSON text)",
        ),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_conversation")),
        comment="One row per conversation: the info, campaign, monitoring, responseTime and summary sections of a Messaging Interactions API conversation record",
    )
    _create_index(
        op.f("ix_conversation_latest_agent_id"), "conversation", ["latest_agent_id"], unique=False
    )
    _create_index(
        op.f("ix_conversation_latest_skill_name"),
        "conversation",
        ["latest_skill_name"],
        unique=False,
    )
    _create_index(op.f("ix_conversation_start_time"), "conversation", ["start_time"], unique=False)
    op.create_table(
        "load_file",
        # No BIGSERIAL/IDENTITY (DuckDB has neither): ids come from LOAD_ID_SEQUENCE.
        sa.Column(
            "load_id",
            sa.BigInteger(),
            autoincrement=False,
            nullable=False,
            comment="Id of this load of the file",
        ),
        sa.Column(
            "path",
            sa.Text(),
            nullable=False,
            comment="Path of the file as given to the loader (resolved)",
        ),
        sa.Column("sha256", sa.Text(), nullable=True, comment="SHA-256 of the file's bytes"),
        sa.Column(
            "size_bytes", sa.BigInteger(), nullable=True, comment="Size of the file in bytes"
        ),
        sa.Column(
            "kind",
            sa.Text(),
            nullable=True,
            comment="Detected kind: conversations, web_session, listing, data_access (other data type), unknown",
        ),
        sa.Column(
            "status",
            sa.Text(),
            nullable=False,
            comment="loading, loaded, rejected (nothing written), skipped (same sha256 already loaded), listing, unsupported",
        ),
        sa.Column(
            "records_seen", sa.BigInteger(), nullable=False, comment="Records read from the file"
        ),
        sa.Column("records_loaded", sa.BigInteger(), nullable=False, comment="Records written"),
        sa.Column(
            "records_rejected",
            sa.BigInteger(),
            nullable=False,
            comment="Records rejected (see load_rejection)",
        ),
        sa.Column(
            "warnings",
            sa.BigInteger(),
            nullable=False,
            comment="Values that could not be cast, and other warnings",
        ),
        sa.Column(
            "started_at",
            sa.DateTime(),
            nullable=True,
            comment="When the load of the file started (UTC)",
        ),
        sa.Column(
            "finished_at",
            sa.DateTime(),
            nullable=True,
            comment="When the load of the file ended (UTC)",
        ),
        sa.Column(
            "error",
            sa.Text(),
            nullable=True,
            comment="Why the file was rejected, with the byte offset or line",
        ),
        sa.Column(
            "detail",
            sa.Text(),
            nullable=True,
            comment="Counts per table, conversations inserted/updated/unchanged, data type, ... (JSON text)",
        ),
        sa.PrimaryKeyConstraint("load_id", name=op.f("pk_load_file")),
        comment="One row per file a load looked at",
    )
    _create_index(op.f("ix_load_file_sha256"), "load_file", ["sha256"], unique=False)
    op.create_table(
        "web_session",
        sa.Column(
            "visit_id", sa.Text(), nullable=False, comment="Unique visitor session identifier"
        ),
        sa.Column(
            "source_time",
            sa.DateTime(),
            nullable=True,
            comment="Latest metaData.startTime of the files that described the visit (UTC)",
        ),
        sa.Column(
            "visitor_id",
            sa.Text(),
            nullable=True,
            comment="Unique visitor identifier of the visitor",
        ),
        sa.Column("context_id", sa.Text(), nullable=True, comment="Context ID"),
        sa.Column(
            "account_id",
            sa.Text(),
            nullable=True,
            comment="LivePerson account number (metaData.accountId)",
        ),
        sa.Column(
            "session_start_time",
            sa.DateTime(),
            nullable=True,
            comment="Visitor session's start time (UTC)",
        ),
        sa.Column("user_agent", sa.Text(), nullable=True, comment="User agent"),
        sa.Column(
            "device_os",
            sa.Text(),
            nullable=True,
            comment="Device OS type: NA, WINDOWS, MAC_OS, LINUX, IOS, ANDROID",
        ),
        sa.Column(
            "device_family",
            sa.Text(),
            nullable=True,
            comment="Device type: NA, DESKTOP, TABLET, MOBILE",
        ),
        sa.Column(
            "site_control_group",
            sa.Text(),
            nullable=True,
            comment="Site control group: NA, CONTROL, TEST",
        ),
        sa.Column(
            "search_engine",
            sa.Text(),
            nullable=True,
            comment="Search engine, if the visitor started the session after searching a known search engine; extracted from the referrer URL",
        ),
        sa.Column(
            "search_engine_key",
            sa.Text(),
            nullable=True,
            comment="Keywords used to search through the search engine prior to the session starting point; taken from the referrer URL",
        ),
        sa.Column("ip_v4", sa.Text(), nullable=True, comment="IP V4 address (iPV4)"),
        sa.Column("ip_v6", sa.Text(), nullable=True, comment="IP V6 address (iPV6)"),
        sa.Column("country", sa.Text(), nullable=True, comment="Country name"),
        sa.Column("country_code", sa.Text(), nullable=True, comment="Country code"),
        sa.Column("state", sa.Text(), nullable=True, comment="State name"),
        sa.Column("city", sa.Text(), nullable=True, comment="City name"),
        sa.Column("org", sa.Text(), nullable=True, comment="Organization name"),
        sa.Column("isp", sa.Text(), nullable=True, comment="Internet service provider"),
        sa.Column(
            "first_fact_time",
            sa.DateTime(),
            nullable=True,
            comment="Earliest time of any fact of the visit (UTC)",
        ),
        sa.PrimaryKeyConstraint("visit_id", name=op.f("pk_web_session")),
        comment="One row per visit: header, session info and geo merged across files (a null never erases a value; the file with the later metaData.startTime wins)",
    )
    _create_index(
        op.f("ix_web_session_session_start_time"),
        "web_session",
        ["session_start_time"],
        unique=False,
    )
    _create_index(op.f("ix_web_session_visitor_id"), "web_session", ["visitor_id"], unique=False)
    op.create_table(
        "agent_survey",
        sa.Column("conversation_id", sa.Text(), nullable=False, comment="Conversation id"),
        sa.Column(
            "survey_index",
            sa.Integer(),
            autoincrement=False,
            nullable=False,
            comment="0 for latestAgentSurvey, n for previouslySubmittedAgentSurveys[n-1]",
        ),
        sa.Column(
            "load_id",
            sa.BigInteger(),
            nullable=True,
            comment="load_file.load_id of the load that wrote this row",
        ),
        sa.Column(
            "is_latest",
            sa.Boolean(),
            nullable=False,
            comment="Whether this is the latestAgentSurvey",
        ),
        sa.Column(
            "survey_status",
            sa.Text(),
            nullable=True,
            comment="Survey status (SUBMITTED, CLOSED, ...)",
        ),
        sa.Column("status_reason", sa.Text(), nullable=True, comment="Reason of the status"),
        sa.Column("dialog_id", sa.Text(), nullable=True, comment="Dialog id"),
        sa.Column("survey_id", sa.Text(), nullable=True, comment="Survey instance id"),
        sa.Column("ac_survey_id", sa.Text(), nullable=True, comment="Survey definition id"),
        sa.Column("ac_survey_name", sa.Text(), nullable=True, comment="Survey definition name"),
        sa.Column(
            "ac_survey_revision",
            sa.BigInteger(),
            nullable=True,
            comment="Survey definition revision",
        ),
        sa.Column("survey_skill_id", sa.BigInteger(), nullable=True, comment="Survey skill id"),
        sa.Column("survey_skill_name", sa.Text(), nullable=True, comment="Survey skill name"),
        sa.Column("assigned_agent_id", sa.Text(), nullable=True, comment="Assigned agent id"),
        sa.Column(
            "assigned_agent_nick_name", sa.Text(), nullable=True, comment="Assigned agent nickname"
        ),
        sa.Column("assigned_agent_name", sa.Text(), nullable=True, comment="Assigned agent name"),
        sa.Column(
            "performed_by_agent_id",
            sa.Text(),
            nullable=True,
            comment="Id of the agent who filled it in",
        ),
        sa.Column(
            "performed_by_agent_nick_name",
            sa.Text(),
            nullable=True,
            comment="Nickname of that agent",
        ),
        sa.Column(
            "performed_by_agent_name", sa.Text(), nullable=True, comment="Name of that agent"
        ),
        sa.Column(
            "last_update_time",
            sa.DateTime(),
            nullable=True,
            comment="When the survey was last updated (UTC)",
        ),
        sa.Column(
            "extra",
            sa.Text(),
            nullable=True,
            comment="Fields of the source object that no column holds, and values that could not be cast, kept so that nothing in an export is lost (JSON text)",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.conversation_id"],
            name=op.f("fk_agent_survey_conversation_id_conversation"),
        ),
        sa.PrimaryKeyConstraint("conversation_id", "survey_index", name=op.f("pk_agent_survey")),
        comment="latestAgentSurvey (survey_index 0) and each of previouslySubmittedAgentSurveys (1, 2, ...)",
    )
    op.create_table(
        "cobrowse_session",
        sa.Column("conversation_id", sa.Text(), nullable=False, comment="Conversation id"),
        sa.Column("session_id", sa.Text(), nullable=False, comment="Co-browse session id"),
        sa.Column("start_time", sa.DateTime(), nullable=True, comment="Session start time (UTC)"),
        sa.Column("end_time", sa.DateTime(), nullable=True, comment="Session end time (UTC)"),
        sa.Column(
            "end_reason",
            sa.Text(),
            nullable=True,
            comment="Who ended the session (AGENT, VISITOR, ...)",
        ),
        sa.Column(
            "duration", sa.BigInteger(), nullable=True, comment="Session duration in milliseconds"
        ),
        sa.Column("type", sa.Text(), nullable=True, comment="Session type (inApp, web)"),
        sa.Column(
            "capabilities",
            sa.Text(),
            nullable=True,
            comment="Capabilities used in the session (JSON text)",
        ),
        sa.Column("agent_id", sa.Text(), nullable=True, comment="Agent id"),
        sa.Column(
            "interactive",
            sa.Boolean(),
            nullable=True,
            comment="Whether the session was interactive",
        ),
        sa.Column(
            "extra",
            sa.Text(),
            nullable=True,
            comment="Fields of the source object that no column holds, and values that could not be cast, kept so that nothing in an export is lost (JSON text)",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.conversation_id"],
            name=op.f("fk_cobrowse_session_conversation_id_conversation"),
        ),
        sa.PrimaryKeyConstraint("conversation_id", "session_id", name=op.f("pk_cobrowse_session")),
        comment="One row per entry of coBrowseSessions.coBrowseSessionsList",
    )
    op.create_table(
        "conversation_intent",
        sa.Column("conversation_id", sa.Text(), nullable=False, comment="Conversation id"),
        sa.Column(
            "intent_index",
            sa.Integer(),
            autoincrement=False,
            nullable=False,
            comment="Position of the entry in intents",
        ),
        sa.Column(
            "classification_index",
            sa.Integer(),
            autoincrement=False,
            nullable=False,
            comment="0 for selectedClassification, n for allClassifications[n-1]",
        ),
        sa.Column(
            "is_selected",
            sa.Boolean(),
            nullable=False,
            comment="Whether this is the selected classification",
        ),
        sa.Column(
            "message_id", sa.Text(), nullable=True, comment="Message the intent was detected in"
        ),
        sa.Column("intent_name", sa.Text(), nullable=True, comment="Intent name (id)"),
        sa.Column("intent_label", sa.Text(), nullable=True, comment="Intent label"),
        sa.Column("confidence_score", sa.Double(), nullable=True, comment="Confidence score, 0-1"),
        sa.Column(
            "versions",
            sa.Text(),
            nullable=True,
            comment="Models (name and version) that classified it (JSON text)",
        ),
        sa.Column(
            "extra",
            sa.Text(),
            nullable=True,
            comment="Fields of the source object that no column holds, and values that could not be cast, kept so that nothing in an export is lost (JSON text)",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.conversation_id"],
            name=op.f("fk_conversation_intent_conversation_id_conversation"),
        ),
        sa.PrimaryKeyConstraint(
            "conversation_id",
            "intent_index",
            "classification_index",
            name=op.f("pk_conversation_intent"),
        ),
        comment="One row per classification in intents: the selected classification (classification_index 0) and each of allClassifications (1, 2, ...)",
    )
    op.create_table(
        "dialog",
        sa.Column("conversation_id", sa.Text(), nullable=False, comment="Conversation id"),
        sa.Column("dialog_id", sa.Text(), nullable=False, comment="Dialog id"),
        sa.Column("status", sa.Text(), nullable=True, comment="Dialog status"),
        sa.Column(
            "dialog_type", sa.Text(), nullable=True, comment="Dialog type (MAIN, POST_SURVEY, ...)"
        ),
        sa.Column(
            "dialog_channel_type",
            sa.Text(),
            nullable=True,
            comment="Dialog channel (MESSAGING, ...)",
        ),
        sa.Column("start_time", sa.DateTime(), nullable=True, comment="Dialog start time (UTC)"),
        sa.Column("end_time", sa.DateTime(), nullable=True, comment="Dialog end time (UTC)"),
        sa.Column("close_reason", sa.Text(), nullable=True, comment="Who closed the dialog"),
        sa.Column(
            "close_reason_description",
            sa.Text(),
            nullable=True,
            comment="How the dialog was closed",
        ),
        sa.Column("skill_id", sa.BigInteger(), nullable=True, comment="Skill id"),
        sa.Column("skill_name", sa.Text(), nullable=True, comment="Skill name"),
        sa.Column(
            "extra",
            sa.Text(),
            nullable=True,
            comment="Fields of the source object that no column holds, and values that could not be cast, kept so that nothing in an export is lost (JSON text)",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.conversation_id"],
            name=op.f("fk_dialog_conversation_id_conversation"),
        ),
        sa.PrimaryKeyConstraint("conversation_id", "dialog_id", name=op.f("pk_dialog")),
        comment="One row per entry of dialogs",
    )
    op.create_table(
        "interaction",
        sa.Column("conversation_id", sa.Text(), nullable=False, comment="Conversation id"),
        sa.Column(
            "ordinal",
            sa.Integer(),
            autoincrement=False,
            nullable=False,
            comment="Position of the entry in its array in the record (0-based)",
        ),
        sa.Column(
            "assigned_agent_id",
            sa.Text(),
            nullable=True,
            comment="Agent assigned in this interaction",
        ),
        sa.Column(
            "assigned_agent_full_name",
            sa.Text(),
            nullable=True,
            comment="Full name of the assigned agent",
        ),
        sa.Column(
            "assigned_agent_login_name",
            sa.Text(),
            nullable=True,
            comment="Login name of the assigned agent",
        ),
        sa.Column(
            "assigned_agent_nickname",
            sa.Text(),
            nullable=True,
            comment="Nickname of the assigned agent",
        ),
        sa.Column(
            "interaction_time",
            sa.DateTime(),
            nullable=True,
            comment="When the interaction started (UTC)",
        ),
        sa.Column(
            "interactive_sequence",
            sa.BigInteger(),
            nullable=True,
            comment="Sequence of the interaction",
        ),
        sa.Column("dialog_id", sa.Text(), nullable=True, comment="Dialog id"),
        sa.Column(
            "extra",
            sa.Text(),
            nullable=True,
            comment="Fields of the source object that no column holds, and values that could not be cast, kept so that nothing in an export is lost (JSON text)",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.conversation_id"],
            name=op.f("fk_interaction_conversation_id_conversation"),
        ),
        sa.PrimaryKeyConstraint("conversation_id", "ordinal", name=op.f("pk_interaction")),
        comment="One row per entry of interactions",
    )
    op.create_table(
        "load_rejection",
        sa.Column("load_id", sa.BigInteger(), nullable=False, comment="load_file.load_id"),
        sa.Column(
            "ordinal",
            sa.Integer(),
            autoincrement=False,
            nullable=False,
            comment="Rejection number in the load",
        ),
        sa.Column("path", sa.Text(), nullable=False, comment="File the rejected input came from"),
        sa.Column(
            "position",
            sa.Text(),
            nullable=True,
            comment="Where in the file: byte offset, line, record number",
        ),
        sa.Column("reason", sa.Text(), nullable=False, comment="Why it could not be loaded"),
        sa.Column("raw", sa.Text(), nullable=True, comment="The rejected input as text"),
        sa.ForeignKeyConstraint(
            ["load_id"], ["load_file.load_id"], name=op.f("fk_load_rejection_load_id_load_file")
        ),
        sa.PrimaryKeyConstraint("load_id", "ordinal", name=op.f("pk_load_rejection")),
        comment="One row per record or file that could not be loaded",
    )
    op.create_table(
        "message",
        sa.Column("conversation_id", sa.Text(), nullable=False, comment="Conversation id"),
        sa.Column("message_id", sa.Text(), nullable=False, comment="Message id"),
        sa.Column(
            "load_id",
            sa.BigInteger(),
            nullable=True,
            comment="load_file.load_id of the load that wrote this row",
        ),
        sa.Column(
            "seq",
            sa.BigInteger(),
            nullable=True,
            comment="Sequence number of the message in the conversation",
        ),
        sa.Column(
            "type",
            sa.Text(),
            nullable=True,
            comment="Message type (TEXT_PLAIN, RICH_CONTENT, HOSTED_FILE, ...)",
        ),
        sa.Column(
            "rich_content",
            sa.Text(),
            nullable=True,
            comment="Structured content (messageData.richContent) (JSON text)",
        ),
        sa.Column(
            "quick_replies",
            sa.Text(),
            nullable=True,
            comment="Quick replies (messageData.quickReplies) (JSON text)",
        ),
        sa.Column("dialog_id", sa.Text(), nullable=True, comment="Dialog the message belongs to"),
        sa.Column(
            "participant_id",
            sa.Text(),
            nullable=True,
            comment="Id of the participant who sent the message",
        ),
        sa.Column("source", sa.Text(), nullable=True, comment="Source of the message (APP, ...)"),
        sa.Column(
            "time", sa.DateTime(), nullable=True, comment="When the message was sent (timeL) (UTC)"
        ),
        sa.Column("device", sa.Text(), nullable=True, comment="Device the message was sent from"),
        sa.Column(
            "audience",
            sa.Text(),
            nullable=True,
            comment="Who can see the message (ALL, AGENTS_AND_MANAGERS)",
        ),
        sa.Column("sent_by", sa.Text(), nullable=True, comment="Sender: Consumer or Agent"),
        sa.Column(
            "context_raw_metadata",
            sa.Text(),
            nullable=True,
            comment="contextData.rawMetadata (JSON text)",
        ),
        sa.Column(
            "context_structured_metadata",
            sa.Text(),
            nullable=True,
            comment="contextData.structuredMetadata (JSON text)",
        ),
        sa.Column("text", sa.Text(), nullable=True, comment="Message text (messageData.msg.text)"),
        sa.Column(
            "extra",
            sa.Text(),
            nullable=True,
            comment="Fields of the source object that no column holds, and values that could not be cast, kept so that nothing in an export is lost (JSON text)",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.conversation_id"],
            name=op.f("fk_message_conversation_id_conversation"),
        ),
        sa.PrimaryKeyConstraint("conversation_id", "message_id", name=op.f("pk_message")),
        comment="One row per entry of messageRecords",
    )
    _create_index(
        op.f("ix_message_conversation_id_time"),
        "message",
        ["conversation_id", "time"],
        unique=False,
    )
    op.create_table(
        "message_score",
        sa.Column("conversation_id", sa.Text(), nullable=False, comment="Conversation id"),
        sa.Column(
            "ordinal",
            sa.Integer(),
            autoincrement=False,
            nullable=False,
            comment="Position of the entry in its array in the record (0-based)",
        ),
        sa.Column("message_id", sa.Text(), nullable=True, comment="Message id"),
        sa.Column(
            "message_raw_score",
            sa.Integer(),
            nullable=True,
            comment="Raw sentiment score of the message",
        ),
        sa.Column(
            "mcs",
            sa.Integer(),
            nullable=True,
            comment="Meaningful Connection Score after the message",
        ),
        sa.Column(
            "time", sa.DateTime(), nullable=True, comment="When the score was computed (UTC)"
        ),
        sa.Column(
            "extra",
            sa.Text(),
            nullable=True,
            comment="Fields of the source object that no column holds, and values that could not be cast, kept so that nothing in an export is lost (JSON text)",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.conversation_id"],
            name=op.f("fk_message_score_conversation_id_conversation"),
        ),
        sa.PrimaryKeyConstraint("conversation_id", "ordinal", name=op.f("pk_message_score")),
        comment="One row per entry of messageScores (messageScore)",
    )
    op.create_table(
        "message_status",
        sa.Column("conversation_id", sa.Text(), nullable=False, comment="Conversation id"),
        sa.Column(
            "ordinal",
            sa.Integer(),
            autoincrement=False,
            nullable=False,
            comment="Position of the entry in its array in the record (0-based)",
        ),
        sa.Column("message_id", sa.Text(), nullable=True, comment="Message id"),
        sa.Column("seq", sa.BigInteger(), nullable=True, comment="Sequence number of the message"),
        sa.Column("time", sa.DateTime(), nullable=True, comment="When the status changed (UTC)"),
        sa.Column(
            "participant_id", sa.Text(), nullable=True, comment="Participant whose status this is"
        ),
        sa.Column(
            "participant_type",
            sa.Text(),
            nullable=True,
            comment="Participant type (Agent, Consumer)",
        ),
        sa.Column(
            "message_delivery_status",
            sa.Text(),
            nullable=True,
            comment="Delivery status (ACCEPT, READ, ...)",
        ),
        sa.Column("dialog_id", sa.Text(), nullable=True, comment="Dialog id"),
        sa.Column(
            "extra",
            sa.Text(),
            nullable=True,
            comment="Fields of the source object that no column holds, and values that could not be cast, kept so that nothing in an export is lost (JSON text)",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.conversation_id"],
            name=op.f("fk_message_status_conversation_id_conversation"),
        ),
        sa.PrimaryKeyConstraint("conversation_id", "ordinal", name=op.f("pk_message_status")),
        comment="One row per entry of messageStatuses",
    )
    op.create_table(
        "participant",
        sa.Column("conversation_id", sa.Text(), nullable=False, comment="Conversation id"),
        sa.Column(
            "participant_type",
            sa.Text(),
            nullable=False,
            comment="AGENT for an entry of agentParticipants, CONSUMER for consumerParticipant(s)",
        ),
        sa.Column(
            "ordinal",
            sa.Integer(),
            autoincrement=False,
            nullable=False,
            comment="Position of the participant in its section (0-based)",
        ),
        sa.Column(
            "role",
            sa.Text(),
            nullable=True,
            comment="Participant role: the agent's role (AGENT, MANAGER, ...), CONSUMER for consumers",
        ),
        sa.Column(
            "participant_id",
            sa.Text(),
            nullable=True,
            comment="Participant id: agentId of an agent, participantId of a consumer",
        ),
        sa.Column("agent_id", sa.Text(), nullable=True, comment="Agent id"),
        sa.Column("agent_full_name", sa.Text(), nullable=True, comment="Agent full name"),
        sa.Column("agent_nickname", sa.Text(), nullable=True, comment="Agent nickname"),
        sa.Column("agent_login_name", sa.Text(), nullable=True, comment="Agent login name"),
        sa.Column("user_type", sa.Text(), nullable=True, comment="Agent user type id"),
        sa.Column(
            "user_type_name", sa.Text(), nullable=True, comment="Agent user type (Human, Bot)"
        ),
        sa.Column("agent_group_id", sa.BigInteger(), nullable=True, comment="Agent group id"),
        sa.Column("agent_group_name", sa.Text(), nullable=True, comment="Agent group name"),
        sa.Column(
            "permission",
            sa.Text(),
            nullable=True,
            comment="Agent permission (ASSIGNED_AGENT, READER, ...)",
        ),
        sa.Column(
            "time", sa.DateTime(), nullable=True, comment="When the participant joined (UTC)"
        ),
        sa.Column("dialog_id", sa.Text(), nullable=True, comment="Dialog the participant joined"),
        sa.Column(
            "context_data", sa.Text(), nullable=True, comment="Participant contextData (JSON text)"
        ),
        sa.Column("first_name", sa.Text(), nullable=True, comment="Consumer first name"),
        sa.Column("last_name", sa.Text(), nullable=True, comment="Consumer last name"),
        sa.Column("consumer_name", sa.Text(), nullable=True, comment="Consumer name"),
        sa.Column("token", sa.Text(), nullable=True, comment="Consumer token"),
        sa.Column("email", sa.Text(), nullable=True, comment="Consumer email"),
        sa.Column("phone", sa.Text(), nullable=True, comment="Consumer phone"),
        sa.Column("avatar_url", sa.Text(), nullable=True, comment="Consumer avatar URL"),
        sa.Column(
            "extra",
            sa.Text(),
            nullable=True,
            comment="Fields of the source object that no column holds, and values that could not be cast, kept so that nothing in an export is lost (JSON text)",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.conversation_id"],
            name=op.f("fk_participant_conversation_id_conversation"),
        ),
        sa.PrimaryKeyConstraint(
            "conversation_id", "participant_type", "ordinal", name=op.f("pk_participant")
        ),
        comment="One row per entry of agentParticipants and consumerParticipant(s)",
    )
    _create_index(op.f("ix_participant_agent_id"), "participant", ["agent_id"], unique=False)
    op.create_table(
        "sde_cart_status",
        sa.Column("total", sa.Double(), nullable=True, comment="Total cart value"),
        sa.Column("currency", sa.Text(), nullable=True, comment="Currency code"),
        sa.Column("num_items", sa.Integer(), nullable=True, comment="Number of items in cart"),
        sa.Column(
            "sde_id",
            sa.Text(),
            nullable=False,
            comment="Id of the SDE event: for a conversation, its id, section (auth/unauth) and position; for a web session, the visit and a digest of the event's content",
        ),
        sa.Column(
            "source",
            sa.Text(),
            nullable=False,
            comment="Where the event came from: 'conversation' or 'web_session'",
        ),
        sa.Column(
            "conversation_id",
            sa.Text(),
            nullable=True,
            comment="Conversation the event belongs to (conversation source)",
        ),
        sa.Column(
            "visit_id",
            sa.Text(),
            nullable=True,
            comment="Visit the event belongs to (web-session source)",
        ),
        sa.Column(
            "visitor_id", sa.Text(), nullable=True, comment="Visitor id (web-session source)"
        ),
        sa.Column(
            "is_authenticated",
            sa.Boolean(),
            nullable=True,
            comment="true for sdes (authenticated), false for unAuthSdes, else the event's own flag",
        ),
        sa.Column(
            "server_time",
            sa.DateTime(),
            nullable=True,
            comment="Event processing time stamp (serverTimeStamp; web session: the attribute's timestamp) (UTC)",
        ),
        sa.Column(
            "original_time",
            sa.DateTime(),
            nullable=True,
            comment="Event creation time stamp (originalTimeStamp) (UTC)",
        ),
        sa.Column(
            "load_id",
            sa.BigInteger(),
            nullable=True,
            comment="load_file.load_id of the load that wrote this row",
        ),
        sa.Column(
            "raw",
            sa.Text(),
            nullable=False,
            comment="The event as it was in the export (JSON text)",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.conversation_id"],
            name=op.f("fk_sde_cart_status_conversation_id_conversation"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["web_session.visit_id"],
            name=op.f("fk_sde_cart_status_visit_id_web_session"),
        ),
        sa.PrimaryKeyConstraint("sde_id", name=op.f("pk_sde_cart_status")),
        comment="Cart update engagement attribute (CART_STATUS / CartStatus)",
    )
    _create_index(
        op.f("ix_sde_cart_status_conversation_id"),
        "sde_cart_status",
        ["conversation_id"],
        unique=False,
    )
    _create_index(
        op.f("ix_sde_cart_status_visit_id"), "sde_cart_status", ["visit_id"], unique=False
    )
    op.create_table(
        "sde_customer_info",
        sa.Column(
            "customer_status",
            sa.Text(),
            nullable=True,
            comment="Customer status - will be matched against customer status entity name. Case insensitive.",
        ),
        sa.Column(
            "customer_type",
            sa.Text(),
            nullable=True,
            comment="Customer type - will be matched against customer type entity name. Case insensitive.",
        ),
        sa.Column(
            "balance", sa.Double(), nullable=True, comment="The current balance of the customer"
        ),
        sa.Column("currency", sa.Text(), nullable=True, comment="Currency code"),
        sa.Column("customer_id", sa.Text(), nullable=True, comment="The customer ID"),
        sa.Column(
            "social_id",
            sa.Text(),
            nullable=True,
            comment="The social ID of your choice: Facebook, Twitter etc.",
        ),
        sa.Column("imei", sa.Text(), nullable=True, comment="Unique phone identifier"),
        sa.Column(
            "user_name", sa.Text(), nullable=True, comment="Nickname or username of a consumer"
        ),
        sa.Column(
            "account_name",
            sa.Text(),
            nullable=True,
            comment="Name of the company or account; a nickname for the account for B2B like the salesforce account name",
        ),
        sa.Column(
            "role",
            sa.Text(),
            nullable=True,
            comment="Role title of the consumer within their organization",
        ),
        sa.Column(
            "last_payment_date",
            sa.Date(),
            nullable=True,
            comment="The customer's last payment date",
        ),
        sa.Column(
            "registration_date",
            sa.Date(),
            nullable=True,
            comment="The customer's registration date",
        ),
        sa.Column("company_size", sa.Integer(), nullable=True, comment="The company size"),
        sa.Column("company_branch", sa.Text(), nullable=True, comment="The branch of the company"),
        sa.Column("store_zip_code", sa.Text(), nullable=True, comment="The zip code of the store"),
        sa.Column("store_number", sa.Text(), nullable=True, comment="The number of the store"),
        sa.Column("login_status", sa.Integer(), nullable=True, comment="Login status"),
        sa.Column(
            "authenticated_conversation_id",
            sa.Text(),
            nullable=True,
            comment="The identifier of the conversation that the authenticated customer took part in",
        ),
        sa.Column(
            "sde_id",
            sa.Text(),
            nullable=False,
            comment="Id of the SDE event: for a conversation, its id, section (auth/unauth) and position; for a web session, the visit and a digest of the event's content",
        ),
        sa.Column(
            "source",
            sa.Text(),
            nullable=False,
            comment="Where the event came from: 'conversation' or 'web_session'",
        ),
        sa.Column(
            "conversation_id",
            sa.Text(),
            nullable=True,
            comment="Conversation the event belongs to (conversation source)",
        ),
        sa.Column(
            "visit_id",
            sa.Text(),
            nullable=True,
            comment="Visit the event belongs to (web-session source)",
        ),
        sa.Column(
            "visitor_id", sa.Text(), nullable=True, comment="Visitor id (web-session source)"
        ),
        sa.Column(
            "is_authenticated",
            sa.Boolean(),
            nullable=True,
            comment="true for sdes (authenticated), false for unAuthSdes, else the event's own flag",
        ),
        sa.Column(
            "server_time",
            sa.DateTime(),
            nullable=True,
            comment="Event processing time stamp (serverTimeStamp; web session: the attribute's timestamp) (UTC)",
        ),
        sa.Column(
            "original_time",
            sa.DateTime(),
            nullable=True,
            comment="Event creation time stamp (originalTimeStamp) (UTC)",
        ),
        sa.Column(
            "load_id",
            sa.BigInteger(),
            nullable=True,
            comment="load_file.load_id of the load that wrote this row",
        ),
        sa.Column(
            "raw",
            sa.Text(),
            nullable=False,
            comment="The event as it was in the export (JSON text)",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.conversation_id"],
            name=op.f("fk_sde_customer_info_conversation_id_conversation"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["web_session.visit_id"],
            name=op.f("fk_sde_customer_info_visit_id_web_session"),
        ),
        sa.PrimaryKeyConstraint("sde_id", name=op.f("pk_sde_customer_info")),
        comment="Customer info engagement attribute (CUSTOMER_INFO / CustomerInfo)",
    )
    _create_index(
        op.f("ix_sde_customer_info_conversation_id"),
        "sde_customer_info",
        ["conversation_id"],
        unique=False,
    )
    _create_index(
        op.f("ix_sde_customer_info_visit_id"), "sde_customer_info", ["visit_id"], unique=False
    )
    op.create_table(
        "sde_lead",
        sa.Column("topic", sa.Text(), nullable=True, comment="Lead topic"),
        sa.Column("value", sa.Double(), nullable=True, comment="Lead value"),
        sa.Column("currency", sa.Text(), nullable=True, comment="Currency code"),
        sa.Column(
            "lead_id",
            sa.Text(),
            nullable=True,
            comment="Unique identifier of the lead in your system",
        ),
        sa.Column(
            "sde_id",
            sa.Text(),
            nullable=False,
            comment="Id of the SDE event: for a conversation, its id, section (auth/unauth) and position; for a web session, the visit and a digest of the event's content",
        ),
        sa.Column(
            "source",
            sa.Text(),
            nullable=False,
            comment="Where the event came from: 'conversation' or 'web_session'",
        ),
        sa.Column(
            "conversation_id",
            sa.Text(),
            nullable=True,
            comment="Conversation the event belongs to (conversation source)",
        ),
        sa.Column(
            "visit_id",
            sa.Text(),
            nullable=True,
            comment="Visit the event belongs to (web-session source)",
        ),
        sa.Column(
            "visitor_id", sa.Text(), nullable=True, comment="Visitor id (web-session source)"
        ),
        sa.Column(
            "is_authenticated",
            sa.Boolean(),
            nullable=True,
            comment="true for sdes (authenticated), false for unAuthSdes, else the event's own flag",
        ),
        sa.Column(
            "server_time",
            sa.DateTime(),
            nullable=True,
            comment="Event processing time stamp (serverTimeStamp; web session: the attribute's timestamp) (UTC)",
        ),
        sa.Column(
            "original_time",
            sa.DateTime(),
            nullable=True,
            comment="Event creation time stamp (originalTimeStamp) (UTC)",
        ),
        sa.Column(
            "load_id",
            sa.BigInteger(),
            nullable=True,
            comment="load_file.load_id of the load that wrote this row",
        ),
        sa.Column(
            "raw",
            sa.Text(),
            nullable=False,
            comment="The event as it was in the export (JSON text)",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.conversation_id"],
            name=op.f("fk_sde_lead_conversation_id_conversation"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["web_session.visit_id"], name=op.f("fk_sde_lead_visit_id_web_session")
        ),
        sa.PrimaryKeyConstraint("sde_id", name=op.f("pk_sde_lead")),
        comment="Lead engagement attribute (LEAD / Lead)",
    )
    _create_index(
        op.f("ix_sde_lead_conversation_id"), "sde_lead", ["conversation_id"], unique=False
    )
    _create_index(op.f("ix_sde_lead_visit_id"), "sde_lead", ["visit_id"], unique=False)
    op.create_table(
        "sde_marketing_campaign_info",
        sa.Column(
            "originating_channel",
            sa.Integer(),
            nullable=True,
            comment="Channel which originated the campaign",
        ),
        sa.Column("affiliate", sa.Text(), nullable=True, comment="Affiliate"),
        sa.Column(
            "campaign_id", sa.Text(), nullable=True, comment="Unique identifier of the campaign"
        ),
        sa.Column(
            "sde_id",
            sa.Text(),
            nullable=False,
            comment="Id of the SDE event: for a conversation, its id, section (auth/unauth) and position; for a web session, the visit and a digest of the event's content",
        ),
        sa.Column(
            "source",
            sa.Text(),
            nullable=False,
            comment="Where the event came from: 'conversation' or 'web_session'",
        ),
        sa.Column(
            "conversation_id",
            sa.Text(),
            nullable=True,
            comment="Conversation the event belongs to (conversation source)",
        ),
        sa.Column(
            "visit_id",
            sa.Text(),
            nullable=True,
            comment="Visit the event belongs to (web-session source)",
        ),
        sa.Column(
            "visitor_id", sa.Text(), nullable=True, comment="Visitor id (web-session source)"
        ),
        sa.Column(
            "is_authenticated",
            sa.Boolean(),
            nullable=True,
            comment="true for sdes (authenticated), false for unAuthSdes, else the event's own flag",
        ),
        sa.Column(
            "server_time",
            sa.DateTime(),
            nullable=True,
            comment="Event processing time stamp (serverTimeStamp; web session: the attribute's timestamp) (UTC)",
        ),
        sa.Column(
            "original_time",
            sa.DateTime(),
            nullable=True,
            comment="Event creation time stamp (originalTimeStamp) (UTC)",
        ),
        sa.Column(
            "load_id",
            sa.BigInteger(),
            nullable=True,
            comment="load_file.load_id of the load that wrote this row",
        ),
        sa.Column(
            "raw",
            sa.Text(),
            nullable=False,
            comment="The event as it was in the export (JSON text)",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.conversation_id"],
            name=op.f("fk_sde_marketing_campaign_info_conversation_id_conversation"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["web_session.visit_id"],
            name=op.f("fk_sde_marketing_campaign_info_visit_id_web_session"),
        ),
        sa.PrimaryKeyConstraint("sde_id", name=op.f("pk_sde_marketing_campaign_info")),
        comment="Marketing source engagement attribute (MARKETING_CAMPAIGN_INFO / MarketingCampaignInfo)",
    )
    _create_index(
        op.f("ix_sde_marketing_campaign_info_conversation_id"),
        "sde_marketing_campaign_info",
        ["conversation_id"],
        unique=False,
    )
    _create_index(
        op.f("ix_sde_marketing_campaign_info_visit_id"),
        "sde_marketing_campaign_info",
        ["visit_id"],
        unique=False,
    )
    op.create_table(
        "sde_personal_info",
        sa.Column("name", sa.Text(), nullable=True, comment="Personal name"),
        sa.Column("surname", sa.Text(), nullable=True, comment="Surname"),
        sa.Column("gender", sa.Text(), nullable=True, comment="Visitor's gender"),
        sa.Column("company", sa.Text(), nullable=True, comment="Visitor's company"),
        sa.Column("language", sa.Text(), nullable=True, comment="Visitor language"),
        sa.Column("email", sa.Text(), nullable=True, comment="Visitor email"),
        sa.Column("phone", sa.Text(), nullable=True, comment="Visitor phone number"),
        sa.Column(
            "customer_age",
            sa.Text(),
            nullable=True,
            comment="customerAge given as a plain value: year of birth, for calculating age",
        ),
        sa.Column(
            "customer_age_in_years", sa.Integer(), nullable=True, comment="Customer age (in years)"
        ),
        sa.Column(
            "customer_year_of_birth", sa.Integer(), nullable=True, comment="Customer year of birth"
        ),
        sa.Column(
            "customer_month_of_birth",
            sa.Integer(),
            nullable=True,
            comment="Customer month of birth",
        ),
        sa.Column(
            "customer_date_of_birth",
            sa.Integer(),
            nullable=True,
            comment="Customer date (day of month) of birth",
        ),
        sa.Column(
            "authenticated_conversation_id",
            sa.Text(),
            nullable=True,
            comment="The identifier of the conversation that the authenticated customer took part in",
        ),
        sa.Column(
            "sde_id",
            sa.Text(),
            nullable=False,
            comment="Id of the SDE event: for a conversation, its id, section (auth/unauth) and position; for a web session, the visit and a digest of the event's content",
        ),
        sa.Column(
            "source",
            sa.Text(),
            nullable=False,
            comment="Where the event came from: 'conversation' or 'web_session'",
        ),
        sa.Column(
            "conversation_id",
            sa.Text(),
            nullable=True,
            comment="Conversation the event belongs to (conversation source)",
        ),
        sa.Column(
            "visit_id",
            sa.Text(),
            nullable=True,
            comment="Visit the event belongs to (web-session source)",
        ),
        sa.Column(
            "visitor_id", sa.Text(), nullable=True, comment="Visitor id (web-session source)"
        ),
        sa.Column(
            "is_authenticated",
            sa.Boolean(),
            nullable=True,
            comment="true for sdes (authenticated), false for unAuthSdes, else the event's own flag",
        ),
        sa.Column(
            "server_time",
            sa.DateTime(),
            nullable=True,
            comment="Event processing time stamp (serverTimeStamp; web session: the attribute's timestamp) (UTC)",
        ),
        sa.Column(
            "original_time",
            sa.DateTime(),
            nullable=True,
            comment="Event creation time stamp (originalTimeStamp) (UTC)",
        ),
        sa.Column(
            "load_id",
            sa.BigInteger(),
            nullable=True,
            comment="load_file.load_id of the load that wrote this row",
        ),
        sa.Column(
            "raw",
            sa.Text(),
            nullable=False,
            comment="The event as it was in the export (JSON text)",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.conversation_id"],
            name=op.f("fk_sde_personal_info_conversation_id_conversation"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["web_session.visit_id"],
            name=op.f("fk_sde_personal_info_visit_id_web_session"),
        ),
        sa.PrimaryKeyConstraint("sde_id", name=op.f("pk_sde_personal_info")),
        comment="Personal info engagement attribute (PERSONAL_INFO / PersonalInfo)",
    )
    _create_index(
        op.f("ix_sde_personal_info_conversation_id"),
        "sde_personal_info",
        ["conversation_id"],
        unique=False,
    )
    _create_index(
        op.f("ix_sde_personal_info_visit_id"), "sde_personal_info", ["visit_id"], unique=False
    )
    op.create_table(
        "sde_purchase",
        sa.Column("total", sa.Double(), nullable=True, comment="Total amount of purchase"),
        sa.Column("currency", sa.Text(), nullable=True, comment="Currency code"),
        sa.Column("order_id", sa.Text(), nullable=True, comment="Purchase order ID"),
        sa.Column(
            "cart_total",
            sa.Double(),
            nullable=True,
            comment="Total cart value of the purchase's cart",
        ),
        sa.Column(
            "cart_currency",
            sa.Text(),
            nullable=True,
            comment="Currency code of the purchase's cart",
        ),
        sa.Column(
            "cart_num_items",
            sa.Integer(),
            nullable=True,
            comment="Number of items in the purchase's cart",
        ),
        sa.Column(
            "cart_server_time",
            sa.DateTime(),
            nullable=True,
            comment="serverTimeStamp of the purchase's cart (UTC)",
        ),
        sa.Column(
            "sde_id",
            sa.Text(),
            nullable=False,
            comment="Id of the SDE event: for a conversation, its id, section (auth/unauth) and position; for a web session, the visit and a digest of the event's content",
        ),
        sa.Column(
            "source",
            sa.Text(),
            nullable=False,
            comment="Where the event came from: 'conversation' or 'web_session'",
        ),
        sa.Column(
            "conversation_id",
            sa.Text(),
            nullable=True,
            comment="Conversation the event belongs to (conversation source)",
        ),
        sa.Column(
            "visit_id",
            sa.Text(),
            nullable=True,
            comment="Visit the event belongs to (web-session source)",
        ),
        sa.Column(
            "visitor_id", sa.Text(), nullable=True, comment="Visitor id (web-session source)"
        ),
        sa.Column(
            "is_authenticated",
            sa.Boolean(),
            nullable=True,
            comment="true for sdes (authenticated), false for unAuthSdes, else the event's own flag",
        ),
        sa.Column(
            "server_time",
            sa.DateTime(),
            nullable=True,
            comment="Event processing time stamp (serverTimeStamp; web session: the attribute's timestamp) (UTC)",
        ),
        sa.Column(
            "original_time",
            sa.DateTime(),
            nullable=True,
            comment="Event creation time stamp (originalTimeStamp) (UTC)",
        ),
        sa.Column(
            "load_id",
            sa.BigInteger(),
            nullable=True,
            comment="load_file.load_id of the load that wrote this row",
        ),
        sa.Column(
            "raw",
            sa.Text(),
            nullable=False,
            comment="The event as it was in the export (JSON text)",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.conversation_id"],
            name=op.f("fk_sde_purchase_conversation_id_conversation"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["web_session.visit_id"],
            name=op.f("fk_sde_purchase_visit_id_web_session"),
        ),
        sa.PrimaryKeyConstraint("sde_id", name=op.f("pk_sde_purchase")),
        comment="Transaction engagement attribute (PURCHASE / Purchase)",
    )
    _create_index(
        op.f("ix_sde_purchase_conversation_id"), "sde_purchase", ["conversation_id"], unique=False
    )
    _create_index(op.f("ix_sde_purchase_order_id"), "sde_purchase", ["order_id"], unique=False)
    _create_index(op.f("ix_sde_purchase_visit_id"), "sde_purchase", ["visit_id"], unique=False)
    op.create_table(
        "sde_search_content",
        sa.Column(
            "sde_id",
            sa.Text(),
            nullable=False,
            comment="Id of the SDE event: for a conversation, its id, section (auth/unauth) and position; for a web session, the visit and a digest of the event's content",
        ),
        sa.Column(
            "source",
            sa.Text(),
            nullable=False,
            comment="Where the event came from: 'conversation' or 'web_session'",
        ),
        sa.Column(
            "conversation_id",
            sa.Text(),
            nullable=True,
            comment="Conversation the event belongs to (conversation source)",
        ),
        sa.Column(
            "visit_id",
            sa.Text(),
            nullable=True,
            comment="Visit the event belongs to (web-session source)",
        ),
        sa.Column(
            "visitor_id", sa.Text(), nullable=True, comment="Visitor id (web-session source)"
        ),
        sa.Column(
            "is_authenticated",
            sa.Boolean(),
            nullable=True,
            comment="true for sdes (authenticated), false for unAuthSdes, else the event's own flag",
        ),
        sa.Column(
            "server_time",
            sa.DateTime(),
            nullable=True,
            comment="Event processing time stamp (serverTimeStamp; web session: the attribute's timestamp) (UTC)",
        ),
        sa.Column(
            "original_time",
            sa.DateTime(),
            nullable=True,
            comment="Event creation time stamp (originalTimeStamp) (UTC)",
        ),
        sa.Column(
            "load_id",
            sa.BigInteger(),
            nullable=True,
            comment="load_file.load_id of the load that wrote this row",
        ),
        sa.Column(
            "raw",
            sa.Text(),
            nullable=False,
            comment="The event as it was in the export (JSON text)",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.conversation_id"],
            name=op.f("fk_sde_search_content_conversation_id_conversation"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["web_session.visit_id"],
            name=op.f("fk_sde_search_content_visit_id_web_session"),
        ),
        sa.PrimaryKeyConstraint("sde_id", name=op.f("pk_sde_search_content")),
        comment="Searched content engagement attribute (SEARCH_CONTENT)",
    )
    _create_index(
        op.f("ix_sde_search_content_conversation_id"),
        "sde_search_content",
        ["conversation_id"],
        unique=False,
    )
    _create_index(
        op.f("ix_sde_search_content_visit_id"), "sde_search_content", ["visit_id"], unique=False
    )
    op.create_table(
        "sde_service_activity",
        sa.Column("topic", sa.Text(), nullable=True, comment="Topic of service activity"),
        sa.Column("status", sa.Integer(), nullable=True, comment="Status of service activity"),
        sa.Column("category", sa.Text(), nullable=True, comment="Category of service activity"),
        sa.Column("service_id", sa.Text(), nullable=True, comment="Unique service identifier"),
        sa.Column(
            "sde_id",
            sa.Text(),
            nullable=False,
            comment="Id of the SDE event: for a conversation, its id, section (auth/unauth) and position; for a web session, the visit and a digest of the event's content",
        ),
        sa.Column(
            "source",
            sa.Text(),
            nullable=False,
            comment="Where the event came from: 'conversation' or 'web_session'",
        ),
        sa.Column(
            "conversation_id",
            sa.Text(),
            nullable=True,
            comment="Conversation the event belongs to (conversation source)",
        ),
        sa.Column(
            "visit_id",
            sa.Text(),
            nullable=True,
            comment="Visit the event belongs to (web-session source)",
        ),
        sa.Column(
            "visitor_id", sa.Text(), nullable=True, comment="Visitor id (web-session source)"
        ),
        sa.Column(
            "is_authenticated",
            sa.Boolean(),
            nullable=True,
            comment="true for sdes (authenticated), false for unAuthSdes, else the event's own flag",
        ),
        sa.Column(
            "server_time",
            sa.DateTime(),
            nullable=True,
            comment="Event processing time stamp (serverTimeStamp; web session: the attribute's timestamp) (UTC)",
        ),
        sa.Column(
            "original_time",
            sa.DateTime(),
            nullable=True,
            comment="Event creation time stamp (originalTimeStamp) (UTC)",
        ),
        sa.Column(
            "load_id",
            sa.BigInteger(),
            nullable=True,
            comment="load_file.load_id of the load that wrote this row",
        ),
        sa.Column(
            "raw",
            sa.Text(),
            nullable=False,
            comment="The event as it was in the export (JSON text)",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.conversation_id"],
            name=op.f("fk_sde_service_activity_conversation_id_conversation"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["web_session.visit_id"],
            name=op.f("fk_sde_service_activity_visit_id_web_session"),
        ),
        sa.PrimaryKeyConstraint("sde_id", name=op.f("pk_sde_service_activity")),
        comment="Service activity engagement attribute (SERVICE_ACTIVITY)",
    )
    _create_index(
        op.f("ix_sde_service_activity_conversation_id"),
        "sde_service_activity",
        ["conversation_id"],
        unique=False,
    )
    _create_index(
        op.f("ix_sde_service_activity_visit_id"), "sde_service_activity", ["visit_id"], unique=False
    )
    op.create_table(
        "sde_viewed_product",
        sa.Column("currency", sa.Text(), nullable=True, comment="Currency code"),
        sa.Column(
            "sde_id",
            sa.Text(),
            nullable=False,
            comment="Id of the SDE event: for a conversation, its id, section (auth/unauth) and position; for a web session, the visit and a digest of the event's content",
        ),
        sa.Column(
            "source",
            sa.Text(),
            nullable=False,
            comment="Where the event came from: 'conversation' or 'web_session'",
        ),
        sa.Column(
            "conversation_id",
            sa.Text(),
            nullable=True,
            comment="Conversation the event belongs to (conversation source)",
        ),
        sa.Column(
            "visit_id",
            sa.Text(),
            nullable=True,
            comment="Visit the event belongs to (web-session source)",
        ),
        sa.Column(
            "visitor_id", sa.Text(), nullable=True, comment="Visitor id (web-session source)"
        ),
        sa.Column(
            "is_authenticated",
            sa.Boolean(),
            nullable=True,
            comment="true for sdes (authenticated), false for unAuthSdes, else the event's own flag",
        ),
        sa.Column(
            "server_time",
            sa.DateTime(),
            nullable=True,
            comment="Event processing time stamp (serverTimeStamp; web session: the attribute's timestamp) (UTC)",
        ),
        sa.Column(
            "original_time",
            sa.DateTime(),
            nullable=True,
            comment="Event creation time stamp (originalTimeStamp) (UTC)",
        ),
        sa.Column(
            "load_id",
            sa.BigInteger(),
            nullable=True,
            comment="load_file.load_id of the load that wrote this row",
        ),
        sa.Column(
            "raw",
            sa.Text(),
            nullable=False,
            comment="The event as it was in the export (JSON text)",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.conversation_id"],
            name=op.f("fk_sde_viewed_product_conversation_id_conversation"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["web_session.visit_id"],
            name=op.f("fk_sde_viewed_product_visit_id_web_session"),
        ),
        sa.PrimaryKeyConstraint("sde_id", name=op.f("pk_sde_viewed_product")),
        comment="Viewed product engagement attribute (VIEWED_PRODUCT / ViewedProduct)",
    )
    _create_index(
        op.f("ix_sde_viewed_product_conversation_id"),
        "sde_viewed_product",
        ["conversation_id"],
        unique=False,
    )
    _create_index(
        op.f("ix_sde_viewed_product_visit_id"), "sde_viewed_product", ["visit_id"], unique=False
    )
    op.create_table(
        "sde_visitor_error",
        sa.Column(
            "context_id", sa.Text(), nullable=True, comment="Error context ID (from the customer)"
        ),
        sa.Column("message", sa.Text(), nullable=True, comment="Error message"),
        sa.Column("code", sa.Text(), nullable=True, comment="Error code (text in both sources)"),
        sa.Column("level", sa.BigInteger(), nullable=True, comment="Error severity level"),
        sa.Column(
            "resolved",
            sa.Boolean(),
            nullable=True,
            comment="Indication whether the error was resolved",
        ),
        sa.Column(
            "sde_id",
            sa.Text(),
            nullable=False,
            comment="Id of the SDE event: for a conversation, its id, section (auth/unauth) and position; for a web session, the visit and a digest of the event's content",
        ),
        sa.Column(
            "source",
            sa.Text(),
            nullable=False,
            comment="Where the event came from: 'conversation' or 'web_session'",
        ),
        sa.Column(
            "conversation_id",
            sa.Text(),
            nullable=True,
            comment="Conversation the event belongs to (conversation source)",
        ),
        sa.Column(
            "visit_id",
            sa.Text(),
            nullable=True,
            comment="Visit the event belongs to (web-session source)",
        ),
        sa.Column(
            "visitor_id", sa.Text(), nullable=True, comment="Visitor id (web-session source)"
        ),
        sa.Column(
            "is_authenticated",
            sa.Boolean(),
            nullable=True,
            comment="true for sdes (authenticated), false for unAuthSdes, else the event's own flag",
        ),
        sa.Column(
            "server_time",
            sa.DateTime(),
            nullable=True,
            comment="Event processing time stamp (serverTimeStamp; web session: the attribute's timestamp) (UTC)",
        ),
        sa.Column(
            "original_time",
            sa.DateTime(),
            nullable=True,
            comment="Event creation time stamp (originalTimeStamp) (UTC)",
        ),
        sa.Column(
            "load_id",
            sa.BigInteger(),
            nullable=True,
            comment="load_file.load_id of the load that wrote this row",
        ),
        sa.Column(
            "raw",
            sa.Text(),
            nullable=False,
            comment="The event as it was in the export (JSON text)",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.conversation_id"],
            name=op.f("fk_sde_visitor_error_conversation_id_conversation"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["web_session.visit_id"],
            name=op.f("fk_sde_visitor_error_visit_id_web_session"),
        ),
        sa.PrimaryKeyConstraint("sde_id", name=op.f("pk_sde_visitor_error")),
        comment="Visitor error engagement attribute (VISITOR_ERROR / VisitorError)",
    )
    _create_index(
        op.f("ix_sde_visitor_error_conversation_id"),
        "sde_visitor_error",
        ["conversation_id"],
        unique=False,
    )
    _create_index(
        op.f("ix_sde_visitor_error_visit_id"), "sde_visitor_error", ["visit_id"], unique=False
    )
    op.create_table(
        "survey_answer",
        sa.Column("conversation_id", sa.Text(), nullable=False, comment="Conversation id"),
        sa.Column(
            "survey_index",
            sa.Integer(),
            autoincrement=False,
            nullable=False,
            comment="Position of the survey in conversationSurveys",
        ),
        sa.Column(
            "answer_index",
            sa.Integer(),
            autoincrement=False,
            nullable=False,
            comment="Position of the answer in surveyData",
        ),
        sa.Column(
            "survey_type", sa.Text(), nullable=True, comment="Survey type (Satisfaction, ...)"
        ),
        sa.Column("survey_status", sa.Text(), nullable=True, comment="Survey status (FILLED, ...)"),
        sa.Column("dialog_id", sa.Text(), nullable=True, comment="Dialog id"),
        sa.Column("question", sa.Text(), nullable=True, comment="Survey question"),
        sa.Column("answer", sa.Text(), nullable=True, comment="Consumer's answer"),
        sa.Column(
            "extra",
            sa.Text(),
            nullable=True,
            comment="Fields of the source object that no column holds, and values that could not be cast, kept so that nothing in an export is lost (JSON text)",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.conversation_id"],
            name=op.f("fk_survey_answer_conversation_id_conversation"),
        ),
        sa.PrimaryKeyConstraint(
            "conversation_id", "survey_index", "answer_index", name=op.f("pk_survey_answer")
        ),
        comment="One row per question/answer of conversationSurveys[].surveyData (a survey without answers has one row with NULL question and answer)",
    )
    op.create_table(
        "transfer",
        sa.Column("conversation_id", sa.Text(), nullable=False, comment="Conversation id"),
        sa.Column(
            "ordinal",
            sa.Integer(),
            autoincrement=False,
            nullable=False,
            comment="Position of the entry in its array in the record (0-based)",
        ),
        sa.Column("time", sa.DateTime(), nullable=True, comment="When the transfer happened (UTC)"),
        sa.Column(
            "assigned_agent_id",
            sa.Text(),
            nullable=True,
            comment="Agent the conversation was assigned to",
        ),
        sa.Column(
            "target_skill_id", sa.BigInteger(), nullable=True, comment="Skill transferred to"
        ),
        sa.Column(
            "target_skill_name",
            sa.Text(),
            nullable=True,
            comment="Name of the skill transferred to",
        ),
        sa.Column(
            "reason", sa.Text(), nullable=True, comment="Transfer reason (Skill, Agent, ...)"
        ),
        sa.Column(
            "transferred_by",
            sa.Text(),
            nullable=True,
            comment="Who made the transfer (source field: by)",
        ),
        sa.Column(
            "source_skill_id", sa.BigInteger(), nullable=True, comment="Skill transferred from"
        ),
        sa.Column(
            "source_skill_name",
            sa.Text(),
            nullable=True,
            comment="Name of the skill transferred from",
        ),
        sa.Column("source_agent_id", sa.Text(), nullable=True, comment="Agent transferred from"),
        sa.Column(
            "source_agent_full_name",
            sa.Text(),
            nullable=True,
            comment="Full name of the agent transferred from",
        ),
        sa.Column(
            "source_agent_login_name",
            sa.Text(),
            nullable=True,
            comment="Login of the agent transferred from",
        ),
        sa.Column(
            "source_agent_nickname",
            sa.Text(),
            nullable=True,
            comment="Nickname of the agent transferred from",
        ),
        sa.Column("dialog_id", sa.Text(), nullable=True, comment="Dialog id"),
        sa.Column(
            "extra",
            sa.Text(),
            nullable=True,
            comment="Fields of the source object that no column holds, and values that could not be cast, kept so that nothing in an export is lost (JSON text)",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.conversation_id"],
            name=op.f("fk_transfer_conversation_id_conversation"),
        ),
        sa.PrimaryKeyConstraint("conversation_id", "ordinal", name=op.f("pk_transfer")),
        comment="One row per entry of transfers",
    )
    op.create_table(
        "web_eligibility",
        sa.Column("visit_id", sa.Text(), nullable=False, comment="Unique visitor session id"),
        sa.Column(
            "fact_id",
            sa.Text(),
            nullable=False,
            comment="Digest of the fact's content: the same fact seen in two files is stored once",
        ),
        sa.Column("visitor_id", sa.Text(), nullable=True, comment="Unique visitor identifier"),
        sa.Column(
            "assessment_time",
            sa.DateTime(),
            nullable=True,
            comment="The time that the assessment is made regarding which campaign is relevant to the visitor (timestamp) (UTC)",
        ),
        sa.Column(
            "control_group_type",
            sa.Text(),
            nullable=True,
            comment="Type of the campaign control groups: NA, TEST, CONTROL",
        ),
        sa.Column(
            "load_id",
            sa.BigInteger(),
            nullable=True,
            comment="load_file.load_id of the load that wrote this row",
        ),
        sa.Column(
            "extra",
            sa.Text(),
            nullable=True,
            comment="Fields of the source object that no column holds, and values that could not be cast, kept so that nothing in an export is lost (JSON text)",
        ),
        sa.Column("engagement_id", sa.BigInteger(), nullable=True, comment="Engagement ID"),
        sa.Column("engagement_channel", sa.Text(), nullable=True, comment="Channel type"),
        sa.Column(
            "engagement_type",
            sa.Text(),
            nullable=True,
            comment="Engagement type: peeling corner = 0, overlay = 1, toaster = 2, slide-out = 3, embedded = 5, sticky = 6",
        ),
        sa.Column(
            "engagement_visitor_behaviors",
            sa.Text(),
            nullable=True,
            comment="List of visitor behaviors (id, revision) (JSON text)",
        ),
        sa.Column(
            "engagement_skill_id",
            sa.Integer(),
            nullable=True,
            comment="Engagement skill ID (in case a skill was defined for it)",
        ),
        sa.Column(
            "engagement_skill_name",
            sa.Text(),
            nullable=True,
            comment="Engagement skill name (in case a skill was defined for it)",
        ),
        sa.Column(
            "engagement_survey_skills",
            sa.Text(),
            nullable=True,
            comment="List of skills defined for the survey (JSON text)",
        ),
        sa.Column(
            "engagement_is_offsite",
            sa.Boolean(),
            nullable=True,
            comment="Indication of offsite engagement (isOffsiteEngagement)",
        ),
        sa.Column(
            "engagement_availability_policy",
            sa.Text(),
            nullable=True,
            comment="Policy which changes the engagement availability",
        ),
        sa.Column(
            "engagement_interaction_type",
            sa.Integer(),
            nullable=True,
            comment="The engagement type: chat or messaging",
        ),
        sa.Column(
            "engagement_rendering_type",
            sa.Integer(),
            nullable=True,
            comment="Determines the way the engagement will be showed",
        ),
        sa.Column("campaign_id", sa.BigInteger(), nullable=True, comment="Campaign id"),
        sa.Column(
            "campaign_visitor_profiles",
            sa.Text(),
            nullable=True,
            comment="Visitor profiles of the campaign (id, revision) (JSON text)",
        ),
        sa.Column(
            "campaign_channel",
            sa.Text(),
            nullable=True,
            comment="Campaign channel type",
        ),
        sa.Column(
            "campaign_type",
            sa.Text(),
            nullable=True,
            comment="Campaign engagement type",
        ),
        sa.Column(
            "campaign_visitor_behaviors",
            sa.Text(),
            nullable=True,
            comment="Campaign visitor behaviors (JSON text)",
        ),
        sa.Column(
            "campaign_skill_id",
            sa.Integer(),
            nullable=True,
            comment="Campaign engagement skill ID (in case a skill was defined for it)",
        ),
        sa.Column(
            "campaign_skill_name",
            sa.Text(),
            nullable=True,
            comment="Campaign engagement skill name (in case a skill was defined for it)",
        ),
        sa.Column(
            "campaign_survey_skills",
            sa.Text(),
            nullable=True,
            comment="Campaign survey skills (JSON text)",
        ),
        sa.Column(
            "campaign_is_offsite",
            sa.Boolean(),
            nullable=True,
            comment="Indication if it is offsite engagement (isOffsiteEngagement)",
        ),
        sa.Column(
            "campaign_availability_policy",
            sa.Text(),
            nullable=True,
            comment="The engagement state is changed according to this policy",
        ),
        sa.Column(
            "campaign_interaction_type",
            sa.Integer(),
            nullable=True,
            comment="The engagement target - chat or messaging",
        ),
        sa.Column(
            "campaign_rendering_type",
            sa.Integer(),
            nullable=True,
            comment="Determines the way the engagement will be showed",
        ),
        sa.Column("goal_id", sa.BigInteger(), nullable=True, comment="Unique goal identifier"),
        sa.Column("goal_type", sa.Integer(), nullable=True, comment="Goal type"),
        sa.Column(
            "goal_indicator_type", sa.Integer(), nullable=True, comment="Goal indicator type"
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["web_session.visit_id"],
            name=op.f("fk_web_eligibility_visit_id_web_session"),
        ),
        sa.PrimaryKeyConstraint("visit_id", "fact_id", name=op.f("pk_web_eligibility")),
        comment="One row per eligible campaign and engagement at an assessment time (WebSessionEligibilityData)",
    )
    _create_index(
        op.f("ix_web_eligibility_campaign_id"), "web_eligibility", ["campaign_id"], unique=False
    )
    op.create_table(
        "web_goal_achieved",
        sa.Column("visit_id", sa.Text(), nullable=False, comment="Unique visitor session id"),
        sa.Column(
            "fact_id",
            sa.Text(),
            nullable=False,
            comment="Digest of the fact's content: the same fact seen in two files is stored once",
        ),
        sa.Column("visitor_id", sa.Text(), nullable=True, comment="Unique visitor identifier"),
        sa.Column(
            "achieved_goal_id", sa.Text(), nullable=True, comment="Unique ID for achieved goal (id)"
        ),
        sa.Column(
            "event_time",
            sa.DateTime(),
            nullable=True,
            comment="Time when goal was achieved (timestamp) (UTC)",
        ),
        sa.Column("campaign_goal_id", sa.BigInteger(), nullable=True, comment="Campaign goal ID"),
        sa.Column(
            "campaign_goal_revision",
            sa.BigInteger(),
            nullable=True,
            comment="Revision of campaign goal ID",
        ),
        sa.Column("campaign_goal_type", sa.Integer(), nullable=True, comment="Goal type"),
        sa.Column(
            "metadata_kind",
            sa.Text(),
            nullable=True,
            comment="Kind of goalMetaData: UrlGoalMetadata, PurchaseMetadata, ReduceAbandonmentGoalMetadata, IncreaseInteractionGoalMetadata, LeadMetadata, ServiceActivityMetadata",
        ),
        sa.Column("metadata_url", sa.Text(), nullable=True, comment="UrlGoalMetadata.url"),
        sa.Column(
            "metadata_total",
            sa.Double(),
            nullable=True,
            comment="PurchaseMetadata.total: total purchase",
        ),
        sa.Column(
            "metadata_order_id",
            sa.Text(),
            nullable=True,
            comment="PurchaseMetadata.orderId: purchase order ID",
        ),
        sa.Column(
            "metadata_cart_status",
            sa.Text(),
            nullable=True,
            comment="PurchaseMetadata.cartStatus (JSON text)",
        ),
        sa.Column(
            "metadata_number_of_pages",
            sa.Integer(),
            nullable=True,
            comment="ReduceAbandonmentGoalMetadata.numberOfPages: number of pages viewed",
        ),
        sa.Column(
            "metadata_engagement",
            sa.Text(),
            nullable=True,
            comment="IncreaseInteractionGoalMetadata.engagement (JSON text)",
        ),
        sa.Column(
            "metadata_campaign",
            sa.Text(),
            nullable=True,
            comment="IncreaseInteractionGoalMetadata.campaign (JSON text)",
        ),
        sa.Column(
            "metadata_topic",
            sa.Text(),
            nullable=True,
            comment="LeadMetadata / ServiceActivityMetadata topic",
        ),
        sa.Column("metadata_lead_id", sa.Text(), nullable=True, comment="LeadMetadata.leadId"),
        sa.Column(
            "metadata_value", sa.Double(), nullable=True, comment="LeadMetadata.value: lead value"
        ),
        sa.Column(
            "metadata_status", sa.Integer(), nullable=True, comment="ServiceActivityMetadata.status"
        ),
        sa.Column(
            "metadata_category",
            sa.Text(),
            nullable=True,
            comment="ServiceActivityMetadata.category",
        ),
        sa.Column(
            "metadata_service_id",
            sa.Text(),
            nullable=True,
            comment="ServiceActivityMetadata.serviceId",
        ),
        sa.Column(
            "load_id",
            sa.BigInteger(),
            nullable=True,
            comment="load_file.load_id of the load that wrote this row",
        ),
        sa.Column(
            "extra",
            sa.Text(),
            nullable=True,
            comment="Fields of the source object that no column holds, and values that could not be cast, kept so that nothing in an export is lost (JSON text)",
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["web_session.visit_id"],
            name=op.f("fk_web_goal_achieved_visit_id_web_session"),
        ),
        sa.PrimaryKeyConstraint("visit_id", "fact_id", name=op.f("pk_web_goal_achieved")),
        comment="One row per achieved goal (WebSessionGoalAchievedData)",
    )
    _create_index(
        op.f("ix_web_goal_achieved_campaign_goal_id"),
        "web_goal_achieved",
        ["campaign_goal_id"],
        unique=False,
    )
    op.create_table(
        "web_impression",
        sa.Column("visit_id", sa.Text(), nullable=False, comment="Unique visitor session id"),
        sa.Column(
            "fact_id",
            sa.Text(),
            nullable=False,
            comment="Digest of the fact's content: the same fact seen in two files is stored once",
        ),
        sa.Column("visitor_id", sa.Text(), nullable=True, comment="Unique visitor identifier"),
        sa.Column(
            "event_time",
            sa.DateTime(),
            nullable=True,
            comment="Time that the impression occurred (timestamp) (UTC)",
        ),
        sa.Column(
            "engagement_instance_id", sa.Text(), nullable=True, comment="Engagement instance id"
        ),
        sa.Column(
            "impression_type",
            sa.Text(),
            nullable=True,
            comment="Type of impression: Show, Accept, Close, Timeout",
        ),
        sa.Column(
            "state",
            sa.Text(),
            nullable=True,
            comment="Impression state: content, chatonline, chatoffline",
        ),
        sa.Column(
            "load_id",
            sa.BigInteger(),
            nullable=True,
            comment="load_file.load_id of the load that wrote this row",
        ),
        sa.Column(
            "extra",
            sa.Text(),
            nullable=True,
            comment="Fields of the source object that no column holds, and values that could not be cast, kept so that nothing in an export is lost (JSON text)",
        ),
        sa.Column("engagement_id", sa.BigInteger(), nullable=True, comment="Engagement ID"),
        sa.Column("engagement_channel", sa.Text(), nullable=True, comment="Channel type"),
        sa.Column(
            "engagement_type",
            sa.Text(),
            nullable=True,
            comment="Engagement type: peeling corner = 0, overlay = 1, toaster = 2, slide-out = 3, embedded = 5, sticky = 6",
        ),
        sa.Column(
            "engagement_visitor_behaviors",
            sa.Text(),
            nullable=True,
            comment="List of visitor behaviors (id, revision) (JSON text)",
        ),
        sa.Column(
            "engagement_skill_id",
            sa.Integer(),
            nullable=True,
            comment="Engagement skill ID (in case a skill was defined for it)",
        ),
        sa.Column(
            "engagement_skill_name",
            sa.Text(),
            nullable=True,
            comment="Engagement skill name (in case a skill was defined for it)",
        ),
        sa.Column(
            "engagement_survey_skills",
            sa.Text(),
            nullable=True,
            comment="List of skills defined for the survey (JSON text)",
        ),
        sa.Column(
            "engagement_is_offsite",
            sa.Boolean(),
            nullable=True,
            comment="Indication of offsite engagement (isOffsiteEngagement)",
        ),
        sa.Column(
            "engagement_availability_policy",
            sa.Text(),
            nullable=True,
            comment="Policy which changes the engagement availability",
        ),
        sa.Column(
            "engagement_interaction_type",
            sa.Integer(),
            nullable=True,
            comment="The engagement type: chat or messaging",
        ),
        sa.Column(
            "engagement_rendering_type",
            sa.Integer(),
            nullable=True,
            comment="Determines the way the engagement will be showed",
        ),
        sa.Column("campaign_id", sa.BigInteger(), nullable=True, comment="Campaign id"),
        sa.Column(
            "campaign_visitor_profiles",
            sa.Text(),
            nullable=True,
            comment="Visitor profiles of the campaign (id, revision) (JSON text)",
        ),
        sa.Column(
            "campaign_channel",
            sa.Text(),
            nullable=True,
            comment="Campaign channel type",
        ),
        sa.Column(
            "campaign_type",
            sa.Text(),
            nullable=True,
            comment="Campaign engagement type",
        ),
        sa.Column(
            "campaign_visitor_behaviors",
            sa.Text(),
            nullable=True,
            comment="Campaign visitor behaviors (JSON text)",
        ),
        sa.Column(
            "campaign_skill_id",
            sa.Integer(),
            nullable=True,
            comment="Campaign engagement skill ID (in case a skill was defined for it)",
        ),
        sa.Column(
            "campaign_skill_name",
            sa.Text(),
            nullable=True,
            comment="Campaign engagement skill name (in case a skill was defined for it)",
        ),
        sa.Column(
            "campaign_survey_skills",
            sa.Text(),
            nullable=True,
            comment="Campaign survey skills (JSON text)",
        ),
        sa.Column(
            "campaign_is_offsite",
            sa.Boolean(),
            nullable=True,
            comment="Indication if it is offsite engagement (isOffsiteEngagement)",
        ),
        sa.Column(
            "campaign_availability_policy",
            sa.Text(),
            nullable=True,
            comment="The engagement state is changed according to this policy",
        ),
        sa.Column(
            "campaign_interaction_type",
            sa.Integer(),
            nullable=True,
            comment="The engagement target - chat or messaging",
        ),
        sa.Column(
            "campaign_rendering_type",
            sa.Integer(),
            nullable=True,
            comment="Determines the way the engagement will be showed",
        ),
        sa.Column("goal_id", sa.BigInteger(), nullable=True, comment="Unique goal identifier"),
        sa.Column("goal_type", sa.Integer(), nullable=True, comment="Goal type"),
        sa.Column(
            "goal_indicator_type", sa.Integer(), nullable=True, comment="Goal indicator type"
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["web_session.visit_id"],
            name=op.f("fk_web_impression_visit_id_web_session"),
        ),
        sa.PrimaryKeyConstraint("visit_id", "fact_id", name=op.f("pk_web_impression")),
        comment="One row per impression (WebSessionImpressionData)",
    )
    _create_index(
        op.f("ix_web_impression_campaign_id"), "web_impression", ["campaign_id"], unique=False
    )
    op.create_table(
        "web_page_view",
        sa.Column("visit_id", sa.Text(), nullable=False, comment="Unique visitor session id"),
        sa.Column(
            "fact_id",
            sa.Text(),
            nullable=False,
            comment="Digest of the fact's content: the same fact seen in two files is stored once",
        ),
        sa.Column("visitor_id", sa.Text(), nullable=True, comment="Unique visitor identifier"),
        sa.Column(
            "event_time",
            sa.DateTime(),
            nullable=True,
            comment="The time the visitor first entered the page in this visit (timestamp) (UTC)",
        ),
        sa.Column(
            "url", sa.Text(), nullable=True, comment="The URL representation of the visited page"
        ),
        sa.Column(
            "referrer_url",
            sa.Text(),
            nullable=True,
            comment="The URL representation of the last page the visitor visited",
        ),
        sa.Column(
            "sections",
            sa.Text(),
            nullable=True,
            comment="A list of the sections/tabs of the page the visitor visited (JSON text)",
        ),
        sa.Column(
            "load_id",
            sa.BigInteger(),
            nullable=True,
            comment="load_file.load_id of the load that wrote this row",
        ),
        sa.Column(
            "extra",
            sa.Text(),
            nullable=True,
            comment="Fields of the source object that no column holds, and values that could not be cast, kept so that nothing in an export is lost (JSON text)",
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["web_session.visit_id"],
            name=op.f("fk_web_page_view_visit_id_web_session"),
        ),
        sa.PrimaryKeyConstraint("visit_id", "fact_id", name=op.f("pk_web_page_view")),
        comment="One row per navigation entry (WebSessionNavigationData)",
    )
    _create_index(
        op.f("ix_web_page_view_event_time"), "web_page_view", ["event_time"], unique=False
    )
    op.create_table(
        "web_session_source",
        sa.Column("visit_id", sa.Text(), nullable=False, comment="Unique visitor session id"),
        sa.Column(
            "fact_id",
            sa.Text(),
            nullable=False,
            comment="Digest of the fact's content: the same fact seen in two files is stored once",
        ),
        sa.Column(
            "source_time",
            sa.DateTime(),
            nullable=True,
            comment="metaData.startTime of the file (UTC)",
        ),
        sa.Column(
            "load_id",
            sa.BigInteger(),
            nullable=True,
            comment="load_file.load_id of the load that wrote this row",
        ),
        sa.Column(
            "extra",
            sa.Text(),
            nullable=True,
            comment="Fields of the source object that no column holds, and values that could not be cast, kept so that nothing in an export is lost (JSON text)",
        ),
        sa.Column(
            "visitor_id",
            sa.Text(),
            nullable=True,
            comment="Unique visitor identifier of the visitor",
        ),
        sa.Column("context_id", sa.Text(), nullable=True, comment="Context ID"),
        sa.Column(
            "account_id",
            sa.Text(),
            nullable=True,
            comment="LivePerson account number (metaData.accountId)",
        ),
        sa.Column(
            "session_start_time",
            sa.DateTime(),
            nullable=True,
            comment="Visitor session's start time (UTC)",
        ),
        sa.Column("user_agent", sa.Text(), nullable=True, comment="User agent"),
        sa.Column(
            "device_os",
            sa.Text(),
            nullable=True,
            comment="Device OS type: NA, WINDOWS, MAC_OS, LINUX, IOS, ANDROID",
        ),
        sa.Column(
            "device_family",
            sa.Text(),
            nullable=True,
            comment="Device type: NA, DESKTOP, TABLET, MOBILE",
        ),
        sa.Column(
            "site_control_group",
            sa.Text(),
            nullable=True,
            comment="Site control group: NA, CONTROL, TEST",
        ),
        sa.Column(
            "search_engine",
            sa.Text(),
            nullable=True,
            comment="Search engine, if the visitor started the session after searching a known search engine; extracted from the referrer URL",
        ),
        sa.Column(
            "search_engine_key",
            sa.Text(),
            nullable=True,
            comment="Keywords used to search through the search engine prior to the session starting point; taken from the referrer URL",
        ),
        sa.Column("ip_v4", sa.Text(), nullable=True, comment="IP V4 address (iPV4)"),
        sa.Column("ip_v6", sa.Text(), nullable=True, comment="IP V6 address (iPV6)"),
        sa.Column("country", sa.Text(), nullable=True, comment="Country name"),
        sa.Column("country_code", sa.Text(), nullable=True, comment="Country code"),
        sa.Column("state", sa.Text(), nullable=True, comment="State name"),
        sa.Column("city", sa.Text(), nullable=True, comment="City name"),
        sa.Column("org", sa.Text(), nullable=True, comment="Organization name"),
        sa.Column("isp", sa.Text(), nullable=True, comment="Internet service provider"),
        sa.Column(
            "first_fact_time",
            sa.DateTime(),
            nullable=True,
            comment="Earliest time of any fact of the visit (UTC)",
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["web_session.visit_id"],
            name=op.f("fk_web_session_source_visit_id_web_session"),
        ),
        sa.PrimaryKeyConstraint("visit_id", "fact_id", name=op.f("pk_web_session_source")),
        comment="What one file said about a visit (header, session info, geo); web_session is merged from these rows",
    )
    op.create_table(
        "agent_survey_answer",
        sa.Column("conversation_id", sa.Text(), nullable=False, comment="Conversation id"),
        sa.Column(
            "survey_index",
            sa.Integer(),
            autoincrement=False,
            nullable=False,
            comment="agent_survey.survey_index",
        ),
        sa.Column(
            "question_index",
            sa.Integer(),
            autoincrement=False,
            nullable=False,
            comment="Position of the question in submittedAnswers",
        ),
        sa.Column(
            "answer_index",
            sa.Integer(),
            autoincrement=False,
            nullable=False,
            comment="Position of the answer in the question's answers",
        ),
        sa.Column("question_text", sa.Text(), nullable=True, comment="Question text"),
        sa.Column("question_id", sa.Text(), nullable=True, comment="Question id"),
        sa.Column(
            "question_definition",
            sa.Text(),
            nullable=True,
            comment="Question definition (REGULAR_QUESTION, ...)",
        ),
        sa.Column(
            "question_category",
            sa.Text(),
            nullable=True,
            comment="Question category (FREE_TEXT, NUMBER, ...)",
        ),
        sa.Column("answer", sa.Text(), nullable=True, comment="Answer given"),
        sa.Column("answer_id", sa.Text(), nullable=True, comment="Answer id"),
        sa.Column(
            "extra",
            sa.Text(),
            nullable=True,
            comment="Fields of the source object that no column holds, and values that could not be cast, kept so that nothing in an export is lost (JSON text)",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id", "survey_index"],
            ["agent_survey.conversation_id", "agent_survey.survey_index"],
            name=op.f("fk_agent_survey_answer_conversation_id_survey_index_agent_survey"),
        ),
        sa.PrimaryKeyConstraint(
            "conversation_id",
            "survey_index",
            "question_index",
            "answer_index",
            name=op.f("pk_agent_survey_answer"),
        ),
        comment="One row per answer of an agent survey's submittedAnswers (a question without answers has one row with NULL answer)",
    )
    op.create_table(
        "message_intent",
        sa.Column("conversation_id", sa.Text(), nullable=False, comment="Conversation id"),
        sa.Column("message_id", sa.Text(), nullable=False, comment="Message id"),
        sa.Column(
            "ordinal",
            sa.Integer(),
            autoincrement=False,
            nullable=False,
            comment="Position of the intent among the message's intents",
        ),
        sa.Column("intent_id", sa.Text(), nullable=True, comment="Intent id"),
        sa.Column(
            "confidence", sa.Text(), nullable=True, comment="Confidence level (LOW, MEDIUM, HIGH)"
        ),
        sa.Column("confidence_score", sa.Double(), nullable=True, comment="Confidence score, 0-1"),
        sa.Column(
            "external_conversation_id",
            sa.Text(),
            nullable=True,
            comment="Bot's own conversation id",
        ),
        sa.Column(
            "business_cases",
            sa.Text(),
            nullable=True,
            comment="Business cases of the bot response (JSON text)",
        ),
        sa.Column(
            "extra",
            sa.Text(),
            nullable=True,
            comment="Fields of the source object that no column holds, and values that could not be cast, kept so that nothing in an export is lost (JSON text)",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id", "message_id"],
            ["message.conversation_id", "message.message_id"],
            name=op.f("fk_message_intent_conversation_id_message_id_message"),
        ),
        sa.PrimaryKeyConstraint(
            "conversation_id", "message_id", "ordinal", name=op.f("pk_message_intent")
        ),
        comment="One row per intent in a message's contextData.structuredMetadata[].botResponse.intents",
    )
    _create_index(
        op.f("ix_message_intent_intent_id"), "message_intent", ["intent_id"], unique=False
    )
    op.create_table(
        "sde_cart_status_product",
        sa.Column("sde_id", sa.Text(), nullable=False, comment="sde_cart_status.sde_id"),
        sa.Column(
            "ordinal",
            sa.Integer(),
            autoincrement=False,
            nullable=False,
            comment="Position of the entry in its array in the event (0-based)",
        ),
        sa.Column("quantity", sa.Integer(), nullable=True, comment="Number of products"),
        sa.Column("name", sa.Text(), nullable=True, comment="Product name"),
        sa.Column("category", sa.Text(), nullable=True, comment="Product category"),
        sa.Column(
            "sku",
            sa.Text(),
            nullable=True,
            comment="Unique product ID identifier in consumer database",
        ),
        sa.Column("price", sa.Double(), nullable=True, comment="Product price"),
        sa.Column("status_in_stock", sa.Text(), nullable=True, comment="Product stock status"),
        sa.Column(
            "quantity_in_stock",
            sa.Integer(),
            nullable=True,
            comment="Product quantity left in stock",
        ),
        sa.Column(
            "extra",
            sa.Text(),
            nullable=True,
            comment="Fields of the source object that no column holds, and values that could not be cast, kept so that nothing in an export is lost (JSON text)",
        ),
        sa.ForeignKeyConstraint(
            ["sde_id"],
            ["sde_cart_status.sde_id"],
            name=op.f("fk_sde_cart_status_product_sde_id_sde_cart_status"),
        ),
        sa.PrimaryKeyConstraint("sde_id", "ordinal", name=op.f("pk_sde_cart_status_product")),
        comment="Products of a cart-status event",
    )
    op.create_table(
        "sde_personal_info_contact",
        sa.Column("sde_id", sa.Text(), nullable=False, comment="sde_personal_info.sde_id"),
        sa.Column("email", sa.Text(), nullable=True, comment="Contact email"),
        sa.Column("phone", sa.Text(), nullable=True, comment="Contact phone number"),
        sa.Column(
            "extra",
            sa.Text(),
            nullable=True,
            comment="Fields of the source object that no column holds, and values that could not be cast, kept so that nothing in an export is lost (JSON text)",
        ),
        sa.Column(
            "ordinal",
            sa.Integer(),
            autoincrement=False,
            nullable=False,
            comment="Position of the entry in its array in the event (0-based)",
        ),
        sa.ForeignKeyConstraint(
            ["sde_id"],
            ["sde_personal_info.sde_id"],
            name=op.f("fk_sde_personal_info_contact_sde_id_sde_personal_info"),
        ),
        sa.PrimaryKeyConstraint("sde_id", "ordinal", name=op.f("pk_sde_personal_info_contact")),
        comment="Contacts (personalContact) of a personal-info event",
    )
    op.create_table(
        "sde_purchase_product",
        sa.Column("sde_id", sa.Text(), nullable=False, comment="sde_purchase.sde_id"),
        sa.Column(
            "ordinal",
            sa.Integer(),
            autoincrement=False,
            nullable=False,
            comment="Position of the entry in its array in the event (0-based)",
        ),
        sa.Column("quantity", sa.Integer(), nullable=True, comment="Number of products"),
        sa.Column("name", sa.Text(), nullable=True, comment="Product name"),
        sa.Column("category", sa.Text(), nullable=True, comment="Product category"),
        sa.Column(
            "sku",
            sa.Text(),
            nullable=True,
            comment="Unique product ID identifier in consumer database",
        ),
        sa.Column("price", sa.Double(), nullable=True, comment="Product price"),
        sa.Column("status_in_stock", sa.Text(), nullable=True, comment="Product stock status"),
        sa.Column(
            "quantity_in_stock",
            sa.Integer(),
            nullable=True,
            comment="Product quantity left in stock",
        ),
        sa.Column(
            "extra",
            sa.Text(),
            nullable=True,
            comment="Fields of the source object that no column holds, and values that could not be cast, kept so that nothing in an export is lost (JSON text)",
        ),
        sa.ForeignKeyConstraint(
            ["sde_id"],
            ["sde_purchase.sde_id"],
            name=op.f("fk_sde_purchase_product_sde_id_sde_purchase"),
        ),
        sa.PrimaryKeyConstraint("sde_id", "ordinal", name=op.f("pk_sde_purchase_product")),
        comment="Products of a purchase event's cart",
    )
    op.create_table(
        "sde_search_content_keyword",
        sa.Column("sde_id", sa.Text(), nullable=False, comment="sde_search_content.sde_id"),
        sa.Column("keyword", sa.Text(), nullable=True, comment="Search keyword"),
        sa.Column(
            "ordinal",
            sa.Integer(),
            autoincrement=False,
            nullable=False,
            comment="Position of the entry in its array in the event (0-based)",
        ),
        sa.ForeignKeyConstraint(
            ["sde_id"],
            ["sde_search_content.sde_id"],
            name=op.f("fk_sde_search_content_keyword_sde_id_sde_search_content"),
        ),
        sa.PrimaryKeyConstraint("sde_id", "ordinal", name=op.f("pk_sde_search_content_keyword")),
        comment="Keywords of a search-content event",
    )
    op.create_table(
        "sde_viewed_product_product",
        sa.Column("sde_id", sa.Text(), nullable=False, comment="sde_viewed_product.sde_id"),
        sa.Column(
            "ordinal",
            sa.Integer(),
            autoincrement=False,
            nullable=False,
            comment="Position of the entry in its array in the event (0-based)",
        ),
        sa.Column("quantity", sa.Integer(), nullable=True, comment="Number of products"),
        sa.Column("name", sa.Text(), nullable=True, comment="Product name"),
        sa.Column("category", sa.Text(), nullable=True, comment="Product category"),
        sa.Column(
            "sku",
            sa.Text(),
            nullable=True,
            comment="Unique product ID identifier in consumer database",
        ),
        sa.Column("price", sa.Double(), nullable=True, comment="Product price"),
        sa.Column("status_in_stock", sa.Text(), nullable=True, comment="Product stock status"),
        sa.Column(
            "quantity_in_stock",
            sa.Integer(),
            nullable=True,
            comment="Product quantity left in stock",
        ),
        sa.Column(
            "extra",
            sa.Text(),
            nullable=True,
            comment="Fields of the source object that no column holds, and values that could not be cast, kept so that nothing in an export is lost (JSON text)",
        ),
        sa.ForeignKeyConstraint(
            ["sde_id"],
            ["sde_viewed_product.sde_id"],
            name=op.f("fk_sde_viewed_product_product_sde_id_sde_viewed_product"),
        ),
        sa.PrimaryKeyConstraint("sde_id", "ordinal", name=op.f("pk_sde_viewed_product_product")),
        comment="Products of a viewed-product event",
    )


def downgrade() -> None:
    """Drop everything: children before their parents, then the sequence."""
    op.drop_table("sde_viewed_product_product")
    op.drop_table("sde_search_content_keyword")
    op.drop_table("sde_purchase_product")
    op.drop_table("sde_personal_info_contact")
    op.drop_table("sde_cart_status_product")
    _drop_index(op.f("ix_message_intent_intent_id"), table_name="message_intent")
    op.drop_table("message_intent")
    op.drop_table("agent_survey_answer")
    op.drop_table("web_session_source")
    _drop_index(op.f("ix_web_page_view_event_time"), table_name="web_page_view")
    op.drop_table("web_page_view")
    _drop_index(op.f("ix_web_impression_campaign_id"), table_name="web_impression")
    op.drop_table("web_impression")
    _drop_index(op.f("ix_web_goal_achieved_campaign_goal_id"), table_name="web_goal_achieved")
    op.drop_table("web_goal_achieved")
    _drop_index(op.f("ix_web_eligibility_campaign_id"), table_name="web_eligibility")
    op.drop_table("web_eligibility")
    op.drop_table("transfer")
    op.drop_table("survey_answer")
    _drop_index(op.f("ix_sde_visitor_error_visit_id"), table_name="sde_visitor_error")
    _drop_index(op.f("ix_sde_visitor_error_conversation_id"), table_name="sde_visitor_error")
    op.drop_table("sde_visitor_error")
    _drop_index(op.f("ix_sde_viewed_product_visit_id"), table_name="sde_viewed_product")
    _drop_index(op.f("ix_sde_viewed_product_conversation_id"), table_name="sde_viewed_product")
    op.drop_table("sde_viewed_product")
    _drop_index(op.f("ix_sde_service_activity_visit_id"), table_name="sde_service_activity")
    _drop_index(op.f("ix_sde_service_activity_conversation_id"), table_name="sde_service_activity")
    op.drop_table("sde_service_activity")
    _drop_index(op.f("ix_sde_search_content_visit_id"), table_name="sde_search_content")
    _drop_index(op.f("ix_sde_search_content_conversation_id"), table_name="sde_search_content")
    op.drop_table("sde_search_content")
    _drop_index(op.f("ix_sde_purchase_visit_id"), table_name="sde_purchase")
    _drop_index(op.f("ix_sde_purchase_order_id"), table_name="sde_purchase")
    _drop_index(op.f("ix_sde_purchase_conversation_id"), table_name="sde_purchase")
    op.drop_table("sde_purchase")
    _drop_index(op.f("ix_sde_personal_info_visit_id"), table_name="sde_personal_info")
    _drop_index(op.f("ix_sde_personal_info_conversation_id"), table_name="sde_personal_info")
    op.drop_table("sde_personal_info")
    _drop_index(
        op.f("ix_sde_marketing_campaign_info_visit_id"), table_name="sde_marketing_campaign_info"
    )
    _drop_index(
        op.f("ix_sde_marketing_campaign_info_conversation_id"),
        table_name="sde_marketing_campaign_info",
    )
    op.drop_table("sde_marketing_campaign_info")
    _drop_index(op.f("ix_sde_lead_visit_id"), table_name="sde_lead")
    _drop_index(op.f("ix_sde_lead_conversation_id"), table_name="sde_lead")
    op.drop_table("sde_lead")
    _drop_index(op.f("ix_sde_customer_info_visit_id"), table_name="sde_customer_info")
    _drop_index(op.f("ix_sde_customer_info_conversation_id"), table_name="sde_customer_info")
    op.drop_table("sde_customer_info")
    _drop_index(op.f("ix_sde_cart_status_visit_id"), table_name="sde_cart_status")
    _drop_index(op.f("ix_sde_cart_status_conversation_id"), table_name="sde_cart_status")
    op.drop_table("sde_cart_status")
    _drop_index(op.f("ix_participant_agent_id"), table_name="participant")
    op.drop_table("participant")
    op.drop_table("message_status")
    op.drop_table("message_score")
    _drop_index(op.f("ix_message_conversation_id_time"), table_name="message")
    op.drop_table("message")
    op.drop_table("load_rejection")
    op.drop_table("interaction")
    op.drop_table("dialog")
    op.drop_table("conversation_intent")
    op.drop_table("cobrowse_session")
    op.drop_table("agent_survey")
    _drop_index(op.f("ix_web_session_visitor_id"), table_name="web_session")
    _drop_index(op.f("ix_web_session_session_start_time"), table_name="web_session")
    op.drop_table("web_session")
    _drop_index(op.f("ix_load_file_sha256"), table_name="load_file")
    op.drop_table("load_file")
    _drop_index(op.f("ix_conversation_start_time"), table_name="conversation")
    _drop_index(op.f("ix_conversation_latest_skill_name"), table_name="conversation")
    _drop_index(op.f("ix_conversation_latest_agent_id"), table_name="conversation")
    op.drop_table("conversation")
    op.execute(sa.schema.DropSequence(sa.Sequence(LOAD_ID_SEQUENCE)))
