"""A big file parsed in parts by several processes gives what a read in order gives: JSON
Lines in blocks of lines, a web-session document in parts of bodies — the same rows, the
same rejections at the same positions, the same errors."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest
from test_load import dump, query
from test_properties import snapshot, web_file

import warehouse
from loaders import blocks, sources, web_parts
from loaders.batch import merge_batches
from loaders.detect import detect_kind
from loaders.file_batches import iter_file_batches
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
    # Each record counted as if written one by one (an older snapshot, then its newer one:
    # inserted, then updated), in one batch as in 4-record batches.
    for counts in (first, second):
        assert (counts.inserted, counts.updated, counts.older, counts.records_rejected) == (
            16,
            14,
            0,
            1,
        )
    assert first.rows == second.rows
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


# -- web-session documents in parts of bodies -----------------------------------------------------


def web_document(path: Path, *, big_integer: bool = False, deep: bool = False) -> Path:
    """The published web-session file with its bodies twice over (visits v1 and v2), an
    element without a body and one over LIMIT among them; ``big_integer``: one body holds
    an integer orjson cannot write, ``deep``: one body nested deeper than pickle goes."""
    one, two = (
        orjson.loads(web_file("v1", 1000, None, "a")),
        orjson.loads(web_file("v2", 2000, None, "b")),
    )
    elements = one["recordCollection"] + two["recordCollection"]
    elements.insert(3, {"no": "body"})
    elements.insert(9, {"body": {"x": "y" * LIMIT}})
    (payload,) = elements[0]["body"].values()
    payload["testValue"] = "MARK"  # an unknown field: kept in the row's extra
    text = orjson.dumps({**one, "recordCollection": elements})
    if big_integer:
        text = text.replace(b'"MARK"', str(2**70).encode())
    if deep:
        text = text.replace(b'"MARK"', b"[" * 1200 + b"]" * 1200)
    path.write_bytes(text)
    return path


@pytest.mark.parametrize("kind", ["plain", "big-integer", "deep"])
def test_a_web_document_parsed_in_parts_loads_as_read_in_order(
    fresh_db, tmp_path, streamed_in_blocks, monkeypatch, kind
):
    sent: list[web_parts.WebPart] = []
    cut = web_parts.iter_web_parts

    def counted(*args, **kwargs):
        for part in cut(*args, bodies=3):
            if isinstance(part, web_parts.WebPart):
                sent.append(part)
            yield part

    monkeypatch.setattr(web_parts, "iter_web_parts", counted)
    path = web_document(tmp_path / "w.json", big_integer=kind == "big-integer", deep=kind == "deep")
    in_order, in_parts = fresh_db(), fresh_db()
    one = warehouse.load([path], in_order, workers=0, max_record_bytes=LIMIT)
    two = warehouse.load([path], in_parts, workers=2, max_record_bytes=LIMIT, chunk_records=2)
    assert dump(in_parts) == dump(in_order)
    assert {v for (v,) in query(in_parts, "SELECT visit_id FROM web_session")} == {"v1", "v2"}
    first, second = one.files[0].counts, two.files[0].counts
    assert second.records_seen == first.records_seen == 12
    # 10 bodies in parts of 3, cut at the two rejected elements; a part too deep to be sent
    # is parsed in the loading process (and its deep body rejected, as read in order).
    assert len(sent) == (3 if kind == "deep" else 4)
    assert [(r.position, r.reason) for r in second.rejections] == [
        (r.position, r.reason) for r in first.rejections
    ]
    assert [r.position for r in second.rejections] == [
        f"byte 0, recordCollection[{i}]" for i in ([0, 3, 9] if kind == "deep" else [3, 9])
    ]


def test_web_parts_cross_as_json_else_pickled_else_parsed_here(tmp_path):
    path = web_document(tmp_path / "w.json")
    parts = list(web_parts.iter_web_parts(path, LIMIT, bodies=4))
    sent = [p for p in parts if isinstance(p, web_parts.WebPart)]
    assert sent and not any(p.pickled for p in sent)
    batches = [b for p in sent for b in web_parts.parse_web_part(p)]
    assert sum(len(b.metas) for b in batches) == sum(len(orjson.loads(p.payload)) for p in sent)
    bodies = [web_parts.WebBody(sent[0].meta, "here", {"n": 2**70})]
    assert web_parts._part(bodies).pickled
    deep: object = {}
    for _ in range(5000):
        deep = [deep]
    here = web_parts._part([web_parts.WebBody(sent[0].meta, "here", deep)])
    assert isinstance(here, list) and here[0].position == "here"


def test_json_lines_over_the_parts_size_are_cut_even_when_small_enough_to_parse_whole(
    fresh_db, tmp_path, monkeypatch
):
    # Parsed whole, a 30 MB file would keep one parsing process busy and the writer idle.
    monkeypatch.setattr(loading, "PARTS_FILE_BYTES", 100)
    monkeypatch.setattr(loading, "POOL_FILE_BYTES", 0)
    monkeypatch.setattr(blocks, "BLOCK_BYTES", 1500)
    cut: list[Path] = []
    real = blocks.iter_line_blocks

    def counted(path, *args, **kwargs):
        cut.append(Path(path))
        yield from real(path, *args, **kwargs)

    monkeypatch.setattr(blocks, "iter_line_blocks", counted)
    looked_at: list[Path] = []
    is_json_lines = blocks.is_json_lines

    def looked(path, *args):
        looked_at.append(Path(path))
        return is_json_lines(path, *args)

    monkeypatch.setattr(blocks, "is_json_lines", looked)
    jsonl = lines_file(tmp_path / "a.jsonl")
    page = _page_file(tmp_path / "page.json")
    url = fresh_db()
    summary = warehouse.load([jsonl, page], url, workers=2, max_record_bytes=LIMIT)
    assert [f.status for f in summary.files] == ["loaded", "loaded"]
    assert cut == [jsonl]  # the page (one document) is parsed whole
    assert looked_at == [jsonl, page]  # each file's head read once to tell
    assert query(url, "SELECT count(*) FROM conversation") == [(18,)]


def test_json_lines_whose_first_line_is_longer_than_the_head_are_json_lines(
    fresh_db, tmp_path, monkeypatch
):
    # Pages of records of some 80 KB make JSON Lines lines longer than the 8 MiB that
    # detection used to read: the file was read as documents, in the loading process
    # alone, its positions "document N" instead of "line N".
    monkeypatch.setattr(sources, "SMALL_FILE_LIMIT", 500)
    plain = lines_file(tmp_path / "a.jsonl")
    first = plain.read_bytes().split(b"\n")[0]
    assert len(first) > sources.SMALL_FILE_LIMIT
    assert blocks.is_json_lines(plain)
    packed = tmp_path / "bom.jsonl.gz"
    packed.write_bytes(gzip.compress(b"\xef\xbb\xbf" + plain.read_bytes()))
    assert blocks.is_json_lines(packed)
    one_line = tmp_path / "one.json"
    one_line.write_bytes(first + b"\n\n  \n")
    assert not blocks.is_json_lines(one_line)  # nothing follows: a document
    assert not blocks.is_json_lines(plain, len(first) - 1)  # a first line over the limit
    positions = [position for position, _ in sources.iter_json_values(plain, LIMIT)]
    assert positions[0].startswith("line 1") and positions[-1].startswith("line ")
    url = fresh_db()
    summary = warehouse.load([plain], url, workers=2, max_record_bytes=LIMIT)
    (result,) = summary.files
    assert result.status == "loaded" and result.counts.records_seen > 0


@pytest.mark.parametrize(
    "layout",
    [
        "newline last in the head",
        "blank lines past the head",
        "blank lines first",
        "a form feed line first",
    ],
)
def test_json_lines_are_told_whatever_the_head_ends_on(tmp_path, monkeypatch, layout):
    # Where the 8 MiB head ends used to decide: a first line ending on its last byte, or
    # followed by blank lines to its end, or preceded by blank lines and running past it,
    # made JSON Lines read as one document.
    monkeypatch.setattr(sources, "SMALL_FILE_LIMIT", 200)
    head = sources.SMALL_FILE_LIMIT + 1  # what detection reads first

    def line_of(size: int) -> bytes:
        value = b'{"info": {"conversationId": "c1"}, "pad": ""}'
        return value[:-2] + b"x" * (size - len(value)) + b'"}'

    second = b'{"info": {"conversationId": "c2"}}\n'
    if layout == "newline last in the head":
        text = line_of(head - 1) + b"\n" + second
        assert text.index(b"\n") == head - 1
    elif layout == "blank lines past the head":
        text = line_of(100) + b"\n" + b" \n" * 100 + second
    elif layout == "blank lines first":
        text = b"\n  \n" + line_of(300) + b"\n" + second
    else:  # white space to yajl, and a blank line to the line reader
        text = b"\x0c\x0b\n" + line_of(300) + b"\n" + second
    path = tmp_path / "lines.jsonl"
    path.write_bytes(text)
    assert blocks.is_json_lines(path)
    assert detect_kind(path).kind == "conversations"
    got = [(position.split(",")[0], value["info"]) for position, value in values_of(path)]
    assert [info["conversationId"] for _, info in got] == ["c1", "c2"]
    assert all(position.startswith("line ") for position, _ in got)
    # Only blank lines after the one line: a document, whatever the head held.
    path.write_bytes(text[: text.index(second)])
    assert not blocks.is_json_lines(path)


def values_of(path: Path) -> list[tuple[str, dict]]:
    return list(sources.iter_json_values(path, LIMIT))
