"""The load benchmark: ``python -m bench.run --conversations 50000 [--web-visits N] …``.

In one run it generates (or reuses, from ``bench/out/``) synthetic exports with
:mod:`bench.generate`, then measures:

- conversations/s and input MB/s of an end-to-end load into a fresh DuckDB file;
- peak RSS of the process doing the load — every measured load runs in a child process
  (``python -m bench.run --child …``) so the figure is its own: the child's
  high-water RSS (``VmHWM``), and, sampled with psutil, that of the child with its worker processes
  (RSS summed, and PSS, which counts the pages they share once). The sampler takes CPU
  from the load, so each load above is run twice: timed without it, then sampled (see
  ``measured_load``); the ``--memory`` loads, minutes long, run once, sampled;
- the baseline: the time DuckDB itself takes to read the same files with ``read_json``
  and split the pages into one JSON value per record, and the ratio load / read;
- the same load into a fresh PostgreSQL database when ``--postgres`` is given (the
  database is created for the run and dropped after);
- web sessions: page views/s, MB/s, peak RSS and the ratio to DuckDB's ``read_json``;
- ``--grown-visits N``: the same web load into a copy of a DuckDB warehouse that already
  holds N other visits (built once and kept with the inputs), as a regular load meets it
  once a warehouse has grown; with ``--postgres``, the web load into PostgreSQL too, fresh
  and into a copy of such a database (kept on the server);
- ``--breakdown``: where the time goes — parsing alone on one core, the writer alone
  (the parsed batches into a fresh warehouse in one transaction), and the same rows
  inserted into tables without keys (the floor of any loader writing this schema);
- ``--memory``: peak RSS while loading one ~2 GB JSON Lines conversation file and one
  ~1 GB web-session file (sizes configurable for a quick run), into DuckDB and, with
  ``--postgres``, into PostgreSQL.

Targets are printed next to the measured figures; a markdown table sums it up (and the
figures are saved as JSON next to the inputs). Migrating the empty database happens in
the child before the clock starts: it is a fixed cost, not throughput.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.gen_conversations import ConversationOptions
from bench.gen_web import WebOptions
from bench.generate import (
    MB,
    write_conversations,
    write_conversations_size,
    write_web,
    write_web_size,
)

DEFAULT_OUT = Path(__file__).resolve().parent / "out"
TARGET_RATIO = 3.0
TARGET_RSS_MB = 500
#: Added to --seed for the visits a grown warehouse holds before the measured load.
GROWN_SEED_OFFSET = 1000
GROWN_COMPLETE = "lp-warehouse bench: complete"
DONE_MARKER = ".complete"  # hidden: the loader skips it when loading the directory

CONV_READ_SQL = """
SELECT count(*) FROM (
  SELECT unnest(from_json(conversationHistoryRecords, '["JSON"]')) AS record
  FROM read_json($files,
                 columns = {'_metadata': 'JSON', 'conversationHistoryRecords': 'JSON'},
                 format = 'auto', maximum_object_size = $max_object)
)
"""
WEB_READ_SQL = """
SELECT count(*) FROM (
  SELECT unnest(from_json(recordCollection, '["JSON"]')) AS record
  FROM read_json($files,
                 columns = {'dataType': 'JSON', 'metaData': 'JSON', 'recordCollection': 'JSON'},
                 format = 'auto', maximum_object_size = $max_object)
)
"""
#: DuckDB's default ``maximum_object_size``. Its read_json sizes its buffers by that
#: setting: a 1 GiB one made it read the standard conversation set in 0.41 s instead of
#: 0.22 s, a slower baseline that would flatter the ratio.
DUCKDB_OBJECT_BYTES = 16 * 1024 * 1024
COUNTED_TABLES = ("conversation", "message", "web_session", "web_page_view")


# -- inputs (cached) ------------------------------------------------------------------------------


def _cached(directory: Path, build: Any) -> list[Path]:
    """Data files under ``directory``, generating them first unless a complete set exists."""
    marker = directory / DONE_MARKER
    if not marker.exists():
        for stale in directory.glob("*") if directory.exists() else []:
            stale.unlink()
        t = time.perf_counter()
        build()
        marker.write_text(f"generated in {time.perf_counter() - t:.1f}s\n")
    return sorted(p for p in directory.iterdir() if not p.name.startswith("."))


def conversation_input(out: Path, count: int, seed: int, per_page: int = 100) -> list[Path]:
    """One uncompressed response page per file (``per_page`` records, the API's largest
    page by default): what the API hands out."""
    name = f"conversations-n{count}-s{seed}" + (f"-p{per_page}" if per_page != 100 else "")
    d = out / name
    options = ConversationOptions(seed=seed)
    return _cached(
        d, lambda: write_conversations(d, count, options, layout="pages", per_page=per_page)
    )


def web_input(out: Path, visits: int, seed: int) -> list[Path]:
    """Hourly WebSession files of ~2,500 visits each (no listing: it is not data)."""
    d = out / f"web-v{visits}-s{seed}"
    files = max(1, visits // 2500)
    return _cached(
        d, lambda: write_web(d, visits, WebOptions(seed=seed), files=files, listing=False)
    )


def grown_warehouse(out: Path, visits: int, seed: int) -> Path:
    """A DuckDB warehouse that already holds ``visits`` other visits (generated with another
    seed, so other visit ids), loaded once and kept with the inputs: what a regular load
    meets once a warehouse has grown. Measured loads go into copies of it."""
    path = out / f"grown-web-v{visits}-s{seed}.duckdb"
    marker = out / f".grown-web-v{visits}-s{seed}.complete"
    if not marker.exists():
        for stale in (path, path.with_name(path.name + ".wal")):
            stale.unlink(missing_ok=True)
        files = web_input(out, visits, seed + GROWN_SEED_OFFSET)
        print(f"grown warehouse: loading {visits:,} visits into {path}", flush=True)
        run = run_child_load(files, str(path), sample=False)
        marker.write_text(f"loaded in {run.seconds:.1f}s\n")
    return path


def database_url(server: str, name: str) -> str:
    """The URL of database ``name`` on the PostgreSQL server of ``server``."""
    from sqlalchemy.engine import make_url

    u = make_url(server.replace("postgresql+psycopg://", "postgresql://"))
    return u.set(database=name).render_as_string(hide_password=False)


def grown_postgres(server: str, out: Path, visits: int, seed: int) -> str:
    """The name of a PostgreSQL database that already holds ``visits`` other visits, as
    :func:`grown_warehouse` makes for DuckDB: kept on the server (its comment says it is
    complete) and copied for each measured load."""
    import hashlib

    import psycopg

    # Named after the inputs folder too: benchmarks (and test runs) with their own folders
    # on one server do not share, or rebuild, each other's database.
    folder = hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:8]
    name = f"lpwh_bench_grown_v{visits}_s{seed}_{folder}"
    with psycopg.connect(server, autocommit=True) as conn:
        done = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
    if done is None or done[0] != GROWN_COMPLETE:
        files = web_input(out, visits, seed + GROWN_SEED_OFFSET)
        print(f"grown warehouse: loading {visits:,} visits into PostgreSQL {name}", flush=True)
        database = PostgresDatabase(server, name=name)
        url = database.__enter__()  # kept: not dropped on exit
        run_child_load(files, url, sample=False)
        database._admin(f"COMMENT ON DATABASE \"{name}\" IS '{GROWN_COMPLETE}'")
    return name


def grown_load(
    files: list[Path],
    copies: Callable[[], AbstractContextManager[str]],
    template: str,
    database: str,
) -> tuple[dict[str, Any], list[Row]]:
    """The web files loaded into ``copies()`` of the grown warehouse ``template``: the
    figures (with the table counts ``before`` and what the load ``added``) and the report's
    rows, which count what the load added."""
    before = _table_counts(template)
    grown = measured_load(files, copies)
    added = {t: grown.counts[t] - before[t] for t in grown.counts}
    into = f"into a warehouse of {before['web_session']:,} other visits ({database})"
    rows = [
        Row(f"web load time {into}", f"{_fmt(grown.seconds, 2)} s"),
        Row(f"page views/s {into}", _fmt(added["web_page_view"] / grown.seconds, 0)),
        Row(f"peak RSS of the web load {into}", _rss(grown)),
    ]
    return vars(grown) | {"before": before, "added": added}, rows


def memory_inputs(out: Path, conv_mb: float, web_mb: float, seed: int) -> tuple[Path, Path]:
    """One big JSON Lines conversation file and one big web-session file."""
    dc = out / f"memory-conversations-{conv_mb:g}mb-s{seed}"
    dw = out / f"memory-web-{web_mb:g}mb-s{seed}"
    (conv,) = _cached(
        dc,
        lambda: write_conversations_size(
            dc / "conversations.jsonl", conv_mb, ConversationOptions(seed=seed)
        ),
    )
    (web,) = _cached(
        dw, lambda: write_web_size(dw / "websession.json", web_mb, WebOptions(seed=seed))
    )
    return conv, web


# -- measured loads (child processes) -------------------------------------------------------------


@dataclass
class LoadRun:
    """What one child load reported."""

    seconds: float
    peak_rss_mb: float  # the loading process itself (its high-water RSS, see peak_rss_kib)
    sampled_rss_mb: float  # the loading process and its workers, sampled every 50 ms
    # The same tree's proportional set size: a page the forked workers share with the loading
    # process counts once (the RSS sum counts it in every process that maps it).
    sampled_pss_mb: float
    input_mb: float
    records_seen: int
    rejected: int
    first_rejection: str | None = None  # why, when something was rejected
    counts: dict[str, int] = field(default_factory=dict)
    files_by_status: dict[str, int] = field(default_factory=dict)


def run_child_load(paths: list[Path], url: str, sample: bool = True) -> LoadRun:
    """Load ``paths`` into ``url`` in a child process, sampling its RSS with psutil (unless
    not ``sample``: the sampled figures are then 0)."""
    import psutil

    with tempfile.NamedTemporaryFile("w+", suffix=".json", delete=False) as tmp:
        result_path = Path(tmp.name)
    cmd = [sys.executable, "-m", "bench.run", "--child", "--db", url, "--result", str(result_path)]
    cmd += [str(p) for p in paths]
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.Popen(cmd, cwd=root)
    ps = psutil.Process(proc.pid)
    sampled = sampled_pss = 0
    while proc.poll() is None:
        if not sample:
            time.sleep(0.05)
            continue
        # the whole process tree: the loader may parse in worker processes
        try:
            tree = [ps, *ps.children(recursive=True)]
        except psutil.Error:
            tree = []
        total = total_pss = 0
        for p in tree:
            try:
                info = p.memory_full_info()  # reads smaps: some ms per process
                total += info.rss
                total_pss += info.pss
            except psutil.Error:
                pass
        sampled = max(sampled, total)
        sampled_pss = max(sampled_pss, total_pss)
        time.sleep(0.05)
    if proc.returncode != 0:
        raise RuntimeError(
            f"child load failed with exit code {proc.returncode}: {' '.join(cmd[:8])}…"
        )
    data = json.loads(result_path.read_text())
    result_path.unlink()
    return LoadRun(sampled_rss_mb=sampled / MB, sampled_pss_mb=sampled_pss / MB, **data)


def measured_load(
    paths: list[Path], fresh_database: Callable[[], AbstractContextManager[str]]
) -> LoadRun:
    """A load timed in a run without the memory sampler, with the process tree's memory
    from a second, sampled run of the same load (each into a ``fresh_database()``).

    The sampler reads every process's memory map (PSS) every 50 ms: on a 2-core machine
    that took 5-8 % of a load's time. The loading process's own peak (``VmHWM``) costs
    nothing to read, and comes from the timed run."""
    with fresh_database() as url:
        timed = run_child_load(paths, url, sample=False)
    with fresh_database() as url:
        sampled = run_child_load(paths, url)
    timed.sampled_rss_mb = sampled.sampled_rss_mb
    timed.sampled_pss_mb = sampled.sampled_pss_mb
    return timed


def peak_rss_kib() -> int:
    """This process's peak RSS in KiB: ``VmHWM`` on Linux, the high-water mark of its own
    memory since it started. Not ``ru_maxrss``, which Linux keeps across ``execve``: a child
    started by a big parent reports at least the parent's size at the fork."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS


