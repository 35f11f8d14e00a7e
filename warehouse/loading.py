"""Loading files into the warehouse: the orchestration behind ``lpwh load``.

For each file: skip it if a file with the same SHA-256 was already loaded (unless
``force``), detect its kind from its content, and write everything it holds in
ONE transaction — so a file is loaded whole or not at all. A file that cannot be
read is rejected whole and recorded in ``load_file`` and ``load_rejection``; the
other files still load. Records that cannot be loaded (no conversation id, an
unknown SDE type, an unknown body type, bigger than ``max_record_bytes``) go to
``load_rejection`` with their raw text while the rest of the file loads.

Crash safety rests on that transaction: ``load_file`` is written in the same
transaction as the file's rows, so a load killed at any moment leaves whole files,
and a re-run skips exactly the files whose transaction committed. The parsing
processes die with the loading process. ``LPWH_TEST_CRASH_AT`` (see
:func:`_crash_point`) lets the tests kill a load at named points.
"""

from __future__ import annotations

import os
import signal
import threading
import traceback
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loaders import blocks, detect, sources, web_parts
from loaders.batch import ParsedBatch, build_batch, merge_batches
from loaders.file_batches import (
    GroupParse,
    iter_file_batches,
    parse_file_group,
    parse_whole_file,
    worker_count,
)
from loaders.files import printable
from loaders.records import Rejected
from warehouse import backend as backends
from warehouse import db
from warehouse.load_bookkeeping import insert_load_file, insert_load_files, raw_head, second_look
from warehouse.load_results import FileResult, LoadSummary, Progress, again
from warehouse.parse_pool import start_pool
from warehouse.writer import BatchWriter, FileCounts, purge_stale

__all__ = ["FileResult", "LoadSummary", "Progress", "load"]

CHUNK_RECORDS = 2000
DONE_STATUSES = ("loaded", "listing", "unsupported")
PARSED_KINDS = ("conversations", "web_session")


#: Files up to this size are parsed whole in a worker process; bigger ones are streamed
#: in the loading process, in their own transaction, with bounded memory.
WORKER_FILE_LIMIT = 64 * 1024 * 1024
#: With parsing processes, a JSON Lines file bigger than this is streamed too (in its own
#: transaction), cut into blocks that all the processes parse while the loading process
#: writes: parsed whole, it would keep one process busy and the writer idle until its end.
PARTS_FILE_BYTES = 8 * 1024 * 1024
#: Web-session bodies per write of a streamed file, as a multiple of ``chunk_records``
#: (conversation records): each DuckDB statement has a fixed cost of some milliseconds.
WEB_WRITE_FACTOR = 10
#: Files prepared ahead of the one being written (see _Loader.run): at most this many,
#: and beyond twice the parsing processes only while their size on disk is within
#: AHEAD_BYTES.
AHEAD_FILES = 64
AHEAD_BYTES = 64 * 1024 * 1024
#: Records written per transaction when small files share one (each file stays whole).
TRANSACTION_RECORDS = 20_000
#: Files up to GROUP_FILE_BYTES on disk are parsed together, in groups of up to
#: GROUP_FILES files or GROUP_BYTES bytes (see ``loaders.file_batches.parse_file_group``): a file
#: parsed alone costs some milliseconds more than its records, which exports of many small
#: pages pay per page. The groups stay small enough that the files prepared ahead (up to
#: AHEAD_FILES) make several of them, for every parsing process to have one.
GROUP_FILE_BYTES = 1024 * 1024
GROUP_FILES = 16
GROUP_BYTES = 2 * 1024 * 1024
#: A single file bigger than this (on disk) is worth starting the parsing processes for.
POOL_FILE_BYTES = 1024 * 1024
#: Load ids taken from the sequence by one statement: a statement per file cost ~2.5 ms
#: while the parsing processes kept the cores busy, which counts on exports of many
#: small pages. Ids a load takes and does not use (files skipped) are gaps, as any
#: sequence's may be.
LOAD_ID_BLOCK = 64
#: Up to this many files in ``load_file``, and up to SHA_PREFETCH_PER_FILE per file of
#: the run, the skip check reads their SHA-256s once per load rather than asking once per
#: file (another ~2.5 ms each, against a few microseconds per row read); beyond, it asks.
SHA_PREFETCH_FILES = 100_000
SHA_PREFETCH_PER_FILE = 500
#: Beyond that, the next files of the run are hashed up to this many (and AHEAD_BYTES) at
#: a time and looked up with one statement: DuckDB has no index on load_file.sha256, and a
#: statement per file scanned the whole table for each (38 ms a file at 300,000 loaded).
SHA_LOOKAHEAD_FILES = 256
#: Test hook: ``LABEL`` or ``LABEL:N`` kills the load with SIGKILL the N-th time (default
#: the first) it reaches the point named LABEL — ``mid-file`` (a batch written, its
#: transaction open), ``before-commit``, ``after-commit`` (before the DuckDB purge of
#: retired rows). Unset in normal use; checking it costs a dictionary lookup.
CRASH_ENV = "LPWH_TEST_CRASH_AT"
_crash_counts: Counter = Counter()


