"""Value rules of the contract (§ Values): casting by column type, and the row mapper."""

from __future__ import annotations

import json
import math
from datetime import date

import orjson
import pytest

from loaders.row_mapper import Fallback, RowMapper, snake_case
from loaders.values import (
    CastError,
    cast_bool,
    cast_double,
    cast_epoch_ms,
    cast_int32,
    cast_int64,
    cast_json,
    cast_text,
    cast_text_null_strings,
    cast_ymd_date,
    caster_for,
)
from warehouse.models import Conversation, Message, SdeCustomerInfo, Transfer

# -- timestamps ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (1472481024565, 1472481024565),
        ("1497871291351", 1497871291351),
        (1472481024565.0, 1472481024565),
        (" 1497871291351 ", 1497871291351),
        ("2016-08-29 14:30:24.565+0000", 1472481024565),
        ("2016-08-29T14:30:24.565Z", 1472481024565),
        ("2016-08-29T16:30:24.565+02:00", 1472481024565),
        (0, 0),
        (-1, None),
        ("-1", None),
        ("undefined", None),
        ("null", None),
        ("", None),
    ],
)
def test_epoch_ms_accepts_numbers_digit_strings_and_unknowns(value, expected):
    assert cast_epoch_ms(value) == expected


@pytest.mark.parametrize(
    "value", ["soon", "12ab", -5, True, {"t": 1}, [1], float("nan"), 10**20, "2016-13-45 10:00"]
)
def test_epoch_ms_refuses_junk(value):
    with pytest.raises(CastError):
        cast_epoch_ms(value)


# -- numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (2222, 2222),
        ("2222", 2222),
        ("34.0", 34),
        (34.0, 34),
        (" -7 ", -7),
        ("", None),
        ("undefined", None),
        ("null", None),
    ],
)
def test_int32_casts_v1_strings_and_v2_numbers(value, expected):
    assert cast_int32(value) == expected


@pytest.mark.parametrize("value", ["abc", "34.5", 34.5, True, "1_000", 2**31, "3000000000", [1]])
def test_int32_refuses_junk_and_out_of_range(value):
    with pytest.raises(CastError):
        cast_int32(value)


def test_int64_range():
    assert cast_int64("3000000000") == 3_000_000_000
    assert cast_int64(2389848512) == 2389848512
    assert cast_int64(-(2**63)) == -(2**63)
    with pytest.raises(CastError):
        cast_int64(2**63)
    with pytest.raises(CastError):
        cast_int64("1" * 60_000)
    assert cast_int64(-(2.0**62)) == -(2**62)
    # -9223372036854775809, out of range, reads as the float -2**63: refused, not stored
    # as the in-range -9223372036854775808.
    for rounded in (orjson.loads("-9223372036854775809"), "-9223372036854775809.0", 2.0**63):
        with pytest.raises(CastError):
            cast_int64(rounded)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("-400.99", -400.99),
        (-400.99, -400.99),
        (78, 78.0),
        ("78.0", 78.0),
        ("1e3", 1000.0),
        ("", None),
        ("null", None),
    ],
)
def test_double_casts(value, expected):
    out = cast_double(value)
    assert out == expected
    if out is not None:
        assert type(out) is float


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-Infinity", float("nan"), math.inf, "x"])
def test_double_refuses_nan_inf_and_junk(value):
    with pytest.raises(CastError):
        cast_double(value)


@pytest.mark.parametrize(
    "value, expected",
    [
        (True, True),
        (False, False),
        ("true", True),
        ("FALSE", False),
        ("True", True),
        (1, True),
        (0, False),
        ("1", True),
        ("0", False),
        ("", None),
        ("undefined", None),
    ],
)
def test_bool_casts(value, expected):
    assert cast_bool(value) is expected


@pytest.mark.parametrize("value", ["yes", 2, "maybe", [True]])
def test_bool_refuses_junk(value):
    with pytest.raises(CastError):
        cast_bool(value)


# -- text, JSON, dates ----------------------------------------------------------------------------


def test_text_is_kept_exactly_and_numbers_become_text():
    long = "é" * 60_000 + " x "
    assert cast_text(long) == long
    assert cast_text(100004) == "100004"
    assert cast_text(7.8) == "7.8"
    assert cast_text(False) == "false"
    assert json.loads(cast_text({"a": [1, 2]})) == {"a": [1, 2]}
    assert cast_text("undefined") == "undefined"  # only conversation text treats it as NULL
    assert cast_text_null_strings("undefined") is None
    assert cast_text_null_strings("null") is None
    assert cast_text_null_strings("Null") == "Null"
    assert cast_text_null_strings("") == ""


def test_json_keeps_json_strings_and_serialises_values():
    content = '{"type":"vertical","elements":[]}'
    assert cast_json(content) == content
    assert cast_json(["a", "b"]) == '["a","b"]'
    assert cast_json({"k": None}) == '{"k":null}'
    assert json.loads(cast_json("plain words")) == "plain words"
    assert cast_json(None) is None