def child_main(paths: list[str], url: str, result: str) -> int:
    """The child: migrate (untimed), load (timed), count rows, write the result JSON."""
    from warehouse import migrate
    from warehouse.loading import load

    migrate.upgrade(url)
    t = time.perf_counter()
    summary = load(paths, url, force=True)
    seconds = time.perf_counter() - t
    peak_kb = peak_rss_kib()
    totals = summary.totals()
    data = {
        "seconds": seconds,
        "peak_rss_mb": peak_kb / 1024,
        "input_mb": sum(os.path.getsize(p) for p in _expand(paths)) / MB,
        "records_seen": totals["records_seen"],
        "rejected": totals["records_rejected"] + totals["files_by_status"].get("rejected", 0),
        "first_rejection": next(
            (
                f.error or f.counts.rejections[0].reason
                for f in summary.files
                if f.error or (f.counts and f.counts.rejections)
            ),
            None,
        ),
        "counts": _table_counts(url),
        "files_by_status": totals["files_by_status"],
    }
    Path(result).write_text(json.dumps(data))
    return 0


def _rejected(run: LoadRun) -> str:
    """How many things a load rejected, and the first reason (one line, shortened)."""
    reason = " ".join((run.first_rejection or "").split())[:160]
    return f"{run.rejected:,}: {reason}" if reason else f"{run.rejected:,}"


