"""Reading input files: gzip by magic bytes, JSON / JSON Lines / concatenated documents,
streaming with bounded memory, exact error positions, path expansion and kind detection."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from seeds import real_sample, seed_example

from loaders import detect as detect_mod
from loaders import sources
from loaders.detect import Detected, detect, detect_kind
from loaders.sources import InputError, expand_paths, iter_json_values, open_bytes, sha256_of

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "files"
CONVERSATIONS = "messaging-interactions-conversations.response.json"
AGENT_ACTIVITY = "data-access-agent-activity.file.json"
ENGAGEMENT_LISTING = "data-access-engagement.listing.json"


def values(path) -> list[tuple[str, object]]:
    return list(iter_json_values(path))


def walker_gives_up(monkeypatch) -> None:
    """Make the streaming path's element walker give up on every file: ijson reads them."""
    from loaders.stream_walker import Unsupported

    def unsupported(*_args: object) -> None:
        raise Unsupported

    monkeypatch.setattr(sources, "survey", unsupported)


@pytest.fixture(params=["small", "streamed"])
def mode(request, monkeypatch) -> str:
    """Run a test through the read-at-once path and through the streaming path."""
    if request.param == "streamed":
        monkeypatch.setattr(sources, "SMALL_FILE_LIMIT", 16)
    return request.param


# -- gzip -----------------------------------------------------------------------------------------


def test_gzip_is_detected_by_magic_bytes_not_by_name(tmp_path, mode):
    page = real_sample(CONVERSATIONS).read_bytes()
    disguised = tmp_path / "page.json"  # gzip data under a .json name
    disguised.write_bytes(gzip.compress(page))
    plain = tmp_path / "page.json.gz"  # plain JSON under a .gz name
    plain.write_bytes(page)

    with open_bytes(disguised) as stream:
        assert stream.read() == page
    with open_bytes(plain) as stream:
        assert stream.read() == page
    expected = json.loads(page)["conversationHistoryRecords"][0]
    for path in (disguised, plain):
        got = values(path)
        assert [p for p, _ in got] == ["byte 0", "byte 0, conversationHistoryRecords[0]"]
        assert got[1][1] == expected


def test_multi_member_gzip_reads_as_one_stream(tmp_path, mode):
    path = tmp_path / "pages.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"a": 1}\n') + gzip.compress(b'{"b": 2}\n'))
    assert values(path) == [("line 1", {"a": 1}), ("line 2", {"b": 2})]


def test_truncated_gzip_is_an_input_error_naming_the_file(tmp_path, mode):
    path = tmp_path / "cut.json.gz"
    path.write_bytes(gzip.compress(real_sample(CONVERSATIONS).read_bytes())[:-40])
    with pytest.raises(InputError) as err:
        values(path)
    assert err.value.path == str(path)
    assert str(path) in str(err.value)
    assert "gzip" in err.value.message
    assert err.value.position.startswith("compressed byte ")


def test_gzip_header_followed_by_garbage_is_an_input_error(tmp_path):
    path = tmp_path / "bad.gz"
    path.write_bytes(b"\x1f\x8b" + b"not really gzip at all")
    with pytest.raises(InputError, match="gzip"):
        values(path)


# -- not JSON -------------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"  \n\t\n", gzip.compress(b"")], ids=["0", "ws", "gz"])
def test_empty_file_is_rejected_like_a_file_that_is_not_json(tmp_path, mode, content):
    path = tmp_path / "empty.json"
    path.write_bytes(content)
    with pytest.raises(InputError, match="empty file") as err:
        values(path)
    assert str(path) in str(err.value)
    with pytest.raises(InputError, match="empty file"):
        detect(path)


def test_garbage_bytes_are_an_input_error_with_a_byte_offset(tmp_path, mode):
    path = tmp_path / "garbage.json"
    path.write_bytes(b"PK\x03\x04 this is a zip file, not JSON " * 3)
    with pytest.raises(InputError) as err:
        values(path)
    assert "byte " in err.value.position
    assert "JSON syntax error" in err.value.message


def test_seed_001_lead_event_syntax_error_names_line_column_and_byte(tmp_path):
    text = seed_example(1)
    path = tmp_path / "seed001.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(json.JSONDecodeError) as oracle:
        json.loads(text)
    byte = len(text[: oracle.value.pos].encode("utf-8"))
    with pytest.raises(InputError) as err:
        values(path)
    line, col = oracle.value.lineno, oracle.value.colno
    assert err.value.position == f"line {line} column {col} (byte {byte})"
    assert text.splitlines()[line - 1].startswith('"originalTimeStamp"')
    assert str(err.value).startswith(f"{path}: line {line} column {col}")


def test_seed_001_syntax_error_when_streamed_names_line_and_nearby_byte(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "SMALL_FILE_LIMIT", 1024)
    text = seed_example(1)
    path = tmp_path / "seed001.json"
    path.write_text(text, encoding="utf-8")
    oracle = len(text[: text.index('"originalTimeStamp": "1528636540046",\n},')].encode())
    with pytest.raises(InputError) as err:
        values(path)
    position = err.value.position
    line = text[:oracle].count("\n") + 1
    assert position.startswith(f"document 1, line {line}, near byte ")
    assert abs(int(position.rsplit(" ", 1)[1]) - oracle) <= 32
    assert "I expect ',' or '}'" in err.value.message


def test_truncated_json_is_an_input_error(tmp_path, mode):
    page = real_sample(CONVERSATIONS).read_bytes()
    path = tmp_path / "cut.json"
    path.write_bytes(page[:5000])
    with pytest.raises(InputError) as err:
        values(path)
    assert err.value.position.endswith("(byte 5000)") or "byte 5000" in err.value.position
    assert "end" in err.value.message


@pytest.mark.parametrize(
    "bad", [b"\xe9", b"\xc0\xaf", b"\xed\xa0\x80"], ids=["latin-1", "overlong", "surrogate"]
)
def test_invalid_utf8_is_an_input_error_at_its_byte(tmp_path, mode, bad):
    # (yajl lets an overlong form and an encoded surrogate through; Python's decoder does not)
    path = tmp_path / "latin1.json"
    head = b'{"conversationHistoryRecords": [{"info": {"brandId": "caf'
    path.write_bytes(head + bad + b'"}}]}' + b" " * 32)
    offset = len(head)
    with pytest.raises(InputError) as err:
        values(path)
    assert "invalid UTF-8" in err.value.message
    if mode == "small":
        assert err.value.position == f"line 1 column {offset + 1} (byte {offset})"
    elif bad == b"\xe9":
        assert err.value.position.startswith("document 1, line 1, near byte ")
    else:
        assert err.value.position == f"document 1, line 1, near byte {offset}"