@pytest.mark.parametrize(
    "value, expected",
    [
        ({"year": "2014", "month": "10", "day": "15"}, date(2014, 10, 15)),
        ({"year": 2011, "month": 3, "day": 21}, date(2011, 3, 21)),
        ("2013-05-23", date(2013, 5, 23)),
        ({"year": None, "month": None, "day": None}, None),
    ],
)
def test_ymd_date(value, expected):
    assert cast_ymd_date(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        {"year": 2014, "month": 2, "day": 30},
        {"year": 2014, "month": 13, "day": 1},
        {"year": 2014, "month": 2},
        {"year": "x", "month": 1, "day": 1},
        "30/02/2014",
        20140215,
        {"year": 2014, "month": 1, "day": 98765432109876543210},  # OverflowError in date()
        {"year": 1700000000123, "month": 1, "day": 1},
    ],
)
def test_impossible_dates_are_refused(value):
    with pytest.raises(CastError):
        cast_ymd_date(value)


def test_casters_follow_column_types():
    cols = Conversation.__table__.columns
    assert caster_for(cols["start_time"]) is cast_epoch_ms
    assert caster_for(cols["mcs"]) is cast_int32
    assert caster_for(cols["lob_id"]) is cast_int64
    assert caster_for(cols["agent_deleted"]) is cast_bool
    assert caster_for(cols["extra"]) is cast_json
    assert caster_for(cols["device"]) is cast_text
    assert caster_for(cols["device"], null_strings=True) is cast_text_null_strings
    sde = SdeCustomerInfo.__table__.columns
    assert caster_for(sde["balance"]) is cast_double
    assert caster_for(sde["last_payment_date"]) is cast_ymd_date


def test_snake_case():
    assert snake_case("alertedMCS") == "alerted_mcs"
    assert snake_case("avatarURL") == "avatar_url"
    assert snake_case("startTimeL") == "start_time_l"
    assert snake_case("assignedAgentNickName") == "assigned_agent_nick_name"
    assert snake_case("CustomerDateOfBirth") == "customer_date_of_birth"


# -- the mapper ------------------------------------------------------------------------------------


def test_mapper_types_row_by_columns_and_keeps_the_rest_in_extra():
    mapper = RowMapper(Conversation, null_strings=True)
    warnings: list[str] = []
    row = mapper.map(
        {
            "startTimeL": 1472481024565,
            "startTime": "2000-01-01 00:00:00.000+0000",  # the L field wins; kept in extra
            "endTime": "undefined",
            "endTimeL": -1,
            "mcs": "67",
            "alertedMCS": 1,
            "device": "undefined",
            "browser": "chrome",
            "lobId": "2389848512",
            "agentDeleted": "false",
            "csatRate": "five",
            "brandNewField": {"x": 1},
            "nothing": None,
        },
        warnings,
        "conversation c1",
        base={"conversation_id": "c1"},
    )
    assert row["conversation_id"] == "c1"
    assert row["start_time"] == 1472481024565
    assert "end_time" not in row
    assert row["mcs"] == 67
    assert row["alerted_mcs"] == 1
    assert "device" not in row
    assert row["browser"] == "chrome"
    assert row["lob_id"] == 2389848512
    assert row["agent_deleted"] is False
    assert "csat_rate" not in row
    assert json.loads(row["extra"]) == {
        "startTime": "2000-01-01 00:00:00.000+0000",
        "csatRate": "five",
        "brandNewField": {"x": 1},
        "nothing": None,
    }
    assert warnings == ["conversation c1: csatRate: cannot cast 'five' to int"]


def test_mapper_falls_back_to_the_text_time_when_the_l_field_is_missing_or_unknown():
    mapper = RowMapper(Conversation, null_strings=True)
    row = mapper.map({"startTime": "2016-08-29 14:30:24.565+0000", "startTimeL": -1}, [], "c")
    assert row["start_time"] == 1472481024565
    row = mapper.map({"endTime": "2016-08-29 14:30:24.565+0000"}, [], "c")
    assert row["end_time"] == 1472481024565


def test_mapper_explicit_mapping_prefix_and_tables_without_extra():
    transfer = RowMapper(Transfer, {"by": "transferred_by"}, null_strings=True)
    assert transfer.map({"by": "7"}, [], "t") == {"transferred_by": "7"}
    monitoring = RowMapper(Conversation, prefix="monitoring_")
    row = monitoring.map({"ipAddress": "192.0.2.1", "country": "US", "zzz": 1}, [], "m")
    assert row == {
        "monitoring_ip_address": "192.0.2.1",
        "monitoring_country": "US",
        "extra": '{"zzz":1}',
    }
    sde = RowMapper(SdeCustomerInfo, exclude=("source",))
    warnings: list[str] = []
    row = sde.map({"balance": "abc", "source": "x", "unknown": 1}, warnings, "s")
    assert row == {}  # no extra column: the caller keeps the event's raw text
    assert warnings == ["s: balance: cannot cast 'abc' to double"]


def test_mapper_rejects_mapping_to_a_missing_column():
    with pytest.raises(KeyError):
        RowMapper(Message, {"foo": "no_such_column"})
    with pytest.raises(KeyError):
        RowMapper(Message, {"foo": Fallback("nor_this")})


def test_mapper_fallback_target():
    mapper = RowMapper(Message, {"sentAt": Fallback("time"), "timeL": "time"})
    assert mapper.map({"sentAt": "1600000000000", "timeL": 1600000000000}, [], "m") == {
        "time": 1600000000000
    }
    assert mapper.map({"sentAt": "1500000000000", "timeL": 1600000000000}, [], "m") == {
        "time": 1600000000000,
        "extra": '{"sentAt":"1500000000000"}',
    }
    assert mapper.map({"sentAt": "1500000000000"}, [], "m") == {"time": 1500000000000}
