"""Parsed batches, the form in which parsed records travel from the parsing processes to
the writer: they survive the trip whole, and merged batches keep each row with its record."""

from __future__ import annotations

import pickle
import subprocess
import sys

import orjson
import pyarrow as pa
from test_properties import snapshot

from loaders.batch import REC, ParsedBatch, build_batch, iter_file_batches, merge_batches
from loaders.records import Rejected


def batch_of(tmp_path, name, *records, chunk=1000):
    path = tmp_path / name
    path.write_bytes(orjson.dumps({"conversationHistoryRecords": list(records)}))
    return list(iter_file_batches(path, "conversations", chunk))


def test_a_batch_crosses_a_process_boundary_whole(tmp_path):
    (batch,) = batch_of(tmp_path, "a.json", snapshot("a", 1, 3), {"info": {}})
    batch.warning_samples.append("a warning")
    copy = pickle.loads(pickle.dumps(batch))
    assert copy.metas == batch.metas
    assert [(r.position, r.reason) for r in copy.rejections] == [
        ("byte 0, conversationHistoryRecords[1]", batch.rejections[0].reason)
    ]
    assert (copy.records_seen, copy.warnings, copy.warning_samples) == (2, 0, ["a warning"])
    assert set(copy.tables) == set(batch.tables)
    for name, table in batch.tables.items():
        assert copy.tables[name].equals(table), name


def test_merged_batches_renumber_each_row_to_its_record(tmp_path):
    # A fresh interpreter: merging must not rely on another module having imported
    # pyarrow.compute first.
    code = (
        "import pyarrow as pa, loaders.batch as b\n"
        "t = pa.table({'_rec': pa.array([0], pa.int32())})\n"
        "m = b.merge_batches([b.ParsedBatch([None], {'t': t}), b.ParsedBatch([None], {'t': t})])\n"
        "assert m.tables['t'].column('_rec').to_pylist() == [0, 1]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    first = batch_of(tmp_path, "a.json", snapshot("a", 1, 2), snapshot("b", 1, 4))
    second = batch_of(tmp_path, "b.json", snapshot("c", 1, 3))
    merged = merge_batches([*first, *second])
    assert [m.key for m in merged.metas] == ["a", "b", "c"]
    messages = merged.tables["message"]
    owners = [merged.metas[r].key for r in messages.column(REC).to_pylist()]
    assert owners == messages.column("conversation_id").to_pylist()
    assert owners == ["a"] * 2 + ["b"] * 4 + ["c"] * 3


def test_rejections_count_as_records_seen():
    batch = build_batch([Rejected("line 1", "no conversationId", "{}")])
    assert (batch.records_seen, len(batch.metas), batch.tables) == (1, 0, {})


def test_a_batch_of_odd_tables_crosses_whole():
    # Tables travel as Arrow IPC streams in one buffer: an empty table, one without rows, a
    # long value with characters outside the BMP, and a batch without tables survive it.
    long_text = "é😀" * 30_000
    tables = {
        "no_rows": pa.table({REC: pa.array([], pa.int32()), "t": pa.array([], pa.large_string())}),
        "no_columns": pa.table({}),
        "text": pa.table({REC: pa.array([0, 0], pa.int32()), "t": [long_text, None]}),
    }
    batch = ParsedBatch([], tables, records_seen=1)
    copy = pickle.loads(pickle.dumps(batch))
    assert list(copy.tables) == ["no_rows", "no_columns", "text"]
    for name, table in tables.items():
        assert copy.tables[name].equals(table), name
    assert copy.tables["text"].column("t").to_pylist() == [long_text, None]
    assert pickle.loads(pickle.dumps(ParsedBatch())).tables == {}
