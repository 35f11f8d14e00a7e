"""The shared writer alone: hand-built parsed records → the warehouse, by the upsert rules.

No parser is involved: each test builds ``ParsedRecord`` objects the way the
parsers do and checks what the writer leaves in the database, on DuckDB and
PostgreSQL.
"""

from __future__ import annotations

import gc
import weakref
from datetime import date, datetime

import pyarrow as pa
import pytest
import sqlalchemy as sa

from loaders.records import ParsedRecord, Rejected
from warehouse import backend as backends
from warehouse import db
from warehouse.writer import FileWriter, purge_stale

T0 = 1_700_000_000_000  # 2023-11-14 22:13:20 UTC


def conversation(cid: str, version: int, *, messages=(), intents=(), carts=(), status="OPEN"):
    """A parsed conversation with messages (id, text), message intents (message id, intent)
    and cart SDE events (index, [product names])."""
    tables = {
        "conversation": [{"conversation_id": cid, "status": status, "start_time": T0}],
        "message": [
            {"conversation_id": cid, "message_id": mid, "text": text, "time": T0}
            for mid, text in messages
        ],
        "message_intent": [
            {"conversation_id": cid, "message_id": mid, "ordinal": i, "intent_id": intent}
            for i, (mid, intent) in enumerate(intents)
        ],
        "sde_cart_status": [],
        "sde_cart_status_product": [],
    }
    for index, products in carts:
        sde_id = f"{cid}:unauth:{index}"
        tables["sde_cart_status"].append(
            {"sde_id": sde_id, "source": "conversation", "conversation_id": cid, "raw": "{}"}
        )
        tables["sde_cart_status_product"].extend(
            {"sde_id": sde_id, "ordinal": i, "name": name} for i, name in enumerate(products)
        )
    return ParsedRecord(
        kind="conversation",
        position="test",
        tables=tables,
        key=cid,
        version=version,
        digest=f"{cid}-{version}-{status}",
    )


def write_file(url: str, items: list, load_id: int = 1) -> FileWriter:
    """Write ``items`` the way a load writes one file: one transaction, then the purge."""
    b = backends.connect(url)
    try:
        b.execute(
            "INSERT INTO load_file (load_id, path, status, records_seen, records_loaded, "
            "records_rejected, warnings) VALUES (?, 'test', 'loading', 0, 0, 0, 0) "
            "ON CONFLICT (load_id) DO NOTHING",
            [load_id],
        )
        writer = FileWriter(b, load_id)
        b.begin()
        writer.write(items)
        writer.finish()
        b.commit()
        if b.dialect == "duckdb":
            b.begin()
            purge_stale(b)
            b.commit()
        return writer
    finally:
        b.close()


def rows(url: str, sql: str) -> list[tuple]:
    engine = db.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()


def test_new_conversation_lands_with_all_its_rows(db_url):
    record = conversation(
        "c1",
        T0 + 5,
        messages=[("m1", "hi"), ("m2", "yo")],
        intents=[("m1", "greet")],
        carts=[(0, ["shoe", "hat"])],
    )
    writer = write_file(db_url, [record])
    assert (writer.counts.inserted, writer.counts.updated) == (1, 0)
    assert rows(db_url, "SELECT conversation_id, status, record_version FROM conversation") == [
        ("c1", "OPEN", datetime(2023, 11, 14, 22, 13, 20, 5000))
    ]
    assert rows(db_url, "SELECT message_id, text FROM message ORDER BY 1") == [
        ("m1", "hi"),
        ("m2", "yo"),
    ]
    assert rows(db_url, "SELECT message_id, intent_id FROM message_intent") == [("m1", "greet")]
    assert rows(db_url, "SELECT name FROM sde_cart_status_product ORDER BY ordinal") == [
        ("shoe",),
        ("hat",),
    ]


