"""The benchmark (bench/run.py) runs as the README gives it, at a small scale, and reports
figures that agree with what it loaded."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_benchmark_with_breakdown_reports_consistent_figures(tmp_path):
    cmd = [sys.executable, "-m", "bench.run", "--conversations", "60", "--web-visits", "30"]
    cmd += ["--breakdown", "--page-records", "20", "--out", str(tmp_path)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (results,) = tmp_path.glob("results-*.json")
    figures = json.loads(results.read_text())

    conv = figures["conversations_duckdb"]
    assert conv["counts"]["conversation"] == 60
    pages = sorted((tmp_path / "conversations-n60-s1-p20").glob("*.json"))
    page_sizes = [len(json.loads(p.read_text())["conversationHistoryRecords"]) for p in pages]
    assert max(page_sizes) == 20 and sum(page_sizes) == conv["records_seen"]
    assert conv["rejected"] == 0
    assert conv["ratio"] == conv["seconds"] / conv["read_seconds"]
    parts = figures["conversations_breakdown"]
    # the breakdown wrote the same input: at least a row per conversation and per message
    assert parts["rows"] > conv["counts"]["conversation"] + conv["counts"]["message"]
    assert parts["parse_seconds"] > 0 and parts["write_seconds"] > 0 and parts["floor_seconds"] > 0

    web = figures["web_duckdb"]
    assert web["counts"]["web_session"] == 30
    assert web["counts"]["web_page_view"] > 30
    assert figures["web_breakdown"]["rows"] >= web["counts"]["web_page_view"]

    table = proc.stdout
    assert "| conversations/s, end to end (DuckDB) |" in table
    assert "| conversations: writer alone (" in table
    assert "| web: same rows into key-less tables (floor) |" in table
    assert not list(tmp_path.glob("lpwh-bench-*")), "the work directory is removed"


def test_grown_warehouse_load_reports_what_it_added_to_the_visits_already_there(tmp_path):
    """``--grown-visits N`` loads the same web files again into a copy of a DuckDB warehouse
    that holds N other visits (built once, kept with the inputs): the figures are of what
    the load added, which is what the fresh load wrote."""
    cmd = [sys.executable, "-m", "bench.run", "--web-visits", "30", "--grown-visits", "40"]
    cmd += ["--out", str(tmp_path)]
    for run in (1, 2):  # the second run reuses the grown warehouse
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert ("grown warehouse: loading 40 visits" in proc.stdout) == (run == 1)
    for results in tmp_path.glob("results-*.json"):
        figures = json.loads(results.read_text())
        fresh, grown = figures["web_duckdb"], figures["web_duckdb_grown"]
        assert grown["before"]["web_session"] == 40
        assert grown["counts"]["web_session"] == 70
        assert grown["added"] == fresh["counts"]  # other visits: every fact is new
        assert grown["rejected"] == 0
    assert "| page views/s into a warehouse of 40 other visits (DuckDB) |" in proc.stdout
    assert list(tmp_path.glob("grown-web-v40-s1.duckdb"))
    assert not list(tmp_path.glob("lpwh-bench-*")), "the work directory is removed"
    alone = [sys.executable, "-m", "bench.run", "--grown-visits", "40", "--out", str(tmp_path)]
    proc = subprocess.run(alone, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2 and "give --web-visits too" in proc.stderr


def test_grown_warehouse_load_on_postgresql(tmp_path, pg_server_url):
    """With ``--postgres`` the web load runs on PostgreSQL too, fresh and into a copy of a
    database of N other visits kept on the server (``CREATE DATABASE … TEMPLATE``)."""
    import psycopg

    folder = hashlib.sha256(str(tmp_path.resolve()).encode()).hexdigest()[:8]
    template = f"lpwh_bench_grown_v40_s1_{folder}"  # this run's own
    cmd = [sys.executable, "-m", "bench.run", "--web-visits", "30", "--grown-visits", "40"]
    cmd += ["--postgres", pg_server_url, "--out", str(tmp_path)]
    try:
        for run in (1, 2):  # the second run reuses the database of other visits
            proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
            assert proc.returncode == 0, proc.stderr[-3000:]
            building = f"loading 40 visits into PostgreSQL {template}" in proc.stdout
            assert building == (run == 1)
        for results in tmp_path.glob("results-*.json"):
            figures = json.loads(results.read_text())
            fresh, grown = figures["web_postgres"], figures["web_postgres_grown"]
            assert fresh["counts"] == figures["web_duckdb"]["counts"]
            assert grown["before"]["web_session"] == 40
            assert grown["added"] == fresh["counts"]
            assert grown["rejected"] == 0
        assert "| page views/s into a warehouse of 40 other visits (PostgreSQL) |" in proc.stdout
    finally:
        with psycopg.connect(pg_server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')


def test_memory_runs_on_duckdb_and_postgresql(tmp_path, pg_server_url):
    """``--memory`` (at a tiny size here) loads one big file of each kind into each database
    and reports the loading process's peak RSS and the tree's RSS and PSS."""
    cmd = [sys.executable, "-m", "bench.run", "--memory", "--memory-conv-mb", "1"]
    cmd += ["--memory-web-mb", "1", "--postgres", pg_server_url, "--out", str(tmp_path)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (results,) = tmp_path.glob("results-*.json")
    figures = json.loads(results.read_text())
    for key in ("memory-conv", "memory-web", "memory-conv_postgres", "memory-web_postgres"):
        run = figures[f"memory_{key}"]
        assert run["rejected"] == 0, key
        assert run["records_seen"] > 0, key
        assert 0 < run["peak_rss_mb"] <= run["sampled_rss_mb"], key
        assert 0 < run["sampled_pss_mb"] <= run["sampled_rss_mb"], key
    assert (
        figures["memory_memory-conv"]["counts"] == figures["memory_memory-conv_postgres"]["counts"]
    )
    assert "MB JSON Lines conversations (PostgreSQL): peak RSS |" in proc.stdout


def test_index_memory_shows_the_limit_a_keyed_table_needs():
    """bench/index_memory.py at a small size: a generous limit commits the small transaction,
    a limit below what the stored rows' key indexes take fails it."""
    cmd = [sys.executable, "-m", "bench.index_memory", "--children", "1000000"]
    cmd += ["--limits", "20,400"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("stored 1,000,000 child rows (+20,000 parents)")
    assert "memory_limit 20 MiB" in lines[1] and "FAILED" in lines[1]
    assert "memory_limit 400 MiB" in lines[2] and lines[2].endswith("committed")


def test_a_child_load_reports_its_own_peak_not_its_parents(tmp_path):
    """The benchmark process grows big (its breakdown holds every parsed batch); a child it
    starts must report its own peak RSS, not the parent's size at the fork."""
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from bench.run import run_child_load\n"
        "ballast = bytearray(600 * 1024 * 1024)\n"
        "ballast[::4096] = b'x' * len(ballast[::4096])  # touched: resident\n"
        f"page = Path({str(tmp_path / 'page.json')!r})\n"
        "page.write_text(json.dumps({'conversationHistoryRecords': [\n"
        "    {'info': {'conversationId': 'c1', 'startTimeL': 1700000000000}}]}))\n"
        f"run = run_child_load([page], {str(tmp_path / 'w.duckdb')!r})\n"
        "print(run.peak_rss_mb, run.records_seen)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    peak, records = proc.stdout.split()
    assert records == "1"
    assert 0 < float(peak) < 400  # a load of one record, in a child of a 600 MB parent


def test_read_baseline_uses_the_smallest_object_size_that_reads_the_files(tmp_path):
    """DuckDB's own read, the ratio's baseline, keeps DuckDB's default maximum_object_size
    (a bigger one makes the read slower, which would flatter the ratio) unless a file is
    bigger, compressed or not: then just enough for the biggest."""
    import gzip

    from bench.run import DUCKDB_OBJECT_BYTES, WEB_READ_SQL, duckdb_read_seconds, max_object_bytes

    small = tmp_path / "small.json"
    small.write_text(json.dumps({"dataType": "x", "metaData": {}, "recordCollection": [{}]}))
    assert max_object_bytes([small]) == DUCKDB_OBJECT_BYTES

    body = {"body": {"com.liveperson.dataaccess.X": {"text": {"string": "y" * 1000}}}}
    doc = {"dataType": "x", "metaData": {}, "recordCollection": [body] * 18_000}
    text = json.dumps(doc).encode()
    assert len(text) > DUCKDB_OBJECT_BYTES
    big = tmp_path / "big.json.gz"
    big.write_bytes(gzip.compress(text))
    assert max_object_bytes([small, big]) == len(text) + 1
    _seconds, records = duckdb_read_seconds(WEB_READ_SQL, [small, big])
    assert records == 1 + 18_000


def test_a_measured_load_is_timed_without_the_sampler_and_sampled_apart(tmp_path):
    """The sampler's reads of every process's memory take CPU from the load: the time comes
    from a run without it, the process tree's memory from a second run."""
    from bench.run import duckdb_files, measured_load, run_child_load

    page = tmp_path / "page.json"
    page.write_text(
        json.dumps(
            {"conversationHistoryRecords": [{"info": {"conversationId": "c1", "startTimeL": 1}}]}
        )
    )
    quiet = run_child_load([page], str(tmp_path / "quiet.duckdb"), sample=False)
    assert quiet.records_seen == 1 and quiet.seconds > 0
    assert (quiet.sampled_rss_mb, quiet.sampled_pss_mb) == (0, 0)
    fresh = duckdb_files(tmp_path, "measured")
    run = measured_load([page], fresh)
    assert run.records_seen == 1 and run.counts["conversation"] == 1
    assert 0 < run.sampled_pss_mb <= run.sampled_rss_mb
    # a fresh database for each of the two runs
    assert sorted(p.name for p in tmp_path.glob("measured-*.duckdb")) == [
        "measured-1.duckdb",
        "measured-2.duckdb",
    ]
