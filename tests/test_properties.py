"""Order independence as a property: any order of the same files gives the same warehouse.

Hypothesis generates sets of exports: a few conversations, each seen in several
snapshots (newer ones with more or fewer messages and another status, some with the
same version and different content, some repeated verbatim), spread over files in
any order — pages, JSON Lines, the same snapshot in two files, an older one after a
newer one — plus web-session files that tell different things about the same visit
at different times. Loading the files in every generated order must give identical
table contents (``dump``: every data table, without load lineage).

The snapshot builders here are shared with the crash and concurrency tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from seeds import real_sample

import warehouse
from warehouse import db
from warehouse.tables import tables

T0 = 1_700_000_000_000


def dump(url: str, *, live: bool = False) -> dict[str, list[tuple]]:
    """Every data table's rows, sorted, without load lineage (as ``test_load.dump``, over one
    connection). ``live``: without the rows DuckDB retired (``load_id = -1``), which the
    purge after each commit deletes."""
    out = {}
    engine = db.create_engine(url)
    try:
        with engine.connect() as conn:
            for name, info in tables().items():
                if name in ("load_file", "load_rejection"):
                    continue
                cols = [c for c in info.columns if c != "load_id"]
                where = (
                    " WHERE load_id IS DISTINCT FROM -1"
                    if live and "load_id" in info.columns
                    else ""
                )
                rows = conn.exec_driver_sql(f"SELECT {', '.join(cols)} FROM {name}{where}")
                out[name] = sorted((tuple(r) for r in rows), key=repr)
    finally:
        engine.dispose()
    return out


def snapshot(cid: str, step: int, messages: int, *, status: str = "OPEN", text: str = "") -> dict:
    """A conversation record as an export shows it at ``step``: ``messages`` messages, its
    version (latest timestamp) ``T0 + 10 s + step s``; ``text`` changes content, not version."""
    return {
        "info": {
            "conversationId": cid,
            "startTimeL": T0,
            "status": status,
            "brandId": "brand",
            "latestAgentId": f"agent-{step % 3}",
            "mcs": step,
        },
        "messageRecords": [
            {
                "type": "TEXT_PLAIN",
                "messageData": {"msg": {"text": f"{cid} message {i} {text}"}},
                "messageId": f"ms::{cid}::msg:{i}",
                "seq": i,
                "participantId": "consumer-1",
                "source": "APP",
                "timeL": T0 + i,
                "sentBy": "Consumer" if i % 2 == 0 else "Agent",
            }
            for i in range(messages)
        ],
        "summary": {"text": f"summary {text}", "lastUpdatedTime": T0 + 10_000 + step * 1000},
    }


def page(records: list[dict]) -> bytes:
    return orjson.dumps(
        {"_metadata": {"count": len(records)}, "conversationHistoryRecords": records}
    )


def json_lines(records: list[dict]) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in records)


def web_file(visit_id: str, start_time: int, country: str | None, page_url: str) -> bytes:
    """The published web-session example, re-keyed: its one visit becomes ``visit_id``, the
    file's ``metaData.startTime`` ``start_time``, its first page URL changed, and (unless
    ``country`` is None) a geo body for the visit added with that country — the example has
    none, so that files of one visit disagree on a field ``web_session`` merges."""
    document = json.loads(real_sample("data-access-web-session.file.json").read_text())
    text = json.dumps(document)
    old_visit = _first(document, "visitId")
    text = text.replace(old_visit, visit_id)
    document = json.loads(text)
    document["metaData"]["startTime"] = _avro_like(document["metaData"]["startTime"], start_time)
    _set_first_url(document, page_url)
    if country is not None:
        header = {
            "com.liveperson.dataaccess.VisitorHeader": {
                "visitId": {"string": visit_id},
                "visitorId": {"string": _first(document, "visitorId")},
                "contextId": None,
            }
        }
        geo = {"com.liveperson.dataaccess.GeoData": {"country": {"string": country}}}
        body = {"com.liveperson.dataaccess.WebSessionGeoData": {"header": header, "geoData": geo}}
        document["recordCollection"].append({"body": body})
    return orjson.dumps(document)


def _first(value, key):
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for k, v in item.items():
                if k == key and isinstance(v, str | dict):
                    return v if isinstance(v, str) else next(iter(v.values()))
                stack.append(v)
        elif isinstance(item, list):
            stack.extend(item)
    raise KeyError(key)


def _avro_like(old, new):
    # An Avro union ({"long": 1}) keeps its branch; a bare value is replaced.
    return {next(iter(old)): new} if isinstance(old, dict) else new


def _set_first_url(value, url: str) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for k, v in item.items():
                if k == "url" and v is not None:
                    item[k] = _avro_like(v, url) if isinstance(v, dict) else url
                    return
                stack.append(v)
        elif isinstance(item, list):
            stack.extend(reversed(item))


# -- generated exports ---------------------------------------------------------------------------

_snapshots = st.builds(
    lambda cid, step, messages, status, text: snapshot(
        cid, step, messages, status=status, text=text
    ),
    cid=st.sampled_from(["conv-a", "conv-b", "conv-c"]),
    step=st.integers(0, 4),  # few steps: equal versions with different content happen
    messages=st.integers(0, 4),
    status=st.sampled_from(["OPEN", "CLOSE"]),
    text=st.sampled_from(["", "x", "y"]),
)
_conversation_file = st.tuples(
    st.sampled_from(["page", "lines"]), st.lists(_snapshots, min_size=1, max_size=4)
)
_web = st.tuples(
    st.sampled_from(["visit-1", "visit-2"]),
    st.integers(0, 3).map(lambda s: T0 + s * 60_000),
    st.sampled_from(["US", "CA", None]),
    st.sampled_from(["https://a.example/", "https://b.example/"]),
)


@st.composite
def exports(draw) -> tuple[list[tuple[str, bytes]], list[list[int]]]:
    """Files (name, content) and orders to load them in (the first is the given order)."""
    files: list[tuple[str, bytes]] = []
    drawn = draw(st.lists(_conversation_file, min_size=1, max_size=3))
    for i, (form, records) in enumerate(drawn):
        content = page(records) if form == "page" else json_lines(records)
        files.append((f"conv{i}.{'json' if form == 'page' else 'jsonl'}", content))
    if draw(st.booleans()):  # the first file's first snapshot again, in a file of its own
        files.append(("again.jsonl", json_lines(drawn[0][1][:1])))
    for i, web in enumerate(draw(st.lists(_web, max_size=2))):
        files.append((f"web{i}.json", web_file(*web)))
    n = len(files)
    orders = [list(range(n)), list(reversed(range(n)))]
    orders.append(draw(st.permutations(range(n))))
    return files, orders


def write_files(folder: Path, files: list[tuple[str, bytes]]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in files:
        path = folder / name
        path.write_bytes(content)
        paths.append(path)
    return paths


def load_one_by_one(url: str, paths: list[Path]) -> dict:
    """One load per file, in the order given: each file meets what the others stored."""
    for path in paths:
        summary = warehouse.load([path], url, workers=0)
        assert [f.status for f in summary.files] in (["loaded"], ["skipped"]), summary.to_dict()
    return dump(url)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=exports())
def test_every_order_of_the_files_gives_the_same_tables(fresh_db, tmp_path_factory, case):
    files, orders = case
    paths = write_files(tmp_path_factory.mktemp("exports"), files)
    try:
        # One load per file: each file meets what the ones before it committed.
        expected = load_one_by_one(fresh_db(), paths)
        for order in orders[1:]:
            # One load, one record per batch: every record meets what the ones before it
            # stored, in this order, within the load's transactions.
            url = fresh_db()
            warehouse.load([paths[i] for i in order], url, workers=0, chunk_records=1)
            assert dump(url) == expected, f"order {order} differs"
        # One load with the defaults: parsed in parallel, files sharing batches.
        url = fresh_db()
        warehouse.load([paths[i] for i in orders[-1]], url, workers=2)
        assert dump(url) == expected, "the batched load differs"
        conversations = expected["conversation"]
        assert len(conversations) == len({row[0] for row in conversations})
    finally:
        fresh_db.clear()
