"""Publishing a read-only copy for BI tools: ``warehouse.publishing.publish`` and ``lpwh publish``.

The contract: the copy holds every row of the warehouse (from DuckDB and from
PostgreSQL), DuckDB 1.x from the oldest version the README promises reads it, it
replaces the previous copy atomically and only when complete, and a dashboard
holding the copy open never blocks a load of the warehouse.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path

import duckdb
import orjson
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from warehouse import db, publishing
from warehouse.cli import app
from warehouse.loading import load
from warehouse.models import metadata

T0 = datetime(2024, 3, 1, 12, 30, 5, 123000)
# A few rows in parents and children of both worlds, with every column type and awkward text.
SAMPLE: dict[str, list[dict]] = {
    "load_file": [
        dict(
            load_id=7,
            path="/exports/page-1.json",
            status="loaded",
            records_seen=2,
            records_loaded=2,
            records_rejected=0,
            warnings=0,
            started_at=T0,
        )
    ],
    "conversation": [
        dict(
            conversation_id="conv-1",
            record_hash="h1",
            record_version=T0,
            load_id=7,
            start_time=T0,
            duration=61_000,
            agent_deleted=False,
            mcs=2,
            status="CLOSE",
        ),
        dict(conversation_id="conv-2", record_hash="h2", status="OPEN"),
    ],
    "message": [
        dict(
            conversation_id="conv-1",
            message_id="conv-1::msg:0",
            seq=0,
            time=T0,
            text="héllo, 'quoted' \"text\"\nsecond line",
        ),
        dict(conversation_id="conv-1", message_id="conv-1::msg:1", seq=1, text=""),
    ],
    "web_session": [
        dict(visit_id="visit-1", visitor_id="visitor-1", country="Israel", session_start_time=T0)
    ],
    "web_page_view": [
        dict(visit_id="visit-1", fact_id="f1", url="https://example.com/a?b=1", event_time=T0)
    ],
    "sde_purchase": [
        dict(
            sde_id="sde-1",
            source="conversation",
            conversation_id="conv-1",
            visit_id="visit-1",
            total=99.5,
            cart_num_items=3,
            is_authenticated=True,
            raw="{}",
        )
    ],
    "sde_purchase_product": [
        dict(sde_id="sde-1", ordinal=0, quantity=2, name="Shoe", price=49.75),
        dict(sde_id="sde-1", ordinal=1, quantity=None, name=None, price=None),
    ],
}


def insert_sample(url: str, sample: dict[str, list[dict]] = SAMPLE) -> None:
    """Insert ``sample`` into the warehouse at ``url``, parents first."""
    engine = db.create_engine(url)
    try:
        with engine.begin() as conn:
            for table in metadata.sorted_tables:
                rows = sample.get(table.name)
                if rows:
                    keys = {k for row in rows for k in row}  # one statement: the same keys
                    conn.execute(table.insert(), [{k: r.get(k) for k in keys} for r in rows])
    finally:
        engine.dispose()


def dump_sql(url: str) -> dict[str, list[tuple]]:
    """Every contract table's rows (all columns, sorted) through SQLAlchemy."""
    engine = db.create_engine(url, read_only=True)
    try:
        with engine.connect() as conn:
            return {
                t.name: sorted((tuple(r) for r in conn.execute(sa.select(t))), key=repr)
                for t in metadata.sorted_tables
            }
    finally:
        engine.dispose()


