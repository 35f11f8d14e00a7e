"""Hostile input as a property: mutated exports never crash the loader and lose nothing valid.

Files are built from the seed 000 example and LivePerson's published conversation and
web-session samples: several records, one of which hypothesis mutates — keys dropped,
values of the wrong type, nulls everywhere, nesting thousands of levels deep, strings of
megabytes, odd Unicode. Then:

- the load does not raise, and the file is loaded (it is still JSON);
- every record is accounted for: loaded, or in ``load_rejection`` with a reason;
- the records that were not mutated are loaded exactly as they load without the mutant.

Byte-level damage — invalid UTF-8, random bytes — makes a file that is no longer JSON:
the contract rejects such a file whole, naming where, and writes nothing of it; when the
damage happens to leave valid JSON, the record rules above apply.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from seeds import real_sample, seed_example
from test_load import query
from test_properties import dump

import warehouse
from warehouse.tables import tables

RECORDS = 4


def base_records() -> list[dict]:
    seed = json.loads(seed_example(0, repaired=True))["conversationHistoryRecords"][0]
    sample = json.loads(
        real_sample("messaging-interactions-conversations.response.json").read_text()
    )
    return [seed, sample["conversationHistoryRecords"][0]]


def paths_of(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path (keys and indexes) inside a JSON value."""
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += paths_of(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += paths_of(v, (*prefix, i))
    return out


def nested(depth: int, leaf: Any) -> str:
    """JSON text of ``leaf`` inside ``depth`` arrays (built as text: too deep for json)."""
    return "[" * depth + json.dumps(leaf) + "]" * depth


DEEP = "\x00deep:"  # marks a value to be replaced by deep nesting in the JSON text

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)

mutations = st.one_of(
    st.tuples(st.just("drop"), st.none()),
    st.tuples(st.just("replace"), json_values),
    st.tuples(st.just("nulls"), st.none()),
    st.tuples(st.just("deep"), st.sampled_from([50, 300, 1100, 3000])),
    st.tuples(st.just("huge"), st.sampled_from(["x", "é", "😀", "\u2028", "\\"])),
    st.tuples(st.just("unicode"), st.text(min_size=1, max_size=20)),
)


def _nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _nulls(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nulls(v) for v in value]
    return None


