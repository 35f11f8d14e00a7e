"""Loading files end to end: the contract's upsert rules and bad-input rules, on both databases.

Each test writes small files (from the seed examples and real samples, or made
in the test), loads them with ``warehouse.load`` or the ``lpwh`` command, and
checks the warehouse and the bookkeeping tables.
"""

from __future__ import annotations

import copy
import gzip
import json
import os
import signal
import time
from datetime import datetime
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa
from seeds import real_sample, seed_example
from test_properties import web_file
from typer.testing import CliRunner

import warehouse
from warehouse import db
from warehouse.cli import app
from warehouse.tables import tables

CID = "e5c58e49-e4a5-40a8-8a18-d6580d1d5630"  # the conversation of the seed examples


def query(url: str, sql: str, **params) -> list[tuple]:
    engine = db.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql), params)]
    finally:
        engine.dispose()


def dump(url: str) -> dict[str, list[tuple]]:
    """Every data table's rows, sorted, without load lineage: what 'the same warehouse' means."""
    out = {}
    for name, info in tables().items():
        if name in ("load_file", "load_rejection"):
            continue
        cols = [c for c in info.columns if c != "load_id"]
        rows = query(url, f"SELECT {', '.join(cols)} FROM {name}")
        out[name] = sorted(rows, key=repr)
    return out


def seed_page() -> dict:
    """The seed 000 response page, parsed."""
    return json.loads(seed_example(0))


def record_of(page: dict) -> dict:
    return page["conversationHistoryRecords"][0]


def write_json(path: Path, value) -> Path:
    path.write_bytes(orjson.dumps(value))
    return path


def snapshot(record: dict, *, status: str, shift_ms: int, extra_message: bool = False) -> dict:
    """The seed record as a snapshot taken ``shift_ms`` later (every timestamp moved)."""
    rec = copy.deepcopy(record)
    rec["info"]["status"] = status
    rec["info"]["startTimeL"] += 0  # the conversation started when it started
    rec["summary"]["lastUpdatedTime"] = 1_600_000_000_000 + shift_ms
    if extra_message:
        extra = copy.deepcopy(rec["messageRecords"][0])
        extra["messageId"] = "ms::conv:extra::msg:99"
        extra["timeL"] = 1_600_000_000_000 + shift_ms
        rec["messageRecords"].append(extra)
    return rec


# -- loading the examples --------------------------------------------------------------------


def test_seed_example_loads_every_section(db_url, tmp_path):
    summary = warehouse.load([write_json(tmp_path / "page.json", seed_page())], db_url)
    assert not summary.rejected
    assert summary.totals()["conversations_inserted"] == 1
    assert query(db_url, "SELECT conversation_id, status, csat_rate FROM conversation") == [
        (CID, "OPEN", 5)
    ]
    counts = {
        name: query(db_url, f"SELECT count(*) FROM {name}")[0][0]
        for name in (
            "participant",
            "message",
            "message_status",
            "message_score",
            "transfer",
            "interaction",
            "survey_answer",
            "cobrowse_session",
            "message_intent",
            "sde_customer_info",
            "sde_personal_info",
            "sde_cart_status",
            "sde_cart_status_product",
            "sde_purchase",
            "sde_search_content_keyword",
            "sde_lead",
        )
    }
    assert counts == {
        "participant": 2,
        "message": 4,
        "message_status": 3,
        "message_score": 2,
        "transfer": 2,
        "interaction": 1,
        "survey_answer": 1,
        "cobrowse_session": 2,
        "message_intent": 1,
        "sde_customer_info": 2,
        "sde_personal_info": 2,
        "sde_cart_status": 1,
        "sde_cart_status_product": 1,
        "sde_purchase": 1,
        "sde_search_content_keyword": 1,
        "sde_lead": 1,
    }
    assert query(
        db_url, "SELECT status, records_seen, records_loaded, records_rejected FROM load_file"
    ) == [("loaded", 1, 1, 0)]


def test_real_samples_load(db_url):
    summary = warehouse.load(
        [
            real_sample("messaging-interactions-conversations.response.json"),
            real_sample("consumer-history-conversations-metadata.response.json"),
            real_sample("data-access-web-session.file.json"),
        ],
        db_url,
    )
    assert not summary.rejected, summary.to_dict()
    # Both conversation samples have the same id; the newer record (the messaging one, whose
    # latest timestamp is later) is the one kept.
    assert query(db_url, "SELECT conversation_id, monitoring_country FROM conversation") == [
        (CID, "United States")
    ]
    assert query(db_url, "SELECT count(*) FROM dialog") == [(1,)]
    assert query(db_url, "SELECT count(*) FROM agent_survey") == [(5,)]
    assert query(db_url, "SELECT count(*) FROM web_page_view") == [(3,)]
    assert query(db_url, "SELECT visit_id FROM web_session") == [
        ("AjvT6hLKTEi3AXgGnYu_mQ.606c99c686cbe0d422d558a5005b3ec2275dc20a",)
    ]


# -- upsert rules ----------------------------------------------------------------------------


def test_same_file_twice_is_skipped_and_force_changes_nothing(db_url, tmp_path):
    path = write_json(tmp_path / "page.json", seed_page())
    warehouse.load([path], db_url)
    before = dump(db_url)
    again = warehouse.load([path], db_url)
    assert [f.status for f in again.files] == ["skipped"]
    forced = warehouse.load([path], db_url, force=True)
    assert forced.totals()["conversations_unchanged"] == 1
    assert dump(db_url) == before
    assert query(db_url, "SELECT count(*) FROM load_file WHERE status = 'loaded'") == [(2,)]


def test_files_in_any_order_give_the_same_warehouse(db_url, tmp_path):
    record = record_of(seed_page())
    open_ = write_json(tmp_path / "a.json", snapshot(record, status="OPEN", shift_ms=0))
    closed = write_json(
        tmp_path / "b.json", snapshot(record, status="CLOSE", shift_ms=60_000, extra_message=True)
    )
    warehouse.load([open_, closed], db_url)
    forward = dump(db_url)
    # The reverse order goes into a new DuckDB file, which the load migrates by itself: on
    # PostgreSQL this also shows that both databases hold identical rows.
    other = str(tmp_path / "reverse.duckdb")
    warehouse.load([closed, open_], other)
    assert dump(other) == forward
    assert query(db_url, "SELECT status FROM conversation") == [("CLOSE",)]
    assert query(db_url, "SELECT count(*) FROM message") == [(5,)]


def test_open_snapshot_after_closed_changes_nothing(db_url, tmp_path):
    record = record_of(seed_page())
    closed = write_json(
        tmp_path / "closed.json",
        snapshot(record, status="CLOSE", shift_ms=60_000, extra_message=True),
    )
    open_ = write_json(tmp_path / "open.json", snapshot(record, status="OPEN", shift_ms=0))
    warehouse.load([closed], db_url)
    before = dump(db_url)
    summary = warehouse.load([open_], db_url)
    assert summary.totals()["conversations_older_ignored"] == 1
    assert dump(db_url) == before