def test_input_error_text_names_file_position_and_problem():
    err = InputError("/x/a.json", "line 3 column 4 (byte 20)", "JSON syntax error: boom")
    assert str(err) == "/x/a.json: line 3 column 4 (byte 20): JSON syntax error: boom"


# -- shapes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [8 * 1024 * 1024, 250], ids=["small", "streamed"])
def test_json_lines_of_pages_and_bare_records_with_blank_lines(monkeypatch, limit):
    # Streamed, JSON Lines are recognised when the first line fits in the first chunk read.
    monkeypatch.setattr(sources, "SMALL_FILE_LIMIT", limit)
    path = DATA / "pages_and_records.jsonl"
    assert path.stat().st_size > limit or limit > 250
    got = values(path)
    assert [p for p, _ in got] == [
        "line 1",
        "line 1, conversationHistoryRecords[0]",
        "line 1, conversationHistoryRecords[1]",
        "line 3",
        "line 5",
    ]
    assert got[0][1] == {"_metadata": {"count": 2}, "conversationHistoryRecords": []}
    ids = [v["info"]["conversationId"] for _, v in got[1:]]
    assert ids == ["jsonl-a", "jsonl-b", "jsonl-c", "jsonl-d"]


@pytest.mark.parametrize("limit", [8 * 1024 * 1024, 12], ids=["small", "streamed"])
def test_json_lines_syntax_error_names_the_line(tmp_path, monkeypatch, limit):
    monkeypatch.setattr(sources, "SMALL_FILE_LIMIT", limit)
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"a": 1}\n{"b": 2}\n{"c": 3,}\n{"d": 4}\n')
    with pytest.raises(InputError) as err:
        values(path)
    assert err.value.position == "line 3 column 8 (byte 25)"  # the trailing comma


def test_page_is_split_into_its_records_and_the_rest_of_the_page(mode):
    path = real_sample(CONVERSATIONS)
    page = json.loads(path.read_text())
    got = values(path)
    assert got[0] == ("byte 0", {**page, "conversationHistoryRecords": []})
    assert got[1] == (
        "byte 0, conversationHistoryRecords[0]",
        page["conversationHistoryRecords"][0],
    )
    assert len(got) == 2


def test_concatenated_documents_of_the_real_agent_activity_sample():
    path = real_sample(AGENT_ACTIVITY)
    fixed = json.loads(real_sample("data-access-agent-activity.file.fixed.json").read_text())
    got = values(path)
    assert [p for p, _ in got] == [
        "document 1 (byte 0)",
        "document 1 (byte 0), recordCollection[0]",
        "document 2 (byte 2643)",
        "document 2 (byte 2643), recordCollection[0]",
    ]
    assert got[0][1] == {**fixed, "recordCollection": []}
    assert got[1][1] == got[3][1] == fixed["recordCollection"][0]


def test_concatenated_documents_when_streamed(monkeypatch):
    monkeypatch.setattr(sources, "SMALL_FILE_LIMIT", 16)
    listing = json.loads(real_sample("data-access-engagement.listing.fixed.json").read_text())
    got = values(real_sample(ENGAGEMENT_LISTING))
    assert got == [("document 1", listing), ("document 2", listing)]


def test_a_streamed_page_with_a_long_integer_is_read_by_the_walker(tmp_path, monkeypatch):
    # Not by ijson's Python backend (slow, and laxer than JSON): the walker reads such an
    # element again exactly itself.
    from loaders import stream_ijson

    monkeypatch.setattr(sources, "SMALL_FILE_LIMIT", 16)
    monkeypatch.setattr(stream_ijson, "BIG_INTEGER_BACKEND", None)
    big = 2**63 + 1  # yajl refuses it, orjson reads it exactly
    bigger = 2**64 + 1  # orjson reads it as a float
    path = tmp_path / "page.json"
    path.write_text(
        '{"_metadata": {"n": 1}, "conversationHistoryRecords": '
        f'[{{"a": {big}, "b": 1.5}}, {{"a": -{bigger}, "b": "12345678901234567890"}}]}}'
    )
    got = values(path)
    assert [value for _, value in got[1:]] == [
        {"a": big, "b": 1.5},
        {"a": -bigger, "b": "12345678901234567890"},
    ]
    assert type(got[2][1]["a"]) is int


# ijson gives these values the prefix of the split array's elements (a member "item" of the
# split key's object, a top-level member "<key>.item"): its path took X for a record and
# lost the last one.
_LOOK_ALIKES = {
    "object": (
        '{"conversationHistoryRecords": {"item": {"id": "X"}}} '
        '{"conversationHistoryRecords": [{"id": "A"}, {"id": "B"}]}',
        [
            ("document 1", {"conversationHistoryRecords": {"item": {"id": "X"}}}),
            ("document 2", {"conversationHistoryRecords": []}),
            ("document 2, conversationHistoryRecords[0]", {"id": "A"}),
            ("document 2, conversationHistoryRecords[1]", {"id": "B"}),
        ],
    ),
    "dotted-name": (
        '{"conversationHistoryRecords.item": {"id": "X"}, '
        '"conversationHistoryRecords": [{"id": "A"}, {"id": "B"}]}',
        [
            (
                "byte 0",
                {"conversationHistoryRecords.item": {"id": "X"}, "conversationHistoryRecords": []},
            ),
            ("byte 0, conversationHistoryRecords[0]", {"id": "A"}),
            ("byte 0, conversationHistoryRecords[1]", {"id": "B"}),
        ],
    ),
}


@pytest.mark.parametrize("walker", [True, False], ids=["walker", "ijson"])
@pytest.mark.parametrize("case", list(_LOOK_ALIKES))
def test_what_ijson_names_like_an_element_is_not_one(tmp_path, monkeypatch, walker, case):
    monkeypatch.setattr(sources, "SMALL_FILE_LIMIT", 16)
    if not walker:
        walker_gives_up(monkeypatch)
    text, expected = _LOOK_ALIKES[case]
    path = tmp_path / "look_alike.json"
    path.write_text(text)
    assert values(path) == expected