def _expand(paths: list[str]) -> list[Path]:
    from loaders.sources import expand_paths

    return expand_paths(paths)


def _table_counts(url: str) -> dict[str, int]:
    if url.startswith("postgresql"):
        import psycopg

        with psycopg.connect(url) as conn:
            return {
                t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED_TABLES
            }
    import duckdb

    with duckdb.connect(url, read_only=True) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED_TABLES}


# -- where the time goes -------------------------------------------------------------------------


@dataclass
class Breakdown:
    """The parts of a load measured apart, on the same input (one process, one core)."""

    parse_seconds: float  # files -> Arrow batches, as a parsing process does it
    write_seconds: float  # the batches -> a fresh warehouse, one transaction, with commit
    floor_seconds: float  # the same Arrow tables into tables without keys: any writer's floor
    rows: int


def breakdown(files: list[Path], kind: str, db_path: Path) -> Breakdown:
    """Parse ``files``, then write the batches with the loader's writer, then insert the
    same rows into key-less tables: the floor that no loader of this schema goes under."""
    import duckdb

    from loaders.batch import REC, merge_batches
    from loaders.file_batches import parse_whole_file
    from warehouse import backend as backends
    from warehouse import migrate
    from warehouse.writer import BatchWriter

    t = time.perf_counter()
    parsed = [parse_whole_file(str(f), kind, 2000) for f in files]
    parse_s = time.perf_counter() - t
    batch = merge_batches([b for p in parsed for b in p.batches])

    migrate.upgrade(str(db_path))
    b = backends.connect(str(db_path))
    t = time.perf_counter()
    b.begin()
    writer = BatchWriter(b)
    load_id = b.next_load_id()
    writer.write(batch, [load_id] * len(batch.metas))
    writer.finish()
    b.commit()
    write_s = time.perf_counter() - t
    b.close()

    floor_path = db_path.with_name(db_path.stem + "-floor.duckdb")
    conn = duckdb.connect(str(floor_path))
    t = time.perf_counter()
    conn.execute("BEGIN")
    for name, table in batch.tables.items():
        conn.register("rows_", table.drop_columns([REC]))
        conn.execute(f'CREATE TABLE "{name}" AS SELECT * FROM rows_')
        conn.unregister("rows_")
    conn.execute("COMMIT")
    floor_s = time.perf_counter() - t
    conn.close()
    rows = sum(t.num_rows for t in batch.tables.values())
    for path in (db_path, floor_path):
        for f in (path, Path(str(path) + ".wal")):
            if f.exists():
                f.unlink()
    return Breakdown(parse_s, write_s, floor_s, rows)