@pytest.mark.parametrize("later_due_ms", [0, 60_000])
def test_a_due_time_is_no_version_so_the_closed_snapshot_stays(db_url, tmp_path, later_due_ms):
    # responseTime.latestEffectiveResponseDueTime is a deadline, later than anything else in
    # the record, the same (or later) in the OPEN snapshot as in the CLOSED one: counted in
    # the version, it let the stale OPEN snapshot replace the CLOSED one (oracle audit).
    record = record_of(seed_page())
    closed = snapshot(record, status="CLOSE", shift_ms=60_000, extra_message=True)
    open_ = snapshot(record, status="OPEN", shift_ms=0)
    due = 4_102_444_800_000  # 2100-01-01
    closed["responseTime"] = {"latestEffectiveResponseDueTime": due}
    open_["responseTime"] = {"latestEffectiveResponseDueTime": due + later_due_ms}
    both = tmp_path / "both.jsonl"
    both.write_bytes(orjson.dumps(open_) + b"\n" + orjson.dumps(closed) + b"\n")
    closed_path = write_json(tmp_path / "closed.json", closed)
    open_path = write_json(tmp_path / "open.json", open_)
    for name, paths in [
        ("closed-open", [closed_path, open_path]),
        ("open-closed", [open_path, closed_path]),
        ("one-file", [both]),
    ]:
        url = db_url if name == "closed-open" else str(tmp_path / f"{name}.duckdb")
        for path in paths:
            warehouse.load([path], url)
        assert query(url, "SELECT status, record_version FROM conversation") == [
            ("CLOSE", datetime(2020, 9, 13, 12, 27, 40))  # the extra message, not the due time
        ], name


def test_same_conversation_twice_in_one_file_newest_wins(db_url, tmp_path):
    record = record_of(seed_page())
    lines = [
        snapshot(record, status="CLOSE", shift_ms=60_000, extra_message=True),
        snapshot(record, status="OPEN", shift_ms=0),
    ]
    path = tmp_path / "both.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(x) for x in lines) + b"\n")
    warehouse.load([path], db_url)
    assert query(db_url, "SELECT status FROM conversation") == [("CLOSE",)]
    assert query(db_url, "SELECT count(*) FROM message") == [(5,)]


def conversation_counts(results) -> list[tuple]:
    """Each file's conversations inserted, updated, unchanged, older, and message rows."""
    return [
        (Path(f.path).name, f.counts.inserted, f.counts.updated, f.counts.unchanged,
         f.counts.older, f.counts.rows["message"])
        for f in results
    ]  # fmt: skip


@pytest.mark.parametrize("workers", [0, 2])
def test_each_file_is_counted_as_if_loaded_alone_in_input_order(fresh_db, tmp_path, workers):
    """Snapshots of one conversation in several files of one load: each file's counts are
    what loading the files one at a time would report, though the files share a
    transaction and a write (one batch) — or are written one by one."""
    record = record_of(seed_page())
    other = copy.deepcopy(record)
    other["info"]["conversationId"] = "another-conversation"
    open_ = snapshot(record, status="OPEN", shift_ms=0)
    closed = snapshot(record, status="CLOSE", shift_ms=60_000, extra_message=True)
    snapshots = [
        ("1-open.json", [open_]),
        ("2-closed.json", [closed]),
        ("3-open-again.json", [open_, other]),
        ("4-closed-again.jsonl", [closed]),
        ("5-other.json", [other]),
    ]
    files = []
    for name, records in snapshots:  # 4 holds 2's record, as JSON Lines: not the same file
        path = tmp_path / name
        if name.endswith(".jsonl"):
            path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
        else:
            write_json(path, {"conversationHistoryRecords": records})
        files.append(path)
    expected = [
        ("1-open.json", 1, 0, 0, 0, 4),
        ("2-closed.json", 0, 1, 0, 0, 5),
        ("3-open-again.json", 1, 0, 0, 1, 4),
        ("4-closed-again.jsonl", 0, 0, 1, 0, 0),
        ("5-other.json", 0, 0, 1, 0, 0),
    ]
    one_at_a_time = fresh_db()
    alone = [warehouse.load([f], one_at_a_time, workers=0).files[0] for f in files]
    assert conversation_counts(alone) == expected
    together = fresh_db()
    summary = warehouse.load(files, together, workers=workers)
    assert conversation_counts(summary.files) == expected
    assert dump(together) == dump(one_at_a_time)
    assert summary.totals()["conversations_updated"] == 1


# -- bad input -------------------------------------------------------------------------------


def rejection_of(url: str, path: Path) -> tuple:
    return query(
        url,
        "SELECT f.status, r.position, r.reason FROM load_file f "
        "JOIN load_rejection r ON r.load_id = f.load_id WHERE f.path = :p",
        p=str(path),
    )[0]


@pytest.mark.parametrize(
    "name, content, where",
    [
        ("garbage.json", b"\x00\x01\x02 not json at all \xff", "byte"),
        ("empty.json", b"", None),
        ("truncated.json.gz", gzip.compress(b'{"conversationHistoryRecords": []}' * 50)[:40], None),
        ("cut.json", b'{"conversationHistoryRecords": [{"info": {"conversationId": "x"', None),
    ],
)
def test_unreadable_file_is_rejected_whole_and_others_still_load(
    db_url, tmp_path, name, content, where
):
    bad = tmp_path / name
    bad.write_bytes(content)
    good = write_json(tmp_path / "good.json", seed_page())
    summary = warehouse.load([bad, good], db_url)
    assert summary.rejected
    assert [f.status for f in summary.files] == ["rejected", "loaded"]
    status, position, reason = rejection_of(db_url, bad)
    assert status == "rejected"
    assert str(bad) in reason
    if where:
        assert where in (position or "") + reason
    assert query(db_url, "SELECT count(*) FROM conversation") == [(1,)]


def test_json_syntax_error_of_seed_001_names_the_place_and_writes_nothing(db_url, tmp_path):
    broken = tmp_path / "seed001.json"
    broken.write_text(seed_example(1, repaired=False))
    summary = warehouse.load([broken], db_url)
    assert [f.status for f in summary.files] == ["rejected"]
    _, position, reason = rejection_of(db_url, broken)
    assert str(broken) in reason
    assert any(word in (position or "") + reason for word in ("line", "byte"))
    assert query(db_url, "SELECT count(*) FROM conversation") == [(0,)]
    assert query(db_url, "SELECT count(*) FROM sde_lead") == [(0,)]