@pytest.mark.parametrize("path_taken", ["at once", "walker", "ijson"])
@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_a_document_after_a_byte_order_mark_starts_at_byte_3(tmp_path, monkeypatch, path_taken, gz):
    # Streamed, a document after a BOM was said to start at byte 0 (read at once: byte 3).
    if path_taken != "at once":
        monkeypatch.setattr(sources, "SMALL_FILE_LIMIT", 16)
    if path_taken == "ijson":
        walker_gives_up(monkeypatch)
    text = b'\xef\xbb\xbf{"recordCollection": [{"body": 1}], "metaData": {"x": 1}}'
    path = tmp_path / "bom.json"
    path.write_bytes(gzip.compress(text) if gz else text)
    assert values(path) == [
        ("byte 3", {"recordCollection": [], "metaData": {"x": 1}}),
        ("byte 3, recordCollection[0]", {"body": 1}),
    ]


def test_unrepaired_engagement_listing_second_copy_starts_at_byte_1040():
    got = values(real_sample(ENGAGEMENT_LISTING))
    assert [p for p, _ in got] == ["document 1 (byte 0)", "document 2 (byte 1040)"]


def test_metadata_after_the_big_array_is_read_before_its_elements(tmp_path, mode):
    path = tmp_path / "late_meta.json"
    path.write_bytes(b'{"recordCollection": [{"body": 1}, {"body": 2}], "metaData": {"x": 1}}')
    assert values(path) == [
        ("byte 0", {"recordCollection": [], "metaData": {"x": 1}}),
        ("byte 0, recordCollection[0]", {"body": 1}),
        ("byte 0, recordCollection[1]", {"body": 2}),
    ]


def test_streamed_and_read_at_once_give_the_same_values(monkeypatch):
    for name in (CONVERSATIONS, "data-access-web-session.file.json"):
        at_once = values(real_sample(name))
        monkeypatch.setattr(sources, "SMALL_FILE_LIMIT", 16)
        streamed = values(real_sample(name))
        monkeypatch.setattr(sources, "SMALL_FILE_LIMIT", 8 * 1024 * 1024)
        assert streamed == at_once


def test_floats_stay_floats_when_streamed(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "SMALL_FILE_LIMIT", 4)
    path = tmp_path / "f.json"
    path.write_bytes(b'{"conversationHistoryRecords": [{"price": 22.5, "n": 3}]}')
    assert values(path)[1] == ("byte 0, conversationHistoryRecords[0]", {"price": 22.5, "n": 3})
    assert type(values(path)[1][1]["price"]) is float


@pytest.mark.parametrize(
    "depth", [1, 990, 1100], ids=["shallow", "deeper-than-python", "deeper-than-orjson"]
)
def test_integers_beyond_64_bits_are_read_on_every_path(tmp_path, mode, depth):
    # Valid JSON that yajl (ijson's C backend) refuses, and orjson reads as a float: read
    # again exactly where orjson read it, with ijson's Python backend where yajl did (values
    # nested deeper than orjson goes).
    big = 2**64 + 1
    deep = "[" * depth + '"x"' + "]" * depth
    record = f'{{"n": {big}, "info": {{"conversationId": "c1"}}, "deep": {deep}}}'
    page = tmp_path / "page.json"
    page.write_text(f'{{"_metadata": {{"big": -{big}}}, "conversationHistoryRecords": [{record}]}}')
    lines = tmp_path / "records.jsonl"
    lines.write_text(f"{record}\n{record}\n")
    for path, meta in ((page, True), (lines, False)):
        got = values(path)
        records = [value for _, value in got[1:]] if meta else [value for _, value in got]
        if meta:
            assert got[0][1]["_metadata"]["big"] == -big
        # Exact: orjson alone would read it as a float (1.8446744073709552e+19).
        assert [r["n"] for r in records] == [big] * len(records) != []
        for r in records:
            level, value = 0, r["deep"]
            while isinstance(value, list):
                level, value = level + 1, value[0]
            assert (level, value) == (depth, "x")
        assert detect_kind(path).kind == "conversations"


@pytest.mark.parametrize(
    "depth, number",
    [(1100, 7), (990, 2**64 + 1)],
    ids=["deeper-than-orjson", "long-integer-deeper-than-python"],
)
def test_a_deep_document_after_another_is_read_on_every_path(tmp_path, mode, depth, number):
    # Documents one after another, the second nested deeper than orjson goes, or than the
    # standard library reads its long integer exactly: the file was rejected read at once
    # and loaded streamed. From that document on, it is read as a streamed file is.
    deep = "[" * depth + '"x"' + "]" * depth
    path = tmp_path / "documents.json"
    path.write_text(
        '{"conversationHistoryRecords": [{"a": 1}]} {"conversationHistoryRecords": '
        f'[{{"n": {number},\n "deep": {deep}}}]}}\n'
    )
    got = values(path)
    assert [re.sub(r" \(byte \d+\)", "", position) for position, _ in got] == [
        "document 1",
        "document 1, conversationHistoryRecords[0]",
        "document 2",
        "document 2, conversationHistoryRecords[0]",
    ]
    assert got[1][1] == {"a": 1}
    assert got[3][1]["n"] == number and type(got[3][1]["n"]) is int


def test_an_integer_beyond_a_double_is_read_exactly_on_every_path(tmp_path, mode):
    # orjson refuses an integer over 1.8e308 ("number is infinity") that the streamed path
    # read exactly: such a file was rejected read at once and loaded streamed. A float that
    # big is refused on both paths.
    big = int("9" * 400)
    page = tmp_path / "page.json"
    page.write_text(f'{{"conversationHistoryRecords": [{{"a": {big}}}, {{"b": -{big}}}]}}')
    assert [value for _, value in values(page)[1:]] == [{"a": big}, {"b": -big}]
    lines = tmp_path / "records.jsonl"
    lines.write_text(f'{{"a": {big}, "f": 0.5}}\n{{"b": 1}}\n')
    assert [value for _, value in values(lines)] == [{"a": big, "f": 0.5}, {"b": 1}]
    for bad in ("1e400", "-1e400", "9" * 400 + ".5"):
        page.write_text(f'{{"conversationHistoryRecords": [{{"a": {big}}}, {{"b": {bad}}}]}}')
        with pytest.raises(InputError) as error:
            values(page)
        assert error.value.message.startswith("JSON syntax error"), bad


# -- big files: bounded memory --------------------------------------------------------------------