def breakdown_rows(label: str, parts: Breakdown, records: int, read_s: float) -> list[Row]:
    """The breakdown as report rows; times also as multiples of DuckDB's own read."""

    def x(seconds: float) -> str:
        return f"{_fmt(seconds, 2)} s ({_fmt(seconds / read_s, 1)}x read)"

    return [
        Row(
            f"{label}: parse alone, one core",
            f"{x(parts.parse_seconds)}, {_fmt(parts.parse_seconds / records * 1e6, 0)} µs/record",
        ),
        Row(
            f"{label}: writer alone ({parts.rows:,} rows, one transaction)", x(parts.write_seconds)
        ),
        Row(f"{label}: same rows into key-less tables (floor)", x(parts.floor_seconds)),
    ]


# -- baselines and databases ----------------------------------------------------------------------


def max_object_bytes(files: list[Path]) -> int:
    """The ``maximum_object_size`` for DuckDB to read ``files``: its default, unless a file
    is bigger (decompressed; a file bounds every JSON value in it)."""
    from loaders.files import open_bytes

    largest = 0
    for f in files:
        with open_bytes(f) as stream:
            size = 0
            while chunk := stream.read(1 << 20):
                size += len(chunk)
        largest = max(largest, size)
    return max(DUCKDB_OBJECT_BYTES, largest + 1)