def test_newer_version_replaces_children_and_removes_what_it_lacks(db_url):
    old = conversation(
        "c1",
        T0,
        messages=[("m1", "hi"), ("m2", "old")],
        intents=[("m2", "x")],
        carts=[(0, ["shoe"]), (1, ["hat"])],
    )
    new = conversation(
        "c1", T0 + 10, messages=[("m1", "hi!")], carts=[(0, ["boot"])], status="CLOSE"
    )
    write_file(db_url, [old], load_id=1)
    writer = write_file(db_url, [new], load_id=2)
    assert (writer.counts.inserted, writer.counts.updated) == (0, 1)
    assert rows(db_url, "SELECT status FROM conversation") == [("CLOSE",)]
    # m2 had an intent (a child): DuckDB can only drop it after the children's delete commits.
    assert rows(db_url, "SELECT message_id, text FROM message") == [("m1", "hi!")]
    assert rows(db_url, "SELECT count(*) FROM message_intent") == [(0,)]
    assert rows(db_url, "SELECT sde_id FROM sde_cart_status") == [("c1:unauth:0",)]
    assert rows(db_url, "SELECT name FROM sde_cart_status_product") == [("boot",)]


def test_one_write_inserts_new_conversations_and_replaces_stored_ones(db_url):
    # New conversations' rows are appended and replaced ones' upserted, in one write.
    write_file(
        db_url,
        [
            conversation("c1", T0, messages=[("m1", "a"), ("m2", "b")], carts=[(0, ["x"])]),
            conversation("c2", T0, messages=[("m1", "c")]),
        ],
        load_id=1,
    )
    writer = write_file(
        db_url,
        [
            conversation("c3", T0, messages=[("m1", "new"), ("m9", "new too")], carts=[(0, ["y"])]),
            conversation("c1", T0 + 1, messages=[("m2", "b2"), ("m3", "d")], status="CLOSE"),
            conversation("c2", T0 - 1, messages=[("m1", "stale")]),
            conversation("c4", T0, messages=[("m1", "first")]),
            conversation("c4", T0 + 2, messages=[("m1", "second")]),
        ],
        load_id=2,
    )
    # Counted as if written one by one: c4's first record is inserted, its second updates it.
    counts = writer.counts
    assert (counts.inserted, counts.updated, counts.unchanged, counts.older) == (2, 2, 0, 1)
    assert counts.rows["conversation"] == 4  # c3, c1, c4 twice
    assert counts.rows["message"] == 6
    assert counts.rows["sde_cart_status"] == 1
    assert rows(db_url, "SELECT conversation_id, status, load_id FROM conversation ORDER BY 1") == [
        ("c1", "CLOSE", 2),
        ("c2", "OPEN", 1),
        ("c3", "OPEN", 2),
        ("c4", "OPEN", 2),
    ]
    assert rows(
        db_url, "SELECT conversation_id, message_id, text, load_id FROM message ORDER BY 1, 2"
    ) == [
        ("c1", "m2", "b2", 2),
        ("c1", "m3", "d", 2),
        ("c2", "m1", "c", 1),
        ("c3", "m1", "new", 2),
        ("c3", "m9", "new too", 2),
        ("c4", "m1", "second", 2),
    ]
    assert rows(db_url, "SELECT sde_id, load_id FROM sde_cart_status ORDER BY 1") == [
        ("c3:unauth:0", 2)
    ]


def test_older_version_changes_nothing_and_equal_version_is_unchanged(db_url):
    closed = conversation("c1", T0 + 10, messages=[("m1", "bye")], status="CLOSE")
    open_ = conversation("c1", T0, messages=[("m1", "hi"), ("m0", "x")], status="OPEN")
    write_file(db_url, [closed], load_id=1)
    writer = write_file(db_url, [open_], load_id=2)
    assert (writer.counts.older, writer.counts.updated) == (1, 0)
    writer = write_file(db_url, [closed], load_id=3)
    assert writer.counts.unchanged == 1
    assert rows(db_url, "SELECT status FROM conversation") == [("CLOSE",)]
    assert rows(db_url, "SELECT message_id, text FROM message") == [("m1", "bye")]


def test_same_conversation_twice_in_one_file_keeps_the_newer(db_url):
    newer = conversation("c1", T0 + 10, messages=[("m1", "new")], status="CLOSE")
    older = conversation("c1", T0, messages=[("m1", "old")], status="OPEN")
    write_file(db_url, [newer, older])
    assert rows(db_url, "SELECT status FROM conversation") == [("CLOSE",)]
    assert rows(db_url, "SELECT text FROM message") == [("new",)]


