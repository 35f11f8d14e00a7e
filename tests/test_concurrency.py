"""Two writers at once.

DuckDB: a file admits one writing process. A second ``lpwh load`` or ``lpwh migrate``
waits up to ``--wait SECONDS`` (or ``$LPWH_WAIT``; default 0) for the lock, then fails
with a message naming the process that holds it — it never corrupts the file and never
waits forever.

PostgreSQL: two ``lpwh load`` processes given overlapping sets of files at the same time
end in exactly the state of a sequential load — even on an empty database both try to
migrate.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_load import query
from test_properties import dump, json_lines, page, snapshot, web_file

import warehouse

HOLD = (
    "import duckdb, sys, time\n"
    "con = duckdb.connect(sys.argv[1])\n"
    "print('locked', flush=True)\n"
    "time.sleep(float(sys.argv[2]))\n"
)


def lpwh(*args: str, env: dict | None = None) -> subprocess.Popen:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("LPWH_")}
    full_env.update(env or {})
    return subprocess.Popen(
        [sys.executable, "-m", "warehouse.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=full_env,
    )


def finish(proc: subprocess.Popen, timeout: float = 120) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def hold_lock(path: str, seconds: float) -> subprocess.Popen:
    """A process holding the DuckDB file's lock for ``seconds``."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, path, str(seconds), "--marker=lock-holder"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    return holder


@pytest.fixture
def small_export(tmp_path) -> Path:
    path = tmp_path / "export.jsonl"
    path.write_bytes(json_lines([snapshot(f"c{i}", 1, 2) for i in range(5)]))
    return path


def test_duckdb_second_writer_waits_then_fails_naming_the_holder(duckdb_url, small_export):
    holder = hold_lock(duckdb_url, 30)
    try:
        started = time.monotonic()
        code, out, err = finish(
            lpwh("load", str(small_export), "--db", duckdb_url, "--wait", "1.5")
        )
        waited = time.monotonic() - started
        assert code == 1
        assert 1.5 <= waited < 15  # it waited, and then gave up
        assert f"locked by another process: PID {holder.pid}" in err
        assert "--marker=lock-holder" in err  # the holder's command line
        assert "still held after waiting 1.5 s" in err
        assert "Traceback" not in err

        started = time.monotonic()
        code, out, err = finish(lpwh("migrate", "--db", duckdb_url))  # default: no wait
        assert code == 1
        assert time.monotonic() - started < 10
        assert f"PID {holder.pid}" in err and "use --wait SECONDS or LPWH_WAIT" in err

        code, out, err = finish(
            lpwh("migrate", "--db", duckdb_url, env={"LPWH_WAIT": "0.5"}), timeout=60
        )
        assert code == 1 and "still held after waiting 0.5 s" in err
    finally:
        holder.kill()
        holder.wait()
    # Nothing was written, and the file is intact.
    assert query(duckdb_url, "SELECT count(*) FROM load_file") == [(0,)]
    assert query(duckdb_url, "SELECT count(*) FROM conversation") == [(0,)]


def test_a_query_waits_for_the_lock_with_wait(duckdb_url):
    holder = hold_lock(duckdb_url, 2)
    try:
        code, out, err = finish(
            lpwh("sql", "SELECT 41 + 1 AS x", "--db", duckdb_url, "--wait", "60")
        )
        assert code == 0, err
        assert "42" in out
    finally:
        holder.kill()
        holder.wait()


def test_duckdb_second_writer_gets_the_lock_when_it_is_released(duckdb_url, small_export):
    holder = hold_lock(duckdb_url, 2)
    try:
        started = time.monotonic()
        code, out, err = finish(lpwh("load", str(small_export), "--db", duckdb_url, "--wait", "60"))
        assert code == 0, err
        assert time.monotonic() - started < 30  # got it soon after the holder let go
    finally:
        holder.kill()
        holder.wait()
    assert query(duckdb_url, "SELECT count(*) FROM conversation") == [(5,)]


def test_duckdb_two_loads_at_once_end_like_one_after_the_other(duckdb_url, tmp_path):
    first, second = overlapping_exports(tmp_path)
    procs = [
        lpwh("load", *map(str, files), "--db", duckdb_url, "--wait", "120")
        for files in (first, second)
    ]
    results = [finish(p, timeout=300) for p in procs]
    assert [code for code, _, _ in results] == [0, 0], [err for _, _, err in results]
    assert dump(duckdb_url) == sequential_dump(tmp_path, first, second)


def test_locked_engine_for_queries_names_the_holder(duckdb_url):
    holder = hold_lock(duckdb_url, 30)
    try:
        code, out, err = finish(lpwh("sql", "SELECT 1", "--db", duckdb_url))
        assert code == 1
        assert f"PID {holder.pid}" in err and "use --wait SECONDS" in err
        # The advice holds: query and sql take --wait as load and migrate do.
        for command in (["sql", "SELECT 1"], ["query", "conversation_volume"]):
            code, out, err = finish(lpwh(*command, "--db", duckdb_url, "--wait", "0.5"))
            assert code == 1 and "still held after waiting 0.5 s" in err, err
    finally:
        holder.kill()
        holder.wait()


