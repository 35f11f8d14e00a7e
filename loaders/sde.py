"""One engagement-attribute (SDE) event → rows of the ``sde_*`` tables, for both sources.

Conversation records (``sdes``/``unAuthSdes`` events, ``sdeType`` like ``CUSTOMER_INFO``)
and web-session files (``WebSessionEngAttrsData``, record names like
``com.liveperson.dataaccess.CustomerInfo``) carry the same ten attribute types. Callers
hand :func:`sde_rows` the attribute body as a plain dict (already unwrapped from the
conversation's optional second nesting level, or from Avro) and the common columns of
the event row; this module casts the typed attributes and splits the repeated parts
(products, contacts, keywords) into child rows keyed by ``sde_id`` and ``ordinal``.

Attribute keys without a column are not lost: the caller stores the whole event as
``raw``; product and contact entries additionally keep theirs in the child's ``extra``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from loaders.row_mapper import SKIP, RowMapper
from loaders.values import (
    cast_bool,
    cast_or_warn,
    cast_text,
    cast_text_null_strings,
    epoch_or_warn,
)
from warehouse.models import (
    SdeCartStatus,
    SdeCartStatusProduct,
    SdeCustomerInfo,
    SdeLead,
    SdeMarketingCampaignInfo,
    SdePersonalInfo,
    SdePersonalInfoContact,
    SdePurchase,
    SdePurchaseProduct,
    SdeSearchContent,
    SdeServiceActivity,
    SdeViewedProduct,
    SdeViewedProductProduct,
    SdeVisitorError,
)

RECORD_PREFIX = "com.liveperson.dataaccess."


class UnknownSdeType(ValueError):
    """An SDE type name that is none of the ten engagement-attribute types."""


@dataclass(frozen=True, slots=True)
class SdeKind:
    """One engagement-attribute type and its names in each source."""

    sde_type: str  # conversation record's sdeType: CUSTOMER_INFO
    record: str  # web-session record name: CustomerInfo
    body_key: str  # key of the attribute body in a conversation event: customerInfo
    table: str
    child_table: str | None


KINDS: tuple[SdeKind, ...] = (
    SdeKind("CUSTOMER_INFO", "CustomerInfo", "customerInfo", "sde_customer_info", None),
    SdeKind(
        "PERSONAL_INFO",
        "PersonalInfo",
        "personalInfo",
        "sde_personal_info",
        "sde_personal_info_contact",
    ),
    SdeKind(
        "CART_STATUS", "CartStatus", "cartStatus", "sde_cart_status", "sde_cart_status_product"
    ),
    SdeKind("PURCHASE", "Purchase", "purchase", "sde_purchase", "sde_purchase_product"),
    SdeKind(
        "MARKETING_CAMPAIGN_INFO",
        "MarketingCampaignInfo",
        "marketingCampaignInfo",
        "sde_marketing_campaign_info",
        None,
    ),
    SdeKind(
        "SEARCH_CONTENT",
        "SearchContent",
        "searchContent",
        "sde_search_content",
        "sde_search_content_keyword",
    ),
    SdeKind(
        "VIEWED_PRODUCT",
        "ViewedProduct",
        "viewedProduct",
        "sde_viewed_product",
        "sde_viewed_product_product",
    ),
    SdeKind("VISITOR_ERROR", "VisitorError", "visitorError", "sde_visitor_error", None),
    SdeKind("LEAD", "Lead", "lead", "sde_lead", None),
    SdeKind("SERVICE_ACTIVITY", "ServiceActivity", "serviceActivity", "sde_service_activity", None),
)


def _norm(name: str) -> str:
    # CUSTOMER_INFO, CustomerInfo and customerInfo all normalise to "customerinfo".
    if name.startswith(RECORD_PREFIX):
        name = name[len(RECORD_PREFIX) :]
    return name.replace("_", "").lower()


_BY_NORM: dict[str, SdeKind] = {_norm(k.sde_type): k for k in KINDS}

#: Every accepted name of an SDE type (sdeType, web record name with and without the
#: ``com.liveperson.dataaccess.`` prefix, camelCase body key) → its table.
SDE_TABLES: dict[str, str] = {}
for _k in KINDS:
    for _name in (_k.sde_type, _k.record, RECORD_PREFIX + _k.record, _k.body_key):
        SDE_TABLES[_name] = _k.table

#: camelCase body key of a conversation event → its kind.
SDE_BODY_KEYS: dict[str, SdeKind] = {k.body_key: k for k in KINDS}


_BY_NAME: dict[str, SdeKind] = {
    name: k for k in KINDS for name in (k.sde_type, k.record, RECORD_PREFIX + k.record, k.body_key)
}


def sde_kind(name: Any) -> SdeKind | None:
    """The kind named by any of its names (case and underscores ignored), else None."""
    if not isinstance(name, str):
        return None
    kind = _BY_NAME.get(name)
    return kind if kind is not None else _BY_NORM.get(_norm(name))


# -- mappers, built once --------------------------------------------------------------------------

_COMMON = (
    "sde_id",
    "source",
    "conversation_id",
    "visit_id",
    "visitor_id",
    "raw",
    "is_authenticated",
    "server_time",
    "original_time",
)
_META = {"serverTimeStamp": SKIP, "originalTimeStamp": SKIP, "isAuthenticated": SKIP}
_EVENT_MAPPING = {
    "sde_customer_info": {},
    "sde_personal_info": {"customerAge": SKIP, "contacts": SKIP},
    "sde_cart_status": {"products": SKIP},
    "sde_purchase": {"products": SKIP, "cart": SKIP},
    "sde_marketing_campaign_info": {},
    "sde_search_content": {"keywords": SKIP},
    "sde_viewed_product": {"products": SKIP},
    "sde_visitor_error": {},
    "sde_lead": {},
    "sde_service_activity": {},
}
_EVENT_MODELS = {
    m.__tablename__: m
    for m in (
        SdeCustomerInfo,
        SdePersonalInfo,
        SdeCartStatus,
        SdePurchase,
        SdeMarketingCampaignInfo,
        SdeSearchContent,
        SdeViewedProduct,
        SdeVisitorError,
        SdeLead,
        SdeServiceActivity,
    )
}
_PRODUCT_MODELS = {
    "sde_cart_status_product": SdeCartStatusProduct,
    "sde_purchase_product": SdePurchaseProduct,
    "sde_viewed_product_product": SdeViewedProductProduct,
}
_CART_COLUMNS = ("cart_total", "cart_currency", "cart_num_items", "cart_server_time")
_AGE_MAPPING = {
    "customerAgeInYears": "customer_age_in_years",
    "customerYearOfBirth": "customer_year_of_birth",
    "customerMonthOfBirth": "customer_month_of_birth",
    "customerDateOfBirth": "customer_date_of_birth",
    "CustomerDateOfBirth": "customer_date_of_birth",  # spelling of seed 004's field table
}


@dataclass(frozen=True, slots=True)
class _Mappers:
    events: dict[str, RowMapper]
    products: dict[str, RowMapper]
    cart: RowMapper
    age: RowMapper
    contact: RowMapper
    text: Any


def _build(null_strings: bool) -> _Mappers:
    def event_mapper(table: str) -> RowMapper:
        exclude = _COMMON + (_CART_COLUMNS if table == "sde_purchase" else ())
        return RowMapper(
            _EVENT_MODELS[table],
            {**_META, **_EVENT_MAPPING[table]},
            null_strings=null_strings,
            exclude=exclude,
        )

    return _Mappers(
        events={t: event_mapper(t) for t in _EVENT_MODELS},
        products={
            t: RowMapper(
                m, {"product": SKIP}, null_strings=null_strings, exclude=("sde_id", "ordinal")
            )
            for t, m in _PRODUCT_MODELS.items()
        },
        cart=RowMapper(
            SdePurchase,
            {
                "total": "cart_total",
                "currency": "cart_currency",
                "numItems": "cart_num_items",
                "serverTimeStamp": "cart_server_time",
                "products": SKIP,
            },
            null_strings=null_strings,
            defaults=False,
        ),
        age=RowMapper(SdePersonalInfo, _AGE_MAPPING, null_strings=null_strings, defaults=False),
        contact=RowMapper(
            SdePersonalInfoContact,
            {"personalContact": SKIP},
            null_strings=null_strings,
            exclude=("sde_id", "ordinal"),
        ),
        text=cast_text_null_strings if null_strings else cast_text,
    )


_MAPPERS = {True: _build(True), False: _build(False)}


# -- the event ------------------------------------------------------------------------------------


def sde_rows(
    sde_type: str,
    attributes: dict,
    common: dict,
    warnings: list[str],
    *,
    null_strings: bool,
) -> dict[str, list[dict]]:
    """Rows of one SDE event: ``{event table: [row], child table: [rows…]}``.

    ``common`` holds the already-typed common columns (``sde_id``, ``source``,
    ``conversation_id`` or ``visit_id``/``visitor_id``, ``is_authenticated``,
    ``server_time``, ``original_time``, ``raw``). ``serverTimeStamp``,
    ``originalTimeStamp`` and ``isAuthenticated`` found in ``attributes`` take precedence
    over the common values. ``null_strings`` turns ``"undefined"``/``"null"`` text into
    NULL (conversation source). Raises :class:`UnknownSdeType`.
    """
    kind = sde_kind(sde_type)
    if kind is None:
        raise UnknownSdeType(f"unknown SDE type {sde_type!r}")
    m = _MAPPERS[bool(null_strings)]
    row = dict(common)
    sde_id = row.get("sde_id")
    context = f"{kind.table} {sde_id}"
    out: dict[str, list[dict]] = {kind.table: [row]}
    if attributes is None:
        return out
    if not isinstance(attributes, dict):
        warnings.append(f"{context}: attribute body is not an object: kept in raw only")
        return out

    _meta(attributes, row, warnings, context)
    m.events[kind.table].map_into(attributes, row, {}, warnings, context)

    table = kind.table
    child = kind.child_table
    if table == "sde_personal_info":
        age = attributes.get("customerAge")
        if isinstance(age, dict):
            m.age.map_into(age, row, {}, warnings, f"{context} customerAge")
        elif age is not None:
            text = m.text(age)
            if text is not None:
                row["customer_age"] = text
        rows = _contact_rows(attributes.get("contacts"), m.contact, sde_id, warnings, context)
    elif table == "sde_search_content":
        rows = _keyword_rows(attributes.get("keywords"), m.text, sde_id)
    elif table == "sde_purchase":
        products = attributes.get("products")
        cart = attributes.get("cart")
        if isinstance(cart, dict):
            m.cart.map_into(cart, row, {}, warnings, f"{context} cart")
            if products is None:
                products = cart.get("products")
        elif cart is not None:
            warnings.append(f"{context}: cart is not an object: kept in raw only")
        rows = _product_rows(products, m.products[child], sde_id, warnings, context)
    elif child is not None:  # cart status, viewed product
        rows = _product_rows(
            attributes.get("products"), m.products[child], sde_id, warnings, context
        )
    else:
        rows = None
    if rows:
        out[child] = rows
    return out


def _meta(attributes: dict, row: dict, warnings: list[str], context: str) -> None:
    # The body's own time stamps and flag win over the event-level ones passed in common.
    v = attributes.get("serverTimeStamp")
    if v is not None:
        v = epoch_or_warn(v, warnings, context, "serverTimeStamp")
        if v is not None:
            row["server_time"] = v
    v = attributes.get("originalTimeStamp")
    if v is not None:
        v = epoch_or_warn(v, warnings, context, "originalTimeStamp")
        if v is not None:
            row["original_time"] = v
    v = attributes.get("isAuthenticated")
    if v is not None:
        if type(v) is not bool:
            v = cast_or_warn(cast_bool, v, warnings, context, "isAuthenticated")
        if v is not None:
            row["is_authenticated"] = v


def _as_list(items: Any) -> list:
    if items is None:
        return []
    if isinstance(items, list):
        return items
    return [items]


def _product_rows(
    items: Any, mapper: RowMapper, sde_id: Any, warnings: list[str], context: str
) -> list[dict]:
    rows = []
    for i, entry in enumerate(_as_list(items)):
        row: dict[str, Any] = {"sde_id": sde_id, "ordinal": i}
        extra: dict[str, Any] = {}
        where = f"{context} products[{i}]"
        if isinstance(entry, dict):
            mapper.map_into(entry, row, extra, warnings, where)
            product = entry.get("product")
            if isinstance(product, dict):
                product_extra: dict[str, Any] = {}
                mapper.map_into(product, row, product_extra, warnings, where)
                if product_extra:
                    extra["product"] = product_extra
            elif product is not None:
                extra["product"] = product
        elif entry is not None:
            extra["value"] = entry
        rows.append(mapper.finish(row, extra))
    return rows


def _contact_rows(
    items: Any, mapper: RowMapper, sde_id: Any, warnings: list[str], context: str
) -> list[dict]:
    rows = []
    for i, entry in enumerate(_as_list(items)):
        row: dict[str, Any] = {"sde_id": sde_id, "ordinal": i}
        extra: dict[str, Any] = {}
        where = f"{context} contacts[{i}]"
        if isinstance(entry, dict):
            # Messaging nests each contact as {"personalContact": {...}}; web sessions do not.
            mapper.map_into(entry, row, extra, warnings, where)
            contact = entry.get("personalContact")
            if isinstance(contact, dict):
                mapper.map_into(contact, row, extra, warnings, where)
            elif contact is not None:
                extra["personalContact"] = contact
        elif entry is not None:
            extra["value"] = entry
        rows.append(mapper.finish(row, extra))
    return rows


def _keyword_rows(items: Any, text: Any, sde_id: Any) -> list[dict]:
    rows = []
    for i, keyword in enumerate(_as_list(items)):
        value = text(keyword)
        if value is not None:
            rows.append({"sde_id": sde_id, "ordinal": i, "keyword": value})
    return rows