def test_a_shared_transaction_with_rejected_records_commits_without_a_replay(
    db_url, tmp_path, monkeypatch
):
    """Small files share a transaction; a record rejected in one of them is recorded in
    that transaction (after its file's load_file row, which it references), not by
    replaying the files one by one after a failed commit."""
    from warehouse import loading

    replays = []
    recover = loading._Loader._recover
    monkeypatch.setattr(
        loading._Loader, "_recover", lambda self: replays.append(1) or recover(self)
    )
    page = seed_page()
    good = write_json(tmp_path / "good.json", page)
    rec = copy.deepcopy(record_of(page))
    rec["info"]["conversationId"] = "other"
    mixed = write_json(
        tmp_path / "mixed.json", {**page, "conversationHistoryRecords": [{"info": {}}, rec]}
    )
    summary = warehouse.load([good, mixed], db_url, workers=0)
    assert [f.status for f in summary.files] == ["loaded", "loaded"]
    assert replays == []
    assert query(
        db_url,
        "SELECT f.path, r.position FROM load_rejection r JOIN load_file f USING (load_id)",
    ) == [(str(mixed), "byte 0, conversationHistoryRecords[0]")]


def test_files_after_a_rolled_back_one_still_load(db_url, tmp_path, monkeypatch):
    """A file rolled back after some of its records were written (its third line is cut)
    leaves the load able to write the next files, after files committed before it (whose
    transactions made the staging tables the rollback must not forget on PostgreSQL)."""
    from warehouse import loading

    monkeypatch.setattr(loading, "WORKER_FILE_LIMIT", 0)  # each file its own transaction
    page = seed_page()

    def lines(prefix: str, count: int) -> list[bytes]:
        out = []
        for i in range(count):
            rec = copy.deepcopy(record_of(page))
            rec["info"]["conversationId"] = f"{prefix}{i}"
            out.append(orjson.dumps(rec))
        return out

    first, cut, last = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    first.write_bytes(b"\n".join(lines("a", 2)) + b"\n")
    cut.write_bytes(b"\n".join([*lines("b", 2), b'{"info": {"conversationId": "b2"']) + b"\n")
    last.write_bytes(b"\n".join(lines("c", 2)) + b"\n")
    summary = warehouse.load([first, cut, last], db_url, workers=0, chunk_records=1)
    assert [(f.status, f.error) for f in summary.files][2] == ("loaded", None)
    assert [f.status for f in summary.files] == ["loaded", "rejected", "loaded"]
    assert query(db_url, "SELECT conversation_id FROM conversation ORDER BY 1") == [
        ("a0",),
        ("a1",),
        ("c0",),
        ("c1",),
    ]


