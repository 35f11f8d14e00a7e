"""The benchmark (bench/run.py) runs as the README gives it, at a small scale, and reports
figures that agree with what it loaded."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_benchmark_with_breakdown_reports_consistent_figures(tmp_path):
    cmd = [sys.executable, "-m", "bench.run", "--conversations", "60", "--web-visits", "30"]
    cmd += ["--breakdown", "--out", str(tmp_path)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (results,) = tmp_path.glob("results-*.json")
    figures = json.loads(results.read_text())

    conv = figures["conversations_duckdb"]
    assert conv["counts"]["conversation"] == 60
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
