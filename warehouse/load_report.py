"""How ``lpwh load`` shows its work: a progress bar on a terminal and a summary at the end."""

from __future__ import annotations

import sys
from collections import Counter

import orjson
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from warehouse.load_results import FileResult, LoadSummary


class LoadProgress:
    """A rich progress bar of records written and files done, shown only on a terminal."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.records = 0
        self.files = 0
        self._progress: Progress | None = None
        self._task = None

    def __enter__(self) -> LoadProgress:
        if self.enabled:
            self._progress = Progress(
                TextColumn("[bold]loading[/]"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.__enter__()
            self._task = self._progress.add_task("", total=None)
        return self

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)

    def update(self, result: FileResult | None, records: int) -> None:
        """Progress callback of ``warehouse.loading.load``."""
        self.records += records
        if result is not None:
            self.files += 1
        if self._progress is not None:
            self._progress.update(
                self._task,
                completed=self.files,
                description=f"files, {self.records:,} records",
            )


def short_reason(path: str, position: str | None, reason: str) -> str:
    """``reason`` without the file and position it starts with when it names them (as a
    file's reading error does: ``"<file>: <position>: <problem>"``), which the summary
    shows in columns of their own; ``load_rejection`` keeps the whole text."""
    for prefix in (path, position):
        if prefix and reason.startswith(f"{prefix}: "):
            reason = reason[len(prefix) + 2 :]
    return reason


#: Files the summary table lists one by one; beyond, the files that were loaded or skipped
#: without a rejection or warning are counted on one line (a folder of 20,000 pages made a
#: table of 20,000 lines, laid out at ~1 ms a file).
FILE_ROWS = 100


def _files_to_list(files: list[FileResult]) -> tuple[list[FileResult], list[FileResult]]:
    """The files the table lists (all, or those worth a look first) and those it counts."""
    if len(files) <= FILE_ROWS:
        return files, []

    def plain(f: FileResult) -> bool:
        return f.status in ("loaded", "skipped") and not f.counts.rejected and not f.counts.warnings

    notable = [f for f in files if not plain(f)]
    shown = notable[:FILE_ROWS]
    room = FILE_ROWS - len(shown)
    if room:
        shown += [f for f in files if plain(f)][:room]
        listed = {id(f) for f in shown}
        shown = [f for f in files if id(f) in listed]  # in the order of the load
    listed = {id(f) for f in shown}
    return shown, [f for f in files if id(f) not in listed]


def print_summary(summary: LoadSummary, output_format: str = "table") -> None:
    """Print the load summary to stdout: a table, or one JSON document."""
    if output_format == "json":
        sys.stdout.write(orjson.dumps(summary.to_dict(), option=orjson.OPT_INDENT_2).decode())
        sys.stdout.write("\n")
        return
    console = Console()
    files = Table(title=f"Files loaded into {summary.database}")
    # A path is folded onto more lines rather than cut: its end is what tells files apart.
    files.add_column("file", overflow="fold")
    for column in ("kind", "status", "records", "rejected", "warnings"):
        files.add_column(
            column, justify="right" if column in ("records", "rejected", "warnings") else "left"
        )
    shown, left = _files_to_list(summary.files)
    for f in shown:
        files.add_row(
            f.path,
            f.data_type if f.kind == "data_access" else (f.kind or ""),
            f.status,
            str(f.counts.records_seen),
            str(f.counts.rejected),
            str(f.counts.warnings),
        )
    if left:
        by_status = Counter(f.status for f in left)
        counts = ", ".join(f"{n:,} {status}" for status, n in sorted(by_status.items()))
        files.add_row(f"… {len(left):,} more files ({counts}): --format json lists them", "", "")
    console.print(files)

    totals = summary.totals()
    overview = Table(title="Summary", show_header=False)
    overview.add_column("what")
    overview.add_column("count", justify="right")
    overview.add_row("files", str(totals["files"]))
    for status, n in totals["files_by_status"].items():
        overview.add_row(f"  {status}", str(n))
    overview.add_row("conversations inserted", str(totals["conversations_inserted"]))
    overview.add_row("conversations updated", str(totals["conversations_updated"]))
    overview.add_row("conversations unchanged", str(totals["conversations_unchanged"]))
    overview.add_row("older snapshots ignored", str(totals["conversations_older_ignored"]))
    overview.add_row("warnings", str(totals["warnings"]))
    overview.add_row("rejections", str(totals["rejections"]))
    for table, n in totals["rows"].items():
        overview.add_row(f"rows: {table}", str(n))
    console.print(overview)

    rejections = [(f.path, r) for f in summary.files for r in f.counts.rejections]
    if rejections:
        rejected = Table(title="Rejected (see table load_rejection for the raw text)")
        rejected.add_column("file", overflow="fold")
        rejected.add_column("where", overflow="fold")
        rejected.add_column("reason", overflow="fold")
        for path, r in rejections[:50]:
            rejected.add_row(path, r.position or "", short_reason(path, r.position, r.reason))
        more = totals["rejections"] - min(len(rejections), 50)
        if more:
            rejected.add_row("…", "", f"{more:,} more")
        console.print(rejected)
    samples = [(f.path, w) for f in summary.files for w in f.counts.warning_samples]
    if samples:
        console.print("[bold]Warnings[/] (first of each file):")
        for path, w in samples[:20]:
            console.print(f"  {path}: {w}", markup=False, highlight=False)