def test_same_conversation_in_two_chunks_of_one_file(db_url):
    older = conversation("c1", T0, messages=[("m1", "old"), ("m2", "gone")], intents=[("m2", "i")])
    newer = conversation("c1", T0 + 10, messages=[("m1", "new")], status="CLOSE")
    b = backends.connect(db_url)
    try:
        b.execute(
            "INSERT INTO load_file (load_id, path, status, records_seen, records_loaded, "
            "records_rejected, warnings) VALUES (1, 'test', 'loading', 0, 0, 0, 0)"
        )
        writer = FileWriter(b, 1)
        b.begin()
        writer.write([older])
        writer.write([newer])
        writer.write([older])
        writer.finish()
        b.commit()
        if b.dialect == "duckdb":
            b.begin()
            purge_stale(b)
            b.commit()
    finally:
        b.close()
    assert (writer.counts.inserted, writer.counts.updated, writer.counts.older) == (1, 1, 1)
    assert rows(db_url, "SELECT message_id, text FROM message") == [("m1", "new")]


def web_body(visit: str, source_time: int, fact: str, **session) -> ParsedRecord:
    return ParsedRecord(
        kind="web",
        position="test",
        tables={
            "web_session_source": [
                {"visit_id": visit, "fact_id": f"{visit}-{fact}-src", "source_time": source_time}
                | session
            ],
            "web_page_view": [{"visit_id": visit, "fact_id": f"{visit}-{fact}", "url": fact}],
        },
    )


def test_web_facts_accumulate_once_and_session_merges_by_file_time(db_url):
    early = web_body("v1", T0, "a", country="US", city="Boston")
    late = web_body("v1", T0 + 1000, "b", country="CA", city=None)
    write_file(db_url, [late], load_id=1)
    write_file(db_url, [early], load_id=2)
    write_file(db_url, [early], load_id=3)
    assert rows(db_url, "SELECT url FROM web_page_view ORDER BY url") == [("a",), ("b",)]
    # The later file wins where both have a value; a null never erases.
    assert rows(db_url, "SELECT country, city, source_time FROM web_session") == [
        ("CA", "Boston", datetime(2023, 11, 14, 22, 13, 21))
    ]


@pytest.mark.parametrize("order", ["us_first", "ca_first"])
def test_merge_breaks_equal_time_ties_by_value_in_any_order(db_url, order):
    # Two files say different things at the same time: the greatest value wins (text by
    # code point: "Ürdingen" > "Zug" > "Austin", where a locale would rank "Zug" first),
    # whichever file is loaded first; a later file's value beats both.
    us = web_body("v1", T0, "a", country="US", city="Austin", session_start_time=T0 - 5000)
    ca = web_body("v1", T0, "b", country="CA", city="Zug", session_start_time=T0 - 9000)
    ch = web_body("v1", T0, "c", country="CH", city="Ürdingen", session_start_time=None)
    files = [us, ca, ch] if order == "us_first" else [ch, ca, us]
    for load_id, body in enumerate(files, start=1):
        write_file(db_url, [body], load_id=load_id)
    assert rows(db_url, "SELECT country, city, session_start_time FROM web_session") == [
        ("US", "Ürdingen", datetime(2023, 11, 14, 22, 13, 15))
    ]
    later = web_body("v1", T0 + 1, "d", country="AR", city=None, session_start_time=None)
    write_file(db_url, [later], load_id=9)
    assert rows(db_url, "SELECT country, city, session_start_time FROM web_session") == [
        ("AR", "Ürdingen", datetime(2023, 11, 14, 22, 13, 15))
    ]


