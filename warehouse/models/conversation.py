"""Tables of the Messaging Interactions API: one conversation record and its sections.

A conversation is replaced as a whole (with every child row and SDE row) when a
newer-or-equal version of its record is loaded; child rows are keyed by the
conversation id and their position in the record's array, so re-loading gives
the same keys.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, ForeignKeyConstraint, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from .base import TEXT, Base, boolean, double, extra, int32, json_text, long, text, text_index, ts

CONVERSATION_FK = "conversation.conversation_id"


def conversation_id_key() -> Mapped[str]:
    return mapped_column(
        TEXT, ForeignKey(CONVERSATION_FK), primary_key=True, comment="Conversation id"
    )


def ordinal(comment: str = "Position of the entry in its array in the record (0-based)"):
    return mapped_column(Integer(), primary_key=True, autoincrement=False, comment=comment)


class Conversation(Base):
    __tablename__ = "conversation"
    __table_args__ = (
        Index(None, "start_time").ddl_if(dialect="postgresql"),
        text_index("latest_agent_id"),
        text_index("latest_skill_name"),
        {
            "comment": "One row per conversation: the info, campaign, monitoring, responseTime "
            "and summary sections of a Messaging Interactions API conversation record"
        },
    )

    conversation_id: Mapped[str] = mapped_column(
        TEXT, primary_key=True, comment="Id of the conversation (info.conversationId)"
    )
    record_version: Mapped[datetime | None] = ts(
        "Version of the stored record: the latest timestamp anywhere in it; a record is "
        "replaced only by one whose version is greater or equal"
    )
    record_hash: Mapped[str] = text(
        "Digest of the stored record, the tie-break between two records of equal version"
    )
    load_id: Mapped[int | None] = long("load_file.load_id of the load that wrote this row")

    # info
    start_time: Mapped[datetime | None] = ts("Conversation start time (info.startTimeL)")
    end_time: Mapped[datetime | None] = ts("Conversation end time (info.endTimeL); NULL while open")
    conversation_end_time: Mapped[datetime | None] = ts(
        "End time of the conversation's main dialog (info.conversationEndTimeL)"
    )
    full_dialog_end_time: Mapped[datetime | None] = ts(
        "End time of the last dialog of the conversation (info.fullDialogEndTimeL)"
    )
    duration: Mapped[int | None] = long("Conversation duration in milliseconds")
    brand_id: Mapped[str | None] = text("Account (brand) id")
    latest_agent_id: Mapped[str | None] = text("Id of the last agent assigned")
    latest_agent_nickname: Mapped[str | None] = text("Nickname of the last agent assigned")
    latest_agent_full_name: Mapped[str | None] = text("Full name of the last agent assigned")
    latest_agent_login_name: Mapped[str | None] = text("Login name of the last agent assigned")
    agent_deleted: Mapped[bool | None] = boolean("Whether the last agent has been deleted")
    latest_skill_id: Mapped[int | None] = long("Id of the last skill (-1: none)")
    latest_skill_name: Mapped[str | None] = text("Name of the last skill")
    source: Mapped[str | None] = text("Source of the conversation (APP, SHARK, ...)")
    close_reason: Mapped[str | None] = text("Who closed the conversation (AGENT, CONSUMER, SYSTEM)")
    close_reason_description: Mapped[str | None] = text("How it was closed (MANUAL_CLOSE, ...)")
    mcs: Mapped[int | None] = int32("Meaningful Connection Score of the conversation, 0-100")
    alerted_mcs: Mapped[int | None] = int32(
        "Alerted MCS: -1 negative, 0 neutral, 1 positive (info.alertedMCS)"
    )
    status: Mapped[str | None] = text("Conversation status: OPEN or CLOSE")
    full_dialog_status: Mapped[str | None] = text("Status of the conversation's full dialog")
    first_conversation: Mapped[bool | None] = boolean("Whether this is the consumer's first")
    csat_rate: Mapped[int | None] = int32("Consumer satisfaction rating, 1-5")
    device: Mapped[str | None] = text("Consumer's device type")
    browser: Mapped[str | None] = text("Consumer's browser")
    operating_system: Mapped[str | None] = text("Consumer's operating system")
    latest_agent_group_id: Mapped[int | None] = long("Id of the last agent's group")
    latest_agent_group_name: Mapped[str | None] = text("Name of the last agent's group")
    latest_queue_state: Mapped[str | None] = text("Queue state (IN_QUEUE, ACTIVE)")
    is_partial: Mapped[bool | None] = boolean("Whether the record holds partial data")
    pending_agent_survey: Mapped[bool | None] = boolean(
        "Whether an agent survey is pending for the conversation"
    )

    # campaign
    campaign_engagement_id: Mapped[str | None] = text("Engagement id (campaign section)")
    campaign_engagement_name: Mapped[str | None] = text("Engagement name")
    campaign_id: Mapped[str | None] = text("Campaign id")
    campaign_name: Mapped[str | None] = text("Campaign name")
    goal_id: Mapped[str | None] = text("Campaign goal id")
    goal_name: Mapped[str | None] = text("Campaign goal name")
    engagement_agent_note: Mapped[str | None] = text("Note to the agent defined on the engagement")
    engagement_source: Mapped[str | None] = text("Engagement source (WEB_SITE, ...)")
    visitor_behavior_id: Mapped[str | None] = text("Visitor behaviour id")
    visitor_behavior_name: Mapped[str | None] = text("Visitor behaviour name")
    engagement_application_id: Mapped[str | None] = text("Engagement application id")
    engagement_application_name: Mapped[str | None] = text("Engagement application name")
    engagement_application_type_id: Mapped[str | None] = text("Engagement application type id")
    engagement_application_type_name: Mapped[str | None] = text("Engagement application type name")
    visitor_profile_id: Mapped[str | None] = text("Visitor profile id")
    visitor_profile_name: Mapped[str | None] = text("Visitor profile name")
    lob_id: Mapped[int | None] = long("Line of business id")
    lob_name: Mapped[str | None] = text("Line of business name")
    location_id: Mapped[str | None] = text("Engagement location id")
    location_name: Mapped[str | None] = text("Engagement location name")
    profile_system_default: Mapped[bool | None] = boolean("Whether the profile is the default")
    behavior_system_default: Mapped[bool | None] = boolean("Whether the behaviour is the default")

    # monitoring
    monitoring_country: Mapped[str | None] = text("Consumer's country (monitoring section)")
    monitoring_country_code: Mapped[str | None] = text("Consumer's country code")
    monitoring_state: Mapped[str | None] = text("Consumer's state")
    monitoring_city: Mapped[str | None] = text("Consumer's city")
    monitoring_isp: Mapped[str | None] = text("Consumer's internet service provider")
    monitoring_org: Mapped[str | None] = text("Consumer's organisation")
    monitoring_device: Mapped[str | None] = text("Consumer's device (monitoring section)")
    monitoring_ip_address: Mapped[str | None] = text("Consumer's IP address")
    monitoring_browser: Mapped[str | None] = text("Consumer's browser (monitoring section)")
    monitoring_operating_system: Mapped[str | None] = text(
        "Consumer's operating system (monitoring section)"
    )
    monitoring_conversation_start_page: Mapped[str | None] = text(
        "Page on which the conversation started"
    )
    monitoring_conversation_start_page_title: Mapped[str | None] = text(
        "Title of the page on which the conversation started"
    )

    # responseTime
    latest_effective_response_due_time: Mapped[datetime | None] = ts(
        "When the agent's response is due (responseTime.latestEffectiveResponseDueTime)"
    )
    configured_response_time: Mapped[int | None] = long(
        "Configured response time (responseTime.configuredResponseTime)"
    )

    # summary
    summary_text: Mapped[str | None] = text("Conversation summary written by the agent")
    summary_last_updated_time: Mapped[datetime | None] = ts("When the summary was last updated")

    extra: Mapped[str | None] = extra()


class Participant(Base):
    __tablename__ = "participant"
    __table_args__ = (
        text_index("agent_id"),
        {"comment": "One row per entry of agentParticipants and consumerParticipant(s)"},
    )

    conversation_id: Mapped[str] = conversation_id_key()
    participant_type: Mapped[str] = mapped_column(
        TEXT,
        primary_key=True,
        comment="AGENT for an entry of agentParticipants, CONSUMER for consumerParticipant(s)",
    )
    ordinal: Mapped[int] = ordinal("Position of the participant in its section (0-based)")
    role: Mapped[str | None] = text(
        "Participant role: the agent's role (AGENT, MANAGER, ...), CONSUMER for consumers"
    )
    participant_id: Mapped[str | None] = text(
        "Participant id: agentId of an agent, participantId of a consumer"
    )
    agent_id: Mapped[str | None] = text("Agent id")
    agent_full_name: Mapped[str | None] = text("Agent full name")
    agent_nickname: Mapped[str | None] = text("Agent nickname")
    agent_login_name: Mapped[str | None] = text("Agent login name")
    user_type: Mapped[str | None] = text("Agent user type id")
    user_type_name: Mapped[str | None] = text("Agent user type (Human, Bot)")
    agent_group_id: Mapped[int | None] = long("Agent group id")
    agent_group_name: Mapped[str | None] = text("Agent group name")
    permission: Mapped[str | None] = text("Agent permission (ASSIGNED_AGENT, READER, ...)")
    time: Mapped[datetime | None] = ts("When the participant joined")
    dialog_id: Mapped[str | None] = text("Dialog the participant joined")
    context_data: Mapped[str | None] = json_text("Participant contextData")
    first_name: Mapped[str | None] = text("Consumer first name")
    last_name: Mapped[str | None] = text("Consumer last name")
    consumer_name: Mapped[str | None] = text("Consumer name")
    token: Mapped[str | None] = text("Consumer token")
    email: Mapped[str | None] = text("Consumer email")
    phone: Mapped[str | None] = text("Consumer phone")
    avatar_url: Mapped[str | None] = text("Consumer avatar URL")
    extra: Mapped[str | None] = extra()


class Message(Base):
    __tablename__ = "message"
    __table_args__ = (
        Index(None, "conversation_id", "time").ddl_if(dialect="postgresql"),
        {"comment": "One row per entry of messageRecords"},
    )

    conversation_id: Mapped[str] = conversation_id_key()
    message_id: Mapped[str] = mapped_column(TEXT, primary_key=True, comment="Message id")
    load_id: Mapped[int | None] = long("load_file.load_id of the load that wrote this row")
    seq: Mapped[int | None] = long("Sequence number of the message in the conversation")
    type: Mapped[str | None] = text("Message type (TEXT_PLAIN, RICH_CONTENT, HOSTED_FILE, ...)")
    rich_content: Mapped[str | None] = json_text("Structured content (messageData.richContent)")
    quick_replies: Mapped[str | None] = json_text("Quick replies (messageData.quickReplies)")
    dialog_id: Mapped[str | None] = text("Dialog the message belongs to")
    participant_id: Mapped[str | None] = text("Id of the participant who sent the message")
    source: Mapped[str | None] = text("Source of the message (APP, ...)")
    time: Mapped[datetime | None] = ts("When the message was sent (timeL)")
    device: Mapped[str | None] = text("Device the message was sent from")
    audience: Mapped[str | None] = text("Who can see the message (ALL, AGENTS_AND_MANAGERS)")
    sent_by: Mapped[str | None] = text("Sender: Consumer or Agent")
    context_raw_metadata: Mapped[str | None] = json_text("contextData.rawMetadata")
    context_structured_metadata: Mapped[str | None] = json_text("contextData.structuredMetadata")
    # Defined last: the attribute shadows the text() helper inside this class body.
    text: Mapped[str | None] = text("Message text (messageData.msg.text)")
    extra: Mapped[str | None] = extra()


class MessageStatus(Base):
    __tablename__ = "message_status"
    __table_args__ = {"comment": "One row per entry of messageStatuses"}

    conversation_id: Mapped[str] = conversation_id_key()
    ordinal: Mapped[int] = ordinal()
    message_id: Mapped[str | None] = text("Message id")
    seq: Mapped[int | None] = long("Sequence number of the message")
    time: Mapped[datetime | None] = ts("When the status changed")
    participant_id: Mapped[str | None] = text("Participant whose status this is")
    participant_type: Mapped[str | None] = text("Participant type (Agent, Consumer)")
    message_delivery_status: Mapped[str | None] = text("Delivery status (ACCEPT, READ, ...)")
    dialog_id: Mapped[str | None] = text("Dialog id")
    extra: Mapped[str | None] = extra()


class MessageScore(Base):
    __tablename__ = "message_score"
    __table_args__ = {"comment": "One row per entry of messageScores (messageScore)"}

    conversation_id: Mapped[str] = conversation_id_key()
    ordinal: Mapped[int] = ordinal()
    message_id: Mapped[str | None] = text("Message id")
    message_raw_score: Mapped[int | None] = int32("Raw sentiment score of the message")
    mcs: Mapped[int | None] = int32("Meaningful Connection Score after the message")
    time: Mapped[datetime | None] = ts("When the score was computed")
    extra: Mapped[str | None] = extra()


class Transfer(Base):
    __tablename__ = "transfer"
    __table_args__ = {"comment": "One row per entry of transfers"}

    conversation_id: Mapped[str] = conversation_id_key()
    ordinal: Mapped[int] = ordinal()
    time: Mapped[datetime | None] = ts("When the transfer happened")
    assigned_agent_id: Mapped[str | None] = text("Agent the conversation was assigned to")
    target_skill_id: Mapped[int | None] = long("Skill transferred to")
    target_skill_name: Mapped[str | None] = text("Name of the skill transferred to")
    reason: Mapped[str | None] = text("Transfer reason (Skill, Agent, ...)")
    transferred_by: Mapped[str | None] = text("Who made the transfer (source field: by)")
    source_skill_id: Mapped[int | None] = long("Skill transferred from")
    source_skill_name: Mapped[str | None] = text("Name of the skill transferred from")
    source_agent_id: Mapped[str | None] = text("Agent transferred from")
    source_agent_full_name: Mapped[str | None] = text("Full name of the agent transferred from")
    source_agent_login_name: Mapped[str | None] = text("Login of the agent transferred from")
    source_agent_nickname: Mapped[str | None] = text("Nickname of the agent transferred from")
    dialog_id: Mapped[str | None] = text("Dialog id")
    extra: Mapped[str | None] = extra()


class Interaction(Base):
    __tablename__ = "interaction"
    __table_args__ = {"comment": "One row per entry of interactions"}

    conversation_id: Mapped[str] = conversation_id_key()
    ordinal: Mapped[int] = ordinal()
    assigned_agent_id: Mapped[str | None] = text("Agent assigned in this interaction")
    assigned_agent_full_name: Mapped[str | None] = text("Full name of the assigned agent")
    assigned_agent_login_name: Mapped[str | None] = text("Login name of the assigned agent")
    assigned_agent_nickname: Mapped[str | None] = text("Nickname of the assigned agent")
    interaction_time: Mapped[datetime | None] = ts("When the interaction started")
    interactive_sequence: Mapped[int | None] = long("Sequence of the interaction")
    dialog_id: Mapped[str | None] = text("Dialog id")
    extra: Mapped[str | None] = extra()


class SurveyAnswer(Base):
    __tablename__ = "survey_answer"
    __table_args__ = {
        "comment": "One row per question/answer of conversationSurveys[].surveyData "
        "(a survey without answers has one row with NULL question and answer)"
    }

    conversation_id: Mapped[str] = conversation_id_key()
    survey_index: Mapped[int] = ordinal("Position of the survey in conversationSurveys")
    answer_index: Mapped[int] = ordinal("Position of the answer in surveyData")
    survey_type: Mapped[str | None] = text("Survey type (Satisfaction, ...)")
    survey_status: Mapped[str | None] = text("Survey status (FILLED, ...)")
    dialog_id: Mapped[str | None] = text("Dialog id")
    question: Mapped[str | None] = text("Survey question")
    answer: Mapped[str | None] = text("Consumer's answer")
    extra: Mapped[str | None] = extra()


class CobrowseSession(Base):
    __tablename__ = "cobrowse_session"
    __table_args__ = {"comment": "One row per entry of coBrowseSessions.coBrowseSessionsList"}

    conversation_id: Mapped[str] = conversation_id_key()
    session_id: Mapped[str] = mapped_column(TEXT, primary_key=True, comment="Co-browse session id")
    start_time: Mapped[datetime | None] = ts("Session start time")
    end_time: Mapped[datetime | None] = ts("Session end time")
    end_reason: Mapped[str | None] = text("Who ended the session (AGENT, VISITOR, ...)")
    duration: Mapped[int | None] = long("Session duration in milliseconds")
    type: Mapped[str | None] = text("Session type (inApp, web)")
    capabilities: Mapped[str | None] = json_text("Capabilities used in the session")
    agent_id: Mapped[str | None] = text("Agent id")
    interactive: Mapped[bool | None] = boolean("Whether the session was interactive")
    extra: Mapped[str | None] = extra()


class MessageIntent(Base):
    __tablename__ = "message_intent"
    __table_args__ = (
        ForeignKeyConstraint(
            ["conversation_id", "message_id"], ["message.conversation_id", "message.message_id"]
        ),
        text_index("intent_id"),
        {
            "comment": "One row per intent in a message's "
            "contextData.structuredMetadata[].botResponse.intents"
        },
    )

    conversation_id: Mapped[str] = mapped_column(TEXT, primary_key=True, comment="Conversation id")
    message_id: Mapped[str] = mapped_column(TEXT, primary_key=True, comment="Message id")
    ordinal: Mapped[int] = ordinal("Position of the intent among the message's intents")
    intent_id: Mapped[str | None] = text("Intent id")
    confidence: Mapped[str | None] = text("Confidence level (LOW, MEDIUM, HIGH)")
    confidence_score: Mapped[float | None] = double("Confidence score, 0-1")
    external_conversation_id: Mapped[str | None] = text("Bot's own conversation id")
    business_cases: Mapped[str | None] = json_text("Business cases of the bot response")
    extra: Mapped[str | None] = extra()


class Dialog(Base):
    __tablename__ = "dialog"
    __table_args__ = {"comment": "One row per entry of dialogs"}

    conversation_id: Mapped[str] = conversation_id_key()
    dialog_id: Mapped[str] = mapped_column(TEXT, primary_key=True, comment="Dialog id")
    status: Mapped[str | None] = text("Dialog status")
    dialog_type: Mapped[str | None] = text("Dialog type (MAIN, POST_SURVEY, ...)")
    dialog_channel_type: Mapped[str | None] = text("Dialog channel (MESSAGING, ...)")
    start_time: Mapped[datetime | None] = ts("Dialog start time")
    end_time: Mapped[datetime | None] = ts("Dialog end time")
    close_reason: Mapped[str | None] = text("Who closed the dialog")
    close_reason_description: Mapped[str | None] = text("How the dialog was closed")
    skill_id: Mapped[int | None] = long("Skill id")
    skill_name: Mapped[str | None] = text("Skill name")
    extra: Mapped[str | None] = extra()


class ConversationIntent(Base):
    __tablename__ = "conversation_intent"
    __table_args__ = {
        "comment": "One row per classification in intents: the selected classification "
        "(classification_index 0) and each of allClassifications (1, 2, ...)"
    }

    conversation_id: Mapped[str] = conversation_id_key()
    intent_index: Mapped[int] = ordinal("Position of the entry in intents")
    classification_index: Mapped[int] = ordinal(
        "0 for selectedClassification, n for allClassifications[n-1]"
    )
    is_selected: Mapped[bool] = boolean("Whether this is the selected classification")
    message_id: Mapped[str | None] = text("Message the intent was detected in")
    intent_name: Mapped[str | None] = text("Intent name (id)")
    intent_label: Mapped[str | None] = text("Intent label")
    confidence_score: Mapped[float | None] = double("Confidence score, 0-1")
    versions: Mapped[str | None] = json_text("Models (name and version) that classified it")
    extra: Mapped[str | None] = extra()


class AgentSurvey(Base):
    __tablename__ = "agent_survey"
    __table_args__ = {
        "comment": "latestAgentSurvey (survey_index 0) and each of "
        "previouslySubmittedAgentSurveys (1, 2, ...)"
    }

    conversation_id: Mapped[str] = conversation_id_key()
    survey_index: Mapped[int] = ordinal(
        "0 for latestAgentSurvey, n for previouslySubmittedAgentSurveys[n-1]"
    )
    load_id: Mapped[int | None] = long("load_file.load_id of the load that wrote this row")
    is_latest: Mapped[bool] = boolean("Whether this is the latestAgentSurvey")
    survey_status: Mapped[str | None] = text("Survey status (SUBMITTED, CLOSED, ...)")
    status_reason: Mapped[str | None] = text("Reason of the status")
    dialog_id: Mapped[str | None] = text("Dialog id")
    survey_id: Mapped[str | None] = text("Survey instance id")
    ac_survey_id: Mapped[str | None] = text("Survey definition id")
    ac_survey_name: Mapped[str | None] = text("Survey definition name")
    ac_survey_revision: Mapped[int | None] = long("Survey definition revision")
    survey_skill_id: Mapped[int | None] = long("Survey skill id")
    survey_skill_name: Mapped[str | None] = text("Survey skill name")
    assigned_agent_id: Mapped[str | None] = text("Assigned agent id")
    assigned_agent_nick_name: Mapped[str | None] = text("Assigned agent nickname")
    assigned_agent_name: Mapped[str | None] = text("Assigned agent name")
    performed_by_agent_id: Mapped[str | None] = text("Id of the agent who filled it in")
    performed_by_agent_nick_name: Mapped[str | None] = text("Nickname of that agent")
    performed_by_agent_name: Mapped[str | None] = text("Name of that agent")
    last_update_time: Mapped[datetime | None] = ts("When the survey was last updated")
    extra: Mapped[str | None] = extra()


class AgentSurveyAnswer(Base):
    __tablename__ = "agent_survey_answer"
    __table_args__ = (
        ForeignKeyConstraint(
            ["conversation_id", "survey_index"],
            ["agent_survey.conversation_id", "agent_survey.survey_index"],
        ),
        {
            "comment": "One row per answer of an agent survey's submittedAnswers "
            "(a question without answers has one row with NULL answer)"
        },
    )

    conversation_id: Mapped[str] = mapped_column(TEXT, primary_key=True, comment="Conversation id")
    survey_index: Mapped[int] = ordinal("agent_survey.survey_index")
    question_index: Mapped[int] = ordinal("Position of the question in submittedAnswers")
    answer_index: Mapped[int] = ordinal("Position of the answer in the question's answers")
    question_text: Mapped[str | None] = text("Question text")
    question_id: Mapped[str | None] = text("Question id")
    question_definition: Mapped[str | None] = text("Question definition (REGULAR_QUESTION, ...)")
    question_category: Mapped[str | None] = text("Question category (FREE_TEXT, NUMBER, ...)")
    answer: Mapped[str | None] = text("Answer given")
    answer_id: Mapped[str | None] = text("Answer id")
    extra: Mapped[str | None] = extra()