def _write_big_page(path: Path, target_bytes: int) -> int:
    record = json.loads(real_sample(CONVERSATIONS).read_text())["conversationHistoryRecords"][0]
    n = size = 0
    with open(path, "wb") as f:
        f.write(b'{"_metadata": {"count": 0},\n "conversationHistoryRecords": [\n')
        while size < target_bytes:
            record["info"]["conversationId"] = f"conv-{n}"
            chunk = (b",\n" if n else b"") + orjson.dumps(record, option=orjson.OPT_INDENT_2)
            f.write(chunk)
            size += len(chunk)
            n += 1
        f.write(b"\n]}\n")
    return n


# The child's peak resident memory: VmHWM, not ru_maxrss, which Linux keeps across exec (a
# child of a big pytest process would report its parent's peak).
PEAK_MB = """
def peak_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
"""


def run_measured(code: str) -> dict:
    """Run ``code`` (which sets ``result``, a dict) in a fresh interpreter; return ``result``
    plus ``peak_mb``, the process's peak resident memory (tracemalloc would slow the
    streaming parser's event loop tenfold)."""
    if not Path("/proc/self/status").exists():
        pytest.skip("peak memory is read from /proc (Linux)")
    script = f"{PEAK_MB}\n{code}\nresult['peak_mb'] = peak_mb()\nprint(json.dumps(result))"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(done.stdout)


def test_a_50_mb_page_is_streamed_in_bounded_memory(tmp_path):
    path = tmp_path / "big_page.json"
    written = _write_big_page(path, 50_000_000)
    assert path.stat().st_size > 5 * sources.SMALL_FILE_LIMIT
    got = run_measured(
        "import json\nfrom loaders.sources import iter_json_values\n"
        "result = {'positions': 0, 'ids': []}\n"
        f"for position, value in iter_json_values({str(path)!r}):\n"
        "    if position != 'byte 0':\n"
        "        assert position.endswith(f\"[{len(result['ids'])}]\"), position\n"
        "        result['ids'].append(value['info']['conversationId'])\n"
    )
    assert got["ids"] == [f"conv-{i}" for i in range(written)]
    # The page as Python objects would take over 300 MB; the interpreter alone about 40 MB.
    assert got["peak_mb"] < 120


def test_big_gzip_json_lines_are_read_line_by_line(tmp_path):
    record = json.loads(real_sample(CONVERSATIONS).read_text())["conversationHistoryRecords"][0]
    path = tmp_path / "records.jsonl.gz"
    n = 0
    with gzip.open(path, "wb", compresslevel=1) as f:
        while f.tell() < 40_000_000:
            record["info"]["conversationId"] = f"line-{n}"
            f.write(orjson.dumps(record) + b"\n")
            n += 1
    got = run_measured(
        "import json\nfrom loaders.sources import iter_json_values\n"
        f"got = [(p, v['info']['conversationId']) for p, v in iter_json_values({str(path)!r})]\n"
        "result = {'first': got[0], 'last': got[-1], 'count': len(got)}\n"
    )
    assert got["first"] == ["line 1", "line-0"]
    assert got["last"] == [f"line {n}", f"line-{n - 1}"]
    assert got["count"] == n
    assert got["peak_mb"] < 120


# -- paths ----------------------------------------------------------------------------------------


def test_expand_paths_files_directories_and_globs(tmp_path):
    (tmp_path / "b" / "deep").mkdir(parents=True)
    (tmp_path / ".hidden_dir").mkdir()
    for name in ["a.json", "b/x.json.gz", "b/deep/y.jsonl", "b/.hidden.json", ".hidden_dir/z"]:
        (tmp_path / name).write_text("{}")
    root = str(tmp_path)
    assert expand_paths([root]) == [
        tmp_path / "a.json",
        tmp_path / "b" / "deep" / "y.jsonl",
        tmp_path / "b" / "x.json.gz",
    ]
    assert expand_paths([f"{root}/*.json"]) == [tmp_path / "a.json"]
    assert expand_paths([f"{root}/**/*.json*"]) == [
        tmp_path / "a.json",
        tmp_path / "b" / "deep" / "y.jsonl",
        tmp_path / "b" / "x.json.gz",
    ]
    assert expand_paths([f"{root}/b/*"]) == [tmp_path / "b/deep/y.jsonl", tmp_path / "b/x.json.gz"]
    # A file named twice is loaded once; order is kept.
    assert expand_paths([f"{root}/b/x.json.gz", root]) == [
        tmp_path / "b" / "x.json.gz",
        tmp_path / "a.json",
        tmp_path / "b" / "deep" / "y.jsonl",
    ]


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("missing.json", "no such file or glob"),
        ("*.nothing", "no such file or glob"),
        ("emptydir", "a directory without files to load"),
    ],
)
def test_expand_paths_raises_for_a_path_that_matches_nothing(tmp_path, pattern, message):
    (tmp_path / "emptydir").mkdir()
    with pytest.raises(FileNotFoundError, match=message):
        expand_paths([str(tmp_path / pattern)])


def test_sha256_is_of_the_stored_bytes(tmp_path):
    path = tmp_path / "x.gz"
    content = gzip.compress(b'{"a": 1}')
    path.write_bytes(content)
    assert sha256_of(path) == hashlib.sha256(content).hexdigest()


# -- detection ------------------------------------------------------------------------------------

REAL_KINDS = {
    "consumer-history-conversations-metadata.response.json": ("conversations", None),
    CONVERSATIONS: ("conversations", None),
    "data-access-web-session.file.json": ("web_session", "WebSession"),
    "data-access-web-session.listing.json": ("listing", None),
    "data-access-engagement.file.json": ("data_access", "Engagement"),
    ENGAGEMENT_LISTING: ("listing", None),
    "data-access-engagement.listing.fixed.json": ("listing", None),
    "data-access-survey.file.json": ("data_access", "Survey"),
    "data-access-survey.listing.json": ("listing", None),
    AGENT_ACTIVITY: ("data_access", "AgentActivity"),
    "data-access-agent-activity.file.fixed.json": ("data_access", "AgentActivity"),
    "data-access-agent-activity.listing.json": ("listing", None),
}


@pytest.mark.parametrize("name", sorted(REAL_KINDS))
def test_every_real_sample_is_detected(name, tmp_path):
    kind, data_type = REAL_KINDS[name]
    path = real_sample(name)
    assert detect(path) == Detected(kind, data_type)
    assert detect_kind(path) == kind
    assert detect_kind(path).data_type == data_type
    # The same content gzip-compressed, under a misleading name.
    gz = tmp_path / "export.txt"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    assert detect(gz) == Detected(kind, data_type)


