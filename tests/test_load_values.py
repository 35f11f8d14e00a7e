"""Every value of the seed examples and real samples, as the databases hold it.

The parser tests prove that each field of these documents is mapped to its column
(or kept in ``extra``); these tests prove that the databases then hold exactly those
values, table by table and column by column, on DuckDB and PostgreSQL — plus
literal checks of values whose typing matters (timestamps, dates, doubles, text).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from seeds import real_sample, seed_example

import warehouse
from loaders import batch, file_batches
from warehouse import db
from warehouse.load_results import LoadSummary
from warehouse.tables import tables

EPOCH = datetime(1970, 1, 1)


def query(url: str, sql: str) -> list[tuple]:
    engine = db.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()


def expected_rows(path: Path, kind: str) -> dict[str, list[dict]]:
    """What the parser makes of a file: rows per table, as the writer receives them."""
    out: dict[str, list[dict]] = {}
    for parsed in file_batches.iter_file_batches(path, kind, 10_000):
        for name, table in parsed.tables.items():
            out.setdefault(name, []).extend(table.drop_columns([batch.REC]).to_pylist())
    return out


def normalise(value):
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return value


def stored_rows(url: str, name: str) -> list[dict]:
    columns = [c for c in tables()[name].columns if c != "load_id"]
    rows = query(url, f"SELECT {', '.join(columns)} FROM {name}")
    return [{c: normalise(v) for c, v in zip(columns, row, strict=True)} for row in rows]


def as_stored(row: dict) -> dict:
    out = {}
    for column, value in row.items():
        if column == "load_id":
            continue
        out[column] = value
    return out


SOURCES = [
    ("seed 000", lambda tmp: _write(tmp / "seed000.json", seed_example(0)), "conversations"),
    (
        "seed 003 (repaired)",
        lambda tmp: _write(tmp / "seed003.json", seed_example(3, repaired=True)),
        "conversations",
    ),
    (
        "messaging sample",
        lambda tmp: real_sample("messaging-interactions-conversations.response.json"),
        "conversations",
    ),
    (
        "consumer history sample",
        lambda tmp: real_sample("consumer-history-conversations-metadata.response.json"),
        "conversations",
    ),
    ("seed 004", lambda tmp: _write(tmp / "seed004.json", seed_example(4)), "web_session"),
    (
        "web-session sample",
        lambda tmp: real_sample("data-access-web-session.file.json"),
        "web_session",
    ),
]


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.mark.parametrize("label, make, kind", SOURCES, ids=[s[0] for s in SOURCES])
def test_every_parsed_value_is_stored_exactly(db_url, tmp_path, label, make, kind):
    path = make(tmp_path)
    summary = warehouse.load([path], db_url)
    assert not summary.rejected, summary.to_dict()
    expected = expected_rows(path, kind)
    assert expected, label
    for name, rows in expected.items():
        if name == "web_session_source":
            pass  # stored as parsed; web_session is checked below
        want = sorted((as_stored(r) for r in rows), key=repr)
        want = [{c: _typed(name, c, v) for c, v in r.items()} for r in want]
        got = sorted(stored_rows(db_url, name), key=repr)
        got = [{c: v for c, v in r.items() if c in want[0]} for r in got]
        assert got == sorted(want, key=repr), f"{label}: {name}"


def _typed(table: str, column: str, value):
    """A parsed value as the database returns it (timestamps as datetimes)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, int) and tables()[table].schema.field(column).type == "timestamp[ms]":
        return EPOCH + timedelta(milliseconds=value)
    return value


def test_typed_values_of_the_seed_example(db_url, tmp_path):
    warehouse.load([_write(tmp_path / "seed.json", seed_example(0))], db_url)
    assert query(
        db_url,
        "SELECT start_time, end_time, duration, device, mcs, alerted_mcs, agent_deleted, "
        "lob_id, profile_system_default, summary_text, summary_last_updated_time "
        "FROM conversation",
    ) == [
        (
            datetime(2016, 8, 29, 14, 30, 24, 565000),
            None,  # endTimeL -1
            78970,
            None,  # "undefined"
            67,
            1,
            False,
            2389848512,
            True,
            "summary",
            datetime(2016, 12, 21, 15, 23, 15, 318000),
        )
    ]
    assert query(
        db_url,
        "SELECT balance, company_size, last_payment_date, registration_date, customer_type, "
        "is_authenticated, server_time FROM sde_customer_info WHERE customer_type IS NOT NULL",
    ) == [
        (
            -400.99,
            2222,
            date(2014, 10, 15),
            date(2013, 5, 23),
            "vip",
            False,
            datetime(2018, 6, 10, 11, 2, 16, 880000),
        )
    ]
    assert query(
        db_url,
        "SELECT customer_age_in_years, customer_year_of_birth, customer_month_of_birth, "
        "customer_date_of_birth, language FROM sde_personal_info WHERE name = 'John'",
    ) == [(34, 1980, 4, 15, "Russian")]
    assert query(
        db_url, "SELECT quantity, name, price FROM sde_cart_status_product ORDER BY ordinal"
    ) == [(1, "prod1", 7.8)]
    assert query(db_url, "SELECT total, order_id FROM sde_purchase") == [(78.0, "Test123")]
    assert query(db_url, "SELECT level, resolved, code FROM sde_visitor_error") == [
        (None, None, "er100004")
    ]
    assert query(db_url, "SELECT status, service_id FROM sde_service_activity") == [
        (0, "service12")
    ]
    assert query(db_url, "SELECT keyword FROM sde_search_content_keyword") == [("word",)]
    raw = query(db_url, "SELECT raw FROM sde_lead")[0][0]
    assert json.loads(raw)["lead"]["lead"]["leadId"] == "xyz123"


