"""A big JSON Lines file parsed in blocks by several processes gives what a line-by-line
read gives: the same rows, the same rejections at the same positions, the same errors."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest
from test_load import dump, query
from test_properties import snapshot

import warehouse
from loaders import blocks, sources
from loaders.batch import iter_file_batches, merge_batches
from warehouse import loading

LIMIT = 4000  # record limit of these tests: one line is made longer than this


def lines_file(path: Path, *, bad_line: int | None = None, long_line: int | None = None) -> Path:
    """JSON Lines of 30 conversation snapshots (2 of each of 15 conversations, the second
    newer), a blank line and a page line among them; line ``bad_line`` is broken JSON and
    line ``long_line`` is over LIMIT bytes."""
    lines = []
    for i in range(30):
        lines.append(orjson.dumps(snapshot(f"c{i % 15}", i // 15, messages=3, text=f"t{i}")))
    lines.insert(7, b"   ")
    lines.insert(12, orjson.dumps({"conversationHistoryRecords": [snapshot("p1", 0, 2)]}))
    if long_line is not None:
        lines[long_line - 1] = orjson.dumps(snapshot("long", 0, 2, text="x" * LIMIT))
    if bad_line is not None:
        lines[bad_line - 1] = b'{"info": {"conversationId": "broken" "x"}}'
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def block_parse(path: Path, block_bytes: int):
    """The file's batches as the pool path makes them (blocks parsed one after the other)."""
    out = []
    for block in blocks.iter_line_blocks(path, LIMIT, block_bytes):
        if isinstance(block, blocks.SkippedLine):
            out.append(("skipped", block.position, block.unread.reason))
        else:
            out.extend(blocks.parse_line_block(str(path), block, LIMIT, 1000))
    return out


def test_blocks_are_whole_lines_with_their_place_in_the_file(tmp_path):
    path = lines_file(tmp_path / "a.jsonl", long_line=20)
    data = path.read_bytes()
    got = list(blocks.iter_line_blocks(path, LIMIT, block_bytes=1500))
    parts = [b for b in got if isinstance(b, blocks.LineBlock)]
    assert len(parts) > 5
    assert all(p.data.endswith(b"\n") for p in parts)
    for part in parts:  # each block is the file's bytes at its base, after its line count
        assert data[part.base : part.base + len(part.data)] == part.data
        assert data[: part.base].count(b"\n") == part.lines_before
    skipped = [b for b in got if isinstance(b, blocks.SkippedLine)]
    assert [s.position for s in skipped] == ["line 20"]
    assert skipped[0].unread.raw.startswith('{"info"')
    assert sum(len(p.data) for p in parts) + len(data.split(b"\n")[19]) + 1 == len(data)


@pytest.mark.parametrize("block_bytes", [1, 1500, 10**6])
def test_block_parse_equals_the_line_by_line_parse(tmp_path, block_bytes):
    path = lines_file(tmp_path / "a.jsonl", long_line=20)
    whole = merge_batches(list(iter_file_batches(path, "conversations", 1000, LIMIT)))
    parts = block_parse(path, block_bytes)
    skipped = [p for p in parts if isinstance(p, tuple)]
    merged = merge_batches([p for p in parts if not isinstance(p, tuple)])
    assert [(m.position, m.key, m.version) for m in merged.metas] == [
        (m.position, m.key, m.version) for m in whole.metas
    ]
    assert merged.metas[11].position == "line 13, conversationHistoryRecords[0]"
    assert set(merged.tables) == set(whole.tables)
    for name, table in whole.tables.items():
        assert merged.tables[name].to_pylist() == table.to_pylist(), name
    assert [(r.position, r.reason) for r in whole.rejections] == [
        (position, reason) for _, position, reason in skipped
    ]


def test_a_syntax_error_in_a_block_is_reported_where_the_line_by_line_read_reports_it(tmp_path):
    path = lines_file(tmp_path / "a.jsonl", bad_line=23)
    with pytest.raises(sources.InputError) as whole:
        list(iter_file_batches(path, "conversations", 1000, LIMIT))
    with pytest.raises(sources.InputError) as parts:
        block_parse(path, 1500)
    assert parts.value.position == whole.value.position
    assert parts.value.position.startswith("line 23 column ")
    assert str(parts.value) == str(whole.value)


def test_gzip_json_lines_are_recognised_and_cut(tmp_path):
    plain = lines_file(tmp_path / "a.jsonl")
    packed = tmp_path / "a.jsonl.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert blocks.is_json_lines(packed)
    assert not blocks.is_json_lines(_page_file(tmp_path / "page.json"))
    got = list(blocks.iter_line_blocks(packed, LIMIT, block_bytes=2000))
    assert b"".join(b.data for b in got) == plain.read_bytes()


def _page_file(path: Path) -> Path:
    path.write_bytes(
        orjson.dumps({"conversationHistoryRecords": [snapshot("a", 0, 1), snapshot("b", 0, 1)]})
    )
    return path


@pytest.fixture
def streamed_in_blocks(monkeypatch):
    """Every file is streamed (as a big one is), in small blocks, with parsing processes."""
    monkeypatch.setattr(loading, "WORKER_FILE_LIMIT", 0)
    monkeypatch.setattr(loading, "POOL_FILE_BYTES", 0)
    monkeypatch.setattr(blocks, "BLOCK_BYTES", 1500)


def test_loading_in_blocks_gives_the_warehouse_a_line_by_line_load_gives(
    fresh_db, tmp_path, streamed_in_blocks
):
    path = lines_file(tmp_path / "a.jsonl", long_line=20)
    by_line, in_blocks = fresh_db(), fresh_db()
    one = warehouse.load([path], by_line, workers=0, max_record_bytes=LIMIT)
    two = warehouse.load([path], in_blocks, workers=2, max_record_bytes=LIMIT, chunk_records=4)
    assert dump(in_blocks) == dump(by_line)
    assert len(dump(in_blocks)["conversation"]) == 16
    first, second = one.files[0].counts, two.files[0].counts
    # One batch: each older snapshot loses inside it; 4-record batches: it is replaced.
    assert (first.inserted, first.updated, first.older, first.records_rejected) == (16, 0, 14, 1)
    assert (second.inserted, second.updated, second.older, second.records_rejected) == (
        16,
        14,
        0,
        1,
    )
    assert [r.position for r in second.rejections] == ["line 20"]
    assert query(in_blocks, "SELECT count(*) FROM load_rejection") == [(1,)]


def test_a_syntax_error_in_a_block_rejects_the_whole_file(db_url, tmp_path, streamed_in_blocks):
    path = lines_file(tmp_path / "a.jsonl", bad_line=23)
    summary = warehouse.load([path], db_url, workers=2, max_record_bytes=LIMIT)
    (result,) = summary.files
    assert result.status == "rejected"
    assert "line 23 column " in result.error
    assert query(db_url, "SELECT count(*) FROM conversation") == [(0,)]
    assert query(db_url, "SELECT status FROM load_file") == [("rejected",)]