@pytest.mark.parametrize("n", [0, 1, 3])
def test_seed_conversation_examples_are_conversations(n, tmp_path):
    path = tmp_path / f"seed{n}.json"
    path.write_text(seed_example(n))  # 001 and 003 hold the broken lead event further down
    assert detect(path) == Detected("conversations")


def test_seed_004_examples_are_web_session_and_listing(tmp_path):
    data = tmp_path / "web.json"
    data.write_text(seed_example(4))
    assert detect(data) == Detected("web_session", "WebSession")
    listing = tmp_path / "listing.json"
    listing.write_text(real_sample("data-access-web-session.listing.json").read_text())
    assert detect(listing).kind == "listing"


@pytest.mark.parametrize(
    "content, kind",
    [
        (DATA / "pages_and_records.jsonl", "conversations"),
        (b'{"conversationId": "c1", "messageRecords": []}\n', "conversations"),
        (b'{"_metadata": {}, "conversationHistoryRecords": []}', "conversations"),
        (b'{"foo": {"bar": [1, 2]}}', "unknown"),
        (b"[1, 2, 3]", "unknown"),
        (b'"just a string"', "unknown"),
        (b'{"recordCollection": [{"body": {"com.x.WebSessionGeoData": {}}}]}', "web_session"),
        (b'{"recordCollection": [{"body": {"com.x.SurveyData": {}}}]}', "data_access"),
    ],
)
def test_detection_of_other_shapes(tmp_path, content, kind):
    path = content if isinstance(content, Path) else tmp_path / "f"
    if not isinstance(content, Path):
        path.write_bytes(content)
    assert detect_kind(path).kind == kind


def test_detection_reads_only_the_beginning(tmp_path):
    # A web-session file whose body, far from the start, is broken: detection never gets there.
    path = tmp_path / "huge.json"
    head = seed_example(4).split('"recordCollection"')[0]
    with open(path, "w") as f:
        f.write(head + '"recordCollection": [')
        f.write('{"body": {"com.liveperson.dataaccess.X": {"pad": "' + "x" * 2_000_000 + '"}}},')
        f.write("this is not JSON")
    assert detect(path) == Detected("web_session", "WebSession")
    with pytest.raises(InputError):
        values(path)


def test_detection_errors(tmp_path):
    garbage = tmp_path / "g.json"
    garbage.write_bytes(b"\x00\x01\x02 not json")
    with pytest.raises(InputError) as err:
        detect(garbage)
    assert err.value.position == "line 1 column 1 (byte 0)"
    broken = tmp_path / "b.json.gz"
    broken.write_bytes(gzip.compress(seed_example(4).encode())[:30])
    with pytest.raises(InputError, match="gzip"):
        detect(broken)


def test_a_huge_unrecognised_first_value_is_unknown_without_reading_it_all(tmp_path, monkeypatch):
    monkeypatch.setattr(detect_mod, "MAX_EVENTS", 1000)
    path = tmp_path / "f.json"
    path.write_bytes(b'{"blob": [' + b"1, " * 5000 + b'1], "conversationHistoryRecords": []}')
    assert detect(path) == Detected("unknown")
    monkeypatch.setattr(detect_mod, "MAX_EVENTS", 100_000)
    assert detect(path) == Detected("conversations")


@pytest.mark.parametrize("meta_last", [False, True], ids=["meta-first", "meta-after-array"])
def test_document_elements_with_separator_look_alikes_split_exactly(tmp_path, mode, meta_last):
    # Elements whose strings and nested arrays hold what an element boundary looks like
    # (`},{"body":`, `}]`, `],`), a 19-digit integer and a pretty-printed layout: the
    # element walker must cut exactly where the elements end, or fall back.
    elements = [
        {"body": {"text": '},{"body": {"x": 1}}, ]', "n": 1}},
        {"body": {"list": [{"body": 1}, {"body": [2, {"body": "}]"}]}], "big": 10**18}},
        {"body": {"empty": {}, "arr": [[], [{}]], "s": '\\"},{\\"'}},
    ]
    meta = {"startTime": {"long": 1}}
    document = {"dataType": "WebSession", "recordCollection": elements}
    document = {**document, "metaData": meta} if meta_last else {"metaData": meta, **document}
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(document, indent=2))
    got = values(path)
    assert got[0] == ("byte 0", {**document, "recordCollection": []})
    assert got[1:] == [(f"byte 0, recordCollection[{i}]", e) for i, e in enumerate(elements)]


def test_detection_reads_only_the_first_kilobytes(tmp_path, monkeypatch):
    """The kind is settled by the first top-level keys: detection hands ijson small reads,
    as yajl turns a whole read into events before the first is looked at."""
    from loaders import detect as detect_module

    read: list[int] = []

    class Counted(detect_module.CountingReader):
        def close(self) -> None:
            read.append(self.consumed)
            super().close()

    monkeypatch.setattr(detect_module, "CountingReader", Counted)
    records = [{"info": {"conversationId": f"c{i}"}, "messageRecords": []} for i in range(5000)]
    path = tmp_path / "page.json"
    path.write_bytes(
        json.dumps({"_metadata": {"count": 5000}, "conversationHistoryRecords": records}).encode()
    )
    assert path.stat().st_size > 200_000
    assert detect_kind(path) == "conversations"
    assert read and max(read) <= 8192


# -- metaData of Data Access files --------------------------------------------------------------

WEB_SAMPLE_META = {
    "accountId": "75555851",
    "schemaVersion": "1.0.0.22",
    "startTime": 1467291704468,
    "endTime": None,
}


def test_detection_reads_a_data_access_files_meta_data(tmp_path):
    assert detect(real_sample("data-access-web-session.file.json")).meta_data == WEB_SAMPLE_META
    assert detect(real_sample("data-access-survey.file.json")).meta_data == {
        "accountId": "75555851",
        "schemaVersion": "1.0.0.22",
        "startTime": 1468274129221,
        "endTime": 1468274129228,
    }
    assert detect(real_sample(CONVERSATIONS)).meta_data is None
    assert detect(real_sample("data-access-web-session.listing.json")).meta_data is None