def dump_duckdb(path: Path) -> dict[str, list[tuple]]:
    """Every contract table's rows (all columns, model order, sorted) read with DuckDB."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for t in metadata.sorted_tables:
            cols = ", ".join(f'"{c.name}"' for c in t.columns)
            out[t.name] = sorted(con.execute(f'SELECT {cols} FROM "{t.name}"').fetchall(), key=repr)
        return out
    finally:
        con.close()


def count(path: Path, table: str) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    finally:
        con.close()


def leftovers(directory: Path) -> list[str]:
    """Temporary files a publish left in ``directory``."""
    return sorted(p.name for p in directory.iterdir() if ".publishing" in p.name)


# -- the copy ---------------------------------------------------------------------------------


def test_published_copy_holds_every_row_of_the_warehouse(db_url: str, tmp_path: Path) -> None:
    insert_sample(db_url)
    target = tmp_path / "bi" / "published.duckdb"

    result = publishing.publish(db_url, target)

    assert target.is_file()
    assert dump_duckdb(target) == dump_sql(db_url)
    assert result.target == target.resolve()
    assert result.storage_version == publishing.DEFAULT_STORAGE_VERSION
    assert result.rows["conversation"] == 2
    assert result.rows["sde_purchase_product"] == 2
    assert result.rows["alembic_version"] == 1
    assert set(result.rows) == {t.name for t in metadata.sorted_tables} | {"alembic_version"}
    assert result.size_bytes == target.stat().st_size
    assert leftovers(target.parent) == []
    # Values survive exactly, not just counts.
    con = duckdb.connect(str(target), read_only=True)
    try:
        assert con.execute(
            "SELECT text FROM message WHERE message_id = 'conv-1::msg:0'"
        ).fetchone() == ("héllo, 'quoted' \"text\"\nsecond line",)
        assert con.execute("SELECT text FROM message WHERE seq = 1").fetchone() == ("",)
        assert con.execute(
            "SELECT start_time, agent_deleted FROM conversation WHERE conversation_id = 'conv-1'"
        ).fetchone() == (T0, False)
        # The load id sequence goes on where the warehouse's stands.
        assert con.execute(
            "SELECT count(*) FROM duckdb_sequences() WHERE sequence_name = 'load_file_load_id_seq'"
        ).fetchone() == (1,)
    finally:
        con.close()


def test_the_copy_is_written_in_the_old_storage_format(duckdb_url: str, tmp_path: Path) -> None:
    target = tmp_path / "published.duckdb"
    publishing.publish(duckdb_url, target)
    latest = tmp_path / "latest.duckdb"
    publishing.publish(duckdb_url, latest, storage_version="latest")

    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{target}' AS old_format (READ_ONLY)")
        con.execute(f"ATTACH '{latest}' AS new_format (READ_ONLY)")
        tags = dict(
            con.execute(
                "SELECT database_name, tags['storage_version'] FROM duckdb_databases() "
                "WHERE database_name IN ('old_format', 'new_format')"
            ).fetchall()
        )
    finally:
        con.close()
    assert tags == {"old_format": "v1.0.0+", "new_format": "v2.0.0+"}


def test_publish_shares_an_instance_this_process_holds_open(duckdb_url: str, tmp_path: Path):
    # DuckDB refuses a read-only open of a file this process holds read-write.
    insert_sample(duckdb_url)
    held = duckdb.connect(duckdb_url)
    try:
        held.execute("DELETE FROM message WHERE seq = 1")
        result = publishing.publish(duckdb_url, tmp_path / "published.duckdb")
    finally:
        held.close()
    assert result.rows["message"] == 1
    assert count(tmp_path / "published.duckdb", "message") == 1


# -- the oldest DuckDB the README promises ------------------------------------------------------


def cached_duckdb(version: str) -> Path:
    """A directory holding the ``duckdb`` package ``version``, pip-installed once per machine."""
    cache = Path(os.environ.get("LPWH_TEST_CACHE") or Path.home() / ".cache" / "lpwh-test")
    target = cache / f"duckdb-{version}"
    if (target / "duckdb").is_dir():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    staging = cache / f".duckdb-{version}.{os.getpid()}.installing"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-deps", "--target", str(staging), f"duckdb=={version}"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if proc.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        reason = (proc.stderr.strip().splitlines() or ["pip failed"])[-1]
        pytest.skip(
            f"cannot install duckdb=={version} with pip (package index unreachable?): {reason}"
        )
    try:
        staging.rename(target)
    except OSError:  # another test run installed it meanwhile
        shutil.rmtree(staging, ignore_errors=True)
    return target


READER_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    q = lambda sql: con.execute(sql).fetchall()
    tables = [r[0] for r in q("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'")]
    print(json.dumps({
        "version": duckdb.__version__,
        "counts": {t: q(f'SELECT count(*) FROM "{t}"')[0][0] for t in tables},
        "text": q("SELECT text FROM message WHERE seq = 0")[0][0],
        "total": q("SELECT total FROM sde_purchase")[0][0],
        "start_time": str(q("SELECT start_time FROM conversation WHERE mcs = 2")[0][0]),
        "table_comment": q("SELECT comment FROM duckdb_tables() "
                           "WHERE table_name = 'message'")[0][0],
        "foreign_keys": q("SELECT count(*) FROM duckdb_constraints() "
                          "WHERE constraint_type = 'FOREIGN KEY'")[0][0],
        "primary_keys": q("SELECT count(*) FROM duckdb_constraints() "
                          "WHERE constraint_type = 'PRIMARY KEY'")[0][0],
    }, default=str))
    """
)


