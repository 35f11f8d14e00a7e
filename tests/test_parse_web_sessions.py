"""Data Access web-session files → rows of the web tables and the SDE tables, per body."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from seeds import real_sample, seed_example

from loaders import avro, sources
from loaders.detect import detect
from loaders.records import ParsedRecord, Rejected
from loaders.web_files import FileMeta, iter_data_access, iter_web_records
from loaders.web_sessions import parse_web_body

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "web"
VISIT = "AjvT6hLKTEi3AXgGnYu_mQ.606c99c686cbe0d422d558a5005b3ec2275dc20a"
VISITOR = "pKytlMTwSPCwpJS-RQqtlQ"
NS = "com.liveperson.dataaccess."
META = FileMeta(data_type="WebSession", account_id="75555851", start_time=1467291704468)


def parse(path) -> tuple[list[ParsedRecord], list[Rejected]]:
    records, rejected = [], []
    for item in iter_web_records(path):
        (records if isinstance(item, ParsedRecord) else rejected).append(item)
    return records, rejected


def rows(records: list[ParsedRecord], table: str) -> list[dict]:
    return [row for r in records for row in r.tables.get(table, [])]


def write(tmp_path, doc, name="web.json") -> Path:
    path = tmp_path / name
    path.write_bytes(orjson.dumps(doc))
    return path


def header(visit: str | None = VISIT) -> dict:
    return {
        NS + "VisitorHeader": {
            "visitId": None if visit is None else {"string": visit},
            "visitorId": {"string": VISITOR},
            "contextId": None,
        }
    }


def body(kind: str, **payload) -> dict:
    return {NS + kind: {"header": header(), **payload}}


@pytest.fixture(params=["seed004", "real-sample"])
def sample(request, tmp_path) -> Path:
    if request.param == "seed004":
        path = tmp_path / "seed004.json"
        path.write_text(seed_example(4))
        return path
    return real_sample("data-access-web-session.file.json")


# -- the published example, table by table ---------------------------------------------------------


def test_example_bodies_parse_without_rejections_or_warnings(sample):
    records, rejected = parse(sample)
    assert rejected == []
    assert [r.position for r in records] == [f"byte 0, recordCollection[{i}]" for i in range(5)]
    assert all(r.kind == "web" and r.key == VISIT for r in records)
    assert [r.warnings for r in records] == [[]] * 5
    assert [r.rejections for r in records] == [[]] * 5


def test_example_page_views(sample):
    views = rows(parse(sample)[0], "web_page_view")
    assert [v["event_time"] for v in views] == [1467291704525, 1467291714765, 1467308703041]
    assert [v["url"] for v in views] == [
        "https://authentication.liveperson.net/login.html",
        "https://z1.le.liveperson.net/a/89995382/#wa!webagent",
        "https://authentication.liveperson.net/login.html?lpservice=liveEngage&servicepath="
        "a%2F%7E%7Eaccountid%7E%7E%2F%23%2C%7E%7Essokey%7E%7E",
    ]
    assert [v["referrer_url"] for v in views] == [
        "",
        "https://authentication.liveperson.net/login.html",
        "https://z1.le.liveperson.net/a/89995382/",
    ]
    assert [v["sections"] for v in views] == ['["loginPages"]', "[]", '["loginPages"]']
    assert {(v["visit_id"], v["visitor_id"]) for v in views} == {(VISIT, VISITOR)}
    assert len({v["fact_id"] for v in views}) == 3
    assert all(len(v["fact_id"]) == 32 and "extra" not in v for v in views)


def test_example_impressions(sample):
    imps = rows(parse(sample)[0], "web_impression")
    assert [(i["engagement_instance_id"], i["impression_type"], i["state"]) for i in imps] == [
        ("1", "Show", "1"),
        ("2", "Show", "0"),
        ("2", "Close", "0"),
    ]
    first = imps[0]
    assert first["engagement_channel"] == "1"
    assert first["engagement_type"] == "5"
    assert first["engagement_skill_id"] == 11
    assert first["engagement_skill_name"] == "Tier1"
    assert first["engagement_is_offsite"] is False
    assert first["engagement_availability_policy"] == "1"
    assert first["engagement_interaction_type"] == 5
    assert json.loads(first["engagement_visitor_behaviors"]) == [{"id": 126225110, "revision": 33}]
    assert "engagement_survey_skills" not in first and "engagement_rendering_type" not in first
    assert first["campaign_id"] == 129082910
    assert json.loads(first["campaign_visitor_profiles"]) == [{"id": 156579410, "revision": 111}]
    assert (first["goal_id"], first["goal_type"], first["goal_indicator_type"]) == (126222610, 4, 3)
    assert [i["campaign_id"] for i in imps] == [129082910, 626105510, 626105510]
    assert [i["engagement_skill_id"] for i in imps] == [11, -1, -1]
    assert all(i.get("event_time") is None for i in imps)  # the example has no timestamp


def test_example_eligibility(sample):
    elig = rows(parse(sample)[0], "web_eligibility")
    assert [(e["assessment_time"], e["campaign_id"]) for e in elig] == [
        (1467291704571, 129082910),
        (1467291718265, 626105510),
    ]
    assert [e["control_group_type"] for e in elig] == ["NA", "NA"]
    assert [e.get("engagement_skill_name") for e in elig] == ["Tier1", None]
    assert [e["engagement_channel"] for e in elig] == ["1", "100"]
    assert [e["goal_id"] for e in elig] == [126222610, 126222610]
    assert json.loads(elig[1]["campaign_visitor_profiles"]) == [{"id": 286374810, "revision": 111}]


def test_example_goal_achieved(sample):
    (goal,) = rows(parse(sample)[0], "web_goal_achieved")
    assert goal["achieved_goal_id"] == "0b5f9655-7bcb-4143-960b-7a5b08195167"
    assert goal["event_time"] == 1467291714594
    assert goal["campaign_goal_id"] == 153250510
    assert goal["campaign_goal_revision"] == 13
    assert goal["campaign_goal_type"] == 1
    assert goal["metadata_kind"] == "ReduceAbandonmentGoalMetadata"
    assert goal["metadata_number_of_pages"] == 2


def test_example_engagement_attributes(sample):
    records = parse(sample)[0]
    (customer,) = rows(records, "sde_customer_info")
    assert customer["customer_status"] == "agentManager"
    assert customer["customer_id"] == "Account: 89995382"
    assert customer["source"] == "web_session"
    assert (customer["visit_id"], customer["visitor_id"]) == (VISIT, VISITOR)
    assert customer["server_time"] == 1467291718263
    assert customer["is_authenticated"] is None and customer["original_time"] is None
    assert json.loads(customer["raw"])["data"][NS + "CustomerInfo"]["customerId"] == {
        "string": "Account: 89995382"
    }
    (person,) = rows(records, "sde_personal_info")
    assert person["surname"] == "BrookeR@blinds.com"
    assert person["server_time"] == 1467291718494
    (contact,) = rows(records, "sde_personal_info_contact")
    assert contact == {"sde_id": person["sde_id"], "ordinal": 0}  # email and phone null


def test_example_session_sources(sample):
    sources_ = rows(parse(sample)[0], "web_session_source")
    assert len(sources_) == 5
    for row in sources_:
        assert row["visit_id"] == VISIT and row["visitor_id"] == VISITOR
        assert row["context_id"] is None
        assert row["account_id"] == "75555851"
        assert row["source_time"] == 1467291704468
    assert [s["first_fact_time"] for s in sources_] == [
        1467291718263,  # engagement attributes
        1467291704525,  # first page view
        1467291714594,  # goal achieved
        1467291704571,  # first assessment
        None,  # impressions carry no time stamp in the example
    ]


def test_null_fields_added_by_a_newer_schema_keep_the_same_fact_ids(tmp_path):
    # The real sample is the seed example plus two null CustomerInfo fields.
    seed = tmp_path / "seed004.json"
    seed.write_text(seed_example(4))
    ids = []
    for path in (seed, real_sample("data-access-web-session.file.json")):
        records = parse(path)[0]
        ids.append(
            sorted(
                (t, row.get("fact_id") or row["sde_id"])
                for r in records
                for t, rs in r.tables.items()
                for row in rs
            )
        )
    assert ids[0] == ids[1]


# -- the same fact in two files --------------------------------------------------------------------


def test_the_same_body_in_two_files_has_the_same_fact_ids(tmp_path):
    doc = json.loads(seed_example(4))
    first = write(tmp_path, doc, "a.json")
    later = copy.deepcopy(doc)
    later["metaData"]["startTime"] = {"long": 1467295304468}
    later["recordCollection"].reverse()
    second = write(tmp_path, later, "b.json.gz")
    a, b = parse(first)[0], parse(second)[0]
    for table in ("web_page_view", "web_impression", "web_eligibility", "web_goal_achieved"):
        assert sorted(r["fact_id"] for r in rows(a, table)) == sorted(
            r["fact_id"] for r in rows(b, table)
        )
        assert rows(a, table)  # not vacuous
    for table in ("sde_customer_info", "sde_personal_info"):
        assert [r["sde_id"] for r in rows(a, table)] == [r["sde_id"] for r in rows(b, table)]
    # What each file says about the visit is kept per file: it differs by source_time.
    source_a, source_b = rows(a, "web_session_source"), rows(b, "web_session_source")
    assert {r["source_time"] for r in source_b} == {1467295304468}
    assert not {r["fact_id"] for r in source_a} & {r["fact_id"] for r in source_b}


def test_the_same_file_parsed_twice_gives_identical_rows(sample):
    assert [r.tables for r in parse(sample)[0]] == [r.tables for r in parse(sample)[0]]


def test_identical_facts_within_one_body_collapse():
    view = {"timestamp": {"long": 1}, "url": {"string": "https://x"}, "referrerUrl": None}
    parsed = parse_web_body(
        body("WebSessionNavigationData", navigationData={"array": [view, dict(view)]}),
        META,
        "p",
    )
    assert len(parsed.tables["web_page_view"]) == 1


def test_fact_ids_differ_by_visit():
    nav = {"array": [{"timestamp": {"long": 1}, "url": {"string": "https://x"}}]}
    one = parse_web_body(body("WebSessionNavigationData", navigationData=nav), META, "p")
    other_body = body("WebSessionNavigationData", navigationData=nav)
    other_body[NS + "WebSessionNavigationData"]["header"] = header("another-visit")
    other = parse_web_body(other_body, META, "p")
    assert one.tables["web_page_view"][0]["fact_id"] != other.tables["web_page_view"][0]["fact_id"]


# -- session info and geo --------------------------------------------------------------------------


def test_session_info_and_geo_bodies_fill_the_session_columns():
    records, rejected = parse(DATA / "session_info_geo.json")
    assert rejected == []
    info, geo, flat = (r.tables["web_session_source"][0] for r in records)
    assert set(records[0].tables) == {"web_session_source"}
    assert info["session_start_time"] == 1467291704000
    assert info["user_agent"] == "Mozilla/5.0 (Windows NT 10.0)"
    assert (info["device_os"], info["device_family"]) == ("WINDOWS", "DESKTOP")
    assert info["site_control_group"] == "TEST"
    assert (info["search_engine"], info["search_engine_key"]) == ("google", "blinds online")
    assert info["first_fact_time"] == 1467291704000
    assert json.loads(info["extra"]) == {"sessionInfo": {"browserLanguage": "en-US"}}
    assert (info["visit_id"], info["visitor_id"], info["context_id"]) == (
        "visit-geo",
        "visitor-1",
        "ctx-1",
    )
    assert (info["account_id"], info["source_time"]) == ("75555851", 1467300000000)
    assert geo["ip_v4"] == "192.0.2.10" and geo.get("ip_v6") is None
    assert (geo["country"], geo["country_code"]) == ("United States", "US")
    assert (geo["state"], geo["city"]) == ("Texas", "Houston")
    assert (geo["org"], geo["isp"]) == ("Example Org", "Example ISP")
    assert "extra" not in geo
    # An unnamed body type is recognised by its documented fields.
    assert (flat["visit_id"], flat["user_agent"], flat["device_os"]) == (
        "visit-flat",
        "curl/8.0",
        "LINUX",
    )


# -- bad bodies ------------------------------------------------------------------------------------


def test_an_unknown_body_type_is_rejected_with_its_raw_text(tmp_path):
    doc = json.loads(seed_example(4))
    strange = body("WebSessionTeleportData", jumps={"array": [{"to": {"string": "mars"}}]})
    doc["recordCollection"].insert(1, {"body": strange})
    records, rejected = parse(write(tmp_path, doc))
    assert len(records) == 5
    (bad,) = rejected
    assert bad.position == "byte 0, recordCollection[1]"
    assert "unknown web-session body type" in bad.reason and "WebSessionTeleportData" in bad.reason
    assert json.loads(bad.raw) == strange


@pytest.mark.parametrize("visit", [None, ""])
def test_a_body_without_a_visit_id_is_rejected(visit):
    nav = body("WebSessionNavigationData", navigationData={"array": []})
    nav[NS + "WebSessionNavigationData"]["header"] = header(visit)
    rejected = parse_web_body(nav, META, "byte 0, recordCollection[7]")
    assert isinstance(rejected, Rejected)
    assert rejected.position == "byte 0, recordCollection[7]"
    assert "without a visit id" in rejected.reason
    assert json.loads(rejected.raw) == nav


def test_a_body_that_is_not_an_avro_record_is_rejected():
    rejected = parse_web_body({"navigationData": []}, META, "p")
    assert isinstance(rejected, Rejected) and "not an Avro record" in rejected.reason


def test_an_unknown_sde_type_rejects_that_attribute_alone():
    attrs = {
        "array": [
            {"timestamp": {"long": 5}, "data": {NS + "Horoscope": {"sign": {"string": "leo"}}}},
            {"timestamp": {"long": 6}, "data": {NS + "Lead": {"topic": {"string": "cars"}}}},
        ]
    }
    parsed = parse_web_body(
        body("WebSessionEngAttrsData", engagementAttributes=attrs), META, "byte 0, x[0]"
    )
    (lead,) = parsed.tables["sde_lead"]
    assert lead["topic"] == "cars" and lead["server_time"] == 6
    (bad,) = parsed.rejections
    assert bad.position == "byte 0, x[0], engagementAttributes[0]"
    assert "Horoscope" in bad.reason
    assert json.loads(bad.raw) == attrs["array"][0]
    assert parsed.tables["web_session_source"][0]["first_fact_time"] == 6


def test_unknown_fields_of_known_bodies_go_to_extra():
    nav = {
        "array": [
            {"timestamp": {"long": 9}, "url": {"string": "u"}, "scrollDepth": {"int": 70}},
        ]
    }
    b = body("WebSessionNavigationData", navigationData=nav, pageCount={"int": 1})
    b[NS + "WebSessionNavigationData"]["header"][NS + "VisitorHeader"]["tabId"] = {"string": "t"}
    parsed = parse_web_body(b, META, "p")
    (view,) = parsed.tables["web_page_view"]
    assert json.loads(view["extra"]) == {"scrollDepth": 70}
    (source,) = parsed.tables["web_session_source"]
    assert json.loads(source["extra"]) == {"header": {"tabId": "t"}, "pageCount": 1}


def test_uncastable_values_warn_and_stay_in_extra():
    nav = {"array": [{"timestamp": {"string": "yesterday"}, "url": {"string": "u"}}]}
    parsed = parse_web_body(body("WebSessionNavigationData", navigationData=nav), META, "p")
    (view,) = parsed.tables["web_page_view"]
    assert view.get("event_time") is None
    assert json.loads(view["extra"]) == {"timestamp": "yesterday"}
    assert len(parsed.warnings) == 1 and "timestamp" in parsed.warnings[0]


def test_entries_that_are_not_records_stay_in_the_source_row():
    # Nothing of a file is lost: as conversations keep such entries in conversation.extra,
    # a body keeps them in its web_session_source row's extra, under their path.
    nav = {"array": [{"url": {"string": "u"}}, 12345]}
    parsed = parse_web_body(body("WebSessionNavigationData", navigationData=nav), META, "p")
    assert [v["url"] for v in parsed.tables["web_page_view"]] == ["u"]
    (source,) = parsed.tables["web_session_source"]
    assert json.loads(source["extra"]) == {"navigationData[1]": 12345}
    assert parsed.warnings == [
        "WebSessionNavigationData navigationData[1]: not a record: kept in web_session_source.extra"
    ]
    goals = {"array": ["junk-goal"]}
    parsed = parse_web_body(body("WebSessionGoalAchievedData", achievedGoals=goals), META, "p")
    (source,) = parsed.tables["web_session_source"]
    assert json.loads(source["extra"]) == {"achievedGoals[0]": "junk-goal"}
    assert "web_goal_achieved" not in parsed.tables


def _campaign_entry() -> dict:
    return {"campaign": {"id": {"long": 7}}, "engagements": {"array": [{"id": {"long": 8}}]}}


_ASSESSED = {"timestamp": 1467291704571, "note": "n"}


@pytest.mark.parametrize(
    "campaigns, expected",
    [
        ({"array": []}, {"eligibilityData[0]": {**_ASSESSED, "eligibleCampaigns": []}}),
        (None, {"eligibilityData[0]": _ASSESSED}),
        (
            {"long": 99},
            {"eligibilityData[0]": _ASSESSED, "eligibilityData[0].eligibleCampaigns[0]": 99},
        ),
    ],
    ids=["none-eligible", "null", "not-an-array"],
)
def test_an_assessment_without_campaigns_stays_in_the_source_row(campaigns, expected):
    # web_eligibility has a row per eligible campaign: an assessment that found none (or
    # none readable) has no row, and its time and fields are kept in the source row.
    assessment = {"timestamp": {"long": 1467291704571}, "note": {"string": "n"}}
    assessment["eligibleCampaigns"] = campaigns
    data = {"array": [assessment]}
    parsed = parse_web_body(body("WebSessionEligibilityData", eligibilityData=data), META, "p")
    assert "web_eligibility" not in parsed.tables
    (source,) = parsed.tables["web_session_source"]
    assert json.loads(source["extra"]) == expected


def test_an_uncastable_assessment_time_is_kept_in_extra():
    assessment = {"timestamp": {"long": True}, "eligibleCampaigns": {"array": [_campaign_entry()]}}
    data = {"array": [assessment]}
    parsed = parse_web_body(body("WebSessionEligibilityData", eligibilityData=data), META, "p")
    (row,) = parsed.tables["web_eligibility"]
    assert row.get("assessment_time") is None
    assert json.loads(row["extra"])["assessment"] == {"timestamp": {"long": True}}
    assert len(parsed.warnings) == 1 and "timestamp" in parsed.warnings[0]


@pytest.mark.parametrize("unknown", [{"long": -1}, {"string": "undefined"}, {"string": ""}])
def test_an_unknown_assessment_time_is_null_and_not_kept(unknown):
    assessment = {"timestamp": unknown, "eligibleCampaigns": {"array": [_campaign_entry()]}}
    data = {"array": [assessment]}
    parsed = parse_web_body(body("WebSessionEligibilityData", eligibilityData=data), META, "p")
    (row,) = parsed.tables["web_eligibility"]
    assert row.get("assessment_time") is None
    assert "assessment" not in json.loads(row.get("extra") or "{}")
    assert parsed.warnings == []


def test_impression_container_fields_without_a_column_go_to_extra():
    impression = {
        "timestamp": {"long": 1467291704600},
        "impressionType": {"string": "Accept"},
        "engagement": {NS + "Engagement": {"id": {"long": 7}, "zIndex": {"int": 3}}},
        "campaign": {NS + "Campaign": {"id": {"long": 8}, "zIndex": {"string": "1"}}},
        "goal": None,
    }
    parsed = parse_web_body(
        body("WebSessionImpressionData", impressions={"array": [impression]}), META, "p"
    )
    (row,) = parsed.tables["web_impression"]
    assert (row["event_time"], row["impression_type"]) == (1467291704600, "Accept")
    assert (row["engagement_id"], row["campaign_id"]) == (7, 8)
    assert json.loads(row["extra"]) == {"engagement": {"zIndex": 3}, "campaign": {"zIndex": "1"}}
    assert parsed.tables["web_session_source"][0]["first_fact_time"] == 1467291704600


# Every field of seed 004's Campaign table, Avro-encoded, and the column it lands in.
CAMPAIGN = {
    "id": ({"long": 8}, "campaign_id", 8),
    "channel": ({"string": "web"}, "campaign_channel", "web"),
    "type": ({"string": "1"}, "campaign_type", "1"),
    "visitorBehaviors": (
        {"array": [{"id": {"long": 5}, "revision": {"long": 2}}]},
        "campaign_visitor_behaviors",
        [{"id": 5, "revision": 2}],
    ),
    "skillId": ({"int": 12}, "campaign_skill_id", 12),
    "skillName": ({"string": "Sales"}, "campaign_skill_name", "Sales"),
    "surveySkills": (
        {"array": [{"id": {"long": 3}, "name": {"string": "S"}}]},
        "campaign_survey_skills",
        [{"id": 3, "name": "S"}],
    ),
    "isOffsiteEngagement": ({"boolean": True}, "campaign_is_offsite", True),
    "availabilityPolicy": ({"string": "ALWAYS"}, "campaign_availability_policy", "ALWAYS"),
    "interactionType": ({"int": 1}, "campaign_interaction_type", 1),
    "renderingType": ({"int": 0}, "campaign_rendering_type", 0),
}


def _campaign_columns(row: dict) -> dict:
    json_columns = {"campaign_visitor_behaviors", "campaign_survey_skills"}
    return {
        column: json.loads(row[column]) if column in json_columns else row.get(column)
        for _, column, _ in CAMPAIGN.values()
    }


def test_every_documented_campaign_field_has_its_column_in_impressions_and_eligibility():
    campaign = {NS + "Campaign": {key: value for key, (value, _, _) in CAMPAIGN.items()}}
    expected = {column: value for _, column, value in CAMPAIGN.values()}
    impression = {"timestamp": {"long": 1}, "impressionType": {"string": "Show"}}
    impressions = {"array": [{**impression, "campaign": campaign}]}
    parsed = parse_web_body(body("WebSessionImpressionData", impressions=impressions), META, "p")
    (row,) = parsed.tables["web_impression"]
    assert _campaign_columns(row) == expected
    assert "extra" not in row or row["extra"] is None
    entry = {"campaign": campaign, "engagements": {"array": []}}
    data = {"array": [{"eligibleCampaigns": {"array": [entry]}, "timestamp": {"long": 77}}]}
    parsed = parse_web_body(body("WebSessionEligibilityData", eligibilityData=data), META, "p")
    (row,) = parsed.tables["web_eligibility"]
    assert _campaign_columns(row) == expected
    assert "extra" not in row or row["extra"] is None


# -- eligibility and goal metadata variants --------------------------------------------------------


def test_a_campaign_without_engagements_gives_one_row_without_engagement_columns():
    entry = {
        "campaign": {NS + "Campaign": {"id": {"long": 1}, "visitorProfiles": None}},
        "engagements": {"array": []},
        "goal": None,
        "controlGroupType": {NS + "ControlGroupEnum": "CONTROL"},
    }
    two = {
        **entry,
        "campaign": {NS + "Campaign": {"id": {"long": 2}}},
        "engagements": {"array": [{"id": {"long": 21}}, {"id": {"long": 22}}]},
    }
    data = {"array": [{"eligibleCampaigns": {"array": [entry, two]}, "timestamp": {"long": 77}}]}
    parsed = parse_web_body(body("WebSessionEligibilityData", eligibilityData=data), META, "p")
    got = [
        (r["campaign_id"], r.get("engagement_id"), r["control_group_type"], r["assessment_time"])
        for r in parsed.tables["web_eligibility"]
    ]
    assert got == [(1, None, "CONTROL", 77), (2, 21, "CONTROL", 77), (2, 22, "CONTROL", 77)]
    assert len({r["fact_id"] for r in parsed.tables["web_eligibility"]}) == 3


GOAL_VARIANTS = [
    (
        "UrlGoalMetadata",
        {"url": {"string": "https://x/thanks"}},
        {"metadata_url": "https://x/thanks"},
    ),
    (
        "PurchaseMetadata",
        {
            "total": {"double": 99.5},
            "orderId": {"string": "o-1"},
            "cartStatus": {NS + "CartStatus": {"total": {"double": 99.5}, "numItems": {"int": 2}}},
        },
        {
            "metadata_total": 99.5,
            "metadata_order_id": "o-1",
            "metadata_cart_status": {"total": 99.5, "numItems": 2},
        },
    ),
    (
        "IncreaseInteractionGoalMetadata",
        {
            "engagement": {NS + "Engagement": {"id": {"long": 5}}},
            "campaign": {NS + "Campaign": {"id": {"long": 6}}},
        },
        {"metadata_engagement": {"id": 5}, "metadata_campaign": {"id": 6}},
    ),
    (
        "LeadMetadata",
        {"topic": {"string": "cars"}, "leadId": {"string": "L1"}, "value": {"double": 22.22}},
        {"metadata_topic": "cars", "metadata_lead_id": "L1", "metadata_value": 22.22},
    ),
    (
        "ServiceActivityMetadata",
        {
            "topic": {"string": "checkbook"},
            "status": {"int": 0},
            "category": {"string": "finance"},
            "serviceId": {"string": "s12"},
        },
        {
            "metadata_topic": "checkbook",
            "metadata_status": 0,
            "metadata_category": "finance",
            "metadata_service_id": "s12",
        },
    ),
]


@pytest.mark.parametrize(
    "kind, metadata, expected", GOAL_VARIANTS, ids=[v[0] for v in GOAL_VARIANTS]
)
def test_goal_metadata_variants(kind, metadata, expected):
    goal = {
        "id": {"string": "g"},
        "timestamp": {"long": 3},
        "campaignGoalId": {"long": 4},
        "goalMetaData": {NS + kind: metadata},
    }
    parsed = parse_web_body(
        body("WebSessionGoalAchievedData", achievedGoals={"array": [goal]}), META, "p"
    )
    (row,) = parsed.tables["web_goal_achieved"]
    assert row["metadata_kind"] == kind
    got = {k: v for k, v in row.items() if k.startswith("metadata_") and k != "metadata_kind"}
    json_columns = {"metadata_cart_status", "metadata_engagement", "metadata_campaign"}
    got = {k: json.loads(v) if k in json_columns else v for k, v in got.items()}
    assert got == expected
    assert "extra" not in row


def test_two_goals_differing_only_by_metadata_kind_are_two_facts():
    goals = [
        {"id": {"string": "g"}, "goalMetaData": {NS + "LeadMetadata": {"topic": {"string": "t"}}}},
        {"id": {"string": "g"}, "goalMetaData": {NS + "OtherMetadata": {"topic": {"string": "t"}}}},
    ]
    parsed = parse_web_body(
        body("WebSessionGoalAchievedData", achievedGoals={"array": goals}), META, "p"
    )
    kinds = [r["metadata_kind"] for r in parsed.tables["web_goal_achieved"]]
    assert kinds == ["LeadMetadata", "OtherMetadata"]


# -- files -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, data_type",
    [
        ("data-access-engagement.file.json", "Engagement"),
        ("data-access-survey.file.json", "Survey"),
        ("data-access-agent-activity.file.json", "AgentActivity"),
    ],
)
def test_other_data_access_types_are_refused_not_parsed(name, data_type):
    records, rejected = parse(real_sample(name))
    assert records == []
    # One refusal per document (the agent-activity sample holds two copies).
    copies = 2 if "agent-activity" in name else 1
    assert len(rejected) == copies
    assert all(f"Data Access {data_type} data is not loaded" in r.reason for r in rejected)


@pytest.mark.parametrize("records", ["not-an-array", {"body": {}}, 5])
@pytest.mark.parametrize("limit", [8 * 1024 * 1024, 64], ids=["small", "streamed"])
def test_a_record_collection_that_is_not_an_array_is_rejected(
    tmp_path, monkeypatch, records, limit
):
    # It used to vanish: the file loaded with no record, no rejection and no warning.
    monkeypatch.setattr(sources, "SMALL_FILE_LIMIT", limit)
    doc = json.loads(seed_example(4))
    doc["recordCollection"] = records
    parsed, rejected = parse(write(tmp_path, doc))
    assert parsed == []
    assert [(r.position, r.reason, json.loads(r.raw)) for r in rejected] == [
        ("byte 0, recordCollection", "recordCollection is not an array of records", records)
    ]


@pytest.mark.parametrize(
    "data_type, expected",
    [
        ({"com.liveperson.dataaccess.DataTypeEnum": "WebSession", "zz": "x"}, "WebSession"),
        ({"com.liveperson.dataaccess.DataTypeEnum": {"nested": ["WebSession"]}}, "WebSession"),
        ({"com.liveperson.dataaccess.DataTypeEnum": 5}, None),
        (7, None),
    ],
    ids=["extra-key", "nested", "number-in-union", "number"],
)
@pytest.mark.parametrize("limit", [8 * 1024 * 1024, 64], ids=["small", "streamed"])
def test_a_malformed_data_type_is_read_as_detection_reads_it(
    tmp_path, monkeypatch, data_type, expected, limit
):
    # Detection takes dataType's first string (or, without one, the bodies' record names)
    # and calls the file web sessions; every body was then refused as "another data type".
    monkeypatch.setattr(sources, "SMALL_FILE_LIMIT", limit)
    doc = json.loads(seed_example(4))
    doc["dataType"] = data_type
    path = write(tmp_path, doc)
    assert detect(path).kind == "web_session"
    assert {m.data_type for m, _, _ in iter_data_access(path)} == {expected}
    records, rejected = parse(path)
    assert (len(records), rejected) == (5, [])


@pytest.mark.parametrize("limit", [8 * 1024 * 1024, 64], ids=["small", "streamed"])
def test_metadata_after_the_record_collection_still_applies(tmp_path, monkeypatch, limit):
    monkeypatch.setattr(sources, "SMALL_FILE_LIMIT", limit)
    doc = json.loads(seed_example(4))
    late = {"recordCollection": doc["recordCollection"], "metaData": doc["metaData"]}
    late["dataType"] = doc["dataType"]
    metas = [m for m, _, _ in iter_data_access(write(tmp_path, late))]
    assert len(metas) == 5
    assert metas[0] == FileMeta("WebSession", "75555851", 1467291704468, None, "1.0.0.22")
    records, rejected = parse(write(tmp_path, late))
    assert rejected == []
    assert {r["source_time"] for r in rows(records, "web_session_source")} == {1467291704468}


def test_a_non_data_access_value_in_a_web_file_is_rejected(tmp_path):
    path = tmp_path / "mixed.jsonl"
    seed = json.loads(seed_example(4))
    path.write_bytes(orjson.dumps(seed) + b"\n[1, 2]\n")
    records, rejected = parse(path)
    assert len(records) == 5
    assert [(r.position, r.reason) for r in rejected] == [
        ("line 2", "not a Data Access web-session document")
    ]


def test_a_30_mb_web_session_file_is_streamed_in_bounded_memory(tmp_path):
    doc = json.loads(seed_example(4))
    path = tmp_path / "big.json"
    visits = 0
    with open(path, "wb") as f:
        f.write(b'{"dataType": ' + orjson.dumps(doc["dataType"]))
        f.write(b', "metaData": ' + orjson.dumps(doc["metaData"]) + b', "recordCollection": [')
        while f.tell() < 30_000_000:
            for i, item in enumerate(doc["recordCollection"]):
                ((_, payload),) = item["body"].items()
                payload["header"][NS + "VisitorHeader"]["visitId"]["string"] = f"v{visits}"
                f.write((b"," if visits or i else b"") + orjson.dumps(item))
            visits += 1
        f.write(b"]}")
    if not Path("/proc/self/status").exists():
        pytest.skip("peak memory is read from /proc (Linux)")
    # Peak memory of the child: VmHWM (ru_maxrss would include the pytest parent's peak).
    code = """