@pytest.mark.parametrize(
    "document, meta_data",
    [
        # metaData first, dataType after it; unknown members kept, unions unwrapped.
        (
            '{"metaData": {"accountId": {"string": "9"}, "region": {"map": {"dc": "va"}}, '
            '"ratio": 0.5}, "dataType": "WebSession", "recordCollection": []}',
            {"accountId": "9", "region": {"dc": "va"}, "ratio": 0.5},
        ),
        # After the records: not read (detection reads only the start of the file).
        ('{"dataType": "WebSession", "recordCollection": [], "metaData": {"a": 1}}', None),
        ('{"dataType": "WebSession", "metaData": null, "recordCollection": []}', None),
        ('{"dataType": "WebSession", "metaData": [1, 2], "recordCollection": []}', None),
        # An integer beyond 64 bits is kept as its digits (orjson writes only 64 bits).
        (
            '{"dataType": "WebSession", "metaData": {"n": 123456789012345678901234567890, '
            '"m": -5}, "recordCollection": []}',
            {"n": "123456789012345678901234567890", "m": -5},
        ),
        # Nested deeper than META_DEPTH: not kept, the file still detected.
        (
            '{"dataType": "WebSession", "metaData": {"x": '
            + "[" * 40
            + "]" * 40
            + '}, "recordCollection": []}',
            None,
        ),
    ],
    ids=["before-data-type", "after-records", "null", "array", "big-integer", "too-deep"],
)
def test_meta_data_shapes(tmp_path, document, meta_data):
    path = tmp_path / "da.json"
    path.write_text(document)
    detected = detect(path)
    assert detected == Detected("web_session", "WebSession")
    assert detected.meta_data == meta_data


def test_a_huge_meta_data_is_not_kept_and_not_read_past_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(detect_mod, "META_EVENTS", 50)
    path = tmp_path / "da.json"
    members = ", ".join(f'"k{i}": {i}' for i in range(100))
    path.write_text(
        '{"dataType": "WebSession", "metaData": {' + members + '}, "recordCollection": []}'
    )
    detected = detect(path)
    assert detected == Detected("web_session", "WebSession")
    assert detected.meta_data is None
    # Past the limit, detection reads no further ("a 2 GB file costs a few kilobytes").
    reads = []
    original = detect_mod.CountingReader.read
    monkeypatch.setattr(
        detect_mod.CountingReader, "read", lambda self, n=-1: reads.append(n) or original(self, n)
    )
    path.write_text('{"dataType": "WebSession", "metaData": {"big": [' + "1," * 5_000_000 + "1]}}")
    assert detect(path).meta_data is None
    assert sum(reads) < 100_000


# -- lone surrogate escapes -----------------------------------------------------------------------


def reference_mend(data: bytes) -> bytes:
    """Lone surrogate escapes → \\ufffd, written as a plain loop over the JSON text."""

    def surrogate(at: int) -> int | None:
        hex_digits = data[at + 2 : at + 6]
        if data[at : at + 2] != b"\\u" or len(hex_digits) < 4:
            return None
        if any(c not in b"0123456789abcdefABCDEF" for c in hex_digits):
            return None
        code = int(hex_digits, 16)
        return code if 0xD800 <= code <= 0xDFFF else None

    out, i = bytearray(), 0
    while i < len(data):
        if data[i : i + 2] == b"\\\\":
            out += b"\\\\"
            i += 2
            continue
        code = surrogate(i)
        if code is None:
            out.append(data[i])
            i += 1
        elif code <= 0xDBFF and (low := surrogate(i + 6)) is not None and low >= 0xDC00:
            out += data[i : i + 12]
            i += 12
        else:
            out += b"\\ufffd"
            i += 6
    return bytes(out)


PIECES = [b"\\", b"\\\\", b"u", b"d", b"D", b"8", b"b", b"c", b"F", b"0", b'"', b"x", b"\\u"]
PIECES += [b"\\ud83d", b"\\uDE00", b"\\udc00", b"\\u00e9", b"\\ud800\\udfff"]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(PIECES), max_size=40).map(b"".join),
    st.lists(st.integers(1, 20), max_size=12),
)
def test_mending_in_pieces_is_mending_at_once_is_the_reference(data, cuts):
    from loaders.surrogates import Mender, mend

    expected = reference_mend(data)
    assert mend(data) == expected
    assert len(expected) == len(data)
    assert fed_in_pieces(Mender(), data, cuts) == expected


def fed_in_pieces(feeder, data: bytes, cuts: list[int]) -> bytes:
    """What ``feeder`` (a Mender or an IntegerMask) returns for ``data`` fed in pieces of
    the sizes ``cuts`` (then the rest), and at its end."""
    out, at = [], 0
    for size in cuts:
        out.append(feeder.feed(data[at : at + size]))
        at += size
    out.append(feeder.feed(data[at:]))
    out.append(feeder.finish())
    return b"".join(out)


LONE = (
    b'{"a": "cut \\ud83d", "b": "\\udc00 low", "c": "pair \\ud83d\\ude00", '
    b'"d": "not an escape \\\\ud800", "e": "odd run \\\\\\ud800", '
    b'"\\ud800key": "x", "f": "\\ud83d\\ud83d\\ude00"}'
)
LONE_VALUE = {
    "a": "cut \ufffd",
    "b": "\ufffd low",
    "c": "pair \U0001f600",
    "d": "not an escape \\ud800",
    "e": "odd run \\\ufffd",
    "\ufffdkey": "x",
    "f": "\ufffd\U0001f600",
}


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_lone_surrogate_escapes_read_as_the_replacement_character(tmp_path, mode, gz):
    """orjson refuses them, yajl reads "?" and Python's json a string no database takes:
    every path reads U+FFFD instead, at the same byte positions."""
    page = b'{"conversationHistoryRecords": [' + LONE + b", " + LONE + b"]}"
    path = tmp_path / "page.json"
    path.write_bytes(gzip.compress(page) if gz else page)
    records = [v for _, v in values(path) if "conversationHistoryRecords" not in v]
    assert records == [LONE_VALUE, LONE_VALUE]
    lines = tmp_path / "records.jsonl"
    lines.write_bytes(LONE + b"\n" + LONE + b"\n")
    assert [v for _, v in values(lines)] == [LONE_VALUE, LONE_VALUE]
    # An error after a mended escape is still named at its byte in the file.
    broken = tmp_path / "broken.json"
    broken.write_bytes(LONE[:-1] + b", oops}")
    with pytest.raises(InputError) as error:
        values(broken)
    # (exact when read at once; the streaming parser says "near" the byte after it)
    found = int(str(error.value).split("byte ")[1].split(")")[0].split(":")[0])
    assert found - (len(LONE) + 1) in ((0,) if mode == "small" else (0, 1))