def read_with_duckdb(version: str, path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(cached_duckdb(version))}
    return subprocess.run(
        [sys.executable, "-c", READER_SCRIPT, str(path)],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_oldest_promised_duckdb_reads_the_published_copy(db_url: str, tmp_path: Path) -> None:
    insert_sample(db_url)
    target = tmp_path / "published.duckdb"
    result = publishing.publish(db_url, target)

    proc = read_with_duckdb(publishing.OLDEST_READER, target)

    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout)
    assert seen["version"] == publishing.OLDEST_READER
    assert seen["counts"] == result.rows
    assert seen["text"] == "héllo, 'quoted' \"text\"\nsecond line"
    assert seen["total"] == 99.5
    assert seen["start_time"] == str(T0)
    assert seen["table_comment"] == metadata.tables["message"].comment
    assert seen["primary_keys"] == len(metadata.tables) + 1  # and alembic_version's
    assert seen["foreign_keys"] == sum(
        len(t.foreign_key_constraints) for t in metadata.sorted_tables
    )


def test_a_copy_in_the_newest_format_is_what_duckdb_1x_cannot_read(duckdb_url: str, tmp_path):
    target = tmp_path / "latest.duckdb"
    publishing.publish(duckdb_url, target, storage_version="latest")

    proc = read_with_duckdb(publishing.OLDEST_READER, target)

    assert proc.returncode != 0
    assert "version number" in proc.stderr


@pytest.mark.skipif(
    not hasattr(db, "STORAGE_VERSION_ENV"), reason="db.py has no LPWH_DUCKDB_STORAGE_VERSION hook"
)
def test_a_new_warehouse_can_be_created_for_duckdb_1x(tmp_path, monkeypatch) -> None:
    from warehouse import migrate

    monkeypatch.setenv("LPWH_DUCKDB_STORAGE_VERSION", publishing.DEFAULT_STORAGE_VERSION)
    url = str(tmp_path / "warehouse.duckdb")
    migrate.upgrade(url)
    insert_sample(url)

    proc = read_with_duckdb(publishing.OLDEST_READER, Path(url))

    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["counts"]["sde_purchase_product"] == 2


# -- atomic replacement -----------------------------------------------------------------------


def test_publishing_twice_replaces_the_copy(duckdb_url: str, tmp_path: Path) -> None:
    target = tmp_path / "published.duckdb"
    first = publishing.publish(duckdb_url, target)
    inode = target.stat().st_ino
    insert_sample(duckdb_url)

    second = publishing.publish(duckdb_url, target)

    assert first.rows["conversation"] == 0
    assert second.rows["conversation"] == 2
    assert count(target, "conversation") == 2
    assert target.stat().st_ino != inode  # a new file moved into place, not rewritten in place
    assert leftovers(tmp_path) == []


class _Recording:
    """A DuckDB connection that records the statements it runs."""

    def __init__(self, con: duckdb.DuckDBPyConnection, sql: list[str]) -> None:
        self.con, self.sql = con, sql

    def execute(self, sql: str, *args):
        self.sql.append(sql)
        return self.con.execute(sql, *args)

    def close(self) -> None:
        self.con.close()


def test_the_copy_is_made_within_a_memory_bound(duckdb_url, tmp_path, monkeypatch) -> None:
    # DuckDB's default limit is 80 % of the machine: a 1.3 GB copy took 2.65 GB. The copy
    # is bounded as a load is ($LPWH_DUCKDB_MEMORY_MB plus its key indexes), on an instance
    # of its own; an instance the caller holds open keeps its limit.
    insert_sample(duckdb_url)
    monkeypatch.setenv("LPWH_DUCKDB_MEMORY_MB", "100")
    sql: list[str] = []
    real = publishing._open_source
    monkeypatch.setattr(publishing, "_open_source", lambda *a: _Recording(real(*a), sql))
    target = tmp_path / "published.duckdb"
    assert publishing.publish(duckdb_url, target).rows["conversation"] == 2
    (limit,) = [s for s in sql if s.startswith("SET memory_limit")]
    bound = int(limit.split("'")[1].removesuffix("MiB"))
    assert 100 < bound < 110  # the budget, and a few rows' indexes
    held = duckdb.connect(duckdb_url)
    try:
        held.execute("SET memory_limit = '1234MiB'")
        before = held.execute("SELECT current_setting('memory_limit')").fetchone()
        sql.clear()
        for _ in range(3):
            assert publishing.publish(duckdb_url, target).rows["conversation"] == 2
        assert not [s for s in sql if s.startswith("SET memory_limit")]
        assert held.execute("SELECT current_setting('memory_limit')").fetchone() == before
    finally:
        held.close()


