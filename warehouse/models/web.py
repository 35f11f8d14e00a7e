"""Tables of the Data Access API web-session files.

Web-session facts accumulate across files: each fact row is keyed by its visit
and a digest of its content, so the same fact seen in two files is stored once.
``web_session`` is derived from ``web_session_source`` (what each file said
about a visit): for every field, the non-null value from the file with the
latest ``metaData.startTime`` wins, whatever order the files are loaded in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from .base import TEXT, Base, boolean, double, extra, int32, json_text, long, text, text_index, ts

VISIT_FK = "web_session.visit_id"
FACT_ID_COMMENT = "Digest of the fact's content: the same fact seen in two files is stored once"


def visit_key() -> Mapped[str]:
    return mapped_column(
        TEXT, ForeignKey(VISIT_FK), primary_key=True, comment="Unique visitor session id"
    )


def fact_key() -> Mapped[str]:
    return mapped_column(TEXT, primary_key=True, comment=FACT_ID_COMMENT)


class SessionFields:
    """Header, session-info and geo fields: in web_session and each of its sources."""

    visitor_id: Mapped[str | None] = text("Unique visitor identifier of the visitor")
    context_id: Mapped[str | None] = text("Context ID")
    account_id: Mapped[str | None] = text("LivePerson account number (metaData.accountId)")
    session_start_time: Mapped[datetime | None] = ts("Visitor session's start time")
    user_agent: Mapped[str | None] = text("User agent")
    device_os: Mapped[str | None] = text("Device OS type: NA, WINDOWS, MAC_OS, LINUX, IOS, ANDROID")
    device_family: Mapped[str | None] = text("Device type: NA, DESKTOP, TABLET, MOBILE")
    site_control_group: Mapped[str | None] = text("Site control group: NA, CONTROL, TEST")
    search_engine: Mapped[str | None] = text(
        "Search engine, if the visitor started the session after searching a known search "
        "engine; extracted from the referrer URL"
    )
    search_engine_key: Mapped[str | None] = text(
        "Keywords used to search through the search engine prior to the session starting "
        "point; taken from the referrer URL"
    )
    ip_v4: Mapped[str | None] = text("IP V4 address (iPV4)")
    ip_v6: Mapped[str | None] = text("IP V6 address (iPV6)")
    country: Mapped[str | None] = text("Country name")
    country_code: Mapped[str | None] = text("Country code")
    state: Mapped[str | None] = text("State name")
    city: Mapped[str | None] = text("City name")
    org: Mapped[str | None] = text("Organization name")
    isp: Mapped[str | None] = text("Internet service provider")
    first_fact_time: Mapped[datetime | None] = ts("Earliest time of any fact of the visit")


class WebSession(SessionFields, Base):
    __tablename__ = "web_session"
    __table_args__ = (
        Index(None, "session_start_time").ddl_if(dialect="postgresql"),
        text_index("visitor_id"),
        {
            "comment": "One row per visit: header, session info and geo merged across files "
            "(a null never erases a value; the file with the later metaData.startTime wins)"
        },
    )

    visit_id: Mapped[str] = mapped_column(
        TEXT, primary_key=True, comment="Unique visitor session identifier"
    )
    source_time: Mapped[datetime | None] = ts(
        "Latest metaData.startTime of the files that described the visit"
    )


class WebSessionSource(SessionFields, Base):
    __tablename__ = "web_session_source"
    __table_args__ = {
        "comment": "What one file said about a visit (header, session info, geo); "
        "web_session is merged from these rows"
    }

    visit_id: Mapped[str] = visit_key()
    fact_id: Mapped[str] = fact_key()
    source_time: Mapped[datetime | None] = ts("metaData.startTime of the file")
    load_id: Mapped[int | None] = long("load_file.load_id of the load that wrote this row")
    extra: Mapped[str | None] = extra()


class EngagementColumns:
    """The Engagement container of impressions and eligibility entries."""

    engagement_id: Mapped[int | None] = long("Engagement ID")
    engagement_channel: Mapped[str | None] = text("Channel type")
    engagement_type: Mapped[str | None] = text(
        "Engagement type: peeling corner = 0, overlay = 1, toaster = 2, slide-out = 3, "
        "embedded = 5, sticky = 6"
    )
    engagement_visitor_behaviors: Mapped[str | None] = json_text(
        "List of visitor behaviors (id, revision)"
    )
    engagement_skill_id: Mapped[int | None] = int32(
        "Engagement skill ID (in case a skill was defined for it)"
    )
    engagement_skill_name: Mapped[str | None] = text(
        "Engagement skill name (in case a skill was defined for it)"
    )
    engagement_survey_skills: Mapped[str | None] = json_text(
        "List of skills defined for the survey"
    )
    engagement_is_offsite: Mapped[bool | None] = boolean(
        "Indication of offsite engagement (isOffsiteEngagement)"
    )
    engagement_availability_policy: Mapped[str | None] = text(
        "Policy which changes the engagement availability"
    )
    engagement_interaction_type: Mapped[int | None] = int32(
        "The engagement type: chat or messaging"
    )
    engagement_rendering_type: Mapped[int | None] = int32(
        "Determines the way the engagement will be showed"
    )


class CampaignGoalColumns:
    """The Campaign and Goal containers of impressions and eligibility entries."""

    campaign_id: Mapped[int | None] = long("Campaign id")
    campaign_visitor_profiles: Mapped[str | None] = json_text(
        "Visitor profiles of the campaign (id, revision)"
    )
    # Seed 004 documents the Campaign container with the Engagement container's fields;
    # the examples show only id and visitorProfiles. Every documented variant is accepted.
    campaign_channel: Mapped[str | None] = text("Campaign channel type")
    campaign_type: Mapped[str | None] = text("Campaign engagement type")
    campaign_visitor_behaviors: Mapped[str | None] = json_text("Campaign visitor behaviors")
    campaign_skill_id: Mapped[int | None] = int32(
        "Campaign engagement skill ID (in case a skill was defined for it)"
    )
    campaign_skill_name: Mapped[str | None] = text(
        "Campaign engagement skill name (in case a skill was defined for it)"
    )
    campaign_survey_skills: Mapped[str | None] = json_text("Campaign survey skills")
    campaign_is_offsite: Mapped[bool | None] = boolean(
        "Indication if it is offsite engagement (isOffsiteEngagement)"
    )
    campaign_availability_policy: Mapped[str | None] = text(
        "The engagement state is changed according to this policy"
    )
    campaign_interaction_type: Mapped[int | None] = int32(
        "The engagement target - chat or messaging"
    )
    campaign_rendering_type: Mapped[int | None] = int32(
        "Determines the way the engagement will be showed"
    )
    goal_id: Mapped[int | None] = long("Unique goal identifier")
    goal_type: Mapped[int | None] = int32("Goal type")
    goal_indicator_type: Mapped[int | None] = int32("Goal indicator type")


class WebPageView(Base):
    __tablename__ = "web_page_view"
    __table_args__ = (
        Index(None, "event_time").ddl_if(dialect="postgresql"),
        {"comment": "One row per navigation entry (WebSessionNavigationData)"},
    )

    visit_id: Mapped[str] = visit_key()
    fact_id: Mapped[str] = fact_key()
    visitor_id: Mapped[str | None] = text("Unique visitor identifier")
    event_time: Mapped[datetime | None] = ts(
        "The time the visitor first entered the page in this visit (timestamp)"
    )
    url: Mapped[str | None] = text("The URL representation of the visited page")
    referrer_url: Mapped[str | None] = text(
        "The URL representation of the last page the visitor visited"
    )
    sections: Mapped[str | None] = json_text(
        "A list of the sections/tabs of the page the visitor visited"
    )
    load_id: Mapped[int | None] = long("load_file.load_id of the load that wrote this row")
    extra: Mapped[str | None] = extra()


class WebImpression(EngagementColumns, CampaignGoalColumns, Base):
    __tablename__ = "web_impression"
    __table_args__ = (
        Index(None, "campaign_id").ddl_if(dialect="postgresql"),
        {"comment": "One row per impression (WebSessionImpressionData)"},
    )

    visit_id: Mapped[str] = visit_key()
    fact_id: Mapped[str] = fact_key()
    visitor_id: Mapped[str | None] = text("Unique visitor identifier")
    event_time: Mapped[datetime | None] = ts("Time that the impression occurred (timestamp)")
    engagement_instance_id: Mapped[str | None] = text("Engagement instance id")
    impression_type: Mapped[str | None] = text("Type of impression: Show, Accept, Close, Timeout")
    state: Mapped[str | None] = text("Impression state: content, chatonline, chatoffline")
    load_id: Mapped[int | None] = long("load_file.load_id of the load that wrote this row")
    extra: Mapped[str | None] = extra()


class WebEligibility(EngagementColumns, CampaignGoalColumns, Base):
    __tablename__ = "web_eligibility"
    __table_args__ = (
        Index(None, "campaign_id").ddl_if(dialect="postgresql"),
        {
            "comment": "One row per eligible campaign and engagement at an assessment time "
            "(WebSessionEligibilityData)"
        },
    )

    visit_id: Mapped[str] = visit_key()
    fact_id: Mapped[str] = fact_key()
    visitor_id: Mapped[str | None] = text("Unique visitor identifier")
    assessment_time: Mapped[datetime | None] = ts(
        "The time that the assessment is made regarding which campaign is relevant to the "
        "visitor (timestamp)"
    )
    control_group_type: Mapped[str | None] = text(
        "Type of the campaign control groups: NA, TEST, CONTROL"
    )
    load_id: Mapped[int | None] = long("load_file.load_id of the load that wrote this row")
    extra: Mapped[str | None] = extra()


class WebGoalAchieved(Base):
    __tablename__ = "web_goal_achieved"
    __table_args__ = (
        Index(None, "campaign_goal_id").ddl_if(dialect="postgresql"),
        {"comment": "One row per achieved goal (WebSessionGoalAchievedData)"},
    )

    visit_id: Mapped[str] = visit_key()
    fact_id: Mapped[str] = fact_key()
    visitor_id: Mapped[str | None] = text("Unique visitor identifier")
    achieved_goal_id: Mapped[str | None] = text("Unique ID for achieved goal (id)")
    event_time: Mapped[datetime | None] = ts("Time when goal was achieved (timestamp)")
    campaign_goal_id: Mapped[int | None] = long("Campaign goal ID")
    campaign_goal_revision: Mapped[int | None] = long("Revision of campaign goal ID")
    campaign_goal_type: Mapped[int | None] = int32("Goal type")
    metadata_kind: Mapped[str | None] = text(
        "Kind of goalMetaData: UrlGoalMetadata, PurchaseMetadata, "
        "ReduceAbandonmentGoalMetadata, IncreaseInteractionGoalMetadata, LeadMetadata, "
        "ServiceActivityMetadata"
    )
    metadata_url: Mapped[str | None] = text("UrlGoalMetadata.url")
    metadata_total: Mapped[float | None] = double("PurchaseMetadata.total: total purchase")
    metadata_order_id: Mapped[str | None] = text("PurchaseMetadata.orderId: purchase order ID")
    metadata_cart_status: Mapped[str | None] = json_text("PurchaseMetadata.cartStatus")
    metadata_number_of_pages: Mapped[int | None] = int32(
        "ReduceAbandonmentGoalMetadata.numberOfPages: number of pages viewed"
    )
    metadata_engagement: Mapped[str | None] = json_text(
        "IncreaseInteractionGoalMetadata.engagement"
    )
    metadata_campaign: Mapped[str | None] = json_text("IncreaseInteractionGoalMetadata.campaign")
    metadata_topic: Mapped[str | None] = text("LeadMetadata / ServiceActivityMetadata topic")
    metadata_lead_id: Mapped[str | None] = text("LeadMetadata.leadId")
    metadata_value: Mapped[float | None] = double("LeadMetadata.value: lead value")
    metadata_status: Mapped[int | None] = int32("ServiceActivityMetadata.status")
    metadata_category: Mapped[str | None] = text("ServiceActivityMetadata.category")
    metadata_service_id: Mapped[str | None] = text("ServiceActivityMetadata.serviceId")
    load_id: Mapped[int | None] = long("load_file.load_id of the load that wrote this row")
    extra: Mapped[str | None] = extra()