def test_an_escape_pair_cut_by_every_read_size_is_kept(tmp_path):
    from loaders.files import CountingReader

    text = b'["' + b"\\ud83d\\ude00" * 3 + b'\\ud800"]'
    path = tmp_path / "f.json"
    path.write_bytes(text)
    for size in range(1, len(text) + 1):
        with CountingReader(path, mend=True) as reader:
            chunks = []
            while chunk := reader.read(size):
                assert len(chunk) == size or not reader.read(1)  # short only at the end
                chunks.append(chunk)
            data = b"".join(chunks)
        assert json.loads(data) == ["\U0001f600" * 3 + "\ufffd"], size


def test_shallow_parse_is_yajls_parse_with_deep_prefixes_left_out():
    from loaders.stream_ijson import BACKEND, SHALLOW, shallow_parse

    text = json.dumps({"a": [1, {"b": [[[[[[{"c": "deep"}]]]]]]}], "d": {"e": None}})
    full = list(BACKEND.parse(io.BytesIO(text.encode())))
    shallow = list(shallow_parse(BACKEND, io.BytesIO(text.encode())))
    assert [(e, v) for _, e, v in shallow] == [(e, v) for _, e, v in full]
    for (prefix, _, _), (expected, _, _) in zip(shallow, full, strict=True):
        assert prefix == (expected if expected.count(".") < SHALLOW else None)
    assert any(p is None for p, _, _ in shallow)


def test_form_feeds_between_tokens_read_as_white_space_on_every_path(tmp_path, mode):
    # yajl (the streaming parser) takes a form feed or vertical tab for white space, orjson
    # refuses them: the file read at once now reads as the streamed one. Inside a string
    # both refuse a raw control character.
    path = tmp_path / "ff.json"
    path.write_bytes(
        b'{"conversationHistoryRecords":\x0c[{"conversationId":\x0b"c1"}]}' + b" " * 20
    )
    assert [v for _, v in values(path) if "conversationId" in v] == [{"conversationId": "c1"}]
    path.write_bytes(b'{"conversationHistoryRecords": [{"conversationId": "c\x0c1"}]}' + b" " * 20)
    with pytest.raises(InputError):
        values(path)


# -- integers too long for yajl -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, masked",
    [
        (b"[9223372036854775808]", b"[0" + b" " * 18 + b"]"),
        (b'{"a":-123456789012345678901234}', b'{"a":-0' + b" " * 23 + b"}"),
        (b"[1234567890123456789 ,2]", b"[0" + b" " * 18 + b" ,2]"),
        # Not integers of 19 digits or more, or not valid ones: left for yajl to judge.
        (b"[123456789012345678]", b"[123456789012345678]"),
        (b"[12345678901234567890.5, 1e12345678901234567890]", None),
        (b"[0.12345678901234567890, 1E+12345678901234567890]", None),
        (b"[01234567890123456789012, +12345678901234567890]", None),
        # Digits after a \u escape's: the escape stays whole (masked, it was invalid).
        (rb'["\u1234567890123456789012", "\uAB12345678901234567890"]', None),
        # In a string: masked too (a string stays a string; the text is only checked).
        (b'["x 12345678901234567890"]', b'["x 0' + b" " * 19 + b'"]'),
    ],
)
def test_long_integers_are_masked_as_zero_and_spaces(text, masked):
    from loaders.long_integers import mask

    assert mask(text) == (text if masked is None else masked)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from([b"1", b"2", b"0", b"-", b"+", b".", b"e", b",", b" ", b'"', b"["]),
        max_size=80,
    ).map(b"".join),
    st.lists(st.integers(1, 25), max_size=12),
)
def test_masking_in_pieces_is_masking_at_once(data, cuts):
    from loaders.long_integers import IntegerMask, mask

    assert fed_in_pieces(IntegerMask(), data, cuts) == mask(data)
    assert len(mask(data)) == len(data)


@pytest.mark.parametrize(
    "bad", ["-1e400", "+1", "1.e5", "\u00a0 1", "\x1c1"], ids=["inf", "plus", "dot", "nbsp", "fs"]
)
def test_a_streamed_file_with_a_long_integer_is_held_to_json_all_the_same(
    tmp_path, monkeypatch, bad
):
    # Where the walker gives up (here: made to) and yajl refuses an integer beyond 63 bits,
    # ijson's Python backend reads the file; it took these, which orjson and yajl refuse,
    # so that a file rejected read at once loaded streamed (-1e400 as null).
    big = 2**63
    path = tmp_path / "page.json"
    path.write_text(
        f'{{"conversationHistoryRecords": [{{"a": {big}}}, {{"b": {bad}}}, {{"c": 1}}]}}'
    )
    with pytest.raises(InputError):
        values(path)  # read at once
    monkeypatch.setattr(sources, "SMALL_FILE_LIMIT", 16)
    walker_gives_up(monkeypatch)
    with pytest.raises(InputError) as streamed:
        values(path)
    assert streamed.value.message.startswith("JSON syntax error")
    good = tmp_path / "good.json"
    good.write_text(f'{{"conversationHistoryRecords": [{{"a": {big}}}, {{"b": -1.5e300}}]}}')
    assert [v for _, v in values(good)[1:]] == [{"a": big}, {"b": -1.5e300}]


def test_an_integer_of_thousands_of_digits_rejects_the_file_on_every_path(tmp_path, mode):
    # Python reads no integer of more than 4,300 digits, orjson none beyond a double: the
    # file is not read, on either path, and the message does not quote the whole number.
    path = tmp_path / "page.json"
    path.write_text('{"conversationHistoryRecords": [{"a": ' + "7" * 5000 + "}]}")
    with pytest.raises(InputError) as error:
        values(path)
    assert error.value.message.startswith("JSON syntax error")
    assert len(error.value.message) < 300


@pytest.mark.parametrize("key", ["conversationHistoryRecords", "recordCollection"])
def test_a_split_key_given_twice_gives_the_elements_of_both(tmp_path, mode, key):
    # orjson keeps the last member of a name; the streamed path reads every split array.
    # Read at once, the first array's elements were lost.
    path = tmp_path / "twice.json"
    path.write_text(f'{{"{key}": [{{"id": "A"}}], "_metadata": {{}}, "{key}": [{{"id": "B"}}]}}')
    got = values(path)
    assert got[0] == ("byte 0", {key: [], "_metadata": {}})
    assert got[1:] == [(f"byte 0, {key}[0]", {"id": "A"}), (f"byte 0, {key}[1]", {"id": "B"})]


