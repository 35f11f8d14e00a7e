"""Engagement attributes (SDEs) → ``sde_*`` rows, shared by the conversation and web parsers."""

from __future__ import annotations

import json
from datetime import date

import pytest

from loaders.conversations import parse_conversation
from loaders.sde import KINDS, SDE_TABLES, UnknownSdeType, sde_kind, sde_rows

COMMON = {"sde_id": "s1", "source": "web_session", "visit_id": "v1", "visitor_id": "u1"}

# One attribute body per type, v1 style (strings), with every documented field.
ATTRIBUTES = {
    "CUSTOMER_INFO": {
        "customerStatus": "cancelled",
        "customerType": "vip",
        "balance": "-400.99",
        "currency": "USD",
        "customerId": "c-9",
        "socialId": "s",
        "imei": "i",
        "userName": "u",
        "accountName": "acc",
        "role": "r",
        "companyBranch": "b",
        "storeNumber": "13",
        "storeZipCode": "2342221",
        "companySize": "2222",
        "loginStatus": "1",
        "lastPaymentDate": {"year": "2014", "month": "10", "day": "15"},
        "registrationDate": {"year": 2013, "month": 5, "day": 23},
    },
    "PERSONAL_INFO": {
        "name": "John",
        "surname": "Doe",
        "gender": "MALE",
        "company": "co",
        "language": "ru",
        "email": "j@d.com",
        "phone": "1",
        "customerAge": {
            "customerAgeInYears": "34.0",
            "customerYearOfBirth": "1980",
            "customerMonthOfBirth": "4",
            "customerDateOfBirth": "15",
        },
        "contacts": [{"personalContact": {"email": "a@b.c", "phone": "+1 2"}}],
    },
    "CART_STATUS": {
        "total": "11.7",
        "currency": "USD",
        "numItems": "6",
        "products": [
            {
                "quantity": "1",
                "product": {
                    "name": "p",
                    "category": "c",
                    "sku": "k",
                    "price": "7.8",
                    "statusInStock": "IN",
                    "quantityInStock": "9",
                },
            }
        ],
    },
    "PURCHASE": {
        "total": "78.0",
        "currency": "EUR",
        "orderId": "o-1",
        "cart": {
            "total": "70.5",
            "currency": "EUR",
            "numItems": "2",
            "serverTimeStamp": "1528628536800",
            "products": [{"quantity": 2, "product": {"name": "q", "price": 35.25}}],
        },
    },
    "MARKETING_CAMPAIGN_INFO": {
        "originatingChannel": "1",
        "affiliate": "Yahoo",
        "campaignId": "US coupon",
    },
    "SEARCH_CONTENT": {"keywords": ["word", "other"]},
    "VIEWED_PRODUCT": {
        "currency": "USD",
        "products": [{"quantity": 3, "product": {"name": "shoe", "price": "77.8"}}],
    },
    "VISITOR_ERROR": {
        "contextId": "ctx",
        "message": "Expiration date missing",
        "code": 100004,
        "level": "2",
        "resolved": "true",
    },
    "LEAD": {"topic": "car", "value": "22.22", "currency": None, "leadId": "xyz123"},
    "SERVICE_ACTIVITY": {
        "topic": "checkbook",
        "status": "0",
        "category": "finance",
        "serviceId": "service12",
    },
}


def rows_of(sde_type, attributes, common=COMMON, null_strings=False):
    warnings: list[str] = []
    return sde_rows(
        sde_type, attributes, dict(common), warnings, null_strings=null_strings
    ), warnings


def test_every_name_of_every_type_is_accepted():
    assert len(KINDS) == 10
    for kind in KINDS:
        for name in (
            kind.sde_type,
            kind.record,
            f"com.liveperson.dataaccess.{kind.record}",
            kind.body_key,
        ):
            assert SDE_TABLES[name] == kind.table
            assert sde_kind(name) is kind
    assert SDE_TABLES["CUSTOMER_INFO"] == "sde_customer_info"
    assert SDE_TABLES["com.liveperson.dataaccess.ViewedProduct"] == "sde_viewed_product"
    assert sde_kind("NOPE") is None


def test_unknown_type_raises():
    with pytest.raises(UnknownSdeType):
        rows_of("TELEPATHY", {"thought": "buy"})


