"""Write realistic synthetic LivePerson exports at any scale (``python -m bench.generate``).

Conversations (:mod:`bench.gen_conversations`) in three layouts:

- ``pages``: one Messaging Interactions API response page per file
  (``{"_metadata": …, "conversationHistoryRecords": [≤ per_page records]}``);
- ``page-lines``: JSON Lines, one page per line, many pages per file;
- ``records``: JSON Lines of bare conversation records.

Web sessions (:mod:`bench.gen_web`): Data Access ``WebSession`` files, one per hour of
visits, with visits spilling into the next file, plus a listing response.

Everything is streamed: ``--size-mb`` writes one file of about that many megabytes of
JSON (counted before compression) without holding it in memory. Output is identical for
the same arguments and ``--seed``.

Examples::

    python -m bench.generate conversations --out bench/out/c --count 5000 --gzip
    python -m bench.generate conversations --out bench/out/big --size-mb 2048 --layout records
    python -m bench.generate web --out bench/out/w --visits 20000 --files 8
    python -m bench.generate web --out bench/out/wbig --size-mb 1024
    python -m bench.generate examples --out examples
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from bench.gen_conversations import ConversationOptions, conversation_stream
from bench.gen_web import HOUR_MS, NS, Visit, WebOptions, file_document_head, visit_stream

MB = 1024 * 1024
LAYOUTS = ("pages", "page-lines", "records")
API_URL = (
    "https://va.msghist.liveperson.net/messaging_history/api/account/{account}/conversations/search"
)
DATA_ACCESS_URL = "https://va-a.da.liveperson.net/data_access_le/account/{account}/le/webSession"


# -- output plumbing ------------------------------------------------------------------------------


class _Sink:
    """A binary output file, gzip-compressed when asked, counting the JSON bytes written."""

    def __init__(self, path: Path, compress: bool) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # mtime=0: the same arguments give byte-identical .gz files
        self._raw = open(path, "wb")  # noqa: SIM115 - closed in close()
        self._out: IO[bytes] = (
            gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, compresslevel=5, mtime=0)
            if compress
            else self._raw
        )
        self.written = 0

    def write(self, data: bytes) -> None:
        self._out.write(data)
        self.written += len(data)

    def close(self) -> None:
        if self._out is not self._raw:
            self._out.close()
        self._raw.close()

    def __enter__(self) -> _Sink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _suffix(name: str, compress: bool) -> str:
    return name + ".gz" if compress else name


def _dumps(value: Any, indent: bool = False) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 if indent else 0)


def page_metadata(offset: int, count: int, total: int | None, per_page: int) -> dict:
    """The ``_metadata`` of a response page holding records ``offset … offset+count-1``."""
    href = API_URL.format(account="81665372")
    meta: dict[str, Any] = {
        "count": total if total is not None else count,
        "self": {"rel": "self", "href": f"{href}?limit={per_page}&offset={offset}"},
        "shardsStatusResult": {"partialResult": False},
    }
    if total is None or offset + count < total:
        meta["next"] = {"rel": "next", "href": f"{href}?limit={per_page}&offset={offset + count}"}
    if offset:
        prev = max(0, offset - per_page)
        meta["prev"] = {"rel": "prev", "href": f"{href}?limit={per_page}&offset={prev}"}
    return meta


def _batched(items: Iterable[Any], n: int) -> Iterator[list[Any]]:
    it = iter(items)
    while batch := list(itertools.islice(it, n)):
        yield batch


# -- conversations --------------------------------------------------------------------------------


def write_conversations(
    out_dir: str | Path,
    count: int,
    options: ConversationOptions | None = None,
    *,
    layout: str = "pages",
    per_page: int = 100,
    pages_per_file: int = 10,
    compress: bool = False,
    indent: bool = False,
    prefix: str = "conversations",
) -> list[Path]:
    """Write ``count`` distinct conversations (plus repeated snapshots) under ``out_dir``.

    ``pages``: one page per file; ``page-lines``: ``pages_per_file`` pages per JSON Lines
    file; ``records``: ``per_page * pages_per_file`` bare records per JSON Lines file.
    Returns the files written, in order.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, not {layout!r}")
    options = options or ConversationOptions()
    out = Path(out_dir)
    records = conversation_stream(count, options)
    paths: list[Path] = []
    offset = 0
    if layout == "pages":
        for n, page in enumerate(_batched(records, per_page), start=1):
            path = out / _suffix(f"{prefix}-page-{n:05d}.json", compress)
            doc = {
                "_metadata": page_metadata(offset, len(page), None, per_page),
                "conversationHistoryRecords": page,
            }
            with _Sink(path, compress) as sink:
                sink.write(_dumps(doc, indent) + b"\n")
            offset += len(page)
            paths.append(path)
        return paths
    per_file = per_page * pages_per_file
    for n, chunk in enumerate(_batched(records, per_file), start=1):
        path = out / _suffix(f"{prefix}-{n:05d}.jsonl", compress)
        with _Sink(path, compress) as sink:
            if layout == "records":
                for record in chunk:
                    sink.write(_dumps(record) + b"\n")
            else:
                for page in _batched(chunk, per_page):
                    doc = {
                        "_metadata": page_metadata(offset, len(page), None, per_page),
                        "conversationHistoryRecords": page,
                    }
                    sink.write(_dumps(doc) + b"\n")
                    offset += len(page)
        paths.append(path)
    return paths


