"""Crash safety: a load killed with SIGKILL leaves whole files, and a re-run completes it.

A real ``lpwh load`` process is killed — at named points through the test hook
``LPWH_TEST_CRASH_AT`` (mid-file, before a commit, between a commit and DuckDB's purge
of retired rows), and after random delays. Then:

- the database opens (DuckDB replays its write-ahead log);
- the files recorded as loaded are a prefix of the input (files commit in order), and
  the tables hold exactly what loading that prefix alone gives — every file's rows all
  there or none (rows DuckDB retired but had not purged yet are not live data: the next
  load purges them);
- no parsing process outlives the killed load;
- running the same command again loads the rest: the tables equal those of an
  uninterrupted load, and every file is recorded as loaded exactly once.

The input has more records than one transaction takes (``TRANSACTION_RECORDS``), and
its third file replaces half the conversations of the first with fewer messages.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from test_load import query
from test_properties import dump, json_lines, snapshot

import warehouse
from warehouse import migrate
from warehouse.loading import TRANSACTION_RECORDS

FILES = 24
PER_FILE = 1000


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> Path:
    """24 JSON Lines files of 1,000 conversations; the third updates half the first's (in
    a later batch, so that stored conversations are replaced and lose messages)."""
    folder = tmp_path_factory.mktemp("crash_exports")
    for i in range(FILES):
        if i == 2:
            records = [snapshot(f"f00-{j:04d}", 2, 1, status="CLOSE") for j in range(PER_FILE // 2)]
        else:
            records = [snapshot(f"f{i:02d}-{j:04d}", 1, 3) for j in range(PER_FILE)]
        (folder / f"f{i:02d}.jsonl").write_bytes(json_lines(records))
    assert (FILES - 1) * PER_FILE > TRANSACTION_RECORDS  # more than one transaction
    return folder


def files_of(folder: Path) -> list[Path]:
    return sorted(folder.iterdir())


def live_dump(url: str) -> dict[str, list[tuple]]:
    """Every data table's live rows (rows DuckDB marked ``load_id = -1`` are retired:
    deleted by the purge that follows a commit)."""
    return dump(url, live=True)


_references: dict[tuple[str, int], dict] = {}


def reference(folder: Path, count: int, tmp_root: Path) -> dict:
    """The tables after an uninterrupted load of the first ``count`` files (DuckDB; both
    databases hold identical rows)."""
    key = (str(folder), count)
    if key not in _references:
        url = str(tmp_root / f"reference_{count}.duckdb")
        if count:
            warehouse.load(files_of(folder)[:count], url, workers=0)
        else:
            migrate.upgrade(url)
        _references[key] = live_dump(url)
    return _references[key]


def lpwh_load(folder: Path, url: str, crash_at: str | None = None, kill_after: float | None = None):
    """Run ``lpwh load FOLDER``; return (exit code, pids of its parsing processes)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LPWH_")}
    env["LPWH_WORKERS"] = "2"  # parsing processes even on a one-core machine
    if crash_at:
        env["LPWH_TEST_CRASH_AT"] = crash_at
    proc = subprocess.Popen(
        [sys.executable, "-m", "warehouse.cli", "load", str(folder), "--db", url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    watched = psutil.Process(proc.pid)
    children: set[int] = set()
    started = time.monotonic()
    while proc.poll() is None:
        try:
            children |= {c.pid for c in watched.children(recursive=True)}
        except psutil.Error:
            pass
        if kill_after is not None and time.monotonic() - started >= kill_after:
            proc.send_signal(signal.SIGKILL)
        time.sleep(0.01)
    proc.communicate()
    return proc.returncode, children


def assert_no_orphans(pids: set[int]) -> None:
    deadline = time.monotonic() + 10
    alive = pids
    while alive and time.monotonic() < deadline:
        alive = {p for p in alive if psutil.pid_exists(p) and not _zombie(p)}
        time.sleep(0.05)
    assert not alive, f"parsing processes outlived the killed load: {sorted(alive)}"


def _zombie(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.Error:
        return True


def assert_whole_files(url: str, folder: Path, tmp_root: Path) -> int:
    """The database opens, the loaded files are a prefix of the input and the tables hold
    exactly that prefix. Returns the prefix length."""
    names = [str(p) for p in files_of(folder)]
    rows = query(url, "SELECT path, status FROM load_file ORDER BY load_id")
    loaded = [path for path, status in rows if status == "loaded"]
    assert all(status == "loaded" for _, status in rows), rows
    assert loaded == names[: len(loaded)], "the committed files are not a prefix of the input"
    assert live_dump(url) == reference(folder, len(loaded), tmp_root)
    return len(loaded)


@pytest.fixture
def tmp_root(tmp_path_factory) -> Path:
    return tmp_path_factory.getbasetemp()


@pytest.fixture(scope="module")
def first_transaction_writes(exports, tmp_path_factory) -> int:
    """How many batches a load of the exports writes in its first transaction: the writes
    follow the parsing processes' grouping of small files, not only the file sizes."""
    from warehouse import loading

    points: list[str] = []
    real = loading._crash_point
    loading._crash_point = points.append
    try:
        url = str(tmp_path_factory.mktemp("crash_points") / "w.duckdb")
        warehouse.load(files_of(exports), url, workers=2)
    finally:
        loading._crash_point = real
    writes = points[: points.index("after-commit")].count("mid-file")
    assert 1 < writes < points.count("mid-file")
    return writes


@pytest.mark.parametrize(
    ("crash_at", "committed"),
    [
        ("mid-file:1", "none"),  # the first batch written, nothing committed
        ("before-commit:1", "none"),  # the whole first transaction written, not committed
        ("after-commit:1", "first"),  # committed; DuckDB's retired rows not purged yet
        ("mid-file:second-transaction", "first"),  # the first write after the first commit
        ("before-commit:2", "first"),
    ],
)
def test_killed_at_a_named_point_leaves_whole_files_and_a_rerun_completes(
    db_url, exports, tmp_root, crash_at, committed, first_transaction_writes
):
    crash_at = crash_at.replace("second-transaction", str(first_transaction_writes + 1))
    code, workers = lpwh_load(exports, db_url, crash_at=crash_at)
    assert code == -signal.SIGKILL
    assert workers, "the load had parsing processes"
    assert_no_orphans(workers)
    prefix = assert_whole_files(db_url, exports, tmp_root)
    if committed == "none":
        assert prefix == 0
    else:
        assert 0 < prefix < FILES
    if crash_at.startswith("after-commit") and not db_url.startswith("postgresql"):
        # The crash came between the commit and the purge: retired rows are still there.
        assert query(db_url, "SELECT count(*) FROM message WHERE load_id = -1")[0][0] > 0

    code, _ = lpwh_load(exports, db_url)
    assert code == 0
    assert live_dump(db_url) == reference(exports, FILES, tmp_root)
    assert query(db_url, "SELECT count(*) FROM message WHERE load_id = -1") == [(0,)]
    paths = query(db_url, "SELECT path FROM load_file WHERE status = 'loaded' ORDER BY path")
    assert [p for (p,) in paths] == [str(p) for p in files_of(exports)]


def test_killed_at_random_moments_leaves_whole_files_and_reruns_complete(db_url, exports, tmp_root):
    started = time.monotonic()
    code, _ = lpwh_load(exports, str(tmp_root / f"timing_{os.getpid()}.duckdb"))
    assert code == 0
    duration = time.monotonic() - started
    rng = random.Random(20240611)
    kills = 0
    for fraction in (0.15, 0.35, 0.55, 0.75, 0.9):
        # Each kill interrupts a load that starts where the previous ones left off.
        delay = duration * (fraction + rng.uniform(-0.05, 0.05))
        code, workers = lpwh_load(exports, db_url, kill_after=delay)
        assert code in (0, -signal.SIGKILL)
        kills += code == -signal.SIGKILL
        assert_no_orphans(workers)
        assert_whole_files(db_url, exports, tmp_root)
    assert kills >= 2
    code, _ = lpwh_load(exports, db_url)
    assert code == 0
    assert live_dump(db_url) == reference(exports, FILES, tmp_root)
    assert query(db_url, "SELECT count(*) FROM load_file WHERE status = 'loaded'") == [(FILES,)]