def test_customer_info_is_typed():
    out, warnings = rows_of("CUSTOMER_INFO", ATTRIBUTES["CUSTOMER_INFO"])
    (row,) = out["sde_customer_info"]
    assert warnings == []
    assert row == {
        **COMMON,
        "customer_status": "cancelled",
        "customer_type": "vip",
        "balance": -400.99,
        "currency": "USD",
        "customer_id": "c-9",
        "social_id": "s",
        "imei": "i",
        "user_name": "u",
        "account_name": "acc",
        "role": "r",
        "company_branch": "b",
        "store_number": "13",
        "store_zip_code": "2342221",
        "company_size": 2222,
        "login_status": 1,
        "last_payment_date": date(2014, 10, 15),
        "registration_date": date(2013, 5, 23),
    }


def test_personal_info_age_container_and_messaging_contacts():
    out, _ = rows_of("PERSONAL_INFO", ATTRIBUTES["PERSONAL_INFO"])
    (row,) = out["sde_personal_info"]
    assert row["customer_age_in_years"] == 34
    assert row["customer_year_of_birth"] == 1980
    assert row["customer_month_of_birth"] == 4
    assert row["customer_date_of_birth"] == 15
    assert "customer_age" not in row
    assert (row["name"], row["surname"], row["email"], row["phone"]) == (
        "John",
        "Doe",
        "j@d.com",
        "1",
    )
    assert out["sde_personal_info_contact"] == [
        {"sde_id": "s1", "ordinal": 0, "email": "a@b.c", "phone": "+1 2"}
    ]


def test_personal_info_plain_age_and_web_contacts_load_the_same_way():
    web, _ = rows_of(
        "com.liveperson.dataaccess.PersonalInfo",
        {
            "customerAge": 1980,
            "contacts": [{"email": "a@b.c", "phone": "+1 2"}, {"email": None, "phone": None}],
            "isAuthenticated": True,
            "authenticatedConversationId": "conv-7",
            "customerAge2": "kept in raw only",
        },
    )
    messaging, _ = rows_of(
        "PERSONAL_INFO",
        {
            "contacts": [
                {"personalContact": {"email": "a@b.c", "phone": "+1 2"}},
                {"personalContact": {"email": None, "phone": None}},
            ]
        },
    )
    assert web["sde_personal_info_contact"] == messaging["sde_personal_info_contact"]
    assert len(web["sde_personal_info_contact"]) == 2
    (row,) = web["sde_personal_info"]
    assert row["customer_age"] == "1980"
    assert row["is_authenticated"] is True
    assert row["authenticated_conversation_id"] == "conv-7"


def test_cart_products_with_stock_fields_and_unknown_product_keys():
    attributes = json.loads(json.dumps(ATTRIBUTES["CART_STATUS"]))
    attributes["products"][0]["product"]["color"] = "red"
    attributes["products"][0]["giftWrap"] = True
    out, _ = rows_of("CART_STATUS", attributes)
    (row,) = out["sde_cart_status"]
    assert (row["total"], row["currency"], row["num_items"]) == (11.7, "USD", 6)
    (product,) = out["sde_cart_status_product"]
    assert {k: v for k, v in product.items() if k != "extra"} == {
        "sde_id": "s1",
        "ordinal": 0,
        "quantity": 1,
        "name": "p",
        "category": "c",
        "sku": "k",
        "price": 7.8,
        "status_in_stock": "IN",
        "quantity_in_stock": 9,
    }
    assert json.loads(product["extra"]) == {"giftWrap": True, "product": {"color": "red"}}


def test_purchase_takes_products_and_totals_from_its_cart():
    out, _ = rows_of("PURCHASE", ATTRIBUTES["PURCHASE"])
    (row,) = out["sde_purchase"]
    assert row["total"] == 78.0 and row["currency"] == "EUR" and row["order_id"] == "o-1"
    assert (row["cart_total"], row["cart_currency"], row["cart_num_items"]) == (70.5, "EUR", 2)
    assert row["cart_server_time"] == 1528628536800
    assert out["sde_purchase_product"] == [
        {"sde_id": "s1", "ordinal": 0, "quantity": 2, "name": "q", "price": 35.25}
    ]