def _crash_point(label: str) -> None:
    """Kill this process here if ``$LPWH_TEST_CRASH_AT`` names this point (tests only)."""
    spec = os.environ.get(CRASH_ENV)
    if not spec:
        return
    name, _, nth = spec.partition(":")
    if name != label:
        return
    _crash_counts[label] += 1
    if _crash_counts[label] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)


def load(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    url: str | None = None,
    *,
    force: bool = False,
    chunk_records: int = CHUNK_RECORDS,
    on_progress: Progress | None = None,
    workers: int | None = None,
    wait: float | None = None,
    max_record_bytes: int | None = None,
) -> LoadSummary:
    """Load files, directories and globs (one, or an iterable of them) into the
    warehouse at ``url``.

    ``url`` is resolved like ``--db`` (``LPWH_DATABASE_URL``, then
    ``./warehouse.duckdb``); an empty database is migrated first. Files are parsed
    by ``workers`` processes (default: one per core; 0: in this process).
    ``on_progress`` is called with ``(None, records)`` as records are written, with
    ``(None, -records)`` when a transaction that wrote them is rolled back (a file
    rejected after some of its records were written, or written again), and with
    ``(result, 0)`` when a file is done. ``wait``: seconds to wait for another
    process's lock on a DuckDB file (default ``$LPWH_WAIT``, else 0), after which
    ``db.DatabaseLocked`` names the holder. ``max_record_bytes``: records bigger than
    this are rejected unread (default ``$LPWH_MAX_RECORD_BYTES``, else 64 MiB).
    """
    from warehouse import migrate

    url = db.resolve_url(url)
    if isinstance(paths, str | bytes | os.PathLike):  # one path, not its characters
        paths = [paths]
    files = sources.expand_paths([os.fsdecode(p) for p in paths])
    limit = sources.max_record_bytes(max_record_bytes)
    workers = worker_count() if workers is None else workers
    pool = start_pool(workers) if workers > 0 and _worth_a_pool(files) else None
    backend = None
    try:
        if migrate.current_revision(url, wait=wait) != migrate.head_revision():
            migrate.upgrade(url, wait=wait)
        summary = LoadSummary(database=db.redact(url))
        backend = backends.connect(url, wait=wait)
        if backend.dialect == "duckdb":
            purge_stale(backend)  # finish a replacement a crash may have interrupted
        with _Interrupt() as interrupt:
            loader = _Loader(backend, force, chunk_records, on_progress, pool, summary)
            loader.interrupt = interrupt
            loader.max_record_bytes = limit
            loader.run(files)
    finally:
        if backend is not None:
            backend.close()
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return summary


def _worth_a_pool(files: list[Path]) -> bool:
    """Several files, or one big enough to be parsed in blocks by several processes."""
    if len(files) > 1:
        return True
    try:
        return bool(files) and files[0].stat().st_size > POOL_FILE_BYTES
    except OSError:
        return False