def duckdb_read_seconds(sql: str, files: list[Path]) -> tuple[float, int]:
    """Seconds DuckDB takes to read ``files`` into one JSON value per record (best of 2),
    with the smallest ``maximum_object_size`` that reads them: the fastest such read."""
    import duckdb

    params = {"files": [str(f) for f in files], "max_object": max_object_bytes(files)}
    best, rows = float("inf"), 0
    for _ in range(2):
        conn = duckdb.connect()
        t = time.perf_counter()
        rows = conn.execute(sql, params).fetchone()[0]
        best = min(best, time.perf_counter() - t)
        conn.close()
    return best, rows


def duckdb_files(work: Path, name: str) -> Callable[[], AbstractContextManager[str]]:
    """A maker of fresh DuckDB files in ``work`` (``name-1.duckdb``, ``name-2.duckdb``, …)."""
    made = 0

    @contextmanager
    def fresh() -> Iterator[str]:
        nonlocal made
        made += 1
        yield str(work / f"{name}-{made}.duckdb")

    return fresh


def duckdb_copies(
    work: Path, name: str, template: Path
) -> Callable[[], AbstractContextManager[str]]:
    """A maker of copies of the DuckDB file ``template`` in ``work`` (as :func:`duckdb_files`)."""
    fresh = duckdb_files(work, name)

    @contextmanager
    def copy() -> Iterator[str]:
        with fresh() as path:
            shutil.copyfile(template, path)
            yield path

    return copy


class PostgresDatabase:
    """A fresh database on the server of ``url``, dropped on exit; with ``template``, a copy
    of that database (``CREATE DATABASE … TEMPLATE``)."""

    def __init__(self, url: str, template: str | None = None, name: str | None = None) -> None:
        self.admin = url
        self.template = template
        self.name = name or f"lpwh_bench_{os.getpid()}"
        self.url = database_url(url, self.name)

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(sql)

    def __enter__(self) -> str:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}"')
        template = f' TEMPLATE "{self.template}"' if self.template else ""
        self._admin(f'CREATE DATABASE "{self.name}"{template}')
        return self.url

    def __exit__(self, *exc: object) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


# -- report ---------------------------------------------------------------------------------------


@dataclass
class Row:
    measure: str
    value: str
    target: str = ""


def _fmt(x: float, digits: int = 1) -> str:
    return f"{x:,.{digits}f}"


def _rss(run: LoadRun) -> str:
    """Peak RSS of the loading process; with workers, of the whole tree too (RSS summed, and
    PSS, which counts the pages the processes share once)."""
    own = f"{_fmt(run.peak_rss_mb, 0)} MB"
    if run.sampled_rss_mb > run.peak_rss_mb * 1.1:
        tree = f"{_fmt(run.sampled_rss_mb, 0)} MB RSS, {_fmt(run.sampled_pss_mb, 0)} MB PSS"
        return f"{own} (with workers: {tree})"
    return own