def test_other_types_are_typed():
    out, _ = rows_of("MARKETING_CAMPAIGN_INFO", ATTRIBUTES["MARKETING_CAMPAIGN_INFO"])
    assert out["sde_marketing_campaign_info"][0]["originating_channel"] == 1
    out, _ = rows_of("SEARCH_CONTENT", ATTRIBUTES["SEARCH_CONTENT"])
    assert [r["keyword"] for r in out["sde_search_content_keyword"]] == ["word", "other"]
    assert [r["ordinal"] for r in out["sde_search_content_keyword"]] == [0, 1]
    out, _ = rows_of("VIEWED_PRODUCT", ATTRIBUTES["VIEWED_PRODUCT"])
    assert out["sde_viewed_product"][0]["currency"] == "USD"
    assert out["sde_viewed_product_product"][0]["price"] == 77.8
    out, _ = rows_of("VISITOR_ERROR", ATTRIBUTES["VISITOR_ERROR"])
    row = out["sde_visitor_error"][0]
    assert (row["code"], row["level"], row["resolved"]) == ("100004", 2, True)
    out, _ = rows_of("LEAD", ATTRIBUTES["LEAD"])
    row = out["sde_lead"][0]
    assert row["value"] == 22.22 and row["lead_id"] == "xyz123" and "currency" not in row
    out, _ = rows_of("SERVICE_ACTIVITY", ATTRIBUTES["SERVICE_ACTIVITY"])
    assert out["sde_service_activity"][0]["status"] == 0


def test_body_timestamps_and_flag_win_over_common_ones():
    common = {**COMMON, "server_time": 1, "original_time": 2, "is_authenticated": False}
    out, _ = rows_of(
        "LEAD", {"serverTimeStamp": "1528628536882", "isAuthenticated": "true"}, common
    )
    row = out["sde_lead"][0]
    assert (row["server_time"], row["original_time"], row["is_authenticated"]) == (
        1528628536882,
        2,
        True,
    )


def test_null_strings_only_for_the_conversation_source():
    out, _ = rows_of("LEAD", {"topic": "undefined", "leadId": "null"}, null_strings=True)
    assert "topic" not in out["sde_lead"][0] and "lead_id" not in out["sde_lead"][0]
    out, _ = rows_of("LEAD", {"topic": "undefined"}, null_strings=False)
    assert out["sde_lead"][0]["topic"] == "undefined"


def test_uncastable_values_warn_and_stay_out_of_typed_columns():
    out, warnings = rows_of(
        "CUSTOMER_INFO",
        {
            "balance": "abc",
            "companySize": "many",
            "lastPaymentDate": {"year": 2014, "month": 2, "day": 30},
        },
    )
    row = out["sde_customer_info"][0]
    assert "balance" not in row and "company_size" not in row and "last_payment_date" not in row
    assert len(warnings) == 3
    assert any("balance: cannot cast 'abc' to double" in w for w in warnings)
    assert any("lastPaymentDate" in w and "date" in w for w in warnings)


def _event(kind, attributes, nested):
    body = {"serverTimeStamp": "1528628536880", "originalTimeStamp": "1528636540046"}
    if nested:
        body[kind.body_key] = attributes
    else:
        body.update(attributes)
    return {kind.body_key: body, "sdeType": kind.sde_type, "serverTimeStamp": "1528628536880"}


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.sde_type)
def test_both_nesting_variants_give_the_same_rows(kind):
    attributes = ATTRIBUTES[kind.sde_type]
    results = []
    for nested in (False, True):
        record = {
            "info": {"conversationId": "c1"},
            "unAuthSdes": {"events": [_event(kind, attributes, nested)]},
        }
        parsed = parse_conversation(record, "t")
        assert parsed.rejections == [] and parsed.warnings == []
        tables = {
            t: [{k: v for k, v in r.items() if k != "raw"} for r in rows]
            for t, rows in parsed.tables.items()
            if t.startswith("sde_")
        }
        results.append(tables)
    flat, nested = results
    assert flat == nested
    (row,) = flat[kind.table]
    assert row["server_time"] == 1528628536880
    assert row["original_time"] == 1528636540046
    assert row["is_authenticated"] is False
    assert row["sde_id"] == "c1:unauth:0"
    common = {
        "sde_id",
        "source",
        "conversation_id",
        "is_authenticated",
        "server_time",
        "original_time",
    }
    assert set(row) - common or flat[kind.child_table]  # the attributes did land