def mutate(record: dict, path: tuple, mutation: tuple) -> dict:
    """``record`` with ``mutation`` applied at ``path`` (the root: the whole record)."""
    kind, arg = mutation
    record = copy.deepcopy(record)
    if not path:
        if kind in ("drop", "nulls"):
            return _nulls(record) if kind == "nulls" else {}
        path = ("info",)
    *parents, last = path
    holder = record
    for key in parents:
        holder = holder[key]
    if kind == "drop":
        if isinstance(holder, dict):
            del holder[last]
        else:
            holder.pop(last)
    elif kind == "replace":
        holder[last] = arg
    elif kind == "nulls":
        holder[last] = _nulls(holder[last])
    elif kind == "deep":
        holder[last] = f"{DEEP}{arg}"
    elif kind == "huge":
        holder[last] = arg * (2_000_000 // len(arg.encode()))
    else:
        holder[last] = arg
    return record


def to_text(record: dict) -> bytes:
    try:
        text = orjson.dumps(record).decode()
    except TypeError:  # integers beyond 64 bits
        text = json.dumps(record, ensure_ascii=False)
    marker = json.dumps(DEEP)[:-1]  # the marker as JSON text: "\u0000deep:
    while marker in text:  # "\u0000deep:300" → 300 nested arrays
        start = text.index(marker)
        end = text.index('"', start + 1)
        depth = int(text[start:end].split(":")[-1])
        text = text[:start] + nested(depth, "deep") + text[end + 1 :]
    return text.encode()


def write_records(path: Path, texts: list[bytes], form: str) -> Path:
    if form == "lines":
        path.write_bytes(b"\n".join(texts) + b"\n")
    else:
        path.write_bytes(b'{"conversationHistoryRecords": [' + b", ".join(texts) + b"]}")
    return path


def rows_of(url: str, ids: set[str]) -> dict[str, list]:
    """Every data row that belongs to the conversations ``ids`` (without load lineage)."""
    out = {}
    for name, rows in dump(url).items():
        columns = [c for c in tables()[name].columns if c != "load_id"]
        key = next((c for c in ("conversation_id", "sde_id") if c in columns), None)
        if key is None:
            continue
        at = columns.index(key)
        out[name] = [r for r in rows if r[at] in ids or str(r[at]).split(":")[0] in ids]
    return out


def hostile_file(folder: Path, base: int, target: int, path_index: int, changes, form):
    """The file: RECORDS records (ids hostile-0…), record ``target`` mutated."""
    records = []
    for i in range(RECORDS):
        record = copy.deepcopy(base_records()[(base + i) % 2])
        record["info"]["conversationId"] = f"hostile-{i}"
        records.append(record)
    paths = paths_of(records[target])
    mutant = records[target]
    for offset, change in enumerate(changes):
        paths = paths_of(mutant)
        mutant = mutate(mutant, paths[(path_index + 97 * offset) % len(paths)], change)
    texts = [to_text(mutant if i == target else r) for i, r in enumerate(records)]
    clean = [to_text(r) for i, r in enumerate(records) if i != target]
    suffix = "jsonl" if form == "lines" else "json"
    hostile = write_records(folder / f"hostile.{suffix}", texts, form)
    reference = write_records(folder / f"clean.{suffix}", clean, form)
    return hostile, reference, {f"hostile-{i}" for i in range(RECORDS) if i != target}


def assert_accounted(url: str, summary) -> None:
    """Every record loaded or rejected with a reason; the bookkeeping agrees."""
    (result,) = summary.files
    c = result.counts
    assert c.records_loaded + c.records_rejected == c.records_seen
    seen, loaded, rejected = query(
        url, "SELECT records_seen, records_loaded, records_rejected FROM load_file"
    )[0]
    assert (seen, loaded) == (c.records_seen, c.records_loaded)
    reasons = query(url, "SELECT reason FROM load_rejection")
    assert rejected == len(reasons) >= c.records_rejected
    assert all(reason and reason.strip() for (reason,) in reasons)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    base=st.integers(0, 1),
    target=st.integers(0, RECORDS - 1),
    path_index=st.integers(0, 10_000),
    changes=st.lists(mutations, min_size=1, max_size=3),
    form=st.sampled_from(["page", "lines"]),
)
# Found by this test: nesting deeper than orjson reads sends the file to ijson, whose C
# backend refused the integer beyond 64 bits and rejected the whole file.
@example(base=0, target=0, path_index=0, changes=[("deep", 1100), ("replace", 2**63)], form="page")
def test_mutated_records_never_crash_and_lose_nothing_valid(
    fresh_db, tmp_path_factory, base, target, path_index, changes, form
):
    folder = tmp_path_factory.mktemp("hostile")
    hostile, reference, clean_ids = hostile_file(folder, base, target, path_index, changes, form)
    try:
        url = fresh_db()
        summary = warehouse.load([hostile], url, workers=0)
        (result,) = summary.files
        assert result.status == "loaded", result.error
        assert result.counts.records_seen == RECORDS
        assert_accounted(url, summary)
        assert rows_of(url, clean_ids) == clean_rows(reference, (base, target, form), clean_ids)
    finally:
        fresh_db.clear()


_clean_rows: dict[tuple, dict] = {}