import json, sys, time
from loaders.web_files import iter_web_records
t = time.perf_counter()
views = bodies = 0
visits = set()
for r in iter_web_records(sys.argv[1]):
    bodies += 1
    visits.add(r.key)
    views += len(r.tables.get("web_page_view", []))
seconds = time.perf_counter() - t
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if "VmHWM" in line)
print(json.dumps({"views": views, "bodies": bodies, "visits": len(visits),
                  "seconds": seconds, "peak_mb": peak / 1024}))
"""
    got = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    result = json.loads(got.stdout)
    assert result["bodies"] == 5 * visits
    assert result["views"] == 3 * visits
    assert result["visits"] == visits
    # Read at once, this file would take over 500 MB as Python objects.
    assert result["peak_mb"] < 150, result


# -- Avro-JSON unwrapping --------------------------------------------------------------------------


def test_avro_unwrap_primitives_containers_and_records():
    value = {
        "s": {"string": "x"},
        "l": {"long": 1467291704525},
        "i": {"int": -1},
        "d": {"double": 2.5},
        "nan": {"double": "NaN"},
        "b": {"boolean": False},
        "a": {"array": [{"int": 1}, None, {"string": "y"}]},
        "m": {"map": {"string": {"long": 2}, "k": {"boolean": True}}},
        "r": {NS + "Goal": {"id": {"long": 3}, "type": None}},
        "e": {NS + "ControlGroupEnum": "NA"},
        "n": None,
    }
    assert avro.unwrap(value) == {
        "s": "x",
        "l": 1467291704525,
        "i": -1,
        "d": 2.5,
        "nan": "NaN",
        "b": False,
        "a": [1, None, "y"],
        "m": {"string": 2, "k": True},
        "r": {"id": 3, "type": None},
        "e": "NA",
        "n": None,
    }
    assert avro.clean(value)["r"] == {"id": 3}
    assert "n" not in avro.clean(value)


@pytest.mark.parametrize(
    "plain",
    [
        {"url": "https://x"},  # a field name, not a type name
        {"string": 5},  # a type name with a value of the wrong JSON type
        {"long": True},
        {"array": {"not": "a list"}},
        {"Campaign": {"id": 1}},  # not namespaced
    ],
)
def test_avro_one_key_dicts_that_are_not_unions_stay_dicts(plain):
    assert avro.unwrap(plain) == plain
    assert avro.unwrap_named(plain) == (None, plain)


def test_avro_unwrap_named_keeps_the_record_or_enum_name():
    goal = {NS + "ReduceAbandonmentGoalMetadata": {"numberOfPages": {"int": 2}}}
    name, value = avro.unwrap_named(goal)
    assert (name, value) == (NS + "ReduceAbandonmentGoalMetadata", {"numberOfPages": 2})
    assert avro.short_name(name) == "ReduceAbandonmentGoalMetadata"
    assert avro.unwrap_named({NS + "ControlGroupEnum": "TEST"}) == (NS + "ControlGroupEnum", "TEST")
    assert avro.unwrap_named({"string": "x"}) == (None, "x")
    assert avro.unwrap_named(None) == (None, None)
