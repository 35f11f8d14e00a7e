"""The synthetic-data generator (bench/generate.py) writes the shapes it promises.

Conversations: every section of the seeds and LivePerson's samples appears across a
sample, SDEs of all ten types in both encodings and both nestings, realistic values,
repeated OPEN/CLOSED snapshots with later versions, valid JSON pages / JSON Lines, gzip
when asked, deterministic per seed. Web sessions: Avro-JSON Data Access files like seed
004, every body kind, visits spanning files, a listing. The bundled examples are what the
documented command writes.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from bench.gen_conversations import ConversationOptions, conversation_stream
from bench.gen_web import NS
from bench.generate import (
    MB,
    body_kind,
    write_conversations,
    write_conversations_size,
    write_examples,
    write_web,
    write_web_size,
)

ROOT = Path(__file__).resolve().parent.parent
SDE_TYPES = {
    "CUSTOMER_INFO": "customerInfo",
    "PERSONAL_INFO": "personalInfo",
    "CART_STATUS": "cartStatus",
    "PURCHASE": "purchase",
    "MARKETING_CAMPAIGN_INFO": "marketingCampaignInfo",
    "SEARCH_CONTENT": "searchContent",
    "VIEWED_PRODUCT": "viewedProduct",
    "VISITOR_ERROR": "visitorError",
    "LEAD": "lead",
    "SERVICE_ACTIVITY": "serviceActivity",
}
META_KEYS = {"serverTimeStamp", "originalTimeStamp", "isAuthenticated"}


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return list(conversation_stream(400, ConversationOptions(seed=3)))


def _events(record: dict) -> list[tuple[str, dict]]:
    out = []
    for section in ("sdes", "unAuthSdes"):
        for event in record.get(section, {}).get("events", []):
            out.append((section, event))
    return out


def _attributes(event: dict) -> tuple[bool, dict]:
    """(nested?, attribute body) of an SDE event."""
    key = SDE_TYPES[event["sdeType"]]
    payload = event[key]
    if isinstance(payload.get(key), dict):
        return True, payload[key]
    return False, {k: v for k, v in payload.items() if k not in META_KEYS}


def _leaves(value: object) -> list[object]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in _leaves(v)]
    if isinstance(value, list):
        return [x for v in value for x in _leaves(v)]
    return [value]


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


# -- conversations ----------------------------------------------------------------------------


def test_every_section_appears_across_a_sample(records: list[dict]) -> None:
    keys = Counter(k for r in records for k in r)
    expected = {
        "info",
        "campaign",
        "monitoring",
        "messageRecords",
        "agentParticipants",
        "consumerParticipants",
        "consumerParticipant",
        "transfers",
        "interactions",
        "dialogs",
        "messageScores",
        "messageScore",
        "messageStatuses",
        "conversationSurveys",
        "coBrowseSessions",
        "sdes",
        "unAuthSdes",
        "responseTime",
        "summary",
        "intents",
        "latestAgentSurvey",
        "previouslySubmittedAgentSurveys",
    }
    assert expected <= set(keys)
    # the legacy and the current key names never meet in one record
    for r in records:
        assert not ("consumerParticipant" in r and "consumerParticipants" in r)
        assert not ("messageScore" in r and "messageScores" in r)
    with_cobrowse = [r for r in records if "coBrowseSessions" in r]
    assert all(r["coBrowseSessions"]["coBrowseSessionsList"] for r in with_cobrowse)
    surveys = [s for r in records for s in r["conversationSurveys"]]
    assert {q["question"] for s in surveys for q in s["surveyData"]} >= {"Confirm Resolution"}
    with_survey = [r for r in records if "latestAgentSurvey" in r]
    answers = [
        a
        for r in with_survey
        for s in r["previouslySubmittedAgentSurveys"]
        for a in s["submittedAnswers"]
    ]
    assert answers and all(a["answers"][0]["answer"] for a in answers)


def test_messages_have_rich_content_quick_replies_and_bot_intents(records: list[dict]) -> None:
    messages = [m for r in records for m in r["messageRecords"]]
    assert {m["type"] for m in messages} == {"TEXT_PLAIN", "RICH_CONTENT"}
    assert {m["sentBy"] for m in messages} == {"Consumer", "Agent"}
    rich = [m for m in messages if m["type"] == "RICH_CONTENT"]
    assert json.loads(rich[0]["messageData"]["richContent"]["content"])["type"] == "vertical"
    replies = [
        m["messageData"]["quickReplies"] for m in messages if "quickReplies" in m["messageData"]
    ]
    assert json.loads(replies[0]["content"])["type"] == "quickReplies"
    intents = [
        i
        for m in messages
        if "contextData" in m
        for s in m["contextData"]["structuredMetadata"]
        if "botResponse" in s
        for i in s["botResponse"]["intents"]
    ]
    assert len({i["id"] for i in intents}) >= 3
    assert all(0 < i["confidenceScore"] < 1 for i in intents)
    # message ids are unique within a record (they key the message table)
    for r in records:
        ids = [m["messageId"] for m in r["messageRecords"]]
        assert len(ids) == len(set(ids))


def test_all_ten_sde_types_in_both_nestings_and_both_encodings(records: list[dict]) -> None:
    nestings: dict[str, set[bool]] = defaultdict(set)
    encodings: dict[str, set[str]] = defaultdict(set)
    for r in records:
        for _, event in _events(r):
            nested, attrs = _attributes(event)
            nestings[event["sdeType"]].add(nested)
            v1 = isinstance(event["serverTimeStamp"], str)
            encodings[event["sdeType"]].add("v1" if v1 else "v2")
            if v1:  # v1: every attribute value is text
                assert all(x is None or isinstance(x, str) for x in _leaves(attrs)), event
    assert set(nestings) == set(SDE_TYPES)
    assert all(v == {True, False} for v in nestings.values()), nestings
    assert all(v == {"v1", "v2"} for v in encodings.values()), encodings

    v2_customer = [
        _attributes(e)[1]
        for r in records
        for _, e in _events(r)
        if e["sdeType"] == "CUSTOMER_INFO" and isinstance(e["serverTimeStamp"], int)
    ]
    assert all(isinstance(a["balance"], float) for a in v2_customer)
    assert all(isinstance(a["companySize"], int) for a in v2_customer)
    assert all(isinstance(a["lastPaymentDate"]["year"], int) for a in v2_customer)


def _leaves(value: object) -> list:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


def test_values_are_realistic(records: list[dict]) -> None:
    infos = [r["info"] for r in records]
    csat = [i.get("csatRate") for i in infos if i["status"] == "CLOSE"]
    assert {c for c in csat if c is not None} == {1, 2, 3, 4, 5}
    assert None in csat
    mcs = [i["mcs"] for i in infos if "mcs" in i]
    assert min(mcs) >= 0 and max(mcs) <= 100 and len(set(mcs)) > 30
    assert {i["status"] for i in infos} == {"OPEN", "CLOSE"}
    assert len({i["latestAgentId"] for i in infos}) >= 8
    assert len({i["latestSkillName"] for i in infos}) >= 6
    assert sum(1 for r in records if r["transfers"]) > 40

    by_type: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        for _, e in _events(r):
            by_type[e["sdeType"]].append(_attributes(e)[1])
    types = {a.get("customerType") for a in by_type["CUSTOMER_INFO"]}
    assert {" VIP", "vip", "VIP", "premium "} <= types
    assert {a["code"] for a in by_type["VISITOR_ERROR"]} >= {"100004", "er100004"}
    # Arrays stay arrays in both encodings (v1 turned them into Python's text of a list).
    assert all(type(a["keywords"]) is list for a in by_type["SEARCH_CONTENT"])
    texts = [v for attrs in by_type.values() for a in attrs for v in _leaves(a)]
    assert not [t for t in texts if isinstance(t, str) and t.startswith(("[", "{"))]
    keywords = {k for a in by_type["SEARCH_CONTENT"] for k in a["keywords"]}
    assert {"Shoes", " shoes "} <= keywords
    assert any(a.get("total") is None for a in by_type["PURCHASE"])
    assert any(a.get("leadId") is None for a in by_type["LEAD"])
    # the same order id twice in one conversation
    repeated = 0
    for r in records:
        orders = Counter(
            _attributes(e)[1]["orderId"] for _, e in _events(r) if e["sdeType"] == "PURCHASE"
        )
        repeated += any(n > 1 for n in orders.values())
    assert repeated >= 2


def test_repeated_snapshots_open_then_later_closed(records: list[dict]) -> None:
    positions: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        positions[r["info"]["conversationId"]].append(i)
    assert len(positions) == 400
    pairs = {cid: p for cid, p in positions.items() if len(p) == 2}
    assert 20 <= len(pairs) <= 70
    closed_first = 0
    for p in pairs.values():
        first, second = records[p[0]], records[p[1]]
        snaps = {first["info"]["status"]: first, second["info"]["status"]: second}
        assert set(snaps) == {"OPEN", "CLOSE"}
        opened, closed = snaps["OPEN"], snaps["CLOSE"]
        assert len(closed["messageRecords"]) > len(opened["messageRecords"])
        assert opened["info"]["endTimeL"] == -1 and closed["info"]["endTimeL"] > 0
        last_open = max(m["timeL"] for m in opened["messageRecords"])
        last_closed = max(m["timeL"] for m in closed["messageRecords"])
        assert last_closed > last_open
        closed_first += first is closed
    assert 0 < closed_first < len(pairs)
    open_only = [
        cid
        for cid, p in positions.items()
        if len(p) == 1 and records[p[0]]["info"]["status"] == "OPEN"
    ]
    assert open_only


def test_deterministic_per_seed() -> None:
    a = list(conversation_stream(30, ConversationOptions(seed=5)))
    b = list(conversation_stream(30, ConversationOptions(seed=5)))
    c = list(conversation_stream(30, ConversationOptions(seed=6)))
    assert a == b
    assert [r["info"]["conversationId"] for r in a] != [r["info"]["conversationId"] for r in c]


def test_pages_are_api_responses_and_gzip_when_asked(tmp_path: Path) -> None:
    paths = write_conversations(tmp_path, 250, ConversationOptions(seed=2), compress=True)
    assert [p.name for p in paths][:2] == [
        "conversations-page-00001.json.gz",
        "conversations-page-00002.json.gz",
    ]
    total, ids = 0, set()
    for p in paths:
        assert p.read_bytes()[:2] == b"\x1f\x8b"
        page = json.loads(_read(p))
        assert set(page) == {"_metadata", "conversationHistoryRecords"}
        assert page["_metadata"]["self"]["href"].endswith(f"offset={total}")
        assert 0 < len(page["conversationHistoryRecords"]) <= 100
        total += len(page["conversationHistoryRecords"])
        ids |= {r["info"]["conversationId"] for r in page["conversationHistoryRecords"]}
    assert len(ids) == 250 and total > 250


@pytest.mark.parametrize("layout", ["page-lines", "records"])
def test_json_lines_layouts(tmp_path: Path, layout: str) -> None:
    paths = write_conversations(
        tmp_path, 120, ConversationOptions(seed=2), layout=layout, per_page=20, pages_per_file=3
    )
    assert len(paths) == 3  # 120 conversations + snapshots in files of 60 records
    lines = [json.loads(line) for p in paths for line in p.read_text().splitlines()]
    if layout == "records":
        assert all("info" in line and "messageRecords" in line for line in lines)
        assert len(lines) > 120
    else:
        assert all(len(line["conversationHistoryRecords"]) <= 20 for line in lines)
        assert sum(len(line["conversationHistoryRecords"]) for line in lines) > 120


def test_size_mode_writes_about_the_size_asked(tmp_path: Path) -> None:
    path, n = write_conversations_size(tmp_path / "big.jsonl", 0.5, ConversationOptions(seed=4))
    size = path.stat().st_size
    lines = path.read_bytes().splitlines()
    assert len(lines) == n
    assert 0.5 * MB <= size < 0.5 * MB + max(len(line) for line in lines) + 1
    assert all(json.loads(line)["info"]["conversationId"] for line in lines)


# -- web sessions -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def web_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("web")
    return write_web(out, 300, files=3, compress=True, compress_every=2)


def _bodies(path: Path) -> list[dict]:
    return json.loads(_read(path))["recordCollection"]


def test_web_files_are_data_access_files_in_avro_json(web_files: list[Path]) -> None:
    assert [p.read_bytes()[:2] == b"\x1f\x8b" for p in web_files] == [False, True, False]
    starts = []
    for p in web_files:
        doc = json.loads(_read(p))
        assert doc["dataType"] == {"com.liveperson.dataaccess.DataTypeEnum": "WebSession"}
        assert doc["metaData"]["schemaVersion"] == "1.0.0.22"
        starts.append(doc["metaData"]["startTime"]["long"])
        assert p.name.startswith(f"WebSession.{starts[-1]}.")
        for b in doc["recordCollection"]:
            (inner,) = b["body"].values()
            hdr = inner["header"][NS + "VisitorHeader"]
            assert set(hdr["visitId"]) == {"string"} and set(hdr["visitorId"]) == {"string"}
    assert starts == sorted(starts) and len(set(starts)) == 3

    bodies = [b for p in web_files for b in _bodies(p)]
    kinds = Counter(body_kind(b) for b in bodies)
    assert set(kinds) == {
        "WebSessionSessionInfoData",
        "WebSessionGeoData",
        "WebSessionNavigationData",
        "WebSessionEligibilityData",
        "WebSessionImpressionData",
        "WebSessionGoalAchievedData",
        "WebSessionEngAttrsData",
    }
    info = next(b for b in bodies if body_kind(b) == "WebSessionSessionInfoData")
    payload = info["body"][NS + "WebSessionSessionInfoData"]["sessionInfo"]
    assert set(payload[NS + "SessionInfo"]["sessionStartTime"]) == {"long"}
    geo = next(b for b in bodies if body_kind(b) == "WebSessionGeoData")
    assert "countryCode" in geo["body"][NS + "WebSessionGeoData"]["geoData"][NS + "GeoData"]
    nav = [
        b["body"][NS + "WebSessionNavigationData"]["navigationData"]["array"]
        for b in bodies
        if body_kind(b) == "WebSessionNavigationData"
    ]
    views = [v for n in nav for v in n]
    assert all(set(v["url"]) == {"string"} and set(v["timestamp"]) == {"long"} for v in views)
    assert max(len(n) for n in nav) >= 8  # many page views per visit


def test_web_values_cover_every_variant(web_files: list[Path]) -> None:
    bodies = [b for p in web_files for b in _bodies(p)]

    def payloads(kind: str, key: str) -> list[dict]:
        return [
            x for b in bodies if body_kind(b) == kind for x in b["body"][NS + kind][key]["array"]
        ]

    types = {
        i["impressionType"]["string"] for i in payloads("WebSessionImpressionData", "impressions")
    }
    assert {t.lower() for t in types} == {"show", "accept", "close", "timeout"}
    assert types > {"Show", "show", "ACCEPT"}
    goals = payloads("WebSessionGoalAchievedData", "achievedGoals")
    kinds = {next(iter(g["goalMetaData"]))[len(NS) :] for g in goals if g["goalMetaData"]}
    assert kinds == {
        "UrlGoalMetadata",
        "PurchaseMetadata",
        "ReduceAbandonmentGoalMetadata",
        "IncreaseInteractionGoalMetadata",
        "LeadMetadata",
        "ServiceActivityMetadata",
    }
    assert any(g["goalMetaData"] is None for g in goals)
    attrs = payloads("WebSessionEngAttrsData", "engagementAttributes")
    names = {next(iter(a["data"]))[len(NS) :] for a in attrs}
    assert names == {
        "CustomerInfo",
        "PersonalInfo",
        "CartStatus",
        "Purchase",
        "MarketingCampaignInfo",
        "SearchContent",
        "ViewedProduct",
        "VisitorError",
        "Lead",
        "ServiceActivity",
    }
    errors = [a["data"][NS + "VisitorError"] for a in attrs if NS + "VisitorError" in a["data"]]
    assert all(set(e["code"]) == {"long"} for e in errors)


def test_web_visits_span_files_with_overlapping_facts(web_files: list[Path]) -> None:
    per_file = [_bodies(p) for p in web_files]

    def visit(b: dict) -> str:
        (inner,) = b["body"].values()
        return inner["header"][NS + "VisitorHeader"]["visitId"]["string"]

    visits = [{visit(b) for b in bodies} for bodies in per_file]
    assert visits[0] & visits[1] and visits[1] & visits[2]
    texts = [{json.dumps(b, sort_keys=True) for b in bodies} for bodies in per_file]
    assert texts[0] & texts[1]  # the very same fact in two files
    # a visit's session info seen twice: in the later file some values are null
    infos: dict[str, list[dict]] = defaultdict(list)
    for bodies in per_file:
        for b in bodies:
            if body_kind(b) == "WebSessionSessionInfoData":
                data = b["body"][NS + "WebSessionSessionInfoData"]["sessionInfo"]
                infos[visit(b)].append(data[NS + "SessionInfo"])
    twice = [v for v in infos.values() if len(v) == 2]
    assert twice and all(v[0]["userAgent"] and v[1]["userAgent"] is None for v in twice)


def test_web_listing_names_the_files(web_files: list[Path]) -> None:
    listing = json.loads((web_files[0].parent / "listing.json").read_text())
    names = [f["@name"] for f in listing["dataAccessFiles"]["file"]]
    assert names == [p.name for p in web_files]


def test_web_size_mode(tmp_path: Path) -> None:
    path, visits = write_web_size(tmp_path / "w.json.gz", 0.3, compress=True)
    doc = json.loads(_read(path))
    assert len(json.dumps(doc)) > 0.25 * MB
    kinds = {body_kind(b) for b in doc["recordCollection"]}
    assert "WebSessionNavigationData" in kinds and visits > 10


# -- examples ---------------------------------------------------------------------------------


def test_bundled_examples_are_what_the_documented_command_writes(tmp_path: Path) -> None:
    written = write_examples(tmp_path)
    bundled = ROOT / "examples"
    for path in written:
        rel = path.relative_to(tmp_path)
        assert (bundled / rel).read_bytes() == path.read_bytes(), rel
    assert sum(p.stat().st_size for p in written) < 1 * MB