def clean_rows(reference: Path, key: tuple, ids: set[str]) -> dict:
    """The rows of the unmutated records loaded alone (on DuckDB: both databases hold the
    same rows), once per choice of records and form."""
    if key not in _clean_rows:
        url = str(reference.with_suffix(".duckdb"))
        warehouse.load([reference], url, workers=0)
        _clean_rows[key] = rows_of(url, ids)
    return _clean_rows[key]


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    position=st.floats(0, 1),
    damage=st.one_of(
        st.binary(min_size=1, max_size=16),
        st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x00"]),
    ),
    overwrite=st.booleans(),
    form=st.sampled_from(["page", "lines"]),
)
# An encoded surrogate in the first key: detection crashed (UnicodeDecodeError from yajl).
@example(position=6.103515625e-05, damage=b"\xed\xa0\x80", overwrite=False, form="page")
def test_damaged_bytes_reject_the_file_whole_or_load_it_accounted(
    fresh_db, tmp_path_factory, position, damage, overwrite, form
):
    folder = tmp_path_factory.mktemp("damaged")
    path, _, _ = hostile_file(folder, 0, 0, 0, [("unicode", "ok")], form)
    data = path.read_bytes()
    at = int(position * (len(data) - 1))
    data = data[:at] + damage + data[at + (len(damage) if overwrite else 0) :]
    path.write_bytes(data)
    try:
        url = fresh_db()
        summary = warehouse.load([path], url, workers=0)
        (result,) = summary.files
        if result.status == "rejected":
            assert str(path) in result.error
            assert query(url, "SELECT count(*) FROM conversation") == [(0,)]
            ((where, reason),) = query(url, "SELECT position, reason FROM load_rejection")
            assert reason == result.error
            assert any(w in f"{where} {reason}" for w in ("byte", "line", "document"))
        else:
            assert result.status == "loaded"
            assert_accounted(url, summary)
    finally:
        fresh_db.clear()


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=st.integers(0, 4), path_index=st.integers(0, 10_000), change=mutations)
def test_mutated_web_session_bodies_never_crash_the_loader(
    fresh_db, tmp_path_factory, body, path_index, change
):
    document = json.loads(real_sample("data-access-web-session.file.json").read_text())
    target = document["recordCollection"][body]
    paths = paths_of(target)
    document["recordCollection"][body] = mutate(target, paths[path_index % len(paths)], change)
    path = tmp_path_factory.mktemp("web") / "web.json"
    path.write_bytes(to_text(document))
    try:
        url = fresh_db()
        summary = warehouse.load([path], url, workers=0)
        (result,) = summary.files
        assert result.status == "loaded", result.error
        assert result.counts.records_seen == 5
        assert_accounted(url, summary)
        # The other bodies' facts are there: the visit has its page views.
        assert query(url, "SELECT count(*) FROM web_session")[0][0] >= 1
    finally:
        fresh_db.clear()


@pytest.mark.parametrize("depth", [1100, 5000])
def test_deeply_nested_record_is_rejected_alone(duckdb_url, tmp_path, depth):
    hostile, _, clean_ids = hostile_file(tmp_path, 0, 1, 0, [("deep", depth)], "page")
    text = hostile.read_bytes()
    assert b"[" * depth in text
    summary = warehouse.load([hostile], duckdb_url, workers=0)
    (result,) = summary.files
    assert result.status == "loaded"
    (rejection,) = result.counts.rejections
    assert rejection.position == "byte 0, conversationHistoryRecords[1]"
    assert "nested too deeply" in rejection.reason
    # The summary keeps positions and reasons; the raw text is in load_rejection.
    ((raw,),) = query(duckdb_url, "SELECT raw FROM load_rejection")
    assert raw.startswith("{") and "[" * depth in raw
    ids = {cid for (cid,) in query(duckdb_url, "SELECT conversation_id FROM conversation")}
    assert ids == clean_ids


def test_record_with_an_unindexable_key_is_rejected_alone(db_url, tmp_path):
    # PostgreSQL cannot index a megabyte-long value: the record goes, not its file.
    records = [copy.deepcopy(base_records()[0]) for _ in range(3)]
    for i, record in enumerate(records):
        record["info"]["conversationId"] = f"key-{i}"
    records[1]["info"]["conversationId"] = "k" * 1_000_000
    records[2]["messageRecords"][0]["messageId"] = "m" * 100_000
    path = write_records(tmp_path / "keys.jsonl", [to_text(r) for r in records], "lines")
    summary = warehouse.load([path], db_url, workers=0)
    (result,) = summary.files
    assert result.status == "loaded"
    (long_id, long_message) = result.counts.rejections
    assert long_id.position == "line 2"
    assert ".conversation_id is 1,000,000 bytes long" in long_id.reason
    assert long_message.position == "line 3"
    assert long_message.reason == (
        "message.message_id is 100,000 bytes long: key and indexed values longer than "
        "1,000 bytes are not loaded"
    )
    assert query(db_url, "SELECT conversation_id FROM conversation") == [("key-0",)]
    assert query(db_url, "SELECT count(*) FROM load_rejection") == [(2,)]