def markdown(rows: list[Row], title: str) -> str:
    """The figures as a markdown table."""
    out = [f"### {title}", "", "| measure | value | target |", "| --- | ---: | --- |"]
    out += [f"| {r.measure} | {r.value} | {r.target} |" for r in rows]
    return "\n".join(out)


def _machine() -> str:
    import platform

    import duckdb

    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}"
    )


def benchmark(a: argparse.Namespace) -> int:
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    figures: dict[str, Any] = {"machine": _machine(), "args": vars(a)}
    work = Path(tempfile.mkdtemp(prefix="lpwh-bench-", dir=out))

    if a.conversations:
        files = conversation_input(out, a.conversations, a.seed, a.page_records)
        print(f"conversations: {len(files)} files", flush=True)
        run = measured_load(files, duckdb_files(work, "conversations"))
        read_s, read_rows = duckdb_read_seconds(CONV_READ_SQL, files)
        ratio = run.seconds / read_s
        figures["conversations_duckdb"] = vars(run) | {"read_seconds": read_s, "ratio": ratio}
        n = run.counts["conversation"]
        rows += [
            Row("conversations (distinct) / records in the input", f"{n:,} / {read_rows:,}"),
            Row("input (uncompressed JSON pages)", f"{_fmt(run.input_mb)} MB"),
            Row("DuckDB load time", f"{_fmt(run.seconds, 2)} s"),
            Row("conversations/s, end to end (DuckDB)", _fmt(n / run.seconds, 0)),
            Row("records/s (DuckDB)", _fmt(run.records_seen / run.seconds, 0)),
            Row("input MB/s (DuckDB)", _fmt(run.input_mb / run.seconds, 2)),
            Row("peak RSS of the load (DuckDB)", _rss(run)),
            Row("DuckDB read_json of the same files", f"{_fmt(read_s, 2)} s"),
            Row("ratio load time / read time", _fmt(ratio, 1), f"≤ {TARGET_RATIO:g}"),
        ]
        if run.rejected:
            rows.append(Row("rejections during the load (!)", _rejected(run)))
        if a.breakdown:
            parts = breakdown(files, "conversations", work / "breakdown.duckdb")
            figures["conversations_breakdown"] = vars(parts)
            rows += breakdown_rows("conversations", parts, read_rows, read_s)
        if a.postgres:
            pg = measured_load(files, lambda: PostgresDatabase(a.postgres))
            figures["conversations_postgres"] = vars(pg)
            rows += [
                Row("PostgreSQL load time", f"{_fmt(pg.seconds, 2)} s"),
                Row("conversations/s, end to end (PostgreSQL)", _fmt(n / pg.seconds, 0)),
                Row("peak RSS of the load (PostgreSQL)", _rss(pg)),
            ]

    if a.web_visits:
        files = web_input(out, a.web_visits, a.seed)
        print(f"web sessions: {len(files)} files", flush=True)
        run = measured_load(files, duckdb_files(work, "web"))
        read_s, read_rows = duckdb_read_seconds(WEB_READ_SQL, files)
        ratio = run.seconds / read_s
        figures["web_duckdb"] = vars(run) | {"read_seconds": read_s, "ratio": ratio}
        views = run.counts["web_page_view"]
        rows += [
            Row(
                "web visits / bodies / page views",
                f"{run.counts['web_session']:,} / {read_rows:,} / {views:,}",
            ),
            Row("web input", f"{_fmt(run.input_mb)} MB"),
            Row("web load time (DuckDB)", f"{_fmt(run.seconds, 2)} s"),
            Row("page views/s (DuckDB)", _fmt(views / run.seconds, 0)),
            Row("web input MB/s (DuckDB)", _fmt(run.input_mb / run.seconds, 2)),
            Row("peak RSS of the web load", _rss(run)),
            Row("DuckDB read_json of the web files", f"{_fmt(read_s, 2)} s"),
            Row("web ratio load time / read time", _fmt(ratio, 1), f"≤ {TARGET_RATIO:g}"),
        ]
        if a.grown_visits:
            template = grown_warehouse(out, a.grown_visits, a.seed)
            copies = duckdb_copies(work, "grown", template)
            figures["web_duckdb_grown"], more = grown_load(files, copies, str(template), "DuckDB")
            rows += more
        if a.postgres:
            pg = measured_load(files, lambda: PostgresDatabase(a.postgres))
            figures["web_postgres"] = vars(pg)
            rows += [
                Row("web load time (PostgreSQL)", f"{_fmt(pg.seconds, 2)} s"),
                Row("page views/s (PostgreSQL)", _fmt(views / pg.seconds, 0)),
            ]
        if a.postgres and a.grown_visits:
            name = grown_postgres(a.postgres, out, a.grown_visits, a.seed)
            copies = functools.partial(PostgresDatabase, a.postgres, name)
            url = database_url(a.postgres, name)
            figures["web_postgres_grown"], more = grown_load(files, copies, url, "PostgreSQL")
            rows += more
        if a.breakdown:
            parts = breakdown(files, "web_session", work / "breakdown.duckdb")
            figures["web_breakdown"] = vars(parts)
            rows += breakdown_rows("web", parts, read_rows, read_s)

    if a.memory:
        conv, web = memory_inputs(out, a.memory_conv_mb, a.memory_web_mb, a.seed)
        print(f"memory: {conv} and {web}", flush=True)
        targets = [("DuckDB", None)] + ([("PostgreSQL", a.postgres)] if a.postgres else [])
        for database, server in targets:
            for label, path, db in (
                ("JSON Lines conversations", conv, "memory-conv.duckdb"),
                ("web-session file", web, "memory-web.duckdb"),
            ):
                if server is None:
                    run = run_child_load([path], str(work / db))
                else:
                    with PostgresDatabase(server) as pg_url:
                        run = run_child_load([path], pg_url)
                key = db.split(".")[0] + ("" if server is None else "_postgres")
                figures[f"memory_{key}"] = vars(run)
                size = path.stat().st_size / MB
                what = f"{_fmt(size, 0)} MB {label} ({database})"
                rows += [
                    Row(f"{what}: load time", f"{_fmt(run.seconds, 1)} s"),
                    Row(f"{what}: peak RSS", _rss(run), f"< {TARGET_RSS_MB} MB"),
                ]
                if run.rejected:
                    rows.append(Row(f"{what}: rejections (!)", _rejected(run)))

    for f in work.glob("*"):
        f.unlink()
    work.rmdir()
    title = f"lp-warehouse load benchmark ({figures['machine']})"
    table = markdown(rows, title)
    print()
    print(table)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"results-{stamp}.json").write_text(json.dumps(figures, indent=2, default=str))
    (out / f"results-{stamp}.md").write_text(table + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command line of the benchmark (and of its child loads)."""
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    p.add_argument("--conversations", type=int, default=0, help="distinct conversations")
    p.add_argument("--web-visits", type=int, default=0, help="web visits")
    p.add_argument(
        "--page-records",
        type=int,
        default=100,
        help="conversation records per page file (default 100, the API's largest page)",
    )
    p.add_argument(
        "--postgres", help="server URL, e.g. postgresql://postgres@127.0.0.1:5432/postgres"
    )
    p.add_argument("--out", default=str(DEFAULT_OUT), help="inputs cache and results")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--grown-visits",
        type=int,
        default=0,
        help="also load the web visits into a warehouse already holding this many others",
    )
    p.add_argument("--memory", action="store_true", help="peak RSS on one big file of each kind")
    p.add_argument(
        "--breakdown",
        action="store_true",
        help="also time parsing alone, the writer alone and a key-less insert of the same rows",
    )
    p.add_argument("--memory-conv-mb", type=float, default=2048)
    p.add_argument("--memory-web-mb", type=float, default=1024)
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--db", help=argparse.SUPPRESS)
    p.add_argument("--result", help=argparse.SUPPRESS)
    p.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.child:
        return child_main(a.paths, a.db, a.result)
    if a.grown_visits and not a.web_visits:
        p.error("--grown-visits loads the web visits again: give --web-visits too")
    if not (a.conversations or a.web_visits or a.memory):
        p.error("nothing to measure: give --conversations, --web-visits and/or --memory")
    return benchmark(a)


if __name__ == "__main__":
    raise SystemExit(main())