def write_conversations_size(
    path: str | Path,
    size_mb: float,
    options: ConversationOptions | None = None,
    *,
    layout: str = "records",
    per_page: int = 100,
    compress: bool = False,
) -> tuple[Path, int]:
    """Write one JSON Lines file of about ``size_mb`` MB of JSON (bare records or pages,
    one per line), streamed. Returns ``(path, records written)``."""
    if layout not in ("records", "page-lines"):
        raise ValueError("a sized conversation file is JSON Lines: layout records or page-lines")
    options = options or ConversationOptions()
    limit = int(size_mb * MB)
    records = conversation_stream(10**12, options)
    written = 0
    with _Sink(Path(path), compress) as sink:
        if layout == "records":
            for record in records:
                sink.write(_dumps(record) + b"\n")
                written += 1
                if sink.written >= limit:
                    break
        else:
            offset = 0
            for page in _batched(records, per_page):
                doc = {
                    "_metadata": page_metadata(offset, len(page), None, per_page),
                    "conversationHistoryRecords": page,
                }
                sink.write(_dumps(doc) + b"\n")
                offset += len(page)
                written += len(page)
                if sink.written >= limit:
                    break
    return Path(path), written


# -- web sessions ---------------------------------------------------------------------------------


def web_file_name(start_ms: int, part: int = 0) -> str:
    """LivePerson's file naming: ``WebSession.<start>.<end>.part-00000-<n>.json``."""
    return f"WebSession.{start_ms}.{start_ms + HOUR_MS}.part-00000-{part}.json"


class _WebFile:
    """One Data Access file being streamed: head, then bodies, then the closing brackets."""

    def __init__(self, path: Path, start_ms: int, compress: bool, indent: bool) -> None:
        self.sink = _Sink(path, compress)
        self.indent = indent
        self.bodies = 0
        head = _dumps(file_document_head(start_ms, start_ms + HOUR_MS), indent)
        self.sink.write(head[:-1].rstrip() + b',\n"recordCollection":[\n')

    def add(self, body: dict) -> None:
        self.sink.write((b",\n" if self.bodies else b"") + _dumps(body, self.indent))
        self.bodies += 1

    def close(self) -> None:
        self.sink.write(b"\n]}\n")
        self.sink.close()