@pytest.fixture
def python_sigint():
    """Python's own SIGINT handler, as in a terminal: a process started in the background
    by a shell (``pytest &``) begins with SIGINT ignored, which a load rightly leaves alone."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.parametrize("duckdb_turns_it", ["into_an_error", "into_nothing"])
def test_ctrl_c_during_a_write_stops_the_load_and_rejects_nothing(
    db_url, tmp_path, monkeypatch, duckdb_turns_it, python_sigint
):
    """Ctrl-C while a statement runs: DuckDB turns the KeyboardInterrupt into an
    InterruptException ("Query interrupted"), or drops it when the statement was done. The
    load stops all the same, rolls back the open transaction, records no file as rejected
    (files committed before stay loaded), and the next load finishes the job."""
    import duckdb

    from warehouse import loading
    from warehouse.writer import BatchWriter

    monkeypatch.setattr(loading, "WORKER_FILE_LIMIT", 0)  # each file its own transaction
    page = seed_page()
    files = []
    for name in ("a", "b", "c"):
        rec = copy.deepcopy(record_of(page))
        rec["info"]["conversationId"] = name
        files.append(tmp_path / f"{name}.jsonl")
        files[-1].write_bytes(orjson.dumps(rec) + b"\n")
    original = BatchWriter.write
    writes = []

    def write(self, batch, load_ids):
        writes.append(load_ids)
        if len(writes) == 2:  # the second file's write: Ctrl-C comes while it runs
            try:
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(5)  # (the handler raises before this ends)
            except KeyboardInterrupt:
                if duckdb_turns_it == "into_an_error":
                    raise duckdb.InterruptException("INTERRUPT Error: Interrupted!") from None
        return original(self, batch, load_ids)

    monkeypatch.setattr(BatchWriter, "write", write)
    with pytest.raises(KeyboardInterrupt):
        warehouse.load(files, db_url, workers=0)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back
    assert query(db_url, "SELECT status, count(*) FROM load_file GROUP BY 1") == [("loaded", 1)]
    assert query(db_url, "SELECT count(*) FROM load_rejection") == [(0,)]
    monkeypatch.setattr(BatchWriter, "write", original)
    summary = warehouse.load(files, db_url, workers=0)
    assert [f.status for f in summary.files] == ["skipped", "loaded", "loaded"]
    assert query(db_url, "SELECT conversation_id FROM conversation ORDER BY 1") == [
        ("a",),
        ("b",),
        ("c",),
    ]


def test_cli_load_interrupted_says_so_and_exits_130(db_url, tmp_path, monkeypatch):
    from warehouse import loading

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(loading, "load", interrupted)
    result = CliRunner().invoke(app, ["load", str(tmp_path), "--db", db_url])
    assert result.exit_code == 130
    assert "interrupted" in result.stderr and "load again to finish" in result.stderr


def test_record_without_conversation_id_is_rejected_and_the_rest_loads(db_url, tmp_path):
    page = seed_page()
    nameless = copy.deepcopy(record_of(page))
    del nameless["info"]["conversationId"]
    page["conversationHistoryRecords"].insert(0, nameless)
    path = write_json(tmp_path / "page.json", page)
    summary = warehouse.load([path], db_url)
    assert summary.rejected
    assert query(db_url, "SELECT count(*) FROM conversation") == [(1,)]
    raw = query(db_url, "SELECT raw FROM load_rejection")
    assert len(raw) == 1 and orjson.loads(raw[0][0])["info"]["brandId"] == "qa26409991"


@pytest.mark.parametrize("streamed", [False, True])
def test_rejections_set_aside_in_the_database_are_written_with_their_file_or_dropped(
    db_url, tmp_path, monkeypatch, streamed
):
    # Rejections wait in a temporary table of the file's transaction (here every 10): they
    # reach load_rejection, numbered in file order, once the file is loaded, and go with
    # the transaction when the file is rejected whole after some were set aside.
    from warehouse import loading, rejections

    monkeypatch.setattr(rejections, "SPOOL_ROWS", 10)
    if streamed:
        monkeypatch.setattr(loading, "WORKER_FILE_LIMIT", 0)

    def lines(prefix: str, bad: int) -> bytes:
        good = copy.deepcopy(record_of(seed_page()))
        good["info"]["conversationId"] = f"{prefix}-good"
        rows = [orjson.dumps({"info": {"n": n, "file": prefix}}) for n in range(bad)]
        return b"\n".join([*rows, orjson.dumps(good)]) + b"\n"

    first = tmp_path / "a.jsonl"
    first.write_bytes(lines("a", 25))
    cut = tmp_path / "b.jsonl.gz"
    whole = gzip.compress(lines("b", 25))
    cut.write_bytes(whole[: len(whole) - 30])  # (the good record is the last)
    third = tmp_path / "c.jsonl"
    third.write_bytes(lines("c", 3))
    summary = warehouse.load([first, cut, third], db_url, workers=0, chunk_records=4)
    assert [(f.status, f.counts.rejected) for f in summary.files] == [
        ("loaded", 25),
        ("rejected", 1),
        ("loaded", 3),
    ]
    assert [r.position for r in summary.files[0].counts.rejections][:3] == [
        "line 1",
        "line 2",
        "line 3",
    ]
    stored = query(
        db_url,
        "SELECT f.path, r.ordinal, r.position, r.raw FROM load_rejection r "
        "JOIN load_file f USING (load_id) ORDER BY f.path, r.ordinal",
    )
    expected = [
        (str(first), n, f"line {n + 1}", {"info": {"n": n, "file": "a"}}) for n in range(25)
    ]
    expected.append((str(cut), 0, None, None))
    expected += [
        (str(third), n, f"line {n + 1}", {"info": {"n": n, "file": "c"}}) for n in range(3)
    ]
    got = [(p, o, pos if p != str(cut) else None, orjson.loads(raw) if p != str(cut) else None)
           for p, o, pos, raw in stored]  # fmt: skip
    assert got == expected
    ids = [cid for (cid,) in query(db_url, "SELECT conversation_id FROM conversation ORDER BY 1")]
    assert ids == ["a-good", "c-good"]


@pytest.mark.parametrize("streamed", [False, True])
def test_a_page_the_api_marked_partial_loads_with_a_warning(
    db_url, tmp_path, monkeypatch, streamed
):
    # _metadata.shardsStatusResult.partialResult: some of the API's shards did not answer,
    # and conversations may be missing from the export. The page loads; the load says so.
    from warehouse import loading

    if streamed:
        monkeypatch.setattr(loading, "WORKER_FILE_LIMIT", 0)
    partial = seed_page()
    partial["_metadata"]["shardsStatusResult"]["partialResult"] = True
    whole = seed_page()
    path = tmp_path / "pages.jsonl"
    path.write_bytes(orjson.dumps(whole) + b"\n" + orjson.dumps(partial) + b"\n")
    summary = warehouse.load([path], db_url, workers=0)
    (result,) = summary.files
    assert (result.status, result.counts.records_seen, result.counts.warnings) == ("loaded", 2, 1)
    assert result.counts.warning_samples == [
        "line 2: the API marked this page partial (_metadata.shardsStatusResult.partialResult): "
        "conversations may be missing; export the range again"
    ]
    assert not summary.rejected
    assert query(db_url, "SELECT warnings FROM load_file") == [(1,)]


def test_unknown_sde_type_rejects_that_event_alone(db_url, tmp_path):
    page = seed_page()
    event = {"sdeType": "TELEPATHY", "telepathy": {"thought": "buy"}, "serverTimeStamp": "1"}
    record_of(page)["unAuthSdes"]["events"].append(event)
    path = write_json(tmp_path / "page.json", page)
    summary = warehouse.load([path], db_url)
    assert summary.rejected
    assert query(db_url, "SELECT count(*) FROM conversation") == [(1,)]
    assert query(db_url, "SELECT count(*) FROM sde_lead") == [(1,)]
    raw = query(db_url, "SELECT raw FROM load_rejection")
    assert orjson.loads(raw[0][0]) == event


def test_uncastable_number_and_impossible_date_become_null_with_warnings(db_url, tmp_path):
    page = seed_page()
    events = record_of(page)["unAuthSdes"]["events"]
    info = next(e for e in events if e["sdeType"] == "CUSTOMER_INFO")["customerInfo"]
    info["customerInfo"]["balance"] = "lots"
    info["customerInfo"]["lastPaymentDate"] = {"year": "2014", "month": "2", "day": "30"}
    # A day beyond any date (Python's date() overflows): the same, not the record rejected.
    info["customerInfo"]["registrationDate"] = {"year": 2014, "month": 1, "day": "9" * 20}
    path = write_json(tmp_path / "page.json", page)
    summary = warehouse.load([path], db_url)
    assert not summary.rejected
    assert summary.totals()["warnings"] >= 3
    balance, last_payment, registration, raw = query(
        db_url,
        "SELECT balance, last_payment_date, registration_date, raw FROM sde_customer_info "
        "WHERE customer_type = 'vip'",
    )[0]
    assert (balance, last_payment, registration) == (None, None, None)
    assert orjson.loads(raw)["customerInfo"]["customerInfo"]["balance"] == "lots"
    assert query(db_url, "SELECT warnings FROM load_file")[0][0] >= 3


def test_a_60000_character_value_round_trips_exactly(db_url, tmp_path):
    page = seed_page()
    long_text = "ä€" * 20_000 + "x" * 20_000  # 60,000 characters, multi-byte ones included
    record_of(page)["messageRecords"][0]["messageData"]["msg"]["text"] = long_text
    events = record_of(page)["unAuthSdes"]["events"]
    lead = next(e for e in events if e["sdeType"] == "LEAD")
    lead["lead"]["lead"]["topic"] = long_text
    warehouse.load([write_json(tmp_path / "page.json", page)], db_url)
    assert query(db_url, "SELECT topic FROM sde_lead") == [(long_text,)]
    texts = [t for (t,) in query(db_url, "SELECT text FROM message")]
    assert long_text in texts


# -- the command -----------------------------------------------------------------------------


def test_cli_load_exits_non_zero_on_rejection_and_prints_json_summary(db_url, tmp_path):
    good = write_json(tmp_path / "good.json", seed_page())
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    runner = CliRunner()
    result = runner.invoke(app, ["load", str(good), "--db", db_url, "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["totals"]["conversations_inserted"] == 1
    assert summary["ok"] is True
    result = runner.invoke(app, ["load", str(bad), "--db", db_url, "--format", "json"])
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert summary["files"][0]["status"] == "rejected"
    assert str(bad) in summary["files"][0]["error"]
    result = runner.invoke(
        app, ["load", str(bad), str(good), "--db", db_url, "--force"], env={"COLUMNS": "250"}
    )
    assert result.exit_code == 1
    assert "rejected" in result.stdout and "bad.json" in result.stdout


def test_table_summary_of_many_files_lists_the_ones_worth_a_look(duckdb_url, tmp_path, monkeypatch):
    # A folder of 20,000 pages made a table of 20,000 lines: beyond FILE_ROWS, files loaded
    # or skipped without a rejection or warning are counted on one line.
    from warehouse import load_report

    monkeypatch.setattr(load_report, "FILE_ROWS", 3)
    paths = pages_of(tmp_path, 4, 1)
    bad = tmp_path / "zz-bad.json"
    bad.write_text("{nope")
    result = CliRunner().invoke(
        app, ["load", *map(str, paths), str(bad), "--db", duckdb_url], env={"COLUMNS": "250"}
    )
    assert result.exit_code == 1
    assert "zz-bad.json" in result.stdout
    assert [p.name for p in paths if p.name in result.stdout] == [paths[0].name, paths[1].name]
    assert "… 2 more files (2 loaded): --format json lists them" in result.stdout


def test_json_summary_counts_rejections_as_the_table_and_load_file_do(db_url, tmp_path):
    # A file rejected whole, a file with a record rejected and an SDE event rejected alone:
    # the JSON summary counts what load_file and load_rejection hold, and what the table says.
    page = seed_page()
    record = record_of(page)
    no_id = copy.deepcopy(record)
    del no_id["info"]["conversationId"]
    event = copy.deepcopy(record)
    event["sdes"]["events"].append({"sdeType": "NO_SUCH_TYPE", "serverTimeStamp": 1})
    page["conversationHistoryRecords"] = [event, no_id]
    mixed = write_json(tmp_path / "mixed.json", page)
    broken = tmp_path / "broken.json"
    broken.write_text("{nope")
    result = CliRunner().invoke(
        app, ["load", str(mixed), str(broken), "--db", db_url, "--format", "json"]
    )
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    stored = dict(query(db_url, "SELECT path, records_rejected FROM load_file"))
    assert {f["path"]: f["records_rejected"] for f in summary["files"]} == stored
    assert stored == {str(mixed): 2, str(broken): 1}
    assert (
        summary["totals"]["rejections"]
        == 3
        == query(db_url, "SELECT count(*) FROM load_rejection")[0][0]
    )
    assert summary["totals"]["records_rejected"] == 2  # those of files that loaded


def test_file_names_that_are_not_utf8_load_and_are_recorded_escaped(db_url, tmp_path):
    # A file name's bytes need not be UTF-8: such a file loads (or is rejected) like any
    # other, and its name is recorded and printed with the odd bytes as \xff escapes.
    (tmp_path / "in").mkdir()
    folder = str(tmp_path / "in")
    good = Path(os.fsdecode(os.fsencode(folder) + b"/good\xff.json"))
    write_json(good, seed_page())
    broken = Path(os.fsdecode(os.fsencode(folder) + b"/broken\xfe.json"))
    broken.write_text("{nope")
    result = CliRunner().invoke(app, ["load", folder, "--db", db_url, "--format", "json"])
    assert result.exit_code == 1, result.output  # the broken file is rejected, not the load
    summary = json.loads(result.stdout)
    shown_good, shown_broken = f"{folder}/good\\xff.json", f"{folder}/broken\\xfe.json"
    assert {f["path"]: f["status"] for f in summary["files"]} == {
        shown_broken: "rejected",
        shown_good: "loaded",
    }
    assert dict(query(db_url, "SELECT path, status FROM load_file")) == {
        shown_broken: "rejected",
        shown_good: "loaded",
    }
    assert query(db_url, "SELECT path, raw FROM load_rejection") == [(shown_broken, "{nope")]
    assert query(db_url, "SELECT count(*) FROM conversation") == [(1,)]
    table = CliRunner().invoke(
        app, ["load", folder, "--db", db_url, "--force"], env={"COLUMNS": "250"}
    )
    assert table.exit_code == 1 and "broken\\xfe.json" in table.stdout


def test_python_api_takes_a_path_for_the_database(tmp_path):
    # Everything lpwh does is a call a user can make: with a pathlib.Path as the warehouse
    # too (it raised AttributeError: 'PosixPath' object has no attribute 'lower').
    path = tmp_path / "w.duckdb"
    summary = warehouse.load([write_json(tmp_path / "page.json", seed_page())], path)
    assert summary.totals()["conversations_inserted"] == 1
    assert warehouse.run_sql(path, "SELECT count(*) FROM conversation").rows == [(1,)]
    assert warehouse.run_query(path, "conversation_volume").rows[0][1] == 1
    assert warehouse.upgrade(path) == ("0005", "0005")
    assert warehouse.publish(path, tmp_path / "copy.duckdb").rows["conversation"] == 1


def test_python_api_takes_one_path_as_str_path_or_bytes(tmp_path):
    # One path, not an iterable of its characters (loading.load walked "/" for a str).
    folder = tmp_path / "exports"
    folder.mkdir()
    write_json(folder / "page.json", seed_page())
    from warehouse.loading import load

    for i, one in enumerate([str(folder), folder, os.fsencode(folder)]):
        summary = load(one, tmp_path / f"w{i}.duckdb", workers=0)
        assert [f.status for f in summary.files] == ["loaded"]
    summary = warehouse.load(folder / "page.json", tmp_path / "w.duckdb", workers=0)
    assert summary.totals()["conversations_inserted"] == 1


def test_a_bad_worker_count_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("LPWH_WORKERS", "abc")
    page = write_json(tmp_path / "page.json", seed_page())
    result = CliRunner().invoke(app, ["load", str(page), "--db", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 1
    assert "LPWH_WORKERS must be a number of processes" in result.stderr


def test_directory_and_glob_and_gzip_by_content(db_url, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    page = seed_page()
    # gzip content under a plain .json name: detected by magic bytes, not by name
    (folder / "page.json").write_bytes(gzip.compress(orjson.dumps(page)))
    summary = warehouse.load([str(folder)], db_url)
    assert [f.status for f in summary.files] == ["loaded"]
    assert query(db_url, "SELECT count(*) FROM conversation") == [(1,)]
    summary = warehouse.load([str(folder / "*.json")], db_url)
    assert [f.status for f in summary.files] == ["skipped"]


@pytest.mark.parametrize(
    ("ahead_files", "ahead_bytes", "most"),
    [(64, 10**9, 20), (5, 10**9, 6), (64, 1, 5)],  # 5: twice the 2 processes, and 1 written
)
def test_files_are_prepared_ahead_of_the_writer_within_bounds(
    duckdb_url, tmp_path, monkeypatch, ahead_files, ahead_bytes, most
):
    # Parses start ahead of the file being written, so that the parsing processes work
    # while the writer writes — as many files as the bounds allow, never more.
    from warehouse import loading

    monkeypatch.setattr(loading, "AHEAD_FILES", ahead_files)
    monkeypatch.setattr(loading, "AHEAD_BYTES", ahead_bytes)
    page = seed_page()
    paths = []
    for i in range(20):
        rec = copy.deepcopy(record_of(page))
        rec["info"]["conversationId"] = f"c{i}"
        one = {**page, "conversationHistoryRecords": [rec]}
        paths.append(write_json(tmp_path / f"p{i:02}.json", one))
    in_flight, peak = 0, 0
    prepare, complete = loading._Loader._prepare, loading._Loader._complete

    def prepared(self, path):
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        return prepare(self, path)

    def completed(self, pending):
        nonlocal in_flight
        in_flight -= 1
        return complete(self, pending)

    monkeypatch.setattr(loading._Loader, "_prepare", prepared)
    monkeypatch.setattr(loading._Loader, "_complete", completed)
    summary = warehouse.load(paths, duckdb_url, workers=2)
    assert [f.status for f in summary.files] == ["loaded"] * 20
    assert peak == most
    assert query(duckdb_url, "SELECT count(*) FROM conversation") == [(20,)]


# -- progress ------------------------------------------------------------------------------------


class Progress:
    """An ``on_progress`` callback that keeps what it was told."""

    def __init__(self) -> None:
        self.records = 0
        self.taken_back = 0
        self.files: list[str] = []

    def __call__(self, result, records: int) -> None:
        self.records += records
        self.taken_back += -records if records < 0 else 0
        if result is not None:
            self.files.append(result.status)


def pages_of(tmp_path: Path, count: int, per_page: int) -> list[Path]:
    """``count`` page files of ``per_page`` distinct conversations each."""
    page = seed_page()
    paths = []
    for f in range(count):
        recs = []
        for i in range(per_page):
            rec = copy.deepcopy(record_of(page))
            rec["info"]["conversationId"] = f"p{f}-c{i}"
            recs.append(rec)
        paths.append(
            write_json(tmp_path / f"page{f}.json", {**page, "conversationHistoryRecords": recs})
        )
    return paths


@pytest.mark.parametrize("workers", [0, 2])
def test_progress_counts_each_record_written_once_and_each_file_once(db_url, tmp_path, workers):
    paths = pages_of(tmp_path, 3, 2)
    paths.append(tmp_path / "garbage.json")
    paths[-1].write_bytes(b"\x00\x01 not json")
    progress = Progress()
    summary = warehouse.load(paths, db_url, workers=workers, on_progress=progress)
    assert progress.records == 6 and progress.taken_back == 0
    assert progress.files == [f.status for f in summary.files]
    assert sorted(progress.files) == ["loaded", "loaded", "loaded", "rejected"]


def test_progress_takes_back_the_records_of_a_file_rejected_after_some_were_written(
    db_url, tmp_path, monkeypatch
):
    # A JSON Lines file streamed record by record: two records are written before the
    # third line turns out not to be JSON, and the file is rejected whole.
    from warehouse import loading

    monkeypatch.setattr(loading, "WORKER_FILE_LIMIT", 0)
    page = seed_page()
    lines = []
    for i in range(2):
        rec = copy.deepcopy(record_of(page))
        rec["info"]["conversationId"] = f"c{i}"
        lines.append(orjson.dumps(rec))
    path = tmp_path / "c.jsonl"
    path.write_bytes(b"\n".join([*lines, b'{"info": {"conversationId": "c2"']) + b"\n")
    progress = Progress()
    (result,) = warehouse.load(
        [path], db_url, workers=0, chunk_records=1, on_progress=progress
    ).files
    assert result.status == "rejected"
    assert progress.taken_back == 2 and progress.records == 0
    assert query(db_url, "SELECT count(*) FROM conversation") == [(0,)]


def test_progress_counts_a_shared_transaction_written_again_file_by_file_once(
    db_url, tmp_path, monkeypatch
):
    # Small files share a transaction; when a write fails it is rolled back and its files
    # are loaded again one by one: records are counted once in the end.
    from warehouse import writer

    paths = pages_of(tmp_path, 3, 2)
    real, calls = writer.BatchWriter.write, []

    def write(self, batch, load_ids):
        calls.append(len(batch.metas))
        if len(calls) == 2:
            raise RuntimeError("a write that fails once")
        return real(self, batch, load_ids)

    monkeypatch.setattr(writer.BatchWriter, "write", write)
    progress = Progress()
    summary = warehouse.load(paths, db_url, workers=0, chunk_records=2, on_progress=progress)
    assert [f.status for f in summary.files] == ["loaded"] * 3
    assert progress.taken_back == 2  # the first file's records, written before the failure
    assert progress.records == 6
    assert query(db_url, "SELECT count(*) FROM conversation") == [(6,)]


def test_cli_summary_shows_whole_paths_and_reasons_without_repeating_them(db_url, tmp_path):
    """The table summary folds a long path instead of cutting it, and gives a file's
    rejection reason without the file and position already in its own columns."""
    folder = tmp_path / ("a-rather-long-folder-name-of-exports-" * 3)
    folder.mkdir()
    bad = folder / "broken-export-file.json"
    bad.write_text("{nope")
    runner = CliRunner()
    narrow = runner.invoke(app, ["load", str(bad), "--db", db_url], env={"COLUMNS": "80"})
    assert narrow.exit_code == 1
    assert "…" not in narrow.stdout  # nothing cut short
    wide = runner.invoke(app, ["load", str(bad), "--db", db_url, "--force"], env={"COLUMNS": "400"})
    row = next(line for line in wide.stdout.splitlines() if "JSON syntax error" in line)
    file, where, reason = (cell.strip() for cell in row.strip("│ ").split("│"))
    assert (file, where) == (str(bad), "line 1 column 2 (byte 1)")
    assert reason.startswith("JSON syntax error")
    stored = query(db_url, "SELECT reason FROM load_rejection")
    assert all(
        r.startswith(f"{bad}: line 1 column 2 (byte 1): JSON syntax error") for (r,) in stored
    )


def test_short_reason_strips_only_a_leading_file_and_position():
    from warehouse.load_report import short_reason

    assert short_reason("f.json", "byte 3", "f.json: byte 3: JSON syntax error") == (
        "JSON syntax error"
    )
    assert short_reason("f.json", None, "f.json: not a LivePerson export") == (
        "not a LivePerson export"
    )
    assert short_reason("f.json", "line 2", "conversation record without a conversationId") == (
        "conversation record without a conversationId"
    )


# -- per-file bookkeeping in blocks ------------------------------------------------------------


def test_load_ids_are_taken_in_blocks_in_file_order_without_gaps(db_url, tmp_path, monkeypatch):
    """One statement takes the load ids of up to LOAD_ID_BLOCK files; a file skipped as
    already loaded takes none, so a later load's ids follow on."""
    from warehouse import backend as backends
    from warehouse import loading

    monkeypatch.setattr(loading, "LOAD_ID_BLOCK", 4)
    taken: list[int] = []
    real = backends.Backend.next_load_ids

    def next_load_ids(self, count):
        taken.append(count)
        return real(self, count)

    monkeypatch.setattr(backends.Backend, "next_load_ids", next_load_ids)
    first = pages_of(tmp_path, 6, 1)
    warehouse.load(first, db_url, workers=0)
    assert taken == [4, 2]
    ids = query(db_url, "SELECT path, load_id FROM load_file ORDER BY load_id")
    assert ids == [(str(p), i) for i, p in enumerate(first, 1)]

    later = []
    for name in ("more-a", "more-b"):
        page = seed_page()
        record_of(page)["info"]["conversationId"] = name
        later.append(write_json(tmp_path / f"{name}.json", page))
    taken.clear()
    summary = warehouse.load([*first, *later], db_url, workers=0)
    assert [f.status for f in summary.files] == ["skipped"] * 6 + ["loaded"] * 2
    assert taken == [2]
    assert query(db_url, "SELECT load_id FROM load_file WHERE path LIKE '%more%' ORDER BY 1") == [
        (7,),
        (8,),
    ]


