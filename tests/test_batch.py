"""Parsed batches, the form in which parsed records travel from the parsing processes to
the writer: they survive the trip whole, and merged batches keep each row with its record."""

from __future__ import annotations

import pickle
import subprocess
import sys

import orjson
import pyarrow as pa
from test_properties import snapshot

from loaders.batch import REC, ParsedBatch, build_batch, merge_batches
from loaders.file_batches import iter_file_batches, parse_file_group
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


# -- small files parsed in groups ------------------------------------------------------------


def page_file(tmp_path, name, *records):
    path = tmp_path / name
    path.write_bytes(orjson.dumps({"conversationHistoryRecords": list(records)}))
    return str(path)


def test_a_group_of_files_shares_batches_and_each_file_keeps_its_own_account(tmp_path):
    warned = snapshot("b2", 1, 1)
    warned["info"]["mcs"] = "lots"  # an uncastable v1 number: a warning
    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(b"\x00\x01 not json")
    files = [
        page_file(tmp_path, "a.json", snapshot("a1", 1, 2), snapshot("a2", 1, 1)),
        str(garbage),
        page_file(tmp_path, "b.json", {"info": {}}, snapshot("x" * 1500, 1, 1), warned),
        page_file(tmp_path, "many.json", *(snapshot(f"m{i}", 1, 1) for i in range(4))),
        page_file(tmp_path, "c.json", snapshot("c1", 1, 3)),
    ]
    group = parse_file_group([(f, "conversations") for f in files], chunk_records=3)
    a, bad, b, many, c = group.files
    assert [f.alone for f in group.files] == [False, False, False, True, False]
    assert bad.error and "garbage.json" in bad.error and bad.share is None
    assert many.share is None and not many.error  # more records than a batch: on its own
    assert [m.key for m in a.share.metas] == ["a1", "a2"]
    assert [m.key for m in b.share.metas] == ["b2"]
    assert [m.key for m in c.share.metas] == ["c1"]
    assert (b.share.records_seen, b.share.warnings) == (3, 1)
    assert b.share.warning_samples == [
        "byte 0, conversationHistoryRecords[2]: "
        "conversation b2 info: mcs: cannot cast 'lots' to int"
    ]
    reasons = [r.reason for r in b.share.rejections]
    assert len(reasons) == 2 and "conversationId" in reasons[0] and "1,500 bytes" in reasons[1]
    assert (a.share.records_seen, a.share.rejections, a.share.warnings) == (2, [], 0)
    # a and b make the first batch (5 records seen >= 3), c the second
    first, second = group.batches
    assert [m.key for m in first.metas] == ["a1", "a2", "b2"]
    assert [m.key for m in second.metas] == ["c1"]
    assert (first.records_seen, first.warnings, len(first.rejections)) == (5, 1, 2)
    messages = first.tables["message"]
    assert messages.column("conversation_id").to_pylist() == ["a1", "a1", "a2", "b2"]
    assert messages.column(REC).to_pylist() == [0, 0, 1, 2]
    assert second.tables["message"].column(REC).to_pylist() == [0, 0, 0]
    copy = pickle.loads(pickle.dumps(group))
    assert [m.key for m in copy.files[2].share.metas] == ["b2"]
    assert copy.batches[0].tables["message"].equals(messages)


def test_a_group_leaves_alone_what_passes_its_size_or_fails_its_batch(tmp_path, monkeypatch):
    from loaders import file_batches as batches

    files = [(page_file(tmp_path, f"{n}.json", snapshot(n, 1, 1)), "conversations") for n in "abc"]
    monkeypatch.setattr(batches, "WHOLE_PARSE_BYTES", 1)
    group = parse_file_group(files, chunk_records=1)
    assert [f.alone for f in group.files] == [False, True, True]  # a's batch passed the size
    assert [[m.key for m in b.metas] for b in group.batches] == [["a"]]

    monkeypatch.undo()

    def refuse(files):
        if len(files) > 1:
            raise ValueError("a value Arrow refuses")
        return real(files)

    real = batches.build_shared_batch
    monkeypatch.setattr(batches, "build_shared_batch", refuse)
    group = parse_file_group(files, chunk_records=10)
    assert [f.alone for f in group.files] == [True, True, True]
    assert group.batches == []
