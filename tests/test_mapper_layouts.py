"""Compiled key layouts of the row mapper (``loaders.row_mapper``) behave as the generic loop.

A mapper compiles a function for a key layout only after meeting it many times, so the
parser tests mostly exercise the generic loop. Here every mapper of every parser is given
random dicts — known, unknown and case-changed keys in any order, values of every kind
(nulls, null strings, numbers at the edges of their range, numeric and time texts, a time
text that does or does not match its epoch-ms twin, objects) — and the compiled function
must leave exactly the same row, ``extra`` (in the same order) and warnings.
"""

from __future__ import annotations

import gc
import random
from datetime import UTC, datetime, timedelta

import pytest

from loaders import conversations, row_mapper, sde, web_sessions  # noqa: F401 - their mappers
from loaders.row_mapper import RowMapper, _compile_layout, _is_api_time_of
from loaders.values import (
    INT32_MAX,
    INT32_MIN,
    INT64_MAX,
    MAX_EPOCH_MS,
    cast_epoch_ms,
)

T0 = 1_710_202_130_661


def _api_text(ms: int) -> str:
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{ms % 1000:03d}+0000"


VALUES = [
    None,
    "undefined",
    "null",
    "",
    " ",
    "text",
    "ünïcödé",
    "-1",
    "0",
    "1",
    "34.0",
    " 12 ",
    "1_000",
    "1e3",
    "NaN",
    "true",
    "FALSE",
    "1710203815377",
    "99999999999999999999",
    "2016-08-29 14:30:24.565+0000",
    "2016-08-29T14:30:24",
    "2016-13-45 10:00:00.000+0000",
    "2024-02-30",
    _api_text(T0),
    _api_text(T0 + 1),
    0,
    1,
    -1,
    -2,
    T0,
    MAX_EPOCH_MS,
    MAX_EPOCH_MS + 1,
    INT32_MAX,
    INT32_MAX + 1,
    INT32_MIN - 1,
    INT64_MAX,
    INT64_MAX + 1,
    True,
    False,
    0.0,
    1.5,
    3.0,
    1e300,
    float("inf"),
    {"a": 1},
    {"year": 2020, "month": 2, "day": 3},
    {"year": "2020", "month": "2", "day": "30"},
    [1, "2"],
    [],
]


def _camel(column: str) -> str:
    first, *rest = column.split("_")
    return first + "".join(part.title() for part in rest)


def _mappers() -> list[RowMapper]:
    # Every mapper the parsers built at import (module globals, dicts, dataclasses of them).
    found = {id(o): o for o in gc.get_objects() if isinstance(o, RowMapper)}
    return sorted(
        found.values(),
        key=lambda m: (m.table, m._prefix, bool(m._nulls), sorted(m._columns), sorted(m._entries)),
    )


def _keys(mapper: RowMapper) -> list[str]:
    keys = set(mapper._entries)
    for column in mapper._columns:
        name = column.removeprefix(mapper._prefix)
        keys |= {_camel(name), _camel(name) + "L", name, name.upper()}
    return sorted(keys) + ["unknownKey", "Another_one"]


MAPPERS = _mappers()


def test_every_parser_mapper_is_covered():
    assert len(MAPPERS) > 30


@pytest.mark.parametrize("mapper", MAPPERS, ids=[f"{i}-{m.table}" for i, m in enumerate(MAPPERS)])
def test_compiled_layout_does_what_the_generic_loop_does(mapper):
    rnd = random.Random(f"{mapper.table}:{sorted(mapper._columns)}")
    keys = _keys(mapper)
    for _ in range(60):
        chosen = rnd.sample(keys, rnd.randint(0, min(len(keys), 40)))
        src = {key: rnd.choice(VALUES) for key in chosen}
        if rnd.random() < 0.5:  # a time text next to its epoch-ms twin
            for key in chosen:
                if key + "L" in src:
                    src[key + "L"] = T0
                    src[key] = _api_text(T0) if rnd.random() < 0.7 else rnd.choice(VALUES)
        base = {"conversation_id": "c"} if rnd.random() < 0.5 else {}
        layout = tuple(src)
        entries = [mapper._entries.get(k) or mapper._resolve(k) for k in layout]
        compiled = _compile_layout(layout, entries, mapper._nulls)

        expected_row, expected_extra, expected_warnings = dict(base), {}, []
        mapper._map_generic(src, expected_row, expected_extra, expected_warnings, ("ctx ", 1))
        row, extra, warnings = dict(base), {}, []
        compiled(src, row, extra, warnings, ("ctx ", 1))
        assert row == expected_row
        assert {k: type(v) for k, v in row.items()} == {k: type(v) for k, v in expected_row.items()}
        assert list(extra.items()) == list(expected_extra.items())
        assert warnings == expected_warnings


def test_map_into_switches_to_the_compiled_layout_without_changing_results(monkeypatch):
    monkeypatch.setattr(row_mapper, "_COMPILE_AFTER", 3)
    mapper = RowMapper(conversations.MessageStatus, null_strings=True)
    src = {
        "messageId": "m1",
        "seq": "4",
        "time": _api_text(T0 + 5),
        "timeL": T0,
        "participantType": "undefined",
        "other": [1],
    }
    results = []
    for _ in range(5):
        row, extra, warnings = {}, {}, []
        mapper.map_into(src, row, extra, warnings, "ctx")
        results.append((row, list(extra.items()), warnings))
    assert tuple(src) in mapper._layouts
    assert all(r == results[0] for r in results)
    assert results[0][0] == {"message_id": "m1", "seq": 4, "time": T0}
    assert results[0][1] == [("other", [1]), ("time", _api_text(T0 + 5))]


def test_api_time_text_is_recognised_only_when_it_casts_to_the_same_ms():
    rnd = random.Random(5)
    for _ in range(20_000):
        ms = rnd.choice([rnd.randrange(0, MAX_EPOCH_MS + 1), rnd.randrange(T0, T0 + 10**10)])
        text = _api_text(ms)
        assert _is_api_time_of(text, ms)
        assert cast_epoch_ms(text) == ms
        for other in (ms + 1, ms - 1, ms + 1000, ms + 3_600_000, ms + 86_400_000):
            assert not _is_api_time_of(text, other)
        for variant in (text.replace(" ", "T"), text[:-5] + "Z", text[:-5], text + " "):
            assert not _is_api_time_of(variant, ms)
    assert not _is_api_time_of(_api_text(T0), str(T0))
    assert not _is_api_time_of(_api_text(T0), None)
    assert not _is_api_time_of(T0, T0)
