"""How much memory DuckDB needs to insert into a keyed table, whatever the transaction size.

``python -m bench.index_memory [--children 5000000] [--limits 150,250,400,600]``

Builds a parent table (primary key: a random UUID, as ``conversation_id``) and a child
table (primary key ``(parent, child)``, both random UUIDs, and a foreign key to the parent,
as ``message``) with ``--children`` rows, committed in transactions of 10,000 parents.
Then, for each memory limit, a fresh connection inserts one SMALL transaction (2,000
parents, 100,000 children) and commits it. The smallest limit at which that works is the
memory DuckDB must hold for the tables' key indexes (ART): it grows with the rows already
stored, not with the transaction. This is why a DuckDB warehouse loaded from a 2 GB file
(millions of keyed rows) cannot stay under a few hundred MB however the load commits.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PARENT_ROWS_PER_TXN = 10_000
CHILDREN_PER_PARENT = 50


def build(path: Path, children: int) -> float:
    """The two tables with ``children`` child rows; returns seconds taken."""
    import duckdb

    for f in (path, Path(f"{path}.wal")):
        f.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE parent (pid VARCHAR PRIMARY KEY, v INTEGER)")
    con.execute(
        "CREATE TABLE child (pid VARCHAR REFERENCES parent (pid), cid VARCHAR, x VARCHAR, "
        "PRIMARY KEY (pid, cid))"
    )
    parents = children // CHILDREN_PER_PARENT
    t = time.perf_counter()
    for start in range(0, parents, PARENT_ROWS_PER_TXN):
        stop = min(parents, start + PARENT_ROWS_PER_TXN)
        _insert(con, start, stop)
    con.close()
    return time.perf_counter() - t


def _insert(con, start: int, stop: int) -> None:
    """Parents ``[start, stop)`` and their children, in one transaction."""
    per = CHILDREN_PER_PARENT
    con.execute("BEGIN")
    con.execute(
        "INSERT INTO parent SELECT md5(i::VARCHAR)::UUID::VARCHAR, i "
        f"FROM range({start}, {stop}) t(i)"
    )
    con.execute(
        f"INSERT INTO child SELECT md5((i // {per})::VARCHAR)::UUID::VARCHAR, "
        "md5(('c' || i)::VARCHAR)::UUID::VARCHAR, repeat('x', 50) "
        f"FROM range({start * per}, {stop * per}) t(i)"
    )
    con.execute("COMMIT")


def small_insert(path: Path, limit_mb: int, start: int) -> str | None:
    """One small transaction at ``limit_mb``, in a fresh process (DuckDB's memory is per
    process); None when it committed, else DuckDB's error."""
    code = (
        "import duckdb, sys\n"
        "from bench.index_memory import _insert\n"
        f"con = duckdb.connect({str(path)!r})\n"
        f"con.execute(\"SET memory_limit = '{limit_mb}MiB'\")\n"
        "try:\n"
        f"    _insert(con, {start}, {start + 2000})\n"
        "except duckdb.Error as exc:\n"
        "    print(str(exc).splitlines()[0]); sys.exit(1)\n"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=False
    )
    return None if done.returncode == 0 else (done.stdout.strip() or done.stderr.strip()[-200:])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--children", type=int, default=5_000_000, help="child rows stored first")
    p.add_argument("--limits", default="150,250,400,600", help="memory limits to try, MiB")
    a = p.parse_args(argv)
    limits = sorted(int(x) for x in a.limits.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "index-memory.duckdb"
        seconds = build(path, a.children)
        size = os.path.getsize(path) / 2**20
        print(
            f"stored {a.children:,} child rows (+{a.children // CHILDREN_PER_PARENT:,} parents)"
            f" in {seconds:.1f} s; file {size:,.0f} MiB"
        )
        start = a.children // CHILDREN_PER_PARENT
        for limit in limits:
            error = small_insert(path, limit, start)
            print(
                f"memory_limit {limit} MiB: one transaction of 2,000 parents / 100,000 children: "
                + ("committed" if error is None else f"FAILED ({error})")
            )
            if error is None:
                start += 2000
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
