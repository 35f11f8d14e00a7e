"""Conversation records → rows of the conversation tables (contract § Tables, § Values, § Bad
input).

Fixtures: the seed examples (000, repaired 001/003), LivePerson's real samples, and the small
files of ``tests/data/conversations``. No database is needed.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import date
from pathlib import Path

import orjson
import pytest
from seeds import real_sample, seed_example

from loaders.conversations import iter_conversation_records, parse_conversation
from loaders.records import ParsedRecord, Rejected
from loaders.row_mapper import snake_case
from loaders.values import (
    CastError,
    cast_bool,
    cast_double,
    cast_epoch_ms,
    cast_int64,
    cast_json,
    cast_ymd_date,
    caster_for,
)
from warehouse.models import metadata

DATA = Path(__file__).parent / "data" / "conversations"
CID = "e5c58e49-e4a5-40a8-8a18-d6580d1d5630"
REAL = "messaging-interactions-conversations.response.json"
LEGACY = "consumer-history-conversations-metadata.response.json"


def records_of(text: str) -> list[dict]:
    return [r for _, r in iter_conversation_records(json.loads(text), "file")]


def parse(record: dict) -> ParsedRecord:
    parsed = parse_conversation(record, "file, record 1")
    assert isinstance(parsed, ParsedRecord), parsed
    return parsed


def seed_record(n: int) -> dict:
    (record,) = records_of(seed_example(n, repaired=True))
    return record


def sample_record(name: str) -> dict:
    (record,) = records_of(real_sample(name).read_text())
    return record


def one(parsed: ParsedRecord, table: str, **match) -> dict:
    rows = [r for r in parsed.tables[table] if all(r.get(k) == v for k, v in match.items())]
    assert len(rows) == 1, (table, match, rows)
    return rows[0]


# -- seed 000 and the repaired 001/003, table by table ---------------------------------------------


@pytest.fixture(scope="module", params=[0, 1, 3], ids=["seed000", "seed001", "seed003"])
def seed(request) -> ParsedRecord:
    return parse(seed_record(request.param))


def test_seed_conversation_row(seed):
    conv = one(seed, "conversation")
    assert seed.key == CID and conv["conversation_id"] == CID
    assert conv["start_time"] == 1472481024565
    assert "end_time" not in conv  # endTimeL -1, endTime "undefined"
    assert "device" not in conv  # "undefined"
    assert conv["duration"] == 78970
    assert conv["latest_skill_id"] == -1
    assert conv["agent_deleted"] is False
    assert conv["mcs"] == 67 and conv["alerted_mcs"] == 1 and conv["csat_rate"] == 5
    assert conv["browser"] == "chrome" and conv["operating_system"] == "NA"
    assert conv["campaign_engagement_id"] == "2330596212"
    assert conv["lob_id"] == 2389848512 and conv["profile_system_default"] is True
    assert conv["summary_text"] == "summary"
    assert conv["summary_last_updated_time"] == 1482333795318
    assert "extra" not in conv
    assert seed.warnings == [] and seed.rejections == []


def test_seed_messages_and_intents(seed):
    assert len(seed.tables["message"]) == 4
    first = one(seed, "message", message_id=f"ms::conv:{CID}::msg:0")
    assert first["text"] == "Hi there #4" and first["seq"] == 0
    assert first["time"] == 1472483659564 and first["sent_by"] == "Consumer"
    assert "dialog_id" not in first and "device" not in first  # "undefined"
    bot = one(seed, "message", seq=1)
    assert json.loads(bot["context_raw_metadata"])[0]["type"] == "BotResponse"
    assert json.loads(bot["context_structured_metadata"])[1] == {
        "actionReason": {"reason": "some reason"}
    }
    rich = one(seed, "message", seq=3)
    assert rich["type"] == "RICH_CONTENT" and "text" not in rich
    assert json.loads(rich["rich_content"])["elements"][1] == {
        "type": "text",
        "text": "Now on sale!",
    }
    (intent,) = seed.tables["message_intent"]
    assert intent == {
        "conversation_id": CID,
        "message_id": bot["message_id"],
        "ordinal": 0,
        "intent_id": "some intent identifier",
        "confidence": "MEDIUM",
        "confidence_score": 0.753,
        "external_conversation_id": "conversation identifier",
        "business_cases": '["business case name"]',
    }


def test_seed_participants(seed):
    agent = one(seed, "participant", participant_type="AGENT")
    assert agent["ordinal"] == 0 and agent["role"] == "AGENT"
    assert agent["participant_id"] == agent["agent_id"] == "3677470410"
    assert agent["agent_group_id"] == -1 and agent["user_type"] == "1"
    assert agent["time"] == 1472483645005 and agent["permission"] == "ASSIGNED_AGENT"
    consumer = one(seed, "participant", participant_type="CONSUMER")
    assert consumer["role"] == "CONSUMER"
    assert consumer["participant_id"] == "f92c9890-2c95-428b-8a32-083528620d31"
    assert consumer["first_name"] == "Visitor" and consumer["phone"] == "0"
    assert "token" not in consumer and "email" not in consumer and "avatar_url" not in consumer
    assert consumer["time"] == 1472481024573 and consumer["consumer_name"] == "Visitor"


def test_seed_child_lists(seed):
    transfers = seed.tables["transfer"]
    assert [t["ordinal"] for t in transfers] == [0, 1]
    assert transfers[0]["transferred_by"] == "196875613"
    assert "assigned_agent_id" not in transfers[0]  # "null"
    assert transfers[1]["target_skill_id"] == 3 and transfers[1]["time"] == 1498127562332
    (interaction,) = seed.tables["interaction"]
    assert interaction["interaction_time"] == 1472483644999
    assert interaction["interactive_sequence"] == 1
    scores = seed.tables["message_score"]
    assert [(s["message_raw_score"], s["mcs"], s["time"]) for s in scores] == [
        (0, 0, 1472483666314),
        (0, 0, 1472483749225),
    ]
    statuses = seed.tables["message_status"]
    assert [s["message_delivery_status"] for s in statuses] == ["ACCEPT", "ACCEPT", "READ"]
    assert statuses[2]["time"] == 1472483758272 and statuses[2]["participant_type"] == "Agent"
    (answer,) = seed.tables["survey_answer"]
    assert answer == {
        "conversation_id": CID,
        "survey_index": 0,
        "answer_index": 0,
        "survey_type": "Satisfaction",
        "survey_status": "FILLED",
        "question": "Confirm Resolution",
        "answer": "Yes",
    }
    sessions = seed.tables["cobrowse_session"]
    assert [s["end_reason"] for s in sessions] == ["AGENT", "VISITOR"]
    assert sessions[0]["start_time"] == 1506325722000 and sessions[0]["interactive"] is True
    assert "capabilities" not in sessions[0]
    assert json.loads(sessions[1]["capabilities"])[2] == "AGENT_APP_CONTROL"


def test_seed_engagement_attributes(seed):
    auth_info = one(seed, "sde_customer_info", sde_id=f"{CID}:auth:0")
    assert auth_info["is_authenticated"] is True and auth_info["source"] == "conversation"
    assert auth_info["customer_id"] == "12345678" and auth_info["conversation_id"] == CID
    assert auth_info["server_time"] == 1497871291351
    info = one(seed, "sde_customer_info", sde_id=f"{CID}:unauth:2")
    assert info["is_authenticated"] is False
    assert info["balance"] == -400.99 and info["company_size"] == 2222
    assert info["last_payment_date"] == date(2014, 10, 15)
    assert info["registration_date"] == date(2013, 5, 23)
    assert info["store_zip_code"] == "2342221" and info["role"] == "rollleeee"
    person = one(seed, "sde_personal_info", sde_id=f"{CID}:unauth:3")
    assert person["customer_age_in_years"] == 34 and person["customer_year_of_birth"] == 1980
    assert person["customer_month_of_birth"] == 4 and person["customer_date_of_birth"] == 15
    contact = one(seed, "sde_personal_info_contact", sde_id=person["sde_id"])
    assert contact["email"] == "myname@example.com" and contact["phone"] == "+1 212-788-8877"
    cart = one(seed, "sde_cart_status")
    assert (cart["total"], cart["currency"], cart["num_items"]) == (11.7, "USD", 6)
    product = one(seed, "sde_cart_status_product")
    assert (product["price"], product["quantity"], product["name"]) == (7.8, 1, "prod1")
    campaign = one(seed, "sde_marketing_campaign_info")
    assert campaign["originating_channel"] == 1 and campaign["affiliate"] == "Yahoo"
    assert [k["keyword"] for k in seed.tables["sde_search_content_keyword"]] == ["word"]
    viewed = one(seed, "sde_viewed_product_product")
    assert viewed["quantity"] == 3 and viewed["price"] == 77.8
    error = one(seed, "sde_visitor_error")
    assert "level" not in error and "resolved" not in error and error["code"] == "er100004"
    lead = one(seed, "sde_lead")
    assert lead["value"] == 22.22 and "currency" not in lead and lead["lead_id"] == "xyz123"
    assert lead["server_time"] == 1528628536882
    purchase = one(seed, "sde_purchase")
    assert purchase["total"] == 78.0 and purchase["order_id"] == "Test123"
    assert "cart_total" not in purchase and "sde_purchase_product" not in seed.tables
    activity = one(seed, "sde_service_activity")
    assert activity["status"] == 0 and activity["service_id"] == "service12"
    for table, rows in seed.tables.items():
        if table.startswith("sde_") and "raw" in rows[0]:
            for row in rows:
                event = json.loads(row["raw"])
                assert "sdeType" in event


def test_seeds_001_and_003_add_original_timestamps():
    parsed = parse(seed_record(3))
    assert one(parsed, "sde_cart_status")["original_time"] == 1528636540046
    assert one(parsed, "sde_lead")["original_time"] == 1528636540046
    assert "original_time" not in one(parse(seed_record(0)), "sde_lead")


def test_seed_version_and_digest():
    parsed = parse(seed_record(0))
    # the latest time stamp anywhere: the SDE serverTimeStamp strings of 2018
    assert parsed.version == 1528628536882
    assert parse(seed_record(3)).version == 1528636540046  # originalTimeStamp
    assert re.fullmatch(r"[0-9a-f]{40}", parsed.digest)
    reordered = dict(reversed(list(seed_record(0).items())))
    assert parse(reordered).digest == parsed.digest
    changed = seed_record(0)
    changed["info"]["status"] = "CLOSE"
    assert parse(changed).digest != parsed.digest


# -- the real samples ------------------------------------------------------------------------------


def test_real_sample_newer_sections():
    parsed = parse(sample_record(REAL))
    conv = one(parsed, "conversation")
    assert conv["end_time"] == 1472500733000
    assert conv["conversation_end_time"] == 1472497133000
    assert conv["full_dialog_end_time"] == 1472500733000
    assert conv["full_dialog_status"] == "OPEN" and conv["pending_agent_survey"] is False
    assert conv["monitoring_country"] == "United States"
    assert conv["monitoring_country_code"] == "US"
    assert conv["monitoring_ip_address"] == "192.000.12.240"
    assert conv["monitoring_conversation_start_page_title"] == "LivePerson Page"
    assert conv["latest_effective_response_due_time"] == 1527174367230
    assert conv["configured_response_time"] == 3000
    assert parsed.version == 1572390190715  # latestAgentSurvey.lastUpdateTime
    assert parsed.warnings == [] and parsed.rejections == []

    msg = one(parsed, "message", seq=1)
    assert msg["audience"] == "ALL" and msg["dialog_id"] == CID
    assert json.loads(msg["quick_replies"])["replies"][1]["title"] == "Howdy"
    # its "time" text says 15:14:20.569 but timeL says 15:14:19.564: the text is kept
    assert msg["time"] == 1472483659564
    assert json.loads(msg["extra"]) == {"time": "2016-08-29 15:14:20.569+0000"}
    assert "extra" not in one(parsed, "message", seq=0)
    rich = one(parsed, "message", seq=3)
    assert json.loads(rich["quick_replies"])["replies"][0]["title"] == "Yes"
    assert json.loads(rich["rich_content"])["type"] == "vertical"

    agent = one(parsed, "participant", participant_type="AGENT")
    assert agent["dialog_id"] == "cd5926e0-5b57-4c82-85c5-9c95f88263a1"
    assert json.loads(agent["context_data"])["structuredMetadata"][1] == {
        "actionReason": {"reason": "some reason"}
    }
    assert one(parsed, "participant", participant_type="CONSUMER")["first_name"] == "Visitor"

    dialog = one(parsed, "dialog")
    assert dialog["dialog_id"] == "cd5926e0-5b57-4c82-85c5-9c95f88263a1"
    assert (dialog["dialog_type"], dialog["dialog_channel_type"]) == ("MAIN", "MESSAGING")
    assert (dialog["start_time"], dialog["end_time"]) == (1506326158000, 1506326213422)
    assert (dialog["skill_id"], dialog["skill_name"]) == (1234, "skill3")

    intents = parsed.tables["conversation_intent"]
    assert [(i["intent_index"], i["classification_index"]) for i in intents] == [
        (0, 0),
        (0, 1),
        (0, 2),
        (1, 0),
        (1, 1),
        (1, 2),
        (1, 3),
    ]
    selected = one(parsed, "conversation_intent", intent_index=1, classification_index=0)
    assert selected["is_selected"] is True and selected["confidence_score"] == 0.908
    assert selected["intent_label"] == "ask about discount or promotion"
    assert selected["message_id"] == "ms::dialog:13ea17a3-57c7-4814-9d3f-120784f6628c::msg:16"
    assert json.loads(selected["versions"])[1] == {
        "modelName": "tmo_classifier",
        "modelVersion": "1.0",
    }
    fees = one(parsed, "conversation_intent", intent_index=0, classification_index=2)
    assert fees["is_selected"] is False and fees["confidence_score"] == 0.0

    surveys = parsed.tables["agent_survey"]
    assert [(s["survey_index"], s["is_latest"]) for s in surveys] == [
        (0, True),
        (1, False),
        (2, False),
        (3, False),
        (4, False),
    ]
    latest = surveys[0]
    assert latest["survey_status"] == "CLOSED" and latest["status_reason"] == "timeout"
    assert latest["ac_survey_revision"] == 24 and latest["survey_skill_id"] == 3592991110
    assert latest["assigned_agent_nick_name"] == "superuser"
    assert latest["last_update_time"] == 1572390190715
    assert surveys[2]["performed_by_agent_name"] == "idanAM"
    answers = parsed.tables["agent_survey_answer"]
    assert len(answers) == 6  # three surveys with two answered questions each
    answer = one(parsed, "agent_survey_answer", survey_index=3, question_index=0)
    assert answer["answer"] == "AM2" and answer["question_text"] == "aa"
    assert answer["question_category"] == "FREE_TEXT" and answer["answer_id"] == "1568781637139"


def test_real_sample_legacy_key_names():
    parsed = parse(sample_record(LEGACY))
    assert one(parsed, "participant", participant_type="CONSUMER")["first_name"] == "Visitor"
    assert len(parsed.tables["message_score"]) == 2
    assert len(parsed.tables["message"]) == 2
    assert "campaign_id" not in one(parsed, "conversation")
    assert parsed.version == 1498127562332
    assert parsed.warnings == [] and parsed.rejections == []


# -- nothing is lost -------------------------------------------------------------------------------

_JSON_COLUMNS = {
    (t.name, c.name)
    for t in metadata.tables.values()
    for c in t.columns
    if caster_for(c) is cast_json
}
_META_KEYS = {"serverTimeStamp": "server_time", "originalTimeStamp": "original_time"}
_ALIASES = {"content": ("rich_content", "quick_replies")}


def _leaves(obj, path=()):
    if isinstance(obj, dict):
        if obj and set(obj) <= {"year", "month", "day"}:
            yield path, obj
        elif not obj:
            yield path, obj
        for key, value in obj.items():
            if not (set(obj) <= {"year", "month", "day"}):
                yield from _leaves(value, (*path, key))
    elif isinstance(obj, list):
        if not obj:
            yield path, obj
        for i, value in enumerate(obj):
            yield from _leaves(value, (*path, i))
    else:
        yield path, obj


def _key_of(path) -> str:
    return next((p for p in reversed(path) if isinstance(p, str)), "")


def _candidates(value) -> list:
    out = [value, str(value)]
    for cast in (cast_double, cast_int64, cast_epoch_ms, cast_bool, cast_ymd_date):
        try:
            out.append(cast(value))
        except (CastError, TypeError):
            pass
    return [c for c in out if c is not None]


def _key_matches(key: str, column: str) -> bool:
    s = snake_case(key)
    return (
        column == s
        or column.endswith(s)
        or (s.endswith("_l") and column.endswith(s[:-2]))
        or s.rstrip("s") == column
        or column == _META_KEYS.get(key)
        or column in _ALIASES.get(key, ())
    )


def assert_nothing_lost(record: dict) -> None:
    """Every leaf of the record is in a typed column (same key, equal cast value), or inside a
    JSON column or ``extra`` under its key; SDE leaves must be in typed columns (not just raw)."""
    parsed = parse(record)
    columns, in_json = [], set()
    for table, rows in parsed.tables.items():
        for row in rows:
            for column, value in row.items():
                if column == "raw":
                    continue
                if column == "extra" or (table, column) in _JSON_COLUMNS:
                    for path, leaf in _leaves(json.loads(value), (column,)):
                        in_json.add((_key_of(path), orjson.dumps(leaf)))
                columns.append((column, value))
    missing = []
    for path, value in _leaves(record):
        key = _key_of(path)
        if value in (None, "undefined", "null", -1, "-1", [], {}) or key == "sdeType":
            continue
        if (key, orjson.dumps(value)) in in_json:
            continue
        candidates = _candidates(value)
        if any(_key_matches(key, c) and v in candidates for c, v in columns):
            continue
        missing.append((path, value))
    assert missing == []


@pytest.mark.parametrize("source", ["seed000", "seed001", "seed003", "real", "legacy"])
def test_every_field_lands_in_a_column_or_in_extra(source):
    record = {
        "seed000": lambda: seed_record(0),
        "seed001": lambda: seed_record(1),
        "seed003": lambda: seed_record(3),
        "real": lambda: sample_record(REAL),
        "legacy": lambda: sample_record(LEGACY),
    }[source]()
    assert_nothing_lost(record)


def test_unknown_fields_and_sections_go_to_extra():
    record = sample_record(REAL)
    record["info"]["brandNewFlag"] = "yes"
    record["monitoring"]["timezone"] = "UTC+2"
    record["messageRecords"][0]["reactions"] = [{"emoji": "+1"}]
    record["messageRecords"][0]["messageData"]["file"] = {"url": "https://f"}
    record["dialogs"][0]["channelMeta"] = {"k": 1}
    record["intents"][0]["source"] = "nlu"
    record["latestAgentSurvey"]["extraNote"] = "n"
    record["previouslySubmittedAgentSurveys"][0]["submittedAnswers"][0]["answers"][0]["w"] = 2
    record["futureSection"] = {"a": [1, 2, {"b": "c"}]}
    assert_nothing_lost(record)
    parsed = parse(record)
    extra = json.loads(one(parsed, "conversation")["extra"])
    assert extra == {
        # the sample's end-time texts disagree with their ...L fields, so they are kept too
        "info": {
            "brandNewFlag": "yes",
            "endTime": "2016-08-29 19:58:24.565+0000",
            "conversationEndTime": "2016-08-29 18:58:24.565+0000",
            "fullDialogEndTime": "2016-08-29 19:58:24.565+0000",
        },
        "monitoring": {"timezone": "UTC+2"},
        "futureSection": {"a": [1, 2, {"b": "c"}]},
    }
    msg = one(parsed, "message", seq=0)
    assert json.loads(msg["extra"]) == {
        "reactions": [{"emoji": "+1"}],
        "messageData": {"file": {"url": "https://f"}},
    }
    assert json.loads(one(parsed, "dialog")["extra"]) == {"channelMeta": {"k": 1}}


def test_nothing_lost_check_can_fail():
    # An SDE field with no column is only in raw; the check demands typed columns for SDEs.
    record = seed_record(0)
    record["sdes"]["events"][0]["customerInfo"]["customerInfo"]["shoeSize"] = "44"
    with pytest.raises(AssertionError):
        assert_nothing_lost(record)
    parsed = parse(record)
    raw = json.loads(one(parsed, "sde_customer_info", sde_id=f"{CID}:auth:0")["raw"])
    assert raw["customerInfo"]["customerInfo"]["shoeSize"] == "44"


# -- v1 strings vs v2 types, bad values ------------------------------------------------------------

_NUMBER = re.compile(r"-?\d+(\.\d+)?\Z")


def _to_v2(obj):
    if isinstance(obj, dict):
        return {k: _to_v2(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_to_v2(v) for v in obj]
    if isinstance(obj, str) and _NUMBER.match(obj):
        return float(obj) if "." in obj else int(obj)
    return obj


def test_v1_strings_and_v2_types_give_identical_rows():
    v1 = seed_record(3)
    v2 = copy.deepcopy(v1)
    v2["sdes"] = _to_v2(v1["sdes"])
    v2["unAuthSdes"] = _to_v2(v1["unAuthSdes"])
    assert v2["unAuthSdes"]["events"][2]["customerInfo"]["customerInfo"]["balance"] == -400.99
    a, b = parse(v1), parse(v2)

    def typed(parsed):
        return {
            t: [{k: v for k, v in r.items() if k != "raw"} for r in rows]
            for t, rows in parsed.tables.items()
        }

    assert typed(a) == typed(b)
    assert a.version == b.version and b.warnings == []


def test_bad_values_file():
    items = [
        parse_conversation(r, p)
        for p, r in iter_conversation_records(
            json.loads((DATA / "bad_values.json").read_text()), "bad_values.json"
        )
    ]
    bad, no_id, top_level_id = items
    assert isinstance(bad, ParsedRecord) and bad.key == "bad-1"
    conv = one(bad, "conversation")
    for column in ("start_time", "mcs", "csat_rate", "latest_skill_id", "agent_deleted"):
        assert column not in conv
    assert conv["brand_id"] == "100004"
    assert json.loads(conv["extra"]) == {
        "info": {
            "startTimeL": "soon",
            "mcs": "high",
            "csatRate": 5.5,
            "latestSkillId": "12x",
            "agentDeleted": "maybe",
        }
    }
    assert "conversation bad-1 info: mcs: cannot cast 'high' to int" in bad.warnings

    # duplicate messageId: the last wins, the first stays in its extra; a missing id → "#1"
    messages = {m["message_id"]: m for m in bad.tables["message"]}
    assert set(messages) == {"m-1", "#1"}
    assert messages["m-1"]["text"] == "second" and messages["#1"]["text"] == "no id"
    replaced = json.loads(messages["m-1"]["extra"])["_replaced"]
    assert replaced[0]["messageData"]["msg"]["text"] == "first"
    assert any("duplicate message 'm-1'" in w for w in bad.warnings)
    assert any("no messageId" in w for w in bad.warnings)

    info = one(bad, "sde_customer_info")
    assert "balance" not in info and "company_size" not in info
    assert "last_payment_date" not in info
    assert json.loads(info["raw"])["customerInfo"]["customerInfo"]["balance"] == "abc"
    assert info["server_time"] == 1500000000100
    assert sum("cannot cast" in w and "sde_customer_info" in w for w in bad.warnings) == 3

    (rejected,) = bad.rejections
    assert "TELEPATHY" in rejected.reason and "unAuthSdes.events[1]" in rejected.position
    assert json.loads(rejected.raw) == {
        "sdeType": "TELEPATHY",
        "telepathy": {"thought": "buy"},
        "serverTimeStamp": "1500000000200",
    }
    # the event after the rejected one still loads, under its own index
    cart = one(bad, "sde_cart_status", sde_id="bad-1:unauth:2")
    assert "total" not in cart  # "NaN"
    product = one(bad, "sde_cart_status_product")
    assert "quantity" not in product and "price" not in product
    assert json.loads(product["extra"]) == {
        "quantity": "one",
        "product": {"price": "cheap", "color": "red"},
    }
    assert bad.version == 1500000000300

    assert isinstance(no_id, Rejected)
    assert no_id.position == "bad_values.json, record 2"
    assert "conversationId" in no_id.reason
    assert json.loads(no_id.raw) == {"info": {"startTimeL": 1500000000000}, "messageRecords": []}
    assert isinstance(top_level_id, ParsedRecord) and top_level_id.key == "bare-top-level-id"
    assert top_level_id.version is None


def test_long_values_survive_exactly():
    record = seed_record(0)
    long = "ü" + "x" * 59_998 + "\n"
    record["messageRecords"][0]["messageData"]["msg"]["text"] = long
    record["sdes"]["events"][0]["customerInfo"]["customerInfo"]["customerId"] = long
    parsed = parse(record)
    assert one(parsed, "message", seq=0)["text"] == long
    assert one(parsed, "sde_customer_info", sde_id=f"{CID}:auth:0")["customer_id"] == long


def test_undefined_and_null_strings_in_json_text_fields_are_null():
    # "undefined"/"null" strings in text fields of a conversation record are NULL: also in
    # the fields kept as JSON text (a content or metadata that is an object when it is there).
    record = {
        "info": {"conversationId": "j1", "startTimeL": 1472481024565},
        "messageRecords": [
            {
                "messageId": "m1",
                "messageData": {
                    "richContent": {"content": "undefined"},
                    "quickReplies": {"content": "null"},
                },
                "contextData": {"rawMetadata": "null", "structuredMetadata": "undefined"},
            },
            {
                "messageId": "m2",
                "messageData": {"richContent": {"content": '{"type":"vertical"}'}},
                "contextData": {"rawMetadata": "plain words"},
            },
        ],
        "agentParticipants": [{"agentId": "a1", "contextData": "undefined"}],
    }
    parsed = parse(record)
    m1 = one(parsed, "message", message_id="m1")
    json_columns = ("rich_content", "quick_replies")
    json_columns += ("context_raw_metadata", "context_structured_metadata")
    assert [m1.get(c) for c in json_columns] == [None, None, None, None]
    assert "extra" not in m1 or m1["extra"] is None
    m2 = one(parsed, "message", message_id="m2")
    assert m2["rich_content"] == '{"type":"vertical"}'
    assert m2["context_raw_metadata"] == '"plain words"'
    (agent,) = [p for p in parsed.tables["participant"] if p.get("agent_id") == "a1"]
    assert agent.get("context_data") is None


def test_records_that_are_not_objects_are_rejected():
    rejected = parse_conversation(["not", "a", "record"], "line 4")
    assert isinstance(rejected, Rejected) and rejected.position == "line 4"
    assert json.loads(rejected.raw) == ["not", "a", "record"]
    assert isinstance(parse_conversation({"info": {"conversationId": "undefined"}}, "x"), Rejected)


# -- authentication, variants, positions -----------------------------------------------------------


def test_sdes_are_authenticated_and_unauth_sdes_are_not():
    event = {"sdeType": "LEAD", "lead": {"lead": {"topic": "t"}}, "serverTimeStamp": "1"}
    record = {
        "info": {"conversationId": "c"},
        "sdes": {"events": [event, {**event, "isAuthenticated": False}]},
        "unAuthSdes": {"events": [event]},
    }
    parsed = parse(record)
    flags = {r["sde_id"]: r["is_authenticated"] for r in parsed.tables["sde_lead"]}
    assert flags == {"c:auth:0": True, "c:auth:1": False, "c:unauth:0": False}


def test_event_without_sde_type_loads_by_its_body_key_and_without_either_is_rejected():
    record = {
        "info": {"conversationId": "c"},
        "unAuthSdes": {
            "events": [
                {"searchContent": {"keywords": ["a"]}},
                {"serverTimeStamp": "1528628536881"},
            ]
        },
    }
    parsed = parse(record)
    assert [k["keyword"] for k in parsed.tables["sde_search_content_keyword"]] == ["a"]
    (rejected,) = parsed.rejections
    assert rejected.reason == "SDE event without sdeType"
    assert json.loads(rejected.raw) == {"serverTimeStamp": "1528628536881"}


def test_legacy_and_variant_key_names():
    parsed = parse(json.loads((DATA / "legacy_keys.json").read_text()))
    assert parsed.key == "legacy-1" and parsed.warnings == []
    conv = one(parsed, "conversation")
    assert conv["start_time"] == 1472481024565  # from the text startTime
    assert conv["end_time"] == 1472481100000
    consumer = one(parsed, "participant", participant_type="CONSUMER")
    assert consumer["first_name"] == "Ann" and "token" not in consumer
    agent = one(parsed, "participant", participant_type="AGENT")
    assert agent["role"] == "MANAGER" and agent["agent_group_id"] == 12
    assert one(parsed, "message")["text"] == "hi"
    score = one(parsed, "message_score")
    assert (score["message_raw_score"], score["mcs"]) == (3, 40)
    assert one(parsed, "message_status")["seq"] == 0
    transfer = one(parsed, "transfer")
    assert transfer["transferred_by"] == "a-1" and transfer["target_skill_id"] == 7
    assert one(parsed, "interaction")["interaction_time"] == 1472481060000
    assert one(parsed, "dialog")["dialog_type"] == "MAIN"
    survey = one(parsed, "survey_answer")
    assert survey["survey_type"] == "Satisfaction" and "question" not in survey
    session = one(parsed, "cobrowse_session")
    assert session["session_id"] == "s-1" and session["interactive"] is True
    lead = one(parsed, "sde_lead")
    assert lead["is_authenticated"] is False and lead["value"] == 5.0
    assert "extra" not in conv


def test_duplicate_dialogs_and_sessions_keep_the_last():
    record = {
        "info": {"conversationId": "c"},
        "dialogs": [{"dialogId": "d", "status": "OPEN"}, {"dialogId": "d", "status": "CLOSE"}],
        "coBrowseSessions": {
            "coBrowseSessionsList": [
                {"sessionId": "s", "type": "web"},
                {"sessionId": "s", "type": "inApp"},
            ]
        },
    }
    parsed = parse(record)
    assert one(parsed, "dialog")["status"] == "CLOSE"
    assert json.loads(one(parsed, "dialog")["extra"])["_replaced"] == [
        {"dialogId": "d", "status": "OPEN"}
    ]
    assert one(parsed, "cobrowse_session")["type"] == "inApp"
    assert len(parsed.warnings) == 2


def test_iter_conversation_records_positions():
    page = json.loads(real_sample(REAL).read_text())
    assert [p for p, _ in iter_conversation_records(page, "line 3")] == ["line 3, record 1"]
    bare = page["conversationHistoryRecords"][0]
    ((position, record),) = iter_conversation_records(bare, "line 7")
    assert position == "line 7" and record is bare
    two = {"_metadata": {}, "conversationHistoryRecords": [bare, {"info": {}}]}
    assert [p for p, _ in iter_conversation_records(two, "f")] == ["f, record 1", "f, record 2"]
    assert (
        list(iter_conversation_records({"_metadata": {}, "conversationHistoryRecords": []}, "f"))
        == []
    )


def test_an_sde_event_rejected_alone_still_counts_in_the_version():
    # The version is the latest time stamp anywhere in the record: a rejected event's too.
    record = seed_record(0)
    latest = parse(record).version
    record["sdes"]["events"].append(
        {"sdeType": "TELEPATHY", "serverTimeStamp": str(latest + 5000), "telepathy": {}}
    )
    parsed = parse(record)
    assert [r.reason for r in parsed.rejections] == ["SDE event of unknown sdeType 'TELEPATHY'"]
    assert parsed.version == latest + 5000
    record["sdes"]["events"][-1]["serverTimeStamp"] = "not a time"
    assert parse(record).version == latest