def test_merge_ties_break_by_code_point_on_a_locale_collated_server(_pg_server):
    # The default collation of this database sorts "Zug" after "Ürdingen" (ICU, en-US); the
    # merge compares text by code point all the same, as DuckDB does.
    from warehouse import migrate

    url = _pg_server.create_icu("icu")
    try:
        migrate.upgrade(url)
        assert rows(url, "SELECT max(x) FROM (VALUES ('Ürdingen'), ('Zug')) t(x)") == [("Zug",)]
        for load_id, city in enumerate(["Zug", "Ürdingen", "Austin"], start=1):
            write_file(url, [web_body("v1", T0, city, city=city)], load_id=load_id)
        assert rows(url, "SELECT city FROM web_session") == [("Ürdingen",)]
    finally:
        _pg_server.drop(url)


def test_rejections_are_counted_not_written_by_the_writer(db_url):
    writer = write_file(db_url, [Rejected("record 3", "no conversationId", "{}")])
    assert writer.counts.records_rejected == 1
    assert rows(db_url, "SELECT count(*) FROM conversation") == [(0,)]


def test_staged_rows_are_let_go_when_unstaged_inside_the_transaction(db_url):
    # A big file is written in one transaction: each batch's rows must be freed once they
    # are written, not held until the commit (DuckDB's register() held them).
    b = backends.connect(db_url)
    try:
        b.begin()
        staged = pa.table({"conversation_id": pa.array(["c1", "c2", "c3"], pa.large_string())})
        held = weakref.ref(staged)
        relation = b.stage("chunk_keys", staged)
        del staged
        assert b.fetchall(f"SELECT count(*) FROM {relation}") == [(3,)]
        b.execute("CREATE TEMP TABLE written_keys (conversation_id TEXT)")
        b.execute(f"INSERT INTO written_keys SELECT conversation_id FROM {relation}")
        b.unstage(relation)
        gc.collect()
        assert held() is None
        assert b.fetchall("SELECT count(*) FROM written_keys") == [(3,)]
        b.rollback()
    finally:
        b.close()


def test_key_sets_are_analyzed_and_jit_is_off_on_postgresql(postgres_url):
    # Autovacuum never analyzes temporary tables: without statistics, the planner took the
    # staged keys of a few replaced conversations for thousands and scanned whole child
    # tables to delete their rows, a cost that grew with the warehouse (scaling audit).
    b = backends.connect(postgres_url)
    try:
        assert b.fetchall("SHOW jit") == [("off",)]
        b.begin()
        ids = pa.array([f"c{i}" for i in range(50)], pa.large_string())
        plain = b.stage("plain_keys", pa.table({"conversation_id": ids}))
        looked_up = b.stage("looked_up_keys", pa.table({"conversation_id": ids}), keys=True)
        sql = "SELECT reltuples FROM pg_class WHERE relname = ? AND relpersistence = 't'"
        assert b.fetchall(sql, [looked_up]) == [(50.0,)]
        assert b.fetchall(sql, [plain]) == [(-1.0,)]  # never analyzed
        b.rollback()
    finally:
        b.close()


def test_staged_values_reach_the_database_exactly(db_url):
    # PostgreSQL gets Arrow tables by binary COPY: every type the warehouse uses, nulls
    # distinct from empty strings, extreme values, and NUL (text cannot hold it: U+FFFD).
    types = {
        "k": pa.int32(),
        "t": pa.large_string(),
        "i": pa.int32(),
        "l": pa.int64(),
        "f": pa.float64(),
        "b": pa.bool_(),
        "d": pa.date32(),
        "ts": pa.timestamp("ms"),
    }
    rows = [
        (0, "", 0, 0, 0.1, True, date(1970, 1, 1), datetime(1970, 1, 1)),
        (1, None, None, None, None, None, None, None),
        (2, "a\x00b", -(2**31), -(2**63), -1.5e308, False, date(1, 1, 1), datetime(1, 1, 1)),
        (3, "x" * 60_000, 2**31 - 1, 2**63 - 1, 5e-324, True, date(9999, 12, 31),
         datetime(9999, 12, 31, 23, 59, 59, 999000)),
        (4, "naïve ☃ 𝄞", 7, 42, 1 / 3, False, date(2022, 1, 8),
         datetime(2023, 11, 14, 22, 13, 20, 123000)),
        (5, "'quoted', \"double\"\n\\", 1, 1, -0.0, True, date(1969, 12, 31),
         datetime(1969, 12, 31, 23, 59, 59, 999000)),
    ]  # fmt: skip
    table = pa.table(
        {
            name: pa.array([row[i] for row in rows], type)
            for i, (name, type) in enumerate(types.items())
        }
    )
    b = backends.connect(db_url)
    try:
        b.begin()
        relation = b.stage("probe", table)
        got = b.fetchall(f"SELECT {', '.join(types)} FROM {relation} ORDER BY k")
        b.rollback()
    finally:
        b.close()
    expected = [(row[0], row[1] and row[1].replace("\x00", "\ufffd"), *row[2:]) for row in rows]
    if b.dialect == "duckdb":  # DuckDB holds the NUL: it is PostgreSQL's text that cannot
        expected[2] = (2, "a\x00b", *expected[2][2:])
    assert [tuple(row) for row in got] == expected