# -- PostgreSQL: concurrent loads ---------------------------------------------------------------


def overlapping_exports(folder: Path) -> tuple[list[Path], list[Path]]:
    """Two overlapping sets of files: the same conversations in older and newer snapshots
    (each set holds some of both, in different orders), shared files, and web-session
    files about the same visit."""
    files: dict[str, bytes] = {}
    for step in range(4):
        # Every step touches every conversation: a later step wins, whoever loads it.
        records = [
            snapshot(f"conv-{i:03d}", step, (i + step) % 5, status="CLOSE" if step == 3 else "OPEN")
            for i in range(300)
        ]
        files[f"step{step}.jsonl"] = json_lines(records)
        files[f"step{step}-page.json"] = page(records[::7])
    for i, (country, minute) in enumerate([("US", 0), ("CA", 5), (None, 9)]):
        files[f"web{i}.json"] = web_file(
            "visit-1", 1_700_000_000_000 + minute * 60_000, country, f"https://x/{i}"
        )
    paths = {}
    for name, content in files.items():
        paths[name] = folder / name
        paths[name].write_bytes(content)
    first = [
        paths[n]
        for n in (
            "step3.jsonl",
            "step1.jsonl",
            "step0-page.json",
            "web2.json",
            "web0.json",
            "step2-page.json",
        )
    ]
    second = [
        paths[n]
        for n in (
            "step0.jsonl",
            "step2.jsonl",
            "step3-page.json",
            "web1.json",
            "web0.json",
            "step1-page.json",
            "step3.jsonl",
        )
    ]
    return first, second


def sequential_dump(folder: Path, first: list[Path], second: list[Path]) -> dict:
    url = str(folder / "sequential.duckdb")
    warehouse.load(first, url, workers=0)
    warehouse.load(second, url, workers=0)
    return dump(url)


@pytest.mark.parametrize("migrated", [True, False], ids=["migrated", "empty"])
def test_postgres_two_loads_at_once_end_like_one_after_the_other(
    postgres_url, empty_postgres_url, tmp_path, migrated
):
    url = postgres_url if migrated else empty_postgres_url
    first, second = overlapping_exports(tmp_path)
    expected = sequential_dump(tmp_path, first, second)
    for round_ in range(3):
        procs = [
            lpwh("load", *map(str, files), "--db", url, "--force", env={"LPWH_WORKERS": "1"})
            for files in ((first, second) if round_ % 2 == 0 else (second, first))
        ]
        results = [finish(p, timeout=300) for p in procs]
        assert [code for code, _, _ in results] == [0, 0], [err for _, _, err in results]
        assert dump(url) == expected
    loaded = query(url, "SELECT count(*) FROM load_file WHERE status = 'loaded'")[0][0]
    assert loaded == 3 * (len(first) + len(second))


@pytest.mark.parametrize("workers", ["0", "2"], ids=["inline", "groups"])
def test_postgres_loads_queued_behind_each_other_skip_what_the_first_loaded(
    postgres_url, tmp_path, workers
):
    """Three loads of the same files start at once and queue for the write lock; the
    first loads each file, the others find it loaded then and skip it, as they would had
    they started after it (they looked before it committed)."""
    import psycopg

    files, _ = overlapping_exports(tmp_path)
    blocker = psycopg.connect(postgres_url, autocommit=True)
    blocker.execute("SELECT pg_advisory_lock(7450105)")
    procs = [
        lpwh(
            "load",
            *map(str, files),
            "--db",
            postgres_url,
            "--format",
            "json",
            env={"LPWH_WORKERS": workers},
        )
        for _ in range(3)
    ]
    try:
        deadline = time.monotonic() + 120
        waiting = 0
        while waiting < 3 and time.monotonic() < deadline:  # all three have looked
            waiting = blocker.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            ).fetchone()[0]
            time.sleep(0.1)
        assert waiting == 3
    finally:
        blocker.execute("SELECT pg_advisory_unlock(7450105)")
        blocker.close()
    results = [finish(p, timeout=300) for p in procs]
    assert [code for code, _, _ in results] == [0, 0, 0], [err for _, _, err in results]
    statuses = sorted(
        tuple(sorted(f["status"] for f in json.loads(out)["files"])) for _, out, _ in results
    )
    assert statuses == sorted(
        [("loaded",) * len(files), ("skipped",) * len(files), ("skipped",) * len(files)]
    )
    per_content = query(
        postgres_url,
        "SELECT sha256, count(*) FROM load_file WHERE status = 'loaded' GROUP BY sha256",
    )
    assert len(per_content) == len(files) and {n for _, n in per_content} == {1}