@pytest.mark.parametrize("limits", [(100, 500), (0, 500), (100, 0)])
@pytest.mark.parametrize("ahead, ahead_bytes", [(512, 2**26), (2, 2**26), (512, 1)])
def test_skip_check_with_and_without_reading_the_loaded_digests_at_once(
    db_url, tmp_path, monkeypatch, limits, ahead, ahead_bytes
):
    """Up to SHA_PREFETCH_FILES loaded files (and SHA_PREFETCH_PER_FILE per file of the
    run), their SHA-256s are read once per load; beyond, the run's files are looked up
    SHA_LOOKAHEAD_FILES at a time, never one statement per file (DuckDB scanned load_file
    for each): either way a file of known content is skipped, a changed one loaded, and a
    rejected one tried again."""
    from warehouse import loading

    monkeypatch.setattr(loading, "SHA_PREFETCH_FILES", limits[0])
    monkeypatch.setattr(loading, "SHA_PREFETCH_PER_FILE", limits[1])
    monkeypatch.setattr(loading, "SHA_LOOKAHEAD_FILES", ahead)
    monkeypatch.setattr(loading, "AHEAD_BYTES", ahead_bytes)  # 1: a file at a time
    statements: list[str] = []

    def recording(real):
        def call(*args):
            statements.append(args[1])  # (backend, sql, …) or (self, sql, …)
            return real(*args)

        return call

    monkeypatch.setattr(loading.backends, "scalar", recording(loading.backends.scalar))
    for cls in (loading.backends.DuckDBBackend, loading.backends.PostgresBackend):
        monkeypatch.setattr(cls, "fetchall", recording(cls.fetchall))
    looked_up: list[int] = []
    real = loading._Loader._already_loaded

    def already_loaded(self, result):
        answer = real(self, result)
        looked_up.append(self.loaded_sha is None)
        return answer

    monkeypatch.setattr(loading._Loader, "_already_loaded", already_loaded)
    paths = pages_of(tmp_path, 2, 1)
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    warehouse.load([*paths, bad], db_url, workers=0)
    page = seed_page()
    record_of(page)["info"]["conversationId"] = "changed"
    write_json(paths[1], page)
    looked_up.clear()
    statements.clear()
    summary = warehouse.load([*paths, bad], db_url, workers=0)
    status = {f.path: f.status for f in summary.files}
    assert status == {str(paths[0]): "skipped", str(paths[1]): "loaded", str(bad): "rejected"}
    assert set(looked_up) == {limits != (100, 500)}  # looked up ahead, or in the set read once
    assert not [sql for sql in statements if "sha256 = ?" in sql]
    asked_ahead = [sql for sql in statements if "AND sha256 IN" in sql]
    per_statement = ahead if ahead_bytes > 1 else 1
    assert len(asked_ahead) == (0 if limits == (100, 500) else -(-3 // per_statement))


def test_look_ahead_hashes_each_file_once_even_past_an_unreadable_one(
    duckdb_url, tmp_path, monkeypatch
):
    # A file that could not be hashed ahead started the look-ahead again from itself: every
    # unreadable file re-hashed the next 256 (16,074 hashes for 540 files in the review).
    from loaders import sources
    from warehouse import loading

    monkeypatch.setattr(loading, "SHA_PREFETCH_FILES", -1)  # look ahead, even when empty
    paths = pages_of(tmp_path, 6, 1)
    real = sources.sha256_of
    hashed: list[str] = []

    def sha256_of(path):
        hashed.append(Path(path).name)
        if Path(path) == paths[2]:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(sources, "sha256_of", sha256_of)
    summary = warehouse.load(paths, duckdb_url, workers=0)
    status = {f.path: f.status for f in summary.files}
    assert status == {str(p): "rejected" if p == paths[2] else "loaded" for p in paths}
    (unreadable,) = [f for f in summary.files if f.status == "rejected"]
    assert "Permission denied" in unreadable.error
    assert sorted(hashed) == sorted([p.name for p in paths] + [paths[2].name])


def test_load_file_rows_of_a_shared_transaction_are_written_by_one_statement(
    db_url, tmp_path, monkeypatch
):
    # A statement per file cost ~1.3 ms, and DuckDB binds a VALUES list at ~1 ms a row:
    # the rows are staged as one Arrow table.
    from warehouse import backend as backends

    statements: list[str] = []

    def counting(real):
        def execute(self, sql, params=None):
            if sql.startswith("INSERT INTO load_file"):
                statements.append(sql)
            return real(self, sql, params)

        return execute

    for cls in (backends.DuckDBBackend, backends.PostgresBackend):
        monkeypatch.setattr(cls, "execute", counting(cls.execute))
    paths = pages_of(tmp_path, 5, 2)
    warehouse.load(paths, db_url, workers=0)
    assert len(statements) == 1
    assert "VALUES" not in statements[0]
    rows = query(
        db_url,
        "SELECT path, status, records_seen, records_loaded, kind FROM load_file ORDER BY load_id",
    )
    assert rows == [(str(p), "loaded", 2, 2, "conversations") for p in paths]


def test_a_file_parsed_whole_in_several_batches_is_written_at_once(db_url, tmp_path, monkeypatch):
    """A file parsed whole gives a batch per ``chunk_records`` records; they are written
    together (a write per batch cost a web-session document of 37,000 bodies 2.5 s)."""
    from warehouse import writer

    writes: list[int] = []
    write = writer.BatchWriter.write

    def counted(self, batch, load_ids):
        writes.append(len(batch.metas))
        return write(self, batch, load_ids)

    monkeypatch.setattr(writer.BatchWriter, "write", counted)
    (path,) = pages_of(tmp_path, 1, 5)
    summary = warehouse.load([path], db_url, workers=0, chunk_records=2)
    assert [f.status for f in summary.files] == ["loaded"]
    assert writes == [5]
    assert query(db_url, "SELECT count(*) FROM conversation") == [(5,)]


# -- small files parsed in groups ----------------------------------------------------------------


def mixed_small_files(tmp_path: Path) -> list[Path]:
    """Small files of every outcome: pages, garbage, a truncated gzip, a cut JSON text, a
    page with a rejected record and a warning, a page of more records than a batch of 3
    takes, and a web visit split over two web-session files."""
    page = seed_page()
    pages = pages_of(tmp_path, 6, 2)
    garbage = tmp_path / "page1x.json"
    garbage.write_bytes(b"\x00\x01 not json")
    truncated = tmp_path / "page2x.json.gz"
    compressed = gzip.compress(orjson.dumps(page))
    truncated.write_bytes(compressed[: len(compressed) // 2])  # detected, then fails to parse
    cut = tmp_path / "page2y.json"
    cut.write_bytes(b'{"conversationHistoryRecords": [{"info": {"conversationId": "x"')
    warned = copy.deepcopy(record_of(page))
    warned["info"]["conversationId"] = "warned"
    warned["info"]["mcs"] = "lots"
    mixed = write_json(
        tmp_path / "page3x.json", {**page, "conversationHistoryRecords": [{"info": {}}, warned]}
    )
    many = []
    for i in range(5):
        rec = copy.deepcopy(record_of(page))
        rec["info"]["conversationId"] = f"many{i}"
        many.append(rec)
    big = write_json(tmp_path / "page4x.json", {**page, "conversationHistoryRecords": many})
    web = [tmp_path / "web1.json", tmp_path / "web2.json"]
    web[0].write_bytes(web_file("v1", 2000, None, "https://b.example/"))
    web[1].write_bytes(web_file("v1", 1000, None, "https://a.example/"))
    return [
        pages[0],
        garbage,
        pages[1],
        truncated,
        web[0],
        cut,
        pages[2],
        mixed,
        web[1],
        pages[3],
        big,
        *pages[4:],
    ]


def bookkeeping(url: str) -> tuple[list[tuple], list[tuple]]:
    files = query(
        url,
        "SELECT path, status, records_seen, records_loaded, records_rejected, warnings, error, "
        "detail FROM load_file ORDER BY path",
    )
    rejections = query(
        url,
        "SELECT f.path, r.ordinal, r.position, r.reason, r.raw FROM load_rejection r "
        "JOIN load_file f ON f.load_id = r.load_id ORDER BY f.path, r.ordinal",
    )
    return files, rejections


@pytest.mark.parametrize("whole_parse_bytes", [None, 1], ids=["in-groups", "over-the-limit"])
def test_small_files_parsed_in_groups_load_as_they_do_one_by_one(
    fresh_db, tmp_path, monkeypatch, whole_parse_bytes
):
    """The parsing processes parse small files in groups that share batches; each file is
    still loaded or rejected on its own and counted on its own. A file the group leaves
    alone (more records than a batch; past the group's size limit) is parsed on its own —
    past the limit, streamed."""
    from loaders import file_batches
    from warehouse import loading

    files = mixed_small_files(tmp_path)
    one_by_one = fresh_db()
    expected = warehouse.load(files, one_by_one, workers=0, chunk_records=3)
    monkeypatch.setattr(loading, "GROUP_FILES", 4)
    if whole_parse_bytes:
        monkeypatch.setattr(file_batches, "WHOLE_PARSE_BYTES", whole_parse_bytes)
    groups: list[int] = []
    start_group = loading._Loader._start_group

    def started(self):
        if self.group is not None:
            groups.append(len(self.group.members))
        return start_group(self)

    monkeypatch.setattr(loading._Loader, "_start_group", started)
    grouped = fresh_db()
    summary = warehouse.load(files, grouped, workers=2, chunk_records=3)
    assert groups == [4, 4, 4]  # the garbage is not even detected as an export
    statuses = {Path(f.path).name: f.status for f in summary.files}
    assert statuses == {Path(f.path).name: f.status for f in expected.files}
    assert {statuses[n] for n in ("page1x.json", "page2x.json.gz", "page2y.json")} == {"rejected"}
    assert sorted(statuses.values()).count("loaded") == 10
    assert dump(grouped) == dump(one_by_one)
    assert bookkeeping(grouped) == bookkeeping(one_by_one)
    files_rows, rejections = bookkeeping(grouped)
    mixed = next(row for row in files_rows if row[0].endswith("page3x.json"))
    assert mixed[1:6] == ("loaded", 2, 1, 1, 1)
    assert query(grouped, "SELECT count(*) FROM conversation") == [(18,)]
    assert query(
        grouped,
        "SELECT url FROM web_page_view WHERE url LIKE 'https://_.example/' ORDER BY url",
    ) == [("https://a.example/",), ("https://b.example/",)]  # the visit from both files
    assert [r[0].rsplit("/", 1)[1] for r in rejections] == [
        "page1x.json",
        "page2x.json.gz",
        "page2y.json",
        "page3x.json",
    ]


def test_generated_exports_loaded_any_way_give_the_same_warehouse_and_bookkeeping(
    fresh_db, tmp_path, monkeypatch
):
    """Generated exports — snapshots of one conversation on several pages, web visits spread
    over files, the same facts in two files — loaded in this process, by the parsing
    processes, in small writes, and streamed in parts: the same tables, and the same
    load_file rows (each file's counts and rows do not depend on how it was written)."""
    from bench.gen_conversations import ConversationOptions
    from bench.gen_web import WebOptions
    from bench.generate import write_conversations, write_web
    from warehouse import loading

    files = write_conversations(tmp_path / "c", 120, ConversationOptions(seed=3), per_page=20)
    files += write_web(tmp_path / "w", 40, WebOptions(seed=3), files=3)
    ways = {
        "inline": {"workers": 0},
        "pool": {"workers": 2},
        "small writes": {"workers": 2, "chunk_records": 7},
        "streamed": {"workers": 2, "streamed": True},
    }
    results = {}
    for way, options in ways.items():
        with monkeypatch.context() as patch:
            if options.pop("streamed", False):
                patch.setattr(loading, "WORKER_FILE_LIMIT", 1)  # every file streamed
            url = fresh_db()
            summary = warehouse.load(files, url, **options)
        assert not summary.rejected, way
        results[way] = (dump(url), bookkeeping(url))
    inline = results.pop("inline")
    assert inline[1][0]  # load_file rows
    for way, result in results.items():
        assert result == inline, way
    totals = summary.totals()
    assert totals["conversations_updated"] > 0 and totals["conversations_older_ignored"] > 0


@pytest.mark.parametrize("fresh_db", ["duckdb", "postgres"], indirect=True)
def test_records_that_differ_only_in_key_order_end_the_same_in_any_order(fresh_db, tmp_path):
    # Such records are the same content (the digest sorts keys), and the JSON text kept of
    # them (raw, extra) sorts keys too: the same text in any order (found by an audit: the
    # text was the first loaded file's).
    record = json.loads(seed_example(0, repaired=True))["conversationHistoryRecords"][0]
    record["info"]["unknownField"] = {"b": 1, "a": 2}  # kept in extra, key order and all
    reordered = dict(reversed(list(record.items())))
    reordered["info"] = dict(reversed(list(record["info"].items())))
    reordered["info"]["unknownField"] = {"a": 2, "b": 1}
    first = tmp_path / "first.json"
    first.write_text(json.dumps({"conversationHistoryRecords": [record]}))
    second = tmp_path / "second.json"
    second.write_text(json.dumps({"conversationHistoryRecords": [reordered]}))
    dumps = []
    for order in ([first, second], [second, first]):
        url = fresh_db()
        warehouse.load(order, url)
        dumps.append(dump(url))
        assert len(query(url, "SELECT extra FROM conversation")) == 1
    assert dumps[0] == dumps[1]
    (extra,) = query(url, "SELECT extra FROM conversation")[0]
    assert '"unknownField":{"a":2,"b":1}' in extra