class _Interrupt:
    """Ctrl-C (SIGINT) during a load, remembered until the loader can act on it.

    DuckDB turns the ``KeyboardInterrupt`` that the signal raises inside a statement into
    an ``InterruptException`` ("Query interrupted"), which the loader would take for a
    failed write (and reject a good file), or drops it when the statement was done (and
    the load went on). The handler raises it as Python's own does, and notes it: the
    loader stops at its next step, rolling back the open transaction (files committed
    before stay loaded)."""

    def __init__(self) -> None:
        self.seen = False
        self._previous: Any = None

    def _handle(self, signum: int, frame: Any) -> None:
        self.seen = True
        raise KeyboardInterrupt

    def __enter__(self) -> _Interrupt:
        # Only where Python's own handler is in place (not under a caller's, nor ignored).
        if (
            threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler
        ):
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def check(self) -> None:
        """Raise ``KeyboardInterrupt`` if Ctrl-C came (whatever became of its exception)."""
        if self.seen:
            raise KeyboardInterrupt


def _resolved(value: Any) -> Future:
    """A future that already holds ``value``."""
    future: Future = Future()
    future.set_result(value)
    return future


def _regroup(held: list[ParsedBatch], records: int, final: bool) -> Iterator[ParsedBatch]:
    """Take batches off ``held`` merged into batches of at least ``records`` records (all
    of them when ``final``): fewer, bigger writes cost less than many small ones."""
    while held:
        count, n = 0, 0
        while n < len(held) and count < records:
            # Rejected records count too: a file bad throughout was held whole (2.5 GB for
            # 512 MB of them), waiting for records to write.
            count += len(held[n].metas) + len(held[n].rejections)
            n += 1
        if count < records and not final:
            return
        group, held[:n] = held[:n], []
        yield merge_batches(group)


@dataclass
class _Pending:
    """A file on its way: prepared (hashed, detected), its parse possibly running."""

    path: Path
    result: FileResult
    future: Future | None = None
    in_parts: bool = False
    group: _Group | None = None


@dataclass
class _Group:
    """Small files parsed together by one task (see GROUP_FILES), written as one."""

    members: list[_Pending] = field(default_factory=list)
    size_bytes: int = 0
    future: Future | None = None  # None: still taking files
    done: bool = False


