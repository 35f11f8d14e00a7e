"""Resource bounds: gzip bombs and absurd records do not exhaust memory.

Each bomb is a small file that expands to about 1 GiB: a multi-member gzip (one stream
to the reader) whose members are made once and written many times, so the test makes
it in a fraction of a second. ``lpwh load`` runs in a subprocess whose peak resident
memory (plus what its parsing processes add: their unique memory) is sampled with
psutil and must stay under ``RSS_BOUND``; the records around the bomb must load, and
the bomb itself must be rejected with a reason or read without being held.
"""

from __future__ import annotations

import copy
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson
import psutil
import pytest
from seeds import seed_example
from test_load import query

RSS_BOUND = 400 * 1024 * 1024
MEMBER = 64 * 1024 * 1024  # expanded bytes per repeated gzip member
EXPANDED = 1024 * 1024 * 1024  # about 1 GiB expanded per bomb


def record(cid: str) -> dict:
    rec = copy.deepcopy(json.loads(seed_example(0))["conversationHistoryRecords"][0])
    rec["info"]["conversationId"] = cid
    return rec


def write_bomb(
    path: Path, head: bytes, filler: bytes, tail: bytes, expanded: int = EXPANDED
) -> Path:
    """``head``, then ``filler`` repeated to about ``expanded`` bytes, then ``tail``; gzip."""
    member = gzip.compress(filler * (MEMBER // len(filler)), compresslevel=9)
    with path.open("wb") as out:
        out.write(gzip.compress(head))
        for _ in range(expanded // MEMBER):
            out.write(member)
        out.write(gzip.compress(tail))
    assert path.stat().st_size < 16 * 1024 * 1024  # small on disk
    return path


def load_measured(
    db_url: str, path: Path, *extra: str, environ: dict[str, str] | None = None
) -> tuple[int, dict, int]:
    """Run ``lpwh load --format json`` on ``path`` (with ``environ`` as its only ``LPWH_``
    settings); (exit code, summary, peak RSS bytes)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LPWH_")} | (environ or {})
    cmd = [sys.executable, "-m", "warehouse.cli", "load", str(path), "--db", db_url]
    # Into files, not pipes: a summary bigger than a pipe holds would stop the load until
    # it is read, and this loop reads it only at the end.
    out_file, err_file = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [*cmd, "--format", "json", *extra], stdout=out_file, stderr=err_file, env=env
    )
    watched = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            rss = watched.memory_info().rss
            # A parsing process is forked from the loader: its RSS counts the pages it still
            # shares with the loader a second time. Its unique memory (USS) is what it adds.
            rss += sum(c.memory_full_info().uss for c in watched.children(recursive=True))
        except psutil.Error:
            rss = 0
        peak = max(peak, rss)
        time.sleep(0.02)
    proc.wait()
    out_file.seek(0)
    err_file.seek(0)
    out, err = out_file.read(), err_file.read()
    assert not err.strip() or proc.returncode in (0, 1), err.decode()
    return proc.returncode, json.loads(out), peak


def conversation_ids(url: str) -> list[str]:
    return [cid for (cid,) in query(url, "SELECT conversation_id FROM conversation ORDER BY 1")]


def test_spaces_bomb_inside_a_page_loads_its_records_in_bounded_memory(db_url, tmp_path):
    # Valid JSON: a page whose two records are 1 GiB of whitespace apart.
    bomb = write_bomb(
        tmp_path / "spaces.json.gz",
        b'{"conversationHistoryRecords": [' + orjson.dumps(record("before")) + b",",
        b" " * 1024,
        orjson.dumps(record("after")) + b"]}",
    )
    code, summary, peak = load_measured(db_url, bomb)
    assert code == 0, summary
    assert summary["files"][0]["status"] == "loaded"
    assert conversation_ids(db_url) == ["after", "before"]
    assert peak < RSS_BOUND, f"peak RSS {peak / 2**20:.0f} MiB"


def test_zeros_bomb_is_rejected_as_not_json_in_bounded_memory(db_url, tmp_path):
    bomb = write_bomb(tmp_path / "zeros.json.gz", b"", b"\x00" * 1024, b"")
    code, summary, peak = load_measured(db_url, bomb)
    assert code == 1
    (file,) = summary["files"]
    assert file["status"] == "rejected"
    assert str(bomb) in file["error"] and "byte" in file["error"]
    assert query(db_url, "SELECT status FROM load_file") == [("rejected",)]
    assert peak < RSS_BOUND, f"peak RSS {peak / 2**20:.0f} MiB"


def test_absurd_json_lines_record_is_rejected_unread_and_the_others_load(db_url, tmp_path):
    # Line 2 is one record of 1 GiB; the default limit (64 MiB) rejects it without holding it.
    bomb = write_bomb(
        tmp_path / "lines.jsonl.gz",
        orjson.dumps(record("first")) + b'\n{"info": {"conversationId": "absurd", "pad": "',
        b"a" * 1024,
        b'"}}\n' + orjson.dumps(record("third")) + b"\n",
    )
    code, summary, peak = load_measured(db_url, bomb)
    assert code == 1  # something was rejected
    (file,) = summary["files"]
    assert file["status"] == "loaded"
    assert (file["records_seen"], file["records_loaded"], file["records_rejected"]) == (3, 2, 1)
    assert conversation_ids(db_url) == ["first", "third"]
    ((position, reason, raw),) = query(db_url, "SELECT position, reason, raw FROM load_rejection")
    assert position == "line 2"
    assert "over the limit of 67,108,864 bytes" in reason
    assert raw.startswith('{"info": {"conversationId": "absurd"') and len(raw) == 64 * 1024
    assert peak < RSS_BOUND, f"peak RSS {peak / 2**20:.0f} MiB"


def test_a_file_bad_throughout_is_loaded_in_bounded_memory(db_url, tmp_path):
    # 512 MiB of records without a conversation id, each rejected with its raw text: the
    # rejections wait in the database, not in the loader (100,000 of 1 KB took 812 MB), and
    # the summary keeps a count and the first few positions and reasons. (DuckDB holds
    # what it is given up to its budget: a small one shows that nothing else holds them.)
    bad = b'{"info": {"pad": "' + b"b" * 1000 + b'"}}\n'
    bomb = write_bomb(
        tmp_path / "bad.jsonl.gz",
        orjson.dumps(record("first")) + b"\n",
        bad,
        orjson.dumps(record("last")) + b"\n",
        expanded=EXPANDED // 2,
    )
    lines = (EXPANDED // 2 // MEMBER) * (MEMBER // len(bad))
    code, summary, peak = load_measured(db_url, bomb, environ={"LPWH_DUCKDB_MEMORY_MB": "64"})
    assert code == 1
    (file,) = summary["files"]
    assert file["status"] == "loaded"
    assert (file["records_seen"], file["records_loaded"]) == (lines + 2, 2)
    assert file["records_rejected"] == lines == summary["totals"]["rejections"]
    assert [r["position"] for r in file["rejections"]] == [f"line {n}" for n in range(2, 102)]
    assert conversation_ids(db_url) == ["first", "last"]
    stored = query(
        db_url,
        "SELECT count(*), count(DISTINCT ordinal), min(ordinal), max(ordinal), "
        "sum(length(raw)), min(position), max(reason) = min(reason) FROM load_rejection",
    )
    raw = orjson.dumps(orjson.loads(bad))  # (a record's JSON, as the parser read it)
    assert stored == [(lines, lines, 0, lines - 1, lines * len(raw), "line 10", True)]
    assert query(db_url, "SELECT records_rejected FROM load_file") == [(lines,)]
    # On DuckDB, plus what it was given: its 64 MiB and the key index of load_rejection.
    bound = RSS_BOUND + (0 if db_url.startswith("postgresql") else 128 * 2**20)
    assert peak < bound, f"peak RSS {peak / 2**20:.0f} MiB"  # (before: 2.5 GB, 3.9 GB)


def test_absurd_page_element_is_skipped_unbuilt_and_the_others_load(db_url, tmp_path):
    # The middle record of the page holds 128 MiB of small objects: as Python objects they
    # would take about 500 MiB, so it must be measured and skipped, never built. (Smaller
    # than the other bombs: every value of it passes through Python as a parse event.)
    small_object = b'{"a": "' + b"x" * 100 + b'"}, '
    bomb = write_bomb(
        tmp_path / "element.json.gz",
        b'{"conversationHistoryRecords": ['
        + orjson.dumps(record("first"))
        + b', {"info": {"conversationId": "absurd"}, "pad": [',
        small_object * 100,
        b'{"a": 1}]}, ' + orjson.dumps(record("third")) + b"]}",
        expanded=2 * MEMBER,
    )
    code, summary, peak = load_measured(db_url, bomb, "--max-record-bytes", str(16 * 2**20))
    assert code == 1
    (file,) = summary["files"]
    assert file["status"] == "loaded"
    assert (file["records_seen"], file["records_loaded"], file["records_rejected"]) == (3, 2, 1)
    assert conversation_ids(db_url) == ["first", "third"]
    ((position, reason),) = query(db_url, "SELECT position, reason FROM load_rejection")
    assert position == "byte 0, conversationHistoryRecords[1]"
    assert "over the limit of 16,777,216 bytes" in reason
    assert peak < RSS_BOUND, f"peak RSS {peak / 2**20:.0f} MiB"


# -- the record limit, small and exact -------------------------------------------------------


def test_record_limit_applies_to_lines_elements_and_documents(duckdb_url, tmp_path, monkeypatch):
    import warehouse

    limit = 100_000
    big = record("big")
    big["info"]["pad"] = "x" * limit
    ok = [record("a"), record("b")]
    lines = tmp_path / "lines.jsonl"
    lines.write_bytes(b"\n".join(orjson.dumps(r) for r in (ok[0], big, ok[1])) + b"\n")
    page = tmp_path / "page.json"
    page.write_bytes(orjson.dumps({"conversationHistoryRecords": [big, *ok]}))
    document = tmp_path / "document.json"
    # A bare conversation record, not a page: its document is the record, over the limit.
    document.write_bytes(orjson.dumps({"info": {"conversationId": "doc"}, "pad": "y" * limit}))
    monkeypatch.setenv("LPWH_MAX_RECORD_BYTES", str(limit))  # the environment sets the default
    summary = warehouse.load([lines, page, document], duckdb_url, workers=0)
    by_name = {Path(f.path).name: f for f in summary.files}
    assert [(r.position) for r in by_name["lines.jsonl"].counts.rejections] == ["line 2"]
    assert [(r.position) for r in by_name["page.json"].counts.rejections] == [
        "byte 0, conversationHistoryRecords[0]"
    ]
    assert by_name["document.json"].status == "rejected"
    assert "not a page of records" in by_name["document.json"].error
    assert conversation_ids(duckdb_url) == ["a", "b"]
    # A limit the big record fits under loads it (the argument wins over the environment).
    summary = warehouse.load([lines], duckdb_url, workers=0, force=True, max_record_bytes=10**6)
    assert not summary.rejected
    assert conversation_ids(duckdb_url) == ["a", "b", "big"]


@pytest.mark.parametrize("value", ["0", "lots"])
def test_cli_refuses_a_bad_record_limit(duckdb_url, tmp_path, value):
    from typer.testing import CliRunner

    from warehouse.cli import app

    path = tmp_path / "page.json"
    path.write_bytes(orjson.dumps({"conversationHistoryRecords": [record("a")]}))
    result = CliRunner().invoke(
        app, ["load", str(path), "--db", duckdb_url, "--max-record-bytes", value]
    )
    assert result.exit_code == 2
    assert "--max-record-bytes" in result.output
    assert query(duckdb_url, "SELECT count(*) FROM load_file") == [(0,)]


def test_duckdb_memory_limit_follows_the_key_indexes_of_a_long_transaction(duckdb_url, monkeypatch):
    # A file is written in one transaction. DuckDB spills the rows it adds to disk beyond
    # its memory limit, but not their key index: a fixed small limit fails a big file,
    # the limit the loader keeps (budget + what the indexes take) does not.
    from warehouse import backend as backends

    def fill(b: backends.Backend, bound: bool) -> None:
        b.execute("CREATE TABLE IF NOT EXISTS many_keys (k VARCHAR PRIMARY KEY)")
        b.begin()
        for chunk in range(8):
            b.execute(
                "INSERT INTO many_keys SELECT 'a-key-long-enough-not-to-be-inlined-' || "
                f"({chunk} * 250000 + range) FROM range(250000)"
            )
            if bound:
                b.bound_memory()

    monkeypatch.setenv("LPWH_DUCKDB_MEMORY_MB", "16")
    b = backends.connect(duckdb_url)
    try:
        assert b.fetchall("SELECT current_setting('memory_limit')")[0][0] == "16.0 MiB"
        fill(b, bound=True)
        limit = b.fetchall("SELECT current_setting('memory_limit')")[0][0]
        indexes = b.fetchall(
            "SELECT sum(memory_usage_bytes) FROM duckdb_memory() WHERE tag = 'ART_INDEX'"
        )[0][0]
        assert indexes > 32 * 2**20  # the index alone is beyond the budget ...
        b.commit()  # ... and the transaction still commits
        assert float(limit.split()[0]) * 2**20 >= indexes + 16 * 2**20 - 2**20
        assert b.fetchall("SELECT count(*) FROM many_keys") == [(2_000_000,)]
        b.execute("DROP TABLE many_keys")
        b.execute("SET memory_limit = '16MB'")
        with pytest.raises(Exception, match="Out of Memory"):
            fill(b, bound=False)
        b.rollback()
    finally:
        b.close()


def test_duckdb_memory_limit_is_put_back_after_a_load(duckdb_url):
    # Connections of this process to the same file share the database instance and its
    # settings: the load's limit must not outlive the load.
    import duckdb

    from warehouse import backend as backends

    mine = duckdb.connect(duckdb_url)
    try:
        mine.execute("SET memory_limit = '3GiB'")
        b = backends.connect(duckdb_url)
        limit = "SELECT current_setting('memory_limit')"
        assert mine.execute(limit).fetchall() != [("3.0 GiB",)]  # the load's own
        b.close()
        assert mine.execute(limit).fetchall() == [("3.0 GiB",)]
    finally:
        mine.close()


def test_a_duckdb_load_checkpoints_at_its_end_not_after_each_commit(
    duckdb_url, tmp_path, monkeypatch
):
    # A checkpoint writes back most of each key index (the keys are random), so its cost
    # grows with the warehouse: a load of many files checkpoints once, at its end. This
    # connection holds the database instance, whose threshold (tiny here) would otherwise
    # checkpoint after every commit; the load puts it back when it is done.
    import duckdb

    import warehouse
    from warehouse import loading, migrate

    monkeypatch.setattr(loading, "TRANSACTION_RECORDS", 1)  # a transaction per file
    # (migrated already; SQLAlchemy's connection would not share the instance held here)
    monkeypatch.setattr(migrate, "current_revision", lambda url, wait=None: migrate.head_revision())
    files = []
    for name in ("a", "b", "c"):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps({"conversationHistoryRecords": [record(f"conv-{name}")]}))
        files.append(path)
    log = Path(duckdb_url + ".wal")
    logged: list[int] = []

    def on_progress(result, records):
        if result is not None:  # a file done: its transaction committed
            logged.append(log.stat().st_size if log.exists() else 0)

    mine = duckdb.connect(duckdb_url)
    try:
        mine.execute("SET checkpoint_threshold = '1KiB'")
        summary = warehouse.load(files, duckdb_url, workers=0, on_progress=on_progress)
        assert [f.status for f in summary.files] == ["loaded"] * 3
        assert len(logged) == 3 and all(size > 0 for size in logged)  # in the log, ...
        assert not log.exists() or log.stat().st_size == 0  # ... then in the file
        threshold = "SELECT current_setting('checkpoint_threshold')"
        assert mine.execute(threshold).fetchall() == [("1.0 KiB",)]
        assert mine.execute("SELECT count(*) FROM conversation").fetchall() == [(3,)]
    finally:
        mine.close()


def test_duckdb_memory_budget_must_be_a_number_of_mib(duckdb_url, monkeypatch):
    from warehouse import backend as backends

    monkeypatch.setenv("LPWH_DUCKDB_MEMORY_MB", "lots")
    with pytest.raises(ValueError, match="LPWH_DUCKDB_MEMORY_MB must be a number of MiB"):
        backends.connect(duckdb_url)


@pytest.mark.parametrize("failures", [1, 2])
def test_a_file_that_runs_out_of_the_duckdb_budget_is_loaded_again_without_it(
    duckdb_url, tmp_path, monkeypatch, failures
):
    # What DuckDB cannot spill may be more than the key indexes: rather than reject a file
    # that fits in the machine, the load lifts its budget and writes the file again —
    # once: out of memory without the budget too, the file is rejected.
    import duckdb

    import warehouse
    from warehouse import loading, writer

    monkeypatch.setattr(loading, "WORKER_FILE_LIMIT", 0)  # streamed: a transaction of its own
    real, calls = writer.BatchWriter.write, []

    def write(self, batch, load_ids):
        calls.append(self.backend.fetchall("SELECT current_setting('memory_limit')")[0][0])
        if len(calls) <= failures:
            raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block")
        return real(self, batch, load_ids)

    monkeypatch.setattr(writer.BatchWriter, "write", write)
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"conversationHistoryRecords": [record("c1"), record("c2")]}))
    (result,) = warehouse.load([path], duckdb_url, workers=0).files
    assert len(calls) == 2 and calls[0] != calls[1]  # the second time without the budget
    if failures == 1:
        assert result.status == "loaded"
        assert query(duckdb_url, "SELECT count(*) FROM conversation") == [(2,)]
        assert query(duckdb_url, "SELECT status FROM load_file") == [("loaded",)]
    else:
        assert result.status == "rejected" and "Out of Memory" in result.error
        assert query(duckdb_url, "SELECT count(*) FROM conversation") == [(0,)]
        assert query(duckdb_url, "SELECT status FROM load_file") == [("rejected",)]


@pytest.mark.parametrize("form", ["page", "lines", "meta"])
def test_nesting_100000_deep_is_read_in_bounded_memory(db_url, tmp_path, form):
    """A 200 KB file nested 100,000 levels deep. yajl's own parse spells out every event's
    prefix (~64K events per read × 500 KB each: it took the machine's 24 GB); the record
    is rejected alone, in bounded memory. Deep in the page's own keys (``meta``: the
    ``_metadata`` of a page is not stored), every record loads."""
    depth = 100_000
    deep = "[" * depth + "]" * depth
    records = [json.dumps(record(f"c{i}")) for i in range(3)]
    if form != "meta":
        records[1] = records[1].replace('"info": {', '"info": {"weird": ' + deep + ", ", 1)
        assert deep in records[1]
    path = tmp_path / "deep.json"
    if form == "lines":
        path.write_text("\n".join(records) + "\n")
    elif form == "page":
        path.write_text('{"conversationHistoryRecords": [' + ", ".join(records) + "]}")
    else:
        path.write_text(
            '{"_metadata": {"weird": '
            + deep
            + '}, "conversationHistoryRecords": ['
            + ", ".join(records)
            + "]}"
        )
    code, summary, peak = load_measured(db_url, path)
    assert peak < RSS_BOUND, f"peak RSS {peak / 2**20:.0f} MiB"
    (result,) = summary["files"]
    assert result["status"] == "loaded"
    if form == "meta":
        assert code == 0
        assert conversation_ids(db_url) == ["c0", "c1", "c2"]
        return
    assert code == 1
    assert [r["reason"] for r in result["rejections"]] == ["record nested too deeply to be read"]
    assert conversation_ids(db_url) == ["c0", "c2"]