def test_a_copy_out_of_memory_is_made_again_unbounded(duckdb_url, tmp_path, monkeypatch) -> None:
    insert_sample(duckdb_url)
    budgets: list[int | None] = []
    real = publishing._copy_duckdb_once

    def copy_once(source, temp, storage_version, wait, budget_mb):
        budgets.append(budget_mb)
        if budget_mb is not None:  # as if DuckDB had run out of memory, the copy half made
            temp.write_bytes(b"half a copy")
            Path(str(temp) + ".wal").write_bytes(b"half a log")
            raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate")
        real(source, temp, storage_version, wait, budget_mb)

    monkeypatch.setattr(publishing, "_copy_duckdb_once", copy_once)
    target = tmp_path / "published.duckdb"
    assert publishing.publish(duckdb_url, target).rows["conversation"] == 2
    assert budgets == [512, None]
    assert count(target, "conversation") == 2
    assert leftovers(tmp_path) == []


def test_a_failed_publish_leaves_the_previous_copy(duckdb_url, tmp_path, monkeypatch) -> None:
    target = tmp_path / "published.duckdb"
    publishing.publish(duckdb_url, target)
    before = target.read_bytes()
    insert_sample(duckdb_url)

    def fail(path: Path) -> dict:
        assert path.is_file() and path != target  # the new copy was written beside the target
        raise RuntimeError("disk full")

    monkeypatch.setattr(publishing, "_row_counts", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        publishing.publish(duckdb_url, target)

    assert target.read_bytes() == before
    assert count(target, "conversation") == 0
    assert leftovers(tmp_path) == []


def test_a_publish_killed_midway_leaves_the_previous_copy(duckdb_url, tmp_path) -> None:
    target = tmp_path / "published.duckdb"
    publishing.publish(duckdb_url, target)
    insert_sample(duckdb_url)
    # The process dies (no cleanup, no exception handling) after writing the new copy.
    script = textwrap.dedent(
        """
        import os, sys
        from warehouse import publishing
        publishing._row_counts = lambda path: os._exit(9)
        publishing.publish(sys.argv[1], sys.argv[2])
        """
    )
    proc = subprocess.run([sys.executable, "-c", script, duckdb_url, str(target)], timeout=300)

    assert proc.returncode == 9
    assert count(target, "conversation") == 0
    assert len(leftovers(tmp_path)) == 1  # the abandoned temporary file, never the target
    # A dead process's copy is gone once it is old enough (a publish on another machine
    # sharing the folder would still be writing to its own); one of a publish still
    # running (this process) is not touched.
    (orphan,) = leftovers(tmp_path)
    assert publishing.publish(duckdb_url, target).rows["conversation"] == 2
    assert leftovers(tmp_path) == [orphan]
    hour_ago = time.time() - 3600
    os.utime(tmp_path / orphan, (hour_ago, hour_ago))
    running = tmp_path / f".{target.name}.{os.getpid()}.0badf00d.publishing"
    running.write_bytes(b"in progress")
    os.utime(running, (hour_ago, hour_ago))
    assert publishing.publish(duckdb_url, target).rows["conversation"] == 2
    assert leftovers(tmp_path) == [running.name]


def test_publish_waits_for_a_load_as_the_other_commands_do(duckdb_url, tmp_path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
            "print('locked', flush=True); time.sleep(float(sys.argv[2]))",
            duckdb_url,
            "2",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    target = tmp_path / "published.duckdb"
    refused = CliRunner().invoke(app, ["publish", str(target), "--db", duckdb_url])
    assert refused.exit_code == 1
    assert "is locked by another process: PID" in refused.output
    assert "use --wait SECONDS" in refused.output
    waited = CliRunner().invoke(app, ["publish", str(target), "--db", duckdb_url, "--wait", "60"])
    holder.wait(timeout=60)
    assert waited.exit_code == 0, waited.output
    assert count(target, "load_file") == 0


# -- dashboards and loads -----------------------------------------------------------------------


def conversation_page(ids: list[str]) -> dict:
    """A Messaging Interactions API response page with one small record per id."""
    return {
        "_metadata": {"count": len(ids)},
        "conversationHistoryRecords": [
            {
                "info": {"conversationId": cid, "startTimeL": 1_700_000_000_000, "status": "CLOSE"},
                "messageRecords": [
                    {
                        "messageId": f"{cid}::msg:0",
                        "seq": 0,
                        "timeL": 1_700_000_000_500,
                        "type": "TEXT_PLAIN",
                        "messageData": {"msg": {"text": "hello"}},
                        "participantId": "consumer-1",
                        "sentBy": "Consumer",
                    }
                ],
            }
            for cid in ids
        ],
    }


HOLDER_SCRIPT = textwrap.dedent(
    """
    import sys
    import duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    count = lambda: con.execute("SELECT count(*) FROM conversation").fetchone()[0]
    print(count(), flush=True)
    sys.stdin.readline()  # hold the file open until the test says so
    print(count(), flush=True)
    """
)


def test_a_dashboard_on_the_copy_does_not_block_a_load(duckdb_url: str, tmp_path: Path) -> None:
    target = tmp_path / "published.duckdb"
    first = tmp_path / "first.json"
    first.write_bytes(orjson.dumps(conversation_page(["pub-1", "pub-2"])))
    assert load([first], duckdb_url).files[0].status == "loaded"
    publishing.publish(duckdb_url, target)
    dashboard = subprocess.Popen(
        [sys.executable, "-c", HOLDER_SCRIPT, str(target)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert dashboard.stdout.readline().strip() == "2"

        second = tmp_path / "second.json"
        second.write_bytes(orjson.dumps(conversation_page(["pub-3"])))
        summary = load([second], duckdb_url)
        republished = publishing.publish(duckdb_url, target)

        out, _ = dashboard.communicate("go\n", timeout=60)
    finally:
        dashboard.kill()
    assert summary.files[0].status == "loaded"
    assert republished.rows["conversation"] == 3
    assert out.strip() == "2"  # the dashboard kept reading the copy it had open, intact
    assert count(target, "conversation") == 3  # the next connection sees the new copy


# -- the command --------------------------------------------------------------------------------


def test_lpwh_publish_writes_the_copy_and_says_so(duckdb_url: str, tmp_path: Path) -> None:
    insert_sample(duckdb_url)
    target = tmp_path / "published.duckdb"

    result = CliRunner().invoke(app, ["publish", str(target), "--db", duckdb_url])

    assert result.exit_code == 0, result.output
    assert str(target) in result.output
    assert f"readable by DuckDB {publishing.OLDEST_READER} and later" in result.output
    assert count(target, "sde_purchase_product") == 2


def test_lpwh_publish_refuses_what_it_cannot_do(tmp_path: Path, duckdb_url: str) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["publish", str(tmp_path / "p.duckdb"), "--db", "nope.duckdb"])
    itself = runner.invoke(app, ["publish", duckdb_url, "--db", duckdb_url])
    version = runner.invoke(
        app, ["publish", str(tmp_path / "p.duckdb"), "--db", duckdb_url, "--storage-version", "x"]
    )

    assert missing.exit_code == 1
    assert "no DuckDB warehouse at" in missing.output
    assert itself.exit_code == 1
    assert "cannot be the warehouse itself" in itself.output
    assert version.exit_code == 1
    assert "storage version must look like v1.1.0" in version.output
    assert not (tmp_path / "p.duckdb").exists()


def test_publish_never_overwrites_a_file_that_is_not_duckdb(duckdb_url: str, tmp_path: Path):
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes, not a warehouse copy")

    result = CliRunner().invoke(app, ["publish", str(notes), "--db", duckdb_url])

    assert result.exit_code == 1
    assert "is not a DuckDB file: not replacing it" in result.output
    assert notes.read_text() == "my notes, not a warehouse copy"
    assert leftovers(tmp_path) == []