@pytest.mark.parametrize("fresh_db", ["duckdb", "postgres"], indirect=True)
def test_lone_surrogate_escapes_load_as_the_replacement_character(fresh_db, tmp_path, monkeypatch):
    """Half an escaped surrogate pair (text cut by UTF-16 length) loads as U+FFFD on every
    read path — read at once, streamed, JSON Lines, a web file cut into parts — instead of
    rejecting the file (orjson), reading "?" (yajl) or failing the write (Python's json)."""
    record = json.loads(seed_example(0, repaired=True))["conversationHistoryRecords"][0]
    record["messageRecords"][0]["messageData"]["msg"]["text"] = "MARK"
    line = json.dumps(record).replace('"MARK"', r'"cut \ud83d|\udc00|\ud83d\ude00|\\ud800"')
    page = '{"conversationHistoryRecords": [' + line + "]}"
    web = seed_example(4).replace(
        "https://authentication.liveperson.net/login.html", r"https://x/\ud800login"
    )
    text = "cut \ufffd|\ufffd|\U0001f600|\\ud800"
    contents = {"page": page, "lines": line + "\n" + line + "\n"}
    for where, url, summary in load_on_every_read_path(
        fresh_db, tmp_path, monkeypatch, contents, web
    ):
        assert not summary.rejected, where
        assert [f.status for f in summary.files] == ["loaded", "loaded"], where
        messages = query(url, "SELECT text FROM message ORDER BY seq")
        assert messages[0] == (text,), where
        assert ("https://x/\ufffdlogin",) in query(url, "SELECT url FROM web_page_view")


def load_on_every_read_path(
    fresh_db, tmp_path: Path, monkeypatch, contents: dict[str, str], web: str
) -> Iterator[tuple[tuple[str, str], str, LoadSummary]]:
    """Load each conversation export of ``contents`` (by form: page, lines) with the web file
    ``web`` into a fresh database, read at once and streamed: ``((way, form), url, summary)``."""
    from loaders import sources
    from warehouse import loading

    ways = {"at once": {}, "streamed": {"SMALL_FILE_LIMIT": 16, "WORKER_FILE_LIMIT": 1}}
    for way, limits in ways.items():
        for form, content in contents.items():
            with monkeypatch.context() as patch:
                for name, value in limits.items():
                    patch.setattr(sources if name == "SMALL_FILE_LIMIT" else loading, name, value)
                folder = tmp_path / f"{way}-{form}"
                folder.mkdir()
                (folder / "c.json").write_text(content)
                (folder / "w.json").write_text(web)
                url = fresh_db()
                summary = warehouse.load([folder], url)
            yield (way, form), url, summary


@pytest.mark.parametrize("fresh_db", ["duckdb", "postgres"], indirect=True)
def test_integers_beyond_64_bits_keep_their_digits_on_every_read_path(
    fresh_db, tmp_path, monkeypatch
):
    """An integer too big for 64 bits keeps all its digits in ``extra`` and ``raw``, and
    the same text, on every read path: orjson reads it as a float (1.2345678901234568e+29),
    which small files lost while streamed ones kept it exact."""
    big = "123456789012345678901234567890"
    record = json.loads(seed_example(0, repaired=True))["conversationHistoryRecords"][0]
    record["info"]["bigCounter"] = "BIG"
    record["info"]["duration"] = "BIG"
    lead = {"type": "LEAD", "lead": {"lead": {"leadId": "L1", "value": "BIG"}}}
    record["sdes"]["events"].append({"serverTimeStamp": "1482334213880", **lead})
    line = json.dumps(record).replace('"BIG"', big)
    page = '{"conversationHistoryRecords": [' + line + "]}"
    web = seed_example(4).replace('"url": {\n', f'"visitCount": {{"long": {big}}}, "url": {{\n', 1)
    assert web != seed_example(4)
    contents = {"page": page, "lines": line + "\n"}
    for where, url, summary in load_on_every_read_path(
        fresh_db, tmp_path, monkeypatch, contents, web
    ):
        assert not summary.rejected, where
        # Too big for the BIGINT column: NULL with a warning, the digits in ``extra``.
        ((duration, extra),) = query(url, "SELECT duration, extra FROM conversation")
        assert duration is None, where
        assert f'"bigCounter":{big},' in extra and f'"duration":{big}' in extra, where
        ((value, raw),) = query(url, "SELECT value, raw FROM sde_lead WHERE lead_id = 'L1'")
        # A DOUBLE column takes it (rounded), ``raw`` keeps every digit.
        assert value == float(big) and f'"value":{big}' in raw, where
        extras = [e for (e,) in query(url, "SELECT extra FROM web_page_view") if e]
        assert extras == [f'{{"visitCount":{big}}}'], where
