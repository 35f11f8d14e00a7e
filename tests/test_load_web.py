"""Loading Data Access web-session files end to end, on both databases.

Facts accumulate (the same fact in two files is stored once), a visit split over
files is whole after loading them all in any order, and files that are not
web-session data (a listing, another data type, an unknown body) are reported,
never crash the load.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa
from seeds import real_sample, seed_example

import warehouse
from warehouse import db

VISIT = "AjvT6hLKTEi3AXgGnYu_mQ.606c99c686cbe0d422d558a5005b3ec2275dc20a"
WEB_TABLES = (
    "web_session",
    "web_session_source",
    "web_page_view",
    "web_impression",
    "web_eligibility",
    "web_goal_achieved",
    "sde_customer_info",
    "sde_personal_info",
    "sde_personal_info_contact",
)


def query(url: str, sql: str, **params) -> list[tuple]:
    engine = db.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql), params)]
    finally:
        engine.dispose()


def counts(url: str) -> dict[str, int]:
    return {t: query(url, f"SELECT count(*) FROM {t}")[0][0] for t in WEB_TABLES}


def web_dump(url: str) -> dict[str, list]:
    out = {}
    for table in WEB_TABLES:
        rows = query(url, f"SELECT * FROM {table}")
        names = query(
            url,
            "SELECT column_name FROM information_schema.columns WHERE table_name = :t "
            "ORDER BY ordinal_position",
            t=table,
        )
        keep = [i for i, (n,) in enumerate(names) if n != "load_id"]
        out[table] = sorted((tuple(r[i] for i in keep) for r in rows), key=repr)
    return out


#: The rows the seed 004 example gives each table (besides its one web_session row).
SEED_ROWS = {
    "web_session_source": 5,
    "web_page_view": 3,
    "web_impression": 3,
    "web_eligibility": 2,
    "web_goal_achieved": 1,
    "sde_customer_info": 1,
    "sde_personal_info": 1,
    "sde_personal_info_contact": 1,  # a child row: its table has no load_id
}


def seed_file() -> dict:
    return json.loads(seed_example(4))


def header(visit: str) -> dict:
    return {
        "com.liveperson.dataaccess.VisitorHeader": {
            "visitId": {"string": visit},
            "visitorId": {"string": "visitor-1"},
            "contextId": None,
        }
    }


def data_access_file(start_time: int, bodies: list[dict]) -> dict:
    return {
        "dataType": {"com.liveperson.dataaccess.DataTypeEnum": "WebSession"},
        "metaData": {
            "accountId": {"string": "75555851"},
            "schemaVersion": "1.0.0.22",
            "startTime": {"long": start_time},
            "endTime": None,
        },
        "recordCollection": [{"body": b} for b in bodies],
    }


def session_info(visit: str, **fields) -> dict:
    wrapped = {k: ({"long": v} if isinstance(v, int) else {"string": v}) for k, v in fields.items()}
    return {
        "com.liveperson.dataaccess.WebSessionSessionInfoData": {
            "header": header(visit),
            "sessionInfo": {"com.liveperson.dataaccess.SessionInfo": wrapped},
        }
    }


def geo(visit: str, **fields) -> dict:
    return {
        "com.liveperson.dataaccess.WebSessionGeoData": {
            "header": header(visit),
            "geoData": {
                "com.liveperson.dataaccess.GeoData": {k: {"string": v} for k, v in fields.items()}
            },
        }
    }


def navigation(visit: str, *pages: tuple[int, str]) -> dict:
    return {
        "com.liveperson.dataaccess.WebSessionNavigationData": {
            "header": header(visit),
            "navigationData": {
                "array": [
                    {
                        "timestamp": {"long": t},
                        "url": {"string": url},
                        "referrerUrl": None,
                        "sections": {"array": []},
                    }
                    for t, url in pages
                ]
            },
        }
    }


def write(path: Path, value) -> Path:
    path.write_bytes(orjson.dumps(value))
    return path


def test_seed_004_example_loads_every_record_type(db_url, tmp_path):
    summary = warehouse.load([write(tmp_path / "web.json", seed_file())], db_url)
    assert not summary.rejected, summary.to_dict()
    assert counts(db_url) == {"web_session": 1, **SEED_ROWS}
    assert query(
        db_url, "SELECT visit_id, visitor_id, account_id, first_fact_time FROM web_session"
    ) == [(VISIT, "pKytlMTwSPCwpJS-RQqtlQ", "75555851", query_ts(1467291704525))]
    assert query(
        db_url,
        "SELECT impression_type, count(*) FROM web_impression GROUP BY 1 ORDER BY 1",
    ) == [("Close", 1), ("Show", 2)]
    assert query(
        db_url,
        "SELECT metadata_kind, metadata_number_of_pages, campaign_goal_id FROM web_goal_achieved",
    ) == [("ReduceAbandonmentGoalMetadata", 2, 153250510)]
    assert query(
        db_url, "SELECT source, visit_id, customer_status, customer_id FROM sde_customer_info"
    ) == [("web_session", VISIT, "agentManager", "Account: 89995382")]
    assert query(db_url, "SELECT kind, status FROM load_file") == [("web_session", "loaded")]


def query_ts(ms: int):
    from datetime import datetime, timedelta

    return datetime(1970, 1, 1) + timedelta(milliseconds=ms)


def test_documented_campaign_fields_land_in_their_typed_columns(db_url, tmp_path):
    # Seed 004's Campaign container (the examples show only id and visitorProfiles).
    campaign = {
        "com.liveperson.dataaccess.Campaign": {
            "id": {"long": 129082910},
            "channel": {"string": "web"},
            "type": {"string": "1"},
            "skillId": {"int": 12},
            "skillName": {"string": "Sales"},
            "isOffsiteEngagement": {"boolean": True},
            "availabilityPolicy": {"string": "ALWAYS"},
            "interactionType": {"int": 1},
            "renderingType": {"int": 0},
            "visitorBehaviors": {"array": [{"id": {"long": 5}, "revision": {"long": 2}}]},
        }
    }
    impression = {
        "com.liveperson.dataaccess.WebSessionImpressionData": {
            "header": header("v1"),
            "impressions": {
                "array": [
                    {
                        "timestamp": {"long": 1467291704600},
                        "impressionType": {"string": "Show"},
                        "campaign": campaign,
                    }
                ]
            },
        }
    }
    doc = data_access_file(1467291704468, [impression])
    summary = warehouse.load([write(tmp_path / "web.json", doc)], db_url)
    assert not summary.rejected and summary.totals()["warnings"] == 0
    assert query(
        db_url,
        "SELECT campaign_id, campaign_channel, campaign_type, campaign_skill_id, "
        "campaign_skill_name, campaign_is_offsite, campaign_availability_policy, "
        "campaign_interaction_type, campaign_rendering_type, campaign_visitor_behaviors, extra "
        "FROM web_impression",
    ) == [
        (129082910, "web", "1", 12, "Sales", True, "ALWAYS", 1, 0, '[{"id":5,"revision":2}]', None)
    ]


def test_the_real_sample_and_the_seed_are_the_same_facts(db_url, tmp_path):
    # The published file adds two null fields to the seed's; the facts are the same.
    warehouse.load([real_sample("data-access-web-session.file.json")], db_url)
    before = counts(db_url)
    warehouse.load([write(tmp_path / "seed004.json", seed_file())], db_url)
    after = counts(db_url)
    assert after["web_page_view"] == before["web_page_view"] == 3
    assert after["web_impression"] == before["web_impression"] == 3


def test_same_file_twice_and_overlapping_files_store_each_fact_once(db_url, tmp_path):
    a = write(
        tmp_path / "a.json",
        data_access_file(1000, [navigation("v1", (1, "/home"), (2, "/cart"))]),
    )
    b = write(
        tmp_path / "b.json",
        data_access_file(
            2000,
            [navigation("v1", (1, "/home"), (2, "/cart")), navigation("v1", (3, "/pay"))],
        ),
    )
    warehouse.load([a], db_url)
    again = warehouse.load([a], db_url)
    assert [f.status for f in again.files] == ["skipped"]
    warehouse.load([a], db_url, force=True)
    warehouse.load([b], db_url)
    assert query(db_url, "SELECT url FROM web_page_view ORDER BY event_time") == [
        ("/home",),
        ("/cart",),
        ("/pay",),
    ]


@pytest.mark.parametrize("workers", [0, 2])
def test_each_file_counts_the_facts_it_brought_first(fresh_db, tmp_path, workers):
    """A file's rows per table are the facts it wrote: a fact already stored, or brought by
    a file before it in the same load (even in the same write), is not counted again, and
    its load_id names the file that brought it first."""
    first = write(tmp_path / "1.json", seed_file())
    later = seed_file()
    later["metaData"]["startTime"] = {"long": 1467291800000}
    later["recordCollection"].append({"body": navigation(VISIT, (1467291800001, "/new"))})
    later["recordCollection"].append({"body": navigation("v-new", (1467291800002, "/"))})
    second = write(tmp_path / "2.json", later)
    # What a file says about the visit is its own (web_session merges the files' sources):
    # each body of the second file is a source of its own, its only new facts the page
    # views; its only new visit v-new (web_session counts the visits a file brought first).
    expected = [
        {"web_session": 1, **SEED_ROWS},
        {"web_session": 1, "web_session_source": 7, "web_page_view": 2},
    ]

    one_at_a_time = fresh_db()
    alone = [warehouse.load([f], one_at_a_time, workers=0).files[0] for f in (first, second)]
    assert [dict(f.counts.rows) for f in alone] == expected
    together = fresh_db()
    summary = warehouse.load([first, second], together, workers=workers)
    assert [dict(f.counts.rows) for f in summary.files] == expected
    assert web_dump(together) == web_dump(one_at_a_time)
    first_id, second_id = (f.load_id for f in summary.files)
    assert query(together, "SELECT load_id, count(*) FROM web_page_view GROUP BY 1 ORDER BY 1") == [
        (first_id, 3),
        (second_id, 2),
    ]
    assert query(together, "SELECT load_id FROM sde_personal_info") == [(first_id,)]
    again = warehouse.load([first, second], together, force=True, workers=workers)
    assert [dict(f.counts.rows) for f in again.files] == [{}, {}]
    assert query(together, "SELECT count(*) FROM web_page_view") == [(5,)]
    assert query(together, "SELECT count(*) FROM web_session") == [(2,)]


@pytest.mark.parametrize("workers", [0, 2])
def test_files_written_together_keep_their_own_facts_and_a_repeated_fact_is_stored_once(
    fresh_db, tmp_path, workers
):
    """Files written in one statement: each fact row names the file that brought it, each
    file counts its own; the same fact twice in one file (two bodies) is one row."""
    pages = [(1467291800001, "/a"), (1467291800002, "/b")]
    files = [
        write(tmp_path / "1.json", data_access_file(1467291800000, [navigation("v-1", *pages)])),
        write(
            tmp_path / "2.json",
            data_access_file(
                1467291900000,
                [navigation("v-2", *pages), navigation("v-2", pages[0])],  # "/a" twice
            ),
        ),
    ]
    url = fresh_db()
    summary = warehouse.load(files, url, workers=workers)
    assert [f.counts.rows["web_page_view"] for f in summary.files] == [2, 2]
    ids = {f.path: f.load_id for f in summary.files}
    rows = query(url, "SELECT visit_id, url, load_id FROM web_page_view ORDER BY 1, 2")
    assert rows == [
        ("v-1", "/a", ids[str(files[0])]),
        ("v-1", "/b", ids[str(files[0])]),
        ("v-2", "/a", ids[str(files[1])]),
        ("v-2", "/b", ids[str(files[1])]),
    ]


def test_a_visit_split_over_files_is_whole_in_either_order(db_url, tmp_path):
    early = write(
        tmp_path / "early.json",
        data_access_file(
            1_000_000,
            [
                session_info(
                    "v1", sessionStartTime=500_000, userAgent="old agent", deviceOS="MAC_OS"
                ),
                geo("v1", country="United States", countryCode="US", city="Boston"),
                navigation("v1", (600_000, "/home")),
            ],
        ),
    )
    late = write(
        tmp_path / "late.json",
        data_access_file(
            2_000_000,
            [
                session_info("v1", userAgent="new agent"),
                geo("v1", country="Canada", countryCode="CA"),
                navigation("v1", (700_000, "/cart")),
            ],
        ),
    )
    warehouse.load([early, late], db_url)
    forward = web_dump(db_url)
    expected = [
        (
            query_ts(500_000),
            "new agent",
            "MAC_OS",
            "Canada",
            "CA",
            "Boston",
            query_ts(500_000),
        )
    ]
    sql = (
        "SELECT session_start_time, user_agent, device_os, country, country_code, city, "
        "first_fact_time FROM web_session"
    )
    assert query(db_url, sql) == expected
    other = str(tmp_path / "reverse.duckdb")
    warehouse.load([late, early], other)
    assert query(other, sql) == expected
    assert web_dump(other) == forward


def test_listing_unsupported_type_and_unknown_body_are_reported_not_crashing(db_url, tmp_path):
    listing = real_sample("data-access-web-session.listing.json")
    engagement = real_sample("data-access-engagement.file.json")
    page = seed_file()
    odd = {"com.liveperson.dataaccess.WebSessionTelepathyData": {"header": header(VISIT)}}
    page["recordCollection"].append({"body": odd})
    mixed = write(tmp_path / "mixed.json", page)
    summary = warehouse.load([listing, engagement, mixed], db_url)
    statuses = {Path(f.path).name: f.status for f in summary.files}
    assert statuses == {
        "data-access-web-session.listing.json": "listing",
        "data-access-engagement.file.json": "unsupported",
        "mixed.json": "loaded",
    }
    assert summary.rejected  # the unknown body
    rejected = query(db_url, "SELECT reason, raw FROM load_rejection")
    assert len(rejected) == 1
    assert "Telepathy" in rejected[0][0] or "unknown" in rejected[0][0].lower()
    assert orjson.loads(rejected[0][1]) == {"body": odd} or orjson.loads(rejected[0][1]) == odd
    assert counts(db_url)["web_page_view"] == 3
    assert query(db_url, "SELECT kind, status FROM load_file ORDER BY load_id") == [
        ("listing", "listing"),
        ("data_access", "unsupported"),
        ("web_session", "loaded"),
    ]


@pytest.mark.parametrize("in_parts", [False, True])
def test_keys_next_to_a_body_are_kept_in_its_source_row(db_url, tmp_path, monkeypatch, in_parts):
    # Nothing of a file is lost: what a recordCollection entry holds besides its body goes to
    # that body's web_session_source.extra, with a warning, read in order or in parts.
    from warehouse import loading

    if in_parts:  # streamed, and its bodies parsed by the parsing processes
        monkeypatch.setattr(loading, "WORKER_FILE_LIMIT", 0)
        monkeypatch.setattr(loading, "POOL_FILE_BYTES", 0)
    t0 = 1_700_000_000_000
    document = data_access_file(t0, [geo("v1", country="France"), navigation("v1", (t0, "/a"))])
    document["recordCollection"][1]["_links"] = {"self": "https://x/1"}
    document["recordCollection"][1]["seq"] = 7
    path = write(tmp_path / "w.json", document)
    summary = warehouse.load([path], db_url, workers=2 if in_parts else 0)
    (result,) = summary.files
    assert (result.status, result.counts.records_loaded, result.counts.warnings) == ("loaded", 2, 1)
    assert "keys next to the body" in result.counts.warning_samples[0]
    extras = [json.loads(e) if e else None for (e,) in query(
        db_url, "SELECT extra FROM web_session_source ORDER BY extra NULLS FIRST"
    )]  # fmt: skip
    assert extras == [
        None,
        {"recordCollection entry": {"_links": {"self": "https://x/1"}, "seq": 7}},
    ]
    assert query(db_url, "SELECT url FROM web_page_view") == [("/a",)]


@pytest.mark.parametrize("in_parts", [False, True])
def test_a_start_time_that_is_no_time_is_a_warning(db_url, tmp_path, monkeypatch, in_parts):
    # metaData.startTime orders the files that tell of a visit: one that cannot be read is
    # NULL, and the load says so once for the document (before, it said nothing).
    from warehouse import loading

    if in_parts:
        monkeypatch.setattr(loading, "WORKER_FILE_LIMIT", 0)
        monkeypatch.setattr(loading, "POOL_FILE_BYTES", 0)
    document = data_access_file(0, [geo("v1", country="France"), geo("v2", country="Peru")])
    document["metaData"]["startTime"] = {"string": "soon"}
    document["metaData"]["endTime"] = {"long": 1_700_000_000_000}
    path = write(tmp_path / "w.json", document)
    (result,) = warehouse.load([path], db_url, workers=2 if in_parts else 0).files
    assert (result.status, result.counts.records_seen, result.counts.warnings) == ("loaded", 2, 1)
    assert result.counts.warning_samples == [
        'byte 0: metaData.startTime "soon" is not a time: NULL; '
        "where files differ on a visit, this one's loses"
    ]
    assert query(db_url, "SELECT count(*), max(source_time) FROM web_session_source") == [(2, None)]


def test_truncated_gzip_web_file_is_rejected_whole(db_url, tmp_path):
    data = gzip.compress(orjson.dumps(seed_file()))
    bad = tmp_path / "web.json.gz"
    bad.write_bytes(data[: len(data) // 2])
    summary = warehouse.load([bad], db_url)
    assert [f.status for f in summary.files] == ["rejected"]
    assert str(bad) in summary.files[0].error
    assert counts(db_url)["web_page_view"] == 0


def test_a_folder_mixing_conversations_and_web_sessions(db_url, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "conversations.json").write_text(seed_example(0))
    (folder / "web.json.gz").write_bytes(gzip.compress(orjson.dumps(seed_file())))
    summary = warehouse.load([folder], db_url)
    assert sorted((Path(f.path).name, f.kind) for f in summary.files) == [
        ("conversations.json", "conversations"),
        ("web.json.gz", "web_session"),
    ]
    assert query(
        db_url, "SELECT source, count(*) FROM sde_customer_info GROUP BY 1 ORDER BY 1"
    ) == [
        ("conversation", 2),
        ("web_session", 1),
    ]


def test_load_file_keeps_each_data_access_files_meta_data(db_url, tmp_path):
    """A Data Access file's own metaData (its account, time window and schema version) is
    kept in load_file.detail and the load summary, for files loaded and files not loaded."""
    web = real_sample("data-access-web-session.file.json")
    survey = real_sample("data-access-survey.file.json")
    summary = warehouse.load([web, survey], db_url)
    assert [(f.status, f.meta_data) for f in summary.files] == [
        (
            "loaded",
            {
                "accountId": "75555851",
                "schemaVersion": "1.0.0.22",
                "startTime": 1467291704468,
                "endTime": None,
            },
        ),
        (
            "unsupported",
            {
                "accountId": "75555851",
                "schemaVersion": "1.0.0.22",
                "startTime": 1468274129221,
                "endTime": 1468274129228,
            },
        ),
    ]
    assert summary.to_dict()["files"][1]["meta_data"]["endTime"] == 1468274129228
    details = query(db_url, "SELECT kind, detail FROM load_file ORDER BY load_id")
    assert [(kind, json.loads(detail)["meta_data"]) for kind, detail in details] == [
        (kind, f.meta_data)
        for kind, f in zip(["web_session", "data_access"], summary.files, strict=True)
    ]
    conversations = tmp_path / "c.json"
    conversations.write_text(seed_example(0))
    warehouse.load([conversations], db_url)
    (detail,) = query(db_url, "SELECT detail FROM load_file WHERE kind = 'conversations'")[0]
    assert "meta_data" not in json.loads(detail)


@pytest.mark.parametrize("visitors", [("VISITOR-1", None), ("OLD", "NEW")], ids=["null", "changed"])
def test_a_fact_seen_again_has_the_same_visitor_whatever_the_order(fresh_db, tmp_path, visitors):
    """A body's header is not part of the fact it carries: the same page view in two files
    whose headers name different visitors (or none) keeps the greatest visitor named, in
    any order of the files, loaded together or one by one (found by an audit: the first
    file loaded decided)."""

    def page_view_file(name: str, start: int, visitor: str | None) -> Path:
        body = navigation(VISIT, (1_700_000_000_000, "https://x/a"))
        body["com.liveperson.dataaccess.WebSessionNavigationData"]["header"][
            "com.liveperson.dataaccess.VisitorHeader"
        ]["visitorId"] = None if visitor is None else {"string": visitor}
        return write(tmp_path / name, data_access_file(start, [body]))

    a = page_view_file("a.json", 1_700_000_000_000, visitors[0])
    b = page_view_file("b.json", 1_700_000_600_000, visitors[1])
    expected = max(v for v in visitors if v is not None)
    for order in ([a, b], [b, a]):
        for together in (True, False):
            url = fresh_db()
            for files in [order] if together else [[f] for f in order]:
                warehouse.load(files, url)
            assert query(url, "SELECT visitor_id FROM web_page_view") == [(expected,)], (
                order,
                together,
            )