@pytest.mark.parametrize(
    "text",
    [
        # The second spelt with escapes: the same name to JSON.
        '{"conversationHistoryRecords": [{"id": "A"}], '
        '"conversation\\u0048istoryRecords": [{"id": "B"}]} {"conversationHistoryRecords": []}',
        # Given twice in the second of two documents.
        '{"conversationHistoryRecords": []} {"conversationHistoryRecords": [{"id": "A"}], '
        '"_metadata": {}, "conversationHistoryRecords": [{"id": "B"}]}',
    ],
    ids=["escaped", "second-document"],
)
def test_a_split_key_given_twice_however_spelt_gives_both_on_every_path(tmp_path, mode, text):
    path = tmp_path / "twice.json"
    path.write_text(text)
    elements = [(p.split(" (")[0], v) for p, v in values(path) if "[" in p]
    assert [value for _, value in elements] == [{"id": "A"}, {"id": "B"}]
    # Numbered on from the first array: each element has its own position.
    assert [p.split(", ")[1] for p, _ in elements] == [
        "conversationHistoryRecords[0]",
        "conversationHistoryRecords[1]",
    ]


def test_a_json_lines_page_giving_a_split_key_twice_gives_both(tmp_path, mode):
    # As a document does (orjson alone keeps the last array), however the key is spelt.
    path = tmp_path / "pages.jsonl"
    path.write_text(
        '{"conversationHistoryRecords": [{"id": "A"}], "conversationHistoryRecords": '
        '[{"id": "B"}, {"id": "C"}], "_metadata": {"n": 12345678901234567890123}}\n'
        '{"conversationHistoryRecords": [{"id": "D"}], "conversation\\u0048istoryRecords": '
        '[{"id": "E"}]}\n{"info": {"conversationId": "F"}}\n'
    )
    got = values(path)
    assert got[0] == (
        "line 1",
        {"conversationHistoryRecords": [], "_metadata": {"n": 12345678901234567890123}},
    )
    assert [(p, v["id"]) for p, v in got if "[" in p] == [
        ("line 1, conversationHistoryRecords[0]", "A"),
        ("line 1, conversationHistoryRecords[1]", "B"),
        ("line 1, conversationHistoryRecords[2]", "C"),
        ("line 2, conversationHistoryRecords[0]", "D"),
        ("line 2, conversationHistoryRecords[1]", "E"),
    ]
    assert got[-1] == ("line 3", {"info": {"conversationId": "F"}})


@pytest.mark.parametrize("depth", [0, 990], ids=["shallow", "deeper-than-python"])
def test_a_split_key_given_twice_with_other_values_reads_as_a_document_does(tmp_path, mode, depth):
    # Each array's elements in order; the document keeps the key's last value ([] for an
    # array), on every path, as a line or as a document. A line kept orjson's last value.
    deep = "[" * depth + "0" + "]" * depth
    text = (
        '{"conversationHistoryRecords": [{"id": "A"}], "conversationHistoryRecords": null, '
        f'"deep": {deep}, "conversationHistoryRecords": [{{"id": "B"}}], '
        '"conversationHistoryRecords": {"x": 1}, "n": 12345678901234567890123}\n'
        '{"info": {"conversationId": "C"}}\n'
    )
    for name, form in (("lines.jsonl", "line"), ("documents.json", "document")):
        path = tmp_path / name
        path.write_text(text if form == "line" else text.replace(', "n":', ',\n "n":'))
        got = [(re.sub(r" \(byte \d+\)", "", p), v) for p, v in values(path)]
        assert [p for p, _ in got] == [
            f"{form} 1",
            f"{form} 1, conversationHistoryRecords[0]",
            f"{form} 1, conversationHistoryRecords[1]",
            f"{form} 2",
        ], form
        document = got[0][1]
        assert document["conversationHistoryRecords"] == {"x": 1}, form
        assert document["n"] == 12345678901234567890123, form
        assert [v for _, v in got[1:]] == [
            {"id": "A"},
            {"id": "B"},
            {"info": {"conversationId": "C"}},
        ]


def test_documents_with_integers_beyond_a_double_are_each_read_once(tmp_path, monkeypatch):
    # Read at once, each document re-read the whole rest of the file exactly (orjson stops
    # at such an integer; the standard library only at the end of the document): 2,000
    # documents of 3.5 MB took minutes. Such documents are streamed from the first one.
    big = int("9" * 400)
    document = f'{{"conversationHistoryRecords":\n [{{"a": {big}, "pad": "{"x" * 1000}"}}]}}\n'
    path = tmp_path / "documents.json"
    path.write_text(document * 200)
    read_exactly: list[int] = []
    exactly = sources._exactly

    def measured(text, refused):
        read_exactly.append(len(text))
        return exactly(text, refused)

    monkeypatch.setattr(sources, "_exactly", measured)
    got = values(path)
    assert [v for p, v in got if "[" in p] == [{"a": big, "pad": "x" * 1000}] * 200
    # The whole file once (is it one document?), then none but a document at a time.
    assert sum(size > 2 * len(document) for size in read_exactly) <= 1


def test_a_record_over_the_limit_in_a_key_given_twice_is_the_only_one_unread(tmp_path, monkeypatch):
    # ijson's path numbered each array's elements from 0, so the over-limit element of the
    # second array made the first array's element of that number unread as well.
    monkeypatch.setattr(sources, "SMALL_FILE_LIMIT", 16)
    walker_gives_up(monkeypatch)
    path = tmp_path / "twice.json"
    big = {"id": "B", "text": "y" * 100_000}
    path.write_text(
        json.dumps({"conversationHistoryRecords": [{"id": "A"}, {"id": "A2"}], "_metadata": {}})[
            :-1
        ]
        + ', "conversationHistoryRecords": '
        + json.dumps([big, {"id": "C"}])
        + "}"
    )
    got = list(iter_json_values(path, 20_000))[1:]
    assert [position for position, _ in got] == [
        f"byte 0, conversationHistoryRecords[{i}]" for i in range(4)
    ]
    assert [value for _, value in got[:2]] == [{"id": "A"}, {"id": "A2"}]
    assert isinstance(got[2][1], sources.Unread) and got[3][1] == {"id": "C"}