class _Loader:
    """Loads files in order; small files share transactions, each file whole or not at all."""

    def __init__(self, backend, force, chunk_records, on_progress, pool, summary) -> None:
        self.b = backend
        self.force = force
        self.chunk_records = chunk_records
        self.on_progress = on_progress
        self.pool = pool
        self.summary = summary
        self.seen_sha: set[str] = set()
        self.loaded_sha: set[str] | None = None  # see _already_loaded
        self.sha_prefetched = False
        self.hashed: dict[Path, str] = {}  # SHA-256s of the files looked up ahead
        self.ahead_asked: set[str] = set()  # their SHA-256s …
        self.ahead_loaded: set[str] = set()  # … and those of them a load already loaded
        # PostgreSQL: files other loads committed since this one looked (see _refresh_loaded).
        self.others_seen: int | None = None  # load_file rows of other loads, as last counted
        self.recheck = False  # check each file again as it is written
        self.allocated: list[int] = []  # every load id this load took
        self.load_ids: deque[int] = deque()
        self.files_left = 0  # files of the run not given a load id yet (see _next_load_id)
        self.run_files = 0
        self.writer = BatchWriter(backend)
        self.in_txn = False
        self.txn_files: list[tuple[Path, FileResult]] = []  # data files of the open transaction
        self.txn_recorded: list[FileResult] = []  # files without data recorded in it
        self.txn_order: list[FileResult] = []  # both, in the order of the input
        self.txn_records = 0
        self.buffer: list[tuple[ParsedBatch, list[int]]] = []  # with each record's load id
        self.buffer_records = 0
        self.interrupt = _Interrupt()  # (load() gives the one watching Ctrl-C)
        self.group: _Group | None = None  # small files prepared, their parse not started
        self.max_record_bytes = sources.max_record_bytes()
        self.json_lines: dict[Path, bool] = {}  # blocks.is_json_lines, read once per file

    # -- the run ------------------------------------------------------------------------------

    def run(self, files: list[Path]) -> None:
        # Files are prepared (and their parse started) ahead of the one being written: as
        # many as keep the parsing processes busy while the writer writes a chunk (a
        # chunk of small files is many files), within a bound on the parsed data held.
        window: deque[_Pending] = deque()
        least = 2 * (self.pool._max_workers if self.pool else 1)
        self.files_left = self.run_files = len(files)
        held_bytes = 0
        for i, path in enumerate(files):
            if path not in self.hashed:
                self._look_ahead(files, i)
            pending = self._prepare(path)
            if pending is None:
                continue
            window.append(pending)
            held_bytes += pending.result.size_bytes
            while len(window) > least and (
                held_bytes > AHEAD_BYTES or len(window) > AHEAD_FILES or self.pool is None
            ):
                done = window.popleft()
                held_bytes -= done.result.size_bytes
                self._complete(done)
        self._start_group()
        while window:
            self._complete(window.popleft())
        self._commit()

    def _prepare(self, path: Path) -> _Pending | None:
        """Hash, skip check, kind detection; start the parse of a small file in a worker."""
        shown = printable(str(path))
        source = None if shown == str(path) else str(path)
        result = FileResult(path=shown, status="loading", source=source)
        try:
            result.size_bytes = path.stat().st_size
            result.sha256 = self.hashed.pop(path, None) or sources.sha256_of(path)
        except OSError as exc:
            self._done(self._reject(result, None, f"cannot read {path}: {exc}"))
            return None
        if result.sha256 in self.seen_sha or (not self.force and self._already_loaded(result)):
            self._skip(result)
            return None
        self.seen_sha.add(result.sha256)
        try:
            detected = detect.detect_kind(path)
            if detected.kind == detect.UNKNOWN:
                detected = second_look(path, self.max_record_bytes) or detected
        except sources.InputError as exc:
            self._done(self._reject(result, exc.position, str(exc)))
            return None
        result.kind = detected.kind
        result.data_type = detected.data_type
        result.meta_data = detected.meta_data
        pending = _Pending(path, result)
        pending.in_parts = self._in_parts(path, result)
        if (
            result.kind in PARSED_KINDS
            and self.pool
            and result.size_bytes <= WORKER_FILE_LIMIT
            and not pending.in_parts
        ):
            if result.size_bytes <= GROUP_FILE_BYTES:
                self._join_group(pending)
            else:
                self._start_group()  # its files need not wait for more
                pending.future = self._submit_whole(pending)
        return pending

    def _submit_whole(self, pending: _Pending) -> Future:
        return self.pool.submit(
            parse_whole_file,
            str(pending.path),
            pending.result.kind,
            self.chunk_records,
            self.max_record_bytes,
        )

    def _join_group(self, pending: _Pending) -> None:
        """Add a small file to the group being formed; start the group's parse when full."""
        if self.group is None:
            self.group = _Group()
        group = self.group
        group.members.append(pending)
        group.size_bytes += pending.result.size_bytes
        pending.group = group
        if len(group.members) >= GROUP_FILES or group.size_bytes >= GROUP_BYTES:
            self._start_group()

    def _start_group(self) -> None:
        """Start the parse of the group being formed, if any."""
        group, self.group = self.group, None
        if group is None:
            return
        files = [(str(p.path), p.result.kind) for p in group.members]
        group.future = self.pool.submit(
            parse_file_group, files, self.chunk_records, self.max_record_bytes
        )

    def _look_ahead(self, files: list[Path], start: int) -> None:
        """When the skip check asks per file (see SHA_PREFETCH_FILES), hash the files from
        ``files[start]`` on (SHA_LOOKAHEAD_FILES of them, within AHEAD_BYTES: each is read
        again soon after, from the page cache) and ask for all of them at once;
        :meth:`_already_loaded` answers from that."""
        if self.force:
            return
        self._prefetch()
        self.hashed.clear()
        self.ahead_asked, self.ahead_loaded = set(), set()
        if self.loaded_sha is not None:
            return
        size = 0
        for path in files[start : start + SHA_LOOKAHEAD_FILES]:
            try:
                size += path.stat().st_size
                if self.hashed and size > AHEAD_BYTES:
                    break
                self.hashed[path] = sources.sha256_of(path)
            except OSError:
                self.hashed[path] = ""  # looked at: _prepare tries again and says why
        self.ahead_asked = set(self.hashed.values()) - {""}
        shas = sorted(self.ahead_asked)
        if shas:
            marks = ", ".join("?" * len(shas))
            rows = self.b.fetchall(
                f"SELECT DISTINCT sha256 FROM load_file WHERE status IN (?, ?, ?) "
                f"AND sha256 IN ({marks})",
                [*DONE_STATUSES, *shas],
            )
            self.ahead_loaded = {sha for (sha,) in rows}

    def _prefetch(self) -> None:
        """Read the SHA-256s of the loaded files once, if there are not too many of them."""
        if self.sha_prefetched:
            return
        self.sha_prefetched = True
        loaded = backends.scalar(self.b, "SELECT count(*) FROM load_file")
        if self.others_seen is None and self.b.dialect == "postgresql" and not self.force:
            self.others_seen = self._rows_of_others()  # see _refresh_loaded
        if loaded <= min(SHA_PREFETCH_FILES, SHA_PREFETCH_PER_FILE * self.run_files):
            rows = self.b.fetchall(
                "SELECT DISTINCT sha256 FROM load_file WHERE status IN (?, ?, ?)",
                list(DONE_STATUSES),
            )
            self.loaded_sha = {sha for (sha,) in rows}

    def _already_loaded(self, result: FileResult) -> bool:
        """Whether a file of the same SHA-256 was loaded before (by an earlier load)."""
        self._prefetch()
        if self.loaded_sha is not None:
            return result.sha256 in self.loaded_sha
        if not self.recheck and result.sha256 in self.ahead_asked:
            return result.sha256 in self.ahead_loaded  # (a recheck asks afresh)
        return bool(
            backends.scalar(
                self.b,
                "SELECT load_id FROM load_file WHERE sha256 = ? AND status IN (?, ?, ?) LIMIT 1",
                [result.sha256, *DONE_STATUSES],
            )
        )

    def _next_load_id(self) -> int:
        """A load id from the sequence, taken in blocks of up to LOAD_ID_BLOCK: never more
        at once than the run has files left (a file written again takes another)."""
        if not self.load_ids:
            count = max(1, min(LOAD_ID_BLOCK, self.files_left))
            ids = self.b.next_load_ids(count)
            self.load_ids.extend(ids)
            self.allocated.extend(ids)
        self.files_left = max(0, self.files_left - 1)
        return self.load_ids.popleft()

    def _in_parts(self, path: Path, result: FileResult) -> bool:
        """Whether the file is streamed in parts that the parsing processes parse, though
        small enough to be parsed whole: JSON Lines, whose lines cost nothing to cut
        apart. (A web-session document is cut into bodies only by reading all of it with
        orjson in the loading process: below the whole-parse limit that costs more than
        it saves.)"""
        if self.pool is None or result.size_bytes <= PARTS_FILE_BYTES:
            return False
        try:
            return result.kind == "conversations" and self._is_json_lines(path)
        except sources.InputError:
            return False  # read as any other file, which reports where and why

    def _is_json_lines(self, path: Path) -> bool:
        if path not in self.json_lines:
            self.json_lines[path] = blocks.is_json_lines(path, self.max_record_bytes)
        return self.json_lines[path]

    def _complete(self, pending: _Pending) -> None:
        self.interrupt.check()
        if pending.group is not None:
            self._complete_group(pending.group)
        else:
            self._complete_file(pending)

    def _complete_file(self, pending: _Pending) -> None:
        result, path = pending.result, pending.path
        if result.kind == "listing":
            self._done(self._record(result, "listing"))
        elif result.kind == "data_access":
            note = f"Data Access data type {result.data_type!r} is not loaded"
            self._done(self._record(result, "unsupported", note))
        elif result.kind not in PARSED_KINDS:
            reason = f"{path}: not a LivePerson export this loader knows"
            self._done(self._reject(result, "byte 0", reason))
        elif pending.future is not None or (
            result.size_bytes <= WORKER_FILE_LIMIT and not pending.in_parts
        ):
            parsed = (
                pending.future.result()
                if pending.future is not None
                else parse_whole_file(
                    str(path), result.kind, self.chunk_records, self.max_record_bytes
                )
            )
            if parsed.too_big:  # small on disk, big decompressed: streamed after all
                self._write_streamed(path, result)
            elif parsed.error is not None:
                self._done(self._reject(result, parsed.error_position, parsed.error))
            else:
                self._write_small(path, result, parsed.batches)
        else:
            self._write_streamed(path, result)

    def _complete_group(self, group: _Group) -> None:
        """Write a group's files (the first time one of them is completed)."""
        if group.done:
            return
        group.done = True
        if group.future is None:
            self._start_group()  # the group being formed: its parse starts now
        parsed: GroupParse = group.future.result()
        written: list[tuple[Path, FileResult]] = []
        load_ids: list[int] = []
        alone: list[_Pending] = []
        self._begin()
        taken = {id(p) for p in group.members if self._loaded_by_another(p.result)}
        for pending, file_parse in zip(group.members, parsed.files, strict=True):
            result = pending.result
            if id(pending) in taken:
                self._skip(result)
            elif file_parse.alone or (taken and file_parse.error is None):
                # (with a file taken out, the others' records leave the shared batches:
                # each is parsed again on its own)
                pending.future = self._submit_whole(pending)
                alone.append(pending)
            elif file_parse.error is not None:
                self._done(self._reject(result, file_parse.error_position, file_parse.error))
            else:
                self._begin()
                result.load_id = self._next_load_id()
                self.writer.add_parse(result.load_id, file_parse.share)
                load_ids.extend([result.load_id] * len(file_parse.share.metas))
                written.append((pending.path, result))
        entries, start = [], 0
        for batch in [] if taken else parsed.batches:
            entries.append((batch, load_ids[start : start + len(batch.metas)]))
            start += len(batch.metas)
        self._buffer(written, entries)
        for pending in alone:  # rare: parsed on their own, where a failure is theirs alone
            self._complete_file(pending)

    # -- small files: parsed whole, written in shared transactions ---------------------------

    def _write_small(self, path: Path, result: FileResult, batches: list[ParsedBatch]) -> None:
        self._begin()
        if self._loaded_by_another(result):
            self._skip(result)
            return
        result.load_id = self._next_load_id()
        for batch in batches:
            self.writer.add_parse(result.load_id, batch)
        # A file's batches go in one write: a file of many records (a web-session document
        # of 20,000 bodies, say) pays a write's fixed costs once, not per batch.
        batch = merge_batches(batches)
        self._buffer([(path, result)], [(batch, [result.load_id] * len(batch.metas))])

    def _buffer(
        self,
        files: list[tuple[Path, FileResult]],
        entries: list[tuple[ParsedBatch, list[int]]],
    ) -> None:
        """Add files, whose records are in ``entries`` (batch, load id of each record), to
        the shared transaction; write when enough records are buffered."""
        self.txn_files.extend(files)
        self.txn_order.extend(result for _, result in files)
        for batch, load_ids in entries:
            self.buffer.append((batch, load_ids))
            self.buffer_records += len(batch.metas)
            if self.buffer_records >= self.chunk_records:
                self._flush()
                if not self.in_txn:  # the write failed: its files were loaded one by one
                    return
        if self.txn_records >= TRANSACTION_RECORDS:
            self._commit()

    def _flush(self) -> None:
        """Write the buffered batches (of one or more files) as one batch."""
        if not self.buffer:
            return
        batches = [batch for batch, _ in self.buffer]
        load_ids = [load_id for _, ids in self.buffer for load_id in ids]
        records = self.buffer_records
        self.buffer, self.buffer_records = [], 0
        try:
            self.writer.write(merge_batches(batches), load_ids)
        except Exception:
            self.interrupt.check()  # not a failed write: the load is stopping
            self._recover()
            return
        self.interrupt.check()
        _crash_point("mid-file")
        self.txn_records += records
        if self.on_progress:
            self.on_progress(None, records)

    def _commit(self) -> None:
        if not self.in_txn:
            return
        self._flush()
        if not self.in_txn:  # the flush failed and recovered
            return
        try:
            self.writer.finish()
            for _, result in self.txn_files:
                result.counts = self.writer.counts[result.load_id]
                if result.status == "loading":
                    result.status = "loaded"
            # load_file first: each rejection references its file's row.
            insert_load_files(self.b, [result for _, result in self.txn_files])
            self.writer.write_rejections([result.load_id for _, result in self.txn_files])
            _crash_point("before-commit")
            self.b.commit()
        except Exception:
            self.interrupt.check()
            self._recover()
            return
        self.in_txn = False
        self.interrupt.check()  # committed: those files are loaded, the load stops here
        _crash_point("after-commit")
        done = self.txn_order
        self.txn_files, self.txn_recorded, self.txn_order, self.txn_records = [], [], [], 0
        self._after_commit()
        for result in done:
            self._done(result)

    def _begin(self) -> None:
        if not self.in_txn:
            self.b.begin()
            self.b.lock_for_load()
            self.in_txn = True
            self.writer = BatchWriter(self.b)
            self._refresh_loaded()

    def _rows_of_others(self) -> int:
        return backends.scalar(
            self.b,
            "SELECT count(*) FROM load_file WHERE NOT (load_id = ANY(?::bigint[]))",
            [self.allocated],
        )

    def _refresh_loaded(self) -> None:
        """Under the write lock, on PostgreSQL: when other loads have recorded files since
        this load looked up the SHA-256s, look again, and check each file as it is written
        (two loads of the same files at once: the one that waited skips what the other
        loaded, as it would after it)."""
        if self.others_seen is None:
            return  # (DuckDB: one writing process, which looked once it held the file)
        others = self._rows_of_others()
        if others != self.others_seen:
            self.others_seen = others
            self.sha_prefetched = False
            self.recheck = True

    def _loaded_by_another(self, result: FileResult) -> bool:
        """Whether another load, running at the same time, loaded this file's content."""
        return self.recheck and self._already_loaded(result)

    def _skip(self, result: FileResult) -> None:
        result.status = "skipped"
        self.files_left -= 1  # takes no load id
        self._done(result)

    def _after_commit(self) -> None:
        if self.writer.retired_rows and self.b.dialect == "duckdb":
            self.b.begin()
            purge_stale(self.b)
            self.b.commit()
            self.writer.retired_rows = False

    def _recover(self) -> None:
        """A write failed: roll the shared transaction back and load its files one by one,
        each in a transaction of its own, so that only the file at fault is rejected."""
        self.b.rollback()
        self.in_txn = False
        self._take_back(self.txn_records)
        files, self.txn_files, self.txn_records = self.txn_files, [], 0
        recorded, self.txn_recorded, self.txn_order = self.txn_recorded, [], []
        self.buffer, self.buffer_records = [], 0
        for result in recorded:  # their rows went with the rollback: record them again
            if result.status == "rejected":
                rejection = result.counts.rejections[0]
                self._done(self._reject(result, rejection.position, rejection.reason))
            else:
                self._done(self._record(result, result.status, result.error))
        self._commit()
        for path, result in files:
            self._write_streamed(path, again(result))

    # -- big files: streamed, in a transaction of their own -----------------------------------

    def _write_streamed(self, path: Path, result: FileResult) -> None:
        self._commit()
        self._begin()
        if self._loaded_by_another(result):
            self._skip(result)
            return
        result.load_id = self._next_load_id()
        written = 0  # records reported to on_progress: taken back if the file rolls back
        try:
            for batch in self._streamed_batches(path, result.kind):
                self.interrupt.check()
                self.writer.add_parse(result.load_id, batch)
                self.writer.write(batch, [result.load_id] * len(batch.metas))
                _crash_point("mid-file")
                written += len(batch.metas)
                if self.on_progress:
                    self.on_progress(None, len(batch.metas))
            self.interrupt.check()
            self.writer.finish()
            result.counts = self.writer.counts[result.load_id]
            result.status = "loaded"
            insert_load_file(self.b, result)
            self.writer.write_rejections([result.load_id])
            _crash_point("before-commit")
            self.b.commit()
        except sources.InputError as exc:
            self.interrupt.check()
            self.b.rollback()
            self.in_txn = False
            self._take_back(written)
            self._done(self._reject(result, exc.position, str(exc)))
            self._commit()
            return
        except Exception as exc:  # noqa: BLE001 - no input may crash the loader
            self.interrupt.check()
            self.b.rollback()
            self.in_txn = False
            self._take_back(written)
            self.writer.touched_visits.clear()  # rolled back with the rest
            if self.b.unbound_memory(exc):
                # The database ran out of the load's memory budget (DuckDB): once more,
                # without it, rather than reject a file that fits in the machine.
                self._write_streamed(path, again(result))
                return
            detail = "".join(traceback.format_exception_only(exc)).strip()
            reason = f"{path}: internal error while loading: {detail}"
            self._done(self._reject(result, None, reason))
            self._commit()
            return
        self.in_txn = False
        _crash_point("after-commit")
        self._after_commit()
        self._done(result)
        self.interrupt.check()

    def _streamed_batches(self, path: Path, kind: str) -> Iterator[ParsedBatch]:
        """A streamed file's batches, in the order of the file. With parsing processes,
        JSON Lines conversations are cut into blocks of lines and web-session documents
        into parts of bodies that those processes parse; anything else is parsed here."""
        write_records = self.chunk_records
        if self.pool is not None and kind == "conversations" and self._is_json_lines(path):
            tasks = self._line_block_tasks(path)
        elif self.pool is not None and kind == "web_session":
            tasks = self._web_part_tasks(path)
            # A body is a few rows: as many rows per write as conversations give.
            write_records *= WEB_WRITE_FACTOR
        else:
            yield from iter_file_batches(path, kind, self.chunk_records, self.max_record_bytes)
            return
        window: deque[Future] = deque()
        ahead = 2 * self.pool._max_workers  # tasks in flight: bounds what is held
        held: list[ParsedBatch] = []
        try:
            for task in tasks:
                window.append(task)
                while len(window) > ahead:
                    held.extend(window.popleft().result())
                    yield from _regroup(held, write_records, final=False)
            while window:
                held.extend(window.popleft().result())
                yield from _regroup(held, write_records, final=not window)
        finally:
            for future in window:  # the file failed: its other tasks are not needed
                future.cancel()

    def _line_block_tasks(self, path: Path) -> Iterator[Future]:
        for block in blocks.iter_line_blocks(path, self.max_record_bytes):
            if isinstance(block, blocks.SkippedLine):
                skipped = Rejected(block.position, block.unread.reason, block.unread.raw)
                yield _resolved([build_batch([skipped])])
            else:
                yield self.pool.submit(
                    blocks.parse_line_block,
                    str(path),
                    block,
                    self.max_record_bytes,
                    self.chunk_records,
                )

    def _web_part_tasks(self, path: Path) -> Iterator[Future]:
        for part in web_parts.iter_web_parts(path, self.max_record_bytes):
            if isinstance(part, web_parts.WebPart):
                yield self.pool.submit(web_parts.parse_web_part, part)
            else:  # parsed here: rejections, or bodies too deep to send
                yield _resolved([build_batch(part)])

    # -- files without data -------------------------------------------------------------------

    def _record(self, result: FileResult, status: str, note: str | None = None) -> FileResult:
        """A file recorded in load_file without data (a listing, an unsupported data type)."""
        self._begin()
        if self._loaded_by_another(result):
            result.status = "skipped"
            self.files_left -= 1  # takes no load id
            return result
        result.load_id = self._next_load_id()
        result.status = status
        result.error = note
        insert_load_file(self.b, result)
        return result

    def _reject(self, result: FileResult, position: str | None, reason: str) -> FileResult:
        """A file rejected whole: recorded with its reason; nothing of it is written."""
        self._begin()
        result.load_id = self._next_load_id()
        result.status = "rejected"
        # The reason may quote a file name that is not UTF-8 (an OSError's, a parser's).
        position = printable(position) if position is not None else None
        result.error = reason = printable(reason)
        result.counts = FileCounts(
            rejected=1, rejections=[Rejected(position or "file", reason, None)]
        )
        insert_load_file(self.b, result)
        self.b.execute(
            "INSERT INTO load_rejection (load_id, ordinal, path, position, reason, raw) "
            "VALUES (?, 0, ?, ?, ?, ?)",
            [
                result.load_id,
                result.path,
                position,
                reason,
                raw_head(result.source or result.path),
            ],
        )
        return result

    def _take_back(self, records: int) -> None:
        """Records reported as written whose transaction was rolled back: the progress
        callback gets them back as a negative count (they may be written again)."""
        if records and self.on_progress:
            self.on_progress(None, -records)

    def _done(self, result: FileResult) -> None:
        if result.status in ("listing", "unsupported", "rejected") and self.in_txn:
            # Recorded in the open transaction: reported once that transaction commits.
            self.txn_recorded.append(result)
            self.txn_order.append(result)
            return
        self.summary.files.append(result)
        if self.on_progress:
            self.on_progress(result, 0)