def write_web(
    out_dir: str | Path,
    visits: int,
    options: WebOptions | None = None,
    *,
    files: int = 4,
    compress: bool = False,
    compress_every: int = 1,
    indent: bool = False,
    listing: bool = True,
) -> list[Path]:
    """Write ``visits`` visits as ``files`` hourly WebSession files under ``out_dir``.

    Visits of hour ``k`` go to file ``k``; what spills from them (later page views, the
    same facts again, a second look at session info and geo) goes to file ``k+1`` (the
    last file keeps its own). With ``compress``, every ``compress_every``-th file is
    gzip-compressed. With ``listing``, ``listing.json`` lists the files. Returns the data
    files written, in order.
    """
    options = options or WebOptions()
    files = max(1, min(files, visits))
    per_file = -(-visits // files)
    options = WebOptions(**{**options.__dict__, "visits_per_hour": per_file})
    out = Path(out_dir)
    paths: list[Path] = []
    spill: list[dict] = []
    stream = visit_stream(visits, options)
    for k in range(files):
        start = options.start_ms + k * HOUR_MS
        gz = compress and k % compress_every == compress_every - 1
        path = out / _suffix(web_file_name(start), gz)
        f = _WebFile(path, start, gz, indent)
        for b in spill:
            f.add(b)
        spill = []
        for visit in itertools.islice(stream, per_file):
            for b in visit.home:
                f.add(b)
            spill.extend(visit.spill)
        if k == files - 1:
            for b in spill:
                f.add(b)
        f.close()
        paths.append(path)
    if listing:
        write_listing(out / "listing.json", paths, options.start_ms)
    return paths


def write_web_size(
    path: str | Path,
    size_mb: float,
    options: WebOptions | None = None,
    *,
    compress: bool = False,
) -> tuple[Path, int]:
    """Write one WebSession file of about ``size_mb`` MB of JSON, streamed; a visit's
    spill goes into the same file. Returns ``(path, visits written)``."""
    options = options or WebOptions()
    limit = int(size_mb * MB)
    f = _WebFile(Path(path), options.start_ms, compress, indent=False)
    n = 0
    for visit in visit_stream(10**12, options):
        for b in visit.home + visit.spill:
            f.add(b)
        n += 1
        if f.sink.written >= limit:
            break
    f.close()
    return Path(path), n


def write_listing(path: Path, files: list[Path], start_ms: int) -> Path:
    """A Data Access listing response naming ``files`` (it is not data)."""
    base = DATA_ACCESS_URL.format(account="81665372")
    entries = []
    for k, f in enumerate(files):
        start = start_ms + k * HOUR_MS
        name = f.name
        entries.append(
            {
                "@name": name,
                "@scopeStartDate": _iso(start),
                "@scopeEndDate": _iso(start + HOUR_MS),
                "@href": f"{base}/{name}",
            }
        )
    doc = {
        "dataAccessFiles": {
            "@id": "81665372",
            "link": {"@href": base, "@rel": "self"},
            "file": entries,
        }
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_dumps(doc, indent=True) + b"\n")
    return path


def _iso(ms: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ms // 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def web_visit_ids(visits: Iterable[Visit]) -> list[str]:
    """Visit ids of ``visits`` (handy in tests)."""
    return [v.visit_id for v in visits]


def body_kind(body: dict) -> str:
    """``WebSessionNavigationData`` for a ``recordCollection`` entry."""
    (name,) = body["body"].keys()
    return name[len(NS) :]


# -- the bundled examples -------------------------------------------------------------------------

EXAMPLES_SEED = 7


def write_examples(out_dir: str | Path) -> list[Path]:
    """Regenerate the bundled ``examples/`` folder (fixed seed, small, < 1 MB)."""
    out = Path(out_dir)
    for sub in ("conversations", "web-sessions"):
        shutil.rmtree(out / sub, ignore_errors=True)
    options = ConversationOptions(
        seed=EXAMPLES_SEED, days=7, repeat_fraction=0.12, open_only_fraction=0.05
    )
    records = list(conversation_stream(44, options))
    conv = out / "conversations"
    written = []
    parts = [(records[:20], "page-001.json", False), (records[20:40], "page-002.json.gz", True)]
    offset = 0
    for page, name, gz in parts:
        doc = {
            "_metadata": page_metadata(offset, len(page), len(records), 20),
            "conversationHistoryRecords": page,
        }
        with _Sink(conv / name, gz) as sink:
            sink.write(_dumps(doc, indent=not gz) + b"\n")
        offset += len(page)
        written.append(conv / name)
    with _Sink(conv / "more.jsonl", False) as sink:
        for record in records[40:]:
            sink.write(_dumps(record) + b"\n")
    written.append(conv / "more.jsonl")
    web = write_web(
        out / "web-sessions",
        30,
        WebOptions(seed=EXAMPLES_SEED, overlap_fraction=0.4),
        files=3,
        compress=True,
        compress_every=3,
    )
    return written + web + [out / "web-sessions" / "listing.json"]


# -- command line ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.generate conversations|web|examples …``."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="what", required=True)

    c = sub.add_parser("conversations", help="Messaging Interactions API conversation exports")
    c.add_argument("--out", required=True, help="output directory")
    c.add_argument("--count", type=int, default=1000, help="distinct conversations")
    c.add_argument("--seed", type=int, default=1)
    c.add_argument("--layout", choices=LAYOUTS, default="pages")
    c.add_argument("--per-page", type=int, default=100, help="records per page (API max 100)")
    c.add_argument("--pages-per-file", type=int, default=10, help="for JSON Lines layouts")
    c.add_argument("--gzip", action="store_true")
    c.add_argument("--indent", action="store_true", help="pretty-print page files")
    c.add_argument("--repeat-fraction", type=float, default=0.1, help="OPEN+CLOSED snapshots")
    c.add_argument("--open-only-fraction", type=float, default=0.03, help="only OPEN")
    c.add_argument("--legacy-fraction", type=float, default=0.15, help="older record format")
    c.add_argument("--days", type=int, default=30, help="days the start times spread over")
    c.add_argument("--size-mb", type=float, help="write ONE JSON Lines file of about this size")

    w = sub.add_parser("web", help="Data Access API web-session files")
    w.add_argument("--out", required=True, help="output directory")
    w.add_argument("--visits", type=int, default=1000)
    w.add_argument("--files", type=int, default=4, help="hourly files the visits spread over")
    w.add_argument("--seed", type=int, default=1)
    w.add_argument("--gzip", action="store_true")
    w.add_argument("--overlap-fraction", type=float, default=0.3, help="visits spanning files")
    w.add_argument("--no-listing", action="store_true", help="do not write listing.json")
    w.add_argument("--size-mb", type=float, help="write ONE file of about this size")

    e = sub.add_parser("examples", help="regenerate the bundled examples/ folder")
    e.add_argument("--out", default="examples")

    a = parser.parse_args(argv)
    if a.what == "conversations":
        opts = ConversationOptions(
            seed=a.seed,
            days=a.days,
            repeat_fraction=a.repeat_fraction,
            open_only_fraction=a.open_only_fraction,
            legacy_fraction=a.legacy_fraction,
        )
        if a.size_mb:
            layout = "page-lines" if a.layout == "page-lines" else "records"
            name = _suffix(f"conversations-{a.size_mb:g}mb-s{a.seed}.jsonl", a.gzip)
            path, n = write_conversations_size(
                Path(a.out) / name, a.size_mb, opts, layout=layout, compress=a.gzip
            )
            print(f"{path}: {n} records, {path.stat().st_size / MB:.1f} MB on disk")
            return 0
        paths = write_conversations(
            a.out,
            a.count,
            opts,
            layout=a.layout,
            per_page=a.per_page,
            pages_per_file=a.pages_per_file,
            compress=a.gzip,
            indent=a.indent,
        )
    elif a.what == "web":
        wopts = WebOptions(seed=a.seed, overlap_fraction=a.overlap_fraction)
        if a.size_mb:
            name = _suffix(f"websession-{a.size_mb:g}mb-s{a.seed}.json", a.gzip)
            path, n = write_web_size(Path(a.out) / name, a.size_mb, wopts, compress=a.gzip)
            print(f"{path}: {n} visits, {path.stat().st_size / MB:.1f} MB on disk")
            return 0
        paths = write_web(
            a.out, a.visits, wopts, files=a.files, compress=a.gzip, listing=not a.no_listing
        )
    else:
        paths = write_examples(a.out)
    size = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} files, {size / MB:.1f} MB on disk, in {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