def test_web_sessions_are_merged_in_slices_of_visits(db_url, monkeypatch):
    from warehouse import writer

    monkeypatch.setattr(writer, "MERGE_VISITS", 2)
    bodies = [web_body(f"v{i}", T0 + i, f"p{i}", country=f"C{i}") for i in range(5)]
    write_file(db_url, bodies)
    assert rows(db_url, "SELECT visit_id, country FROM web_session ORDER BY visit_id") == [
        (f"v{i}", f"C{i}") for i in range(5)
    ]


def test_postgresql_looks_stored_rows_up_by_a_key_array(postgres_url, monkeypatch):
    # Joined to the staged keys (IN, or a join), the planner sized the lookup by the child
    # tables' statistics, which put their distinct conversation ids 5-7x too low: a batch's
    # ~1,000 replaced conversations seemed to own ~140,000 rows, and every delete of their
    # rows (and the web merges) scanned whole tables, a cost that grew with the warehouse
    # (1.5 s for 8 M message statuses at 400,000 conversations; 48 ms by index). As
    # "= ANY (ARRAY(...))" the planner takes the keys for a few and uses the index.
    # Not so the merge of a fact's visitor: it joins the stored facts on their whole primary
    # key, whose estimate is right, and an array on the key's first column besides went
    # into each fact's index lookup (one descent per element: 7-110 s a statement for
    # 20,000 visits loaded into 100,000).
    statements: list[str] = []
    real = backends.PostgresBackend.execute

    def execute(self, sql, params=None):
        statements.append(" ".join(sql.split()))
        return real(self, sql, params)

    write_file(postgres_url, [conversation("c1", 1, messages=[("m1", "a"), ("m2", "b")],
                                           intents=[("m1", "i")], carts=[(0, ["x"])])])  # fmt: skip

    def seen_by(visitor: str, source_time: int) -> ParsedRecord:
        body = web_body("v1", source_time, "a")
        body.tables["web_page_view"][0]["visitor_id"] = visitor
        return body

    write_file(postgres_url, [seen_by("p", T0)], load_id=2)
    monkeypatch.setattr(backends.PostgresBackend, "execute", execute)
    write_file(postgres_url, [conversation("c1", 2, messages=[("m1", "a")])], load_id=3)
    write_file(postgres_url, [seen_by("q", T0 + 1)], load_id=4)
    lookups = [
        s for s in statements
        if s.startswith(("DELETE", "UPDATE", "CREATE TEMP TABLE _lpwh_merged"))
    ]  # fmt: skip
    merges = [s for s in lookups if s.startswith('UPDATE "web_page_view" AS t SET visitor_id')]
    assert len(merges) == 1
    assert "ANY" not in merges[0] and 't."fact_id" = v."fact_id"' in merges[0]
    lookups = [s for s in lookups if "SET visitor_id" not in s]
    assert len(lookups) >= 5
    assert [s for s in lookups if "= ANY (ARRAY(SELECT" not in s] == []
    assert rows(postgres_url, "SELECT message_id FROM message") == [("m1",)]
    assert rows(postgres_url, "SELECT count(*) FROM message_intent") == [(0,)]
    assert rows(postgres_url, "SELECT count(*) FROM sde_cart_status_product") == [(0,)]
    assert rows(postgres_url, "SELECT visitor_id FROM web_page_view") == [("q",)]