def test_web_body_with_a_long_merged_value_loads(db_url, tmp_path):
    # A body's visitorId goes to web_session, merged from the bodies, which indexes it:
    # PostgreSQL failed the whole file at the merge ("index row requires 22912 bytes",
    # found by the mutation test above), then the body was rejected; since migration 0004
    # the index is a hash and the value loads, as text of any length does.
    document = json.loads(real_sample("data-access-web-session.file.json").read_text())
    bodies = document["recordCollection"]
    index = next(i for i, b in enumerate(bodies) if "WebSessionEngAttrsData" in json.dumps(b))
    header = next(iter(bodies[index]["body"].values()))["header"]
    next(iter(header.values()))["visitorId"] = {"string": "v" * 2_000_000}
    path = tmp_path / "web.json"
    path.write_bytes(to_text(document))
    summary = warehouse.load([path], db_url, workers=0)
    (result,) = summary.files
    assert result.status == "loaded", result.error
    assert not result.counts.rejections
    assert result.counts.records_loaded == len(bodies)
    assert query(db_url, "SELECT length(visitor_id) FROM web_session") == [(2_000_000,)]


def test_nesting_limit_is_the_same_on_every_read_path(duckdb_url, tmp_path, monkeypatch):
    """A record nested MAX_DEPTH levels deep loads, one level more is rejected, on every
    read path: in the loading process (however deep its caller's stack), a group of small
    files in a parsing process, JSON Lines cut into blocks, a web-session file cut into
    parts. (The limit used to be where Python ran out of stack: ~975 levels in the loading
    process, ~970 in a parsing process, ~490 for a web-session value, less from a deeper
    caller, so the same record loaded or not by path.)"""
    from loaders.values import MAX_DEPTH
    from warehouse import loading

    def deep(depth: int) -> str:
        return "[" * depth + '"leaf"' + "]" * depth

    record = base_records()[0]
    record["info"]["deepField"] = "DEEP"  # two levels in: the record, then info
    template = json.dumps(record)
    cid = record["info"]["conversationId"]
    depths = (MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 900)
    lines = [
        template.replace('"DEEP"', deep(depth - 2)).replace(cid, f"depth-{depth}")
        for depth in depths
    ]
    web_seed = seed_example(4)
    at = web_seed.index('"url": {\n')

    def load_from_deep_in_a_stack(frames: int, *args: Any, **options: Any) -> Any:
        if frames:
            return load_from_deep_in_a_stack(frames - 1, *args, **options)
        return warehouse.load(*args, **options)

    ways = {
        "in the loading process": (0, {}, 0),
        "in the loading process, called 400 frames deep": (0, {}, 400),
        "small files grouped in a parsing process": (1, {"POOL_FILE_BYTES": 0}, 0),
        "cut into parts for parsing processes": (
            1,
            {"POOL_FILE_BYTES": 0, "PARTS_FILE_BYTES": 1, "WORKER_FILE_LIMIT": 1},
            0,
        ),
    }
    for way, (workers, limits, frames) in ways.items():
        folder = tmp_path / way.replace(" ", "-")
        folder.mkdir()
        (folder / "c.jsonl").write_text("\n".join(lines) + "\n")
        # A page view's value sits some twenty levels into what its body is written as.
        for name, depth in (("w-deep.json", MAX_DEPTH + 1), ("w-ok.json", MAX_DEPTH - 30)):
            text = web_seed[:at] + f'"deepField": {deep(depth)}, ' + web_seed[at:]
            (folder / name).write_text(text)
        url = str(tmp_path / f"{way.replace(' ', '-')}.duckdb")
        with monkeypatch.context() as patch:
            for name, value in limits.items():
                patch.setattr(loading, name, value)
            summary = load_from_deep_in_a_stack(frames, [folder], url, workers=workers)
        by_name = {Path(f.path).name: f for f in summary.files}
        conversations = by_name["c.jsonl"]
        assert conversations.status == "loaded", way
        assert [(r.position, r.reason) for r in conversations.counts.rejections] == [
            ("line 3", "record nested too deeply to be read"),
            ("line 4", "record nested too deeply to be read"),
        ], way
        ids = {cid for (cid,) in query(url, "SELECT conversation_id FROM conversation")}
        assert ids == {f"depth-{MAX_DEPTH - 1}", f"depth-{MAX_DEPTH}"}, way
        ((extra,),) = query(
            url, f"SELECT extra FROM conversation WHERE conversation_id = 'depth-{MAX_DEPTH}'"
        )
        assert deep(MAX_DEPTH - 2) in extra, way
        deep_web = by_name["w-deep.json"]
        assert [r.reason for r in deep_web.counts.rejections] == [
            "record nested too deeply to be read"
        ], way
        assert by_name["w-ok.json"].counts.rejections == [], way
        assert by_name["w-ok.json"].counts.records_loaded > 0, way
