"""Engagement attribute (SDE) tables, one per SDE type, fed by both sources.

A row is one SDE event: from a conversation record (``sdes`` / ``unAuthSdes``,
``source = 'conversation'``) or from a web-session file
(``WebSessionEngAttrsData``, ``source = 'web_session'``). ``raw`` keeps the
event's JSON so that nothing is lost; repeated parts (products, contacts,
keywords) are child tables keyed by the event's ``sde_id``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from .base import (  # noqa: F401
    TEXT,
    Base,
    boolean,
    day,
    double,
    extra,
    int32,
    json_text,
    long,
    text,
    text_index,
    ts,
)

SDE_ID_COMMENT = (
    "Id of the SDE event: for a conversation, its id, section (auth/unauth) and position; "
    "for a web session, the visit and a digest of the event's content"
)


class SdeEvent:
    """Columns every SDE table has."""

    sde_id: Mapped[str] = mapped_column(TEXT, primary_key=True, comment=SDE_ID_COMMENT)
    source: Mapped[str] = text("Where the event came from: 'conversation' or 'web_session'")
    conversation_id: Mapped[str | None] = mapped_column(
        TEXT,
        ForeignKey("conversation.conversation_id"),
        comment="Conversation the event belongs to (conversation source)",
    )
    visit_id: Mapped[str | None] = mapped_column(
        TEXT,
        ForeignKey("web_session.visit_id"),
        comment="Visit the event belongs to (web-session source)",
    )
    visitor_id: Mapped[str | None] = text("Visitor id (web-session source)")
    is_authenticated: Mapped[bool | None] = boolean(
        "true for sdes (authenticated), false for unAuthSdes, else the event's own flag"
    )
    server_time: Mapped[datetime | None] = ts(
        "Event processing time stamp (serverTimeStamp; web session: the attribute's timestamp)"
    )
    original_time: Mapped[datetime | None] = ts("Event creation time stamp (originalTimeStamp)")
    load_id: Mapped[int | None] = long("load_file.load_id of the load that wrote this row")
    raw: Mapped[str] = json_text("The event as it was in the export")

    @declared_attr.directive
    def __table_args__(cls):
        return (
            Index(None, "conversation_id").ddl_if(dialect="postgresql"),
            Index(None, "visit_id").ddl_if(dialect="postgresql"),
            {"comment": cls.__table_comment__},
        )


class SdeChild:
    """Columns every child table of an SDE table has (its parent is set by the subclass)."""

    ordinal: Mapped[int] = mapped_column(
        Integer(),
        primary_key=True,
        autoincrement=False,
        comment="Position of the entry in its array in the event (0-based)",
    )


def parent_key(table: str) -> Mapped[str]:
    return mapped_column(
        TEXT, ForeignKey(f"{table}.sde_id"), primary_key=True, comment=f"{table}.sde_id"
    )


class ProductColumns:
    """The product container of cart-status, purchase and viewed-product events."""

    quantity: Mapped[int | None] = int32("Number of products")
    name: Mapped[str | None] = text("Product name")
    category: Mapped[str | None] = text("Product category")
    sku: Mapped[str | None] = text("Unique product ID identifier in consumer database")
    price: Mapped[float | None] = double("Product price")
    status_in_stock: Mapped[str | None] = text("Product stock status")
    quantity_in_stock: Mapped[int | None] = int32("Product quantity left in stock")
    extra: Mapped[str | None] = extra()


class SdeCustomerInfo(SdeEvent, Base):
    __tablename__ = "sde_customer_info"
    __table_comment__ = "Customer info engagement attribute (CUSTOMER_INFO / CustomerInfo)"

    customer_status: Mapped[str | None] = text(
        "Customer status - will be matched against customer status entity name. Case insensitive."
    )
    customer_type: Mapped[str | None] = text(
        "Customer type - will be matched against customer type entity name. Case insensitive."
    )
    balance: Mapped[float | None] = double("The current balance of the customer")
    currency: Mapped[str | None] = text("Currency code")
    customer_id: Mapped[str | None] = text("The customer ID")
    social_id: Mapped[str | None] = text("The social ID of your choice: Facebook, Twitter etc.")
    imei: Mapped[str | None] = text("Unique phone identifier")
    user_name: Mapped[str | None] = text("Nickname or username of a consumer")
    account_name: Mapped[str | None] = text(
        "Name of the company or account; a nickname for the account for B2B like the "
        "salesforce account name"
    )
    role: Mapped[str | None] = text("Role title of the consumer within their organization")
    last_payment_date: Mapped[date | None] = day("The customer's last payment date")
    registration_date: Mapped[date | None] = day("The customer's registration date")
    company_size: Mapped[int | None] = int32("The company size")
    company_branch: Mapped[str | None] = text("The branch of the company")
    store_zip_code: Mapped[str | None] = text("The zip code of the store")
    store_number: Mapped[str | None] = text("The number of the store")
    login_status: Mapped[int | None] = int32("Login status")
    authenticated_conversation_id: Mapped[str | None] = text(
        "The identifier of the conversation that the authenticated customer took part in"
    )


class SdePersonalInfo(SdeEvent, Base):
    __tablename__ = "sde_personal_info"
    __table_comment__ = "Personal info engagement attribute (PERSONAL_INFO / PersonalInfo)"

    name: Mapped[str | None] = text("Personal name")
    surname: Mapped[str | None] = text("Surname")
    gender: Mapped[str | None] = text("Visitor's gender")
    company: Mapped[str | None] = text("Visitor's company")
    language: Mapped[str | None] = text("Visitor language")
    email: Mapped[str | None] = text("Visitor email")
    phone: Mapped[str | None] = text("Visitor phone number")
    customer_age: Mapped[str | None] = text(
        "customerAge given as a plain value: year of birth, for calculating age"
    )
    customer_age_in_years: Mapped[int | None] = int32("Customer age (in years)")
    customer_year_of_birth: Mapped[int | None] = int32("Customer year of birth")
    customer_month_of_birth: Mapped[int | None] = int32("Customer month of birth")
    customer_date_of_birth: Mapped[int | None] = int32("Customer date (day of month) of birth")
    authenticated_conversation_id: Mapped[str | None] = text(
        "The identifier of the conversation that the authenticated customer took part in"
    )


class SdePersonalInfoContact(SdeChild, Base):
    __tablename__ = "sde_personal_info_contact"
    __table_args__ = {"comment": "Contacts (personalContact) of a personal-info event"}

    sde_id: Mapped[str] = parent_key("sde_personal_info")
    email: Mapped[str | None] = text("Contact email")
    phone: Mapped[str | None] = text("Contact phone number")
    extra: Mapped[str | None] = extra()


class SdeCartStatus(SdeEvent, Base):
    __tablename__ = "sde_cart_status"
    __table_comment__ = "Cart update engagement attribute (CART_STATUS / CartStatus)"

    total: Mapped[float | None] = double("Total cart value")
    currency: Mapped[str | None] = text("Currency code")
    num_items: Mapped[int | None] = int32("Number of items in cart")


class SdeCartStatusProduct(SdeChild, ProductColumns, Base):
    __tablename__ = "sde_cart_status_product"
    __table_args__ = {"comment": "Products of a cart-status event"}

    sde_id: Mapped[str] = parent_key("sde_cart_status")


class SdePurchase(SdeEvent, Base):
    __tablename__ = "sde_purchase"
    __table_comment__ = "Transaction engagement attribute (PURCHASE / Purchase)"
    __table_args__ = (
        Index(None, "conversation_id").ddl_if(dialect="postgresql"),
        Index(None, "visit_id").ddl_if(dialect="postgresql"),
        text_index("order_id"),
        {"comment": __table_comment__},
    )

    total: Mapped[float | None] = double("Total amount of purchase")
    currency: Mapped[str | None] = text("Currency code")
    order_id: Mapped[str | None] = text("Purchase order ID")
    cart_total: Mapped[float | None] = double("Total cart value of the purchase's cart")
    cart_currency: Mapped[str | None] = text("Currency code of the purchase's cart")
    cart_num_items: Mapped[int | None] = int32("Number of items in the purchase's cart")
    cart_server_time: Mapped[datetime | None] = ts("serverTimeStamp of the purchase's cart")


class SdePurchaseProduct(SdeChild, ProductColumns, Base):
    __tablename__ = "sde_purchase_product"
    __table_args__ = {"comment": "Products of a purchase event's cart"}

    sde_id: Mapped[str] = parent_key("sde_purchase")


class SdeMarketingCampaignInfo(SdeEvent, Base):
    __tablename__ = "sde_marketing_campaign_info"
    __table_comment__ = (
        "Marketing source engagement attribute (MARKETING_CAMPAIGN_INFO / MarketingCampaignInfo)"
    )

    originating_channel: Mapped[int | None] = int32("Channel which originated the campaign")
    affiliate: Mapped[str | None] = text("Affiliate")
    campaign_id: Mapped[str | None] = text("Unique identifier of the campaign")


class SdeSearchContent(SdeEvent, Base):
    __tablename__ = "sde_search_content"
    __table_comment__ = "Searched content engagement attribute (SEARCH_CONTENT)"


class SdeSearchContentKeyword(SdeChild, Base):
    __tablename__ = "sde_search_content_keyword"
    __table_args__ = {"comment": "Keywords of a search-content event"}

    sde_id: Mapped[str] = parent_key("sde_search_content")
    keyword: Mapped[str | None] = text("Search keyword")


class SdeViewedProduct(SdeEvent, Base):
    __tablename__ = "sde_viewed_product"
    __table_comment__ = "Viewed product engagement attribute (VIEWED_PRODUCT / ViewedProduct)"

    currency: Mapped[str | None] = text("Currency code")


class SdeViewedProductProduct(SdeChild, ProductColumns, Base):
    __tablename__ = "sde_viewed_product_product"
    __table_args__ = {"comment": "Products of a viewed-product event"}

    sde_id: Mapped[str] = parent_key("sde_viewed_product")


class SdeVisitorError(SdeEvent, Base):
    __tablename__ = "sde_visitor_error"
    __table_comment__ = "Visitor error engagement attribute (VISITOR_ERROR / VisitorError)"

    context_id: Mapped[str | None] = text("Error context ID (from the customer)")
    message: Mapped[str | None] = text("Error message")
    code: Mapped[str | None] = text("Error code (text in both sources)")
    level: Mapped[int | None] = long("Error severity level")
    resolved: Mapped[bool | None] = boolean("Indication whether the error was resolved")


class SdeLead(SdeEvent, Base):
    __tablename__ = "sde_lead"
    __table_comment__ = "Lead engagement attribute (LEAD / Lead)"

    topic: Mapped[str | None] = text("Lead topic")
    value: Mapped[float | None] = double("Lead value")
    currency: Mapped[str | None] = text("Currency code")
    lead_id: Mapped[str | None] = text("Unique identifier of the lead in your system")


class SdeServiceActivity(SdeEvent, Base):
    __tablename__ = "sde_service_activity"
    __table_comment__ = "Service activity engagement attribute (SERVICE_ACTIVITY)"

    topic: Mapped[str | None] = text("Topic of service activity")
    status: Mapped[int | None] = int32("Status of service activity")
    category: Mapped[str | None] = text("Category of service activity")
    service_id: Mapped[str | None] = text("Unique service identifier")
